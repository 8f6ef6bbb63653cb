"""Sources: which files the graph's facts came from, and deleting one source's facts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api import problems
from api.deps import PageDep, ReadAccess, StoreDep, WriteKey
from api.graph_reads import delete_source, list_sources
from api.models import Paged, SourceDeletion, SourceInfo
from api.routes.ingest import JobsDep

router = APIRouter(prefix="/api/sources", tags=["sources"])

#: how long a delete waits for a running ingestion job before answering 409
WAIT_FOR_JOB = 5.0


@router.get("", response_model=Paged[SourceInfo], dependencies=[ReadAccess],
            summary="数据来源 Sources cited by the graph's facts", responses=problems.responses(401, 422, 503, 504))
def sources(store: StoreDep, page: PageDep) -> Paged[SourceInfo]:
    """Each source (the file part of a provenance entry such as ``organizations.csv#row=12``) with the number
    of nodes and edges citing it, ordered by name."""
    items = list_sources(store)
    return Paged[SourceInfo].of(items[page.offset:page.offset + page.limit], limit=page.limit,
                                offset=page.offset, total=len(items))


@router.delete("/{source:path}", response_model=SourceDeletion, dependencies=[WriteKey],
               summary="删除来源的事实 Delete the facts of one source",
               responses=problems.responses(401, 403, 409, 422, 503, 504))
def delete(
    store: StoreDep,
    jobs: JobsDep,
    source: Annotated[str, Path(min_length=1, max_length=500, description="a file name as it appears in `sources` "
                                "(every `<file>#…` entry matches), or one exact entry", examples=["企业名录-2025Q1.xlsx"])],
    dry_run: Annotated[bool, Query(description="count what would change, change nothing")] = False,
) -> SourceDeletion:
    """Remove ``source`` from the ``sources`` list of every node and edge; delete the nodes and edges that
    no other source supports (and the edges at a deleted node). Properties that the source set on a node
    that other sources keep stay as they are (provenance is kept per node and edge, not per property).
    Waits for a running ingestion job for a few seconds, then answers ``409``."""
    with jobs.exclusive(timeout=WAIT_FOR_JOB) as acquired:
        if not acquired:
            raise problems.Conflict("an ingestion job is running; delete the source when it has finished",
                                    headers={"Retry-After": "10"})
        return delete_source(store, source, dry_run=dry_run)
