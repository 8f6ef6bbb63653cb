"""The analyst pages: home, search, entity, and the name-suggestion endpoint.

Handlers are plain ``def``: FastAPI runs them in its thread pool, so a slow
read never blocks other requests. Every handler reads the store through
:func:`page_store` and turns errors into HTML pages (:func:`page_errors`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.pages import reads
from api.pages.present import edge_facts, facts, kind_of, rel_zh
from api.pages.render import PageNotFound, SECURITY_HEADERS, int_param, page_errors, render
from api.pages.views import neighbourhood_view
from api.viz import DEFAULT_MAX_NODES, View, render_fragment, render_standalone
from graph.errors import InputError
from graph.lookups import node_by_id
from graph.schema import KEY_LABELS, LABEL_ZH, Label, RelType, cypher_label, rel_type
from graph.store import GraphStore, NodeValue
from queries.models import Neighbourhood
from queries.params import MAX_LIMIT

#: Deepest neighbourhood a page offers (the query layer allows 3).
MAX_DEPTH = 3
#: Most nodes a page asks the query layer for.
PAGE_MAX_NODES = MAX_LIMIT

router = APIRouter(include_in_schema=False)


def page_store(request: Request) -> GraphStore:
    """The API's store (its dependency decides how it is opened and guarded)."""
    from api.deps import get_store  # imported here: api.app includes this router

    store = get_store(request)
    request.state.page_store = store
    return store


StoreDep = Annotated[GraphStore, Depends(page_store)]


def _types_param(values: list[str]) -> list[RelType]:
    types = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                types.append(rel_type(part.strip()))
    return list(dict.fromkeys(types))


def _size_by(value: str | None) -> str:
    if value in (None, "", "degree"):
        return "degree"
    if value == "centrality":
        return "centrality"
    raise InputError(f"参数 size 应为 degree 或 centrality (size must be degree or centrality), got {value!r}")


# --------------------------------------------------------------------------- home and search


@router.get("/", response_class=HTMLResponse)
@page_errors
def home(request: Request, store: StoreDep) -> HTMLResponse:
    """Search box, what the graph holds, and the plan's progress at a glance."""
    from api.pages.analytics import plan_rows

    counts = []
    for lbl in (Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE, Label.PLATFORM, Label.BASE, Label.FUND,
                Label.ACHIEVEMENT, Label.ALLIANCE, Label.INDUSTRY):
        n = store.read(f"MATCH (n:{cypher_label(lbl)}) RETURN count(n) AS c")[0]["c"]
        counts.append({"label": lbl.value, "zh": LABEL_ZH[lbl], "count": n})
    return render(request, "pages/home.html", active="/", counts=counts, plan=plan_rows(store))


@router.get("/search", response_class=HTMLResponse)
@page_errors
def search_page(request: Request, store: StoreDep, q: str = "", kind: str = "") -> HTMLResponse:
    """Search results: every node whose name, alias or id matches, exact matches first."""
    q = q.strip()
    if len(q) > 100:
        raise InputError("搜索词过长（最多 100 字）search text is too long (100 characters at most)")
    results = []
    if q:
        for node in reads.suggest(store, q, scope="all", limit=50):
            k = kind_of(node)
            if kind and k["kind"] != kind:
                continue
            results.append({"node": node, "kind": k, "aliases": node.properties.get("aliases") or []})
        if not results and not reads.normalise(q):
            raise InputError("搜索词需包含文字或数字 (the search text needs a letter or a digit)")
    return render(request, "pages/search.html", query=q, results=results)


@router.get("/suggest")
@page_errors
def suggest(request: Request, store: StoreDep, q: str = Query("", max_length=100), scope: str = "all",
            limit: int = Query(10, ge=1, le=30)) -> Response:
    """Name suggestions as you type: ``[{id, name, kind, kind_zh}]`` (``scope=org``: organisations only)."""
    if scope not in ("all", reads.ORG_SCOPE):
        raise InputError(f"scope must be 'all' or 'org', got {scope!r}")
    items = []
    for node in reads.suggest(store, q, scope=scope, limit=limit):
        k = kind_of(node)
        items.append({"id": node.id, "name": node.name, "kind": k["kind"], "kind_zh": k["zh"]})
    return JSONResponse(items, headers={"Cache-Control": "no-store"})


# --------------------------------------------------------------------------- entity


def _entity(store: GraphStore, entity_id: str) -> NodeValue:
    node = node_by_id(store, entity_id)
    if node is None:
        raise PageNotFound(f"图中没有 id 为 {entity_id!r} 的实体 (no entity with id {entity_id!r})")
    return node


def _entity_view(store: GraphStore, node: NodeValue, depth: int, types: list[RelType], max_nodes: int,
                 size_by: str, *, link: bool = True) -> tuple[Neighbourhood, View]:
    return neighbourhood_view(store, str(node.id), hops=depth, types=types, max_nodes=max_nodes,
                              size_by=size_by, link=link)


def _direct(hood: Neighbourhood) -> list[dict[str, Any]]:
    """The centre's direct neighbours with the edge that joins them, by relation then name."""
    by_id = {n.id: n for n in hood.nodes}
    centre = hood.center.id
    rows = []
    for edge in hood.edges:
        if centre not in (edge.start, edge.end) or edge.start == edge.end:
            continue
        other = by_id.get(edge.end if edge.start == centre else edge.start)
        if other is None:
            continue
        rows.append({"node": other, "kind": kind_of(other), "edge": edge,
                     "direction": "out" if edge.start == centre else "in",
                     "facts": edge_facts(edge.properties), "sources": edge.sources})
    return sorted(rows, key=lambda r: (r["edge"].type, r["node"].name or "", r["node"].id))


@router.get("/entity/{entity_id:path}", response_class=HTMLResponse)
@page_errors
def entity_page(request: Request, store: StoreDep, entity_id: str, depth: str | None = None,
                types: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default
                max_nodes: str | None = None, size: str | None = None) -> HTMLResponse:
    """One entity: facts with sources, counts of each relationship, and its neighbourhood as a network."""
    node = _entity(store, entity_id)
    d = int_param(depth, "depth", 1, 1, MAX_DEPTH)
    cap = int_param(max_nodes, "max_nodes", DEFAULT_MAX_NODES, 10, PAGE_MAX_NODES)
    chosen = _types_param(types)
    size_by = _size_by(size)
    counts = reads.relationship_counts(store, node)
    hood, view = _entity_view(store, node, d, chosen, cap, size_by)
    names = reads.names_of(store, [str(node.properties.get("region") or "")])
    direct = _direct(hood)
    present_types = sorted({c.type for c in counts} | {t.value for t in chosen})
    query = urlencode([("id", entity_id), ("depth", d), ("max_nodes", cap), ("size", size_by)]
                      + [("types", t.value) for t in chosen])
    return render(
        request, "pages/entity.html",
        node=node, kind=kind_of(node), facts=facts(node, names), sources=node.properties.get("sources") or [],
        updated_at=node.properties.get("updated_at"), counts=counts, rel_zh=rel_zh,
        neighbours=direct[:200], neighbours_total=len(direct),
        depth=d, max_depth=MAX_DEPTH, chosen=[t.value for t in chosen], present_types=present_types,
        max_nodes=cap, size_by=size_by, network=render_fragment(view), export_query=query,
    )


@router.get("/export/entity.html")
@page_errors
def export_entity(request: Request, store: StoreDep, id: str = Query(..., min_length=1, max_length=200),
                  depth: str | None = None, types: Annotated[list[str], Query()] = [],  # noqa: B006
                  max_nodes: str | None = None, size: str | None = None) -> Response:
    """The entity's network view as one self-contained HTML file, for offline sharing."""
    node = _entity(store, id)
    d = int_param(depth, "depth", 1, 1, MAX_DEPTH)
    cap = int_param(max_nodes, "max_nodes", DEFAULT_MAX_NODES, 10, PAGE_MAX_NODES)
    chosen = _types_param(types)
    _, view = _entity_view(store, node, d, chosen, cap, _size_by(size), link=False)
    name = str(node.properties.get("name") or id)
    subtitle = f"{d} 度邻域 {d}-hop neighbourhood" + (
        " · " + "、".join(rel_zh(t.value) for t in chosen) if chosen else "")
    html = render_standalone(view, title=name, subtitle=subtitle)
    safe = "".join(ch if ch.isalnum() else "-" for ch in id)
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="innograph-{safe}.html"'})


def all_labels() -> list[dict[str, Any]]:
    """Key labels with their Chinese names (filters on the pages)."""
    return [{"label": lbl.value, "zh": LABEL_ZH[lbl]} for lbl in KEY_LABELS]


# --------------------------------------------------------------------------- static files


@router.get("/static/{path:path}")
def static(path: str) -> Response:
    """The pages' own CSS/JS and the vendored vis-network; nothing outside ``api/static`` is served."""
    from fastapi.responses import FileResponse

    from api.viz import STATIC_DIR

    target = (STATIC_DIR / path).resolve()
    if STATIC_DIR not in target.parents or not target.is_file() or target.suffix not in (".js", ".css", ".png", ".svg"):
        return Response("not found", status_code=404, media_type="text/plain")
    media = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
             ".png": "image/png", ".svg": "image/svg+xml"}[target.suffix]
    return FileResponse(target, media_type=media,
                        headers={"Cache-Control": "public, max-age=3600", **SECURITY_HEADERS})
