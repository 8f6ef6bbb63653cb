"""Peak resident memory of processes, sampled in a background thread.

The bench process's own peak comes from ``resource`` (exact); engines and
worker processes are other processes, so their RSS is sampled (psutil) a few
times a second and the highest value kept. A short spike between two samples
can be missed; the interval is stated with the results.
"""

from __future__ import annotations

import resource
import threading
from typing import Callable

INTERVAL = 0.2


def self_peak_mb() -> float:
    """This process's peak RSS so far (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def rss_mb(pid: int | None) -> float | None:
    """Current RSS of ``pid`` and its children (a JVM or redis-server has none, uvicorn workers do)."""
    if pid is None:
        return None
    import psutil

    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                continue
        return round(total / (1024.0 * 1024.0), 1)
    except psutil.Error:
        return None


class PeakSampler:
    """Sample the RSS of some processes until stopped; ``peaks`` maps a name to its highest RSS (MiB).

    Processes are given as callables returning a pid (or None), so a process
    that starts after the sampler (a worker) is picked up when it appears.
    """

    def __init__(self, pids: dict[str, Callable[[], int | None]], interval: float = INTERVAL) -> None:
        self.pids = pids
        self.interval = interval
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        for name, get_pid in self.pids.items():
            try:
                value = rss_mb(get_pid())
            except Exception:  # noqa: BLE001 - a vanished process is simply not sampled
                value = None
            if value is not None and value > self.peaks.get(name, 0.0):
                self.peaks[name] = value

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()
