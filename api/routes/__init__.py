"""The API's routers, gathered in one place.

``ROUTER_MODULES`` lists the modules whose ``router`` ``create_app`` includes, in
order. A module that is not present yet (a router of another area that has not
landed) is skipped; the analyst pages router (``api.pages.router``) is included
by ``create_app`` after these when it exists.
"""

from __future__ import annotations

import importlib
import logging
from typing import Iterator

from fastapi import APIRouter

log = logging.getLogger("innograph.api")

ROUTER_MODULES: tuple[str, ...] = (
    "api.routes.ops",
    "api.routes.networks",  # before entities: its /entities/{id:path}/neighbourhood must match first
    "api.routes.entities",
    "api.routes.search",
    "api.routes.industry",
    "api.routes.alliances",
    "api.routes.flows",
    "api.routes.plan",
    "api.routes.analytics",
    "api.routes.ingest",
    "api.routes.sources",
    "api.routes.export",
)


def routers() -> Iterator[APIRouter]:
    """Each router module's ``router``, in order (missing modules skipped)."""
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # a router whose query module has not landed yet is left out, not fatal
            if exc.name != name and not (exc.name or "").startswith("queries."):
                raise
            log.warning("API routes of %s left out: module %s is missing", name, exc.name)
            continue
        yield module.router
