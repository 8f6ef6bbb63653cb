"""The result models of every query: one node shape and one edge shape, reused everywhere.

These are what the API exposes, so they are plain pydantic models with stable
field names. A node is ``{id, labels, name, properties, sources}``; an edge is
``{type, start, end, key, properties, sources}``, whichever engine answered.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.search_keys import DERIVED_PROPERTIES
from graph.store import EdgeValue, NodeValue

_NODE_OWN = ("id", "name", "sources", *DERIVED_PROPERTIES)
_EDGE_OWN = ("key", "sources")


class Node(BaseModel):
    """A node, in the one shape every query and endpoint returns."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(examples=["org:hit"])
    labels: list[str] = Field(examples=[["Organization", "University"]], description="sorted")
    name: str | None = Field(None, examples=["哈尔滨工业大学"])
    properties: dict[str, Any] = Field(default_factory=dict, description="every other property")
    sources: list[str] = Field(default_factory=list, description="where the facts came from")

    @classmethod
    def of(cls, value: NodeValue) -> "Node":
        props = value.properties
        return cls(
            id=str(props.get("id")),
            labels=sorted(value.labels),
            name=props.get("name"),
            properties={k: props[k] for k in sorted(props) if k not in _NODE_OWN},
            sources=list(props.get("sources") or []),
        )

    @property
    def kind(self) -> str:
        """The most specific label (University rather than Organization)."""
        specific = [x for x in self.labels if x != "Organization"]
        return specific[0] if specific else (self.labels[0] if self.labels else "")


class Edge(BaseModel):
    """A relationship, in the one shape every query and endpoint returns."""

    model_config = ConfigDict(frozen=True)

    type: str = Field(examples=["COLLABORATES_WITH"])
    start: str = Field(description="id of the start node (edges are directed as stored)")
    end: str
    key: str = Field("", description="tells parallel edges of one type apart")
    properties: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, value: EdgeValue) -> "Edge":
        return cls.from_parts(value.type, value.start or "", value.end or "", value.properties)

    @classmethod
    def from_parts(cls, type_: str, start: str, end: str, props: dict[str, Any] | None) -> "Edge":
        props = props or {}
        return cls(
            type=type_, start=start, end=end, key=str(props.get("key") or ""),
            properties={k: props[k] for k in sorted(props) if k not in _EDGE_OWN},
            sources=list(props.get("sources") or []),
        )

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.type, self.start, self.end, self.key)

    @property
    def year(self) -> int | None:
        year = self.properties.get("year")
        return year if year is not None else self.properties.get("since")


# --------------------------------------------------------------------------- search


class SearchHit(BaseModel):
    node: Node
    match: Literal["exact", "prefix", "substring"] = Field(description="how the name or an alias matched")


class SearchResult(BaseModel):
    """A page of named nodes whose name or an alias contains the query."""

    query: str
    items: list[SearchHit]
    total: int = Field(description="matches found (a lower bound when total_capped)")
    total_capped: bool = Field(False, description="more candidates than were examined; refine the query")
    limit: int
    offset: int


# --------------------------------------------------------------------------- neighbourhood


class ParallelEdges(BaseModel):
    """Edges of one type between the same two nodes (one per joint project, say), of which the
    answer lists only the first few."""

    type: str = Field(examples=["COLLABORATES_WITH"])
    start: str
    end: str
    total: int = Field(description="edges of this type from start to end")
    shown: int = Field(description="of them in `edges`: the latest by year, then by key")


class Neighbourhood(BaseModel):
    """The nodes within ``hops`` of a centre and the edges between them."""

    center: Node
    hops: int
    nodes: list[Node] = Field(description="the centre first, then by distance and id")
    edges: list[Edge]
    distance: dict[str, int] = Field(default_factory=dict, description="hops from the centre, by node id")
    truncated: bool = Field(False, description="the node cap was reached: more nodes exist")
    total: int | None = Field(None, description="nodes in the full neighbourhood when known")
    parallel: list[ParallelEdges] = Field(
        default_factory=list, description="pairs of nodes with more edges of one type than `max_parallel`: "
                                          "how many there are, and how many `edges` lists")


# --------------------------------------------------------------------------- paths


class Hop(BaseModel):
    """One step of a path, in walking order, and why the two nodes are linked."""

    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    type: str
    direction: Literal["forward", "backward"] = Field(
        description="forward: the edge points from→to as stored; backward: it points to→from")
    year: int | None = None
    sources: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)

    model_config = ConfigDict(populate_by_name=True)


class Path(BaseModel):
    length: int
    nodes: list[Node]
    hops: list[Hop]


class CollaborationPaths(BaseModel):
    """The shortest paths between two organisations over the chosen relationship types."""

    source: Node
    target: Node
    rel_types: list[str]
    max_hops: int
    paths: list[Path]
    truncated: bool = Field(False, description="more shortest paths exist, or the search hit its work limit")
    reason: str | None = Field(None, description="why no path or why truncated")


# --------------------------------------------------------------------------- industry chains


class NodeCount(BaseModel):
    count: int
    top: list[Node] = Field(default_factory=list, description="a few, by id")


class ChainSegment(BaseModel):
    segment: Node
    stage: int = Field(description="position along the chain, 0 = most upstream")
    upstream: list[str] = Field(description="ids of the segments directly upstream")
    downstream: list[str]
    enterprises: NodeCount = Field(description="local enterprises in the segment")
    organisations: NodeCount = Field(description="other local organisations (universities, institutes …)")
    platforms: NodeCount
    bases: NodeCount
    achievements: NodeCount = Field(description="achievements in the field, any developer")
    local_achievements: int = Field(description="achievements in the field developed by a local organisation")
    local_adopters: int = Field(description="local enterprises that adopted an achievement of the field")


class IndustryChain(BaseModel):
    industry: Node
    region: str = Field(description="the region that counts as local (with its sub-regions)")
    segments: list[ChainSegment]
    truncated: bool = False


class ChainGap(BaseModel):
    segment: Node
    kind: Literal["补链", "强链", "延链"]
    reason: str
    enterprises: int
    local_achievements: int
    local_adopters: int


class ChainGaps(BaseModel):
    industry: Node
    region: str
    gaps: list[ChainGap]


# --------------------------------------------------------------------------- alliances and triads


class AllianceSummary(BaseModel):
    alliance: Node
    member_count: int
    members_by_kind: dict[str, list[Node]] = Field(description="University, Institute, Enterprise, Other")
    leads: list[str] = Field(description="ids of members with role lead")


class Alliances(BaseModel):
    items: list[AllianceSummary]
    total: int
    limit: int
    offset: int


class Bond(BaseModel):
    between: tuple[str, str]
    via: Literal["MEMBER_OF", "COLLABORATES_WITH", "TRANSFERRED_TO"]
    detail: str | None = Field(None, description="the alliance id, the project, or the achievement id")


class Triad(BaseModel):
    university: Node
    institute: Node
    enterprise: Node
    bonds: list[Bond]


class Triads(BaseModel):
    items: list[Triad]
    truncated: bool = False
    limit: int


# --------------------------------------------------------------------------- flows


class FlowGroup(BaseModel):
    developer_kind: str | None = None
    industry: str | None = None
    industry_name: str | None = None
    developer_region: str | None = None
    adopter_region: str | None = None
    year: int | None = None
    flows: int = Field(description="developer → achievement → adopting enterprise triples")
    achievements: int
    amount_cny: float = 0.0
    in_province: int = Field(description="flows whose developer and adopter are both in the province")
    in_province_share: float | None


class AchievementFlows(BaseModel):
    province: str
    group_by: list[str]
    groups: list[FlowGroup]
    total_flows: int
    in_province_flows: int
    in_province_share: float | None
    truncated: bool = False


# --------------------------------------------------------------------------- plan progress


class TargetProgress(BaseModel):
    target: Node
    metric: str | None
    value: float | None = Field(description="the target figure")
    unit: str | None
    deadline: int | None
    set_by: list[str] = Field(default_factory=list, description="ids of the Task/Policy that set it")
    measurement: str | None = Field(None, description="the registered measurement used, by name")
    method: str | None = Field(None, description="what was counted, in words")
    period: tuple[int, int] | None = None
    measured: float | None = Field(None, description="null when nothing in the graph measures this metric")
    ratio: float | None = None
    reason: str | None = Field(None, description="why nothing was measured")


class PlanProgress(BaseModel):
    targets: list[TargetProgress]
    measured: int
    unmeasured: int
    computed_at: str | None = Field(None, description="when the oldest measured figure was counted (UTC, ISO 8601); "
                                    "figures are counted again after every change to the graph")


# --------------------------------------------------------------------------- analytics


class Cluster(BaseModel):
    rank: int
    size: int
    top_members: list[Node]
    industries: list[tuple[str, int]] = Field(description="dominant industries: (industry name, members)")
    regions: list[tuple[str, int]] = Field(description="dominant regions: (region id, members)")
    kinds: dict[str, int]


class Clusters(BaseModel):
    algorithm: str = "louvain"
    seed: int
    resolution: float
    modularity: float
    nodes: int
    edges: int
    clusters: list[Cluster]
    method: str = Field("igraph.community_multilevel",
                        description="the Louvain implementation that computed the partition")
    fingerprint: str = Field(description="the graph state the result was computed on")
    cached: bool = False


class Broker(BaseModel):
    node: Node
    betweenness: float
    pagerank: float
    degree: int


class Brokers(BaseModel):
    seed: int
    nodes: int
    edges: int
    by_betweenness: list[Broker]
    by_pagerank: list[Broker]
    betweenness_sampled: bool = Field(description="betweenness estimated from k sampled sources")
    betweenness_k: int | None = None
    method: str = Field("igraph.betweenness", description="the implementation that computed betweenness "
                        "(networkx's definition and sampling either way)")
    fingerprint: str
    cached: bool = False
