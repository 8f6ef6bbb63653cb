"""The pages in a real headless Chromium: search → entity → network drawn, paths, chain gaps, offline."""

from __future__ import annotations

from typing import Any

from api.pages.browser import canvas_has_drawing
from tests.test_pages import HOSTILE, HOSTILE_ID


def wait_drawn(page: Any) -> None:
    page.wait_for_selector(".netview[data-drawn='true']", timeout=20000)


def test_search_then_entity_page_draws_its_network(site: str, browser: Any) -> None:
    page, guard = browser
    page.goto(site + "/")
    page.fill(".hero input[name=q]", "示例理工")
    page.press(".hero input[name=q]", "Enter")
    page.wait_for_selector("[data-testid=search-results]")
    page.click("[data-testid=search-results] a:has-text('示例理工大学')")
    page.wait_for_selector("[data-testid=entity-name]")
    assert page.inner_text("[data-testid=entity-name]") == "示例理工大学"
    wait_drawn(page)
    assert canvas_has_drawing(page)
    count = page.inner_text("[data-testid=netview-count]")
    assert "个节点" in count and "nodes" in count
    # the page's own assets came from the app, over 127.0.0.1
    assert any(u.endswith("/static/vendor/vis-network/vis-network.min.js") for u in guard.local)


def test_name_suggestions_appear_as_you_type(site: str, browser: Any) -> None:
    page, _ = browser
    page.goto(site + "/paths")
    page.type("input[name=from]", "示例理", delay=30)
    page.wait_for_selector("#from-suggest option", state="attached", timeout=10000)
    values = page.eval_on_selector_all("#from-suggest option", "els => els.map(e => e.value)")
    assert "示例理工大学" in values


def test_depth_filter_redraws_a_bigger_network(site: str, browser: Any) -> None:
    page, _ = browser
    page.goto(site + "/entity/org:sample:u1")
    wait_drawn(page)
    one = page.evaluate("document.querySelector('.netview').visNetwork.body.data.nodes.length")
    page.select_option("select[name=depth]", "2")
    page.click("button:has-text('更新')")
    page.wait_for_url("**depth=2**")
    wait_drawn(page)
    two = page.evaluate("document.querySelector('.netview').visNetwork.body.data.nodes.length")
    assert two > one


def test_hostile_name_is_text_in_page_and_tooltip(site: str, browser: Any) -> None:
    page, _ = browser
    page.goto(site + f"/entity/{HOSTILE_ID}")
    assert page.inner_text("[data-testid=entity-name]") == HOSTILE
    page.wait_for_selector(".netview[data-stable='true']", timeout=20000)
    # hover the hostile node on the canvas: its tooltip must show the name as text
    page.locator(".netview-canvas").scroll_into_view_if_needed()
    point = page.evaluate(
        """(id) => { const net = document.querySelector('.netview').visNetwork;
                     const p = net.getPositions([id])[id]; const d = net.canvasToDOM(p);
                     const r = document.querySelector('.netview-canvas').getBoundingClientRect();
                     return {x: r.left + d.x, y: r.top + d.y}; }""", HOSTILE_ID)
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=8)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    tip = page.locator("div.vis-tooltip")
    assert HOSTILE in tip.inner_text()
    assert tip.locator("script, img").count() == 0
    # the only inline scripts are the views' JSON data blocks: nothing from the data became code
    kinds = page.eval_on_selector_all("script:not([src])", "els => els.map(e => e.type)")
    assert kinds and set(kinds) == {"application/json"}


def test_path_finder_shows_a_path(site: str, browser: Any) -> None:
    page, _ = browser
    page.goto(site + "/paths")
    page.fill("input[name=from]", "示例理工大学")
    page.fill("input[name=to]", "示例石墨科技有限公司")
    page.click("button:has-text('查找路径')")
    page.wait_for_selector("[data-testid=path]")
    text = page.inner_text("[data-testid=path]")
    assert "示例理工大学" in text and "示例石墨科技有限公司" in text and "研发" in text
    wait_drawn(page)
    assert canvas_has_drawing(page)


def test_chain_page_marks_a_gap(site: str, browser: Any) -> None:
    page, _ = browser
    page.goto(site + "/chain?industry=ind:sample:materials")
    gap = page.locator("[data-testid=chain-link][data-gap] [data-testid=gap]").first
    gap.wait_for()
    assert gap.inner_text().startswith("补链")
    wait_drawn(page)
    assert canvas_has_drawing(page)


def test_exported_view_draws_with_no_server_and_no_network(site: str, browser: Any, tmp_path: Any) -> None:
    import urllib.request

    page, guard = browser
    with urllib.request.urlopen(site + "/export/entity.html?id=org:sample:u1&depth=2") as r:  # noqa: S310 - 127.0.0.1
        html = r.read()
    file = tmp_path / "view.html"
    file.write_bytes(html)
    page.goto(file.as_uri())
    wait_drawn(page)
    assert canvas_has_drawing(page)
    assert all(u.startswith(("file:", "data:")) for u in guard.local if "127.0.0.1" not in u)
