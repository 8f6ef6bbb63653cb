"""Networks: the neighbourhood of an entity, and collaboration paths between two organisations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api import problems
from api.deps import ReadAccess, StoreDep
from api.fastjson import json_response
from graph.schema import RelType
from queries.models import CollaborationPaths, Neighbourhood
from queries.neighbourhood import DEFAULT_PARALLEL, MAX_NEIGHBOURHOOD_HOPS, neighbourhood as run_neighbourhood
from queries.params import MAX_HOPS, MAX_LIMIT
from queries.paths import DEFAULT_PATH_TYPES, collaboration_paths

router = APIRouter(prefix="/api", tags=["networks"], dependencies=[ReadAccess],
                   responses=problems.responses(401, 404, 422, 503, 504))

Year = Annotated[int | None, Query(ge=1949, le=2100, description="only edges dated in or after / before this "
                                                                 "year (undated edges stay)")]


@router.get("/entities/{entity_id:path}/neighbourhood", response_model=Neighbourhood,
            summary="邻域网络 The network within k hops of an entity")
def neighbourhood(
    store: StoreDep,
    entity_id: Annotated[str, Path(min_length=1, max_length=200, examples=["org:hit"])],
    hops: Annotated[int, Query(ge=1, le=MAX_NEIGHBOURHOOD_HOPS, description="hops from the centre")] = 1,
    type: Annotated[list[RelType] | None, Query(description="walk only these relationship types (default: all)")]
    = None,
    year_from: Year = None,
    year_to: Year = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="node cap (centre included); `truncated` says "
                                                                "when more exist")] = 200,
    max_parallel: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="edges listed per pair of nodes and type "
                                                                       "(the latest first); `parallel` counts the "
                                                                       "pairs that have more")] = DEFAULT_PARALLEL,
) -> Response:
    """The nodes within ``hops`` of the entity and the edges among them, nearer nodes first. When the node
    cap is reached, ``truncated`` is true and the nodes kept are the nearest (then by id). Two organisations
    with hundreds of joint projects share hundreds of edges: ``edges`` lists ``max_parallel`` of each type
    between two nodes, and ``parallel`` says how many each such pair has (the export endpoints give them all)."""
    return json_response(problems.unknown_id_is_404(lambda: run_neighbourhood(
        store, entity_id, hops=hops, rel_types=[t.value for t in type] if type else None,
        year_from=year_from, year_to=year_to, limit=limit, max_parallel=max_parallel)))


@router.get("/paths", response_model=CollaborationPaths, summary="合作路径 Collaboration paths between two entities")
def paths(
    store: StoreDep,
    source: Annotated[str, Query(min_length=1, max_length=200, description="id of the first organisation",
                                 examples=["org:hit"])],
    target: Annotated[str, Query(min_length=1, max_length=200, description="id of the second organisation",
                                 examples=["org:hec"])],
    type: Annotated[list[RelType] | None, Query(
        description="relationship types to walk, either direction (default: "
                    + ", ".join(t.value for t in DEFAULT_PATH_TYPES) + ")")] = None,
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 6,
    year_from: Year = None,
    year_to: Year = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="at most this many shortest paths")] = 10,
) -> Response:
    """The shortest paths from ``source`` to ``target``; each hop says its relationship type, which way the
    stored edge points, its year and its sources. No path → an empty list with the ``reason``."""
    return json_response(problems.unknown_id_is_404(lambda: collaboration_paths(
        store, source, target, rel_types=[t.value for t in type] if type else None, max_hops=max_hops,
        year_from=year_from, year_to=year_to, limit=limit)))
