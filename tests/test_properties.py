"""Property-based tests (hypothesis) for the parsers and normalisers: they return a clean value or raise
the one documented error (``ValueError`` for a cell, ``InputError`` for a file), never anything else."""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.errors import InputError
from ingest.normalize import (
    USCC_CHARSET,
    clean_text,
    norm_name,
    parse_amount,
    parse_bool,
    parse_int,
    parse_list,
    parse_uscc,
    parse_year,
    uscc_check_char,
)
from ingest.readers import detect_encoding, open_tables

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
uscc17 = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)
cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
#: names as data officers type them: Chinese, ASCII, full-width forms, brackets and spaces
name_text = st.text(alphabet=st.one_of(cjk, st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                                       st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
                                       st.sampled_from("（）【】《》“”、，。 ·")), max_size=40)


# --------------------------------------------------------------------------- USCC


@FAST
@given(uscc17)
def test_uscc_with_its_check_character_is_accepted(first17: str) -> None:
    code = first17 + uscc_check_char(first17)
    assert parse_uscc(code) == code
    assert parse_uscc(" " + code.lower() + " ") == code  # typed in lower case, with spaces


@FAST
@given(uscc17, st.sampled_from(USCC_CHARSET))
def test_uscc_with_any_other_check_character_is_refused(first17: str, wrong: str) -> None:
    assume(wrong != uscc_check_char(first17))
    with pytest.raises(ValueError, match="GB 32100-2015"):
        parse_uscc(first17 + wrong)


@FAST
@given(uscc17, st.integers(0, 16), st.sampled_from(USCC_CHARSET))
def test_uscc_single_character_typos_are_caught(first17: str, pos: int, other: str) -> None:
    """The check character catches every single-character substitution (a property of the mod-31 scheme)."""
    code = first17 + uscc_check_char(first17)
    assume(other != code[pos])
    typo = code[:pos] + other + code[pos + 1:]
    with pytest.raises(ValueError):
        parse_uscc(typo)


@FAST
@given(st.text(max_size=30))
def test_uscc_parser_only_ever_raises_value_error(text: str) -> None:
    try:
        code = parse_uscc(text)
    except ValueError:
        return
    assert len(code) == 18 and code[17] == uscc_check_char(code[:17])


# --------------------------------------------------------------------------- names and cells


@FAST
@given(name_text)
def test_name_normalisation_is_idempotent_and_width_blind(name: str) -> None:
    key = norm_name(name)
    assert norm_name(key) == key
    full = "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in name)
    assert norm_name(full) == key
    assert norm_name(name.replace("(", "（").replace(")", "）")) == key
    assert not any(c.isspace() for c in key)


@FAST
@given(name_text, st.sampled_from(["有限公司", "有限责任公司", "股份有限公司"]))
def test_legal_forms_share_one_key(stem: str, form: str) -> None:
    assume(norm_name(stem))
    assert norm_name(stem + form) == norm_name(stem + "有限公司")


@FAST
@given(st.one_of(st.text(max_size=50), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none()))
def test_cell_parsers_return_a_value_or_raise_value_error(value) -> None:
    for parse in (parse_bool, parse_int, parse_year, parse_amount, parse_list, clean_text):
        try:
            out = parse(value)
        except ValueError:
            continue
        if parse is parse_amount:
            assert out == out and 0 <= out <= 1e14  # finite, not negative, not absurd
        if parse is parse_year:
            assert 1949 <= out <= 2100


# --------------------------------------------------------------------------- encodings and CSV


@FAST
@given(st.text(alphabet=st.one_of(cjk, st.sampled_from("，。、0123456789abc ")), min_size=12, max_size=200),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_encoding_detection_reads_chinese_text_back(text: str, encoding: str) -> None:
    assume(sum(1 for c in text if "\u4e00" <= c <= "\u9fa5") >= 8)
    data = text.encode(encoding)
    if encoding == "gb18030":
        # GBK bytes that are also valid UTF-8 (一一 = D2BB D2BB = "һһ") cannot be told apart; UTF-8 wins
        try:
            data.decode("utf-8")
            assume(False)
        except UnicodeDecodeError:
            pass
    detected = detect_encoding(data)
    assert data.decode(detected).lstrip("\ufeff") == text


@functools.lru_cache(maxsize=1)
def _folder() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="innograph-props-"))


cell = st.text(alphabet=st.one_of(cjk, st.characters(min_codepoint=0x20, max_codepoint=0x7E), st.sampled_from("\n\"',")),
               max_size=20)


@FAST
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=20), st.sampled_from(["utf-8", "utf-8-sig", "gb18030",
                                                                                   "utf-16"]))
def test_csv_reader_gives_back_every_cell_or_a_read_error(rows, encoding: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["编号", "名称"])
    w.writerows(rows)
    path = _folder() / "enterprises.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    try:
        tables = list(open_tables(path))
        got = [cells for _, cells in tables[0].rows]
    except InputError:
        return  # refused with a reason: allowed, a crash is not
    want = [list(r) for r in rows]
    # rows that are entirely empty are dropped by csv itself; compare the rest cell by cell
    norm = lambda rs: [[c.replace("\r\n", "\n") for c in r] for r in rs if any(r)]  # noqa: E731
    assert norm(got) == norm(want)


# --------------------------------------------------------------------------- the policy extractor


@pytest.fixture(scope="module")
def nlp():
    from ingest.policy.pipeline import build_pipeline

    return build_pipeline()


policy_text = st.lists(st.one_of(
    st.sampled_from(["一、总体要求", "（一）加快成果转化", "1. 到2025年，技术合同成交额达到500亿元。", "二、重点任务",
                     "（牵头单位：省科技厅；配合单位：省工信厅）", "第三条", "附件", "（二）", "到2025年", "亿元", "%"]),
    st.text(alphabet=st.one_of(cjk, st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                               st.sampled_from("（）：；，。、%\n\t一二三四五六七八九十")), max_size=60),
), max_size=25).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policy_text)
def test_policy_extractor_never_crashes(nlp, text: str) -> None:
    from ingest.policy.pipeline import analyse
    from ingest.policy.text import policy_text_from_bytes

    try:
        pt = policy_text_from_bytes(text.encode("utf-8"), "fuzz.txt")
        analysis = analyse(pt, nlp)
    except InputError:
        return
    out = analysis.to_extraction()
    for target in out.targets if hasattr(out, "targets") else []:
        assert target.model_dump()


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_policy_reader_refuses_or_decodes_any_bytes(data: bytes) -> None:
    from ingest.policy.text import policy_text_from_bytes

    try:
        pt = policy_text_from_bytes(data, "fuzz.txt")
    except InputError:
        return
    assert isinstance(pt.normalised, str) and "\x00" not in pt.normalised
