"""The FastAPI application factory. Nothing is built at import time.

``create_app(settings, store=None)`` builds the app for a settings object (made
by the caller when the process starts). Tests pass their own ``store``;
otherwise the app opens the engine the settings select at start-up (and keeps
starting when the engine is down: ``/ready`` and every request then say 503).
"""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import problems
from api.deps import StoreDep, get_store  # noqa: F401 - re-exported for routers of other areas
from api.engine import EngineHolder
from api.jobs import JobManager
from api.middleware import ReadDeadline, UploadLimit
from api.models import ApiNode
from api.routes import routers
from graph.store import GraphStore
from queries import projection

log = logging.getLogger("innograph.api")

#: kept for code written against the first version of the app
NodePublic = ApiNode

DESCRIPTION = """\
黑龙江创新生态知识图谱 JSON API — read the graph (search, entities, networks, paths, industry chains,
alliances, achievement flows, plan progress, clusters, brokers), export it (GraphML, CSV, JSONL), and load
files into it.

- Every node and edge has one JSON shape (`ApiNode`, `ApiEdge`) on every endpoint.
- Lists are paged with `limit` + `offset`; a page says `total` when known and `truncated` when more exist.
- Every error is an RFC 9457 problem document (`application/problem+json`).
- Write endpoints (`POST /api/ingest`, `DELETE /api/sources/…`) need an API key (`X-API-Key` header or
  `Authorization: Bearer`), configured with `INNOGRAPH_API_KEYS`.
"""

TAGS = [
    {"name": "ops", "description": "liveness and readiness"},
    {"name": "entities", "description": "one entity: facts, provenance, relationships"},
    {"name": "search", "description": "find entities by name or alias"},
    {"name": "networks", "description": "neighbourhoods and collaboration paths"},
    {"name": "industry", "description": "industry chains and their gaps (补链 强链 延链)"},
    {"name": "alliances", "description": "产学研 alliances and university–institute–enterprise triads"},
    {"name": "flows", "description": "achievement-to-industry flows"},
    {"name": "plan", "description": "plan progress: each target next to the figure measured in the graph"},
    {"name": "analytics", "description": "clusters (communities) and brokers (centrality)"},
    {"name": "ingest", "description": "upload files and follow their ingestion jobs"},
    {"name": "sources", "description": "provenance: sources of facts, deleting a source's facts"},
    {"name": "export", "description": "GraphML, CSV and JSONL exports of the graph or of a query's subgraph"},
]

#: paths whose request bodies the upload limit applies to
UPLOAD_PATHS = ("/api/ingest",)


def _pages_router() -> Any:
    """The analyst pages' router (``api.pages.router``), when that package exists."""
    try:
        module = importlib.import_module("api.pages")
    except ModuleNotFoundError as exc:
        if exc.name not in ("api.pages",):
            raise
        return None
    return getattr(module, "router", None)


def create_app(settings: Any, store: GraphStore | None = None) -> FastAPI:
    """Build the app for ``settings``; ``store`` is opened at start-up unless given."""
    engine = EngineHolder(settings.open_store if store is None else None, store)
    data_dir = Path(getattr(settings, "data_dir", ".innograph"))
    jobs = JobManager(engine, data_dir)

    def keep_projection(opened: GraphStore) -> None:
        # paths and neighbourhoods walk an in-memory copy of the adjacency, rebuilt after each change
        projection.keep_fresh(opened, max_edges=int(getattr(settings, "projection_max_edges", projection.MAX_EDGES)))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(settings, "projection", True):
            engine.on_open = keep_projection
            if not engine.owns_store and engine.store is not None:
                keep_projection(engine.store)
        if engine.owns_store:
            engine.open()
            app.state.store = engine.store
        engine.start_watchdog()
        try:
            yield
        finally:
            jobs.shutdown()
            if engine.store is not None:
                projection.forget(engine.store)
            engine.close()

    from innograph import __version__

    app = FastAPI(
        title="innograph",
        summary="黑龙江创新生态知识图谱 Knowledge graph of Heilongjiang's innovation ecosystem",
        description=DESCRIPTION,
        version=__version__,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.jobs = jobs
    # compatibility: code that reads app.state.store directly gets the store once it is open
    app.state.store = store

    app.add_middleware(ReadDeadline, timeout=float(getattr(settings, "request_timeout", 60.0)))
    app.add_middleware(UploadLimit, max_bytes=int(getattr(settings, "max_upload_mb", 50)) * 1024 * 1024,
                       paths=UPLOAD_PATHS)
    origins = list(getattr(settings, "cors_origins", None) or [])
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["X-API-Key", "Authorization", "Content-Type"],
                           expose_headers=["Location", "Retry-After"])
    problems.install(app)

    for router in routers():
        app.include_router(router)
    pages = _pages_router()
    if pages is not None:
        app.include_router(pages)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                                 description=app.description, routes=app.routes, tags=app.openapi_tags)
            app.openapi_schema = problems.problem_media_types(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    return app
