"""The query modules the benchmark measures, and how it draws their parameters.

Each :class:`QuerySpec` names a function of ``queries/`` by ``module:function``
(resolved when the benchmark runs, so a module that has not landed yet is
reported "not available" instead of failing the run) and a draw function that
builds keyword arguments from the dataset's pools with a seeded RNG. The same
seed gives the same draws on both engines.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from typing import Any, Callable

ORG_LABEL = "Organization"


@dataclass
class Pools:
    """What parameters are drawn from: ids and names per key label, and reachable path pairs."""

    labels: dict[str, list[list[str]]]
    path_pairs: list[list[str]] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)

    def ids(self, label: str) -> list[list[str]]:
        return self.labels.get(label) or []

    def orgs(self) -> list[list[str]]:
        return self.ids(ORG_LABEL)

    def industries(self) -> list[str]:
        """Industries that have children or chain links (the reference tree's industries)."""
        return [i for i, _ in self.ids("Industry") if i.count(":") == 1] or [i for i, _ in self.ids("Industry")]


def name_fragment(name: str, rng: random.Random) -> str:
    """A 2–4 character piece of a name, as an analyst would type it (without a synthetic number)."""
    core = name.split("（", 1)[0].split("(", 1)[0] or name
    if len(core) <= 2:
        return core
    size = rng.randint(2, min(4, len(core)))
    start = rng.randint(0, len(core) - size)
    return core[start:start + size]


def _search(p: Pools, rng: random.Random) -> dict[str, Any]:
    _, name = rng.choice(p.orgs())
    return {"q": name_fragment(name, rng), "limit": 20}


def _search_filtered(p: Pools, rng: random.Random) -> dict[str, Any]:
    _, name = rng.choice(p.orgs())
    args: dict[str, Any] = {"q": name_fragment(name, rng), "kind": "Enterprise", "limit": 20}
    if p.cities:
        args["region"] = rng.choice(p.cities)
    return args


def _hood(hops: int) -> Callable[[Pools, random.Random], dict[str, Any]]:
    def draw(p: Pools, rng: random.Random) -> dict[str, Any]:
        node_id, _ = rng.choice(p.orgs())
        return {"id": node_id, "hops": hops, "limit": 200}

    return draw


def _path_reachable(p: Pools, rng: random.Random) -> dict[str, Any]:
    a, b = rng.choice(p.path_pairs)
    return {"source": a, "target": b, "max_hops": 4}


def _path_random(p: Pools, rng: random.Random) -> dict[str, Any]:
    orgs = p.orgs()
    a, b = rng.choice(orgs)[0], rng.choice(orgs)[0]
    while b == a:
        b = rng.choice(orgs)[0]
    return {"source": a, "target": b, "max_hops": 4}


def _industry(p: Pools, rng: random.Random) -> dict[str, Any]:
    return {"industry": rng.choice(p.industries())}


def _maybe_industry(p: Pools, rng: random.Random) -> dict[str, Any]:
    return {} if rng.random() < 0.3 else {"industry": rng.choice(p.industries())}


def _flows(p: Pools, rng: random.Random) -> dict[str, Any]:
    lo = rng.randint(2018, 2023)
    return {"year_from": lo, "year_to": rng.randint(lo, 2025)}


def _nothing(p: Pools, rng: random.Random) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class QuerySpec:
    """One row of the query table."""

    name: str
    function: str
    draw: Callable[[Pools, random.Random], dict[str, Any]]
    description: str
    #: what the draw needs: "orgs", "pairs", "industries" (a row without it is not available)
    needs: tuple[str, ...] = ()
    #: at most this many draws per row (heavy aggregate queries get fewer)
    max_draws: int | None = None
    #: a walk (path, neighbourhood) measured without the in-memory projection, in the engine
    engine_walk: bool = False
    #: measured with every statement run afresh, nothing taken from ``queries/memo.py``
    afresh: bool = False

    def resolve(self) -> Callable[..., Any]:
        """The query function; ImportError/AttributeError when it has not landed."""
        module, attr = self.function.split(":")
        return getattr(importlib.import_module(module), attr)


QUERIES: tuple[QuerySpec, ...] = (
    QuerySpec("search", "queries.search:search", _search, "name fragment (2–4 characters), top 20", ("orgs",)),
    QuerySpec("search_filtered", "queries.search:search", _search_filtered,
              "name fragment, kind=Enterprise, one city and its districts", ("orgs",)),
    QuerySpec("neighbourhood_1hop", "queries.neighbourhood:neighbourhood", _hood(1),
              "1 hop around an organisation, cap 200 nodes", ("orgs",)),
    QuerySpec("neighbourhood_3hop", "queries.neighbourhood:neighbourhood", _hood(3),
              "3 hops around an organisation, capped at 200 nodes", ("orgs",)),
    QuerySpec("path_4hops", "queries.paths:collaboration_paths", _path_reachable,
              "shortest collaboration paths, max 4 hops, pairs 2–4 steps apart", ("pairs",)),
    QuerySpec("path_4hops_random", "queries.paths:collaboration_paths", _path_random,
              "shortest paths, max 4 hops, random pairs (mostly unreachable: the worst case)", ("orgs",)),
    QuerySpec("industry_chain", "queries.chains:industry_chain", _industry,
              "segments of an industry with local actors", ("industries",), max_draws=50),
    QuerySpec("chain_gaps", "queries.chains:chain_gaps", _industry, "补链/强链/延链 gaps of an industry",
              ("industries",), max_draws=50),
    QuerySpec("alliances", "queries.alliances:alliances", _maybe_industry, "alliances with members (by industry)",
              ("industries",), max_draws=50),
    QuerySpec("triads", "queries.alliances:triads", _maybe_industry, "university–institute–enterprise triads",
              ("industries",), max_draws=30),
    QuerySpec("achievement_flows", "queries.flows:achievement_flows", _flows,
              "developer → achievement → adopter flows, grouped", max_draws=20),
    QuerySpec("plan_progress", "queries.progress:plan_progress", _nothing,
              "every plan target next to its measured figure", max_draws=20),
)

#: the walks again, without the projection the API keeps (``queries/projection.py``): what a
#: one-shot process (the CLI) or a graph over the projection's edge bound gets
QUERIES += tuple(
    QuerySpec(f"{q.name}_engine", q.function, q.draw, q.description + "; walked in the engine, no projection",
              q.needs, q.max_draws, engine_walk=True)
    for q in QUERIES if q.function in ("queries.neighbourhood:neighbourhood", "queries.paths:collaboration_paths")
)
#: plan progress with every figure counted afresh: what the first call after a change costs
#: before the watcher has counted again, and what a one-shot process (the CLI) pays
QUERIES += (QuerySpec("plan_progress_afresh", "queries.progress:plan_progress", _nothing,
                      "every plan target, each figure counted afresh (no remembered statement)",
                      max_draws=20, afresh=True),)

#: candidate locations of the analytics (the query engineer's module names)
ANALYTICS: dict[str, tuple[str, ...]] = {
    "clusters": ("queries.analytics:clusters", "queries.clusters:clusters", "queries.network:clusters",
                 "queries.communities:clusters"),
    "brokers": ("queries.analytics:brokers", "queries.brokers:brokers", "queries.network:brokers",
                "queries.centrality:brokers"),
}


def resolve_any(candidates: tuple[str, ...]) -> tuple[str, Callable[..., Any]]:
    """The first candidate ``module:function`` that imports; ImportError naming them all otherwise."""
    errors = []
    for cand in candidates:
        module, attr = cand.split(":")
        try:
            return cand, getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith(module.split(".")[0]):
                raise
            errors.append(f"{module} missing")
        except AttributeError:
            errors.append(f"{cand} missing")
    raise ImportError("; ".join(errors))


def result_size(result: Any) -> int | None:
    """How much a result holds (items, nodes, paths, segments …), to show the work done per call."""
    for attr in ("items", "nodes", "paths", "segments", "gaps", "triads", "groups", "flows", "targets", "clusters",
                 "by_betweenness"):
        value = getattr(result, attr, None)
        if isinstance(value, list):
            return len(value)
    return None


def was_truncated(result: Any) -> bool:
    return bool(getattr(result, "truncated", False) or getattr(result, "total_capped", False))
