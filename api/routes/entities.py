"""One entity: its facts with provenance, the count of each relationship type, its edges."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from api import problems
from api.deps import PageDep, ReadAccess, StoreDep
from api.fastjson import json_response
from api.graph_reads import entity_by_id, entity_edges
from api.models import EntityDetail, EntityEdge, Paged
from graph.lookups import node_by_id
from graph.schema import RelType
from graph.store import GraphStore, NodeValue

router = APIRouter(prefix="/api/entities", tags=["entities"], dependencies=[ReadAccess],
                   responses=problems.responses(401, 404, 422, 503, 504))

EntityId = Annotated[str, Path(min_length=1, max_length=200, description="the entity's id",
                               examples=["org:hit"])]


def find_node(store: GraphStore, entity_id: str) -> NodeValue:
    """The node with ``entity_id``, or 404."""
    node = node_by_id(store, entity_id)
    if node is None:
        raise problems.NotFound(f"no entity with id {entity_id!r}")
    return node


@router.get("/{entity_id:path}/edges", response_model=Paged[EntityEdge],
            summary="实体关系 The edges at an entity, with the node at the other end")
def edges(
    store: StoreDep,
    entity_id: EntityId,
    page: PageDep,
    type: Annotated[list[RelType] | None, Query(description="only these relationship types")] = None,
    direction: Annotated[Literal["out", "in", "both"], Query(description="outgoing, incoming or both")] = "both",
) -> Paged[EntityEdge]:
    """Outgoing edges first, then incoming, each ordered by type and neighbour id; ``total`` counts all."""
    node = find_node(store, entity_id)
    types = [t.value for t in type] if type else None
    items, total = entity_edges(store, node, types=types, direction=direction, limit=page.limit, offset=page.offset)
    return Paged[EntityEdge].of(items, limit=page.limit, offset=page.offset, total=total)


# Ids may hold '/', so the id is a path parameter; the detail route comes after the
# routes with a suffix (here and in api.routes.networks) so it does not swallow them.
@router.get("/{entity_id:path}", response_model=EntityDetail, summary="实体详情 One entity with its facts and provenance")
def entity(store: StoreDep, entity_id: EntityId) -> Response:
    """Every property of the entity, the sources its facts came from, when it last changed, and how many
    edges of each relationship type leave and reach it."""
    detail = entity_by_id(store, entity_id)
    if detail is None:
        raise problems.NotFound(f"no entity with id {entity_id!r}")
    return json_response(detail)
