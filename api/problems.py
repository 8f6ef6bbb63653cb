"""One error shape everywhere: RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import (
    InnographError,
    InputError,
    QueryTimeout,
    SchemaError,
    StoreAuthError,
    StoreUnavailable,
)

PROBLEM_TYPE = "https://innograph.invalid/problems/"
RETRY_AFTER_SECONDS = 5


class InvalidParam(BaseModel):
    name: str
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    invalid_params: list[InvalidParam] | None = None


def problem(status: int, slug: str, title: str, detail: str | None = None, *, request: Request | None = None,
            invalid: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_TYPE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
    if invalid:
        body["invalid_params"] = invalid
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


class NotFound(InnographError):
    """An id that no node has."""


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        invalid = [{"name": ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body")),
                    "reason": err.get("msg", "invalid")} for err in exc.errors()]
        return problem(422, "invalid-parameters", "请求参数无效 Invalid parameters",
                       "; ".join(f"{i['name']}: {i['reason']}" for i in invalid), request=request, invalid=invalid)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "未找到 Not found", 401: "需要认证 Unauthorized", 403: "禁止访问 Forbidden",
                  405: "方法不允许 Method not allowed", 413: "文件过大 Payload too large"}
        return problem(exc.status_code, f"http-{exc.status_code}", titles.get(exc.status_code, "HTTP error"),
                       str(exc.detail) if exc.detail else None, request=request,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem(404, "not-found", "未找到 Not found", str(exc), request=request)

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        return problem(503, "engine-unavailable", "图数据库暂不可用 Graph engine unavailable", str(exc),
                       request=request, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(StoreAuthError)
    async def _auth(request: Request, exc: StoreAuthError) -> JSONResponse:
        return problem(503, "engine-auth", "图数据库认证失败 Graph engine refused credentials", str(exc),
                       request=request, headers={"Retry-After": str(RETRY_AFTER_SECONDS * 6)})

    @app.exception_handler(QueryTimeout)
    async def _timeout(request: Request, exc: QueryTimeout) -> JSONResponse:
        return problem(504, "query-timeout", "查询超时 Query timed out", str(exc), request=request)

    @app.exception_handler(InputError)
    @app.exception_handler(SchemaError)
    async def _input(request: Request, exc: InnographError) -> JSONResponse:
        return problem(422, "invalid-input", "输入无效 Invalid input", str(exc), request=request)

    @app.exception_handler(InnographError)
    async def _other(request: Request, exc: InnographError) -> JSONResponse:
        return problem(500, "internal", "内部错误 Internal error", type(exc).__name__, request=request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        import logging

        logging.getLogger("innograph.api").exception("unhandled error on %s", request.url.path)
        return problem(500, "internal", "内部错误 Internal error", "an unexpected error was logged on the server",
                       request=request)
