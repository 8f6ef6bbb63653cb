"""The embedded engine's life cycle: private socket, reuse, restart, crash recovery."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph import open_store
from graph.errors import StoreUnavailable
from graph.falkordb_store import EmbeddedServer

WRITE = textwrap.dedent(
    """
    import sys
    from graph import open_store
    from graph.schema import Label
    from graph.writes import write_nodes
    store = open_store(data_dir=sys.argv[1])
    store.ensure_schema()
    write_nodes(store, Label.UNIVERSITY, [{"id": "u:1", "name": "甲大学", "aliases": ["甲大"]}],
                source="proc-a", now="2026-01-01")
    store.close()
    """
)

READ = textwrap.dedent(
    """
    import json, sys
    from graph import open_store
    store = open_store(data_dir=sys.argv[1])
    rows = store.read("MATCH (n:Organization) RETURN n.id AS id, n.name AS name, n.aliases AS aliases")
    print(json.dumps(rows, ensure_ascii=False))
    store.close()
    """
)


def run_py(code: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_data_survives_restart_across_processes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_py(WRITE, str(data))
    server = EmbeddedServer(data)
    # the writer started the server and, being its only client, stopped it on close
    assert not server.running()
    server.ensure_running()
    first_pid = server.pid()
    assert server.stop()
    server.ensure_running()
    assert server.pid() != first_pid
    out = run_py(READ, str(data))
    assert '"甲大学"' in out and '"甲大"' in out
    server.stop()


def test_socket_is_private_and_there_is_no_tcp_port(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "d")
    server.ensure_running()
    try:
        mode = stat.S_IMODE(os.stat(server.socket_path).st_mode)
        assert mode & 0o077 == 0, oct(mode)
        assert stat.S_IMODE(os.stat(server.data_dir).st_mode) & 0o077 == 0
        conns = Path(f"/proc/{server.pid()}/net/tcp").read_text().splitlines()[1:]
        listening = [c for c in conns if c.split()[3] == "0A"]  # 0A = LISTEN
        own_inodes = {os.readlink(f"/proc/{server.pid()}/fd/{fd}") for fd in os.listdir(f"/proc/{server.pid()}/fd")}
        assert not [c for c in listening if f"socket:[{c.split()[9]}]" in own_inodes]
    finally:
        server.stop()


def test_second_process_reuses_running_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    owner = open_store(data_dir=data)
    try:
        pid = owner.server.pid()
        run_py(WRITE, str(data))
        # the writer found the server running and left it running for us
        assert owner.server.running() and owner.server.pid() == pid
        assert owner.read("MATCH (n:University) RETURN count(n) AS c")[0]["c"] == 1
    finally:
        owner.close()
    assert not EmbeddedServer(data).running()


def test_stale_socket_and_pid_after_crash_are_cleaned(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_py(WRITE, str(data))
    server = EmbeddedServer(data)
    server.ensure_running()
    pid = server.pid()
    os.kill(pid, signal.SIGKILL)
    EmbeddedServer._wait_gone(pid, 10)
    assert server.socket_path.exists() and server.pid_path.exists()  # left behind by the crash
    store = open_store(data_dir=data)
    try:
        assert store.server.pid() != pid
        rows = store.read("MATCH (n:University) RETURN n.name AS name")
        assert rows == [{"name": "甲大学"}]  # appendfsync always: the acknowledged write survived SIGKILL
    finally:
        store.server.stop()


def test_unreachable_engine_is_a_clear_error(tmp_path: Path) -> None:
    store = open_store(data_dir=tmp_path / "d")
    store.server.stop()
    with pytest.raises(StoreUnavailable, match="not reachable"):
        store.read("RETURN 1 AS x")


def test_clean_stop_compacts_the_log_so_restart_does_not_replay_every_load(tmp_path: Path) -> None:
    from graph.schema import Label
    from graph.writes import write_nodes

    data = tmp_path / "data"
    store = open_store(data_dir=data)
    store.ensure_schema()
    rows = [{"id": f"e:{i}", "name": f"模拟企业{i}"} for i in range(3000)]
    for now in ("2026-01-01", "2026-01-02", "2026-01-03"):  # three loads, each changing every node
        write_nodes(store, Label.ENTERPRISE, [dict(r, name=r["name"] + now) for r in rows], now=now)
    log_dir = data / "appendonly"
    assert sum(f.stat().st_size for f in log_dir.glob("*.incr.aof")) > 256 * 1024
    store.close()  # this process started the engine and is its last client: it stops it
    assert not EmbeddedServer(data).running()
    # after the rewrite the statements live in a snapshot, not in the replayed log
    assert sum(f.stat().st_size for f in log_dir.glob("*.incr.aof")) < 64 * 1024
    store = open_store(data_dir=data)
    try:
        got = store.read("MATCH (n:Enterprise) RETURN count(n) AS c, max(n.updated_at) AS u")
        assert got == [{"c": 3000, "u": "2026-01-03"}]
    finally:
        store.close()
