"""The FastAPI application factory. Nothing is built at import time."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated, Any, AsyncIterator

from fastapi import Depends, FastAPI, Path, Request
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel, Field

from api import problems
from graph.lookups import node_by_id
from graph.store import GraphStore, NodeValue


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Ready(BaseModel):
    status: str = Field(examples=["ready"])
    engine: str = Field(examples=["falkordb"])
    version: str = Field(examples=["4.16.3"])
    schema_ready: bool


class NodePublic(BaseModel):
    """A node in the one JSON shape every endpoint uses."""

    id: str = Field(examples=["org:hit"])
    labels: list[str] = Field(examples=[["Organization", "University"]])
    name: str | None = Field(None, examples=["哈尔滨工业大学"])
    properties: dict[str, Any]
    sources: list[str] = Field(default_factory=list, examples=[["reference/organizations.csv#3"]])

    @classmethod
    def of(cls, node: NodeValue) -> "NodePublic":
        props = {k: v for k, v in node.properties.items() if k not in ("sources",)}
        return cls(id=str(node.properties.get("id")), labels=list(node.labels), name=props.get("name"),
                   properties=props, sources=list(node.properties.get("sources") or []))


def get_store(request: Request) -> GraphStore:
    return request.app.state.store


StoreDep = Annotated[GraphStore, Depends(get_store)]


def create_app(settings: Any, store: GraphStore | None = None) -> FastAPI:
    """Build the app for ``settings``; ``store`` is opened at start-up unless given."""
    owns_store = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store if store is not None else settings.open_store()
        try:
            yield
        finally:
            if owns_store:
                app.state.store.close()

    app = FastAPI(
        title="innograph",
        summary="黑龙江创新生态知识图谱 Knowledge graph of Heilongjiang's innovation ecosystem",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    if getattr(settings, "cors_origins", None):
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["*"])
    problems.install(app)

    @app.get("/health", response_model=Health, tags=["ops"], summary="进程存活 Process is up")
    def health() -> Health:
        return Health(status="ok")

    @app.get("/ready", response_model=Ready, tags=["ops"], summary="引擎就绪 Engine reachable, schema in place",
             responses={503: {"model": problems.Problem}})
    def ready(store: StoreDep) -> Any:
        store.ping()
        ok = store.schema_ready()
        body = Ready(status="ready" if ok else "schema-missing", engine=store.capabilities.engine,
                     version=store.capabilities.version, schema_ready=ok)
        if not ok:
            from fastapi.responses import JSONResponse

            return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "5"})
        return body

    @app.get("/api/entities/{entity_id}", response_model=NodePublic, tags=["entities"],
             summary="实体详情 One entity by id", responses={404: {"model": problems.Problem}})
    def entity(store: StoreDep, entity_id: Annotated[str, Path(min_length=1, max_length=200)]) -> NodePublic:
        node = node_by_id(store, entity_id)
        if node is None:
            raise problems.NotFound(f"no entity with id {entity_id!r}")
        return NodePublic.of(node)

    return app
