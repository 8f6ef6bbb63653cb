"""Network views of query results, shared by the pages and ``innograph viz``."""

from __future__ import annotations

from typing import Any, Sequence

from api.viz import DEFAULT_MAX_NODES, View, build_view
from graph.schema import RelType
from queries.models import CollaborationPaths, Neighbourhood

ENTITY_LINK = "/entity/{id}"
#: edges of one type drawn between two nodes; the tooltip says how many there are
VIEW_PARALLEL = 3


def _marked(hood: Neighbourhood) -> list[dict[str, Any]]:
    """The answer's edges to draw; those of a pair with more than are drawn say how many there are."""
    totals = {(p.type, p.start, p.end): p for p in hood.parallel}
    out = []
    for e in hood.edges:
        props = dict(e.properties)
        group = totals.get((e.type, e.start, e.end))
        if group is not None:
            props["parallel"] = f"共 {group.total} 条，图中画出最近的 {group.shown} 条 ({group.total} in all, latest {group.shown} drawn)"
        out.append({"type": e.type, "start": e.start, "end": e.end, "properties": props})
    return out


def neighbourhood_view(store: Any, node_id: str, *, hops: int = 1, types: Sequence[RelType] = (),
                       max_nodes: int = DEFAULT_MAX_NODES, size_by: str = "degree",
                       link: bool = True) -> tuple[Neighbourhood, View]:
    """The nodes within ``hops`` of ``node_id`` (over ``types``, all when empty) as a view centred on it."""
    from queries.neighbourhood import neighbourhood

    hood = neighbourhood(store, node_id, hops=hops, rel_types=[t.value for t in types] or None, limit=max_nodes,
                         max_parallel=VIEW_PARALLEL)
    view = build_view(hood.nodes, _marked(hood), focus=[hood.center.id], max_nodes=max_nodes,
                      size_by=size_by, link_pattern=ENTITY_LINK if link else None,  # type: ignore[arg-type]
                      total_nodes=hood.total, total_exact=not hood.truncated,
                      title=hood.center.name or hood.center.id,
                      hidden_edges=sum(p.total - p.shown for p in hood.parallel))
    return hood, view


def paths_view(store: Any, source_id: str, target_id: str, *, hops: int = 4, types: Sequence[RelType] = (),
               limit: int = 10, link: bool = True) -> tuple[CollaborationPaths, View | None]:
    """The shortest paths between two organisations, and their union as a view (None when there is no path)."""
    from queries.paths import collaboration_paths

    result = collaboration_paths(store, source_id, target_id, rel_types=[t.value for t in types] or None,
                                 max_hops=hops, limit=limit)
    if not result.paths:
        return result, None
    nodes = {n.id: n for p in result.paths for n in p.nodes}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for p in result.paths:
        for hop in p.hops:
            start, end = (hop.from_, hop.to) if hop.direction == "forward" else (hop.to, hop.from_)
            edges[(hop.type, start, end)] = {"type": hop.type, "start": start, "end": end,
                                             "properties": {**hop.properties, "year": hop.year}}
    view = build_view(nodes.values(), edges.values(), focus=[source_id, target_id],
                      link_pattern=ENTITY_LINK if link else None,
                      title=f"{result.source.name} → {result.target.name}")
    return result, view


GAP_ZH = {"补链": "补链 fill", "强链": "强链 strengthen", "延链": "延链 extend"}
GAP_REASON_ZH = {
    "补链": "本地没有企业布局该环节",
    "强链": "仅有一家本地企业支撑该环节",
    "延链": "本地有相关成果，但尚无本地企业承接转化",
}


def chain_data(store: Any, industry: str, *, region: str | None = None, top: int = 8) -> tuple[Any, dict[str, list[Any]]]:
    """The chain of ``industry`` and its gaps by segment id."""
    from queries.chains import PROVINCE, chain_gaps, industry_chain

    chain = industry_chain(store, industry, region=region or PROVINCE, top=top)
    gaps: dict[str, list[Any]] = {}
    for gap in chain_gaps(store, industry, region=region or PROVINCE).gaps:
        gaps.setdefault(gap.segment.id, []).append(gap)
    return chain, gaps


def chain_view(store: Any, industry: str, *, region: str | None = None, link: bool = True,
               chain: Any = None, gaps: dict[str, list[Any]] | None = None) -> tuple[View, str, str]:
    """The chain as a network: segments (upstream → downstream) and the local organisations at each."""
    if chain is None or gaps is None:
        chain, gaps = chain_data(store, industry, region=region)
    nodes: dict[str, Any] = {}
    edges: list[dict[str, Any]] = []
    for seg in chain.segments:
        marks = "".join(f" [{g.kind}]" for g in gaps.get(seg.segment.id, []))
        nodes[seg.segment.id] = {"id": seg.segment.id, "name": (seg.segment.name or seg.segment.id) + marks,
                                 "labels": seg.segment.labels, "properties": seg.segment.properties}
        for down in seg.downstream:
            edges.append({"type": RelType.UPSTREAM_OF.value, "start": seg.segment.id, "end": down})
        for count in (seg.enterprises, seg.organisations, seg.platforms, seg.bases):
            for member in count.top:
                nodes.setdefault(member.id, member)
                edges.append({"type": RelType.IN_INDUSTRY.value, "start": member.id, "end": seg.segment.id})
    view = build_view(nodes.values(), edges, focus=[s.segment.id for s in chain.segments],
                      link_pattern=ENTITY_LINK if link else None, max_nodes=DEFAULT_MAX_NODES)
    title = f"{chain.industry.name} 产业链"
    subtitle = f"上游 → 下游 upstream → downstream · 本地 local = {chain.region} · 缺口 gaps: " + (
        "、".join(f"{g.segment.name}（{g.kind}）" for lst in gaps.values() for g in lst) or "无 none")
    return view, title, subtitle


def alliances_data(store: Any, *, industry: str | None = None, region: str | None = None,
                   limit: int = 50) -> tuple[Any, Any]:
    """Alliances with members by kind, and university–institute–enterprise triads, under the same filters."""
    from queries.alliances import alliances, triads

    return (alliances(store, industry=industry, region=region, limit=limit, members=50),
            triads(store, industry=industry, region=region, limit=limit))


def alliances_view(store: Any, *, industry: str | None = None, region: str | None = None,
                   max_nodes: int = DEFAULT_MAX_NODES, link: bool = True, data: Any = None) -> tuple[View, str, str]:
    """Alliances and their members (MEMBER_OF) as a network."""
    result, _ = data if data is not None else alliances_data(store, industry=industry, region=region)
    nodes: dict[str, Any] = {}
    edges: list[dict[str, Any]] = []
    for item in result.items:
        nodes[item.alliance.id] = item.alliance
        for members in item.members_by_kind.values():
            for m in members:
                nodes.setdefault(m.id, m)
                edges.append({"type": RelType.MEMBER_OF.value, "start": m.id, "end": item.alliance.id,
                              "properties": {"role": "lead" if m.id in item.leads else "member"}})
    view = build_view(nodes.values(), edges, focus=[i.alliance.id for i in result.items], max_nodes=max_nodes,
                      link_pattern=ENTITY_LINK if link else None)
    filters = " · ".join(x for x in (f"产业 {industry}" if industry else "", f"地区 {region}" if region else "") if x)
    return view, "产学研联盟 Alliances", filters or "全部 all"


def clusters_data(store: Any, *, limit: int = 12, members: int = 10, resolution: float = 1.0) -> Any:
    """Louvain communities of the collaboration network (the query layer caches them per graph state)."""
    from queries.analytics import clusters

    return clusters(store, limit=limit, members=members, resolution=resolution)


def clusters_view(store: Any, *, max_nodes: int = DEFAULT_MAX_NODES, link: bool = True, result: Any = None,
                  limit: int = 12, members: int = 10) -> tuple[View, str, str]:
    """The top members of each community, coloured by community, with the links among them."""
    from queries.analytics import collaboration_network

    result = result if result is not None else clusters_data(store, limit=limit, members=members)
    nodes: dict[str, dict[str, Any]] = {}
    for cluster in result.clusters:
        for m in cluster.top_members:
            nodes.setdefault(m.id, {"id": m.id, "name": m.name or m.id, "labels": m.labels,
                                    "properties": m.properties, "group": str(cluster.rank)})
    graph = collaboration_network(store).graph
    edges = [{"type": "关联", "start": a, "end": b, "properties": {"weight": d.get("weight")}}
             for a, b, d in graph.subgraph(nodes).edges(data=True)] if nodes else []
    view = build_view(nodes.values(), edges, max_nodes=max_nodes, link_pattern=ENTITY_LINK if link else None,
                      total_nodes=result.nodes)
    subtitle = (f"{len(result.clusters)} 个群落 communities · 模块度 modularity {result.modularity:.3f} · "
                f"网络 {result.nodes} 个节点 nodes, {result.edges} 条边 edges")
    return view, "创新群落 Collaboration clusters", subtitle
