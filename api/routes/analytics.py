"""Analytics over the collaboration network: clusters (Louvain communities) and brokers (centrality)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import problems
from api.deps import ReadAccess, StoreDep
from queries.analytics import brokers as run_brokers
from queries.analytics import clusters as run_clusters
from queries.models import Brokers, Clusters
from queries.params import MAX_LIMIT

router = APIRouter(prefix="/api", tags=["analytics"], dependencies=[ReadAccess],
                   responses=problems.responses(401, 422, 503, 504))

Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="random seed: the same seed, the same answer")]


@router.get("/clusters", response_model=Clusters, summary="产业集群 Communities of the collaboration network")
def clusters(
    store: StoreDep,
    seed: Seed = 42,
    resolution: Annotated[float, Query(ge=0.01, le=100, description="Louvain resolution: higher, smaller "
                                                                    "clusters")] = 1.0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="largest clusters returned")] = 20,
    members: Annotated[int, Query(ge=1, le=100, description="top members listed per cluster")] = 10,
    min_size: Annotated[int, Query(ge=1, le=1_000_000, description="smallest cluster listed")] = 2,
) -> Clusters:
    """Louvain communities of organisations joined by collaboration, shared alliances and transfers; each with
    its size, top members, dominant industries, regions and kinds. Cached until the graph changes."""
    return run_clusters(store, seed=seed, resolution=resolution, limit=limit, members=members, min_size=min_size)


@router.get("/brokers", response_model=Brokers, summary="关键节点 Brokers by betweenness and PageRank")
def brokers(
    store: StoreDep,
    seed: Seed = 42,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="top organisations per measure")] = 10,
    include_alliances: Annotated[bool, Query(description="rank alliance nodes too")] = False,
) -> Brokers:
    """The organisations that bridge the network. Betweenness is exact on small networks and sampled on large
    ones (``betweenness_sampled``, ``betweenness_k`` say so). Cached until the graph changes."""
    return run_brokers(store, seed=seed, limit=limit, include_alliances=include_alliances)
