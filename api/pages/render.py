"""Rendering pages: one Jinja2 environment (autoescape on), the navigation, the
security headers, and the HTML error page.

Every page is answered with a Content-Security-Policy that only allows this
origin: even a page bug cannot make a browser on a government intranet reach
for another host.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse

from graph.errors import InnographError, InputError, QueryTimeout, SchemaError, StoreUnavailable

log = logging.getLogger("innograph.pages")

#: (path, Chinese, English) of the main navigation, in order.
NAV: tuple[tuple[str, str, str], ...] = (
    ("/", "首页", "Home"),
    ("/paths", "路径发现", "Paths"),
    ("/chain", "产业链", "Industry chain"),
    ("/clusters", "创新群落", "Clusters"),
    ("/alliances", "产学研联盟", "Alliances"),
)

#: Only this origin: no CDN, no web font, no analytics can load, whatever a template says.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class PageNotFound(InnographError):
    """The page asks for something the graph does not hold (an unknown id, industry …)."""


def env():  # -> jinja2.Environment
    """The template environment shared with the network views (autoescape on for .html)."""
    from api.viz import template_env

    return template_env()


def render(request: Request, template: str, *, active: str | None = None, status: int = 200,
           headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """Render ``template`` with the navigation and engine name, with the security headers."""
    store = getattr(request.state, "page_store", None)
    caps = getattr(store, "capabilities", None)
    engine = f"{caps.engine} {caps.version}" if caps else "—"
    html = env().get_template(template).render(nav=NAV, active=active, engine=engine, request=request, **context)
    return HTMLResponse(html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


def error_page(request: Request, status: int, title: str, detail: str, headers: dict[str, str] | None = None
               ) -> HTMLResponse:
    """An error as a page: what went wrong in plain words, and the way home."""
    return render(request, "pages/error.html", status=status, title=title, detail=detail, headers=headers)


F = TypeVar("F", bound=Callable[..., Any])


def page_errors(fn: F) -> F:
    """Turn innograph's errors into HTML error pages with the matching status (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(request, *args, **kwargs)
        except PageNotFound as exc:
            return error_page(request, 404, "未找到 Not found", str(exc))
        except (InputError, SchemaError) as exc:
            return error_page(request, 422, "输入无效 Invalid input", str(exc))
        except QueryTimeout as exc:
            return error_page(request, 504, "查询超时 Query timed out",
                              f"查询超过时限，请缩小范围（减少层数或关系类型）后重试。 {exc}")
        except StoreUnavailable as exc:
            _mark_down(request, exc)
            return error_page(request, 503, "图数据库暂不可用 Graph engine unavailable", str(exc),
                              headers={"Retry-After": "5"})
        except InnographError as exc:
            log.exception("page %s failed", request.url.path)
            return error_page(request, 500, "内部错误 Internal error", type(exc).__name__)

    return wrapper  # type: ignore[return-value]


def _mark_down(request: Request, exc: Exception) -> None:
    # The API keeps a circuit breaker for an engine that stopped answering; tell it, if it has one.
    holder = getattr(request.app.state, "engine", None)
    if holder is not None and hasattr(holder, "mark_down"):
        holder.mark_down(str(exc))


def int_param(value: str | None, name: str, default: int, lo: int, hi: int) -> int:
    """An integer form field, with a clear message when it is not one or out of range."""
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"参数 {name} 应为整数 ({name} must be an integer), got {value!r}") from None
    if not lo <= number <= hi:
        raise InputError(f"参数 {name} 应在 {lo} 到 {hi} 之间 ({name} must be between {lo} and {hi}), got {number}")
    return number
