"""The JSON API through HTTP, on both engines: reads, errors, keys, sources, exports, uploads."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any, Iterator

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from graph.schema import Label, RelType
from graph.writes import write_edges, write_nodes
from ingest.builtin_sample import EDGES, NODES, SOURCE, load_builtin_sample
from innograph.settings import Settings

NOW = "2026-01-01T00:00:00+00:00"
KEYS = ("key-one-0123456789", "key-two-9876543210")
SAMPLE_NODES = sum(len(v) for v in NODES.values())
SAMPLE_EDGES = sum(len(rows) for *_, rows in EDGES)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": tmp_path / "data", "api_keys": ",".join(KEYS)}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def client(store, tmp_path: Path) -> Iterator[TestClient]:
    load_builtin_sample(store, now=NOW)
    app = create_app(make_settings(tmp_path), store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def counts(store) -> tuple[int, int]:
    n = store.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    e = store.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return n, e


def snapshot(store) -> list:
    nodes = store.read("MATCH (n) RETURN n.id AS id, properties(n) AS p ORDER BY id")
    edges = store.read("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p "
                       "ORDER BY a, t, b, r.key")
    return [nodes, edges]


def assert_problem(response, status: int) -> dict[str, Any]:
    """The one error shape: RFC 9457 problem details."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert "Traceback" not in response.text
    return body


# --------------------------------------------------------------------------- ops


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["schema_ready"] is True


def test_openapi_documents_every_route_with_problem_errors(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/search", "/api/entities/{entity_id}", "/api/entities/{entity_id}/edges", "/api/ingest",
                 "/api/jobs/{job_id}", "/api/sources", "/api/sources/{source}", "/api/export/graphml"):
        assert path in schema["paths"], path
    for path, ops in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            errors = {s: r for s, r in op["responses"].items() if s.isdigit() and int(s) >= 400}
            assert errors, f"{method} {path} documents no error response"
            for status, resp in errors.items():
                assert list(resp["content"]) == ["application/problem+json"], (method, path, status)
    # models carry examples
    assert schema["components"]["schemas"]["EntityDetail"].get("examples")


# --------------------------------------------------------------------------- entities


def test_entity_detail_has_facts_provenance_and_relationship_counts(client: TestClient) -> None:
    r = client.get("/api/entities/org:sample:u1")
    assert r.status_code == 200
    body = r.json()
    assert body["node"]["id"] == "org:sample:u1"
    assert body["node"]["name"] == "示例理工大学"
    assert set(body["node"]["labels"]) == {"Organization", "University"}
    assert body["node"]["properties"]["aliases"] == ["示例理工"]
    assert body["node"]["sources"] == [SOURCE]
    assert body["kind"] == "University" and body["kind_zh"] == "高等院校"
    rels = {(x["type"], x["direction"]): x["count"] for x in body["relationships"]}
    assert rels == {("DEVELOPED", "out"): 1, ("COLLABORATES_WITH", "out"): 1, ("LOCATED_IN", "out"): 1,
                    ("OPERATES", "out"): 1, ("SPUN_OFF_FROM", "in"): 1}
    assert body["degree"] == 5


def test_entity_without_edges_and_with_a_self_loop(client: TestClient, store) -> None:
    from graph.schema import Label, RelType
    from graph.writes import write_edges, write_nodes

    write_nodes(store, Label.ENTERPRISE, [{"id": "org:alone", "name": "孤立企业"},
                                          {"id": "org:loop", "name": "自投企业"}], now=NOW)
    body = client.get("/api/entities/org:alone").json()
    assert body["node"]["name"] == "孤立企业" and body["relationships"] == [] and body["degree"] == 0
    write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
                [{"start": "org:loop", "end": "org:loop", "year": 2024}], now=NOW)
    body = client.get("/api/entities/org:loop").json()
    rels = {(x["type"], x["direction"]): x["count"] for x in body["relationships"]}
    assert rels == {("COLLABORATES_WITH", "out"): 1, ("COLLABORATES_WITH", "in"): 1} and body["degree"] == 2


def test_unknown_entity_is_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/api/entities/org:does-not-exist"), 404)
    assert "org:does-not-exist" in body["detail"]


def test_entity_edges_page_through_all_edges_once(client: TestClient) -> None:
    seen = []
    offset = 0
    while True:
        r = client.get("/api/entities/org:sample:e2/edges", params={"limit": 1, "offset": offset})
        assert r.status_code == 200
        page = r.json()
        assert page["total"] == 5
        seen += [(e["edge"]["type"], e["neighbour"]["id"], e["direction"]) for e in page["items"]]
        if page["next_offset"] is None:
            assert page["truncated"] is False
            break
        assert page["truncated"] is True
        offset = page["next_offset"]
    assert seen == [("SPUN_OFF_FROM", "org:sample:u1", "out"), ("COLLABORATES_WITH", "org:sample:i1", "in"),
                    ("HOSTS", "base:sample:b1", "in"), ("INCUBATED", "base:sample:b1", "in"),
                    ("INVESTED_IN", "fund:sample:f1", "in")]
    only_in = client.get("/api/entities/org:sample:e2/edges", params={"direction": "in", "type": ["HOSTS"]}).json()
    assert [(e["edge"]["type"], e["edge"]["start"], e["neighbour"]["id"]) for e in only_in["items"]] == [
        ("HOSTS", "base:sample:b1", "base:sample:b1")]


def test_search_finds_by_alias_and_pages(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "示例理工"})
    assert r.status_code == 200
    body = r.json()
    assert body["items"][0]["node"]["id"] == "org:sample:u1"
    assert body["items"][0]["match"] == "exact"
    first = client.get("/api/search", params={"q": "示例", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["total"] > 2 and first["truncated"] and first["next_offset"] == 2
    second = client.get("/api/search", params={"q": "示例", "limit": 2, "offset": 2}).json()
    ids = {h["node"]["id"] for h in first["items"]} & {h["node"]["id"] for h in second["items"]}
    assert not ids
    only = client.get("/api/search", params={"q": "示例", "kind": "Enterprise", "limit": 50}).json()
    assert {h["node"]["id"] for h in only["items"]} == {"org:sample:e1", "org:sample:e2"}


@pytest.mark.parametrize("url,field", [
    ("/api/search?q=", "q"),
    ("/api/search?q=x&limit=0", "limit"),
    ("/api/search?q=x&limit=5000", "limit"),
    ("/api/search?q=x&kind=Spaceship", "kind"),
    ("/api/entities/org:sample:u1/edges?type=NOT_A_TYPE", "type.0"),
    ("/api/entities/org:sample:u1/edges?direction=sideways", "direction"),
    ("/api/export/graphml?hops=9", "hops"),
    ("/api/jobs/not-a-job-id", "job_id"),
])
def test_bad_parameters_are_422_naming_the_field(client: TestClient, url: str, field: str) -> None:
    body = assert_problem(client.get(url), 422)
    assert field in [p["name"] for p in body["invalid_params"]]


def test_every_route_answers_errors_as_problems(client: TestClient) -> None:
    """Hit every API route with requests that must fail; each answer has the one error shape."""
    schema = client.get("/openapi.json").json()
    failures = 0
    for path, ops in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method in ops:
            url = path.replace("{entity_id}", "org:no-such-entity").replace("{job_id}", "0" * 32) \
                .replace("{source}", "no-such-source.csv")
            bad = client.request(method.upper(), url, params={"limit": "-1", "offset": "x", "hops": "99"})
            assert bad.status_code >= 400, (method, url)
            assert_problem(bad, bad.status_code)
            failures += 1
    assert failures >= 10
    assert_problem(client.get("/api/no/such/route"), 404)
    assert_problem(client.put("/api/entities/org:sample:u1"), 405)


# --------------------------------------------------------------------------- keys


def write_attempts(client: TestClient, headers: dict[str, str]) -> list:
    return [
        client.delete(f"/api/sources/{SOURCE}", headers=headers),
        client.post("/api/ingest", headers=headers,
                    files={"file": ("orgs.csv", "id,name,kind\norg:x,某公司,Enterprise\n".encode(), "text/csv")}),
    ]


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"},
                                     {"X-API-Key": KEYS[0] + "x"}, {"Authorization": "Basic " + KEYS[0]}])
def test_missing_or_wrong_key_cannot_write_and_changes_nothing(client: TestClient, store,
                                                               headers: dict[str, str]) -> None:
    before = snapshot(store)
    for r in write_attempts(client, headers):
        body = assert_problem(r, 401)
        assert r.headers.get("www-authenticate", "").startswith("Bearer")
        assert KEYS[0] not in r.text and KEYS[1] not in r.text
    assert snapshot(store) == before
    assert client.get("/api/jobs").json()["total"] == 0
    assert "API key" in body["detail"]


def test_no_configured_key_refuses_writes_saying_how_to_configure(store, tmp_path: Path) -> None:
    load_builtin_sample(store, now=NOW)
    before = snapshot(store)
    app = create_app(make_settings(tmp_path, api_keys=""), store)
    with TestClient(app, raise_server_exceptions=False) as c:
        for r in write_attempts(c, {"X-API-Key": "anything"}):
            body = assert_problem(r, 403)
            assert "INNOGRAPH_API_KEYS" in body["detail"]
        assert c.get("/api/entities/org:sample:u1").status_code == 200
    assert snapshot(store) == before


def test_reads_can_require_a_key(store, tmp_path: Path) -> None:
    load_builtin_sample(store, now=NOW)
    app = create_app(make_settings(tmp_path, require_key_for_reads=True), store)
    with TestClient(app, raise_server_exceptions=False) as c:
        assert_problem(c.get("/api/entities/org:sample:u1"), 401)
        assert_problem(c.get("/api/search", params={"q": "示例"}, headers={"X-API-Key": "nope"}), 401)
        assert c.get("/api/entities/org:sample:u1", headers={"X-API-Key": KEYS[1]}).status_code == 200
        assert c.get("/api/search", params={"q": "示例"},
                     headers={"Authorization": f"Bearer {KEYS[0]}"}).status_code == 200
        assert c.get("/health").status_code == 200  # liveness stays open for probes


def test_cors_origins_are_settable(store, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, cors_origins="https://dash.example.org"), store)
    with TestClient(app, raise_server_exceptions=False) as c:
        ok = c.get("/health", headers={"Origin": "https://dash.example.org"})
        assert ok.headers["access-control-allow-origin"] == "https://dash.example.org"
        other = c.get("/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


# --------------------------------------------------------------------------- sources


def test_delete_source_removes_only_its_facts(client: TestClient, store) -> None:
    auth = {"X-API-Key": KEYS[1]}
    # a second file: one new enterprise, a fact about an existing university, and edges
    write_nodes(store, Label.ENTERPRISE, [{"id": "org:other:e9", "name": "另一家公司"}], source="other.csv#row=2", now=NOW)
    write_nodes(store, Label.UNIVERSITY, [{"id": "org:sample:u1", "name": "示例理工大学"}], source="other.csv#row=3",
                now=NOW)
    write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
                [{"start": "org:sample:u1", "end": "org:other:e9", "project": "联合项目"}], source="other.csv#row=4",
                now=NOW)
    write_edges(store, RelType.LOCATED_IN, Label.ORGANIZATION, Label.REGION,
                [{"start": "org:other:e9", "end": "region:harbin"}], source=SOURCE, now=NOW)
    assert counts(store) == (SAMPLE_NODES + 1, SAMPLE_EDGES + 2)
    listed = {s["source"]: s for s in client.get("/api/sources").json()["items"]}
    assert listed["other.csv"]["nodes"] == 2 and listed["other.csv"]["edges"] == 1

    before = snapshot(store)
    dry = client.delete("/api/sources/other.csv", params={"dry_run": True}, headers=auth)
    assert dry.status_code == 200, dry.text
    assert snapshot(store) == before
    done = client.delete("/api/sources/other.csv", headers=auth)
    assert done.status_code == 200
    expected = {"nodes_deleted": 1, "nodes_updated": 1, "edges_deleted": 2, "edges_updated": 0}
    assert {k: dry.json()[k] for k in expected} == expected
    assert {k: done.json()[k] for k in expected} == expected
    assert counts(store) == (SAMPLE_NODES, SAMPLE_EDGES)
    u1 = client.get("/api/entities/org:sample:u1").json()
    assert u1["node"]["sources"] == [SOURCE]
    assert_problem(client.get("/api/entities/org:other:e9"), 404)
    assert "other.csv" not in {s["source"] for s in client.get("/api/sources").json()["items"]}
    # again: nothing left to do, nothing changes
    after = snapshot(store)
    again = client.delete("/api/sources/other.csv", headers=auth).json()
    assert again["nodes_deleted"] == again["nodes_updated"] == again["edges_deleted"] == 0
    assert snapshot(store) == after


# --------------------------------------------------------------------------- exports


def test_graphml_export_reloads_into_networkx_with_the_same_counts(client: TestClient, store, tmp_path: Path) -> None:
    # a name that needs escaping, and a control character XML cannot hold
    write_nodes(store, Label.ENTERPRISE, [{"id": "org:x&<1>", "name": '<script>"甲&乙"</script>\x01',
                                          "aliases": ["a|b", "丙"], "high_tech": False}], source="x.csv", now=NOW)
    r = client.get("/api/export/graphml")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/graphml+xml")
    assert "attachment" in r.headers["content-disposition"]
    path = tmp_path / "g.graphml"
    path.write_bytes(r.content)
    g = nx.read_graphml(path)
    n, e = counts(store)
    assert (g.number_of_nodes(), g.number_of_edges()) == (n, e) == (SAMPLE_NODES + 1, SAMPLE_EDGES)
    u1 = g.nodes["org:sample:u1"]
    assert u1["name"] == "示例理工大学" and u1["kind"] == "University" and u1["label"] == "示例理工大学"
    assert u1["labels"] == "Organization|University" and u1["aliases"] == "示例理工"
    assert "search_keys" not in u1 and "search_text" not in u1
    e1 = g.nodes["org:sample:e1"]
    assert e1["high_tech"] is True  # typed boolean
    ach = g.nodes["ach:sample:1"]
    assert ach["year"] == 2022 and isinstance(ach["year"], int)
    odd = g.nodes["org:x&<1>"]
    assert odd["name"] == '<script>"甲&乙"</script>' and odd["high_tech"] is False
    transfers = [d for _, _, d in g.edges(data=True) if d["type"] == "TRANSFERRED_TO"]
    assert transfers == [pytest.approx(transfers[0])] and transfers[0]["amount_cny"] == 3.0e6
    assert transfers[0]["year"] == 2023 and transfers[0]["mode"] == "许可"
    text = r.content.decode()
    for attr in ("kind", "labels", "name", "aliases", "high_tech", "year"):
        assert f'attr.name="{attr}"' in text


def test_csv_and_jsonl_exports_hold_every_node_and_edge(client: TestClient, store) -> None:
    n, e = counts(store)
    z = zipfile.ZipFile(io.BytesIO(client.get("/api/export/csv").content))
    assert z.namelist() == ["innograph-nodes.csv", "innograph-edges.csv"]
    nodes = list(csv.DictReader(io.StringIO(z.read("innograph-nodes.csv").decode("utf-8-sig"))))
    edges = list(csv.DictReader(io.StringIO(z.read("innograph-edges.csv").decode("utf-8-sig"))))
    assert (len(nodes), len(edges)) == (n, e)
    u1 = next(row for row in nodes if row["id"] == "org:sample:u1")
    assert u1["name"] == "示例理工大学" and u1["kind"] == "University" and u1["sources"] == SOURCE
    assert {row["type"] for row in edges} == {rel.value for rel, *_ in EDGES}
    single = client.get("/api/export/nodes.csv")
    assert single.headers["content-type"].startswith("text/csv")
    assert single.content.startswith("\ufeff".encode())
    assert len(list(csv.DictReader(io.StringIO(single.content.decode("utf-8-sig"))))) == n
    assert len(list(csv.DictReader(io.StringIO(client.get("/api/export/edges.csv").content.decode("utf-8-sig"))))) == e
    lines = [json.loads(x) for x in client.get("/api/export/jsonl").text.splitlines()]
    assert sum(1 for x in lines if x["element"] == "node") == n
    assert sum(1 for x in lines if x["element"] == "edge") == e
    node = next(x for x in lines if x.get("id") == "org:sample:u1")
    assert node["properties"]["aliases"] == ["示例理工"] and node["sources"] == [SOURCE]


def test_export_of_an_empty_graph_is_valid(store, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), store)
    with TestClient(app, raise_server_exceptions=False) as c:
        path = tmp_path / "empty.graphml"
        path.write_bytes(c.get("/api/export/graphml").content)
        g = nx.read_graphml(path)
        assert g.number_of_nodes() == 0
        assert c.get("/api/export/jsonl").text == ""


# --------------------------------------------------------------------------- uploads


def test_oversized_upload_is_refused_with_413_and_nothing_is_queued(store, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, max_upload_mb=1), store)
    auth = {"X-API-Key": KEYS[0]}
    big = b"id,name\n" + b"org:x," + b"x" * (2 * 1024 * 1024) + b"\n"
    with TestClient(app, raise_server_exceptions=False) as c:
        body = assert_problem(c.post("/api/ingest", headers=auth, files={"file": ("big.csv", big, "text/csv")}), 413)
        assert "1 MB" in body["detail"]

        def chunked() -> Iterator[bytes]:  # no Content-Length: the limit applies while streaming
            yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n"
            for _ in range(40):
                yield b"y" * 65536
            yield b"\r\n--b--\r\n"

        r = c.post("/api/ingest", headers={**auth, "Content-Type": "multipart/form-data; boundary=b"},
                   content=chunked())
        assert_problem(r, 413)
        assert c.get("/api/jobs").json()["total"] == 0
    assert not any((tmp_path / "data" / "uploads").glob("*/*"))


def test_unsupported_file_type_is_415(client: TestClient) -> None:
    r = client.post("/api/ingest", headers={"X-API-Key": KEYS[0]},
                    files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")})
    body = assert_problem(r, 415)
    assert ".xlsx" in body["detail"]
    assert_problem(client.post("/api/ingest", headers={"X-API-Key": KEYS[0]}), 422)
