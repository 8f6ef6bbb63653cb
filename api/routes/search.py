"""Search: named entities by a fragment of their name or an alias (Chinese or Latin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import problems
from api.deps import PageDep, ReadAccess, StoreDep
from api.fastjson import json_response
from api.models import Paged
from graph.schema import Label
from queries.models import SearchHit
from queries.search import search as run_search

router = APIRouter(prefix="/api", tags=["search"], dependencies=[ReadAccess],
                   responses=problems.responses(401, 422, 503, 504))

Kind = Label  # every label, checked again by the query (Organization covers all four kinds of actor)


class SearchPage(Paged[SearchHit]):
    """A page of search hits, best first: exact name or alias, then prefix, then substring."""

    query: str
    total_capped: bool = False


@router.get("/search", response_model=SearchPage, summary="搜索实体 Find entities by name or alias")
def search(
    store: StoreDep,
    page: PageDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="a fragment of a name or alias",
                            examples=["哈工大"])],
    kind: Annotated[Kind | None, Query(description="only this kind (label)")] = None,
    region: Annotated[str | None, Query(max_length=200, description="a Region id; its sub-regions count too",
                                        examples=["region:harbin"])] = None,
) -> Response:
    """Ranked exact > prefix > substring; ``total`` counts every match (a lower bound when ``total_capped``,
    meaning the fragment is too common: refine it)."""
    result = run_search(store, q, kind=kind.value if kind else None, region=region, limit=page.limit,
                        offset=page.offset)
    more = result.offset + len(result.items) < result.total or result.total_capped and len(result.items) == page.limit
    return json_response(SearchPage(items=result.items, limit=page.limit, offset=page.offset, total=result.total,
                                    truncated=more, next_offset=page.offset + len(result.items) if more else None,
                                    query=result.query, total_capped=result.total_capped))
