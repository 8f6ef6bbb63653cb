"""Crashes during a load and engine outages under load: nothing committed is lost, nothing half-written.

- SIGKILL of the embedded engine (redis-server) halfway through a large load;
- SIGKILL of the ``innograph ingest`` process halfway through, on both engines;
- SIGKILL of the Neo4j JVM halfway through, then a restart on the same store;
- an engine stopped for several seconds under a steady loopback load of the API.

Loads are generated (20,000 enterprises + 5,000 collaborations, small batches),
so a kill lands in the middle of the node phase. After each crash the graph is
checked batch by batch (provenance says which file row each node came from, and
a journal written around every ``write_batch`` says which batches the engine
acknowledged), then the load is run again and the final graph compared, property
by property, with the graph an uninterrupted load produces.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from graph import open_store
from graph.falkordb_store import EmbeddedServer
from tests import faults
from tests.faults import (
    batches_of,
    check_whole_batches,
    clean_env,
    node_present,
    read_journal,
    rows_in_graph,
    sigkill,
    snapshot,
    wait_until,
)

#: rows of the generated load (enterprises, collaborations); INNOGRAPH_FAULT_ORGS makes it larger
ORGS = int(os.environ.get("INNOGRAPH_FAULT_ORGS", "16000"))
COLLABS = ORGS // 4
BATCH = 200
NODE_BATCHES = batches_of(2, ORGS, BATCH)


@pytest.fixture(scope="module")
def load_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return faults.generate_load(tmp_path_factory.mktemp("load"), ORGS, COLLABS)


def check_journal(store: Any, journal: Path) -> tuple[int, bool | None]:
    """Every acknowledged batch is in the graph whole; the batch in flight is all there or not at all."""
    acked, pending = read_journal(journal)
    assert acked, "the kill came before any batch was acknowledged; the test proves nothing"
    for keys in acked:
        present = node_present(store, keys)
        assert all(present), f"an acknowledged batch lost {present.count(False)} of {len(keys)} rows"
    pending_state = None
    if pending is not None:
        present = node_present(store, pending)
        assert all(present) or not any(present), (
            f"the batch in flight is half-written: {sum(present)} of {len(pending)} rows")
        pending_state = all(present)
    return len(acked), pending_state


_REFERENCE: dict[str, Any] = {}


def reference_snapshot(store: Any, files: list[Path], env: dict[str, str]) -> Any:
    """The graph an uninterrupted load of ``files`` gives on an empty graph (once per engine)."""
    engine = store.capabilities.engine
    if engine not in _REFERENCE:
        store.wipe()
        store.ensure_schema()
        done = faults.cli(["ingest", *map(str, files), "--batch-size", str(BATCH)], env, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        _REFERENCE[engine] = snapshot(store)
    return _REFERENCE[engine]


def record(name: str, figures: dict[str, Any]) -> None:
    """Keep a test's figures (for docs/reliability.md) when INNOGRAPH_FIGURES_DIR is set."""
    folder = os.environ.get("INNOGRAPH_FIGURES_DIR")
    if folder:
        Path(folder, f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))


def assert_clean_failure(log: Path) -> None:
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]


# --------------------------------------------------------------------------- engine killed mid-load


def test_embedded_engine_sigkill_mid_load_keeps_every_committed_batch(load_files: list[Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = clean_env(INNOGRAPH_DATA_DIR=str(data))
    server = EmbeddedServer(data)
    server.ensure_running()
    store = open_store(data_dir=data)
    try:
        store.ensure_schema()
        journal = tmp_path / "journal.jsonl"
        log = tmp_path / "ingest.log"
        proc = faults.start_journal_ingest(load_files, journal, BATCH, env, log)
        wait_until(lambda: len(read_journal(journal)[0]) >= len(NODE_BATCHES) // 2, 300, 0.01,
                   "half of the node batches to be acknowledged")
        engine_pid = server.pid()
        assert engine_pid
        sigkill(engine_pid)
        code = proc.wait(120)
        assert code == 4, log.read_text()  # StoreUnavailable: the engine went away
        assert "not reachable" in log.read_text()
        assert_clean_failure(log)

        server.ensure_running()  # a new engine replays the append-only file
        assert server.pid() != engine_pid
        acked, pending = check_journal(store, journal)
        present = rows_in_graph(store, "enterprises.csv")
        whole = check_whole_batches(present, NODE_BATCHES)
        assert acked <= whole <= acked + 1
        assert 0 < whole < len(NODE_BATCHES)
        assert faults.counts(store) == (len(present), 0)
        record("crash-falkordb-engine", {"batches": len(NODE_BATCHES), "batch_rows": BATCH, "acknowledged": acked,
                                         "whole_batches_after_restart": whole, "in_flight_committed": pending,
                                         "half_written": 0, "exit_code": code})

        # the same command again completes the load
        again = faults.start_journal_ingest(load_files, tmp_path / "journal2.jsonl", BATCH, env, tmp_path / "again.log")
        assert again.wait(600) == 0, (tmp_path / "again.log").read_text()
        after_rerun = snapshot(store)
        assert len(after_rerun[0]) == ORGS and len(after_rerun[1]) == COLLABS
        assert after_rerun == reference_snapshot(store, load_files, env)
    finally:
        store.close()
        server.stop()


# --------------------------------------------------------------------------- ingest process killed mid-load


def _graph_watcher(engine: str, env: dict[str, str], request: pytest.FixtureRequest) -> Any:
    if engine == "neo4j":
        return request.getfixturevalue("neo4j_store_session")
    data = Path(env["INNOGRAPH_DATA_DIR"])
    # the CLI starts the embedded engine itself; watch it once it answers
    wait_until(EmbeddedServer(data).running, 120, 0.05, "the CLI to start the embedded engine")
    return open_store(data_dir=data)


def test_ingest_process_sigkill_mid_load_then_rerun_completes(engine: str, engine_env: dict[str, str],
                                                               load_files: list[Path], tmp_path: Path,
                                                               request: pytest.FixtureRequest) -> None:
    env = {**engine_env, "PYTHONPATH": str(faults.REPO)}
    log = tmp_path / "ingest.log"
    proc = faults.start_cli(["ingest", *map(str, load_files), "--batch-size", str(BATCH)], env, log)
    store = _graph_watcher(engine, env, request)
    try:
        def half() -> bool:
            assert proc.poll() is None, "the load finished before it could be interrupted:\n" + log.read_text()
            got = store.read("MATCH (n:Enterprise) RETURN count(n) AS c")[0]["c"]
            return got >= ORGS // 2

        wait_until(half, 300, 0.1, "half of the enterprises to be written")
        sigkill(proc.pid)
        proc.wait(10)
        time.sleep(0.5)  # Neo4j rolls back the dead client's open transaction
        present = rows_in_graph(store, "enterprises.csv")
        whole = check_whole_batches(present, NODE_BATCHES)
        assert ORGS // 2 // BATCH <= whole < len(NODE_BATCHES)
        assert faults.counts(store) == (len(present), 0)
        record(f"crash-{engine}-cli", {"batches": len(NODE_BATCHES), "batch_rows": BATCH,
                                       "whole_batches_after_kill": whole, "half_written": 0})

        again = faults.cli(["ingest", *map(str, load_files), "--batch-size", str(BATCH)], env, timeout=600)
        assert again.returncode == 0, again.stdout + again.stderr
        after_rerun = snapshot(store)
        assert len(after_rerun[0]) == ORGS and len(after_rerun[1]) == COLLABS
        assert after_rerun == reference_snapshot(store, load_files, env)
    finally:
        if engine == "falkordb":
            store.close()
            EmbeddedServer(Path(env["INNOGRAPH_DATA_DIR"])).stop()


# --------------------------------------------------------------------------- Neo4j killed mid-load


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Neo4j of this module's own, so killing it disturbs no other test."""
    from tests.neo4j_server import Neo4jServer, Neo4jUnavailable

    server = Neo4jServer(tmp_path_factory.mktemp("neo4j-faults"), heap="512m", pagecache_mb=128)
    try:
        server.start()
    except Neo4jUnavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true and Neo4j could not start: {exc}")
        pytest.skip(f"Neo4j unavailable: {exc}")
    yield server
    server.stop()


def neo4j_env(server: Any) -> dict[str, str]:
    return clean_env(INNOGRAPH_NEO4J_URI=server.uri, INNOGRAPH_NEO4J_USER="neo4j",
                     INNOGRAPH_NEO4J_PASSWORD=server.password)


@pytest.mark.integration
def test_neo4j_jvm_sigkill_mid_load_keeps_every_committed_batch(own_neo4j: Any, load_files: list[Path],
                                                                tmp_path: Path) -> None:
    env = neo4j_env(own_neo4j)
    store = open_store(neo4j_uri=own_neo4j.uri, neo4j_password=own_neo4j.password)
    try:
        store.wipe()
        store.ensure_schema()
        journal = tmp_path / "journal.jsonl"
        log = tmp_path / "ingest.log"
        proc = faults.start_journal_ingest(load_files, journal, BATCH, env, log)
        wait_until(lambda: len(read_journal(journal)[0]) >= len(NODE_BATCHES) // 2, 300, 0.01,
                   "half of the node batches to be acknowledged")
        own_neo4j.kill()
        killed_at = time.monotonic()
        # the client either gives up (engine unreachable) or, when the server is back within the
        # driver's retry window, retries the batch in flight (MERGE: idempotent) and carries on
        acked_before_kill = read_journal(journal)[0]
        own_neo4j.start()
        restarted_in = time.monotonic() - killed_at
        for keys in acked_before_kill:  # at once, before the client writes anything more
            assert all(node_present(store, keys)), "a batch acknowledged before the kill is gone after recovery"
        code = proc.wait(600)
        assert code in (0, 4), log.read_text()
        assert_clean_failure(log)
        acked, pending = check_journal(store, journal)
        present = rows_in_graph(store, "enterprises.csv")
        whole = check_whole_batches(present, NODE_BATCHES)
        # once the server is back the loader carries on into the edge files: compare node batches only
        acked_node_batches = sum(1 for keys in read_journal(journal)[0] if keys and isinstance(keys[0], str))
        assert whole >= acked_node_batches
        record("crash-neo4j-jvm", {"batches": len(NODE_BATCHES), "batch_rows": BATCH, "acknowledged": acked,
                                   "whole_batches": whole, "restart_s": round(restarted_in, 1), "exit_code": code,
                                   "half_written": 0})

        again = faults.cli(["ingest", *map(str, load_files), "--batch-size", str(BATCH)], env, timeout=600)
        assert again.returncode == 0, again.stdout + again.stderr
        after_rerun = snapshot(store)
        assert len(after_rerun[0]) == ORGS and len(after_rerun[1]) == COLLABS
        assert after_rerun == reference_snapshot(store, load_files, env)
    finally:
        store.close()


# --------------------------------------------------------------------------- engine outage under API load

KEY = "outage-test-key-0123456789abcdef"
#: INNOGRAPH_REQUEST_TIMEOUT of the API under test: no read may wait longer (plus scheduling slack)
REQUEST_TIMEOUT = 8.0
CLIENT_TIMEOUT = 30.0
SAMPLE_IDS = ("org:sample:u1", "org:sample:e1", "ach:sample:1", "region:harbin")


def _pick(rng: Any) -> tuple[str, str, dict[str, Any]]:
    roll = rng.random()
    if roll < 0.5:
        return "GET", f"/api/entities/{rng.choice(SAMPLE_IDS)}", {}
    if roll < 0.8:
        return "GET", "/api/search", {"params": {"q": rng.choice(["示例", "理工", "公司"])}}
    return "GET", f"/api/entities/{rng.choice(SAMPLE_IDS)}/edges", {}


class _Uploader(threading.Thread):
    """Uploads one small file a second through the API and follows each job to its end."""

    def __init__(self, base_url: str) -> None:
        super().__init__(daemon=True)
        self.base_url = base_url
        self.stop_event = threading.Event()
        self.results: list[tuple[int, float, str, str]] = []  # (n, t, POST status or job status, id)

    def run(self) -> None:
        import httpx

        n = 0
        with httpx.Client(base_url=self.base_url, timeout=CLIENT_TIMEOUT,
                          headers={"X-API-Key": KEY}) as http:
            while not self.stop_event.is_set():
                n += 1
                org = f"org:upload:{n}"
                body = f"编号,名称\n{org},上传测试{n}号有限公司\n".encode()
                t = time.monotonic()
                try:
                    r = http.post("/api/ingest", files={"file": (f"enterprises_{n}.csv", body, "text/csv")})
                except Exception as exc:  # noqa: BLE001 - recorded, asserted on below
                    self.results.append((n, t, f"error {type(exc).__name__}", org))
                    continue
                if r.status_code != 202:
                    self.results.append((n, t, str(r.status_code), org))
                else:
                    status = "timeout"
                    deadline = time.monotonic() + 120
                    while time.monotonic() < deadline:
                        job = http.get(r.headers["location"]).json()
                        if job["status"] not in ("queued", "running"):
                            status = job["status"]
                            break
                        time.sleep(0.1)
                    self.results.append((n, t, status, org))
                self.stop_event.wait(0.5)


def _outage(env: dict[str, str], store: Any, stop: Any, start: Any, tmp_path: Path, down_for: float) -> dict[str, Any]:
    """Serve the API under load, take the engine away for ``down_for`` s, bring it back; return the figures."""
    import httpx

    from ingest.builtin_sample import load_builtin_sample

    store.wipe()
    store.ensure_schema()
    load_builtin_sample(store)
    env = {**env, "INNOGRAPH_API_KEYS": KEY, "INNOGRAPH_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
           "INNOGRAPH_QUERY_TIMEOUT": "5", "INNOGRAPH_DATA_DIR": env.get("INNOGRAPH_DATA_DIR", str(tmp_path / "api"))}
    with faults.ApiServer(env, tmp_path / "api.log") as api:
        load = faults.LoopbackLoad(api.url, _pick, clients=4, timeout=CLIENT_TIMEOUT).start()
        uploader = _Uploader(api.url)
        uploader.start()
        time.sleep(4)
        t_down = load.now()
        stop()
        time.sleep(down_for)
        start()
        t_up = load.now()

        def ready() -> bool:
            return httpx.get(api.url + "/ready", timeout=CLIENT_TIMEOUT).status_code == 200

        wait_until(ready, 120, 0.2, "the API to be ready again")
        t_ready = load.now()
        time.sleep(8)  # the breaker's cool-down, then a stretch of normal service
        t_end = load.now()
        uploader.stop_event.set()
        outcomes = load.stop()
        uploader.join(CLIENT_TIMEOUT + 130)
        api_alive = api.proc is not None and api.proc.poll() is None
        log_text = (tmp_path / "api.log").read_text(errors="replace")

    started = load.started
    figures = {"down_at_s": round(t_down, 2), "up_at_s": round(t_up, 2), "ready_at_s": round(t_ready, 2),
               "recovered_in_s": round(t_ready - t_up, 2), **faults.summarise(outcomes)}
    assert api_alive, "the API process died"
    assert "Traceback" not in log_text, log_text[-3000:]
    # a read that ran past INNOGRAPH_QUERY_TIMEOUT on the engine that is still coming back (cold caches)
    # is a 504 with its reason; outside the outage and its recovery there must be none
    recovering = [o for o in outcomes if o.status == 504 and t_down <= o.t <= t_ready + 6]
    failures = [o for o in outcomes if (o.error and o.status != 504) or o.status not in (200, 503, 504)
                or (o.status == 504 and o not in recovering)]
    assert not failures, failures[:5]
    figures["504_while_recovering"] = len(recovering)
    assert all(o.status == 200 for o in outcomes if o.t + o.seconds < t_down), "errors before the outage"
    during = [o for o in outcomes if o.status == 503]
    assert during, "no request saw the outage; the test proved nothing"
    assert all(o.retry_after and o.retry_after.isdigit() for o in during), "a 503 without Retry-After"
    slowest = max(o.seconds for o in outcomes)
    assert slowest <= REQUEST_TIMEOUT + 4, f"a request hung for {slowest:.1f}s (time-out {REQUEST_TIMEOUT}s)"
    late = [o for o in outcomes if o.t > t_ready + 6]
    assert late and all(o.status == 200 for o in late), "the API did not recover without a restart"
    figures["503_during_outage"] = len(during)
    figures["max_latency_s"] = round(slowest, 2)

    # every upload the API acknowledged (job succeeded) is in the graph after the outage
    results = uploader.results
    succeeded = [org for _, _, status, org in results if status == "succeeded"]
    assert all(status in ("succeeded", "failed", "503") for _, _, status, _ in results), results
    assert succeeded and any(t - started < t_down for _, t, s, _ in results if s == "succeeded")
    got = {r["id"] for r in store.read("MATCH (n:Enterprise) WHERE n.id STARTS WITH 'org:upload:' RETURN n.id AS id")}
    assert set(succeeded) <= got, f"acknowledged uploads lost: {sorted(set(succeeded) - got)}"
    figures["uploads"] = {s: sum(1 for r in results if r[2] == s) for s in {r[2] for r in results}}
    del started
    return figures


def test_embedded_engine_outage_under_api_load(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = EmbeddedServer(data)
    server.ensure_running()
    store = open_store(data_dir=data)
    try:
        def crash() -> None:
            pid = server.pid()
            assert pid
            sigkill(pid)  # harsher than a clean stop: the append-only file must hold every acknowledged write

        figures = _outage(clean_env(INNOGRAPH_DATA_DIR=str(data)), store, crash, server.ensure_running, tmp_path,
                          down_for=6)
        record("outage-falkordb", figures)
    finally:
        store.close()
        server.stop()


@pytest.mark.integration
def test_neo4j_outage_under_api_load(own_neo4j: Any, tmp_path: Path) -> None:
    store = open_store(neo4j_uri=own_neo4j.uri, neo4j_password=own_neo4j.password)
    try:
        figures = _outage(neo4j_env(own_neo4j), store, own_neo4j.stop, own_neo4j.start, tmp_path, down_for=5)
        record("outage-neo4j", figures)
    finally:
        store.close()
