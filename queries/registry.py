"""Every query by name: what it answers and the parameters it takes (CLI, API and docs read this)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable

from graph.errors import InputError
from graph.store import GraphStore


@dataclass(frozen=True)
class Param:
    name: str
    required: bool
    default: Any


@dataclass(frozen=True)
class QuerySpec:
    name: str
    function: Callable[..., Any]
    #: the Cypher texts it runs (``queries/cypher/<name>.cypher``)
    texts: tuple[str, ...]

    @property
    def summary(self) -> str:
        doc = inspect.getdoc(self.function) or ""
        return doc.split("\n\n")[0].replace("\n", " ")

    @property
    def params(self) -> list[Param]:
        out = []
        for p in list(inspect.signature(self.function).parameters.values())[1:]:
            required = p.default is inspect.Parameter.empty
            out.append(Param(p.name, required, None if required else p.default))
        return out

    def run(self, store: GraphStore, values: dict[str, Any]) -> Any:
        """Call the query with ``values`` (strings are fine: each query checks and converts its own)."""
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError(f"query {self.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                             f"it takes: {', '.join(sorted(known))}")
        missing = [p.name for p in self.params if p.required and p.name not in values]
        if missing:
            raise InputError(f"query {self.name!r} needs parameter {', '.join(map(repr, missing))}")
        return self.function(store, **values)


def queries() -> dict[str, QuerySpec]:
    """Every query, by name (imported when asked, never at import time)."""
    from queries.alliances import alliances, triads
    from queries.analytics import brokers, clusters
    from queries.chains import chain_gaps, industry_chain
    from queries.flows import achievement_flows
    from queries.neighbourhood import neighbourhood
    from queries.paths import collaboration_paths
    from queries.progress import plan_progress
    from queries.search import search

    specs = [
        QuerySpec("search", search, ("search", "search_short", "region_scope")),
        QuerySpec("neighbourhood", neighbourhood, ("expand_select", "edges_among", "nodes_and_edges",
                                                     "nodes_and_edges_capped")),
        QuerySpec("collaboration_paths", collaboration_paths, (
            "frontier_size", "expand_refs", "expand_refs_in_years", "meet", "meet_in_years", "ids_by_ref",
            "edges_of_pairs", "nodes_by_ref", "nodes_and_edges")),
        QuerySpec("industry_chain", industry_chain, ("chain_segments", "chain_actors", "chain_achievements")),
        QuerySpec("chain_gaps", chain_gaps, ("chain_segments", "chain_actors", "chain_achievements")),
        QuerySpec("alliances", alliances, ("alliances", "industry_scope", "region_scope")),
        QuerySpec("triads", triads, ("triad_enterprise_bonds", "triad_partner_bonds", "nodes_by_id")),
        QuerySpec("achievement_flows", achievement_flows, ("achievement_flows", "industry_names")),
        QuerySpec("plan_progress", plan_progress, ("plan_targets", "measure_industrialized", "measure_enterprise_flag",
                                                   "measure_transfer_amount", "measure_carriers", "measure_incubated")),
        QuerySpec("clusters", clusters, ("network_fingerprint", "network_members", "network_links",
                                         "network_attributes", "network_nodes")),
        QuerySpec("brokers", brokers, ("network_fingerprint", "network_members", "network_links", "network_nodes")),
    ]
    return {s.name: s for s in specs}


def get(name: str) -> QuerySpec:
    """The query called ``name``; an unknown name is an :class:`InputError` listing the known ones."""
    specs = queries()
    if name not in specs:
        raise InputError(f"unknown query {name!r}; known: {', '.join(specs)}")
    return specs[name]
