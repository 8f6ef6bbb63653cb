"""Focus industries listed in a task: 「围绕航空航天、新材料、高端装备、农机装备等产业」.

A list is a run of items separated by 、 (and by ， between groups that are
themselves lists) closed by 等 and a field word (产业, 领域, 行业, 产业集群,
业态, 形态 …), opened by a verb such as 围绕, 聚焦, 推动, 加快. Items keep their
compound names whole (软件和信息技术服务业, 精量播种和智能收获机械); two items
joined by 和/及/与 are split only when both end in 产业/行业.
"""

from __future__ import annotations

import re

from ingest.policy.lexicon import CJK
from ingest.policy.model import IndustryMention, Mention

#: 等 + an optional modifier + the word that says the list is about industries or fields.
_MARKER = re.compile(
    rf"(?<![高平同中初对均相])等(?P<mod>[{CJK}“”]{{0,10}}?)(?P<field>产业领域|产业集群|产业链|产业|领域|行业|业态|形态|板块)"
    r"(?!基础|园|区|政策|资金|项目|人才|工人|用地|工作|部门|主管|协会|组织)"
)
#: Words that open a list: the list starts after them.
_OPENERS = re.compile(
    r"(?:重点围绕|围绕|聚焦|瞄准|面向|推动|推进|加快|促进|发展|培育|壮大|布局|加强|重点发展|重点支持|支持|涵盖|包括|"
    r"突破|拓展|深耕|做强|做优|做大|提升|引导|服务|对接|覆盖|在|对|以|实施|开展)"
)
_ITEM_NOISE_START = re.compile(r"^(?:以及|及|和|与|或|对|的|等|其中|包括|重点|特别是|尤其是|如)")
_NOT_INDUSTRY = re.compile(
    r"(?:部门|单位|机构|企业|高校|院所|大学|学院|研究院|研究所|开发区|高新区|园区|科技园|基地|平台|中心|联盟|基金|"
    r"政策|方式|服务|要素|资源|人才|资金|措施|项目|工作|机制|体系|环境|主体|载体|活动|渠道|模式)$"
)
_SPLIT_AND = re.compile(r"(?<=产业|行业)(?:和|及|与|以及)(?=.+(?:产业|行业)$)")


def _item_spans(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out, start = [], a
    for i in range(a, b):
        if text[i] == "、":
            out.append((start, i))
            start = i + 1
    out.append((start, b))
    return out


_BAD_MODIFIER = re.compile(
    r"方式|要素|政策|服务|平台|基地|作用|措施|部门|单位|机构|资源|形式|渠道|各类|多种|资金|促进|推动|加快|实现|落地|"
    r"开展|提供|建设|在我|我省|我市|载体|主体|向|与|和|对|为|以|的"
)
_BARE_MARKER = re.compile(r"(?<![高平同中初对均相])等(?=[,，;；。])")
_BARE_OPENERS = re.compile(r"(?:围绕|聚焦|瞄准|重点发展|培育|壮大|发展)$")
_GROUP_STOP = set(",;。:()“”\n\r，；：")


def _group_start(text: str, a: int, end: int) -> int:
    k = end
    while k > a and text[k - 1] not in _GROUP_STOP:
        k -= 1
    return k


def _list_groups(text: str, a: int, end: int) -> list[tuple[int, int]]:
    """The groups of items that end at ``end`` (where 等 stands), first group first."""
    groups: list[tuple[int, int]] = []
    group_end = end
    while True:
        start = _group_start(text, a, group_end)
        seg = text[start:group_end]
        first_sep = seg.find("、")
        limit = first_sep if first_sep >= 0 else len(seg)
        openers = [om for om in _OPENERS.finditer(seg) if om.end() <= limit and om.end() < len(seg)]
        if openers:
            groups.insert(0, (start + openers[-1].end(), group_end))
            return groups
        groups.insert(0, (start, group_end))
        # go on to the previous group only across a comma, when both groups are lists themselves
        if first_sep < 0 or start <= a or text[start - 1] not in ",，":
            return groups
        prev_start = _group_start(text, a, start - 1)
        if "、" not in text[prev_start:start - 1] and not _OPENERS.search(text[prev_start:start - 1]):
            return groups
        group_end = start - 1


def find_industries(original: str, text: str, a: int, b: int, *, task: str | None,
                    skip: list[tuple[int, int]] = ()) -> list[IndustryMention]:
    """Industries listed in ``text[a:b]``, in order of appearance."""
    out: list[IndustryMention] = []
    ends = [(m.start(), m.group("mod")) for m in _MARKER.finditer(text, a, b)]
    for m in _BARE_MARKER.finditer(text, a, b):
        # 「聚焦数字产品制造业、软件和信息技术服务业等，」: a bare 等 closes a list of industries by name
        groups = _list_groups(text, a, m.start())
        head = text[_group_start(text, a, groups[0][0]):groups[0][0]] if groups else ""
        items = [text[x0:x1] for g0, g1 in groups for x0, x1 in _item_spans(text, g0, g1)]
        if _BARE_OPENERS.search(head) and any(re.search(r"(?:产业|行业|业)$", x) for x in items):
            ends.append((m.start(), ""))
    ends.sort()
    for end, mod in ends:
        if any(x0 <= end < x1 for x0, x1 in skip) or _BAD_MODIFIER.search(mod):
            continue
        groups = _list_groups(text, a, end)
        if len(groups) == 1 and "、" not in text[groups[0][0]:groups[0][1]] and \
                groups[0][1] - groups[0][0] > 10:
            continue  # one long phrase before 等 is a clause, not a list
        for g0, g1 in groups:
            for i0, i1 in _item_spans(text, g0, g1):
                while i0 < i1 and text[i0] in " \t":
                    i0 += 1
                nm = _ITEM_NOISE_START.match(text[i0:i1])
                if nm:
                    i0 += nm.end()
                seg = text[i0:i1]
                pieces = [(i0, i1)]
                sm = _SPLIT_AND.search(seg)
                if sm:
                    pieces = [(i0, i0 + sm.start()), (i0 + sm.end(), i1)]
                for p0, p1 in pieces:
                    while p0 < p1 and text[p0] in "“\" ":
                        p0 += 1
                    while p1 > p0 and text[p1 - 1] in "”\" ":
                        p1 -= 1
                    name = text[p0:p1]
                    if not name or len(name) > 16 or not re.search(f"[{CJK}]", name):
                        continue
                    if _NOT_INDUSTRY.search(name) or re.search(r"\d", name):
                        continue
                    out.append(IndustryMention(original[p0:p1], Mention(original[p0:p1], p0, p1), task))
    return out
