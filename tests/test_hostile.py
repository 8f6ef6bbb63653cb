"""Hostile input on both engines: Cypher injection in every API parameter and every data field, names
outside the schema, HTML/JS in names shown on pages and network views, path traversal in upload names,
absurd limits and hop counts. The graph must not change, no answer may be a 500, no markup may escape."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from urllib.parse import quote
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from graph.errors import SchemaError
from graph.schema import Label, cypher_label, cypher_rel
from graph.writes import merge_edges_query, merge_nodes_query
from ingest.builtin_sample import load_builtin_sample
from ingest.pipeline import ingest_paths
from innograph.settings import Settings
from tests.faults import snapshot

KEY = "hostile-test-key-5f0c7d2a9e"
INJECTIONS = [
    "'}) DETACH DELETE n //",
    "\"}) MATCH (m) DETACH DELETE m RETURN 1 //",
    "x` DETACH DELETE n //",
    "1; MATCH (n) DETACH DELETE n",
    "') CALL db.labels() YIELD label RETURN label //",
    "\\'; DROP CONSTRAINT ON (n:Organization) ASSERT n.id IS UNIQUE //",
    "$rows",
    "{id: 'x'}",
    "%27%7D%29%20DETACH%20DELETE%20n",
    "\u202e\ufeff\u200b",
    "哈工大' OR 1=1 //",
]
SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>"\'&'
HOSTILE_ID = "org:hostile:'}) DETACH DELETE n --<script>"
#: an id as a file may give it, with slashes
SLASH_ID = "org:hostile:a/b//c"


@pytest.fixture
def hostile_graph(store, tmp_path: Path) -> Any:
    """The sample, plus an enterprise and an alliance loaded from a file whose every cell is hostile."""
    load_builtin_sample(store)
    path = tmp_path / "enterprises.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "名称", "别名", "统一社会信用代码", "所在地区", "企业性质", "来源"])
        w.writerow([HOSTILE_ID, SCRIPT + "有限公司", " | ".join(INJECTIONS[:4]), "", "", "", "javascript:alert(1)"])
        w.writerow([SLASH_ID, "斜杠编号有限公司", "", "", "", "", ""])
        for i, text in enumerate(INJECTIONS):
            w.writerow([f"org:hostile:{i}", f"{text}公司{i}", text, "", text, text, text])
    report = ingest_paths(store, [path])
    # rows with a hostile region or ownership are refused for that reason, never executed
    assert {r.row for r in report.rejected} <= set(range(4, 4 + len(INJECTIONS)))
    assert store.read("MATCH (n:Enterprise {id: $id}) RETURN n.name AS name", {"id": HOSTILE_ID}) == [
        {"name": SCRIPT + "有限公司"}]
    return store


@pytest.fixture
def client(hostile_graph, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", api_keys=KEY)
    with TestClient(create_app(settings, hostile_graph), raise_server_exceptions=False) as c:
        yield c


def _get_routes(client: TestClient) -> list[tuple[str, list[str], list[str]]]:
    schema = client.get("/openapi.json").json()
    out = []
    for path, ops in schema["paths"].items():
        op = ops.get("get")
        if not op or not path.startswith("/api/"):
            continue
        params = op.get("parameters", [])
        out.append((path, [p["name"] for p in params if p["in"] == "path"],
                    [p["name"] for p in params if p["in"] == "query"]))
    return out


def test_injection_in_every_api_parameter_changes_nothing(client: TestClient, hostile_graph) -> None:
    before = snapshot(hostile_graph, ignore=())
    tried = 0
    for path, path_params, query_params in _get_routes(client):
        for text in INJECTIONS:
            url = path
            for name in path_params:
                url = url.replace("{" + name + "}", quote(text, safe=""))
            targets = query_params or [None]
            for name in targets:
                params = {name: text} if name else {}
                r = client.get(url, params=params)
                tried += 1
                assert r.status_code < 500 or r.status_code in (503, 504), (url, name, r.status_code, r.text[:300])
                if r.status_code >= 400:
                    assert r.headers["content-type"].startswith("application/problem+json"), (url, name)
    assert tried > 200
    assert snapshot(hostile_graph, ignore=()) == before


def test_a_nul_character_in_a_parameter_is_a_client_error(client: TestClient) -> None:
    for url in ("/api/entities/a%00b", "/api/search?q=a%00b", "/api/entities/org:sample:u1/neighbourhood?type=a%00"):
        r = client.get(url)
        assert r.status_code in (404, 422) or (r.status_code == 200 and url.startswith("/api/search")), (url, r.text)


def test_hostile_names_are_found_as_text(client: TestClient) -> None:
    r = client.get(f"/api/entities/{quote(HOSTILE_ID, safe='')}")
    assert r.status_code == 200, r.text
    assert r.json()["node"]["name"] == SCRIPT + "有限公司"
    hits = client.get("/api/search", params={"q": "'}) DETACH DELETE n //"}).json()
    assert hits.get("items") is not None


def test_labels_and_types_outside_the_schema_are_refused(client: TestClient) -> None:
    for bad in ("Organization) DETACH DELETE n //", "Foo", "organization", "`Organization`", "Organization:Agency"):
        with pytest.raises(SchemaError):
            cypher_label(bad)
        with pytest.raises(SchemaError):
            merge_nodes_query(bad)
        with pytest.raises(SchemaError):
            cypher_rel(bad)
        with pytest.raises(SchemaError):
            merge_edges_query(bad, Label.ORGANIZATION, Label.ORGANIZATION)
    for url, params in [
        ("/api/entities/org:sample:u1/edges", {"type": "COLLABORATES_WITH]->() DETACH DELETE n //"}),
        ("/api/entities/org:sample:u1/neighbourhood", {"type": "KNOWS"}),
        ("/api/paths", {"source": "org:sample:u1", "target": "org:sample:e1", "type": "X`]-() DELETE r //"}),
        ("/api/search", {"q": "示例", "kind": "Organization) DETACH DELETE n //"}),
        ("/api/export/graphml", {"query": "neighbourhood", "id": "org:sample:u1", "type": "NOPE"}),
    ]:
        r = client.get(url, params=params)
        assert r.status_code == 422, (url, r.status_code, r.text[:300])


def test_an_id_with_slashes_can_be_fetched(client: TestClient) -> None:
    r = client.get(f"/api/entities/{quote(SLASH_ID, safe='')}")
    assert r.status_code == 200, r.text
    assert r.json()["node"]["id"] == SLASH_ID


class _Markup(HTMLParser):
    """Elements and attributes as a browser would build them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _script_free(html: str) -> None:
    """No element, attribute or script text that the hostile name created."""
    m = _Markup()
    m.feed(html)
    assert not [t for t, a in m.tags if t == "img" and a.get("src") == "x"], "an <img> from a name was rendered"
    assert not [(t, k) for t, a in m.tags for k, v in a.items() if k.startswith("on") and "alert" in (v or "")]
    # inside a script, the payload may only appear as JSON string data (quotes escaped), never as code
    for code in m.scripts:
        assert 'alert("xss")' not in code, "the hostile name reached script code unescaped"


def test_html_in_names_stays_text_on_pages_and_network_views(client: TestClient) -> None:
    from urllib.parse import quote

    pages = [
        f"/entity/{quote(HOSTILE_ID, safe='')}",
        f"/search?q={quote(SCRIPT)}",
        "/search?q=" + quote("有限公司"),
        f"/export/entity.html?id={quote(HOSTILE_ID)}",
        f"/suggest?q={quote('<script>')}",
        f"/entity/{quote('<script>alert(1)</script>', safe='')}",
    ]
    shown = 0
    for url in pages:
        r = client.get(url)
        assert r.status_code < 500, (url, r.status_code)
        if not r.headers["content-type"].startswith("text/html"):
            # JSON (name suggestions) is data, never rendered as markup by a browser
            assert r.headers["content-type"].startswith(("application/json", "application/problem+json")), url
            assert r.headers.get("x-content-type-options", "nosniff") == "nosniff"
            continue
        _script_free(r.text)
        shown += "&lt;script&gt;" in r.text or "\\u003cscript" in r.text or "\\u003c" in r.text
    assert shown, "no page showed the hostile name at all: the check proved nothing"


def test_pyvis_view_escapes_hostile_names(hostile_graph, tmp_path: Path) -> None:
    from api.viz import build_view, render_fragment, render_standalone

    rows = hostile_graph.read("MATCH (n) WHERE n.id STARTS WITH 'org:hostile' RETURN n")
    nodes = [r["n"] for r in rows]
    assert any(SCRIPT in n.properties["name"] for n in nodes)
    view = build_view(nodes, [], focus=[HOSTILE_ID], title=SCRIPT)
    for html in (render_fragment(view), render_standalone(view, title=SCRIPT, subtitle=SCRIPT)):
        _script_free(html)
        # the data island cannot be closed early by a name holding </script>
        assert "</script><img" not in html


@pytest.mark.parametrize("name", [
    "../../../../tmp/innograph-pwned.csv", "..\\..\\..\\innograph-pwned.csv", "/etc/cron.d/innograph.csv",
    "....//....//innograph-pwned.csv", "%2e%2e%2finnograph-pwned.csv", "a\x00.csv", ".bashrc.csv",
    "x" * 400 + ".csv", "CON.csv", "enterprises<script>.csv",
])
def test_upload_names_cannot_leave_the_upload_folder(client: TestClient, tmp_path: Path, name: str) -> None:
    body = "编号,名称\norg:hostile:up,上传测试有限公司\n".encode()
    outside = {p for p in Path("/tmp").glob("innograph-pwned*")}
    r = client.post("/api/ingest", headers={"X-API-Key": KEY}, files={"file": (name, body, "text/csv")})
    assert r.status_code in (202, 415, 422), r.text
    uploads = tmp_path / "data" / "uploads"
    for f in uploads.rglob("*"):
        assert f.resolve().is_relative_to(uploads.resolve())
        assert "\x00" not in f.name and len(f.name) <= 255 and not f.name.startswith(".")
    assert {p for p in Path("/tmp").glob("innograph-pwned*")} == outside
    if r.status_code == 202:
        job = client.app.state.jobs.wait(r.json()["id"], timeout=60)
        assert "/" not in job.file and "\\" not in job.file and ".." not in job.file.replace("...", "")
        assert "<" not in job.file


@pytest.mark.parametrize("url,params", [
    ("/api/search", {"q": "示例", "limit": "1000000000000"}),
    ("/api/search", {"q": "示例", "limit": "-1"}),
    ("/api/search", {"q": "示例", "offset": "99999999999999999999"}),
    ("/api/search", {"q": "x" * 20_000}),
    ("/api/entities/org:sample:u1/neighbourhood", {"hops": "1000000"}),
    ("/api/entities/org:sample:u1/neighbourhood", {"hops": "NaN"}),
    ("/api/entities/org:sample:u1/neighbourhood", {"limit": "1e309"}),
    ("/api/paths", {"source": "org:sample:u1", "target": "org:sample:e1", "max_hops": "99"}),
    ("/api/paths", {"source": "org:sample:u1", "target": "org:sample:e1", "limit": "100000000"}),
    ("/api/export/graphml", {"query": "neighbourhood", "id": "org:sample:u1", "hops": "50"}),
    ("/api/entities/org:sample:u1/edges", {"limit": "2147483648"}),
    ("/api/alliances", {"limit": "-5"}),
    ("/api/flows", {"year_from": "-99999999", "year_to": "99999999999"}),
])
def test_absurd_limits_and_hops_are_refused_quickly(client: TestClient, url: str, params: dict[str, str]) -> None:
    import time

    t = time.monotonic()
    r = client.get(url, params=params)
    assert r.status_code == 422, (url, params, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/problem+json")
    assert time.monotonic() - t < 5
