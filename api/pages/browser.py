"""Drive the pages in a real headless Chromium: for the end-to-end tests and ``innograph screenshots``.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``, or ``INNOGRAPH_CHROMIUM``),
driven by Playwright for Python; ``playwright install`` is never needed. Every
request the browser makes goes through a handler that lets only 127.0.0.1
through and records anything else, so a page that reaches for a CDN is caught.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urlsplit

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1"}


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None when none is installed."""
    configured = os.environ.get("INNOGRAPH_CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else None
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(name):
            return name
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any, *, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a background thread; yields its base URL."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="innograph-pages", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the page server did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class RequestGuard:
    """Records every URL the browser asked for that is not on 127.0.0.1 (and blocks it)."""

    outside: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)

    def handle(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "file") or (parts.hostname in LOCAL_HOSTS):
            self.local.append(url)
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@contextmanager
def browser_page(*, width: int = 1360, height: int = 900) -> Iterator[tuple[Any, RequestGuard]]:
    """A fresh page in headless Chromium whose requests all pass through a :class:`RequestGuard`."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium is not installed: apt-get install -y chromium (or set INNOGRAPH_CHROMIUM)")
    guard = RequestGuard()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                          device_scale_factor=1)
            context.route("**/*", guard.handle)
            page = context.new_page()
            yield page, guard
            context.close()
        finally:
            browser.close()


def canvas_has_drawing(page: Any, selector: str = ".netview-canvas canvas") -> bool:
    """True when the network canvas holds pixels of more than one colour (something was drawn)."""
    return bool(page.evaluate(
        """(sel) => {
            const c = document.querySelector(sel);
            if (!c || !c.width || !c.height) return false;
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let first = null;
            for (let i = 0; i < data.length; i += 16) {
                const px = data[i] + ',' + data[i+1] + ',' + data[i+2] + ',' + data[i+3];
                if (first === null) first = px; else if (px !== first) return true;
            }
            return false;
        }""",
        selector,
    ))
