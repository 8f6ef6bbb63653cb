"""One error shape everywhere: RFC 9457 problem details (``application/problem+json``).

Every error the API returns — a bad parameter, an unknown id, a missing key, an
unreachable engine, an unexpected bug — is a problem document with ``type``,
``title``, ``status`` and ``detail``; validation errors add ``invalid_params``
naming each offending field. Service code raises innograph's own errors (or the
few API errors below); they are translated here, at the boundary, and nowhere else.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import (
    InnographError,
    InputError,
    QueryTimeout,
    SchemaError,
    StoreAuthError,
    StoreUnavailable,
)

log = logging.getLogger("innograph.api")

PROBLEM_TYPE = "https://innograph.invalid/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 5


class InvalidParam(BaseModel):
    """One offending field of a request."""

    name: str = Field(examples=["hops"])
    reason: str = Field(examples=["Input should be less than or equal to 6"])


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error response."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": PROBLEM_TYPE + "not-found", "title": "未找到 Not found", "status": 404,
        "detail": "no entity with id 'org:nope'", "instance": "/api/entities/org:nope"}]})

    type: str = Field(description="URI naming the kind of problem")
    title: str = Field(description="short summary of the kind of problem (Chinese, then English)")
    status: int = Field(description="the HTTP status code")
    detail: str | None = Field(None, description="what went wrong with this request, in plain words")
    instance: str | None = Field(None, description="the path of the request")
    invalid_params: list[InvalidParam] | None = Field(None, description="validation errors: each offending field")


# --------------------------------------------------------------------------- errors raised by the API layer


class ApiError(InnographError):
    """An error the API answers with a given status (raised by routes and dependencies)."""

    status = 400
    slug = "bad-request"
    title = "请求无效 Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.headers = headers


class NotFound(ApiError):
    """An id that no node (or job, or source) has."""

    status, slug, title = 404, "not-found", "未找到 Not found"


class Unauthorized(ApiError):
    """No API key, or a key that matches none of the configured ones."""

    status, slug, title = 401, "unauthorized", "需要有效的 API 密钥 Valid API key required"


class WritesDisabled(ApiError):
    """No API key is configured, so write endpoints are closed to everyone."""

    status, slug, title = 403, "writes-disabled", "写入未启用 Writes are disabled"


class Conflict(ApiError):
    """The request clashes with work in progress (e.g. an ingestion job holds the engine's write slot)."""

    status, slug, title = 409, "conflict", "冲突 Conflict"


class QueueFull(ApiError):
    """Too many ingestion jobs are waiting already."""

    status, slug, title = 429, "queue-full", "导入队列已满 Ingestion queue is full"


class PayloadTooLarge(ApiError):
    status, slug, title = 413, "payload-too-large", "文件过大 Payload too large"


class UnsupportedMediaType(ApiError):
    status, slug, title = 415, "unsupported-file-type", "不支持的文件类型 Unsupported file type"


# --------------------------------------------------------------------------- rendering


def problem(status: int, slug: str, title: str, detail: str | None = None, *, request: Request | None = None,
            invalid: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem-details response."""
    body: dict[str, Any] = {"type": PROBLEM_TYPE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
    if invalid:
        body["invalid_params"] = invalid
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_body(status: int, slug: str, title: str, detail: str | None = None, path: str | None = None) -> bytes:
    """The encoded body of a problem document, for code that writes raw ASGI messages."""
    import json

    body: dict[str, Any] = {"type": PROBLEM_TYPE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if path:
        body["instance"] = path
    return json.dumps(body, ensure_ascii=False).encode()


_PARAM_NAME = re.compile(r"parameters? '(\w+)'(?: and '(\w+)')?")
#: how the query layer says an id names nothing ("parameter 'id': no node with id 'x'")
_UNKNOWN_ID = re.compile(r"\bno \w+ with id\b")

_HTTP_TITLES = {
    400: "请求无效 Bad request", 401: "需要认证 Unauthorized", 403: "禁止访问 Forbidden", 404: "未找到 Not found",
    405: "方法不允许 Method not allowed", 406: "无法提供所需格式 Not acceptable", 413: "文件过大 Payload too large",
    415: "不支持的类型 Unsupported media type",
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "body", "header", "cookie")]
    return ".".join(parts) or "request"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        invalid = [{"name": _field_name(err.get("loc", ())), "reason": str(err.get("msg", "invalid"))}
                   for err in exc.errors()]
        return problem(422, "invalid-parameters", "请求参数无效 Invalid parameters",
                       "; ".join(f"{i['name']}: {i['reason']}" for i in invalid), request=request, invalid=invalid)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, f"http-{exc.status_code}", _HTTP_TITLES.get(exc.status_code, "HTTP error"),
                       str(exc.detail) if exc.detail else None, request=request,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.slug, exc.title, str(exc), request=request, headers=exc.headers)

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        engine = getattr(request.app.state, "engine", None)
        if engine is not None:
            engine.mark_down(str(exc))
        return problem(503, "engine-unavailable", "图数据库暂不可用 Graph engine unavailable", str(exc),
                       request=request, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(StoreAuthError)
    async def _auth(request: Request, exc: StoreAuthError) -> JSONResponse:
        return problem(503, "engine-auth", "图数据库认证失败 Graph engine refused credentials", str(exc),
                       request=request, headers={"Retry-After": str(RETRY_AFTER_SECONDS * 6)})

    @app.exception_handler(QueryTimeout)
    async def _timeout(request: Request, exc: QueryTimeout) -> JSONResponse:
        return problem(504, "query-timeout", "查询超时 Query timed out",
                       f"{exc} — narrow the query (fewer hops, a smaller limit, more filters)", request=request)

    @app.exception_handler(InputError)
    @app.exception_handler(SchemaError)
    async def _input(request: Request, exc: InnographError) -> JSONResponse:
        text = str(exc)
        # the query layer names the offending parameter in its message ("parameter 'hops' must be …")
        names = [name for pair in _PARAM_NAME.findall(text) for name in pair if name]
        invalid = [{"name": name, "reason": text} for name in dict.fromkeys(names)] or None
        return problem(422, "invalid-parameters", "请求参数无效 Invalid parameters", text, request=request,
                       invalid=invalid)

    @app.exception_handler(InnographError)
    async def _other(request: Request, exc: InnographError) -> JSONResponse:
        log.error("error on %s: %s: %s", request.url.path, type(exc).__name__, exc)
        return problem(500, "internal", "内部错误 Internal error",
                       f"{type(exc).__name__}: the graph engine refused the request; it was logged on the server",
                       request=request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal", "内部错误 Internal error", "an unexpected error was logged on the server",
                       request=request)


# --------------------------------------------------------------------------- OpenAPI


_DESCRIPTIONS = {
    400: "the request body could not be read (e.g. a broken multipart upload)", 401: "missing or wrong API key", 403: "writes are disabled (no API key configured)",
    404: "unknown id", 409: "an ingestion job is running; try again later (see Retry-After)", 413: "upload larger than INNOGRAPH_MAX_UPLOAD_MB", 415: "file type not accepted",
    429: "too many ingestion jobs are waiting; try again later (see Retry-After)",
    422: "invalid parameters (each offending field in invalid_params)",
    500: "unexpected server error (logged; never a traceback)",
    503: "graph engine unreachable (see Retry-After)", 504: "query ran past its time limit",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` documentation of the problem statuses a route can answer."""
    return {code: {"model": Problem, "description": _DESCRIPTIONS.get(code, "error")} for code in codes}


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Document error responses as ``application/problem+json``, the media type they are sent with."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for status, resp in operation.get("responses", {}).items():
                content = resp.get("content") or {}
                if not str(status).isdigit() or int(status) < 400:
                    continue
                if "application/json" in content and "Problem" in str(content["application/json"]):
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


T = TypeVar("T")


def unknown_id_is_404(call: Callable[[], T]) -> T:
    """Run a query; an id it reports as naming nothing becomes a 404 (other input errors stay 422)."""
    try:
        return call()
    except InputError as exc:
        if _UNKNOWN_ID.search(str(exc)):
            raise NotFound(str(exc)) from None
        raise
