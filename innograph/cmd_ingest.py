"""CLI commands of the ingestion layer: ``ingest``, ``template``, ``generate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, List, Optional

import typer

from innograph.cli import app, handles_errors, settings


class _Bar:
    """A tqdm progress bar on stderr, shown on a terminal or for long loads only."""

    def __init__(self, enabled: bool | None) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: int, total: int | None) -> None:
        if self.bar is None:
            show = self.enabled if self.enabled is not None else (sys.stderr.isatty() or (total or 0) > 200_000)
            if not show:
                return
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=" rows", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
        if total is not None and total != self.bar.total:
            self.bar.total = max(total, done)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@app.command()
@handles_errors
def ingest(
    paths: List[Path] = typer.Argument(..., help="files (.xlsx, .csv, .jsonl) or folders to load"),
    on_error: str = typer.Option("skip", "--on-error", help="skip: load the good rows; abort: nothing from a file with a bad row"),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="rows per write transaction (default INNOGRAPH_BATCH_SIZE or 5000)"),
    kind: Optional[str] = typer.Option(None, "--kind", help="the kind of every file (see `innograph template`); default: found from headers"),
    aliases: List[Path] = typer.Option([], "--aliases", help="an extra alias table (columns 简称/alias, 全称/name); repeatable"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="progress bar (default: on a terminal)"),
) -> None:
    """Load spreadsheets and files into the graph: validate, resolve, MERGE in batches.

    Exit code 0 when everything was loaded (or bad rows were skipped), 1 when
    rows were rejected under --on-error abort or a file could not be read.
    """
    from ingest.pipeline import ingest_paths

    if on_error not in ("skip", "abort"):
        raise typer.BadParameter("must be skip or abort", param_hint="--on-error")
    s = settings()
    store = s.open_store()
    bar = _Bar(progress)
    try:
        store.ensure_schema()
        report = ingest_paths(store, paths, on_error=on_error, batch_size=batch_size or s.batch_size,  # type: ignore[arg-type]
                              progress=bar, aliases=aliases, kind=kind)
    finally:
        bar.close()
        store.close()
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json") | {"rows_per_second": round(report.rows_per_second, 1)},
                              ensure_ascii=False, indent=2))
    else:
        typer.echo(report.table())
    unreadable = any(f.status == "unreadable" for f in report.files)
    if (report.rejected and on_error == "abort") or unreadable:
        raise typer.Exit(1)


@app.command()
@handles_errors
def template(
    kind: Optional[str] = typer.Argument(None, help="the kind (e.g. enterprise, transferred_to, alias); omit to list them"),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx or csv"),
    out: Optional[Path] = typer.Option(None, "--out", help="file to write (default: KIND.FORMAT in the current folder)"),
    lang: str = typer.Option("zh", "--lang", help="header language: zh or en (both are accepted when loading)"),
) -> None:
    """Write an empty template (header row + one example row) for one kind of file."""
    from ingest.layouts import layouts
    from ingest.templates import write_template

    if kind is None:
        for name, lay in layouts().items():
            typer.echo(f"{name:<18} {lay.role:<5} {lay.zh}  —  {lay.description}")
        return
    if fmt not in ("xlsx", "csv"):
        raise typer.BadParameter("must be xlsx or csv", param_hint="--format")
    if lang not in ("zh", "en"):
        raise typer.BadParameter("must be zh or en", param_hint="--lang")
    from ingest.layouts import layout

    lay = layout(kind)
    target = out or Path(f"{lay.name}.{fmt}")
    write_template(lay.name, fmt, target, lang=lang)  # type: ignore[arg-type]
    typer.echo(f"wrote {target}")


@app.command()
@handles_errors
def generate(
    scale: int = typer.Option(3000, "--scale", help="number of nodes to generate (1,000 – 1,000,000)"),
    seed: int = typer.Option(7, "--seed", help="random seed: the same seed writes the same files"),
    out: Path = typer.Option(..., "--out", help="folder to write the files into"),
    fmt: str = typer.Option("csv", "--format", help="csv or jsonl"),
    reference: bool = typer.Option(True, "--reference/--no-reference",
                                   help="also copy the reference regions and industries, so the folder loads on its own"),
) -> None:
    """Write a synthetic activity data set (visibly synthetic 示例/模拟 names) in the documented layouts."""
    from ingest.generate import generate as run

    if fmt not in ("csv", "jsonl"):
        raise typer.BadParameter("must be csv or jsonl", param_hint="--format")
    summary = run(out, scale=scale, seed=seed, fmt=fmt, with_reference=reference)  # type: ignore[arg-type]
    for name, n in summary.items():
        typer.echo(f"{name:<28} {n:>9}")
    typer.echo(f"wrote {sum(summary.values())} rows to {out}")
