"""``industry_chain`` and ``chain_gaps``: an industry's segments, who is local at each, and the gaps."""

from __future__ import annotations

from typing import Any

from graph.errors import InputError
from graph.store import GraphStore
from queries import cypher, params
from queries.models import ChainGap, ChainGaps, ChainSegment, IndustryChain, Node, NodeCount
from queries.search import region_scope

PROVINCE = "region:hlj"
MAX_SEGMENTS = 500


def _stages(ids: list[str], upstream: dict[str, list[str]]) -> dict[str, int]:
    """Position along the chain: the longest UPSTREAM_OF walk reaching each segment (cycles cut)."""
    inside = set(ids)
    stage: dict[str, int] = {}

    def depth(x: str, seen: frozenset[str]) -> int:
        if x in stage:
            return stage[x]
        ups = [u for u in upstream.get(x, []) if u in inside and u not in seen]
        value = 1 + max((depth(u, seen | {x}) for u in ups), default=-1)
        stage[x] = value
        return value

    for x in sorted(ids):
        depth(x, frozenset())
    return stage


def industry_chain(store: GraphStore, industry: Any, *, region: Any = PROVINCE, top: Any = 10) -> IndustryChain:
    """The segments of ``industry`` along its chain, with the local organisations,
    platforms, bases and achievements at each (local = in ``region`` or below it).

    ``top`` caps the nodes listed per role and segment (counts are always full).
    """
    industry_id = params.text("industry", industry)
    region_id = params.text("region", region, required=False) or PROVINCE
    top_ = params.integer("top", top, lo=0, hi=100, default=10)
    regions = region_scope(store, region_id)
    seg_rows = cypher.run(store, "chain_segments", {"industry": industry_id, "limit": MAX_SEGMENTS + 1})
    if not seg_rows:
        root = cypher.lookup(store, industry_id)
        if root is None or "Industry" not in root[1].labels:
            raise InputError(f"parameter 'industry': no Industry with id {industry_id!r}")
    root_node = Node.of(cypher.lookup(store, industry_id)[1])  # type: ignore[index]
    truncated = len(seg_rows) > MAX_SEGMENTS
    seg_rows = seg_rows[:MAX_SEGMENTS]
    ids = [r["seg"].id for r in seg_rows]
    upstream = {r["seg"].id: sorted(r["upstream"]) for r in seg_rows}
    stages = _stages(ids, upstream)
    actors: dict[tuple[str, str], NodeCount] = {}
    for row in cypher.run(store, "chain_actors", {"segments": ids, "regions": regions, "top": top_}):
        actors[(row["sid"], row["role"])] = NodeCount(count=row["count"], top=[Node.of(x) for x in row["top"]])
    achievements: dict[str, dict[str, Any]] = {}
    for row in cypher.run(store, "chain_achievements", {"segments": ids, "regions": regions, "top": top_}):
        adopters = {x for lst in row["adopter_lists"] for x in lst if x}
        achievements[row["sid"]] = {"count": NodeCount(count=row["count"], top=[Node.of(x) for x in row["top"]]),
                                    "local": row["local_achievements"], "adopters": len(adopters)}
    empty = NodeCount(count=0)
    segments = []
    for row in seg_rows:
        sid = row["seg"].id
        ach = achievements.get(sid, {"count": empty, "local": 0, "adopters": 0})
        segments.append(ChainSegment(
            segment=Node.of(row["seg"]), stage=stages.get(sid, 0),
            upstream=upstream[sid], downstream=sorted(row["downstream"]),
            enterprises=actors.get((sid, "enterprises"), empty),
            organisations=actors.get((sid, "organisations"), empty),
            platforms=actors.get((sid, "platforms"), empty),
            bases=actors.get((sid, "bases"), empty),
            achievements=ach["count"], local_achievements=ach["local"], local_adopters=ach["adopters"],
        ))
    segments.sort(key=lambda s: (s.stage, s.segment.id))
    return IndustryChain(industry=root_node, region=region_id, segments=segments, truncated=truncated)


def chain_gaps(store: GraphStore, industry: Any, *, region: Any = PROVINCE) -> ChainGaps:
    """The segments of ``industry``'s chain that need work in ``region``:

    - 补链 (fill the chain): no local enterprise in the segment;
    - 强链 (strengthen): exactly one local enterprise — the chain hangs on it;
    - 延链 (extend): local achievements in the field but no local enterprise adopted one.
    """
    chain = industry_chain(store, industry, region=region, top=0)
    gaps: list[ChainGap] = []
    for seg in chain.segments:
        n = seg.enterprises.count
        base = dict(segment=seg.segment, enterprises=n, local_achievements=seg.local_achievements,
                    local_adopters=seg.local_adopters)
        if n == 0:
            gaps.append(ChainGap(kind="补链", reason="no local enterprise in this segment", **base))
        elif n == 1:
            gaps.append(ChainGap(kind="强链", reason="a single local enterprise carries this segment", **base))
        if seg.local_achievements > 0 and seg.local_adopters == 0:
            gaps.append(ChainGap(kind="延链", reason=f"{seg.local_achievements} local achievements, no local adopter",
                                 **base))
    return ChainGaps(industry=chain.industry, region=chain.region, gaps=gaps)
