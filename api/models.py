"""Response models of the JSON API (they appear in the OpenAPI document, with examples).

Nodes and edges have ONE shape across every endpoint, so a client renders any
subgraph the same way: the query layer's ``queries.models.Node`` and ``Edge``,
exposed here as ``ApiNode`` (id, labels, name, properties, sources) and
``ApiEdge`` (type, start, end, key, properties, sources).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from api.problems import Problem
from graph.schema import KEY_LABELS, LABEL_ZH, Label
from queries.models import Edge as ApiEdge
from queries.models import Node as ApiNode

__all__ = ["ApiNode", "ApiEdge", "Paged", "EntityDetail", "EntityEdge", "JobPublic", "SourceInfo", "SourceDeletion"]

T = TypeVar("T")

_NODE_EXAMPLE = {
    "id": "org:sample:u1", "labels": ["Organization", "University"], "name": "示例理工大学",
    "properties": {"aliases": ["示例理工"], "region": "region:harbin", "updated_at": "2026-01-01T00:00:00+00:00"},
    "sources": ["innograph:builtin-sample"],
}

def primary_label(labels: list[str] | tuple[str, ...]) -> str | None:
    """The most specific label of a node (University rather than Organization)."""
    specific = [x for x in labels if x not in (Label.ORGANIZATION.value,)]
    if specific:
        return specific[0]
    return labels[0] if labels else None


def key_label(labels: list[str] | tuple[str, ...]) -> Label | None:
    """The label under which a node's id is unique (and indexed)."""
    for lbl in KEY_LABELS:
        if lbl.value in labels:
            return lbl
    return None


def label_zh(name: str | None) -> str | None:
    try:
        return LABEL_ZH[Label(name)] if name else None
    except ValueError:
        return None


class Paged(BaseModel, Generic[T]):
    """A page of a longer list: ``total`` when known, and ``truncated`` when more exist than were counted."""

    items: list[T]
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])
    total: int | None = Field(None, description="number of items in the whole list, when known")
    truncated: bool = Field(False, description="true when more items exist beyond this page")
    next_offset: int | None = Field(None, description="offset of the next page, or null on the last one")

    @classmethod
    def of(cls, items: list[Any], *, limit: int, offset: int, total: int | None = None,
           more: bool | None = None) -> "Paged[Any]":
        if more is None:
            more = total is not None and offset + len(items) < total
        return cls(items=items, limit=limit, offset=offset, total=total, truncated=bool(more),
                   next_offset=offset + len(items) if more else None)


# --------------------------------------------------------------------------- ops


class Health(BaseModel):
    status: Literal["ok"] = Field(examples=["ok"])


class ProjectionStatus(BaseModel):
    """What this API process holds of the graph's adjacency in memory."""

    enabled: bool = Field(description="kept fresh: rebuilt in the background after each change")
    building: bool = Field(description="a build is under way (the engine walks answer meanwhile)")
    served: int = Field(description="path and neighbourhood queries answered from it so far")
    nodes: int | None = None
    edges: int | None = None
    built_seconds: float | None = None
    megabytes: float | None = None
    built_at: str | None = None
    error: str | None = Field(None, description="why there is none (too large, engine without versions, …)")


class RememberedStatus(BaseModel):
    """The aggregate statements (plan progress) this API process remembers per version of the graph."""

    statements: int = Field(description="statements remembered")
    hits: int = Field(description="calls answered from memory so far")
    runs: int = Field(description="times a statement was counted (first calls and after changes)")


class Ready(BaseModel):
    status: Literal["ready", "schema-missing", "unavailable"] = Field(examples=["ready"])
    engine: str = Field(examples=["falkordb"])
    version: str = Field(examples=["4.16.3"])
    schema_ready: bool
    detail: str | None = None
    worker: int | None = Field(None, description="process id of the API worker that answered (each worker keeps "
                               "its own projection)")
    projection: ProjectionStatus | None = Field(
        None, description="the in-memory copy of the adjacency that paths and neighbourhoods walk")
    remembered: RememberedStatus | None = Field(
        None, description="plan progress figures kept for the current version of the graph")


# --------------------------------------------------------------------------- entities


class RelationshipCount(BaseModel):
    """How many edges of one type leave (``out``) or reach (``in``) an entity."""

    type: str = Field(examples=["COLLABORATES_WITH"])
    type_zh: str | None = Field(None, examples=["合作"])
    direction: Literal["out", "in"]
    count: int = Field(examples=[12])


class EntityDetail(BaseModel):
    """One entity with its facts, their provenance, and the count of each relationship type."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "node": _NODE_EXAMPLE, "kind": "University", "kind_zh": "高等院校", "updated_at": "2026-01-01T00:00:00+00:00",
        "relationships": [{"type": "DEVELOPED", "type_zh": "研发", "direction": "out", "count": 1}], "degree": 1}]})

    node: ApiNode
    kind: str | None = Field(None, description="the most specific label")
    kind_zh: str | None = None
    updated_at: str | None = Field(None, description="when a fact of this entity last changed")
    relationships: list[RelationshipCount]
    degree: int = Field(description="number of edges at this entity, both directions")


class EntityEdge(BaseModel):
    """An edge at an entity, seen from that entity, with the node at its other end."""

    edge: ApiEdge
    direction: Literal["out", "in"]
    neighbour: ApiNode


# --------------------------------------------------------------------------- jobs


class JobProgress(BaseModel):
    done: int = Field(0, description="rows processed so far")
    total: int | None = Field(None, description="rows in the file, when known")
    fraction: float | None = Field(None, ge=0, le=1)


class JobPublic(BaseModel):
    """An ingestion job: poll it until ``status`` is ``succeeded`` or ``failed``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "5c0e3e1f8d4a4a47b1d0b2a3c4d5e6f7", "status": "succeeded", "kind": "ingest", "file": "企业名录.xlsx",
        "options": {"on_error": "skip", "batch_size": 5000, "kind": None}, "created_at": "2026-01-01T08:00:00+00:00",
        "started_at": "2026-01-01T08:00:00+00:00", "finished_at": "2026-01-01T08:00:03+00:00",
        "progress": {"done": 120, "total": 120, "fraction": 1.0}, "queue_position": None,
        "report": {"created": 118, "updated": 0, "unchanged": 0, "rejected": 2}, "error": None}]})

    id: str
    status: Literal["queued", "running", "succeeded", "failed", "interrupted"]
    kind: Literal["ingest", "policy"] = Field(description="structured file (ingest) or policy text (policy)")
    file: str = Field(description="the uploaded file's (sanitised) name: provenance only")
    options: dict[str, Any]
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: JobProgress = Field(default_factory=JobProgress)
    queue_position: int | None = Field(None, description="jobs ahead of this one (queued jobs only)")
    report: dict[str, Any] | None = Field(None, description="the same report the CLI prints: created / updated / "
                                                            "unchanged / rejected rows with reasons")
    error: Problem | None = None


# --------------------------------------------------------------------------- sources


class SourceInfo(BaseModel):
    """A source (a file, or the built-in sample) and how many facts cite it."""

    source: str = Field(examples=["organizations.csv"])
    nodes: int
    edges: int


class SourceDeletion(BaseModel):
    """What deleting a source's facts did (or would do, with ``dry_run``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "source": "organizations.csv", "dry_run": False, "nodes_deleted": 40, "nodes_updated": 3,
        "edges_deleted": 95, "edges_updated": 0}]})

    source: str
    dry_run: bool
    nodes_deleted: int = Field(description="nodes whose only source it was")
    nodes_updated: int = Field(description="nodes that keep other sources (the source is removed from their list)")
    edges_deleted: int = Field(description="edges whose only source it was, or whose end node was deleted")
    edges_updated: int
