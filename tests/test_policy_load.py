"""Loading plans into the graph, on both engines: idempotence, shared agencies, linking, provenance, atomicity, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.errors import InputError, StoreError
from graph.schema import Label
from graph.writes import write_nodes
from ingest.policy.load import SAMPLE_POLICY_DIR, load_policy
from ingest.policy.text import read_policy_text

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "policy"
REFERENCE = SAMPLE_POLICY_DIR / "heilongjiang_action_plan_2022_2025.txt"
MEASURES = DATA / "heilongjiang_university_measures.txt"
NOW = "2026-01-01T00:00:00+00:00"


def snapshot(store) -> list:
    nodes = store.read("MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS p ORDER BY id")
    edges = store.read("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p "
                       "ORDER BY a, t, b, r.key")
    for row in nodes:
        row["labels"] = sorted(row["labels"])
        row["p"] = {k: sorted(v) if k == "aliases" else v for k, v in row["p"].items()}
    return [nodes, edges]


def test_loading_the_same_text_twice_changes_nothing(store) -> None:
    first = load_policy(store, REFERENCE, now=NOW)
    assert first.created > 0 and first.tasks == 31 and first.targets == 13
    before = snapshot(store)
    again = load_policy(store, REFERENCE, now="2027-06-30T00:00:00+00:00")
    assert again.unchanged
    assert snapshot(store) == before


def test_the_policy_layer_has_the_documents_structure(store) -> None:
    report = load_policy(store, REFERENCE, now=NOW)
    pid = report.policy_id
    policy = store.read("MATCH (p:Policy {id: $id}) RETURN p.name AS name, p.issuer AS issuer, p.date AS date, "
                        "p.period AS period", {"id": pid})[0]
    assert policy == {"name": "黑龙江省科技成果产业化行动计划(2022—2025年)", "issuer": "黑龙江省人民政府办公厅",
                      "date": "2022-06-30", "period": "2022-2025"}
    path = store.read("MATCH (:Policy {id: $id})-[:HAS_TASK]->(:Task {number: '2'})-[:HAS_TASK]->"
                      "(:Task {number: '2.1'})-[:HAS_TASK]->(t:Task {number: '2.1.1'}) RETURN t.name AS name",
                      {"id": pid})
    assert path == [{"name": "实施高等院校科技成果产业化专项行动"}]
    leads = store.read("MATCH (a:Agency)-[:LEADS]->(t:Task {number: '2.1.1'}) RETURN a.name AS name")
    assert [r["name"] for r in leads] == ["黑龙江省教育厅"]
    supports = {r["name"] for r in store.read(
        "MATCH (a:Agency)-[:SUPPORTS]->(t:Task {number: '2.5.3'}) RETURN a.name AS name")}
    assert supports == {"黑龙江省国有资产监督管理委员会", "黑龙江省地方金融监督管理局", "人民银行哈尔滨中心支行",
                        "黑龙江银保监局", "黑龙江证监局", "黑龙江省各市(地)政府(行署)"}
    target = store.read("MATCH (t:Task {number: '1.2'})-[:SETS]->(g:Target {metric: '技术合同登记成交额'}) "
                        "RETURN g.value AS value, g.unit AS unit, g.deadline AS deadline, g.accumulation AS acc, "
                        "g.text AS text, g.policy AS policy")[0]
    assert (target["value"], target["unit"], target["deadline"], target["acc"], target["policy"]) == \
        (2000, "亿元", 2025, "四年累计", pid)
    assert "全省技术合同登记成交额四年累计达到2000亿元" in target["text"]
    focus = {r["name"] for r in store.read(
        "MATCH (:Task {number: '2.2.2'})-[:FOCUSES_ON]->(i:Industry) RETURN i.name AS name")}
    assert {"航空航天", "卫星设计制造", "精量播种和智能收获机械"} <= focus


def test_departments_shared_by_two_documents_are_one_agency(store) -> None:
    a = load_policy(store, REFERENCE, now=NOW)
    b = load_policy(store, MEASURES, now=NOW)
    rows = store.read("MATCH (a:Agency) WHERE a.name = '黑龙江省科学技术厅' RETURN a.id AS id, a.aliases AS aliases")
    assert len(rows) == 1 and "省科技厅" in rows[0]["aliases"]
    policies = store.read("MATCH (a:Agency {id: $id})-[:LEADS]->(t:Task) RETURN DISTINCT t.policy AS p",
                          {"id": rows[0]["id"]})
    assert {r["p"] for r in policies} == {a.policy_id, b.policy_id}
    names = [r["n"] for r in store.read("MATCH (a:Agency) RETURN a.name AS n")]
    assert len(names) == len(set(names))


@pytest.fixture(params=("one page", "pages of one"))
def name_page(request, monkeypatch) -> None:
    """The graph's names read in one statement per label, or one node a statement (as a label far
    larger than a page is read)."""
    if request.param == "pages of one":
        monkeypatch.setattr("ingest.policy.load.NAME_PAGE", 1)


def test_names_link_to_the_graphs_existing_nodes(store, name_page) -> None:
    write_nodes(store, Label.AGENCY, [{"id": "org:hlj_kjt", "name": "黑龙江省科学技术厅", "aliases": ["黑龙江省科技厅"],
                                       "region": "region:hlj"}], source="reference.csv", now=NOW)
    write_nodes(store, Label.REGION, [{"id": "region:hlj", "name": "黑龙江省", "level": "province"}],
                source="reference.csv", now=NOW)
    write_nodes(store, Label.INDUSTRY, [{"id": "ind:aerospace", "name": "航空航天"}], source="reference.csv", now=NOW)
    write_nodes(store, Label.FUND, [{"id": "fund:natl", "name": "国家科技成果转化引导基金黑龙江子基金"}],
                source="reference.csv", now=NOW)
    report = load_policy(store, REFERENCE, now=NOW)
    assert report.agencies_linked >= 1 and report.industries_linked >= 1 and report.organizations_linked >= 1
    kjt = store.read("MATCH (a:Agency {id: 'org:hlj_kjt'}) RETURN a.name AS name, a.aliases AS aliases, "
                     "a.sources AS sources")[0]
    assert kjt["name"] == "黑龙江省科学技术厅"
    assert {"黑龙江省科技厅", "省科技厅"} <= set(kjt["aliases"])
    assert REFERENCE.name in kjt["sources"] and "reference.csv" in kjt["sources"]
    assert store.read("MATCH (a:Agency) WHERE a.name = '黑龙江省科学技术厅' RETURN count(a) AS c")[0]["c"] == 1
    assert store.read("MATCH (:Task {number: '2.2.2'})-[:FOCUSES_ON]->(i:Industry {id: 'ind:aerospace'}) "
                      "RETURN count(*) AS c")[0]["c"] == 1
    assert store.read("MATCH (:Task {number: '2.5.3'})-[:MENTIONS]->(f:Fund {id: 'fund:natl'}) "
                      "RETURN count(*) AS c")[0]["c"] == 1
    assert store.read("MATCH (a:Agency {name: '黑龙江省教育厅'}) RETURN a.region AS r")[0]["r"] == "region:hlj"


def test_every_quoted_fact_carries_file_and_offsets(store) -> None:
    load_policy(store, REFERENCE, now=NOW)
    text = read_policy_text(REFERENCE).original
    rows = store.read("MATCH ()-[r]->() WHERE type(r) IN ['LEADS', 'SUPPORTS', 'SETS', 'FOCUSES_ON', 'MENTIONS'] "
                      "RETURN type(r) AS t, r.span AS span, r.start AS start, r.end AS end, r.sources AS sources")
    assert {r["t"] for r in rows} == {"LEADS", "SUPPORTS", "SETS", "FOCUSES_ON", "MENTIONS"}
    for r in rows:
        assert text[r["start"]:r["end"]] == r["span"], r
        assert r["sources"] == [REFERENCE.name]
    standing = store.read("MATCH (a:Agency)-[r:SUPPORTS]->(:Task {number: '2.5.3'}) "
                          "WHERE a.name STARTS WITH '黑龙江省各市' RETURN r.span AS span")
    assert standing == [{"span": "市(地)政府(行署)"}]  # quoted from 「以下均需市(地)政府(行署)配合」


@pytest.mark.parametrize("content", [b"", bytes(range(256)) * 20, "没有任何编号的中文文字，这段文字不是计划。".encode()])
def test_malformed_input_leaves_the_graph_unchanged(store, tmp_path: Path, content: bytes) -> None:
    load_policy(store, MEASURES, now=NOW)
    before = snapshot(store)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(InputError, match="bad.txt"):
        load_policy(store, bad, now="2027-01-01")
    assert snapshot(store) == before


def test_gbk_text_loads_like_utf8(store, tmp_path: Path) -> None:
    gbk = tmp_path / "measures-gbk.txt"
    gbk.write_bytes(MEASURES.read_text(encoding="utf-8").encode("gbk"))
    report = load_policy(store, gbk, now=NOW)
    assert (report.tasks, report.targets, report.departments) == (6, 3, 7)


class FailingStore:
    """A real store that refuses its n-th batch write, as a crash or a constraint error would."""

    def __init__(self, store, fail_at: int) -> None:
        self._store, self._left = store, fail_at

    def write_batch(self, query, rows, **kw):
        self._left -= 1
        if self._left == 0:
            raise StoreError("injected failure")
        return self._store.write_batch(query, rows, **kw)

    def __getattr__(self, name):
        return getattr(self._store, name)


@pytest.mark.parametrize("fail_at", [1, 4, 9])
def test_a_failed_load_keeps_nothing_of_the_document(store, fail_at: int) -> None:
    load_policy(store, MEASURES, now=NOW)
    before = snapshot(store)
    with pytest.raises(StoreError, match="nothing of it was kept"):
        load_policy(FailingStore(store, fail_at), REFERENCE, now=NOW)
    assert snapshot(store) == before
    load_policy(store, REFERENCE, now=NOW)  # a retry completes it
    assert store.read("MATCH (p:Policy) RETURN count(p) AS c")[0]["c"] == 2


def test_leftovers_of_an_interrupted_load_are_cleaned_and_an_edited_plan_replaces_the_old(store, tmp_path: Path) -> None:
    text = MEASURES.read_text(encoding="utf-8")
    report = load_policy(store, MEASURES, now=NOW)
    # an interrupted load of this document left a task behind with no Policy node
    store.write("MATCH (p:Policy) DETACH DELETE p")
    store.write("CREATE (:Task {id: $id, name: '残留', policy: $pid})", {"id": report.policy_id + "/task/9", "pid": report.policy_id})
    load_policy(store, MEASURES, now=NOW)
    assert store.read("MATCH (t:Task {name: '残留'}) RETURN count(t) AS c")[0]["c"] == 0
    # the next version of the plan drops task (四) and its target
    edited = tmp_path / "measures-v2.txt"
    edited.write_text(text[:text.index("（四）")], encoding="utf-8")
    v2 = load_policy(store, edited, now="2027-01-01")
    assert v2.policy_id == report.policy_id and v2.removed >= 2
    numbers = sorted(r["n"] for r in store.read("MATCH (t:Task {policy: $pid}) RETURN t.number AS n",
                                                   {"pid": report.policy_id}))
    assert numbers == ["1", "2", "2.1", "2.2", "3"]
    assert store.read("MATCH (g:Target {policy: $pid}) RETURN count(g) AS c", {"pid": report.policy_id})[0]["c"] == 2


# --------------------------------------------------------------------------- command line


def run_cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "innograph", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=300)


def test_cli_extract_json_has_the_documented_shape() -> None:
    out = run_cli(["extract", str(REFERENCE), "--json"])
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"document", "tasks", "departments", "targets", "industries", "organizations"}
    assert set(data["document"]) == {"title", "issuer", "date", "period"}
    task = next(t for t in data["tasks"] if t["id"] == "2.1.1")
    assert task == {"id": "2.1.1", "title": "实施高等院校科技成果产业化专项行动", "lead": ["省教育厅"],
                    "support": ["省科技厅", "省工信厅", "各市(地)政府(行署)"]}
    target = next(t for t in data["targets"] if t["metric"] == "高新技术企业")
    assert set(target) == {"metric", "value", "unit", "deadline", "task", "text"}
    assert (target["value"], target["unit"], target["deadline"], target["task"]) == (5000, "家", 2025, "1.2")
    assert {"name": "中俄大学联盟", "kind": "Alliance"} in data["organizations"]
    summary = run_cli(["extract", str(REFERENCE)])
    assert "牵头：省教育厅" in summary.stdout and "高新技术企业：5000家（到2025年）" in summary.stdout


def test_cli_extract_refuses_a_bad_file_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    out = run_cli(["extract", str(bad)])
    assert out.returncode == 2 and "empty.txt" in out.stderr and "Traceback" not in out.stderr


def test_cli_ingest_policy_loads_and_reloads(engine_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "binary.txt"
    bad.write_bytes(bytes(range(256)) * 10)
    first = run_cli(["ingest-policy", str(REFERENCE), str(MEASURES), str(bad), "--json"], engine_env)
    assert first.returncode == 2, first.stderr
    assert "binary.txt" in first.stderr and "Traceback" not in first.stderr
    report = json.loads(first.stdout)
    assert len(report["loaded"]) == 2 and report["loaded"][0]["tasks"] == 31
    again = run_cli(["ingest-policy", str(REFERENCE)], engine_env)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
