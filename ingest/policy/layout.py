"""Document layout: metadata (title, issuer, date, period) and the numbered section tree.

Plans of the genre are published as a notice (「X关于印发Y的通知」, the addressees,
the issuer's signature, the date) followed by the plan itself (its title, an
introduction, then numbered sections). Web copies often add a news preface
that repeats parts of the plan; everything before the plan's own title line
(or before its first top-level heading) is the preamble and yields no tasks.

Numbering styles are ranked 第一章 > 一、 > （一） > 1. > （1） > ①; the nesting of
a document follows the order in which its styles first appear, so a plan that
goes 一、 → 1. without （一） gets ids "2.1", and one that starts at （一） gets "1".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.policy.lexicon import CJK, PROVINCES
from ingest.policy.model import DocumentMeta, Mention, Section
from ingest.policy.text import PolicyText

_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_NUM = "[一二三四五六七八九十百零〇]+"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

#: Heading styles, highest rank first: (name, pattern at the start of a line).
HEADING_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"第(?P<n>{_CN_NUM})(?:章|部分|篇)[ \t]*")),
    ("cn", re.compile(rf"(?P<n>{_CN_NUM})[ \t]*[、.][ \t]*")),
    ("pcn", re.compile(rf"[(〔][ \t]*(?P<n>{_CN_NUM})[ \t]*[)〕][ \t]*[、.]?[ \t]*")),
    ("num", re.compile(r"(?P<n>\d{1,2})[ \t]*[.、](?!\d)[ \t]*")),
    ("pnum", re.compile(r"[(][ \t]*(?P<n>\d{1,2})[ \t]*[)][ \t]*[、.]?[ \t]*")),
    ("circled", re.compile(rf"(?P<n>[{_CIRCLED}])[ \t]*")),
    ("article", re.compile(rf"第(?P<n>{_CN_NUM})条[ \t]*")),
)
_RANK = {name: i for i, (name, _) in enumerate(HEADING_STYLES)}

_GENRE_END = re.compile(r"(?:计划|方案|规划|意见|措施|办法|纲要|细则|决定|规定|政策|行动|通知|若干措施|实施意见)"
                        r"(?:\s*[(（][^()（）]{2,20}[)）])?\s*$")
_NOTICE = re.compile(r"^(?P<issuer>.{2,80}?)关于(?:印发|转发|发布)(?P<title>.+?)的通知\s*$")
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_CN_DATE = re.compile(r"(?P<y>[二〇○零一三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日")
_PERIOD = re.compile(r"(?P<a>(?:19|20)\d{2})\s*(?:年)?\s*[—–\-－~～至到]+\s*(?P<b>(?:19|20)\d{2})\s*年")
_ISSUER_LINE = re.compile(rf"^[{CJK}()（）]{{2,40}}(?:人民政府|政府|办公厅|办公室|厅|局|委员会|委|办|行署|管委会|中心|院)$")
_PREFACE_MARK = re.compile(r"(?:原文如下|全文如下|以下为原文|附原文|政策原文)")


def cn_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105, ⑫ → 12, 12 → 12."""
    if text.isdigit():
        return int(text)
    if len(text) == 1 and text in _CIRCLED:
        return _CIRCLED.index(text) + 1
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "千":
            total += (current or 1) * 1000
            current = 0
    return total + current


def _cn_year(text: str) -> int:
    return int("".join(str(_CN_DIGITS[c]) for c in text))


@dataclass(frozen=True)
class Line:
    start: int
    end: int      # without the line break
    text: str     # normalised text of the line

    @property
    def stripped(self) -> str:
        return self.text.strip()


def split_lines(text: str) -> list[Line]:
    """The lines of a text with their offsets."""
    lines, pos = [], 0
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        if m.start() == len(text) and not m.group():
            break
        raw = m.group()
        body = raw.rstrip("\r\n")
        lines.append(Line(m.start(), m.start() + len(body), body))
        pos = m.end()
        if pos >= len(text):
            break
    return lines


@dataclass(frozen=True)
class Heading:
    style: str
    number: int
    start: int        # where the number starts
    text_start: int   # where the heading's words start
    line: Line


def find_headings(lines: list[Line]) -> list[Heading]:
    """Every line that starts with a section number, in order."""
    out = []
    for line in lines:
        lead = len(line.text) - len(line.text.lstrip())
        rest = line.text[lead:]
        if not rest:
            continue
        for style, pattern in HEADING_STYLES:
            m = pattern.match(rest)
            if not m:
                continue
            words = rest[m.end():]
            # a number followed by a measure word or a year is prose ("3个…", "2025年…"), not a heading
            if not words or not re.match(rf"[{CJK}“\"《(（]", words):
                continue
            out.append(Heading(style, cn_number(m.group("n")), line.start + lead, line.start + lead + m.end(), line))
            break
    return out


def _title_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The heading words: up to the first full stop, colon or the end of the line."""
    m = re.search(r"[。:;!?]", text[start:end])
    stop = start + m.start() if m else end
    while stop > start and text[stop - 1] in " \t":
        stop -= 1
    return start, stop


def _province_in(text: str) -> str | None:
    best = None
    for full, short in PROVINCES:
        for name in (full, short):
            i = text.find(name)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, full)
    return best[1] if best else None


def _city_in(text: str) -> str | None:
    m = re.match(rf"^([{CJK}]{{2,4}}?市)", text)
    if m and not any(m.group(1) == full for full, _ in PROVINCES):
        return m.group(1)
    return None


def analyse_layout(pt: PolicyText) -> tuple[DocumentMeta, list[Section]]:
    """Find the metadata and the numbered sections of a policy text."""
    text = pt.normalised
    lines = split_lines(text)
    headings = find_headings(lines)

    # The notice header and the plan's own title line; a news preface before them is skipped.
    start_line = 0
    for i, line in enumerate(lines):
        if _PREFACE_MARK.search(line.stripped) and len(line.stripped) < 30:
            start_line = i + 1
    notice = None
    for i in range(start_line, len(lines)):
        m = _NOTICE.match(lines[i].stripped)
        if m:
            notice = (i, m)
            break
    first_heading_line = None
    scan_from = lines[notice[0]].end if notice else (lines[start_line].start if start_line < len(lines) else 0)
    candidates = [h for h in headings if h.start >= scan_from]
    if candidates:
        top = min(_RANK[h.style] for h in candidates)
        first = next(h for h in candidates if _RANK[h.style] == top)
        first_heading_line = first.line
    title_line = None
    limit = first_heading_line.start if first_heading_line else len(text)
    notice_title = _strip_title(notice[1].group("title")) if notice else None
    for i in range(notice[0] + 1 if notice else start_line, len(lines)):
        line = lines[i]
        if line.start >= limit:
            break
        s = line.stripped
        if 4 <= len(s) <= 90 and "。" not in s and _GENRE_END.search(s) and not _NOTICE.match(s) \
                and not s.startswith(("《", "各", "现将", "经")):
            if notice_title is None or _key(s) == _key(notice_title) or title_line is None:
                title_line = line
                if notice_title is not None and _key(s) == _key(notice_title):
                    break
    if title_line is not None:
        body_from = title_line.end
    elif notice:
        body_from = lines[notice[0]].end
    else:
        body_from = scan_from
    body_headings = [h for h in headings if h.start >= body_from]
    if body_headings:
        top = min(_RANK[h.style] for h in body_headings)
        first_top = next(h for h in body_headings if _RANK[h.style] == top)
        body_headings = [h for h in body_headings if h.start >= first_top.start]

    # title
    if title_line is not None:
        lead = len(title_line.text) - len(title_line.text.lstrip())
        t0, t1 = title_line.start + lead, title_line.start + lead + len(title_line.stripped)
        title_span = Mention(pt.surface(t0, t1), t0, t1)
        title = _strip_title(title_span.text)
    elif notice:
        line = lines[notice[0]]
        m = notice[1]
        lead = len(line.text) - len(line.text.lstrip())
        t0 = line.start + lead + m.start("title")
        t1 = line.start + lead + m.end("title")
        title_span = Mention(pt.surface(t0, t1), t0, t1)
        title = _strip_title(title_span.text)
    else:
        first_line = next((ln for ln in lines[start_line:] if ln.stripped), None)
        if first_line is not None:
            lead = len(first_line.text) - len(first_line.text.lstrip())
            t0 = first_line.start + lead
            t1 = min(first_line.start + lead + len(first_line.stripped), t0 + 60)
            title_span = Mention(pt.surface(t0, t1), t0, t1)
            title = title_span.text
        else:  # pragma: no cover - an empty text is refused earlier
            title_span, title = None, ""

    # issuer: the notice header, else the signature lines above a date line
    issuer = None
    if notice:
        parts = [p for p in re.split(r"[\s、,]+", notice[1].group("issuer").strip()) if p]
        issuer = "、".join(parts)
    preamble_end = body_headings[0].start if body_headings else len(text)
    date = None
    date_line_index = None
    for i in range(start_line, len(lines)):
        line = lines[i]
        if line.start >= preamble_end:
            break
        d = _date_of(line.stripped, whole=True)
        if d:
            date, date_line_index = d, i
            break
    if date_line_index is None:  # some plans sign at the end
        for i in range(len(lines) - 1, max(len(lines) - 8, -1), -1):
            d = _date_of(lines[i].stripped, whole=True)
            if d:
                date, date_line_index = d, i
                break
    if issuer is None and date_line_index is not None:
        names = []
        j = date_line_index - 1
        while j >= 0 and len(names) < 6:
            s = lines[j].stripped
            if not s:
                if names:
                    break
                j -= 1
                continue
            if _ISSUER_LINE.match(s.replace(" ", "")):
                names.insert(0, s)
                j -= 1
                continue
            break
        if names:
            issuer = "、".join(names)
    if date is None:
        m = re.search(r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)(?=\s*(?:印发|发布|起施行))",
                      text[:preamble_end])
        if m:
            date = _date_of(m.group(0), whole=False)

    period = None
    m = _PERIOD.search(title)
    if m is None and body_headings:
        m = _PERIOD.search(text[body_from:body_headings[0].start])
    if m:
        period = f"{m.group('a')}-{m.group('b')}"

    province = _province_in(issuer or "") or _province_in(title) or _province_in(text[:preamble_end])
    city = _city_in(issuer or "") or _city_in(title)
    meta = DocumentMeta(title=title, title_span=title_span, issuer=issuer, date=date, period=period,
                        province=province, city=city, body_start=body_from)
    return meta, build_sections(pt, body_headings)


def _date_of(s: str, *, whole: bool) -> str | None:
    s = s.strip()
    m = _DATE.fullmatch(s) if whole else _DATE.search(s)
    if m:
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    else:
        m = _CN_DATE.fullmatch(s) if whole else _CN_DATE.search(s)
        if not m:
            return None
        y, mo, d = _cn_year(m.group("y")), cn_number(m.group("m")), cn_number(m.group("d"))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _strip_title(s: str) -> str:
    s = s.strip()
    if s.startswith("《") and s.endswith("》"):
        s = s[1:-1]
    return s.strip()


def _key(s: str) -> str:
    return re.sub(r"[\s《》“”\"]", "", s).replace("（", "(").replace("）", ")")


def build_sections(pt: PolicyText, headings: list[Heading]) -> list[Section]:
    """The section tree: each heading's id from the numbers of its ancestors in the document's own nesting."""
    text = pt.normalised
    sections: list[Section] = []
    stack: list[tuple[str, int, Section]] = []  # (style, number, section)
    for i, h in enumerate(headings):
        styles = [s for s, _, _ in stack]
        if h.style in styles:
            del stack[styles.index(h.style):]
        parent = stack[-1][2] if stack else None
        numbers = [n for _, n, _ in stack] + [h.number]
        own_end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        t0, t1 = _title_of(text, h.text_start, h.line.end)
        section = Section(
            id=".".join(str(n) for n in numbers),
            title=pt.surface(t0, t1).strip(),
            title_span=Mention(pt.surface(t0, t1), t0, t1),
            level=len(numbers), style=h.style, start=h.start, own_end=own_end,
            parent=parent.id if parent else None,
        )
        stack.append((h.style, h.number, section))
        sections.append(section)
    # a section ends where the next section of the same or a higher level starts
    for i, s in enumerate(sections):
        s.end = next((t.start for t in sections[i + 1:] if t.level <= s.level), len(text))
    # Duplicate ids (a renumbering slip in the source) keep the first; later ones get a suffix.
    seen: dict[str, int] = {}
    for s in sections:
        if s.id in seen:
            seen[s.id] += 1
            s.id = f"{s.id}~{seen[s.id]}"
        else:
            seen[s.id] = 1
    return sections
