"""Interactive network views (pyvis / vis-network) that work with no internet.

A view is built from nodes and edges in any of the shapes the layers below
return (:class:`graph.store.NodeValue` / :class:`graph.store.EdgeValue`, the
query layer's pydantic models, or plain dicts), then rendered either as a
fragment for a page (the page loads vis-network from ``/static``) or as one
self-contained HTML file with vis-network inlined (``innograph viz``).

pyvis builds the node and edge records; its own template is not used because it
pulls Bootstrap and vis-network from CDNs. Everything that comes from the data
reaches the browser as JSON inside ``<script type="application/json">`` (``<``,
``>``, ``&`` escaped) and is shown by vis-network as text (a string ``title``
becomes the tooltip's ``innerText``), so a name such as ``<script>`` is shown,
never run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Sequence

from graph.errors import InputError
from graph.schema import LABEL_ZH, REL_ZH, Label, RelType
from graph.search_keys import DERIVED_PROPERTIES

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
VIS_JS = STATIC_DIR / "vendor" / "vis-network" / "vis-network.min.js"
NETWORK_JS = STATIC_DIR / "network.js"
NETWORK_CSS = STATIC_DIR / "network.css"

#: Past this many nodes the layout is computed once (networkx) and physics is off,
#: so a large view opens at once instead of simulating on a slow office PC.
PHYSICS_LIMIT = 250
#: Nodes shown by default, and the most a user may ask for.
DEFAULT_MAX_NODES = 300
MAX_NODES_LIMIT = 2000

SizeBy = Literal["degree", "centrality"]


@dataclass(frozen=True)
class KindStyle:
    """How one kind of node looks: colour, vis-network shape, Chinese and English names."""

    color: str
    shape: str
    zh: str
    en: str


#: One style per kind, most specific label first (a University is also an Organization).
KIND_STYLES: dict[str, KindStyle] = {
    Label.UNIVERSITY.value: KindStyle("#1f77b4", "dot", LABEL_ZH[Label.UNIVERSITY], "University"),
    Label.INSTITUTE.value: KindStyle("#17becf", "dot", LABEL_ZH[Label.INSTITUTE], "Institute"),
    Label.ENTERPRISE.value: KindStyle("#ff7f0e", "dot", LABEL_ZH[Label.ENTERPRISE], "Enterprise"),
    Label.AGENCY.value: KindStyle("#7f7f7f", "star", LABEL_ZH[Label.AGENCY], "Agency"),
    Label.PLATFORM.value: KindStyle("#2ca02c", "square", LABEL_ZH[Label.PLATFORM], "Platform"),
    Label.BASE.value: KindStyle("#8c564b", "square", LABEL_ZH[Label.BASE], "Base"),
    Label.FUND.value: KindStyle("#bcbd22", "diamond", LABEL_ZH[Label.FUND], "Fund"),
    Label.ACHIEVEMENT.value: KindStyle("#9467bd", "triangle", LABEL_ZH[Label.ACHIEVEMENT], "Achievement"),
    Label.ALLIANCE.value: KindStyle("#e377c2", "hexagon", LABEL_ZH[Label.ALLIANCE], "Alliance"),
    Label.INDUSTRY.value: KindStyle("#d62728", "triangleDown", LABEL_ZH[Label.INDUSTRY], "Industry"),
    Label.REGION.value: KindStyle("#aec7e8", "ellipse", LABEL_ZH[Label.REGION], "Region"),
    Label.POLICY.value: KindStyle("#393b79", "box", LABEL_ZH[Label.POLICY], "Policy"),
    Label.TASK.value: KindStyle("#5254a3", "box", LABEL_ZH[Label.TASK], "Task"),
    Label.TARGET.value: KindStyle("#6b6ecf", "box", LABEL_ZH[Label.TARGET], "Target"),
    Label.ORGANIZATION.value: KindStyle("#c49c94", "dot", LABEL_ZH[Label.ORGANIZATION], "Organization"),
}
UNKNOWN_STYLE = KindStyle("#999999", "dot", "其他", "Other")

#: Cluster colours (colour-blind-friendlier first), repeated past the end.
CLUSTER_COLORS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf",
)

_FACT_KEYS_SKIPPED = {"id", "name", "aliases", "sources", "updated_at", "key", *DERIVED_PROPERTIES}


def node_kind(labels: Iterable[str]) -> str:
    """The most specific kind among ``labels`` (University before Organization)."""
    have = set(labels)
    for kind in KIND_STYLES:
        if kind in have:
            return kind
    return next(iter(sorted(have)), "")


def kind_style(kind: str) -> KindStyle:
    """The style of ``kind``; unknown kinds get a neutral grey."""
    return KIND_STYLES.get(kind, UNKNOWN_STYLE)


def rel_zh(rel_type: str) -> str:
    """The Chinese name of a relationship type (the type itself when unknown)."""
    try:
        return REL_ZH[RelType(rel_type)]
    except ValueError:
        return rel_type


# --------------------------------------------------------------------------- input shapes


@dataclass
class ViewNode:
    """One node of a view, in the shape the renderer needs."""

    id: str
    name: str
    kind: str
    properties: dict[str, Any] = field(default_factory=dict)
    group: str | None = None  # e.g. a cluster id: colours the node instead of its kind


@dataclass
class ViewEdge:
    """One edge of a view: endpoints by id, the type, and its properties."""

    source: str
    target: str
    type: str
    properties: dict[str, Any] = field(default_factory=dict)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def as_view_node(obj: Any) -> ViewNode:
    """Accept a NodeValue, a query-layer model or a dict and return a :class:`ViewNode`."""
    if isinstance(obj, ViewNode):
        return obj
    props = dict(_get(obj, "properties") or {})
    node_id = _get(obj, "id") or props.get("id")
    if node_id is None:
        raise InputError(f"a node to draw has no id: {obj!r}")
    labels = _get(obj, "labels") or ()
    kind = _get(obj, "kind") or node_kind(labels)
    if isinstance(kind, Label):
        kind = kind.value
    name = _get(obj, "name") or props.get("name") or str(node_id)
    group = _get(obj, "group")
    return ViewNode(id=str(node_id), name=str(name), kind=str(kind or ""), properties=props,
                    group=None if group is None else str(group))


def as_view_edge(obj: Any) -> ViewEdge:
    """Accept an EdgeValue, a query-layer model or a dict and return a :class:`ViewEdge`."""
    if isinstance(obj, ViewEdge):
        return obj
    source = _get(obj, "start") or _get(obj, "source")
    target = _get(obj, "end") or _get(obj, "target")
    rel = _get(obj, "type")
    if isinstance(rel, RelType):
        rel = rel.value
    if source is None or target is None or not rel:
        raise InputError(f"an edge to draw lacks its endpoints or type: {obj!r}")
    return ViewEdge(source=str(source), target=str(target), type=str(rel),
                    properties=dict(_get(obj, "properties") or {}))


# --------------------------------------------------------------------------- the view


@dataclass
class LegendItem:
    """One legend entry: a colour and shape, and what they stand for."""

    color: str
    shape: str
    zh: str
    en: str
    count: int


@dataclass
class View:
    """A network ready to render: vis-network records, options, legend and the cap message."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]
    legend: list[LegendItem]
    total_nodes: int
    total_edges: int
    physics: bool
    title: str = ""
    #: False when the read behind the view stopped early: M is then "at least M"
    total_exact: bool = True

    @property
    def shown_nodes(self) -> int:
        return len(self.nodes)

    @property
    def shown_edges(self) -> int:
        return len(self.edges)

    @property
    def capped(self) -> bool:
        return self.shown_nodes < self.total_nodes or not self.total_exact

    def cap_message(self) -> str:
        """``显示 N / 共 M 个节点 (showing N of M nodes)``, said whether or not the view is capped."""
        n, m = self.shown_nodes, self.total_nodes
        if not self.total_exact:
            return f"显示 {n} / 共 {m}+ 个节点 · showing {n} of more than {m} nodes"
        if n < m:
            return f"显示 {n} / 共 {m} 个节点 · showing {n} of {m} nodes"
        return f"共 {m} 个节点、{self.total_edges} 条关系 · {m} nodes, {self.total_edges} edges"

    def data(self) -> dict[str, Any]:
        """What the browser script receives (serialised by Jinja's ``tojson``, HTML-safe)."""
        return {"nodes": self.nodes, "edges": self.edges, "options": self.options,
                "edgeLabels": {e["id"]: e["hoverLabel"] for e in self.edges}}


def _tooltip(node: ViewNode) -> str:
    style = kind_style(node.kind)
    lines = [node.name, f"{style.zh} {style.en}", f"id: {node.id}"]
    for key, value in node.properties.items():
        if key in _FACT_KEYS_SKIPPED or value is None or value == "" or value == []:
            continue
        if isinstance(value, (list, tuple)):
            value = "、".join(str(v) for v in value)
        lines.append(f"{key}: {value}")
        if len(lines) >= 10:
            break
    return "\n".join(lines)


def _edge_text(edge: ViewEdge) -> tuple[str, str]:
    """A short hover label, and the fuller tooltip of an edge."""
    label = rel_zh(edge.type)
    extras = []
    for key in ("project", "mode", "role", "year", "since", "amount_cny", "parallel"):
        value = edge.properties.get(key)
        if value not in (None, ""):
            extras.append(f"{key}: {value}")
    title = f"{label} {edge.type}" + ("\n" + "\n".join(extras) if extras else "")
    return label, title


def _scores(ids: Sequence[str], pairs: Sequence[tuple[str, str]], size_by: SizeBy) -> dict[str, float]:
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from(pairs)
    if size_by == "centrality" and g.number_of_nodes() > 2:
        # exact betweenness is cubic; sample pivots on big views (seeded: the same view twice looks the same)
        k = None if g.number_of_nodes() <= 500 else 200
        return nx.betweenness_centrality(g, k=k, seed=7)
    return {n: float(d) for n, d in g.degree()}


def _layout(ids: Sequence[str], pairs: Sequence[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Positions computed once on the server, spread so labels stay readable."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from(pairs)
    pos = nx.spring_layout(g, seed=42, iterations=60)
    scale = 90.0 * math.sqrt(max(len(ids), 1))
    return {n: (float(x) * scale, float(y) * scale) for n, (x, y) in pos.items()}


def build_view(
    nodes: Iterable[Any],
    edges: Iterable[Any],
    *,
    focus: Iterable[str] = (),
    max_nodes: int = DEFAULT_MAX_NODES,
    size_by: SizeBy = "degree",
    physics_limit: int = PHYSICS_LIMIT,
    link_pattern: str | None = None,
    total_nodes: int | None = None,
    total_exact: bool = True,
    title: str = "",
    hidden_edges: int = 0,
) -> View:
    """Build a view of ``nodes`` and ``edges``.

    ``focus`` nodes are always kept and drawn larger; past ``max_nodes`` the
    rest are kept by score (degree or betweenness centrality) and the view says
    "显示 N / 共 M". ``total_nodes`` lets a caller whose query was already capped
    report the true M; ``hidden_edges`` counts edges the caller left out (parallel edges past
    a per-pair cap), so the edge total stays true. Past ``physics_limit`` nodes, positions are precomputed
    with networkx and physics is off. ``link_pattern`` (e.g. ``/entity/{id}``)
    makes a node open its page on double-click.
    """
    if max_nodes < 1 or max_nodes > MAX_NODES_LIMIT:
        raise InputError(f"max_nodes must be between 1 and {MAX_NODES_LIMIT}, got {max_nodes}")
    from pyvis.network import Network

    by_id: dict[str, ViewNode] = {}
    for raw in nodes:
        node = as_view_node(raw)
        by_id.setdefault(node.id, node)
    all_edges = [as_view_edge(e) for e in edges]
    all_edges = [e for e in all_edges if e.source in by_id and e.target in by_id]
    focus_ids = [f for f in dict.fromkeys(focus) if f in by_id]

    pairs = [(e.source, e.target) for e in all_edges]
    scores = _scores(list(by_id), pairs, size_by)
    total = max(total_nodes or 0, len(by_id))

    if len(by_id) > max_nodes:
        rest = sorted((i for i in by_id if i not in focus_ids), key=lambda i: (-scores.get(i, 0.0), i))
        keep = set(focus_ids[:max_nodes]) | set(rest[: max(0, max_nodes - len(focus_ids))])
    else:
        keep = set(by_id)
    shown = [n for n in by_id.values() if n.id in keep]
    shown_edges = [e for e in all_edges if e.source in keep and e.target in keep]

    physics = len(shown) <= physics_limit
    positions = {} if physics else _layout([n.id for n in shown], [(e.source, e.target) for e in shown_edges])

    top = max((scores.get(n.id, 0.0) for n in shown), default=0.0) or 1.0
    groups = sorted({n.group for n in shown if n.group is not None}, key=_natural)
    group_color = {g: CLUSTER_COLORS[i % len(CLUSTER_COLORS)] for i, g in enumerate(groups)}

    net = Network(directed=True, cdn_resources="in_line")
    for node in shown:
        style = kind_style(node.kind)
        color = group_color.get(node.group, style.color) if node.group is not None else style.color
        size = 12 + 26 * math.sqrt(scores.get(node.id, 0.0) / top)
        extra: dict[str, Any] = {}
        if node.id in focus_ids:
            size = max(size, 34)
            extra["borderWidth"] = 4
            extra["font"] = {"size": 17}
        if node.id in positions:
            extra["x"], extra["y"] = positions[node.id]
        if link_pattern:
            extra["url"] = link_pattern.format(id=node.id)
        net.add_node(node.id, label=_short(node.name), shape=style.shape, color=color, title=_tooltip(node),
                     size=round(size, 1), kind=node.kind, **extra)
    for i, edge in enumerate(shown_edges):
        label, tooltip = _edge_text(edge)
        net.add_edge(edge.source, edge.target, id=f"e{i}", title=tooltip, hoverLabel=label, relType=edge.type)

    legend = _legend(shown, group_color)
    return View(nodes=list(net.nodes), edges=list(net.edges), options=_options(physics), legend=legend,
                total_nodes=total, total_edges=len(all_edges) + hidden_edges, physics=physics, title=title,
                total_exact=total_exact)


def _natural(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (1 << 30, value)


def _short(name: str, limit: int = 18) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _legend(shown: Sequence[ViewNode], group_color: Mapping[str, str]) -> list[LegendItem]:
    items: list[LegendItem] = []
    counts: dict[str, int] = {}
    for n in shown:
        counts[n.kind] = counts.get(n.kind, 0) + 1
    neutral = bool(group_color)
    for kind, count in sorted(counts.items(), key=lambda kv: list(KIND_STYLES).index(kv[0]) if kv[0] in KIND_STYLES else 99):
        style = kind_style(kind)
        # when clusters colour the nodes, the kind legend only tells shapes
        items.append(LegendItem("#bbbbbb" if neutral else style.color, style.shape, style.zh, style.en, count))
    for group, color in group_color.items():
        n = sum(1 for x in shown if x.group == group)
        items.append(LegendItem(color, "dot", f"群落 {group}", f"cluster {group}", n))
    return items


def _options(physics: bool) -> dict[str, Any]:
    return {
        "autoResize": True,
        "nodes": {"font": {"size": 13, "face": "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"},
                  "borderWidth": 1},
        "edges": {"color": {"color": "#9aa5b1", "highlight": "#2b6cb0", "hover": "#2b6cb0"},
                  "smooth": False if not physics else {"type": "continuous"},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "font": {"size": 12, "align": "middle", "strokeWidth": 3}},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "keyboard": False,
                        "hideEdgesOnDrag": not physics},
        "physics": {"enabled": physics, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110, "avoidOverlap": 0.4},
                    "stabilization": {"enabled": physics, "iterations": 250, "fit": True}},
        "layout": {"improvedLayout": physics},
    }


# --------------------------------------------------------------------------- rendering


@lru_cache(maxsize=1)
def template_env():  # -> jinja2.Environment
    """The Jinja2 environment of the views and pages: autoescape on, undefined names are errors."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    # keep Chinese readable in the embedded JSON; tojson still escapes < > & ' for HTML
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env


def render_fragment(view: View, *, dom_id: str = "network", height: str = "560px", navigate: bool = True) -> str:
    """The HTML of a view inside a page: legend, cap message, canvas and its data (no script libraries)."""
    from markupsafe import Markup

    html = template_env().get_template("viz/fragment.html").render(view=view, dom_id=dom_id, height=height, navigate=navigate)
    return Markup(html)


@lru_cache(maxsize=1)
def _inline_assets() -> tuple[str, str, str]:
    return (_inline_safe(VIS_JS.read_text(encoding="utf-8"), "script"),
            _inline_safe(NETWORK_JS.read_text(encoding="utf-8"), "script"),
            _inline_safe(NETWORK_CSS.read_text(encoding="utf-8"), "style"))


def _inline_safe(text: str, element: str) -> str:
    """``text`` safe inside an inline ``<script>``/``<style>``: only ``</script`` (``</style``) ends one early.

    ``<\\/script`` means the same inside a JS string or regular expression; any
    other ``</`` (vis-network has regular expressions such as ``/</``) is left alone.
    """
    import re

    return re.sub(rf"</({element})", r"<\\/\1", text, flags=re.IGNORECASE)


def render_standalone(view: View, *, title: str, subtitle: str = "") -> str:
    """One self-contained HTML file: vis-network, the view and its legend inline; nothing loaded from anywhere."""
    from markupsafe import Markup

    vis_js, own_js, css = _inline_assets()
    fragment = render_fragment(view, navigate=False, height="78vh")
    return template_env().get_template("viz/standalone.html").render(
        title=title, subtitle=subtitle, fragment=fragment, vis_js=Markup(vis_js), own_js=Markup(own_js),
        css=Markup(css), view=view)
