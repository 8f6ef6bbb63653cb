"""Government bodies: recognising them, resolving their names, reading lead/support brackets.

A department is recognised by the shape of Chinese government names, never by
a list taken from one document: a region prefix (省/市/区/县, 省委, a province
or city name, 国家, 人民银行 …), a body, and a suffix (厅, 局, 委, 办,
委员会, 中心支行, 监管局, 管委会, 政府 (行署) …).

Two spellings of one body resolve to one key: 省科技厅 in a Heilongjiang plan and
黑龙江省科学技术厅 both become ``黑龙江省科学技术厅`` (a bare 省 means the
document's province, a bare 市 the document's city; standard abbreviations are
expanded; 人民政府 and 政府 are the same).

Responsibility brackets are read in all the forms the genre uses:
「（省科技厅牵头，省工信厅、省教育厅等部门配合）」, 「（牵头单位：省教育厅；配合单位：省科技厅）」,
a line 「责任单位：市科技局、市教育局」 (with 「列第一位的为牵头单位」 the first one leads),
「（省科技厅、省教育厅按职责分工负责）」, 「A会同B负责」, and the standing clause
「以下均需……配合，不再列出」 that makes a body support every later task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.policy.lexicon import (
    CJK,
    DEPARTMENT_EXPANSIONS,
    DEPARTMENT_VOCABULARY,
    GOV_NAME_END,
    NOT_A_REGION_PREFIX,
    PROVINCES,
)
from ingest.policy.model import DepartmentMention, Mention
from ingest.policy.text import normalise_width

_OPEN = "(〔[【"
_CLOSE = ")〕]】"

_ROLE_WORDS = re.compile(r"牵头|配合|负责|责任单位|责任部门|参与|协助|协同|会同|协办|主办")
_LABELLED = re.compile(
    r"^(?P<label>牵头单位|牵头部门|主办单位|责任单位|责任部门|负责单位|配合单位|配合部门|参与单位|协办单位|协同单位|支持单位)"
    r"\s*[:：]\s*(?P<list>.+)$"
)
_ROLE_AT_END = re.compile(
    r"^(?P<list>.+?)(?:等(?:有关|相关)?(?:部门|单位|机构))?\s*(?:分别|共同|按职责分工|按职责|依职责|各负其责|按照职责分工)?"
    r"(?P<role>牵头负责|牵头|负责|配合|参与|协助|协同|支持|落实|推进|实施)$"
)
_CONVENE = re.compile(r"^(?P<a>.+?)会同(?P<b>.+?)(?:等(?:有关|相关)?(?:部门|单位))?(?:共同)?(?:负责|推进|落实|实施)?$")
_STANDING = re.compile(
    r"以下(?:各项|各|所有)?(?:任务|工作|措施|事项|内容)?(?:均|都|皆|也)?(?:需|须|由|要|应)*(?:要)?"
    r"(?P<list>.+?)(?:等(?:有关|相关)?(?:部门|单位))?(?P<role>配合|参与|协助|牵头|负责)"
    r"[,，;；]?\s*(?:均)?(?:不再|不另|不一一|下同)"
)
_FIRST_LEADS = re.compile(r"(?:列|排|位)(?:在)?(?:第一|首)位的?(?:单位|部门)?(?:为|是)牵头")
_LIST_TAIL = re.compile(r"等(?:有关|相关|各)?(?:部门|单位|机构|部门单位)?$|等$")
_CONNECTORS = ("以及", "和", "及", "与", "、")

_PROVINCE_FULL = {full for full, _ in PROVINCES}
_SHORT_TO_FULL = {short: full for full, short in PROVINCES}
_COLLECTIVE = re.compile(rf"^各?(?:市|县|区|州|地|盟|旗|乡|镇)[{CJK}()、]{{0,10}}?(?:人民政府|政府|行署|管委会)")

# Running text: a department needs a region prefix and a known body word.
_VOCAB = "|".join(sorted(map(re.escape, DEPARTMENT_VOCABULARY), key=len, reverse=True))
_STRICT = re.compile(
    rf"(?P<name>(?:省委|市委|省|市|区|县)(?:{_VOCAB})[{CJK}]{{0,10}}?"
    r"(?:工作领导小组办公室|领导小组办公室|工作领导小组|领导小组|委员会|办公室|厅|局|委|办))"
    rf"(?![{CJK}]{{0,1}}(?:库|平台|基金|中心|园|院|所|计划|工程|资金|项目|政策|系统))"
)
_STRICT_COLLECTIVE = re.compile(rf"各(?:市|县|区|州)(?:\([{CJK}、]{{1,6}}\))?(?:人民政府|政府)(?:\([{CJK}]{{1,4}}\))?")
_STRICT_BEFORE_OK = set("，,。；;：:、（）()〔〕[]【】“”\"由和与及或经请向对在将把被同、\r\n\t 　") | {""}


@dataclass(frozen=True)
class Context:
    """What a bare prefix means in this document."""

    province: str | None
    city: str | None


def _clean(name: str) -> str:
    return re.sub(r"\s+", "", normalise_width(name))


def looks_like_department(name: str) -> bool:
    """True when an item of a responsibility list has the shape of a government body."""
    s = _clean(name)
    if not (2 <= len(s) <= 40) or not re.search(f"[{CJK}]", s):
        return False
    if re.search(r"企业|公司|高校|院所|大学|学院|研究院|研究所|协会|学会|商会|银行$|机构$|单位$|部门$", s) and \
            not re.search(r"中心支行|分行|监管局|营业管理部", s):
        return False
    if NOT_A_REGION_PREFIX.match(s.lstrip("各")) and not _COLLECTIVE.match(s):
        return False
    return bool(GOV_NAME_END.search(s))


def department_key(name: str, ctx: Context) -> tuple[str, str]:
    """``(key, canonical name)`` of a government body: one Agency node per key.

    The canonical name qualifies a bare 省/市 prefix with the document's province
    or city and expands standard abbreviations (省科技厅 → 黑龙江省科学技术厅).
    The key also folds 人民政府/政府 and drops a leading 中共.
    """
    s = _clean(name)
    s = re.sub(r"^中共", "", s)
    if _COLLECTIVE.match(s):
        s = s if s.startswith("各") else "各" + s
        owner = ctx.city if s.startswith(("各区", "各县")) and ctx.city else ctx.province
        s = (owner or "") + s
    elif s.startswith("省") and not NOT_A_REGION_PREFIX.match(s) and ctx.province:
        s = ctx.province + s[1:]
    elif s.startswith("市") and not NOT_A_REGION_PREFIX.match(s) and ctx.city:
        s = ctx.city + s[1:]
    short_prefix = None
    if not s.startswith(("各", "省", "市")):
        for short, full in sorted(_SHORT_TO_FULL.items(), key=lambda kv: -len(kv[0])):
            if s.startswith(short) and not s.startswith(full) and s[len(short):len(short) + 1] not in "省市州县区":
                short_prefix = (short, full)
                break
    canonical = s
    for short, full in DEPARTMENT_EXPANSIONS:
        if short in canonical and full not in canonical:
            canonical = canonical.replace(short, full)
    # a trailing 委 / 办 of an abbreviation (not 省委, 市委) is a 委员会 / 办公室
    if canonical.endswith("委") and not re.search(r"(?:省|市|区|县|州|党)委$", canonical):
        canonical = canonical[:-1] + "委员会"
    elif canonical.endswith("办") and not canonical.endswith("总办"):
        canonical = canonical[:-1] + "办公室"
    key = canonical
    if short_prefix:
        # 黑龙江银保监局 keeps its name; its key is 黑龙江省… like every other spelling of it
        canonical = s
        key = short_prefix[1] + key[len(short_prefix[0]):]
    key = key.replace("人民政府国有资产", "国有资产").replace("人民政府", "政府")
    key = key.replace("(", "（").replace(")", "）")
    return key, canonical


def department_mention(mention: Mention, ctx: Context) -> DepartmentMention:
    key, canonical = department_key(mention.text, ctx)
    return DepartmentMention(mention=mention, key=key, canonical=canonical)


# --------------------------------------------------------------------------- brackets


def matching_brackets(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level bracket pairs ``(open, close)`` in ``text[start:end]``, nested brackets included in them."""
    pairs, depth, opened = [], 0, -1
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            if depth == 0:
                opened = i
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
            if depth == 0:
                pairs.append((opened, i))
    return pairs


def _split_top(text: str, start: int, end: int, seps: str) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at separators outside brackets; returns (start, end) pieces."""
    out, depth, piece = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
        elif depth == 0 and ch in seps:
            out.append((piece, i))
            piece = i + 1
    out.append((piece, end))
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \t\r\n":
        a += 1
    while b > a and text[b - 1] in " \t\r\n。.":
        b -= 1
    return a, b


def split_department_list(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The bodies of a list such as 「省科技厅、省工信厅等部门和各市(地)政府(行署)」 as (start, end) spans.

    Splits on 、 and on 和/及/与/以及 only where both sides are bodies, so
    省工业和信息化厅 stays whole; drops 「等部门」 and similar tails.
    """
    items: list[tuple[int, int]] = []
    for p0, p1 in _split_top(text, a, b, "、,"):
        p0, p1 = _trim(text, p0, p1)
        if p0 >= p1:
            continue
        items.extend(_split_connectors(text, p0, p1))
    out = []
    for p0, p1 in items:
        seg = text[p0:p1]
        m = _LIST_TAIL.search(seg)
        if m:
            p1 = p0 + m.start()
        seg = text[p0:p1]
        m = re.match(r"^(?:由|请|及|和|与|以及)", seg)
        if m:
            p0 += m.end()
        p0, p1 = _trim(text, p0, p1)
        if p0 < p1:
            out.append((p0, p1))
    return out


def _split_connectors(text: str, a: int, b: int) -> list[tuple[int, int]]:
    seg = text[a:b]
    depth = 0
    for i, ch in enumerate(seg):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
        elif depth == 0:
            for conn in ("以及", "和", "及", "与"):
                if seg.startswith(conn, i) and i > 0:
                    left = _LIST_TAIL.sub("", seg[:i])
                    right = seg[i + len(conn):]
                    if looks_like_department(left) and looks_like_department(_LIST_TAIL.sub("", right)):
                        return [(a, a + i)] + _split_connectors(text, a + i + len(conn), b)
    return [(a, b)]


@dataclass
class DutyClause:
    """What one responsibility bracket or line says."""

    leads: list[Mention]
    supports: list[Mention]
    responsible: list[Mention]          # 「责任单位：…」 without roles
    standing_supports: list[Mention]
    standing_leads: list[Mention]
    standing_span: Mention | None


def _mentions(pt_original: str, text: str, a: int, b: int) -> list[Mention]:
    out = []
    for p0, p1 in split_department_list(text, a, b):
        if looks_like_department(text[p0:p1]):
            out.append(Mention(pt_original[p0:p1], p0, p1))
    return out


def parse_duty_text(original: str, text: str, a: int, b: int) -> DutyClause | None:
    """Read the departments and their roles in ``text[a:b]`` (a bracket's inside or a duty line).

    Returns None when the span names no role or no department.
    """
    inner = text[a:b]
    if not _ROLE_WORDS.search(inner):
        return None
    clause = DutyClause([], [], [], [], [], None)
    blocked: list[tuple[int, int]] = []
    for m in _STANDING.finditer(inner):
        l0, l1 = a + m.start("list"), a + m.end("list")
        names = _mentions(original, text, l0, l1)
        if not names:
            continue
        (clause.standing_supports if m.group("role") in ("配合", "参与", "协助") else clause.standing_leads).extend(names)
        s0, s1 = a + m.start(), a + m.end()
        tail = re.match(r"[^。;；)]*", text[s1:b])
        s1 += tail.end() if tail else 0
        clause.standing_span = Mention(original[s0:s1], s0, s1)
        blocked.append((s0, s1))
    for p0, p1 in _split_top(text, a, b, ",;。"):
        if any(p0 >= x0 and p1 <= x1 or x0 <= p0 < x1 for x0, x1 in blocked):
            continue
        p0, p1 = _trim(text, p0, p1)
        if p0 >= p1:
            continue
        seg = text[p0:p1]
        m = _LABELLED.match(seg)
        if m:
            names = _mentions(original, text, p0 + m.start("list"), p0 + m.end("list"))
            label = m.group("label")
            if label.startswith(("牵头", "主办", "负责")):
                clause.leads.extend(names)
            elif label.startswith(("责任",)):
                clause.responsible.extend(names)
            else:
                clause.supports.extend(names)
            continue
        m = _CONVENE.match(seg)
        if m and "会同" in seg:
            clause.leads.extend(_mentions(original, text, p0 + m.start("a"), p0 + m.end("a")))
            clause.supports.extend(_mentions(original, text, p0 + m.start("b"), p0 + m.end("b")))
            continue
        m = _ROLE_AT_END.match(seg)
        if m:
            names = _mentions(original, text, p0 + m.start("list"), p0 + m.end("list"))
            role = m.group("role")
            if role in ("配合", "参与", "协助", "协同", "支持"):
                clause.supports.extend(names)
            else:
                clause.leads.extend(names)
            continue
        # 「省科技厅牵头省财政厅配合」 without a comma
        k = seg.find("牵头")
        if 0 < k < len(seg) - 2 and re.search(r"(配合|参与|协助)$", seg):
            clause.leads.extend(_mentions(original, text, p0, p0 + k))
            rest = re.sub(r"(配合|参与|协助)$", "", seg[k + 2:])
            clause.supports.extend(_mentions(original, text, p0 + k + 2, p0 + k + 2 + len(rest)))
    if not (clause.leads or clause.supports or clause.responsible or clause.standing_supports or clause.standing_leads):
        return None
    return clause


def first_listed_leads(text: str) -> bool:
    """True when the document says the first body of each responsibility list leads (列第一位的为牵头单位)."""
    return bool(_FIRST_LEADS.search(text))


# --------------------------------------------------------------------------- running text


def departments_in_text(original: str, text: str, a: int, b: int) -> list[Mention]:
    """Government bodies named in running text (not in a responsibility list): 省统计局负责…, 各市(地)政府(行署)要…"""
    out = []
    for rx in (_STRICT, _STRICT_COLLECTIVE):
        for m in rx.finditer(text, a, b):
            s0, s1 = m.span()
            before = text[s0 - 1] if s0 > 0 else ""
            if rx is _STRICT:
                # 「我省科技…」, 「全省…」: 省 after 我/全/本 is not a prefix
                if before in "我全本该外跨入出来在各" and before not in _STRICT_BEFORE_OK:
                    continue
                if NOT_A_REGION_PREFIX.match(text[s0:s1]):
                    continue
            out.append(Mention(original[s0:s1], s0, s1))
    out.sort(key=lambda m: m.start)
    return out
