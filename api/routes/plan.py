"""Plan progress: each target of the policy layer next to the figure measured in the graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import problems
from api.deps import ReadAccess, StoreDep
from api.fastjson import json_response
from queries.models import PlanProgress
from queries.params import MAX_LIMIT
from queries.progress import plan_progress

router = APIRouter(prefix="/api/plan", tags=["plan"], dependencies=[ReadAccess],
                   responses=problems.responses(401, 404, 422, 503, 504))


@router.get("/progress", response_model=PlanProgress, summary="规划进度 Plan targets and the measured figures")
def progress(
    store: StoreDep,
    policy: Annotated[str | None, Query(min_length=1, max_length=200, description="a Policy id (default: every "
                                        "target in the graph)")] = None,
    period_start: Annotated[int | None, Query(ge=1949, le=2100, description="count from this year (default: "
                                              "the policy's period start)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 200,
) -> Response:
    """Every target with its metric, value, unit and deadline, the measurement used and what it counts, the
    figure measured and the ratio; a target nothing measures has ``measured: null`` and a ``reason``."""
    return json_response(problems.unknown_id_is_404(lambda: plan_progress(store, policy=policy,
                                                                          period_start=period_start, limit=limit)))
