"""Industry chains: the segments of an industry with the local actors at each, and the chain's gaps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api import problems
from api.deps import ReadAccess, StoreDep
from queries.chains import PROVINCE, chain_gaps, industry_chain
from queries.models import ChainGaps, IndustryChain

router = APIRouter(prefix="/api/industries", tags=["industry"], dependencies=[ReadAccess],
                   responses=problems.responses(401, 404, 422, 503, 504))

IndustryId = Annotated[str, Path(min_length=1, max_length=200, description="an Industry id",
                                 examples=["ind:graphite"])]
Region = Annotated[str, Query(min_length=1, max_length=200, description="the Region that counts as local "
                                                                        "(its sub-regions too)")]


@router.get("/{industry_id}/chain", response_model=IndustryChain, summary="产业链 An industry's chain")
def chain(store: StoreDep, industry_id: IndustryId, region: Region = PROVINCE,
          top: Annotated[int, Query(ge=0, le=100, description="nodes listed per role and segment "
                                                              "(counts are always full)")] = 10) -> IndustryChain:
    """The segments of the industry from upstream to downstream, with the local enterprises, other
    organisations, platforms, bases and achievements at each."""
    return problems.unknown_id_is_404(lambda: industry_chain(store, industry_id, region=region, top=top))


@router.get("/{industry_id}/gaps", response_model=ChainGaps, summary="补链 强链 延链 The gaps of an industry's chain")
def gaps(store: StoreDep, industry_id: IndustryId, region: Region = PROVINCE) -> ChainGaps:
    """补链: a segment with no local enterprise; 强链: only one; 延链: local achievements but no local adopter."""
    return problems.unknown_id_is_404(lambda: chain_gaps(store, industry_id, region=region))
