"""Fault-injection helpers for the reliability, outage and soak tests.

- graph snapshots that compare across runs (``snapshot``), and the provenance
  row numbers a file left in the graph (``rows_in_graph``);
- generated loads of tens of thousands of rows (``generate_load``);
- ``journal_ingest``: run the real pipeline through a store proxy that writes a
  journal line (fsynced) before and after every batch, so a test knows which
  batches the engine acknowledged when it was killed
  (``python -m tests.faults ingest --journal J --batch-size B FILE…``);
- processes: the ``innograph`` CLI in a subprocess, killing by pid, waiting;
- ``TcpProxy``: a loopback TCP proxy a test can cut (kill) or stall (freeze);
- ``ApiServer``: ``innograph serve`` in a subprocess on a free loopback port;
- ``LoopbackLoad``: client threads sending a steady mix of requests, recording
  every outcome with its latency; ``rss_mb`` samples a process's memory.

Nothing here mocks an engine: every helper drives the real ones.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

REPO = Path(__file__).resolve().parent.parent
INNOGRAPH = str(Path(sys.executable).with_name("innograph"))
NOW = "2026-01-01T00:00:00+00:00"

# --------------------------------------------------------------------------- snapshots


def snapshot(store: Any, *, ignore: Iterable[str] = ("updated_at",)) -> tuple[list, list]:
    """Every node and edge with every property (minus ``ignore``), in a stable order.

    ``updated_at`` is ignored by default: a load interrupted and re-run keeps the
    first run's time on the rows that run had already written, which is right.
    """
    drop = set(ignore)
    nodes = store.read("MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS p")
    edges = store.read("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p")
    out_nodes = sorted(
        (r["id"], tuple(sorted(r["labels"])), _frozen({k: v for k, v in r["p"].items() if k not in drop}))
        for r in nodes
    )
    out_edges = sorted(
        (r["a"], r["t"], r["b"], _frozen({k: v for k, v in r["p"].items() if k not in drop})) for r in edges
    )
    return out_nodes, out_edges


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # one engine may hand back 3.0 where the other says 3
    return value


def counts(store: Any) -> tuple[int, int]:
    """(nodes, edges) in the graph."""
    n = store.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    e = store.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return n, e


def rows_in_graph(store: Any, file: str, *, edges: bool = False) -> set[int]:
    """Row numbers of ``file`` that provenance (``file#row=N``) shows in the graph."""
    prefix = f"{file}#row="
    if edges:
        query = "MATCH ()-[r]->() UNWIND r.sources AS s WITH s WHERE s STARTS WITH $p RETURN s"
    else:
        query = "MATCH (n) UNWIND n.sources AS s WITH s WHERE s STARTS WITH $p RETURN s"
    return {int(r["s"][len(prefix):]) for r in store.read(query, {"p": prefix})}


def batches_of(first_row: int, n_rows: int, batch_size: int) -> list[range]:
    """The row ranges the pipeline writes as one transaction each (rows in file order, no repeated key)."""
    return [range(s, min(s + batch_size, first_row + n_rows)) for s in range(first_row, first_row + n_rows, batch_size)]


def check_whole_batches(present: set[int], batches: Sequence[range]) -> int:
    """Assert every batch is all there or all missing and the present ones are a prefix; returns how many."""
    whole = 0
    state = []
    for b in batches:
        have = len(present.intersection(b))
        assert have in (0, len(b)), f"batch of rows {b.start}–{b.stop - 1} is half-written: {have} of {len(b)} rows"
        state.append(have > 0)
        whole += have > 0
    assert state == sorted(state, reverse=True), "committed batches are not a prefix of the load"
    covered = set().union(*batches) if batches else set()
    assert present <= covered, f"rows outside the load: {sorted(present - covered)[:5]}"
    return whole


# --------------------------------------------------------------------------- generated loads


def generate_load(folder: Path, orgs: int = 20_000, collaborations: int = 5_000, seed: int = 7) -> list[Path]:
    """Enterprises (with USCC-free ids, flags, a region name) and collaborations among them, as CSV."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ents = folder / "enterprises.csv"
    with open(ents, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "名称", "别名", "高新技术企业", "专精特新", "企业性质"])
        for i in range(orgs):
            w.writerow([f"org:gen:{i}", f"黑龙江测试{i}号科技有限公司", f"测试{i}号",
                        "是" if i % 3 == 0 else "否", "是" if i % 7 == 0 else "否",
                        ("民营", "省属国企", "央企", "外资")[i % 4]])
    collab = folder / "collaborations.csv"
    with open(collab, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["合作方A", "合作方B", "项目", "年份"])
        for i in range(collaborations):
            a = rng.randrange(orgs)
            b = (a + 1 + rng.randrange(orgs - 1)) % orgs
            w.writerow([f"org:gen:{a}", f"org:gen:{b}", f"联合攻关项目{i}", 2018 + i % 7])
    return [ents, collab]


# --------------------------------------------------------------------------- journaled ingest


class JournalStore:
    """A store proxy that journals each batch before it is sent and after the engine acknowledged it."""

    def __init__(self, inner: Any, journal: Path) -> None:
        self._inner = inner
        self._fh = open(journal, "a", encoding="utf-8")
        self.capabilities = inner.capabilities

    def _log(self, entry: Mapping[str, Any]) -> None:
        self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]], *, timeout: float | None = None) -> Any:
        keys = [_journal_key(r) for r in rows]
        self._log({"event": "begin", "keys": keys})
        out = self._inner.write_batch(query, rows, timeout=timeout)
        self._log({"event": "ack", "n": len(rows)})
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _journal_key(row: Mapping[str, Any]) -> Any:
    """A node row's id, or an edge row's [start, end, key] (MERGE rows and CREATE rows {s, e, p} alike)."""
    if "s" in row and "p" in row:
        return [row["s"], row["e"], row["p"].get("key")]
    if "start" in row:
        return [row["start"], row["end"], row.get("key")]
    return row["id"]


def read_journal(journal: Path) -> tuple[list[list[Any]], list[Any] | None]:
    """(acknowledged batches, the batch in flight when the writer died or None)."""
    acked: list[list[Any]] = []
    pending: list[Any] | None = None
    if not journal.exists():
        return acked, None
    for line in journal.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            break  # a line cut by the kill
        if entry["event"] == "begin":
            pending = entry["keys"]
        elif pending is not None:
            acked.append(pending)
            pending = None
    return acked, pending


def journal_ingest(paths: Sequence[str], journal: Path, batch_size: int) -> int:
    """Run ``ingest_paths`` over the settings' engine through a :class:`JournalStore`; exit code as the CLI's."""
    from graph.errors import InnographError
    from ingest.pipeline import ingest_paths
    from innograph.settings import Settings

    store = Settings().open_store()
    try:
        store.ensure_schema()
        report = ingest_paths(JournalStore(store, journal), paths, batch_size=batch_size)
        print(json.dumps({"rows_read": report.rows_read, "rejected": len(report.rejected)}))
        return 0
    except InnographError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        with contextlib.suppress(Exception):
            store.close()


def node_present(store: Any, keys: Sequence[Any]) -> list[bool]:
    """For each journal key (a node id, or [start, end, key] of an edge): is it in the graph?"""
    ids = [k for k in keys if isinstance(k, str)]
    edges = [k for k in keys if not isinstance(k, str)]
    found: set[Any] = set()
    if ids:
        rows = store.read("UNWIND $ids AS id MATCH (n:Organization {id: id}) RETURN n.id AS id", {"ids": ids})
        found |= {r["id"] for r in rows}
    if edges:
        rows = store.read(
            "UNWIND $rows AS e MATCH (a:Organization {id: e[0]})-[r {key: e[2]}]->(b:Organization {id: e[1]}) "
            "RETURN e AS e",
            {"rows": edges},
        )
        found |= {tuple(r["e"]) for r in rows}
    return [(k if isinstance(k, str) else tuple(k)) in found for k in keys]


# --------------------------------------------------------------------------- processes


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05, what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something true; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - the engine may be starting
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}" + (f" (last error: {last_exc})" if last_exc else ""))


def sigkill(pid: int, timeout: float = 10.0) -> None:
    """SIGKILL ``pid`` and wait until it is gone (reaping it when it is our child)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return
        if state == "Z":
            return
        time.sleep(0.02)
    raise AssertionError(f"pid {pid} survived SIGKILL")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment minus every INNOGRAPH_ setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNOGRAPH_")}
    env.update(extra)
    env.setdefault("PYTHONPATH", str(REPO))
    return env


def cli(args: Sequence[str], env: Mapping[str, str], *, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``innograph ARGS`` to the end."""
    return subprocess.run([INNOGRAPH, *args], env=dict(env), capture_output=True, text=True, timeout=timeout,
                          cwd=REPO)


def start_cli(args: Sequence[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``innograph ARGS`` in the background, output to ``log``."""
    out = open(log, "wb")
    return subprocess.Popen([INNOGRAPH, *args], env=dict(env), stdout=out, stderr=subprocess.STDOUT, cwd=REPO)


def start_journal_ingest(paths: Sequence[Path], journal: Path, batch_size: int, env: Mapping[str, str],
                         log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "wb")
    cmd = [sys.executable, "-m", "tests.faults", "ingest", "--journal", str(journal),
           "--batch-size", str(batch_size), *map(str, paths)]
    return subprocess.Popen(cmd, env=dict(env), stdout=out, stderr=subprocess.STDOUT, cwd=REPO)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB."""
    import psutil

    return psutil.Process(pid).memory_info().rss / (1024 * 1024)


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; can drop every connection (kill) or stop forwarding (freeze)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.alive = True
        self.frozen = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.alive:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while self.alive:
                ready, _, _ = select.select([a, b], [], [], 0.1)
                if self.frozen:
                    continue
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def kill(self) -> None:
        self.alive = False
        try:
            self.sock.close()
        except OSError:
            pass
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass


class ApiServer:
    """``innograph serve`` in a subprocess on a free loopback port."""

    def __init__(self, env: Mapping[str, str], log: Path, *, port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = dict(env)
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60) -> "ApiServer":
        import httpx

        out = open(self.log, "ab")
        self.proc = subprocess.Popen([INNOGRAPH, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)

        def up() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"the API exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            return httpx.get(self.url + "/health", timeout=2).status_code == 200

        wait_until(up, timeout, 0.1, "the API to answer /health")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "ApiServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# --------------------------------------------------------------------------- loopback load


@dataclass
class Outcome:
    """One request: when it started (seconds since the load began), what it asked, what came back."""

    t: float
    method: str
    path: str
    status: int | None
    seconds: float
    retry_after: str | None = None
    error: str | None = None


@dataclass
class LoopbackLoad:
    """``clients`` threads sending requests from ``requests`` (a callable picking (method, path, kwargs))."""

    base_url: str
    pick: Callable[[random.Random], tuple[str, str, dict[str, Any]]]
    clients: int = 4
    timeout: float = 30.0
    pause: float = 0.02
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.started = 0.0

    def _client(self, seed: int) -> None:
        import httpx

        rng = random.Random(seed)
        with httpx.Client(base_url=self.base_url, timeout=self.timeout) as http:
            while not self._stop.is_set():
                method, path, kwargs = self.pick(rng)
                t0 = time.monotonic()
                try:
                    r = http.request(method, path, **kwargs)
                    o = Outcome(t0 - self.started, method, path, r.status_code, time.monotonic() - t0,
                                r.headers.get("retry-after"))
                    if r.status_code >= 500 and r.status_code != 503:
                        o.error = r.text[:300]
                except Exception as exc:  # noqa: BLE001 - a hang, a reset: recorded as a failure
                    o = Outcome(t0 - self.started, method, path, None, time.monotonic() - t0,
                                error=f"{type(exc).__name__}: {exc}")
                with self._lock:
                    self.outcomes.append(o)
                if self.pause:
                    self._stop.wait(self.pause)

    def start(self) -> "LoopbackLoad":
        self.started = time.monotonic()
        for i in range(self.clients):
            t = threading.Thread(target=self._client, args=(i,), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def now(self) -> float:
        return time.monotonic() - self.started

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for t in self._threads:
            t.join(self.timeout + 10)
        return list(self.outcomes)


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Counts by status and latency figures, for reports and docs."""
    by_status: dict[str, int] = {}
    for o in outcomes:
        key = str(o.status) if o.status is not None else "error"
        by_status[key] = by_status.get(key, 0) + 1
    lat = sorted(o.seconds for o in outcomes)

    def q(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 3) if lat else 0.0

    return {"requests": len(outcomes), "by_status": by_status, "p50_s": q(0.5), "p99_s": q(0.99),
            "max_s": round(lat[-1], 3) if lat else 0.0}


# --------------------------------------------------------------------------- entry point


def _main(argv: Sequence[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.faults")
    sub = parser.add_subparsers(dest="cmd", required=True)
    ing = sub.add_parser("ingest", help="load files through a journaling store proxy")
    ing.add_argument("--journal", required=True, type=Path)
    ing.add_argument("--batch-size", type=int, default=500)
    ing.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if args.cmd == "ingest":
        return journal_ingest(args.paths, args.journal, args.batch_size)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
