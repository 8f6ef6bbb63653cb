"""``/health`` (the process is up) and ``/ready`` (the engine answers and the schema is in place)."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter

from api import problems
from api.deps import EngineDep
from api.models import Health, Ready
from graph.errors import StoreAuthError, StoreUnavailable
from queries import memo, projection

router = APIRouter(tags=["ops"])


@router.get("/health", response_model=Health, summary="进程存活 Process is up")
def health() -> Health:
    """Always ``ok`` while the process runs; does not touch the engine."""
    return Health(status="ok")


@router.get("/ready", response_model=Ready, summary="引擎就绪 Engine reachable, schema in place",
            responses=problems.responses(503))
def ready(engine: EngineDep) -> Any:
    """``ready`` when the graph engine answers and every constraint and index exists; otherwise ``503``."""
    try:
        store = engine.get(probe=True)
        store.ping()
        ok = store.schema_ready()
    except (StoreUnavailable, StoreAuthError) as exc:
        engine.mark_down(str(exc))
        return problems.problem(503, "engine-unavailable", "图数据库暂不可用 Graph engine unavailable", str(exc),
                                headers={"Retry-After": str(problems.RETRY_AFTER_SECONDS)})
    engine.mark_up()
    if not ok:
        return problems.problem(503, "schema-missing", "图模式未建立 Schema not in place",
                                "constraints and indexes are missing: run `innograph schema`",
                                headers={"Retry-After": str(problems.RETRY_AFTER_SECONDS)})
    return Ready(status="ready", engine=store.capabilities.engine, version=store.capabilities.version,
                 schema_ready=True, projection=projection.status(store), remembered=memo.status(store),
                 worker=os.getpid())
