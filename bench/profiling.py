"""cProfile of a piece of work, reduced to the top entries a reader can act on."""

from __future__ import annotations

import cProfile
import io
import pstats
from typing import Any, Callable


def profiled(fn: Callable[[], Any], *, top: int = 15) -> tuple[Any, list[dict[str, Any]]]:
    """Run ``fn`` under cProfile; return its result and the ``top`` entries by cumulative time.

    Time a worker spends waiting for the engine shows as socket reads (``recv``,
    ``readinto``): that is the engine's share, the rest is Python work in innograph.
    """
    prof = cProfile.Profile()
    result = prof.runcall(fn)
    return result, top_entries(prof, top=top)


def top_entries(prof: cProfile.Profile, *, top: int = 15) -> list[dict[str, Any]]:
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = stats.total_tt or 1e-9  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({
            "function": f"{_short(filename)}:{line}({func})",
            "calls": nc,
            "tottime_s": round(tt, 3),
            "cumtime_s": round(ct, 3),
            "cum_share": round(ct / total, 3),
        })
    by_cum = sorted(rows, key=lambda r: -r["cumtime_s"])
    by_tot = sorted(rows, key=lambda r: -r["tottime_s"])
    # the cumulative view shows where the time goes top-down; own time shows the hot leaves
    return [dict(r, view="cumulative") for r in by_cum[:top]] + [dict(r, view="own") for r in by_tot[:top]]


def _short(filename: str) -> str:
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
