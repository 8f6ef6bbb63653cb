"""The targets of issue 8 on this 2-core machine, and how a measured figure is judged against them.

A target applies at some sizes only (the query targets are for the 1M-node
graph, the analytics targets for 100k and 1M …). At other sizes the figure is
shown without a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BIG = (100_000, 1_000_000)
ONE_MILLION = (1_000_000,)


@dataclass(frozen=True)
class Target:
    """One target: ``metric`` compared with ``op`` to ``value`` (per engine when ``by_engine``)."""

    key: str
    text: str
    op: str  # ">=" or "<="
    value: float | dict[str, float]
    unit: str
    sizes: tuple[int, ...]

    def threshold(self, engine: str) -> float | None:
        if isinstance(self.value, dict):
            return self.value.get(engine)
        return self.value

    def applies(self, size: int, engine: str) -> bool:
        return size in self.sizes and self.threshold(engine) is not None

    def met(self, measured: float | None, engine: str) -> bool | None:
        """True/False against the threshold; None when nothing was measured."""
        limit = self.threshold(engine)
        if measured is None or limit is None:
            return None
        return measured >= limit if self.op == ">=" else measured <= limit

    def describe(self, engine: str) -> str:
        limit = self.threshold(engine)
        if limit is None:
            return "—"
        shown = f"{limit:,.0f}" if limit >= 10 else f"{limit:g}"
        return f"{'≥' if self.op == '>=' else '≤'} {shown} {self.unit}".strip()


TARGETS: dict[str, Target] = {t.key: t for t in (
    Target("ingest.pipeline_rows_s", "ingest, full pipeline", ">=", {"falkordb": 50_000, "neo4j": 20_000},
           "rows/s", BIG),
    Target("ingest.pipeline_vs_ceiling", "pipeline within 2× of the raw UNWIND…MERGE ceiling", ">=", 0.5,
           "× ceiling", BIG),
    Target("ingest.pipeline_vs_floor", "pipeline ≥ 100× the naive per-row floor", ">=", 100, "× floor", BIG),
    Target("ingest.load_minutes", "1M nodes + 5M edges loaded", "<=", 10, "min", ONE_MILLION),
    Target("query.search", "search p95", "<=", 20, "ms", ONE_MILLION),
    Target("query.neighbourhood_1hop", "1-hop neighbourhood p95", "<=", 10, "ms", ONE_MILLION),
    Target("query.neighbourhood_3hop", "capped 3-hop neighbourhood p95", "<=", 100, "ms", ONE_MILLION),
    Target("query.path_4hops", "collaboration path ≤ 4 hops p95", "<=", {"falkordb": 25, "neo4j": 50}, "ms",
           ONE_MILLION),
    Target("query.plan_progress", "plan progress p95", "<=", 1000, "ms", ONE_MILLION),
    Target("analytics.seconds_100k", "clusters + brokers on the 100k set", "<=", 10, "s", (100_000,)),
    Target("analytics.seconds_1m", "clusters + brokers on the 1M set", "<=", 120, "s", ONE_MILLION),
    Target("analytics.memory_1m", "analytics peak memory on the 1M set", "<=", 8192, "MiB", ONE_MILLION),
    Target("api.entity.rps", "entity lookup throughput", ">=", 1000, "req/s", BIG),
    Target("api.entity.p95", "entity lookup p95", "<=", 50, "ms", BIG),
    Target("api.path.rps", "path endpoint throughput", ">=", 100, "req/s", BIG),
    Target("api.path.p95", "path endpoint p95", "<=", 250, "ms", BIG),
)}


def query_target(name: str) -> Target | None:
    """The latency target of a query row (``path_4hops`` → ``query.path_4hops``), if it has one."""
    return TARGETS.get(f"query.{name}")


def verdict(key: str, measured: float | None, size: int, engine: str) -> dict[str, Any] | None:
    """A record of the check of ``key`` at this size and engine, or None when the target does not apply."""
    t = TARGETS[key]
    if not t.applies(size, engine):
        return None
    return {"key": key, "text": t.text, "target": t.describe(engine), "measured": measured, "unit": t.unit,
            "met": t.met(measured, engine)}
