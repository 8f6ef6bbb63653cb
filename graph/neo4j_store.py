"""Neo4j 5 through the official ``neo4j`` driver (``bolt://``, ``neo4j://``, ``neo4j+s://``).

Reads and writes run as managed transactions, so the driver retries transient
failures (leader switches in a cluster, deadlocks) on its own.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Sequence

from graph.errors import (
    ConstraintViolation,
    QueryTimeout,
    StoreAuthError,
    StoreError,
    StoreUnavailable,
)
from graph.schema import IndexSpec, index_specs
from graph.search_keys import SEARCH_INDEX
from graph.store import Capabilities, EdgeValue, NodeValue, PathValue, Record

log = logging.getLogger(__name__)

#: a full-text index over n.name that no query used; ``ensure_schema`` drops it where it exists
RETIRED_FULLTEXT_INDEX = "innograph_names"
#: Bolt (one server) and neo4j (routing: clusters, Aura) schemes, with TLS variants
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def _name(spec: IndexSpec) -> str:
    return f"innograph_{spec.kind}_{spec.label.value}_{'_'.join(spec.properties)}".lower()


class Neo4jStore:
    """`GraphStore` over a Neo4j 5 server or cluster."""

    def __init__(
        self,
        uri: str,
        user: str = "neo4j",
        password: str | None = None,
        database: str | None = None,
        *,
        query_timeout: float = 30.0,
        connection_timeout: float = 10.0,
    ) -> None:
        import neo4j

        self._neo4j = neo4j
        self.uri = uri
        self.database = database or None
        self.query_timeout = query_timeout
        # statements running now: close() waits for them, because the driver's close sends a
        # goodbye on every pooled connection, also on one another thread is writing to
        self._busy = 0
        self._idle = threading.Condition()
        self._closed = False
        scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
        if scheme not in BOLT_SCHEMES:
            raise StoreUnavailable(
                f"invalid Neo4j URI {uri!r}: use one of {', '.join(s + '://' for s in BOLT_SCHEMES)}"
            )
        auth = (user, password) if password is not None else None
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=auth,
                connection_timeout=connection_timeout,
                max_transaction_retry_time=15.0,
                connection_acquisition_timeout=connection_timeout * 2,
            )
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise StoreUnavailable(f"invalid Neo4j URI {uri!r}: {exc}") from None
        self.ping()
        self.capabilities = Capabilities(
            engine="neo4j",
            version=self._version(),
            shortest_path_in_match=True,
            undirected_shortest_path=True,
            fulltext_procedure="db.index.fulltext.queryNodes",
        )

    def _version(self) -> str:
        try:
            info = self._driver.get_server_info()
            return info.agent.split("/", 1)[-1]
        except Exception:  # pragma: no cover - informative only
            return "unknown"

    # ------------------------------------------------------------------ errors

    def _translate(self, exc: Exception) -> StoreError:
        ex = self._neo4j.exceptions
        text = str(getattr(exc, "message", None) or exc)
        if isinstance(exc, ex.AuthError):
            return StoreAuthError(f"Neo4j at {self.uri} refused the credentials: {text}")
        if isinstance(exc, (ex.ServiceUnavailable, ex.SessionExpired)) or isinstance(exc, OSError):
            return StoreUnavailable(f"Neo4j at {self.uri} is not reachable: {text}")
        code = getattr(exc, "code", "") or ""
        if "ConstraintValidationFailed" in code:
            return ConstraintViolation(f"uniqueness constraint violated: {text}")
        if "TransactionTimedOut" in code or "Timeout" in code:
            return QueryTimeout(f"the query ran past its time limit: {text}")
        return StoreError(f"Neo4j refused the statement: {text}")

    # ------------------------------------------------------------------ statements

    @contextmanager
    def _using(self) -> Iterator[None]:
        """Count a call as running (close() waits for it); refuse it once the store is closed."""
        with self._idle:
            if self._closed:
                raise StoreUnavailable(f"the connection to Neo4j at {self.uri} is closed (the process is shutting down)")
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                if not self._busy:
                    self._idle.notify_all()

    @contextmanager
    def _session(self, write: bool) -> Iterator[Any]:
        mode = self._neo4j.WRITE_ACCESS if write else self._neo4j.READ_ACCESS
        with self._using(), self._driver.session(database=self.database, default_access_mode=mode) as session:
            yield session

    def _run(self, query: str, params: Mapping[str, Any] | None, *, write: bool, timeout: float | None) -> list[Record]:
        neo4j = self._neo4j

        @neo4j.unit_of_work(timeout=timeout if timeout is not None else self.query_timeout)
        def work(tx: Any) -> list[Record]:
            result = tx.run(query, dict(params or {}))
            return [_record(rec) for rec in result]

        try:
            with self._session(write) as session:
                if write:
                    return session.execute_write(work)
                try:
                    # a read runs as one auto-commit statement: one round trip instead of the
                    # managed transaction's two (BEGIN+RUN+PULL, then COMMIT)
                    limit = timeout if timeout is not None else self.query_timeout
                    result = session.run(neo4j.Query(query, timeout=limit), dict(params or {}))
                    return [_record(rec) for rec in result]
                except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
                    if not exc.is_retryable():
                        raise
                # a transient failure (leader switch, lost connection …) gets the managed
                # transaction's retries, as every read had before
                with self._session(write) as retry_session:
                    return retry_session.execute_read(work)
        except neo4j.exceptions.Neo4jError as exc:
            raise self._translate(exc) from None
        except (neo4j.exceptions.DriverError, OSError) as exc:
            raise self._translate(exc) from None

    def read(self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> list[Record]:
        return self._run(query, params, write=False, timeout=timeout)

    def write(self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> list[Record]:
        return self._run(query, params, write=True, timeout=timeout)

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]], *, timeout: float | None = None) -> list[Record]:
        if not rows:
            return []
        return self._run(query, {"rows": [dict(r) for r in rows]}, write=True, timeout=timeout)

    def _auto(self, query: str) -> None:
        """Schema statements run outside explicit transactions."""
        try:
            with self._session(True) as session:
                session.run(query).consume()
        except self._neo4j.exceptions.Neo4jError as exc:
            raise self._translate(exc) from None
        except (self._neo4j.exceptions.DriverError, OSError) as exc:
            raise self._translate(exc) from None

    # ------------------------------------------------------------------ schema

    def _schema_statements(self) -> list[tuple[str, str]]:
        stmts: list[tuple[str, str]] = []
        for spec in index_specs():
            name = _name(spec)
            lbl = spec.label.value
            props = ", ".join(f"n.{p}" for p in spec.properties)
            if spec.kind == "unique":
                stmts.append((name, f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{lbl}) REQUIRE ({props}) IS UNIQUE"))
            elif spec.kind == "lookup":
                stmts.append((name, f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{lbl}) ON ({props})"))
        fulltext = [s for s in index_specs() if s.kind == "fulltext"]
        if fulltext:
            # one multi-label index; the keys are pre-split bigrams, so a whitespace analyzer
            ft_labels = "|".join(dict.fromkeys(s.label.value for s in fulltext))
            ft_props = ", ".join(f"n.{p}" for p in dict.fromkeys(p for s in fulltext for p in s.properties))
            stmts.append((SEARCH_INDEX,
                          f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (n:{ft_labels}) ON EACH [{ft_props}] "
                          "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}"))
        return stmts

    def ensure_schema(self) -> None:
        for _, stmt in self._schema_statements():
            self._auto(stmt)
        # Earlier versions kept a second full-text index over n.name that no query reads;
        # Lucene updates inside each write transaction were most of the cost of creating nodes.
        self._auto(f"DROP INDEX {RETIRED_FULLTEXT_INDEX} IF EXISTS")
        self._auto("CALL db.awaitIndexes(300)")

    def schema_ready(self) -> bool:
        names = {r["name"] for r in self.read("SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' RETURN name")}
        names |= {r["name"] for r in self.read("SHOW CONSTRAINTS YIELD name RETURN name")}
        return all(name in names for name, _ in self._schema_statements())

    def wipe(self) -> None:
        # batched so a large graph does not need one huge transaction
        self._auto("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")

    def ping(self) -> None:
        try:
            with self._using():
                self._driver.verify_connectivity()
        except self._neo4j.exceptions.Neo4jError as exc:
            raise self._translate(exc) from None
        except (self._neo4j.exceptions.DriverError, OSError) as exc:
            raise self._translate(exc) from None

    def read_at(self, query: str, params: Mapping[str, Any] | None = None, *,
                timeout: float | None = None) -> tuple[list[Record], str | None]:
        # The statement's own bookmark (it comes with the end of the rows) names the last
        # transaction committed when it ran: the same token version() reads, without its round trip.
        neo4j = self._neo4j
        limit = timeout if timeout is not None else self.query_timeout
        try:
            with self._session(False) as session:
                result = session.run(neo4j.Query(query, timeout=limit), dict(params or {}))
                rows = [_record(rec) for rec in result]
                marks = session.last_bookmarks()
        except neo4j.exceptions.Neo4jError as exc:
            if exc.is_retryable():
                return self.read(query, params, timeout=timeout), self.version()
            raise self._translate(exc) from None
        except (neo4j.exceptions.DriverError, OSError) as exc:
            if isinstance(exc, neo4j.exceptions.DriverError) and exc.is_retryable():
                return self.read(query, params, timeout=timeout), self.version()
            raise self._translate(exc) from None
        values = sorted(getattr(marks, "raw_values", ()) or ())
        return rows, ("|".join(values) if values else None)

    def version(self) -> str | None:
        # A session's bookmark after a read names the last transaction committed to the
        # database when the read ran: it moves with every commit, from any client. In a
        # cluster, members may name different ones; that only makes the token move more often.
        try:
            with self._session(False) as session:
                session.run("RETURN 1").consume()
                marks = session.last_bookmarks()
        except self._neo4j.exceptions.Neo4jError as exc:
            raise self._translate(exc) from None
        except (self._neo4j.exceptions.DriverError, OSError) as exc:
            raise self._translate(exc) from None
        values = sorted(getattr(marks, "raw_values", ()) or ())
        return "|".join(values) if values else None

    def close(self, grace: float = 5.0) -> None:
        """Refuse new statements, let the running ones finish (up to ``grace`` s), then close the driver.

        Closing the driver under a statement that is still running (a watchdog's ping, a
        request stuck behind a slow engine) would write the goodbye into the same connection
        from two threads; after ``grace`` s that is what happens, and an error from it is logged,
        not raised: the process is going away.
        """
        with self._idle:
            self._closed = True
            self._idle.wait_for(lambda: self._busy == 0, timeout=grace)
            busy = self._busy
        if not busy:
            self._driver.close()
            return
        log.warning("closing the Neo4j connection with %d statement(s) still running after %g s", busy, grace)
        try:
            self._driver.close()
        except Exception as exc:  # noqa: BLE001 - a connection still in use by a stuck statement
            log.warning("closing the Neo4j connection: %s: %s", type(exc).__name__, exc)


# ---------------------------------------------------------------------- conversions


def _record(rec: Any) -> Record:
    return {k: _value(v) for k, v in rec.items()}


def _node(n: Any) -> NodeValue:
    return NodeValue(labels=tuple(sorted(n.labels)), properties=dict(n.items()))


def _edge(r: Any) -> EdgeValue:
    start = r.start_node.get("id") if r.start_node is not None else None
    end = r.end_node.get("id") if r.end_node is not None else None
    return EdgeValue(type=r.type, start=start, end=end, properties=dict(r.items()))


def _value(value: Any) -> Any:
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return _node(value)
    if isinstance(value, Relationship):
        return _edge(value)
    if isinstance(value, Path):
        return PathValue(nodes=tuple(_node(n) for n in value.nodes),
                         edges=tuple(_edge(r) for r in value.relationships))
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value
