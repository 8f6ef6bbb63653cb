"""Row checks that span rows: mixed encodings, header-only files, conflicting repeats, cycles in trees.

Each on both engines: what a data officer sees in the report, and what the graph holds after.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.pipeline import ingest_paths
from ingest.readers import detect_encoding
from ingest.resolve import cycles_closed

NOW = "2026-01-01T00:00:00+00:00"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def ids(store, label: str) -> set[str]:
    return {r["id"] for r in store.read(f"MATCH (n:{label}) RETURN n.id AS id")}


def parents(store, label: str) -> set[tuple[str, str]]:
    return {(r["c"], r["p"]) for r in store.read(
        f"MATCH (c:{label})-[:PART_OF]->(p:{label}) RETURN c.id AS c, p.id AS p")}


def rejections(report) -> list[tuple[str, int | None, str | None, str]]:
    return [(r.file, r.row, r.column, r.reason) for r in report.rejected]


# --------------------------------------------------------------------------- encodings


def test_a_mostly_utf8_file_is_read_as_utf8() -> None:
    good = "编号,名称\norg:1,哈尔滨第一有限公司\norg:3,哈尔滨第三有限公司\n".encode()
    assert detect_encoding(good + "org:2,哈尔滨第二有限公司\n".encode("gbk")) == "utf-8"
    # a GBK file stays GBK even when one short line happens to be valid UTF-8
    gbk = "编号,名称\norg:1,齐齐哈尔第一有限公司\norg:2,齐齐哈尔第二有限公司\n".encode("gbk")
    assert detect_encoding(gbk + b"org:3,\xd2\xbb\n") == "gb18030"


def test_rows_in_another_encoding_are_rejected_one_by_one(store, tmp_path: Path) -> None:
    rows = [f"org:mx{i},大庆混合第{i}有限公司" for i in range(1, 8)]
    data = ("编号,名称\n" + "\n".join(rows[:3]) + "\n").encode()
    data += (rows[3] + "\n").encode("gbk") + ("\n".join(rows[4:]) + "\n").encode()
    path = tmp_path / "enterprises_mixed.csv"
    path.write_bytes(data)

    report = ingest_paths(store, [path], on_error="abort", now=NOW)
    [(file, row, _, reason)] = rejections(report)
    assert (file, row) == ("enterprises_mixed.csv", 5)
    assert "not valid UTF-8" in reason and "大庆混合第4有限公司" in reason  # what the row says, read as GBK
    assert not ids(store, "Enterprise")

    report = ingest_paths(store, [path], on_error="skip", now=NOW)
    assert [r.row for r in report.rejected] == [5]
    assert ids(store, "Enterprise") == {f"org:mx{i}" for i in (1, 2, 3, 5, 6, 7)}
    # no replacement characters or stray bytes reached the graph
    assert not store.read("MATCH (n) WHERE n.name CONTAINS '\ufffd' RETURN n.id AS id")


def test_an_undecodable_row_far_into_a_csv_is_one_rejected_row(store, tmp_path: Path) -> None:
    # past the first megabyte (the part read to detect the encoding)
    good = "".join(f"org:far{i},佳木斯远方第{i}号有限公司\n" for i in range(30_000))
    path = tmp_path / "enterprises_far.csv"
    path.write_bytes(("编号,名称\n" + good).encode() + "org:farbad,坏行有限公司\n".encode("gbk")
                     + "org:farlast,最后有限公司\n".encode())
    assert path.stat().st_size > 1 << 20
    report = ingest_paths(store, [path], on_error="skip", now=NOW)
    assert [(r.row, "not valid UTF-8" in r.reason) for r in report.rejected] == [(30_002, True)]
    assert store.read("MATCH (n:Enterprise) RETURN count(n) AS c")[0]["c"] == 30_001


def test_an_undecodable_jsonl_line_is_one_rejected_row(store, tmp_path: Path) -> None:
    path = tmp_path / "enterprises.jsonl"
    lines = [json.dumps({"编号": f"org:j{i}", "名称": f"绥化第{i}有限公司"}, ensure_ascii=False).encode() for i in (1, 2)]
    bad = json.dumps({"编号": "org:jbad", "名称": "编码错误有限公司"}, ensure_ascii=False).encode("gbk")
    path.write_bytes(lines[0] + b"\n" + bad + b"\n" + lines[1] + b"\n")
    report = ingest_paths(store, [path], on_error="skip", now=NOW)
    assert [(r.row, "not valid UTF-8" in r.reason) for r in report.rejected] == [(2, True)]
    assert ids(store, "Enterprise") == {"org:j1", "org:j2"}


def test_a_bad_jsonl_line_among_the_first_records_does_not_refuse_the_file(store, tmp_path: Path) -> None:
    path = write(tmp_path / "enterprises.jsonl",
                 '{"编号": "org:k1", "名称": "七台河一号有限公司"}\n[1, 2]\n{"编号": "org:k2", "名称": "七台河二号有限公司"}\n')
    report = ingest_paths(store, [path], on_error="skip", now=NOW)
    assert [(r.row, r.reason) for r in report.rejected] == [(2, "not a JSON object")]
    assert ids(store, "Enterprise") == {"org:k1", "org:k2"}


# --------------------------------------------------------------------------- empty files


def test_a_header_only_file_is_refused_with_a_message_and_blank_lines_do_not_count(store, tmp_path: Path) -> None:
    path = write(tmp_path / "enterprises.csv", "编号,名称,高新技术企业\n,,\n\n")
    report = ingest_paths(store, [path], on_error="skip", now=NOW)
    assert [(r.row, r.reason) for r in report.rejected] == [
        (None, "no data rows: the file has a header (row 1) and nothing under it")]
    assert [f.status for f in report.files] == ["refused"]
    assert "refused: enterprises.csv" in report.table()


# --------------------------------------------------------------------------- repeated ids


def test_identical_or_complementary_repeats_merge_silently(store, tmp_path: Path) -> None:
    path = write(tmp_path / "enterprises.csv",
                 "编号,名称,高新技术企业,企业性质\n"
                 "org:r1,双鸭山重复有限公司,是,\n"
                 "org:r1,双鸭山重复有限公司,是,\n"
                 "org:r1,双鸭山重复有限公司,,民营\n")
    report = ingest_paths(store, [path], on_error="abort", now=NOW)
    assert not report.rejected, report.rejected
    [row] = store.read("MATCH (n:Enterprise {id: 'org:r1'}) RETURN n.high_tech AS h, n.ownership AS o")
    assert row == {"h": True, "o": "private"}


def test_a_conflicting_repeat_is_rejected_naming_both_rows_and_each_column(store, tmp_path: Path) -> None:
    path = write(tmp_path / "enterprises.csv",
                 "编号,名称,高新技术企业,企业性质\n"
                 "org:c1,鹤岗冲突有限公司,是,民营\n"
                 "org:c2,鹤岗其他有限公司,否,\n"
                 "org:c1,鹤岗冲突有限公司,否,外资\n"
                 "org:c1,鹤岗冲突有限公司,是,\n")
    report = ingest_paths(store, [path], on_error="skip", now=NOW)
    [(_, row, column, reason)] = rejections(report)
    assert (row, column) == (4, "编号")
    assert "row 2" in reason and "高新技术企业" in reason and "企业性质" in reason and "名称" not in reason
    # the first row stands, the agreeing repeat (row 5) merged into it
    [got] = store.read("MATCH (n:Enterprise {id: 'org:c1'}) RETURN n.high_tech AS h, n.ownership AS o, "
                       "n.sources AS s")
    assert (got["h"], got["o"]) == (True, "private")
    assert not [s for s in got["s"] if s.endswith("row=4")]


def test_a_repeat_by_uscc_with_another_spelling_is_a_merge_not_a_conflict(store, tmp_path: Path) -> None:
    path = write(tmp_path / "enterprises.csv",
                 "名称,统一社会信用代码\n"
                 "华为技术有限公司,914403001922038216\n"
                 "华为技术（有限）公司,914403001922038216\n")
    report = ingest_paths(store, [path], on_error="abort", now=NOW)
    assert not report.rejected, report.rejected
    assert store.read("MATCH (n:Enterprise) RETURN count(n) AS c")[0]["c"] == 1


def test_a_later_file_of_the_same_load_updates_instead_of_conflicting(store, tmp_path: Path) -> None:
    q1 = write(tmp_path / "q1" / "enterprises.csv", "编号,名称,高新技术企业\norg:u1,伊春季度有限公司,否\n")
    q2 = write(tmp_path / "q2" / "enterprises.csv", "编号,名称,高新技术企业\norg:u1,伊春季度有限公司,是\n")
    report = ingest_paths(store, [q1, q2], on_error="abort", now=NOW)
    assert not report.rejected, report.rejected
    assert store.read("MATCH (n:Enterprise {id: 'org:u1'}) RETURN n.high_tech AS h") == [{"h": True}]


# --------------------------------------------------------------------------- cycles


def test_cycles_closed_names_every_new_edge_on_a_cycle_and_its_path() -> None:
    found = cycles_closed([("p", "q")], [(2, "a", "b"), (3, "b", "a"), (4, "q", "p"), (5, "x", "p"), (6, "s", "s")])
    assert found == {2: ["a", "b", "a"], 3: ["b", "a", "b"], 4: ["q", "p", "q"], 6: ["s", "s"]}
    assert cycles_closed([("a", "b"), ("b", "a")], [(2, "c", "a")]) == {}


def test_a_parent_closing_a_cycle_with_stored_edges_is_rejected(store, tmp_path: Path) -> None:
    first = write(tmp_path / "industries.csv",
                  "编号,名称,上级\nind:t:root,循环根产业,\nind:t:mid,循环中产业,ind:t:root\nind:t:leaf,循环叶产业,ind:t:mid\n")
    assert not ingest_paths(store, [first], now=NOW).rejected
    before = parents(store, "Industry")
    # the root now claims to sit under its own grandchild
    second = write(tmp_path / "more" / "industries.csv",
                   "编号,名称,上级\nind:t:root,循环根产业,ind:t:leaf\nind:t:other,其他产业,ind:t:root\n")
    report = ingest_paths(store, [second], on_error="skip", now=NOW)
    assert [(r.row, r.column) for r in report.rejected] == [(2, "上级")]
    assert "循环根产业 (ind:t:root) → 循环叶产业 (ind:t:leaf) → 循环中产业 (ind:t:mid) → 循环根产业 (ind:t:root)" \
        in report.rejected[0].reason
    assert parents(store, "Industry") == before | {("ind:t:other", "ind:t:root")}


def test_a_region_cycle_is_rejected_and_abort_loads_none_of_the_file(store, tmp_path: Path) -> None:
    path = write(tmp_path / "regions.csv",
                 "编号,名称,级别,上级\nr:a,甲市,市,r:b\nr:b,乙市,市,r:a\nr:c,丙市,市,\n")
    report = ingest_paths(store, [path], on_error="abort", now=NOW)
    assert sorted((r.row, "cycle" in r.reason) for r in report.rejected) == [(2, True), (3, True)]
    assert not ids(store, "Region")
    ingest_paths(store, [path], on_error="skip", now=NOW)
    assert ids(store, "Region") == {"r:c"}
    assert not parents(store, "Region")


def test_a_part_of_edge_file_closing_a_cycle_is_rejected(store, tmp_path: Path) -> None:
    nodes = write(tmp_path / "industries.csv", "编号,名称\nind:e:a,边甲产业\nind:e:b,边乙产业\nind:e:c,边丙产业\n")
    assert not ingest_paths(store, [nodes], now=NOW).rejected
    edges = write(tmp_path / "part_of.csv", "下级,上级\nind:e:a,ind:e:b\nind:e:b,ind:e:c\nind:e:c,ind:e:a\n")
    report = ingest_paths(store, [edges], on_error="abort", now=NOW)
    assert sorted(r.row for r in report.rejected if "cycle" in r.reason) == [2, 3, 4]
    assert not parents(store, "Industry")
    # without the closing edge the chain loads, and reloading it stays acyclic and unchanged
    write(edges, "下级,上级\nind:e:a,ind:e:b\nind:e:b,ind:e:c\n")
    assert not ingest_paths(store, [edges], on_error="abort", now=NOW).rejected
    assert not ingest_paths(store, [edges], on_error="abort", now=NOW).rejected
    assert parents(store, "Industry") == {("ind:e:a", "ind:e:b"), ("ind:e:b", "ind:e:c")}


def test_a_cycle_across_files_of_one_load_is_rejected(store, tmp_path: Path) -> None:
    # the industries file's PART_OF edges may still be on their way to the engine when the edge file is checked
    folder = tmp_path / "load"
    write(folder / "industries.csv", "编号,名称,上级\nind:f:a,跨文件甲产业,\nind:f:b,跨文件乙产业,ind:f:a\n")
    write(folder / "part_of.csv", "下级,上级\nind:f:a,ind:f:b\n")
    report = ingest_paths(store, [folder], on_error="skip", now=NOW)
    assert [(r.file, r.row, r.column) for r in report.rejected] == [("part_of.csv", 2, "上级")]
    assert "跨文件甲产业 (ind:f:a) → 跨文件乙产业 (ind:f:b) → 跨文件甲产业 (ind:f:a)" in report.rejected[0].reason
    assert parents(store, "Industry") == {("ind:f:b", "ind:f:a")}
