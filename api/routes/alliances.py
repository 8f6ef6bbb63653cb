"""产学研 alliances with their members, and university–institute–enterprise triads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import problems
from api.deps import PageDep, ReadAccess, StoreDep
from api.models import Paged
from queries.alliances import alliances as run_alliances
from queries.alliances import triads as run_triads
from queries.models import AllianceSummary, Triad
from queries.params import MAX_LIMIT

router = APIRouter(prefix="/api", tags=["alliances"], dependencies=[ReadAccess],
                   responses=problems.responses(401, 404, 422, 503, 504))

Industry = Annotated[str | None, Query(min_length=1, max_length=200, description="an Industry id (its "
                                       "sub-industries count too)", examples=["ind:graphite"])]
Region = Annotated[str | None, Query(min_length=1, max_length=200, description="a Region id (its sub-regions "
                                     "count too)", examples=["region:harbin"])]


@router.get("/alliances", response_model=Paged[AllianceSummary], summary="产学研联盟 Alliances and their members")
def alliances(store: StoreDep, page: PageDep, industry: Industry = None, region: Region = None,
              members: Annotated[int, Query(ge=0, le=MAX_LIMIT, description="members listed per alliance")] = 50,
              ) -> Paged[AllianceSummary]:
    """Alliances with their members grouped by kind (University, Institute, Enterprise, Other) and their
    leads; filtered to alliances with a member in ``industry`` / ``region``."""
    result = problems.unknown_id_is_404(lambda: run_alliances(
        store, industry=industry, region=region, members=members, limit=page.limit, offset=page.offset))
    return Paged[AllianceSummary].of(result.items, limit=page.limit, offset=page.offset, total=result.total)


@router.get("/triads", response_model=Paged[Triad], summary="校所企三元组 University–institute–enterprise triads")
def triads(store: StoreDep, industry: Industry = None, region: Region = None,
           limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50) -> Paged[Triad]:
    """Triads whose three pairs are each bound by a shared alliance, a collaboration or a transfer; each
    bond says how. ``truncated`` when more triads exist than ``limit``."""
    result = problems.unknown_id_is_404(lambda: run_triads(store, industry=industry, region=region, limit=limit))
    return Paged[Triad].of(result.items, limit=limit, offset=0, more=result.truncated)
