"""The GraphStore protocol on both engines: schema, batches, idempotence, atomicity, wipe."""

from __future__ import annotations

import pytest

from graph.errors import ConstraintViolation, StoreError
from graph.schema import Label, RelType
from graph.store import EdgeValue, NodeValue, PathValue
from graph.writes import (
    NodeHandles,
    create_edges_query,
    create_nodes_query,
    merge_nodes_query,
    write_edges,
    write_nodes,
)
from ingest.builtin_sample import EDGES, NODES, load_builtin_sample

NOW = "2026-01-01T00:00:00+00:00"


def counts(store) -> tuple[int, int]:
    n = store.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    e = store.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return n, e


def snapshot(store) -> list:
    nodes = store.read("MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS p ORDER BY id")
    edges = store.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p ORDER BY a, t, b, r.key"
    )
    for row in nodes:
        row["labels"] = sorted(row["labels"])
    return [nodes, edges]


def test_schema_setup_twice_is_ready(store) -> None:
    store.ensure_schema()
    store.ensure_schema()
    assert store.schema_ready()


def test_batch_write_read_back(store) -> None:
    load_builtin_sample(store, now=NOW)
    expected_nodes = sum(len(v) for v in NODES.values())
    expected_edges = sum(len(rows) for *_, rows in EDGES)
    assert counts(store) == (expected_nodes, expected_edges)
    row = store.read("MATCH (n:Organization {id: $id}) RETURN n", {"id": "org:sample:u1"})[0]["n"]
    assert isinstance(row, NodeValue)
    assert set(row.labels) == {"Organization", "University"}
    assert row.properties["name"] == "示例理工大学"
    assert row.properties["aliases"] == ["示例理工"]
    assert row.properties["sources"] == ["innograph:builtin-sample"]
    path = store.read(
        "MATCH p = (a:Organization {id: 'org:sample:u1'})-[:DEVELOPED]->(:Achievement)-[:TRANSFERRED_TO]->(e) RETURN p"
    )[0]["p"]
    assert isinstance(path, PathValue)
    assert [n.id for n in path.nodes] == ["org:sample:u1", "ach:sample:1", "org:sample:e1"]
    assert [e.type for e in path.edges] == ["DEVELOPED", "TRANSFERRED_TO"]
    assert isinstance(path.edges[1], EdgeValue)
    assert (path.edges[1].start, path.edges[1].end) == ("ach:sample:1", "org:sample:e1")
    assert path.edges[1].properties["amount_cny"] == 3.0e6


def test_rewrite_is_idempotent(store) -> None:
    load_builtin_sample(store, now=NOW)
    first = snapshot(store)
    load_builtin_sample(store, now="2027-06-30T00:00:00+00:00")
    assert snapshot(store) == first


def test_changed_property_moves_timestamp_only_there(store) -> None:
    write_nodes(store, Label.UNIVERSITY, [{"id": "u:a", "name": "甲大学"}, {"id": "u:b", "name": "乙大学"}],
                source="f.csv", now=NOW)
    write_nodes(store, Label.UNIVERSITY, [{"id": "u:a", "name": "甲大学（新）"}, {"id": "u:b", "name": "乙大学"}],
                source="f.csv", now="2027-01-01")
    rows = {r["id"]: r for r in store.read("MATCH (n:University) RETURN n.id AS id, n.name AS name, n.updated_at AS u")}
    assert rows["u:a"]["name"] == "甲大学（新）" and rows["u:a"]["u"] == "2027-01-01"
    assert rows["u:b"]["u"] == NOW


def test_parallel_edges_are_told_apart_by_key(store) -> None:
    write_nodes(store, Label.UNIVERSITY, [{"id": "u:a", "name": "甲"}], now=NOW)
    write_nodes(store, Label.ENTERPRISE, [{"id": "e:b", "name": "乙"}], now=NOW)
    rows = [{"start": "u:a", "end": "e:b", "project": "项目一", "year": 2020},
            {"start": "u:a", "end": "e:b", "project": "项目二", "year": 2021}]
    write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION, rows, now=NOW)
    write_edges(store, RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION, rows, now=NOW)
    got = store.read("MATCH (:Organization)-[r:COLLABORATES_WITH]->() RETURN r.project AS p ORDER BY p")
    assert [r["p"] for r in got] == ["项目一", "项目二"]


def test_failed_batch_leaves_nothing(store) -> None:
    write_nodes(store, Label.REGION, [{"id": "r:1", "name": "甲市"}], now=NOW)
    before = snapshot(store)
    # the second row breaks the unique key mid-batch: CREATE, not MERGE, to force it
    query = "UNWIND $rows AS row CREATE (n:Region {id: row.id, name: row.name})"
    with pytest.raises(ConstraintViolation):
        store.write_batch(query, [{"id": "r:2", "name": "乙市"}, {"id": "r:1", "name": "重复"}])
    assert snapshot(store) == before


# awkward values for the bulk CREATE forms: quotes, backslashes, braces, CJK, emoji, lists,
# booleans, floats, keys some rows lack, one text alike in every row, and control characters
# (which FalkorDB's column form cannot carry in its literal text: it sends those batches as rows)
_AWKWARD = ["'}) DETACH DELETE n //\"` \\ 中文", "plain", "tab\there", "line\nbreak", "😀 {a: 1}", "$rows[0]"]


def _bulk_rows(tag: str) -> tuple[list[dict], list[dict]]:
    nodes = []
    for i, name in enumerate(_AWKWARD):
        row = {"id": f"{tag}:{i}", "name": name, "aliases": [name, "别名"] if i % 2 else [],
               "sources": [f"f.csv#row={i}"], "updated_at": NOW}
        if i % 3 == 0:
            row["high_tech"] = bool(i % 2)
            row["founded"] = 1990 + i
        if i == 2:
            row["registered_capital_cny"] = 1.5e9
        nodes.append(row)
    edges = [{"s": f"{tag}:{i}", "e": f"{tag}:{i + 1}",
              "p": {"key": name, "project": name, "sources": [f"e.csv#row={i}", "共同"], "updated_at": NOW,
                    **({"year": 2000 + i} if i % 2 else {})}}
             for i, name in enumerate(_AWKWARD[:-1])]
    return nodes, edges


@pytest.mark.parametrize("controls", [False, True])
def test_bulk_create_forms_write_what_the_row_form_writes(store, controls: bool, monkeypatch) -> None:
    """The CREATE statements a bulk load sends (FalkorDB: column by column, endpoints by
    reference) write exactly what the plain ``UNWIND $rows`` text of the same statement writes."""
    def load(tag: str, bulk: bool) -> list:
        nodes, edges = _bulk_rows(tag)
        if not controls:
            for n in nodes:
                n["name"] = n["name"].replace("\n", " ").replace("\t", " ")
                n["aliases"] = [a.replace("\n", " ").replace("\t", " ") for a in n["aliases"]]
            for e in edges:
                e["p"]["key"] = e["p"]["project"] = e["p"]["key"].replace("\n", " ").replace("\t", " ")
        handles = NodeHandles() if bulk else None
        nq = create_nodes_query(Label.ENTERPRISE, handles)
        eq = create_edges_query(RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION, handles)
        if not bulk:
            nq, eq = str(nq), str(eq)  # plain text: the general path
        got_n = store.write_batch(nq, [dict(n) for n in nodes])
        got_e = store.write_batch(eq, [dict(e, p=dict(e["p"])) for e in edges])
        assert got_n[0]["created"] == len(nodes) and got_e[0]["created"] == len(edges)
        assert set(got_n[0]) == {"created", "updated", "rows"}
        return snapshot(store)

    plain = load("t", False)
    store.wipe()
    if store.capabilities.engine == "falkordb":
        texts: list[str] = []
        run = store._run
        monkeypatch.setattr(store, "_run", lambda text, *a, **kw: texts.append(text) or run(text, *a, **kw))
    assert load("t", True) == plain
    if store.capabilities.engine == "falkordb":
        columns = [t for t in texts if "UNWIND range(0, $n - 1)" in t]
        assert len(columns) == (0 if controls else 2)
        assert sum("id(b) = b0" in t for t in columns) == (0 if controls else 1)  # edge ends by reference


def test_bulk_edges_by_stale_reference_write_nothing_wrong(store) -> None:
    """An endpoint reference that no longer names the node it was taken from finds nothing:
    the row writes no edge (as when the endpoint is gone), never one to another node."""
    handles = NodeHandles()
    nodes = [{"id": f"e:{i}", "name": f"企业{i}", "sources": [], "updated_at": NOW} for i in range(3)]
    store.write_batch(create_nodes_query(Label.ENTERPRISE, handles), nodes)
    store.write("MATCH (n:Organization {id: 'e:1'}) DETACH DELETE n")
    store.write_batch(create_nodes_query(Label.ENTERPRISE),
                      [{"id": "e:new", "name": "新", "sources": [], "updated_at": NOW}])
    eq = create_edges_query(RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION, handles)
    rows = [{"s": "e:0", "e": "e:1", "p": {"key": "", "sources": [], "updated_at": NOW}},
            {"s": "e:0", "e": "e:2", "p": {"key": "", "sources": [], "updated_at": NOW}}]
    got = store.write_batch(eq, rows)
    assert got[0]["created"] == 1
    edges = store.read("MATCH (a)-[r:COLLABORATES_WITH]->(b) RETURN a.id AS a, b.id AS b")
    assert edges == [{"a": "e:0", "b": "e:2"}]


def test_statement_error_is_a_store_error(store) -> None:
    with pytest.raises(StoreError):
        store.read("MATCH (n) RETURN n.id AS id ORDER BY")


def test_values_are_parameters_not_text(store) -> None:
    hostile = "'}) DETACH DELETE n //\"` \\ 中文"
    write_nodes(store, Label.ENTERPRISE, [{"id": "e:x", "name": hostile}], now=NOW)
    write_nodes(store, Label.ENTERPRISE, [{"id": "e:y", "name": "正常"}], now=NOW)
    got = store.read("MATCH (n:Organization {name: $name}) RETURN n.id AS id", {"name": hostile})
    assert [r["id"] for r in got] == ["e:x"]
    assert counts(store)[0] == 2


def test_wipe_empties_the_graph(store) -> None:
    load_builtin_sample(store, now=NOW)
    store.wipe()
    assert counts(store) == (0, 0)
    store.ensure_schema()
    assert store.schema_ready()


def test_merge_query_uses_schema_names_only() -> None:
    from graph.errors import SchemaError

    with pytest.raises(SchemaError):
        merge_nodes_query("Organization) DETACH DELETE n //")
    assert "MERGE (n:Organization {id: row.id})" in merge_nodes_query(Label.UNIVERSITY)


def test_a_read_past_its_time_limit_is_a_query_timeout_and_the_store_still_reads(store) -> None:
    from graph.errors import QueryTimeout

    # a statement that keeps the engine busy for many seconds, stopped by the per-read limit
    slow = "UNWIND range(1, 200000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS c"
    with pytest.raises(QueryTimeout):
        store.read(slow, timeout=0.5)
    write_nodes(store, Label.ENTERPRISE, [{"id": "e:after", "name": "超时之后"}], now=NOW)
    assert store.read("MATCH (n:Organization {id: $id}) RETURN n.name AS name", {"id": "e:after"}) == [
        {"name": "超时之后"}]
