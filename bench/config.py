"""What one benchmark run does: sizes, engines, draw counts and the time bound of every phase."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bench import REPO_ROOT

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
ENGINES = ("falkordb", "neo4j")
PHASES = ("ingest", "queries", "analytics", "api")
PLAN = REPO_ROOT / "ingest" / "sample" / "policy" / "heilongjiang_action_plan_2022_2025.txt"


@dataclass
class BenchConfig:
    """Every knob of a run; :func:`BenchConfig.quick_mode` and the defaults are the two presets."""

    sizes: list[int] = field(default_factory=lambda: list(DEFAULT_SIZES))
    engines: list[str] = field(default_factory=lambda: list(ENGINES))
    out: Path = REPO_ROOT / "docs" / "benchmarks.md"
    quick: bool = False
    seed: int = 7
    phases: list[str] = field(default_factory=lambda: list(PHASES))
    #: batch sizes tried per size; the last one is the load the queries then run on
    batch_sizes: list[int] | None = None
    #: draws per query row with one client (8 clients get twice as many), and the time bound of each run
    draws: int = 200
    warmup: int = 10
    seconds_per_run: float = 10.0
    path_pairs: int = 200
    floor_sample: int = 2000
    api_seconds: float = 15.0
    api_max_requests: int = 50_000
    #: uvicorn workers of the API under load: one per core, as a deployment runs it (quick mode: 1)
    api_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: profile what misses a target (queries: 20 draws; ingest and analytics: a second, profiled run)
    profile: bool = True
    #: reload the same files once more (idempotence and the speed of an unchanged quarter), up to this size
    reload_up_to: int = 100_000
    load_policy: bool = True
    #: use the product's generator (None: when available)
    product_generator: bool | None = None
    command: str = ""

    @classmethod
    def quick_mode(cls, **overrides: object) -> "BenchConfig":
        """The CI preset: the 10k size, both engines, small draw counts, short runs (under 5 minutes)."""
        base = cls(sizes=[10_000], quick=True, draws=20, warmup=1, seconds_per_run=1.5, path_pairs=20,
                   floor_sample=100, api_seconds=2.0, api_max_requests=3000, profile=False,
                   batch_sizes=[5000], reload_up_to=0, api_workers=1)
        for k, v in overrides.items():
            if v is not None:
                setattr(base, k, v)
        return base

    @property
    def json_out(self) -> Path:
        return self.out.with_suffix(".json")

    def batch_sizes_for(self, size: int) -> list[int]:
        """Batch sizes at this size: 1k/20k/5k at 10k, 20k/5k at 100k, the default 5,000 alone at 1M
        (each load of the larger sets takes minutes on each engine)."""
        if self.batch_sizes:
            return list(self.batch_sizes)
        if size <= 10_000:
            return [1000, 20000, 5000]
        return [20000, 5000] if size <= 100_000 else [5000]

    # the time bound of each phase, in seconds, growing with the graph
    def load_timeout(self, size: int) -> float:
        return max(300.0, size * 0.0025)

    def capture_timeout(self, size: int) -> float:
        return max(300.0, size * 0.0015)

    def analytics_timeout(self, size: int) -> float:
        return max(300.0, size * 0.0006)

    def queries_timeout(self, n_rows: int) -> float:
        return 300.0 + n_rows * (2 * self.seconds_per_run * 2 + 60)
