"""Readers: ``.xlsx``, ``.csv`` (UTF-8, UTF-8 with BOM, UTF-16, GBK/GB18030 — detected) and ``.jsonl``.

Each file (each sheet of a workbook) becomes a :class:`Table`: its display
name, its header row and an iterator of ``(row_number, cells)`` where the row
number is the one a user sees in a spreadsheet program (the header row counts).
Rows are streamed; nothing is read twice except the first few kilobytes used
to detect the encoding and the header.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from graph.errors import InputError

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson")
#: sheets with these names hold instructions, not data
_SKIP_SHEETS = {"说明", "填表说明", "readme", "instructions", "notes", "help"}
_SNIFF_BYTES = 1 << 20
#: the header may sit under a title row or two in government spreadsheets
_HEADER_SEARCH_ROWS = 10


class ReadError(InputError):
    """A file cannot be read at all (encoding, format, no header)."""

    def __init__(self, file: str, reason: str, row: int | None = None) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason
        self.row = row


@dataclass
class Table:
    """One table of rows under one header row."""

    name: str
    path: Path
    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None = None
    #: the first rows as dicts, for kind detection
    sample: list[dict[str, Any]] = field(default_factory=list)
    #: an estimate of the number of data rows (for progress), None if unknown
    size_hint: int | None = None
    close: Callable[[], None] = lambda: None
    #: words that may name the kind besides the file name (a sheet's title)
    hint: str = ""


def expand_paths(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """Files named, plus the data files inside named folders (recursively, sorted)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in SUFFIXES
                           and not x.name.startswith((".", "~$")))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return list(dict.fromkeys(out))


def open_tables(path: Path, *, is_header: Callable[[list[str]], bool] | None = None) -> Iterator[Table]:
    """The tables of one file; ``is_header`` tells a header row from a title row above it."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_tables(path, is_header)
    elif suffix in (".jsonl", ".ndjson"):
        yield _jsonl_table(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        yield _csv_table(path, is_header)
    elif suffix == ".xls":
        raise ReadError(path.name, "the old .xls format is not supported; save the file as .xlsx or .csv")
    else:
        raise ReadError(path.name, f"unknown file type {suffix!r}; use .xlsx, .csv or .jsonl")


def _find_header(first: list[list[Any]], is_header: Callable[[list[str]], bool] | None) -> int:
    """Index of the header among the first rows: the first that names known columns."""
    for i, row in enumerate(first[:_HEADER_SEARCH_ROWS]):
        cells = [str(c).strip() for c in row if c not in (None, "")]
        if len(cells) >= 2 and (is_header is None or is_header(cells)):
            return i
    for i, row in enumerate(first):
        if sum(1 for c in row if c not in (None, "")) >= 2:
            return i
    return 0


def _trim_headers(header: list[Any]) -> list[str]:
    names = [("" if h is None else str(h).strip()) for h in header]
    while names and not names[-1]:
        names.pop()
    return names


# --------------------------------------------------------------------------- csv


def detect_encoding(head: bytes) -> str:
    """The encoding of a CSV from its first bytes: BOMs, then strict UTF-8, then charset-normalizer.

    GBK and GB2312 are read as GB18030, their superset.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    if _mostly_utf8(head):
        # a UTF-8 file with a row or two pasted from a GBK one: read it as UTF-8 and refuse only those rows
        return "utf-8"
    if _reads_as_chinese_gb18030(head):
        # short GBK files fool statistical detection (a 20-byte header and one row may look like UTF-16)
        return "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    guess = (best.encoding if best else "").lower().replace("-", "_")
    if guess in ("gb2312", "gbk", "gb18030", "hz", "cp936") or not guess:
        return "gb18030"
    return guess


def _mostly_utf8(head: bytes) -> bool:
    """True when more of the lines holding non-ASCII bytes are valid UTF-8 than are not.

    Chinese text in GBK is almost never valid UTF-8 by chance, so even a few good
    UTF-8 lines mark the file as UTF-8 with some bad rows, not as GBK.
    """
    lines = head.split(b"\n")
    if len(lines) > 1:
        lines.pop()  # may be cut by the end of the sample
    good = bad = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return good > bad


def _reads_as_chinese_gb18030(head: bytes) -> bool:
    """True when ``head`` decodes strictly as GB18030 into (almost only) common Chinese characters."""
    if b"\x00" in head:
        return False  # UTF-16/32 without a BOM
    try:
        text = head.decode("gb18030")
    except UnicodeDecodeError as exc:
        # a double-byte character cut at the end of the sample
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("gb18030")
    wide = [c for c in text if ord(c) > 0x7F]
    if len(wide) < 4:
        return False  # too little to tell GBK from Latin-1 and friends
    chinese = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return chinese / len(wide) >= 0.9


#: how many undecodable byte runs the "innograph-undecoded" handler has replaced, in any file: while a file's
#: reading leaves it unchanged, none of its rows needs checking
_undecoded_seen = 0
_UNDECODED = re.compile("[\udc80-\udcff]")


def _undecoded_handler(exc: UnicodeError) -> tuple[str, int]:
    global _undecoded_seen
    _undecoded_seen += 1
    return codecs.lookup_error("surrogateescape")(exc)


def _undecoded_errors() -> str:
    """The name of the error handler that keeps undecodable bytes (as lone surrogates) and counts them."""
    try:
        codecs.lookup_error("innograph-undecoded")
    except LookupError:
        codecs.register_error("innograph-undecoded", _undecoded_handler)
    return "innograph-undecoded"


def _encoding_name(encoding: str) -> str:
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030"}.get(encoding, encoding)


def undecoded_reason(cells: list[str], headers: list[str], encoding: str) -> str | None:
    """Why a row holding bytes its file's encoding cannot decode is refused (None when it has none)."""
    bad = [i for i, c in enumerate(cells) if isinstance(c, str) and _UNDECODED.search(c)]
    if not bad:
        return None
    where = ", ".join(headers[i] if i < len(headers) and headers[i] else f"column {i + 1}" for i in bad[:3])
    raw = cells[bad[0]].encode(encoding, "surrogateescape")
    reason = f"not valid {_encoding_name(encoding)} (in {where})"
    for other in ("gb18030", "utf-8"):
        if other == encoding.replace("-sig", ""):
            continue
        try:
            text = raw.decode(other)
        except UnicodeDecodeError:
            continue
        reason += f"; read as {_encoding_name(other)} it says {text[:40]!r}"
        break
    return reason + ": this row was written in another encoding; save the whole file in one (UTF-8)"


def _csv_table(path: Path, is_header: Callable[[list[str]], bool] | None) -> Table:
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head.strip():
        raise ReadError(path.name, "the file is empty")
    encoding = detect_encoding(head)
    try:
        sample_text = head.decode(encoding, errors="ignore")
    except LookupError:
        raise ReadError(path.name, f"unsupported text encoding {encoding}") from None
    first_line = sample_text.lstrip("\ufeff").splitlines()[0] if sample_text.strip() else ""
    delimiter = max((",", "\t", ";", "|"), key=first_line.count) if first_line else ","
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    # undecodable bytes are kept (as lone surrogates) so that only the rows holding them are refused
    seen_before = _undecoded_seen
    fh = open(path, "r", encoding=encoding, newline="", errors=_undecoded_errors())
    reader = csv.reader(fh, delimiter=delimiter)
    first: list[list[Any]] = []
    try:
        for row in reader:
            first.append(row)
            if len(first) >= _HEADER_SEARCH_ROWS:
                break
    except UnicodeError as exc:
        fh.close()
        raise ReadError(path.name, f"not readable as {encoding}: {exc}") from None
    except csv.Error as exc:
        fh.close()
        # the row being read is the one after those collected so far
        raise ReadError(path.name, f"row {len(first) + 1} is not valid CSV: {exc}", len(first) + 1) from None
    if not first:
        fh.close()
        raise ReadError(path.name, "the file has no header row")
    h = _find_header(first, is_header)
    headers = _trim_headers(first[h])
    if _undecoded_seen != seen_before and any(_UNDECODED.search(c) for c in headers):
        fh.close()
        raise ReadError(path.name, f"the header (row {h + 1}) is not valid {_encoding_name(encoding)}; save the "
                                   "file in one encoding (UTF-8)", h + 1)
    # a rough row count for the progress bar: bytes / bytes per line in the sample
    lines = max(sample_text.count("\n"), 1)
    size = os.path.getsize(path)
    size_hint = int(size / (len(head) / lines)) if len(head) < size else lines

    def checked(i: int, row: list[str]) -> list[Any]:
        if _undecoded_seen == seen_before:
            return row
        reason = undecoded_reason(row, headers, encoding)
        return row if reason is None else _BadLine(reason)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        line = 0
        try:
            for i, row in enumerate(first[h + 1:], start=h + 2):
                line = i
                yield i, checked(i, row)
            for i, row in enumerate(reader, start=len(first) + 1):
                line = i
                yield i, checked(i, row)
        except UnicodeError as exc:
            raise ReadError(path.name, f"row after {line} is not readable as {encoding}: {exc}", line + 1) from None
        except csv.Error as exc:
            raise ReadError(path.name, f"row {line + 1} is not valid CSV: {exc}", line + 1) from None
        finally:
            fh.close()

    sample = [dict(zip(headers, r)) for r in first[h + 1:] if not any(_UNDECODED.search(c) for c in r)]
    return Table(path.name, path, headers, h + 1, rows(), encoding=encoding, sample=sample,
                 size_hint=size_hint, close=fh.close)


# --------------------------------------------------------------------------- xlsx


#: a workbook may unpack to at most this many bytes, and no part to more than _MAX_RATIO times its packed size
_MAX_UNPACKED = 1 << 30
_MAX_RATIO = 200
_RATIO_FROM = 8 << 20


def _check_unpacked_size(path: Path) -> None:
    """Refuse a zip bomb before any XML is parsed: the declared sizes are checked (zipfile never reads a
    member past its declared size, so a header that lies only truncates it)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(path.name, f"not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from None
    for m in members:
        if m.file_size > _RATIO_FROM and m.file_size > _MAX_RATIO * max(m.compress_size, 1):
            raise ReadError(path.name, f"part {m.filename} unpacks {m.file_size // max(m.compress_size, 1):,}-fold "
                                       f"to {m.file_size / 2**20:,.0f} MB: refused as a likely zip bomb")
    total = sum(m.file_size for m in members)
    if total > _MAX_UNPACKED:
        raise ReadError(path.name, f"the workbook unpacks to {total / 2**20:,.0f} MB (limit "
                                   f"{_MAX_UNPACKED / 2**20:,.0f} MB): refused as a likely zip bomb; save it as .csv")


def _xlsx_tables(path: Path, is_header: Callable[[list[str]], bool] | None) -> Iterator[Table]:
    _check_unpacked_size(path)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise ReadError(path.name, f"not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from None
    sheets = [ws for ws in wb.worksheets if ws.title.strip().lower() not in _SKIP_SHEETS]
    try:
        for ws in sheets:
            it = ws.iter_rows(values_only=True)
            first: list[list[Any]] = []
            for row in it:
                first.append(list(row))
                if len(first) >= _HEADER_SEARCH_ROWS:
                    break
            if not any(any(c not in (None, "") for c in r) for r in first):
                continue  # an empty sheet
            h = _find_header(first, is_header)
            headers = _trim_headers(first[h])
            name = path.name if len(sheets) == 1 else f"{path.name}[{ws.title}]"

            def rows(first: list[list[Any]] = first, it: Iterator[Any] = it, h: int = h) -> Iterator[tuple[int, list[Any]]]:
                for i, row in enumerate(first[h + 1:], start=h + 2):
                    yield i, row
                for i, row in enumerate(it, start=len(first) + 1):
                    yield i, list(row)

            max_row = ws.max_row
            yield Table(name, path, headers, h + 1, rows(),
                        sample=[dict(zip(headers, r)) for r in first[h + 1:]],
                        size_hint=(max_row - h - 1) if max_row else None, hint=ws.title)
    finally:
        wb.close()


# --------------------------------------------------------------------------- jsonl


def _jsonl_line(line: str) -> dict[str, Any] | _BadLine:
    """One line as a record, or a :class:`_BadLine` saying why it is not one."""
    if _UNDECODED.search(line):
        return _BadLine(undecoded_reason([line], ["the line"], "utf-8") or "not valid UTF-8")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return _BadLine(f"not JSON: {exc.msg}")
    except RecursionError:
        return _BadLine("nests JSON arrays or objects too deeply to be a record")
    if not isinstance(obj, dict):
        return _BadLine("not a JSON object")
    return obj


def _jsonl_table(path: Path) -> Table:
    # undecodable bytes are kept (as lone surrogates): only the lines holding them are refused
    fh = open(path, "r", encoding="utf-8-sig", errors="surrogateescape")
    # the first records name the fields; a bad line among them is a rejected row like any later one,
    # unless no good record comes before the sample ends (then nothing says what the file holds)
    head: list[tuple[int, dict[str, Any] | _BadLine]] = []
    keys: dict[str, None] = {}
    consumed = 0
    good = 0
    for i, line in enumerate(fh, start=1):
        consumed += len(line.encode("utf-8", "surrogateescape"))
        if not line.strip():
            continue
        obj = _jsonl_line(line)
        head.append((i, obj))
        if isinstance(obj, dict):
            good += 1
            keys.update(dict.fromkeys(obj))
            if good >= 200:
                break
    if not good:
        fh.close()
        if head:
            i, bad = head[0]
            raise ReadError(path.name, f"line {i}: {bad.reason}", i)  # type: ignore[union-attr]
        raise ReadError(path.name, "the file has no records")
    headers = list(keys)
    start = head[-1][0]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for i, obj in head:
                yield i, (obj if isinstance(obj, _BadLine) else [obj.get(k) for k in headers])
            for i, line in enumerate(fh, start=start + 1):
                if not line.strip():
                    continue
                obj = _jsonl_line(line)
                if isinstance(obj, _BadLine):
                    yield i, obj
                    continue
                extra = [k for k in obj if k not in keys]
                if extra:
                    yield i, _BadLine(f"fields {', '.join(extra)} do not appear in the first records")
                    continue
                yield i, [obj.get(k) for k in headers]
        finally:
            fh.close()

    size = os.path.getsize(path)
    return Table(path.name, path, headers, 0, rows(), encoding="utf-8",
                 sample=[obj for _, obj in head[:50] if isinstance(obj, dict)],
                 size_hint=max(len(head), int(size / max(consumed / max(start, 1), 1))),
                 close=fh.close)


class _BadLine(list):
    """A line that could not be read; the pipeline reports it as a rejected row."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def is_bad_line(cells: Any) -> str | None:
    return cells.reason if isinstance(cells, _BadLine) else None
