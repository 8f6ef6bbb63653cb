"""Achievement flows: developer → achievement → adopting enterprise, grouped, with the share kept in the province."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api import problems
from api.deps import ReadAccess, StoreDep
from queries.chains import PROVINCE
from queries.flows import GROUP_KEYS, achievement_flows
from queries.models import AchievementFlows
from queries.params import MAX_LIMIT

router = APIRouter(prefix="/api", tags=["flows"], dependencies=[ReadAccess],
                   responses=problems.responses(401, 404, 422, 503, 504))

GroupKey = Literal[GROUP_KEYS]  # type: ignore[valid-type]


@router.get("/flows", response_model=AchievementFlows, summary="成果转化流向 Achievement-to-industry flows")
def flows(
    store: StoreDep,
    group_by: Annotated[list[GroupKey] | None, Query(description="group by these keys (repeat the parameter)")]
    = None,
    year_from: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    province: Annotated[str, Query(min_length=1, max_length=200, description="the Region counted as 就地 (local)")]
    = PROVINCE,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="at most this many groups")] = 1000,
) -> AchievementFlows:
    """Flows grouped by developer kind, industry, regions or year, each with the number of flows, achievements,
    amounts, and the share whose developer and adopter are both in ``province`` (就地转化)."""
    return problems.unknown_id_is_404(lambda: achievement_flows(
        store, group_by=list(group_by) if group_by else None, year_from=year_from, year_to=year_to,
        province=province, limit=limit))
