"""Normalisation of names and cell values, and the 统一社会信用代码 check (GB 32100-2015).

Everything here is pure and fast: the pipeline calls these once per cell, so
they use precompiled tables and regular expressions rather than pydantic.
Each parser returns the clean value or raises :class:`ValueError` with a reason
written for a data officer.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from typing import Any, Iterable

# --------------------------------------------------------------------------- USCC

#: The 31 characters of a USCC (GB 32100-2015): digits and capitals without I, O, S, V, Z.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
#: Weights of positions 1–17: 3**i mod 31.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def uscc_check_char(first17: str) -> str:
    """The 18th character (check code) that GB 32100-2015 assigns to ``first17``."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def parse_uscc(value: str) -> str:
    """A valid 统一社会信用代码, upper-cased; ``ValueError`` says what is wrong.

    Checks the length (18), the character set (digits and capitals except I, O,
    S, V, Z) and the check character computed per GB 32100-2015.
    """
    code = unicodedata.normalize("NFKC", value).strip().upper().replace(" ", "")
    if len(code) != 18:
        raise ValueError(f"统一社会信用代码 must have 18 characters, got {len(code)} ({value!r})")
    if not _USCC_SHAPE.match(code):
        bad = sorted({c for c in code if c not in _USCC_VALUE})
        raise ValueError(f"统一社会信用代码 {value!r} contains characters not allowed by GB 32100-2015: {''.join(bad)}")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValueError(f"统一社会信用代码 {code} fails the GB 32100-2015 check: last character should be {expected}")
    return code


# --------------------------------------------------------------------------- names

_BRACKETS = str.maketrans({c: None for c in "()[]{}<>【】〔〕〖〗「」『』《》〈〉\"'“”‘’`"})
_PUNCT = re.compile(r"[\s·•・.,，、;；:：!！?？\-—–_~/\\|*&]+")
# legal-form suffixes written in several ways for one company
_LEGAL_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司)$")


def norm_name(name: str) -> str:
    """The key two spellings of one name share.

    Full-width → half-width (NFKC), lower case, no spaces, punctuation or
    brackets (their content is kept: ``中国五矿集团（黑龙江）`` =
    ``中国五矿集团(黑龙江)``), and one legal form for 有限公司 / 有限责任公司 /
    股份有限公司.
    """
    s = unicodedata.normalize("NFKC", name).lower()
    s = _PUNCT.sub("", s.translate(_BRACKETS))
    return _LEGAL_FORM.sub("有限公司", s)


def clean_text(value: Any) -> str | None:
    """A cell as text: stripped, NFC, with placeholder cells (空, -, —, 无 …) read as empty."""
    if value is None:
        return None
    if type(value) is str:
        s = value.strip()
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # spreadsheets store 2023 as 2023.0
        s = str(value).strip()
    if not s or (len(s) <= 4 and s.lower() in _EMPTY):
        return None
    if s.isascii() or unicodedata.is_normalized("NFC", s):
        return s
    return unicodedata.normalize("NFC", s)


_EMPTY = {"-", "--", "—", "——", "/", "n/a", "na", "null", "none", "nan", "无", "暂无", "空", "#n/a"}

# --------------------------------------------------------------------------- lists

_LIST_SPLIT = re.compile(r"\s*[|;；\n]\s*")


def parse_list(value: Any) -> list[str]:
    """A multi-valued cell: ``a|b``, ``a; b``, ``a；b`` or one item per line; order kept, duplicates dropped."""
    if isinstance(value, (list, tuple)):
        items: Iterable[Any] = value
    else:
        text = clean_text(value)
        if text is None:
            return []
        items = _LIST_SPLIT.split(text)
    out: list[str] = []
    for item in items:
        t = clean_text(item)
        if t is not None and t not in out:
            out.append(t)
    return out


# --------------------------------------------------------------------------- flags, numbers

_TRUE = {"是", "true", "t", "yes", "y", "1", "√", "✓", "对", "有"}
_FALSE = {"否", "false", "f", "no", "n", "0", "×", "✗", "不是", "非"}


def parse_bool(value: Any) -> bool:
    """是/否, true/false, yes/no, 1/0, √/× → a flag."""
    if isinstance(value, bool):
        return value
    key = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a yes/no value (是/否, true/false, 1/0)")


_YEAR = re.compile(r"^\s*(\d{4})(?:\s*年|[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\s*年\s*\d{1,2}\s*月.*)?\s*$")


def parse_year(value: Any, *, low: int = 1949, high: int | None = None) -> int:
    """A year: ``2023``, ``2023年``, ``2023-05-01``, a spreadsheet date or 2023.0, within [low, high]."""
    high = high if high is not None else _dt.date.today().year + 1
    if isinstance(value, (_dt.date, _dt.datetime)):
        year = value.year
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or float(value) != int(value):
            raise ValueError(f"{value!r} is not a year")
        year = int(value)
    else:
        m = _YEAR.match(unicodedata.normalize("NFKC", str(value)))
        if not m:
            raise ValueError(f"{value!r} is not a year (write e.g. 2023 or 2023年)")
        year = int(m.group(1))
    if not low <= year <= high:
        raise ValueError(f"year {year} is out of range {low}–{high}")
    return year


def parse_int(value: Any) -> int:
    """A whole number (``1,200`` and 1200.0 accepted)."""
    number = parse_number(value)
    if number != int(number):
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


_NUMBER = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(亿元|亿|万元|万|千元|元|人民币|rmb|cny)?$")

#: Multipliers of the money units accepted in a header or after a number.
UNITS = {"亿元": 1e8, "亿": 1e8, "万元": 1e4, "万": 1e4, "千元": 1e3, "元": 1.0, "人民币": 1.0, "rmb": 1.0, "cny": 1.0}


def parse_number(value: Any) -> float:
    """A plain number; thousands separators are dropped."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


#: no single amount (a transfer, an investment, a fund) can exceed 100万亿元, about China's yearly GDP
MAX_AMOUNT = 1e14


def parse_amount(value: Any, unit: float = 1.0) -> float:
    """An amount in 元 (CNY).

    ``unit`` is the multiplier from the column header (``金额（万元）`` → 1e4);
    a unit written after the number (``300万元``, ``2.5亿``) takes precedence.
    Negative amounts are refused.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = float(value) * unit
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().lower().replace(",", "").replace(" ", "")
        m = _NUMBER.match(text)
        if not m:
            raise ValueError(f"{value!r} is not an amount (write e.g. 300, 300万元 or 2.5亿元)")
        amount = float(m.group(1)) * (UNITS[m.group(2)] if m.group(2) else unit)
    if not math.isfinite(amount):
        raise ValueError(f"{value!r} is not an amount (not a finite number)")
    if amount < 0:
        raise ValueError(f"amount {value!r} is negative")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount {value!r} is more than 100万亿元 (China's yearly GDP): a unit or a digit is wrong")
    # round away float noise such as 2.3 * 1e8 = 229999999.99999997
    return round(amount, 2)


def header_unit(header: str) -> tuple[str, float]:
    """Split a money unit off a header: ``金额（万元）`` → (``金额``, 1e4)."""
    text = unicodedata.normalize("NFKC", header).strip()
    m = re.search(r"[(\[]\s*(亿元|亿|万元|万|千元|元|cny|rmb)\s*[)\]]\s*$", text, flags=re.I)
    if m:
        return text[: m.start()].strip(), UNITS[m.group(1).lower()]
    return text, 1.0


def norm_header(header: Any) -> str:
    """The key a header is matched by: NFKC, lower case, no spaces, ``*`` or underscores."""
    s = unicodedata.normalize("NFKC", str(header or "")).strip().lower()
    return re.sub(r"[\s*_\-]+", "", s)
