"""``achievement_flows``: from developers to adopting enterprises, and the share kept in the province."""

from __future__ import annotations

from typing import Any

from graph.store import GraphStore
from queries import cypher, params
from queries.chains import PROVINCE
from queries.models import AchievementFlows, FlowGroup
from queries.search import region_scope

GROUP_KEYS = ("developer_kind", "industry", "developer_region", "adopter_region", "year")
DEFAULT_GROUP_BY = ("developer_kind", "industry", "adopter_region", "year")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def achievement_flows(store: GraphStore, *, group_by: Any = None, year_from: Any = None, year_to: Any = None,
                      province: Any = PROVINCE, limit: Any = 1000) -> AchievementFlows:
    """Flows developer → achievement → adopting enterprise, grouped by ``group_by``
    (any of developer_kind, industry, developer_region, adopter_region, year), with
    the share converted inside ``province`` (就地转化: developer and adopter both there).
    """
    keys = params.choices("group_by", group_by, GROUP_KEYS, default=DEFAULT_GROUP_BY)
    lo, hi = params.year_range(year_from, year_to)
    province_id = params.text("province", province, required=False) or PROVINCE
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=1000)
    regions = region_scope(store, province_id, param="province")
    rows = cypher.run(store, "achievement_flows", {
        "group_by": keys, "year_from": lo, "year_to": hi, "province_regions": regions, "limit": limit_ + 1,
    })
    truncated = len(rows) > limit_
    rows = rows[:limit_]
    names = {}
    industry_ids = sorted({r["industry"] for r in rows if r["industry"]})
    if industry_ids:
        names = {r["id"]: r["name"] for r in cypher.run(store, "industry_names", {"ids": industry_ids})}
    groups = [FlowGroup(
        developer_kind=r["developer_kind"], industry=r["industry"], industry_name=names.get(r["industry"]),
        developer_region=r["developer_region"], adopter_region=r["adopter_region"], year=r["year"],
        flows=r["flows"], achievements=r["achievements"], amount_cny=float(r["amount_cny"] or 0.0),
        in_province=r["in_province"], in_province_share=_share(r["in_province"], r["flows"]),
    ) for r in rows]
    groups.sort(key=lambda g: tuple("" if getattr(g, k) is None else str(getattr(g, k)) for k in GROUP_KEYS))
    total = sum(g.flows for g in groups)
    local = sum(g.in_province for g in groups)
    return AchievementFlows(province=province_id, group_by=keys, groups=groups, total_flows=total,
                            in_province_flows=local, in_province_share=_share(local, total), truncated=truncated)
