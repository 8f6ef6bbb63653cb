"""ASGI middleware: a deadline on read requests, and an upload size limit enforced while streaming.

Both answer with a problem document themselves and then ignore whatever the
application would still send, so a stuck engine or an oversized upload never
holds a client past its limit.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable

from api.problems import PROBLEM_MEDIA_TYPE, problem_body

log = logging.getLogger("innograph.api")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]


async def _send_problem(send: Send, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
    raw = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class ReadDeadline:
    """Answer ``503`` (with ``Retry-After``) when a GET has not started its response within ``timeout`` s.

    The request's worker thread is left to finish on its own (the store's statement time-out bounds it);
    its late answer is dropped. Once a response has started (a streamed export), it runs to the end.
    """

    def __init__(self, app: Any, timeout: float, on_timeout: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.timeout = timeout
        self.on_timeout = on_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        started = asyncio.Event()
        abandoned = False

        async def guarded_send(message: Message) -> None:
            if abandoned:
                return
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        waiter = asyncio.ensure_future(started.wait())
        done, _ = await asyncio.wait({task, waiter}, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED)
        if not done:
            abandoned = True
            waiter.cancel()
            detail = (f"no answer within {self.timeout:g} s: the graph engine is stuck or the query is too "
                      "large; try again shortly or narrow the query")
            if self.on_timeout is not None:
                self.on_timeout(detail)
            log.warning("%s %s: %s", scope.get("method"), scope.get("path"), detail)
            await _send_problem(send, 503, problem_body(503, "engine-timeout", "图数据库未及时响应 Graph engine did not "
                                                        "answer in time", detail, scope.get("path")),
                                {"Retry-After": "5"})
            # let the abandoned request finish in the background; its output is dropped
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            return
        waiter.cancel()
        await task


class UploadLimit:
    """Refuse request bodies larger than ``max_bytes`` with ``413``: from ``Content-Length`` before reading,
    or, for a body of unknown length, as soon as the bytes received pass the limit."""

    def __init__(self, app: Any, max_bytes: int, paths: tuple[str, ...]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = paths

    def _body(self, path: str) -> bytes:
        mb = self.max_bytes / (1024 * 1024)
        return problem_body(413, "payload-too-large", "文件过大 Payload too large",
                            f"uploads are limited to {mb:g} MB (INNOGRAPH_MAX_UPLOAD_MB); split the file or ask the "
                            "operator to raise the limit", path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH") \
                or not scope.get("path", "").startswith(self.paths):
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await _send_problem(send, 413, self._body(scope["path"]), {"Connection": "close"})
                return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await _send_problem(send, 413, self._body(scope["path"]), {"Connection": "close"})
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
