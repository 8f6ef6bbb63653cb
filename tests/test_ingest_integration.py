"""The ingestion pipeline on both engines: idempotence, bad rows, encodings, resolution, atomicity."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import QueryTimeout, StoreError
from graph.schema import Label
from graph.writes import write_node_rows
from ingest.generate import REFERENCE
from ingest.pipeline import ingest_paths

NOW = "2026-01-01T00:00:00+00:00"


def snapshot(store) -> list:
    nodes = store.read("MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS p ORDER BY id")
    edges = store.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p ORDER BY a, t, b, r.key"
    )
    for row in nodes:
        row["labels"] = sorted(row["labels"])
    return [nodes, edges]


def counts(store) -> tuple[int, int]:
    return (store.read("MATCH (n) RETURN count(n) AS c")[0]["c"],
            store.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"])


def node(store, id_: str) -> dict:
    rows = store.read("MATCH (n) WHERE n.id = $id RETURN properties(n) AS p, labels(n) AS l", {"id": id_})
    assert rows, f"no node {id_}"
    return rows[0]["p"] | {"_labels": sorted(rows[0]["l"])}


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


BASE = """编号,名称,级别,上级,别名
r:hlj,黑龙江省,省,,黑龙江
r:hrb,哈尔滨市,市,r:hlj,哈市|冰城
r:jx,鸡西市,市,黑龙江省,
"""

INDUSTRIES = """id,name,level,parent_id
i:gr,石墨新材料,industry,
i:anode,负极材料,segment,i:gr
i:ore,石墨矿采选,segment,石墨新材料
"""

ORGS = """编号,名称,机构类别,所在地区,统一社会信用代码,企业性质,高新技术企业,所属产业,来源
o:u1,哈尔滨工业大学,高校,哈尔滨市,,,,,https://example.org/hit
o:e1,华为技术有限公司,企业,哈市,914403001922038216,民营,是,负极材料|i:ore,https://example.org/hw
o:e2,示例负极材料有限公司,企业,r:jx,,私营,否,i:anode,
"""

CHAIN = """upstream_id,downstream_id,source
i:ore,i:anode,https://example.org/chain
"""


@pytest.fixture
def base_dir(tmp_path: Path) -> Path:
    d = tmp_path / "load"
    write(d / "regions.csv", BASE)
    write(d / "industries.csv", INDUSTRIES)
    write(d / "organizations.csv", ORGS)
    write(d / "industry_chain.csv", CHAIN)
    return d


def test_a_folder_loads_and_loading_it_again_changes_nothing(store, base_dir: Path) -> None:
    first = ingest_paths(store, [base_dir], now=NOW, default_aliases=False)
    assert first.rejected == [], first.rejected
    assert first.counts["Region"].created == 3 and first.counts["Enterprise"].created == 2
    assert first.counts["LOCATED_IN"].created == 3 and first.counts["IN_INDUSTRY"].created == 3
    assert first.counts["PART_OF"].created == 4 and first.counts["UPSTREAM_OF"].created == 1
    hw = node(store, "o:e1")
    assert hw["_labels"] == ["Enterprise", "Organization"]
    assert hw["region"] == "r:hrb" and hw["ownership"] == "private" and hw["high_tech"] is True
    assert hw["uscc"] == "914403001922038216"
    assert hw["sources"] == ["organizations.csv#row=3", "https://example.org/hw"]
    assert hw["updated_at"] == NOW
    assert node(store, "r:jx")["level"] == "city"
    before = snapshot(store)
    assert counts(store) == (9, 11)

    again = ingest_paths(store, [base_dir], now="2027-06-30T00:00:00+00:00", default_aliases=False)
    assert again.rejected == []
    assert all(c.created == 0 and c.updated == 0 for c in again.counts.values()), again.counts
    assert sum(c.unchanged for c in again.counts.values()) == sum(c.created for c in first.counts.values())
    assert snapshot(store) == before


def test_a_newer_file_updates_what_changed_only(store, base_dir: Path, tmp_path: Path) -> None:
    ingest_paths(store, [base_dir], now=NOW, default_aliases=False)
    newer = write(tmp_path / "q2" / "organizations.csv",
                  "编号,名称,机构类别,所在地区,企业性质,高新技术企业\n"
                  "o:e2,示例负极材料有限公司,企业,r:jx,民营,是\n"  # high_tech changed
                  "o:u1,哈尔滨工业大学,高校,哈尔滨市,,\n")      # the same, from a row further down
    report = ingest_paths(store, [newer], now="2027-01-01", default_aliases=False)
    assert report.counts["Enterprise"].updated == 1
    e2 = node(store, "o:e2")
    assert e2["high_tech"] is True and e2["updated_at"] == "2027-01-01"
    # the entry of the same file name was replaced by the new row, not added to
    assert e2["sources"] == ["organizations.csv#row=2"]
    hw = node(store, "o:e1")
    assert hw["updated_at"] == NOW  # not in the newer file: untouched


def test_bad_rows_are_reported_and_skip_loads_the_good_ones(store, base_dir: Path, tmp_path: Path) -> None:
    ingest_paths(store, [base_dir], now=NOW, default_aliases=False)
    bad = write(tmp_path / "new" / "enterprises.csv",
                "名称,统一社会信用代码,企业性质,所在地区,高新技术企业\n"
                "好企业甲有限公司,91440300708461136T,民营,哈尔滨市,是\n"
                "坏代码有限公司,91440300708461136X,民营,哈尔滨市,否\n"
                "坏性质有限公司,,合伙,哈尔滨市,否\n"
                ",,民营,哈尔滨市,否\n"
                "坏地区有限公司,,民营,火星市,否\n"
                "坏标志有限公司,,民营,哈尔滨市,也许\n"
                "好企业乙有限公司,,外资,鸡西市,否\n")
    report = ingest_paths(store, [bad], on_error="skip", now=NOW, default_aliases=False)
    got = {(r.row, r.column) for r in report.rejected}
    assert got == {(3, "统一社会信用代码"), (4, "企业性质"), (5, "名称"), (6, "所在地区"), (7, "高新技术企业")}
    assert all(r.file == "enterprises.csv" and r.reason for r in report.rejected)
    reasons = {r.row: r.reason for r in report.rejected}
    assert "GB 32100-2015" in reasons[3] and "火星市" in reasons[6]
    assert report.counts["Enterprise"].created == 2 and report.counts["Enterprise"].rejected == 5
    names = {r["n"] for r in store.read("MATCH (n:Enterprise) RETURN n.name AS n")}
    assert {"好企业甲有限公司", "好企业乙有限公司"} <= names and "坏地区有限公司" not in names
    assert report.files[-1].status == "partly loaded"


def test_abort_loads_nothing_from_a_file_with_a_bad_row(store, base_dir: Path, tmp_path: Path) -> None:
    ingest_paths(store, [base_dir], now=NOW, default_aliases=False)
    before = snapshot(store)
    bad = write(tmp_path / "new" / "enterprises.csv",
                "名称,企业性质,所在地区\n好企业丙有限公司,民营,哈尔滨市\n坏企业有限公司,民营,火星市\n")
    edges = write(tmp_path / "new" / "collaborations.csv",
                  "合作方A,合作方B,项目,年份\n好企业丙有限公司,哈工大,示例项目,2024\n")
    report = ingest_paths(store, [bad, edges], on_error="abort", now=NOW, default_aliases=False)
    assert [(r.file, r.row, r.column) for r in report.rejected][0] == ("enterprises.csv", 3, "所在地区")
    assert report.files[0].status == "refused"
    # the refused file's good row does not exist, so the edge naming it is rejected too
    assert report.files[1].status == "refused"
    assert any("好企业丙有限公司" in r.reason for r in report.rejected if r.file == "collaborations.csv")
    assert snapshot(store) == before


def test_edges_to_unknown_nodes_are_rejected_and_names_resolve_like_ids(store, base_dir: Path, tmp_path: Path) -> None:
    ingest_paths(store, [base_dir], now=NOW, default_aliases=False)
    collab = write(tmp_path / "e" / "collaborations.csv",
                   "合作方A,合作方B,项目,年份\n"
                   "o:u1,o:e1,项目甲,2023\n"
                   "哈尔滨工业大学,华为技术有限公司,项目乙,2024\n"         # by name
                   "哈尔滨工业大学,914403001922038216,项目丙,2024\n"     # by USCC
                   "o:u1,o:nobody,项目丁,2024\n"                         # unknown id
                   "哈尔滨工业大学,不存在的公司,项目戊,2024\n"             # unknown name
                   "o:u1,o:u1,项目己,2024\n"                              # both ends the same
                   "o:u1,o:e1,项目甲,2023\n")                             # a repeat of row 2
    before = counts(store)
    report = ingest_paths(store, [collab], now=NOW, default_aliases=False)
    assert {(r.row, r.column) for r in report.rejected} == {(5, "合作方B"), (6, "合作方B"), (7, "合作方B")}
    assert report.counts["COLLABORATES_WITH"].created == 3
    rows = store.read("MATCH (a)-[r:COLLABORATES_WITH]->(b) RETURN a.id AS a, b.id AS b, r.project AS p ORDER BY p")
    assert [(r["a"], r["b"], r["p"]) for r in rows] == [("o:u1", "o:e1", p) for p in ("项目丙", "项目乙", "项目甲")]
    assert counts(store)[0] == before[0]  # no node was made up for the unknown ends
    # an Enterprise cannot be an alliance
    member = write(tmp_path / "e" / "memberships.csv", "成员单位,联盟,角色\no:u1,o:e1,成员\n")
    report = ingest_paths(store, [member], now=NOW, default_aliases=False)
    assert "Alliance" in report.rejected[0].reason


def test_an_alias_and_a_uscc_merge_two_spellings_of_one_organisation(store, base_dir: Path, tmp_path: Path) -> None:
    ingest_paths(store, [base_dir], now=NOW, default_aliases=False)
    aliases = write(tmp_path / "a" / "简称.csv", "简称,全称\n哈工大,哈尔滨工业大学\n")
    spellings = write(tmp_path / "a" / "universities.csv",
                      "名称,所在地区\n哈工大,哈尔滨市\n")
    companies = write(tmp_path / "a" / "enterprises.csv",
                      "名称,统一社会信用代码,规模以上\n"
                      "华为技术（哈尔滨）股份有限公司,914403001922038216,是\n"
                      "示例负极材料有限责任公司,,是\n")  # the same name, another legal-form spelling
    before = counts(store)
    report = ingest_paths(store, [aliases, spellings, companies], now="2027-01-01", default_aliases=False)
    assert report.rejected == []
    assert counts(store)[0] == before[0]  # nothing new: three rows, three known entities
    merges = {(m.name, m.into_id, m.by) for m in report.merges}
    assert ("哈工大", "o:u1", "alias") in merges
    assert ("华为技术（哈尔滨）股份有限公司", "o:e1", "uscc") in merges
    assert ("示例负极材料有限责任公司", "o:e2", "name") in merges
    hw = node(store, "o:e1")
    assert hw["name"] == "华为技术有限公司" and hw["above_scale"] is True
    assert "华为技术（哈尔滨）股份有限公司" in hw["aliases"]
    assert "哈工大" in node(store, "o:u1")["aliases"]  # stored, so the next load needs no alias table
    edge = write(tmp_path / "b" / "developed.csv", "研发单位,成果\n哈工大,不存在的成果\n")
    assert "Achievement" in ingest_paths(store, [edge], default_aliases=False).rejected[0].reason


def test_gbk_csv_and_xlsx_with_chinese_headers_load(store, base_dir: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    ingest_paths(store, [base_dir], now=NOW, default_aliases=False)
    gbk = write(tmp_path / "x" / "科技成果.csv",
                "成果编号,成果名称,成果类型,年份,转化状态,技术领域\n"
                "a:1,高纯石墨提纯技术,技术,2023年,转化中,新材料\n"
                "a:2,一种负极材料的制备方法,专利,2021,存量,新材料\n", encoding="gbk")
    wb = Workbook()
    ws = wb.active
    ws.title = "成果转化"
    ws.append(["2024年度科技成果转化情况表"])  # a title row above the header
    ws.append(["成果名称", "受让企业", "转化方式", "合同金额（万元）", "年份"])
    ws.append(["高纯石墨提纯技术", "示例负极材料有限公司", "技术许可", 300, 2024])
    ws.append(["一种负极材料的制备方法", "华为技术有限公司", "作价入股", "1.5亿元", 2024.0])
    notes = wb.create_sheet("说明")
    notes.append(["本表由某市科技局填报"])
    xlsx = tmp_path / "x" / "转化.xlsx"
    wb.save(xlsx)
    report = ingest_paths(store, [gbk.parent], now=NOW, default_aliases=False)
    assert report.rejected == [], report.rejected
    assert [f.encoding for f in report.files if f.file.endswith(".csv")] == ["gb18030"]
    assert node(store, "a:1")["name"] == "高纯石墨提纯技术" and node(store, "a:1")["status"] == "transferring"
    rows = store.read("MATCH (a:Achievement)-[r:TRANSFERRED_TO]->(e) RETURN a.id AS a, e.id AS e, r.mode AS m, "
                      "r.amount_cny AS amt, r.year AS y, r.sources AS s ORDER BY a")
    assert [(r["a"], r["e"], r["m"], r["amt"], r["y"]) for r in rows] == [
        ("a:1", "o:e2", "许可", 3_000_000, 2024), ("a:2", "o:e1", "作价入股", 150_000_000, 2024)]
    assert rows[0]["s"] == ["转化.xlsx#row=3"]


def test_a_failed_batch_leaves_nothing_half_written(store, tmp_path: Path) -> None:
    rows = "".join(f"示例企业{i:04d}有限公司,e:{i:04d}\n" for i in range(1, 31))
    path = write(tmp_path / "enterprises.csv", "名称,编号\n" + rows)
    # Another writer creates e:0025 while the load is under way: the batch that
    # CREATEs it breaks the uniqueness constraint and must be undone whole.
    intruded = []

    def progress(done: int, total: int | None) -> None:
        if not intruded:
            store.write("CREATE (:Organization:Enterprise {id: 'e:0025', name: '别人先写的'})")
            intruded.append(done)

    import ingest.pipeline as pipeline

    every, pipeline._PROGRESS_EVERY = pipeline._PROGRESS_EVERY, 5
    try:
        report = ingest_paths(store, [path], batch_size=20, progress=progress, default_aliases=False)
    finally:
        pipeline._PROGRESS_EVERY = every
    assert intruded
    ids = sorted(r["id"] for r in store.read("MATCH (n:Enterprise) RETURN n.id AS id"))
    # batch 1 (rows 1–20) written; batch 2 (rows 21–30) refused whole: only the intruder of it exists
    assert ids == [f"e:{i:04d}" for i in range(1, 21)] + ["e:0025"]
    assert report.counts["Enterprise"].created == 20 and report.counts["Enterprise"].rejected == 10
    [refused] = report.rejected
    assert refused.row == 22 and "none written" in refused.reason
    # the same at the lowest level: an invalid value in the middle of a batch
    with pytest.raises(StoreError):
        write_node_rows(store, Label.REGION, [
            {"id": "r:ok", "props": {"name": "好"}, "aliases": [], "sources": [], "replace": [], "now": NOW},
            {"id": "r:bad", "props": {"name": {"nested": "map"}}, "aliases": [], "sources": [], "replace": [],
             "now": NOW},
        ])
    assert store.read("MATCH (n:Region) RETURN count(n) AS c")[0]["c"] == 0


def test_reference_data_loads_whole_with_aliases_and_sources(store) -> None:
    seen: list[tuple[int, int | None]] = []
    report = ingest_paths(store, [REFERENCE], progress=lambda d, t: seen.append((d, t)))
    assert report.rejected == [], report.rejected[:5]
    assert seen and seen[-1][0] == report.rows_read
    cities = store.read("MATCH (c:Region {level: 'city'})-[:PART_OF]->(:Region {id: 'region:hlj'}) "
                        "RETURN count(c) AS c")[0]["c"]
    assert cities == 13
    hit = node(store, "org:hit")
    assert "哈工大" in hit["aliases"] and hit["_labels"] == ["Organization", "University"]
    assert any(s.startswith("organizations.csv#row=") for s in hit["sources"])
    assert any(s.startswith("http") for s in hit["sources"])
    chains = store.read("MATCH (:Industry)-[r:UPSTREAM_OF]->(:Industry) RETURN count(r) AS c")[0]["c"]
    assert chains >= 5
    kinds = {r["l"] for r in store.read("MATCH (n:Organization) UNWIND labels(n) AS l RETURN DISTINCT l")}
    assert {"University", "Institute", "Enterprise", "Agency"} <= kinds


def test_a_generated_jsonl_set_loads_whole(store, tmp_path: Path) -> None:
    from ingest.generate import generate

    generate(tmp_path / "gen", scale=300, seed=5, fmt="jsonl")
    report = ingest_paths(store, [tmp_path / "gen"], batch_size=500)
    assert report.rejected == [], report.rejected[:3]
    assert report.counts["Enterprise"].created > 100 and report.counts["TRANSFERRED_TO"].created > 10
    amounts = store.read("MATCH ()-[r:INVESTED_IN]->() RETURN min(r.amount_cny) AS lo")[0]["lo"]
    assert amounts >= 1e4  # written as 万元 in the files, stored in 元


def test_the_demo_loads_reference_and_generated_data_once(store) -> None:
    from ingest.demo import load_demo

    first = load_demo(store, scale=300, seed=2)
    assert first.rejected == [], first.rejected[:3]
    assert first.counts["Enterprise"].created > 100  # real ones and generated ones
    real = store.read("MATCH (n:Organization) WHERE NOT n.id STARTS WITH 'gen:' RETURN count(n) AS c")[0]["c"]
    assert real >= 50
    # generated actors sit in the real cities and industries of the reference data
    linked = store.read("MATCH (e:Enterprise)-[:IN_INDUSTRY]->(i:Industry) WHERE e.id STARTS WITH 'gen:' "
                        "AND NOT i.id STARTS WITH 'gen:' RETURN count(e) AS c")[0]["c"]
    assert linked > 100
    before = counts(store)
    again = load_demo(store, scale=300, seed=2)
    assert all(c.created == 0 and c.updated == 0 for c in again.counts.values())
    assert counts(store) == before


class _SlowOnBigBatches:
    """The store, except that a batch of more than ``limit`` rows runs past the time limit (and is
    rolled back, as the engine does): a checkpoint or a pause on a big graph."""

    def __init__(self, inner, limit: int) -> None:
        self._inner, self.limit, self.timeouts = inner, limit, 0

    stuck_ids: frozenset[str] = frozenset()

    def write_batch(self, query, rows, *, timeout=None):
        if len(rows) > self.limit or any(r.get("id") in self.stuck_ids for r in rows):
            self.timeouts += 1
            raise QueryTimeout("the query ran past its time limit")
        return self._inner.write_batch(query, rows, timeout=timeout)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_a_batch_that_times_out_is_sent_again_in_halves(store, tmp_path: Path, monkeypatch) -> None:
    import ingest.pipeline as pipeline

    rows = "".join(f"示例企业{i:04d}有限公司,e:{i:04d}\n" for i in range(1, 31))
    path = write(tmp_path / "enterprises.csv", "名称,编号\n" + rows)
    monkeypatch.setattr(pipeline._Writer, "SPLIT_DOWN_TO", 5)
    slow = _SlowOnBigBatches(store, limit=8)
    report = ingest_paths(slow, [path], batch_size=20, default_aliases=False)
    assert slow.timeouts >= 2  # 20 → 10 + 10 → 5 + 5 …
    ids = sorted(r["id"] for r in store.read("MATCH (n:Enterprise) RETURN n.id AS id"))
    assert ids == [f"e:{i:04d}" for i in range(1, 31)]
    assert report.counts["Enterprise"].created == 30 and not report.rejected
    # a batch that still times out at the smallest size is refused whole, naming its rows
    path2 = write(tmp_path / "more" / "enterprises.csv", "名称,编号\n" + "".join(f"另一企业{i:04d}有限公司,f:{i:04d}\n"
                                                               for i in range(1, 13)))
    stuck = _SlowOnBigBatches(store, limit=2)
    again = ingest_paths(stuck, [path2], batch_size=12, default_aliases=False)
    assert again.counts["Enterprise"].created == 0 and again.counts["Enterprise"].rejected == 12
    assert any("time limit" in r.reason for r in again.rejected)
    assert store.read("MATCH (n:Enterprise) WHERE n.id STARTS WITH 'f:' RETURN count(n) AS c")[0]["c"] == 0
    # a part that still times out at the smallest size is refused alone: the other parts are
    # written and counted, and the rejection names only the refused part's rows
    path3 = write(tmp_path / "third" / "enterprises.csv", "名称,编号\n" + "".join(f"第三企业{i:04d}有限公司,g:{i:04d}\n"
                                                                for i in range(1, 21)))
    partly = _SlowOnBigBatches(store, limit=8)
    partly.stuck_ids = frozenset({"g:0017"})
    third = ingest_paths(partly, [path3], batch_size=20, default_aliases=False)
    assert third.counts["Enterprise"].created == 15 and third.counts["Enterprise"].rejected == 5
    [refused] = third.rejected
    assert "rows 17–21 (5 rows, none written)" in refused.reason, refused.reason
    stored = store.read("MATCH (n:Enterprise) WHERE n.id STARTS WITH 'g:' RETURN n.id AS id ORDER BY id")
    assert [r["id"] for r in stored] == [f"g:{i:04d}" for i in range(1, 21) if not 16 <= i <= 20]
