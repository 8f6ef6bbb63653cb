"""CLI commands of the policy layer: ``extract`` (read a plan) and ``ingest-policy`` (load plans)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer

from graph.errors import InputError
from innograph.cli import app, handles_errors, settings


def _summary(extraction) -> str:  # noqa: ANN001 - a PolicyExtraction
    """A readable Chinese summary of what a plan says."""
    doc = extraction.document
    lines = [f"《{doc.title}》"]
    lines.append(f"发文机关：{doc.issuer or '未注明'}    成文日期：{doc.date or '未注明'}    "
                 f"实施期：{doc.period or '未注明'}")
    with_duties = [t for t in extraction.tasks if t.lead or t.support]
    lines.append(f"任务 {len(extraction.tasks)} 项（明确分工 {len(with_duties)} 项），部门 {len(extraction.departments)} 个，"
                 f"目标 {len(extraction.targets)} 项，产业 {len(extraction.industries)} 个，"
                 f"机构 {len(extraction.organizations)} 个")
    lines.append("")
    lines.append("任务与分工：")
    for t in extraction.tasks:
        indent = "  " * t.id.count(".")
        lines.append(f"  {indent}{t.id} {t.title}")
        if t.lead or t.support:
            duty = f"牵头：{'、'.join(t.lead) or '—'}"
            if t.support:
                duty += f"；配合：{'、'.join(t.support)}"
            lines.append(f"  {indent}    {duty}")
    if extraction.targets:
        lines.append("")
        lines.append("量化目标：")
        for g in extraction.targets:
            value = f"{g.value:g}" if isinstance(g.value, float) else str(g.value)
            when = f"（到{g.deadline}年）" if g.deadline else ""
            task = f"[{g.task}] " if g.task else ""
            lines.append(f"  {task}{g.metric}：{value}{g.unit}{when}")
    if extraction.departments:
        lines.append("")
        lines.append("涉及部门：" + "、".join(extraction.departments))
    if extraction.industries:
        lines.append("")
        lines.append("重点产业：" + "、".join(extraction.industries))
    if extraction.organizations:
        lines.append("")
        lines.append("提及机构：" + "、".join(f"{o.name}（{o.kind}）" for o in extraction.organizations))
    return "\n".join(lines)


@app.command()
@handles_errors
def extract(
    path: Path = typer.Argument(..., help="a policy text (.txt; UTF-8, UTF-16 or GBK/GB18030)"),
    as_json: bool = typer.Option(False, "--json", help="print the extraction as JSON (the documented shape)"),
    use_graph: bool = typer.Option(False, "--graph", help="use the graph's organisations and regions as a gazetteer"),
) -> None:
    """Read a plan (计划/方案/措施): tasks, lead and supporting departments, targets, industries, organisations.

    Nothing is written. Exit code 2 when the file cannot be read as a plan
    (empty, binary, undecodable, or without numbered sections).
    """
    from ingest.policy.load import extract_policy

    store = settings().open_store() if use_graph else None
    try:
        analysis = extract_policy(path, store=store)
    finally:
        if store is not None:
            store.close()
    extraction = analysis.to_extraction()
    if as_json:
        typer.echo(json.dumps(extraction.model_dump(), ensure_ascii=False, indent=2))
    else:
        typer.echo(_summary(extraction))


@app.command("ingest-policy")
@handles_errors
def ingest_policy(
    paths: List[Path] = typer.Argument(..., help="policy texts (.txt) or folders holding them"),
    as_json: bool = typer.Option(False, "--json", help="print the reports as JSON"),
) -> None:
    """Load plans as the policy layer (Policy, Task, Agency, Target, Industry and their edges).

    Each file is loaded whole or not at all; loading the same text again
    changes nothing. Exit code 0 when every file loaded, 2 when one could not
    be read (the others are still loaded).
    """
    from ingest.policy.load import load_policy

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*.txt") if x.is_file()))
        else:
            files.append(p)
    if not files:
        raise InputError("no policy text (.txt) found in " + ", ".join(map(str, paths)))
    store = settings().open_store()
    reports, failures = [], []
    try:
        store.ensure_schema()
        for f in files:
            try:
                reports.append(load_policy(store, f))
            except InputError as exc:
                failures.append(str(exc))
                typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"loaded": [r.model_dump() for r in reports], "failed": failures},
                              ensure_ascii=False, indent=2))
    else:
        for r in reports:
            state = "unchanged" if r.unchanged else f"{r.created} created, {r.updated} updated, {r.removed} removed"
            typer.echo(f"{r.source}: 《{r.title}》 {r.tasks} tasks, {r.targets} targets, {r.departments} departments, "
                       f"{r.industries} industries, {r.organizations} organisations — {state}")
    if failures:
        raise typer.Exit(2)
