"""``innograph query NAME --param k=v … --format table|json``: run any query of ``queries/``."""

from __future__ import annotations

import json
from typing import Any, Optional

import typer

from innograph.cli import app, handles_errors, settings

_MAIN_LISTS = ("items", "paths", "segments", "gaps", "groups", "targets", "clusters", "by_betweenness", "nodes")


def _parse(pairs: list[str]) -> dict[str, str]:
    from graph.errors import InputError

    values: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(f"--param expects key=value, got {pair!r}")
        key, value = pair.split("=", 1)
        key = key.strip()
        if not key:
            raise InputError(f"--param expects key=value, got {pair!r}")
        values[key] = value
    return values


#: the columns worth a table cell, per list a result holds (others: every simple field)
_COLUMNS = {
    "targets": ["metric", "value", "unit", "measured", "ratio", "period", "measurement", "reason"],
    "paths": ["length", "nodes", "hops"],
    "segments": ["stage", "segment", "enterprises", "organisations", "platforms", "bases", "achievements",
                 "local_achievements", "local_adopters"],
    "gaps": ["segment", "kind", "reason", "enterprises", "local_achievements", "local_adopters"],
    "clusters": ["rank", "size", "top_members", "industries", "regions", "kinds"],
    "by_betweenness": ["node", "betweenness", "pagerank", "degree"],
    "nodes": ["id", "name", "labels"],
}


def _cell(value: Any, key: str = "") -> str:
    if isinstance(value, dict):
        if {"id", "labels"} <= set(value):
            return f"{value.get('name')} ({value['id']})"
        if {"count", "top"} <= set(value):
            return str(value["count"])
        if {"type", "direction"} <= set(value):
            arrow = "→" if value["direction"] == "forward" else "←"
            return f"{arrow}{value['type']}{'' if value.get('year') is None else ' ' + str(value['year'])}"
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if key == "period" and isinstance(value, (list, tuple)):
        return "–".join(map(str, value))
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict) and "labels" in value[0]:
            shown = [str(v.get("name") or v.get("id")) for v in value[:10]]
            return (" → " if key == "nodes" else "; ").join(shown) + (" …" if len(value) > 10 else "")
        if len(value) > 10:
            return f"{len(value)} items"
        return "; ".join(_cell(v) for v in value)
    return "" if value is None else str(value)


def _table(result: Any) -> None:
    import sys

    from rich.console import Console
    from rich.table import Table

    data = result.model_dump(mode="json", by_alias=True)
    # a pipe or a file gets wide rows rather than folded cells
    console = Console(width=None if sys.stdout.isatty() else 240)
    rows_key = next((k for k in _MAIN_LISTS if isinstance(data.get(k), list)), None)
    summary = {k: v for k, v in data.items() if k != rows_key and not isinstance(v, list)}
    for key, value in summary.items():
        console.print(f"[bold]{key}[/bold]: {_cell(value)}", markup=True, highlight=False)
    if rows_key is None:
        return
    rows = data[rows_key]
    table = Table(title=f"{rows_key} ({len(rows)})")
    columns = _COLUMNS.get(rows_key)
    if columns is None:
        columns = []
        for row in rows:
            for col, value in (row if isinstance(row, dict) else {"value": row}).items():
                if col not in columns and col not in ("properties", "sources", "labels", "members_by_kind", "bonds"):
                    columns.append(col)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        row = row if isinstance(row, dict) else {"value": row}
        table.add_row(*[_cell(row.get(c), c) for c in columns])
    console.print(table)


@app.command()
@handles_errors
def query(
    name: Optional[str] = typer.Argument(None, help="the query to run (see --list)"),
    param: list[str] = typer.Option([], "--param", "-p", help="a parameter, key=value (repeat for more)"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    list_: bool = typer.Option(False, "--list", help="list the queries and their parameters"),
    show_cypher: bool = typer.Option(False, "--cypher", help="print the query's Cypher texts instead of running it"),
) -> None:
    """Run a named query: search, neighbourhood, collaboration_paths, industry_chain, chain_gaps,
    alliances, triads, achievement_flows, plan_progress, clusters, brokers."""
    from graph.errors import InputError
    from queries import cypher, registry

    if list_ or not name:
        for spec in registry.queries().values():
            typer.secho(spec.name, bold=True)
            typer.echo(f"  {spec.summary}")
            for p in spec.params:
                typer.echo(f"    --param {p.name}=…" + ("  (required)" if p.required else f"  (default {p.default!r})"))
        return
    if fmt not in ("table", "json"):
        raise InputError(f"--format must be table or json, got {fmt!r}")
    spec = registry.get(name)
    if show_cypher:
        for text_name in spec.texts:
            typer.secho(f"// ---- {text_name}.cypher", bold=True)
            typer.echo(cypher.text(text_name))
        return
    values = _parse(param)
    store = settings().open_store()
    try:
        result = spec.run(store, values)
    finally:
        store.close()
    if fmt == "json":
        typer.echo(json.dumps(result.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2))
    else:
        _table(result)
