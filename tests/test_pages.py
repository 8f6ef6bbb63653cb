"""The analyst pages on both engines: what a reader sees, escaping, errors, and nothing loaded from elsewhere."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from graph.schema import Label, RelType
from graph.writes import write_edges, write_nodes
from ingest.builtin_sample import load_builtin_sample

NOW = "2026-01-01T00:00:00+00:00"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_ID = "org:test:hostile"


def load(store: Any) -> None:
    """The built-in sample plus one enterprise whose name is an HTML injection attempt."""
    load_builtin_sample(store, now=NOW)
    write_nodes(store, Label.ENTERPRISE, [{"id": HOSTILE_ID, "name": HOSTILE, "aliases": ["<b>粗体</b>"],
                                           "region": "region:harbin"}], source="tests/hostile.csv#1", now=NOW)
    write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
                [{"start": "org:sample:u1", "end": HOSTILE_ID, "project": "<img src=x onerror=alert(2)>", "year": 2024}],
                source="tests/hostile.csv#2", now=NOW)


@pytest.fixture
def client(store: Any, tmp_path: Path) -> Iterator[TestClient]:
    from api import create_app
    from innograph.settings import Settings

    load(store)
    app = create_app(Settings(data_dir=tmp_path / "unused"), store)
    with TestClient(app) as c:
        yield c


class Links(HTMLParser):
    """Every URL a page would load or link to, and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        a = dict(attrs)
        if tag == "script":
            self.scripts.append(a)
        for name in ("src", "href", "action", "formaction", "poster", "srcset", "data"):
            if a.get(name):
                self.urls.append(a[name])  # type: ignore[arg-type]
        if a.get("style"):
            self.urls.extend(re.findall(r"url\(([^)]*)\)", a["style"] or ""))


def no_other_host(html: str) -> list[str]:
    """URLs in loading or linking positions that leave this origin."""
    parser = Links()
    parser.feed(html)
    return [u for u in parser.urls if re.match(r"^\s*(https?:)?//", u, re.I)]


PAGES = ["/", "/search?q=示例", "/entity/org:sample:u1", "/entity/org:sample:u1?depth=2",
         "/paths?from=示例理工大学&to=示例石墨科技有限公司", "/chain", "/alliances", "/clusters"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_and_loads_nothing_from_another_host(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert no_other_host(r.text) == []
    assert "innograph" in r.text and "首页" in r.text  # the shared layout and navigation
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
        got = client.get(asset)
        assert got.status_code == 200, asset
        assert not re.search(r"(?:src|href|url)\s*[=(]\s*[\"']?https?://", got.text), asset


def test_search_finds_by_alias_and_links_to_the_entity(client: TestClient) -> None:
    r = client.get("/search", params={"q": "示例理工"})
    assert r.status_code == 200
    assert 'href="/entity/org:sample:u1"' in r.text
    assert "示例理工大学" in r.text
    empty = client.get("/search", params={"q": "没有这个机构"})
    assert "没有找到" in empty.text


def test_suggest_answers_json_and_org_scope_leaves_out_other_kinds(client: TestClient) -> None:
    items = client.get("/suggest", params={"q": "示例"}).json()
    kinds = {i["kind"] for i in items}
    assert {"University", "Enterprise"} <= kinds and all({"id", "name", "kind_zh"} <= set(i) for i in items)
    orgs = client.get("/suggest", params={"q": "示例", "scope": "org", "limit": 30}).json()
    assert orgs and {i["kind"] for i in orgs} <= {"University", "Institute", "Enterprise", "Agency"}
    assert client.get("/suggest", params={"q": "示例", "scope": "bad"}).status_code == 422


def test_entity_page_shows_facts_sources_counts_and_network(client: TestClient) -> None:
    r = client.get("/entity/org:sample:u1")
    assert r.status_code == 200
    html = r.text
    assert "示例理工大学" in html and "哈尔滨市" in html  # its region by name, not id
    assert "innograph:builtin-sample" in html  # where the facts came from
    counts = re.search(r'data-testid="rel-counts">(.*?)</table>', html, re.S)
    assert counts is not None and "COLLABORATES_WITH" in counts.group(1) and "合作" in counts.group(1)
    data = json.loads(re.search(r'class="netview-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    ids = {n["id"] for n in data["nodes"]}
    assert {"org:sample:u1", "org:sample:i1", "ach:sample:1", HOSTILE_ID} <= ids
    assert "org:sample:e1" not in ids  # two hops away: not in a depth-1 view
    assert data["nodes"][0]["url"].startswith("/entity/")
    assert "search_keys" not in html  # derived index keys are not facts


def test_entity_depth_and_type_filters_change_the_view(client: TestClient) -> None:
    deep = client.get("/entity/org:sample:u1", params={"depth": 2}).text
    ids = {n["id"] for n in json.loads(re.search(r'class="netview-data">(.*?)</script>', deep, re.S).group(1))["nodes"]}  # type: ignore[union-attr]
    assert "org:sample:e1" in ids  # u1 → achievement → e1
    only = client.get("/entity/org:sample:u1", params={"types": "COLLABORATES_WITH"}).text
    data = json.loads(re.search(r'class="netview-data">(.*?)</script>', only, re.S).group(1))  # type: ignore[union-attr]
    assert {e["relType"] for e in data["edges"]} == {"COLLABORATES_WITH"}
    assert {n["id"] for n in data["nodes"]} == {"org:sample:u1", "org:sample:i1", HOSTILE_ID}


def test_a_capped_entity_view_says_so(client: TestClient) -> None:
    html = client.get("/entity/org:sample:u1", params={"depth": 3, "max_nodes": 10}).text
    assert re.search(r"显示 10 / 共 \d+\+? 个节点", html)


def test_hostile_names_show_as_text_everywhere(client: TestClient) -> None:
    for path in (f"/entity/{HOSTILE_ID}", "/entity/org:sample:u1", "/search?q=script"):
        html = client.get(path).text
        assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>粗体" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "\\u003cscript\\u003e" in html
    entity = client.get(f"/entity/{HOSTILE_ID}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entity  # heading and facts: shown, as text
    assert "&lt;img src=x onerror=alert(2)&gt;" in entity  # the edge's project, in the neighbour table
    payload = re.search(r'class="netview-data">(.*?)</script>', entity, re.S).group(1)  # type: ignore[union-attr]
    assert "<" not in payload  # JSON for the network: < > & escaped, so it cannot close its <script>
    assert any(n["label"].startswith("<script>") for n in json.loads(payload)["nodes"])  # the data itself is intact
    suggest = client.get("/suggest", params={"q": "script"}).json()
    assert [i["name"] for i in suggest] == [HOSTILE]


def test_unknown_entity_and_bad_parameters_get_html_error_pages(client: TestClient) -> None:
    r = client.get("/entity/org:nope")
    assert r.status_code == 404 and "未找到" in r.text and "org:nope" in r.text
    assert r.headers["content-type"].startswith("text/html")
    for params, word in (({"depth": 9}, "depth"), ({"depth": "x"}, "depth"), ({"types": "NOT_A_TYPE"}, "NOT_A_TYPE"),
                         ({"size": "huge"}, "size"), ({"max_nodes": 5}, "max_nodes")):
        bad = client.get("/entity/org:sample:u1", params=params)
        assert bad.status_code == 422 and word in bad.text, params
        assert "Traceback" not in bad.text


def test_export_is_one_offline_file(client: TestClient) -> None:
    r = client.get("/export/entity.html", params={"id": "org:sample:u1", "depth": 2})
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    html = r.text
    assert "vis-network" in html and "示例理工大学" in html and "示例石墨科技有限公司" in html
    assert no_other_host(html) == [] and "<script src" not in html


def test_path_finder_lists_each_hop_and_draws_the_paths(client: TestClient) -> None:
    r = client.get("/paths", params={"from": "示例理工", "to": "示例石墨科技有限公司", "hops": 4})
    assert r.status_code == 200
    html = r.text
    paths = re.findall(r'data-testid="path">(.*?)</div>', html, re.S)
    assert paths, html[-2000:]
    first = paths[0]
    # u1 研发 achievement, achievement 转化至 e1: each hop in words, stored direction respected
    assert re.search(r"示例理工大学</a> <span class=\"hop-rel\">研发</span> <a [^>]*>示例高纯石墨提纯技术", first)
    assert re.search(r"示例高纯石墨提纯技术</a> <span class=\"hop-rel\">转化至</span> <a [^>]*>示例石墨科技有限公司", first)
    assert "netview-data" in html
    none = client.get("/paths", params={"from": "示例理工大学", "to": "示例石墨科技有限公司", "hops": 1})
    assert 'data-testid="no-path"' in none.text


def test_path_finder_asks_which_one_when_a_name_is_ambiguous(client: TestClient) -> None:
    r = client.get("/paths", params={"from": "示例", "to": "示例石墨科技有限公司"})
    assert r.status_code == 200
    assert "需要确认" in r.text and "示例理工大学" in r.text and 'data-testid="path"' not in r.text


def test_chain_page_marks_gaps(client: TestClient) -> None:
    r = client.get("/chain", params={"industry": "ind:sample:materials"})
    assert r.status_code == 200
    links = re.findall(r'data-testid="chain-link"(.*?)</ul>', r.text, re.S)
    assert len(links) == 2
    # upstream first; graphite ore has no local enterprise (补链); the anode segment has one (强链)
    assert "石墨矿采选" in links[0] and 'data-gap="补链"' in links[0]
    assert "负极材料" in links[1] and "强链" in links[1] and "示例石墨科技有限公司" in links[1]


def test_alliances_page_lists_members_by_kind_and_filters(client: TestClient) -> None:
    r = client.get("/alliances")
    assert r.status_code == 200
    table = re.search(r'data-testid="alliances">(.*?)</table>', r.text, re.S)
    assert table is not None
    assert "示例石墨产业技术创新联盟" in table.group(1) and "示例农业大学" in table.group(1)
    assert "牵头" in table.group(1)
    filtered = client.get("/alliances", params={"region": "region:daqing"}).text
    assert "示例石墨产业技术创新联盟" in filtered  # its lead member is in 大庆
    assert client.get("/alliances", params={"region": "region:nowhere"}).status_code == 422


def test_static_files_stay_inside_their_folder(client: TestClient) -> None:
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/vendor/vis-network/vis-network.min.js").status_code == 200
    for bad in ("/static/../viz.py", "/static/%2e%2e/viz.py", "/static/vendor/vis-network/README.md"):
        assert client.get(bad).status_code == 404, bad


def test_clusters_page_colours_communities_and_links_members(client: TestClient) -> None:
    r = client.get("/clusters")
    assert r.status_code == 200
    cards = re.search(r'data-testid="clusters">(.*)', r.text, re.S)
    assert cards is not None and 'href="/entity/org:sample:u1"' in cards.group(1)
    data = json.loads(re.search(r'class="netview-data">(.*?)</script>', r.text, re.S).group(1))  # type: ignore[union-attr]
    assert data["nodes"] and all(n["url"].startswith("/entity/") for n in data["nodes"])
    assert client.get("/clusters", params={"resolution": "abc"}).status_code == 422


def test_viz_command_writes_a_self_contained_file(engine: str, engine_env: dict[str, str], tmp_path: Path) -> None:
    import subprocess
    import sys

    from innograph.settings import Settings

    s = Settings(data_dir=engine_env.get("INNOGRAPH_DATA_DIR", str(tmp_path / "d")),
                 neo4j_uri=engine_env.get("INNOGRAPH_NEO4J_URI"), neo4j_user=engine_env.get("INNOGRAPH_NEO4J_USER", "neo4j"),
                 neo4j_password=engine_env.get("INNOGRAPH_NEO4J_PASSWORD"))
    st = s.open_store()
    try:
        st.ensure_schema()
        load(st)
    finally:
        st.close()
    out = tmp_path / "u1.html"
    cli = [sys.executable, "-m", "innograph"]
    try:
        done = subprocess.run([*cli, "viz", "neighbourhood", "--id", "org:sample:u1", "--hops", "2", "--out", str(out)],
                              env=engine_env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        html = out.read_text(encoding="utf-8")
        assert "示例理工大学" in html and "示例石墨科技有限公司" in html
        assert "\\u003cscript\\u003ealert(1)" in html and "<script>alert" not in html
        assert no_other_host(html) == [] and "<script src" not in html
        paths = subprocess.run([*cli, "viz", "paths", "--from", "示例理工", "--to", "示例石墨科技有限公司",
                                "--out", str(tmp_path / "p.html")], env=engine_env, capture_output=True, text=True,
                               timeout=120)
        assert paths.returncode == 0, paths.stderr
        bad = subprocess.run([*cli, "viz", "neighbourhood", "--id", "org:nope", "--out", str(tmp_path / "x.html")],
                             env=engine_env, capture_output=True, text=True, timeout=120)
        assert bad.returncode != 0 and "org:nope" in bad.stderr and "Traceback" not in bad.stderr
        assert not (tmp_path / "x.html").exists()
    finally:
        if engine == "falkordb":
            from graph.falkordb_store import EmbeddedServer

            EmbeddedServer(s.data_dir).stop()


def test_clusters_page_computes_brokers_on_request(client: TestClient) -> None:
    plain = client.get("/clusters").text
    assert "brokers=1" in plain and "中介中心性 <span" not in plain
    with_brokers = client.get("/clusters", params={"brokers": 1}).text
    assert 'id="brokers"' in with_brokers and "示例" in with_brokers
