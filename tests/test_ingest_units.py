"""Ingestion without an engine: USCC check, names, values, layouts, readers, templates, docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.schema import NODE_SPECS, REL_SPECS, Label
from ingest.layouts import detect_layout, layout, layouts
from ingest.normalize import norm_name, parse_amount, parse_bool, parse_uscc, parse_year
from ingest.pipeline import _parser
from ingest.readers import detect_encoding, open_tables
from ingest.templates import write_template

REPO = Path(__file__).resolve().parent.parent

# Codes published on the companies' business licences / the national enterprise credit system.
REAL_USCC = {
    "华为技术有限公司": "914403001922038216",
    "深圳市腾讯计算机系统有限公司": "91440300708461136T",
    "北京百度网讯科技有限公司": "91110000802100433B",
}


@pytest.mark.parametrize("code", sorted(REAL_USCC.values()))
def test_real_uscc_pass_the_gb32100_check(code: str) -> None:
    assert parse_uscc(code) == code
    assert parse_uscc(f" {code.lower()} ") == code  # spaces and lower case are tidied, not refused


@pytest.mark.parametrize("code", sorted(REAL_USCC.values()))
def test_a_corrupted_uscc_fails_with_the_expected_check_character(code: str) -> None:
    wrong_last = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValueError, match=rf"GB 32100-2015.*should be {code[-1]}"):
        parse_uscc(wrong_last)
    # one digit changed in the body is caught too
    swapped = code[:5] + ("1" if code[5] != "1" else "2") + code[6:]
    with pytest.raises(ValueError, match="GB 32100-2015"):
        parse_uscc(swapped)


def test_uscc_shape_errors_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="18 characters"):
        parse_uscc("91440300708461136")
    with pytest.raises(ValueError, match="not allowed.*IO"):
        parse_uscc("91440300708461136O".replace("0", "I", 1))


def test_name_normalisation_joins_spellings_of_one_name() -> None:
    same = ["中国五矿集团(黑龙江)石墨产业有限公司", "中国五矿集团（黑龙江）石墨产业有限公司",
            "中国五矿集团 （黑龙江） 石墨产业有限责任公司", "中国五矿集团【黑龙江】石墨产业股份有限公司"]
    assert len({norm_name(x) for x in same}) == 1
    assert norm_name("ＡＢＣ科技") == norm_name("abc科技")  # full width → half width, case folded
    assert norm_name("哈尔滨工业大学") != norm_name("哈尔滨工程大学")


def test_values_in_chinese_or_english() -> None:
    assert parse_amount("300万元") == 3_000_000
    assert parse_amount("2.5亿") == 250_000_000
    assert parse_amount("1,200", unit=1e4) == 12_000_000  # 金额（万元） column
    assert parse_amount(3.5, unit=1e8) == 350_000_000
    with pytest.raises(ValueError):
        parse_amount("-5万元")
    assert parse_bool("是") is True and parse_bool("否") is False and parse_bool("TRUE") is True
    assert parse_bool("0") is False
    with pytest.raises(ValueError):
        parse_bool("也许")
    assert parse_year("2023年") == 2023 and parse_year("2023-05-01") == 2023 and parse_year(2021.0) == 2021
    with pytest.raises(ValueError, match="out of range"):
        parse_year("1900")
    with pytest.raises(ValueError, match="out of range"):
        parse_year("2999")


@pytest.mark.parametrize("kind, field, given, expected", [
    ("enterprise", "ownership", "民营", "private"),
    ("enterprise", "ownership", "私营", "private"),
    ("enterprise", "ownership", "央企", "central_soe"),
    ("enterprise", "ownership", "中央企业", "central_soe"),
    ("enterprise", "ownership", "省属国企", "provincial_soe"),
    ("enterprise", "ownership", "外资", "foreign"),
    ("enterprise", "ownership", "private", "private"),
    ("achievement", "kind", "专利", "patent"),
    ("achievement", "kind", "品种", "variety"),
    ("achievement", "status", "存量", "stock"),
    ("achievement", "status", "转化中", "transferring"),
    ("achievement", "status", "已产业化", "industrialized"),
    ("platform", "level", "国家级", "national"),
    ("institute", "affiliation", "中直", "central"),
    ("transferred_to", "mode", "技术许可", "许可"),
    ("member_of", "role", "牵头单位", "lead"),
    ("organization", "label", "高校", "University"),
])
def test_enumerations_accept_chinese_and_english(kind: str, field: str, given: str, expected: str) -> None:
    parse = _parser(layout(kind).column(field), 1.0)
    assert parse(given) == expected


def test_an_unknown_enumeration_value_lists_the_accepted_ones() -> None:
    parse = _parser(layout("enterprise").column("ownership"), 1.0)
    with pytest.raises(ValueError, match=r"'合伙' is not one of: central_soe \(央企"):
        parse("合伙")


def test_layouts_follow_the_schema() -> None:
    """Every property of the schema has a column with a Chinese header, so layouts cannot drift."""
    table = layouts()
    for lbl, spec in NODE_SPECS.items():
        if lbl == Label.ORGANIZATION:
            continue
        lay = next(x for x in table.values() if x.label == lbl)
        fields = {c.field for c in lay.columns}
        for name in spec.model.model_fields:
            if name in ("sources", "updated_at"):
                continue
            assert name in fields, f"{lbl.value}.{name} has no column"
            col = lay.column(name)
            assert re.search(r"[\u4e00-\u9fff]", col.zh), f"{lbl.value}.{name} has no Chinese header"
    for rel, spec in REL_SPECS.items():
        lay = table[rel.value.lower()]
        fields = {c.field for c in lay.columns}
        assert {"from", "to"} <= fields
        for name in spec.model.model_fields:
            if name not in ("sources", "updated_at"):
                assert name in fields, f"{rel.value}.{name} has no column"


def test_kind_is_found_from_headers_and_file_names() -> None:
    assert detect_layout(["名称", "统一社会信用代码", "企业性质", "高新技术企业"], "名录").name == "enterprise"
    assert detect_layout(["成果", "受让企业", "转化方式", "金额（万元）", "年份"], "2024").name == "transferred_to"
    assert detect_layout(["研发单位", "成果名称", "年份"], "x").name == "developed"
    assert detect_layout(["简称", "全称"], "x").name == "alias"
    assert detect_layout(["upstream_id", "downstream_id", "source"], "industry_chain").name == "upstream_of"
    mixed = detect_layout(["id", "name", "kind", "region_id"], "orgs",
                          [{"id": "a", "name": "甲", "kind": "University", "region_id": "r"}])
    assert mixed.name == "organization"
    # the same header names fit universities, institutes and agencies: the file name decides
    assert detect_layout(["名称", "所在地区"], "高校名单").name == "university"
    with pytest.raises(InputError, match="fit several kinds"):
        detect_layout(["名称", "所在地区"], "data")
    with pytest.raises(InputError, match="cannot tell"):
        detect_layout(["颜色", "重量"], "data")


def test_encodings_are_detected(tmp_path: Path) -> None:
    text = "编号,名称,所在地区\norg:x,黑龙江示例股份有限公司,哈尔滨市\n"
    assert detect_encoding(text.encode("gbk")) == "gb18030"
    assert detect_encoding(text.encode("gb18030")) == "gb18030"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    for enc in ("gbk", "utf-8-sig", "utf-16"):
        path = tmp_path / f"data-{enc}.csv"
        path.write_bytes(text.encode(enc))
        [table] = open_tables(path)
        assert table.headers == ["编号", "名称", "所在地区"]
        assert [cells for _, cells in table.rows] == [["org:x", "黑龙江示例股份有限公司", "哈尔滨市"]]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["enterprise", "transferred_to", "organization", "alias"])
def test_templates_read_back_as_their_kind(tmp_path: Path, kind: str, fmt: str) -> None:
    path = write_template(kind, fmt, tmp_path / f"t.{fmt}")  # type: ignore[arg-type]
    [table] = open_tables(path)  # the 说明 sheet of a workbook is not data
    assert all(h for h in table.headers)
    assert detect_layout(table.headers, kind, table.sample).name == kind
    rows = list(table.rows)
    assert len(rows) == 1 and rows[0][0] == 2


def test_docs_are_the_layouts() -> None:
    """docs/ingest.md is rendered from the layouts: regenerate it with `python -m ingest.docs > docs/ingest.md`."""
    from ingest.docs import render

    doc = (REPO / "docs" / "ingest.md").read_text(encoding="utf-8")
    assert doc == render(), "docs/ingest.md is out of date: python -m ingest.docs > docs/ingest.md"
    for name in layouts():
        assert f"### `{name}`" in doc
