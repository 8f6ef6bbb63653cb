"""``innograph bench``: the benchmarks (``python -m bench``), from the installed command."""

from __future__ import annotations


import typer

from innograph.cli import app


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
             add_help_option=False)
def bench(ctx: typer.Context) -> None:
    """Benchmark ingest, queries, analytics and the API on both engines (options: innograph bench --help).

    Writes docs/benchmarks.md and docs/benchmarks.json; --quick runs the 10k size in a few minutes.
    """
    from bench.cli import main

    raise typer.Exit(main(list(ctx.args)))
