"""The ``innograph`` command line."""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import sys
import threading
from typing import Any, Callable, TypeVar

import typer

from graph.errors import InnographError

app = typer.Typer(
    name="innograph",
    help="黑龙江创新生态知识图谱 — a knowledge graph of Heilongjiang's innovation ecosystem.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the embedded engine (FalkorDB) of the data directory.", no_args_is_help=True)
app.add_typer(db_app, name="db")

F = TypeVar("F", bound=Callable[..., Any])


def settings():  # -> Settings
    """The settings, read from the environment when a command starts (never at import)."""
    from pydantic import ValidationError

    from innograph.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"INNOGRAPH_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        fail(f"invalid settings: {problems}", 2)


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def handles_errors(fn: F) -> F:
    """Turn innograph's errors into a one-line message and an exit code, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InnographError as exc:
            fail(str(exc), exc.exit_code)

    return wrapper  # type: ignore[return-value]


class Terminated(SystemExit):
    """SIGTERM arrived; :func:`run` ends the process by the signal once everything is closed."""


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM (a service manager's stop, ``kill``) unwinds like Ctrl-C: ``finally`` blocks run, so a
    command closes its store and stops the embedded engine it started. Without it the process ended
    at once; under ``serve``/``demo`` uvicorn shut down gracefully, then raised SIGTERM again, which
    ended the process before the engine was stopped."""
    raise Terminated(128 + signum)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="log what happens")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)


@app.command()
@handles_errors
def info() -> None:
    """Show which engine the settings select, and what the graph holds."""
    s = settings()
    store = s.open_store()
    try:
        nodes = store.read("MATCH (n) RETURN count(n) AS n")
        edges = store.read("MATCH ()-[r]->() RETURN count(r) AS n")
        out = {
            "engine": store.capabilities.engine,
            "version": store.capabilities.version,
            "location": s.neo4j_uri or str(s.data_dir.resolve()),
            "nodes": nodes[0]["n"] if nodes else 0,
            "edges": edges[0]["n"] if edges else 0,
            "schema_ready": store.schema_ready(),
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    finally:
        store.close()


@app.command()
@handles_errors
def schema() -> None:
    """Create the ontology's constraints and indexes (safe to run again)."""
    store = settings().open_store()
    try:
        store.ensure_schema()
        typer.echo("schema in place")
    finally:
        store.close()


@app.command()
@handles_errors
def wipe(yes: bool = typer.Option(False, "--yes", help="confirm: delete every node and edge")) -> None:
    """Delete every node and edge of the graph."""
    if not yes:
        fail("wipe deletes the whole graph; add --yes to confirm", 2)
    store = settings().open_store()
    try:
        store.wipe()
        typer.echo("graph wiped")
    finally:
        store.close()


def _serve(s: Any, store: Any = None, workers: int | None = None) -> None:
    """Run the API with uvicorn. One worker serves ``create_app(s, store)``; several workers (never with a
    ready-made store) each build their app from the environment through the ``api.asgi`` factory.
    A store passed in stays the caller's to close."""
    import uvicorn

    from api import create_app

    workers = workers or getattr(s, "workers", 1) or 1
    typer.echo(f"serving on http://{s.host}:{s.port}  (API docs: http://{s.host}:{s.port}/docs)"
               + (f"  with {workers} workers" if workers > 1 else ""))
    if workers > 1 and store is None:
        # the workers share one embedded engine: started here, before them, and stopped here once
        # they have all exited (left to the workers, the one that started it could close first,
        # find the other still connected, and leave the engine running after the API was gone)
        server = None if s.neo4j_uri else _server()
        if server is not None:
            server.ensure_running()
        try:
            uvicorn.run("api.asgi:app_from_env", factory=True, host=s.host, port=s.port, log_level="warning",
                        workers=workers)
        finally:
            if server is not None:
                server.stop_if_unused()
    else:
        uvicorn.run(create_app(s, store), host=s.host, port=s.port, log_level="warning")


@app.command()
@handles_errors
def serve(
    host: str = typer.Option(None, help="bind address (default INNOGRAPH_HOST or 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default INNOGRAPH_PORT or 8000)"),
    workers: int = typer.Option(None, min=1, max=64, help="worker processes (default INNOGRAPH_WORKERS or 1)"),
) -> None:
    """Serve the API and pages over the current graph."""
    s = settings()
    if host:
        s.host = host
    if port:
        s.port = port
    if workers:
        s.workers = workers
    _serve(s)


@app.command()
@handles_errors
def demo(
    host: str = typer.Option(None, help="bind address (default 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default 8000)"),
    no_serve: bool = typer.Option(False, "--no-serve", help="load the sample and exit"),
    scale: int = typer.Option(3000, "--scale", help="generated nodes added to the reference data"),
    seed: int = typer.Option(7, "--seed", help="seed of the generated set"),
) -> None:
    """Load the sample data (real reference data + a generated activity set) and serve the API on it."""
    from ingest.demo import load_demo

    s = settings()
    if host:
        s.host = host
    if port:
        s.port = port
    store = s.open_store()
    try:
        store.ensure_schema()
        report = load_demo(store, scale=scale, seed=seed, batch_size=s.batch_size)
        total_nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
        total_edges = store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
        typer.echo(f"engine: {store.capabilities.engine} {store.capabilities.version}")
        typer.echo("loaded: " + ", ".join(f"{k} {c.created + c.updated + c.unchanged}"
                                          for k, c in sorted(report.counts.items())))
        for note in report.notes:
            typer.echo(note)
        if report.rejected:
            typer.echo(f"rejected rows: {len(report.rejected)} (first: {report.rejected[0].reason})")
        typer.echo(f"graph now holds {total_nodes} nodes and {total_edges} edges")
        if not no_serve:
            _serve(s, store)
    finally:
        store.close()


# --------------------------------------------------------------------------- embedded engine


def _server():
    from graph.falkordb_store import EmbeddedServer

    s = settings()
    return EmbeddedServer(s.data_dir, fsync=s.fsync, query_timeout_ms=int(s.query_timeout * 1000))


@db_app.command("start")
@handles_errors
def db_start() -> None:
    """Start the embedded engine (or find it running)."""
    server = _server()
    server.ensure_running()
    typer.echo(f"embedded engine running (pid {server.pid()}) on {server.socket_path}")


@db_app.command("stop")
@handles_errors
def db_stop() -> None:
    """Stop the embedded engine cleanly."""
    server = _server()
    typer.echo("stopped" if server.stop() else "was not running")


@db_app.command("status")
@handles_errors
def db_status() -> None:
    """Say whether the embedded engine runs."""
    server = _server()
    if server.running():
        typer.echo(f"running (pid {server.pid()}) on {server.socket_path}")
    else:
        typer.echo("not running")
        raise typer.Exit(1)


# Commands of the other layers live in their own modules (one per area) and
# register themselves on ``app`` when imported here.
COMMAND_MODULES = (
    "innograph.cmd_ingest",   # ingest, template, generate
    "innograph.cmd_policy",   # extract
    "innograph.cmd_query",    # query
    "innograph.cmd_viz",      # viz, screenshots
    "innograph.cmd_bench",    # bench
)


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


_register_commands()


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.exit(130)
    except Terminated:
        # end by the signal itself, as a service manager expects of a clean stop (systemd counts
        # an exit status of 143 as a failure)
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        raise


if __name__ == "__main__":  # pragma: no cover
    run()
