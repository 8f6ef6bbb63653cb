"""Network views: styling by kind, caps, layout, sizing, escaping, and offline standalone files."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from api.viz import (
    KIND_STYLES,
    VIS_JS,
    build_view,
    render_fragment,
    render_standalone,
)
from graph.errors import InputError
from graph.store import EdgeValue, NodeValue

HOSTILE = "<script>alert(1)</script>"


def org(node_id: str, name: str, kind: str = "Enterprise") -> NodeValue:
    return NodeValue(labels=("Organization", kind), properties={"id": node_id, "name": name})


def star(n: int) -> tuple[list[NodeValue], list[EdgeValue]]:
    """A hub with ``n`` leaves, each leaf also linked to the next (so degrees differ)."""
    nodes = [org("hub", "中心大学", "University")] + [org(f"e{i}", f"企业{i}") for i in range(n)]
    edges = [EdgeValue("COLLABORATES_WITH", "hub", f"e{i}", {"year": 2020 + i % 5}) for i in range(n)]
    return nodes, edges


class ExternalRefs(HTMLParser):
    """Collects every URL an HTML document would make a browser load or navigate to."""

    LOADING = {"src", "href", "action", "formaction", "poster", "data", "srcset", "xlink:href", "background"}

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.texts: list[tuple[str | None, str]] = []
        self._tag: str | None = None
        self._attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self._tag, self._attrs = tag, dict(attrs)
        for name, value in attrs:
            if value and (name in self.LOADING or name == "style"):
                self.refs.extend(re.findall(r"(?:https?:)?//[^\s'\")]+", value) if name == "style" else [value])
            if name == "content" and value and "url=" in value.lower():
                self.refs.append(value)

    def handle_data(self, data):  # noqa: ANN001
        self.texts.append((self._tag, data))


def external(url: str) -> bool:
    return bool(re.match(r"^\s*(https?:)?//", url, re.I)) and not re.match(r"^\s*https?://127\.0\.0\.1[:/]", url)


def test_nodes_are_coloured_and_shaped_by_kind_with_a_legend() -> None:
    nodes = [org("u", "大学", "University"), org("e", "企业", "Enterprise"),
             NodeValue(("Industry",), {"id": "i", "name": "新材料"})]
    edges = [EdgeValue("COLLABORATES_WITH", "u", "e"), EdgeValue("IN_INDUSTRY", "e", "i")]
    view = build_view(nodes, edges)
    by_id = {n["id"]: n for n in view.nodes}
    assert by_id["u"]["color"] == KIND_STYLES["University"].color
    assert by_id["e"]["color"] == KIND_STYLES["Enterprise"].color
    assert by_id["i"]["shape"] == KIND_STYLES["Industry"].shape != by_id["u"]["shape"]
    assert {item.en for item in view.legend} == {"University", "Enterprise", "Industry"}
    html = render_fragment(view)
    assert "高等院校" in html and "产业" in html  # the legend is on the page


def test_edges_carry_their_label_for_hover() -> None:
    view = build_view([org("a", "甲"), org("b", "乙")],
                      [EdgeValue("COLLABORATES_WITH", "a", "b", {"project": "联合研发", "year": 2021})])
    edge = view.edges[0]
    assert edge["hoverLabel"] == "合作"
    assert "联合研发" in edge["title"] and "2021" in edge["title"]
    assert "label" not in edge  # no label drawn until hovered
    assert view.data()["edgeLabels"] == {edge["id"]: "合作"}


def test_a_capped_view_says_showing_n_of_m_and_keeps_the_focus() -> None:
    nodes, edges = star(60)
    view = build_view(nodes, edges, focus=["e59"], max_nodes=10)
    assert view.shown_nodes == 10 and view.total_nodes == 61
    assert view.capped
    assert "显示 10 / 共 61" in view.cap_message() and "showing 10 of 61" in view.cap_message()
    ids = {n["id"] for n in view.nodes}
    assert "e59" in ids and "hub" in ids  # the focus, then the best connected
    assert all(e["from"] in ids and e["to"] in ids for e in view.edges)
    assert "显示 10 / 共 61" in render_fragment(view)


def test_an_uncapped_view_says_how_many_it_shows() -> None:
    nodes, edges = star(3)
    view = build_view(nodes, edges)
    assert not view.capped
    assert view.cap_message().startswith("共 4 个节点、3 条关系")


def test_a_read_cut_short_reports_a_lower_bound() -> None:
    nodes, edges = star(3)
    view = build_view(nodes, edges, total_exact=False)
    assert view.capped and "共 4+ 个节点" in view.cap_message()


def test_large_views_get_a_precomputed_layout_and_no_physics() -> None:
    nodes, edges = star(40)
    small = build_view(nodes, edges, physics_limit=100)
    assert small.physics and small.options["physics"]["enabled"]
    assert all("x" not in n for n in small.nodes)
    large = build_view(nodes, edges, physics_limit=20)
    assert not large.physics and not large.options["physics"]["enabled"]
    xs = {(n["x"], n["y"]) for n in large.nodes}
    assert len(xs) == len(large.nodes)  # every node has its own place


def test_node_size_follows_degree() -> None:
    nodes, edges = star(8)
    view = build_view(nodes, edges)
    size = {n["id"]: n["size"] for n in view.nodes}
    assert size["hub"] > size["e0"]


def test_node_size_can_follow_betweenness_centrality() -> None:
    # two cliques joined through one broker of low degree: centrality makes it the biggest
    nodes = [org(f"a{i}", f"甲{i}") for i in range(5)] + [org(f"b{i}", f"乙{i}") for i in range(5)] + [org("x", "桥")]
    edges = [EdgeValue("COLLABORATES_WITH", f"a{i}", f"a{j}") for i in range(5) for j in range(i + 1, 5)]
    edges += [EdgeValue("COLLABORATES_WITH", f"b{i}", f"b{j}") for i in range(5) for j in range(i + 1, 5)]
    edges += [EdgeValue("COLLABORATES_WITH", "a0", "x"), EdgeValue("COLLABORATES_WITH", "x", "b0")]
    by_degree = {n["id"]: n["size"] for n in build_view(nodes, edges, size_by="degree").nodes}
    by_centrality = {n["id"]: n["size"] for n in build_view(nodes, edges, size_by="centrality").nodes}
    assert by_degree["x"] < by_degree["a1"]
    assert by_centrality["x"] > by_centrality["a1"]


def test_clusters_colour_nodes_and_appear_in_the_legend() -> None:
    nodes = [{"id": "a", "name": "甲", "labels": ["Organization", "University"], "group": "1"},
             {"id": "b", "name": "乙", "labels": ["Organization", "Enterprise"], "group": "2"}]
    view = build_view(nodes, [])
    colours = {n["id"]: n["color"] for n in view.nodes}
    assert colours["a"] != colours["b"]
    assert {"群落 1", "群落 2"} <= {item.zh for item in view.legend}


def test_hostile_names_stay_text_in_the_fragment() -> None:
    view = build_view([org("x", HOSTILE), org("y", "正常企业")], [EdgeValue("COLLABORATES_WITH", "x", "y")],
                      title=HOSTILE)
    html = str(render_fragment(view))
    assert "<script>alert" not in html
    data = re.search(r'<script type="application/json" class="netview-data">(.*?)</script>', html, re.S)
    assert data is not None
    parsed = json.loads(data.group(1))
    # the browser gets the name back exactly, as data: vis-network shows a string title as text
    assert any(HOSTILE in n["title"] for n in parsed["nodes"])
    assert any(n["label"].startswith("<script>") for n in parsed["nodes"])


def test_bad_input_is_refused_with_a_clear_error() -> None:
    with pytest.raises(InputError, match="max_nodes"):
        build_view([org("a", "甲")], [], max_nodes=0)
    with pytest.raises(InputError, match="endpoints"):
        build_view([org("a", "甲")], [{"type": "COLLABORATES_WITH", "start": "a"}])
    with pytest.raises(InputError, match="no id"):
        build_view([{"name": "无编号"}], [])


def test_standalone_file_loads_nothing_from_any_host() -> None:
    nodes, edges = star(5)
    html = render_standalone(build_view(nodes, edges), title="中心大学 " + HOSTILE, subtitle=HOSTILE)
    assert "<script>alert" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    parser = ExternalRefs()
    parser.feed(html)
    assert [r for r in parser.refs if external(r)] == []
    assert [r for r in parser.refs if r and not r.startswith(("#", "data:"))] == []
    # vis-network is inlined whole; outside it (license comments quote their homepages) no URL appears at all
    lib = re.search(r'<script id="vis-network-lib">(.*?)</script>', html, re.S)
    assert lib is not None
    assert lib.group(1) == VIS_JS.read_text(encoding="utf-8")  # it holds no "</script" to escape
    rest = html.replace(lib.group(0), "")
    assert re.findall(r"https?://", rest) == []


def test_vendored_vis_network_is_the_standalone_build_with_its_licences() -> None:
    head = VIS_JS.read_text(encoding="utf-8")[:600]
    assert "@version 9.1.9" in head
    folder = VIS_JS.parent
    assert (folder / "LICENSE-MIT").is_file() and (folder / "LICENSE-APACHE-2.0").is_file()
    assert "sourceMappingURL" not in VIS_JS.read_text(encoding="utf-8")
