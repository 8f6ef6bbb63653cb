"""Subgraphs of queries, for exports: the nodes and edges one query's answer contains.

Each entry takes the export endpoint's query parameters and returns
``(nodes, edges)`` as store values. Query results are capped by the queries
themselves, so a subgraph is small enough to hold while it is written out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from graph.errors import InputError
from graph.store import EdgeValue, GraphStore, NodeValue
from queries.models import Edge, Node


@dataclass
class SubgraphParams:
    """The export endpoint's query parameters (each query reads the ones it needs)."""

    id: str | None = None
    hops: int = 1
    types: list[str] | None = None
    source: str | None = None
    target: str | None = None
    max_hops: int = 4
    industry: str | None = None
    region: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    limit: int | None = None


Subgraph = tuple[list[NodeValue], list[EdgeValue]]


def node_value(node: Node) -> NodeValue:
    """A query result node back as a store value (for the exporters)."""
    return NodeValue(labels=tuple(node.labels),
                     properties={**node.properties, "id": node.id, "name": node.name, "sources": list(node.sources)})


def edge_value(edge: Edge) -> EdgeValue:
    return EdgeValue(type=edge.type, start=edge.start, end=edge.end,
                     properties={**edge.properties, "key": edge.key, "sources": list(edge.sources)})


def _require(name: str, value: Any) -> Any:
    if value in (None, ""):
        raise InputError(f"parameter {name!r} is required for this query")
    return value


def _neighbourhood(store: GraphStore, p: SubgraphParams) -> Subgraph:
    from queries.neighbourhood import neighbourhood

    result = neighbourhood(store, _require("id", p.id), hops=p.hops, rel_types=p.types, year_from=p.year_from,
                           year_to=p.year_to, limit=p.limit or 1000)
    return [node_value(n) for n in result.nodes], [edge_value(e) for e in result.edges]


def _paths(store: GraphStore, p: SubgraphParams) -> Subgraph:
    from queries.paths import collaboration_paths

    result = collaboration_paths(store, _require("source", p.source), _require("target", p.target),
                                 rel_types=p.types, max_hops=p.max_hops, year_from=p.year_from, year_to=p.year_to,
                                 limit=p.limit or 10)
    nodes: dict[str, NodeValue] = {}
    edges: dict[tuple[str, str, str, str], EdgeValue] = {}
    for path in result.paths:
        for n in path.nodes:
            nodes.setdefault(n.id, node_value(n))
        for hop in path.hops:
            start, end = (hop.from_, hop.to) if hop.direction == "forward" else (hop.to, hop.from_)
            props = {**hop.properties, "sources": list(hop.sources)}
            key = str(props.get("key") or "")
            edges.setdefault((hop.type, start, end, key), EdgeValue(type=hop.type, start=start, end=end,
                                                                    properties=props))
    return list(nodes.values()), list(edges.values())


SUBGRAPHS: dict[str, Callable[[GraphStore, SubgraphParams], Subgraph]] = {
    "neighbourhood": _neighbourhood,
    "paths": _paths,
}
