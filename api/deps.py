"""Dependencies shared by the routers, gathered in one place (``Annotated[..., Depends(...)]``).

- ``SettingsDep``: the settings object the app was created with (built at start-up, never at import).
- ``StoreDep``: the graph store; ``503`` at once while the engine is known to be down.
- ``WriteKey``: requires a valid API key (``X-API-Key`` or ``Authorization: Bearer``).
- ``ReadAccess``: open unless ``INNOGRAPH_REQUIRE_KEY_FOR_READS`` is set.
- ``PageDep``: ``limit`` + ``offset`` of paged lists.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.engine import EngineHolder
from api.problems import Unauthorized, WritesDisabled
from graph.store import GraphStore

MAX_LIMIT = 1000
MAX_OFFSET = 100_000


# The dependencies that only read app state are ``async def``: FastAPI runs a plain ``def``
# dependency in the thread pool, a hop per dependency per request that costs more than the work.


async def get_settings(request: Request) -> Any:
    """The app's settings."""
    return request.app.state.settings


async def get_engine(request: Request) -> EngineHolder:
    return request.app.state.engine


def get_store(request: Request) -> GraphStore:
    """The graph store (raises ``StoreUnavailable`` → 503 while the engine is down)."""
    store = request.app.state.engine.get()
    request.app.state.store = store
    return store


async def store_dependency(request: Request) -> GraphStore:
    """:func:`get_store` for ``StoreDep``: on the event loop once the store is open (a dictionary
    read), in the thread pool while it still has to be opened (that blocks)."""
    if request.app.state.engine.store is None:
        return await run_in_threadpool(get_store, request)
    return get_store(request)


SettingsDep = Annotated[Any, Depends(get_settings)]
EngineDep = Annotated[EngineHolder, Depends(get_engine)]
StoreDep = Annotated[GraphStore, Depends(store_dependency)]


# --------------------------------------------------------------------------- API keys

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                               description="an API key from INNOGRAPH_API_KEYS")
_bearer = HTTPBearer(auto_error=False, scheme_name="Bearer", description="the same API key as a bearer token")


def key_matches(given: str | None, settings: Any) -> bool:
    """Compare ``given`` with every configured key in constant time (no early exit on a match)."""
    if not given:
        return False
    candidate = given.encode()
    ok = False
    for key in getattr(settings, "api_keys", None) or []:
        secret = key.get_secret_value() if hasattr(key, "get_secret_value") else str(key)
        # compare with every key, so timing says nothing about which (or whether one) matched
        ok |= hmac.compare_digest(candidate, secret.encode())
    return ok


def _presented_key(header_key: str | None, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if header_key:
        return header_key
    if bearer is not None and bearer.scheme.lower() == "bearer":
        return bearer.credentials
    return None


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="innograph"'}


async def require_write_key(
    settings: SettingsDep,
    header_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """Write endpoints: a configured API key must be presented."""
    if not getattr(settings, "api_keys", None):
        raise WritesDisabled(
            "no API key is configured, so writes are refused: set INNOGRAPH_API_KEYS to one or more "
            "comma-separated secret keys (e.g. `export INNOGRAPH_API_KEYS=$(openssl rand -hex 24)`), restart "
            "the server, and send the key in the X-API-Key header or as `Authorization: Bearer <key>`"
        )
    given = _presented_key(header_key, bearer)
    if given is None:
        raise Unauthorized("this endpoint writes to the graph: send an API key in the X-API-Key header "
                           "or as `Authorization: Bearer <key>`", headers=_CHALLENGE)
    if not key_matches(given, settings):
        raise Unauthorized("the API key is not valid", headers=_CHALLENGE)


async def require_read_access(
    settings: SettingsDep,
    header_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """Read endpoints: open, unless ``require_key_for_reads`` is set."""
    if not getattr(settings, "require_key_for_reads", False):
        return
    given = _presented_key(header_key, bearer)
    if given is None:
        raise Unauthorized("this server requires an API key for reads too: send it in the X-API-Key header "
                           "or as `Authorization: Bearer <key>`", headers=_CHALLENGE)
    if not key_matches(given, settings):
        raise Unauthorized("the API key is not valid", headers=_CHALLENGE)


WriteKey = Depends(require_write_key)
ReadAccess = Depends(require_read_access)


# --------------------------------------------------------------------------- paging


@dataclass(frozen=True)
class Page:
    """``limit`` and ``offset`` of a paged list."""

    limit: int
    offset: int


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(page_params)]
