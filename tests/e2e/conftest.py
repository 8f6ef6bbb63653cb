"""End-to-end fixtures: the app served on 127.0.0.1 over the sample data, and a real headless Chromium.

Outside CI a machine without Chromium or Playwright skips these tests and says
how to enable them; under ``CI=true`` that is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
INSTALL_HINT = ("install Debian's chromium (apt-get install -y chromium fonts-noto-cjk) and Playwright for Python "
                "(pip install -e '.[test]'); never `playwright install`")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.e2e)


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}; {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}; to run them, {INSTALL_HINT}")


@pytest.fixture(scope="session")
def chromium() -> str:
    from api.pages.browser import chromium_path

    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright for Python is not installed")
    path = chromium_path()
    if path is None:
        _missing("no Chromium executable (/usr/bin/chromium)")
    return path  # type: ignore[return-value]


@pytest.fixture
def site(store: Any, chromium: str, tmp_path: Path) -> Iterator[str]:
    """The whole app (API and pages) on a free 127.0.0.1 port, over the sample data plus a hostile name."""
    from api import create_app
    from api.pages.browser import serve_in_thread
    from innograph.settings import Settings
    from tests.test_pages import load

    load(store)
    app = create_app(Settings(data_dir=tmp_path / "unused"), store)
    with serve_in_thread(app) as base:
        yield base


@pytest.fixture
def browser(chromium: str) -> Iterator[tuple[Any, Any]]:
    """A page of headless Chromium, with every request checked by a guard; fails the test on outside requests."""
    from api.pages.browser import browser_page

    with browser_page() as (page, guard):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs  # type: ignore[attr-defined]
        yield page, guard
        assert guard.outside == [], f"the browser asked for other hosts: {guard.outside}"
        assert dialogs == [], f"a script from the data ran: {dialogs}"
