"""The bad-input corpus (``tests/data/bad/``): every file is refused or reported row by row, and what the
graph already holds does not change.

For each file, on both engines: the reference sample is loaded first; the file is
loaded with ``on_error="abort"`` (the graph must be byte-for-byte the same after)
and then with ``on_error="skip"`` (every fact stored before must still be there,
unchanged). The report must name the file, the row (or say the whole file) and a
reason a data officer can act on. The two cases too large to commit (a 10 MB cell,
a zip bomb renamed .xlsx) are generated into ``tmp_path``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.builtin_sample import load_builtin_sample
from ingest.pipeline import ingest_paths
from tests.faults import clean_env, cli, snapshot

BAD = Path(__file__).resolve().parent / "data" / "bad"


@dataclass(frozen=True)
class Case:
    file: str
    #: (row or None for the whole file, column header or None, reason pattern)
    expect: tuple[tuple[int | None, str | None, str], ...]
    xfail: str | None = None


CASES = [
    Case("truncated_enterprises.xlsx", ((None, None, r"not a readable \.xlsx workbook"),)),
    Case("empty.csv", ((None, None, r"empty"),)),
    Case("empty.jsonl", ((None, None, r"no records"),)),
    Case("empty.xlsx", ((None, None, r"not a readable \.xlsx"),)),
    Case("whitespace_only.csv", ((None, None, r"empty"),)),
    Case("enterprises_big5.csv", ((None, None, r"cannot tell what kind of data"),)),
    Case("enterprises_mixed_encoding.csv", ((3, None, r"not readable as|not valid UTF-8|encoding"),)),
    Case("enterprises_header_only.csv", ((None, None, r"no data rows|no rows"),)),
    Case("enterprises_header_only.xlsx", ((None, None, r"no data rows|no rows"),)),
    Case("enterprises_duplicate_ids.csv", ((3, "编号", r"org:bad:d1.*(row 2|conflict)"),)),
    Case("collaborations_unknown_ids.csv", ((2, "合作方B", r"org:does-not-exist"), (3, "合作方A", r"no-such-org"))),
    Case("industries_cycle.csv", ((5, "上级", r"own parent"), (2, "上级", r"cycle"))),
    Case("transfers_absurd.csv", ((2, "金额", r"negative"), (3, "金额", r"not an amount"), (4, "年份", r"out of range"),
                                  (5, "年份", r"out of range"))),
    Case("transfers_absurd.csv", ((6, "金额", r"not an amount"),)),
    Case("transfers_absurd_values.jsonl", ((1, "金额", r"not a finite number|not an amount"),
                                           (2, "金额", r"100万亿元"), (3, "年份", r"out of range"))),
    Case("enterprises_bad_uscc.csv", ((2, "统一社会信用代码", r"GB 32100-2015 check: last character should be"),
                                      (3, "统一社会信用代码", r"18 characters"),
                                      (4, "统一社会信用代码", r"not allowed.*IO"))),
    Case("enterprises_deep_nesting.jsonl", ((2, None, r"too deeply"),)),
    Case("enterprises_deep_nesting_late.jsonl", ((201, None, r"too deeply"),)),
]


def _late_nesting(folder: Path) -> Path:
    """A deep line after the first 200 records (those are read up front; later lines are streamed)."""
    path = folder / "enterprises_deep_nesting_late.jsonl"
    lines = [json.dumps({"编号": f"org:bad:n{i}", "名称": f"正常{i}号有限公司"}, ensure_ascii=False) for i in range(200)]
    lines.append('{"编号":"org:bad:deep","名称":"嵌套有限公司","别名":' + "[" * 10_000 + "]" * 10_000 + "}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def corpus_path(name: str, tmp_path: Path) -> Path:
    if (BAD / name).exists():
        return BAD / name
    if name == "enterprises_deep_nesting_late.jsonl":
        return _late_nesting(tmp_path)
    raise FileNotFoundError(name)


def assert_named(report, name: str, expect: tuple[tuple[int | None, str | None, str], ...]) -> None:
    rejected = [r for r in report.rejected]
    for row, column, pattern in expect:
        hits = [r for r in rejected if r.file == name and r.row == row and (column is None or r.column == column)
                and re.search(pattern, r.reason)]
        assert hits, (f"{name}: no rejection naming row {row} [{column}] with /{pattern}/; got:\n"
                      + "\n".join(f"  row {r.row} [{r.column}] {r.reason}" for r in rejected))


def assert_unchanged(before, after) -> None:
    """Every node and edge stored before is still there with the same properties (new ones may be added)."""
    nodes = set(after[0])
    edges = set(after[1])
    assert not [n for n in before[0] if n not in nodes], "a stored node changed or vanished"
    assert not [e for e in before[1] if e not in edges], "a stored edge changed or vanished"


def check_case(store, path: Path, expect) -> None:
    load_builtin_sample(store)
    before = snapshot(store, ignore=())
    report = ingest_paths(store, [path], on_error="abort")
    assert_named(report, path.name, expect)
    assert snapshot(store, ignore=()) == before, "on_error=abort changed the graph"
    report = ingest_paths(store, [path], on_error="skip")
    assert_named(report, path.name, expect)
    assert_unchanged(before, snapshot(store, ignore=()))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)]
                                                if c.xfail else []) for c in CASES])
def test_bad_file_is_reported_and_changes_nothing_stored(store, case: Case, tmp_path: Path) -> None:
    check_case(store, corpus_path(case.file, tmp_path), case.expect)


def test_ten_megabyte_cell_in_the_first_rows_names_its_row(store, tmp_path: Path) -> None:
    csv_path = tmp_path / "enterprises_huge_cell.csv"
    csv_path.write_text("编号,名称\norg:bad:h1,正常有限公司\norg:bad:h2," + "巨" * (10 * 1024 * 1024 // 3) + "\n",
                        encoding="utf-8")
    check_case(store, csv_path, ((3, None, r"row 3 is not valid CSV: field larger than field limit"),))


def test_ten_megabyte_cell_is_a_rejected_row(store, tmp_path: Path) -> None:
    csv_path = tmp_path / "enterprises_huge_cell.csv"
    good = "".join(f"org:bad:h{i},正常{i}号有限公司\n" for i in range(1, 21))
    csv_path.write_text("编号,名称\n" + good + "org:bad:huge," + "巨" * (10 * 1024 * 1024 // 3) + "\n",
                        encoding="utf-8")
    assert csv_path.stat().st_size > 10 * 1024 * 1024
    check_case(store, csv_path, ((22, None, r"not valid CSV: field larger than field limit"),))
    jsonl = tmp_path / "enterprises_huge_cell.jsonl"
    jsonl.write_text(json.dumps({"编号": "org:bad:k3", "名称": "正常有限公司"}, ensure_ascii=False) + "\n"
                     + json.dumps({"编号": "org:bad:k4", "名称": "巨" * (10 * 1024 * 1024 // 3)}, ensure_ascii=False)
                     + "\n", encoding="utf-8")
    check_case(store, jsonl, ((2, "名称", r"at most 500 characters"),))
    # the good rows were loaded, the huge value was not
    assert store.read("MATCH (n:Enterprise) WHERE n.id IN ['org:bad:h20', 'org:bad:k3'] RETURN count(n) AS c")[0]["c"] == 2
    assert store.read("MATCH (n) WHERE size(n.name) > 500 RETURN count(n) AS c")[0]["c"] == 0


def make_zip_bomb(path: Path, unpacked_mb: int = 256) -> Path:
    """A real workbook whose sheet XML unpacks to ``unpacked_mb`` MB of blanks (about 1000:1)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["编号", "名称"])
    wb.active.append(["org:bad:z1", "炸弹有限公司"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
                continue
            text = data.decode()
            cut = text.index("</sheetData>")
            with out.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(text[:cut].encode())
                blank = b" " * (1 << 20)
                for _ in range(unpacked_mb):
                    fh.write(blank)
                fh.write(text[cut:].encode())
    return path


def test_zip_bomb_renamed_xlsx_is_refused_before_unpacking(store, tmp_path: Path) -> None:
    import psutil

    bomb = make_zip_bomb(tmp_path / "enterprises_bomb.xlsx")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    rss_before = psutil.Process().memory_info().rss
    check_case(store, bomb, ((None, None, r"zip bomb"),))
    # refused from the zip directory: the blanks were never inflated into memory
    assert psutil.Process().memory_info().rss - rss_before < 100 * 1024 * 1024


@pytest.mark.parametrize("name", ["policy_binary_junk.txt", "policy_nul_bytes.txt"])
def test_binary_junk_as_policy_text_is_refused(store, name: str) -> None:
    from graph.errors import InputError
    from ingest.policy import load_policy

    load_builtin_sample(store)
    before = snapshot(store, ignore=())
    with pytest.raises(InputError, match=rf"{re.escape(name)}.*binary"):
        load_policy(store, BAD / name)
    assert snapshot(store, ignore=()) == before


@pytest.mark.parametrize("name,org,expected", [
    ("enterprises_bom_utf8.csv", "org:bad:bom8", "牡丹江带签名科技有限公司"),
    ("enterprises_bom_utf16le.csv", "org:bad:bom16le", "牡丹江带签名科技有限公司"),
    ("enterprises_bom_utf16be.csv", "org:bad:bom16be", "牡丹江带签名科技有限公司"),
    ("enterprises_bom_utf8.jsonl", "org:bad:bomj", "佳木斯带签名有限公司"),
    ("enterprises_gbk.csv", "org:bad:g1", "哈尔滨国标编码科技有限公司"),
    ("enterprises_utf16le_nobom.csv", "org:bad:u1", "哈尔滨测试科技有限公司"),
])
def test_byte_order_marks_and_legacy_encodings_load_as_written(store, name: str, org: str, expected: str) -> None:
    report = ingest_paths(store, [BAD / name])
    assert not report.rejected, report.rejected
    rows = store.read("MATCH (n:Enterprise {id: $id}) RETURN n.name AS name", {"id": org})
    assert rows == [{"name": expected}]
    # no BOM or mojibake leaked into a header, a key or a value
    assert not store.read("MATCH (n) WHERE n.id STARTS WITH '\ufeff' OR n.name CONTAINS '\ufeff' RETURN n.id AS id")


def test_cli_reports_the_whole_corpus_without_a_traceback(engine_env: dict[str, str]) -> None:
    env = {**clean_env(), **engine_env}
    done = cli(["ingest", str(BAD), "--on-error", "abort", "--json"], env)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    named = {r["file"] for r in report["rejected"]}
    for case in CASES:
        if (BAD / case.file).exists() and not case.xfail and case.file.endswith((".csv", ".xlsx", ".jsonl")):
            assert case.file in named, f"{case.file} is not in the report"
    assert all(r["reason"] for r in report["rejected"])
