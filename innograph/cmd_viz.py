"""``innograph viz`` (a network view as one offline HTML file) and ``innograph screenshots``."""

from __future__ import annotations

import tempfile
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from graph.errors import InputError
from innograph.cli import app, handles_errors, settings


class VizQuery(str, Enum):
    neighbourhood = "neighbourhood"
    paths = "paths"
    chain = "chain"
    clusters = "clusters"
    alliances = "alliances"


def _types(values: list[str]) -> list[Any]:
    from graph.schema import rel_type

    out = []
    for value in values:
        out.extend(rel_type(v.strip()) for v in value.split(",") if v.strip())
    return out


def _require(value: Optional[str], option: str, query: str) -> str:
    if not value:
        raise InputError(f"innograph viz {query} needs {option}")
    return value


def build_standalone(store: Any, query: VizQuery, *, node_id: Optional[str] = None, hops: Optional[int] = None,
                     types: list[str] | None = None, source: Optional[str] = None, target: Optional[str] = None,
                     industry: Optional[str] = None, region: Optional[str] = None, max_nodes: int = 300,
                     size: str = "degree") -> str:
    """The HTML of one self-contained view of ``query`` (what ``innograph viz`` writes)."""
    from api.pages import reads, views
    from api.viz import render_standalone

    chosen = _types(types or [])
    if size not in ("degree", "centrality"):
        raise InputError(f"--size must be degree or centrality, got {size!r}")
    if query is VizQuery.neighbourhood:
        node_id = _require(node_id, "--id", query.value)
        hood, view = views.neighbourhood_view(store, node_id, hops=hops or 1, types=chosen, max_nodes=max_nodes,
                                              size_by=size, link=False)
        subtitle = f"{hood.hops} 度邻域 {hood.hops}-hop neighbourhood · {hood.center.id}"
        return render_standalone(view, title=hood.center.name or hood.center.id, subtitle=subtitle)
    if query is VizQuery.paths:
        ends = []
        for text, option in ((source, "--from"), (target, "--to")):
            node, candidates = reads.resolve(store, _require(text, option, query.value), scope=reads.ORG_SCOPE)
            if node is None:
                names = "、".join(f"{c.name} ({c.id})" for c in candidates[:5]) or "none"
                raise InputError(f"{option} {text!r} names no single organisation; candidates: {names}")
            ends.append(node)
        result, view = views.paths_view(store, ends[0].id, ends[1].id, hops=hops or 4, types=chosen, link=False)
        if view is None:
            raise InputError(f"no path from {ends[0].name} to {ends[1].name} within {hops or 4} hops"
                             + (f": {result.reason}" if result.reason else ""))
        return render_standalone(view, title=f"{ends[0].name} → {ends[1].name}",
                                 subtitle=f"{len(result.paths)} 条最短路径 shortest paths")
    if query is VizQuery.chain:
        view, title, subtitle = views.chain_view(store, _require(industry, "--industry", query.value), region=region,
                                                 link=False)
        return render_standalone(view, title=title, subtitle=subtitle)
    if query is VizQuery.clusters:
        view, title, subtitle = views.clusters_view(store, max_nodes=max_nodes, link=False)
        return render_standalone(view, title=title, subtitle=subtitle)
    view, title, subtitle = views.alliances_view(store, industry=industry, region=region, max_nodes=max_nodes,
                                                 link=False)
    return render_standalone(view, title=title, subtitle=subtitle)


@app.command()
@handles_errors
def viz(
    query: VizQuery = typer.Argument(..., help="what to draw"),
    out: Path = typer.Option(..., "--out", "-o", help="the HTML file to write (self-contained, works offline)"),
    node_id: Optional[str] = typer.Option(None, "--id", help="neighbourhood: the centre node's id"),
    hops: Optional[int] = typer.Option(None, "--hops", min=1, max=6,
                                       help="neighbourhood: depth 1-3 (default 1); paths: max hops 1-6 (default 4)"),
    types: list[str] = typer.Option([], "--type", "-t", help="relationship types to follow (repeat or comma-separate)"),
    source: Optional[str] = typer.Option(None, "--from", help="paths: the first organisation (id or name)"),
    target: Optional[str] = typer.Option(None, "--to", help="paths: the second organisation (id or name)"),
    industry: Optional[str] = typer.Option(None, "--industry", help="chain: the industry id; alliances: filter"),
    region: Optional[str] = typer.Option(None, "--region", help="chain, alliances: a Region id"),
    max_nodes: int = typer.Option(300, "--max-nodes", min=10, max=1000, help="cap on nodes shown"),
    size: str = typer.Option("degree", "--size", help="node size by degree or centrality"),
) -> None:
    """Write a network view as one self-contained HTML file for offline sharing.

    Example: innograph viz neighbourhood --id org:hit --hops 2 --out hit.html
    """
    store = settings().open_store()
    try:
        html = build_standalone(store, query, node_id=node_id, hops=hops, types=types, source=source, target=target,
                                industry=industry, region=region, max_nodes=max_nodes, size=size)
    finally:
        store.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {out} ({len(html.encode('utf-8')) // 1024} KiB); open it in any browser, no network needed")


# --------------------------------------------------------------------------- screenshots

#: (file name, path on the site, what it shows)
SHOTS: tuple[tuple[str, str, str], ...] = (
    ("home.png", "/", "首页 Home"),
    ("search.png", "/search?q={search}", "搜索 Search"),
    ("entity.png", "/entity/{entity}?depth=2", "实体 Entity"),
    ("paths.png", "/paths?from={path_from}&to={path_to}", "路径发现 Paths"),
    ("chain.png", "/chain?industry={industry}", "产业链 Industry chain"),
    ("clusters.png", "/clusters", "创新群落 Clusters"),
    ("alliances.png", "/alliances", "产学研联盟 Alliances"),
)


MAX_SHOT_HEIGHT = 1500


def _load_sample(store: Any) -> None:
    try:
        from ingest.demo import load_demo
    except ImportError:
        from ingest.builtin_sample import load_builtin_sample

        load_builtin_sample(store)
        return
    load_demo(store)


@app.command()
@handles_errors
def screenshots(
    out: Path = typer.Option(Path("docs/screenshots"), "--out", help="folder for the PNG files"),
    current: bool = typer.Option(False, "--current",
                                 help="shoot the graph the settings select, instead of a fresh sample graph"),
    width: int = typer.Option(1280, "--width", min=800, max=2560, help="browser width in pixels"),
) -> None:
    """Screenshot every page (headless Chromium) into docs/screenshots/.

    By default the sample data is loaded into a temporary embedded graph, so the
    pictures are the same on every machine.
    """
    from api.pages.browser import browser_page, chromium_path, serve_in_thread

    if chromium_path() is None:
        raise InputError("Chromium is needed: apt-get install -y chromium (fonts: apt-get install -y fonts-noto-cjk)")
    s = settings()
    with tempfile.TemporaryDirectory(prefix="innograph-shots-") as tmp:
        if not current:
            s.neo4j_uri = None
            s.data_dir = Path(tmp) / "data"
        store = s.open_store()
        try:
            if not current:
                store.ensure_schema()
                _load_sample(store)
            _shoot(store, s, out, width, serve_in_thread, browser_page)
        finally:
            store.close()
            if not current:
                from graph.falkordb_store import EmbeddedServer

                EmbeddedServer(s.data_dir).stop()


def _shoot(store: Any, s: Any, out: Path, width: int, serve_in_thread: Any, browser_page: Any) -> None:
    from urllib.parse import quote

    from api import create_app
    from api.pages.screens import sample_subjects

    subjects = {k: quote(v) for k, v in sample_subjects(store).items()}
    application = create_app(s, store)
    out.mkdir(parents=True, exist_ok=True)
    with serve_in_thread(application) as base, browser_page(width=width, height=900) as (page, guard):
        for name, path, label in SHOTS:
            # the first clusters page computes communities and brokers (cached afterwards): allow it time
            page.goto(base + path.format(**subjects), wait_until="load", timeout=180_000)
            if page.locator(".netview").count():
                page.wait_for_selector(".netview[data-drawn='true']", timeout=20000)
                page.wait_for_timeout(400)
            # whole page, but no taller than MAX_SHOT_HEIGHT: the PNGs live in the repository
            height = min(int(page.evaluate("document.documentElement.scrollHeight")), MAX_SHOT_HEIGHT)
            page.screenshot(path=str(out / name), full_page=True,
                            clip={"x": 0, "y": 0, "width": width, "height": height})
            typer.echo(f"{label}: {out / name}")
        if guard.outside:
            raise InputError("a page asked for another host: " + ", ".join(guard.outside))
