"""Numeric targets: 「到2025年，全省高新技术企业达到5000家」 → metric 高新技术企业, 5000, 家, 2025.

A quantity (a number and a measure word) is a target when its clause commits
to it: a target verb (达到, 实现, 新建, 培育 …) stands before it, and it is no
subsidy (给予最高200万元支持) or count of things the plan merely names. The
metric is the noun phrase of what is counted, found in this order:

* before the number, minus deadline, scope (全省), accumulation (四年累计) and the
  verb (达到): 「全省技术合同登记成交额四年累计达到2000亿元」 → 技术合同登记成交额;
* after the measure word: 「实现1200项科技成果产业化」 → 科技成果产业化;
* the object of the previous clause: 「在我省创办技术转移机构，到2025年达到100家」 → 技术转移机构.

A generic 科技成果… metric in a task about one kind of developer (高等院校, 科研院所,
企业 …) is qualified by it: 高等院校科技成果产业化. The deadline is the sentence's
(到2025年, 2025年底前, “十四五”末), else the last one stated earlier in the paragraph.
"""

from __future__ import annotations

import re

from ingest.policy.lexicon import (
    ACCUMULATION,
    CJK,
    DEADLINE,
    FIVE_YEAR_DEADLINE,
    FIVE_YEAR_PLANS,
    LEADING_VERBS,
    SCOPE_WORDS,
    SUBSIDY_CONTEXT,
    TARGET_VERBS,
    TRAILING_VERBS,
    unit_pattern,
)
from ingest.policy.layout import cn_number
from ingest.policy.model import Mention, TargetFact

_UNIT = unit_pattern()
_QUANTITY = re.compile(
    r"(?P<num>(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?)"
    r"\s*(?P<approx>余|多)?\s*(?P<unit>" + _UNIT + r")(?P<qual>以上|左右|以内|以下|上下)?"
)
_CN_QUANTITY = re.compile(
    r"(?P<verb>建设|打造|建成|布局建设|培育|新建|组建|创建|认定|布局)(?P<num>[一二两三四五六七八九十百]+)"
    r"(?P<unit>大|个|家|项|所|批|座|条)"
)
_SENTENCE_END = "。;!?\n\r"
_CLAUSE_END = ",:"
_DEVELOPER_KINDS = ("高等院校", "高校", "科研院所", "科研机构", "医疗卫生机构", "企业")
_OBJECT_VERBS = re.compile(
    r"(?:创办|建立|建设|培育|引进|新建|孵化|打造|组建|设立|认定|发展|形成|实现|转化|创建|布局|招引|集聚|吸引|推广|"
    r"提供|给予|安排|投入)"
)
_QUOTES = str.maketrans("", "", "“”\"'‘’《》")
_NOT_UNIT_AFTER = re.compile(rf"^(?:年|月|日|号|岁|届|点|时|分|版|期|级|代|轮|星|G)")


def _sentences(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out, start = [], a
    for i in range(a, b):
        if text[i] in _SENTENCE_END:
            if i > start:
                out.append((start, i + 1 if text[i] in "。;!?" else i))
            start = i + 1
    if start < b:
        out.append((start, b))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _clause_bounds(text: str, s0: int, s1: int, pos: int) -> tuple[int, int]:
    a = pos
    while a > s0 and text[a - 1] not in _CLAUSE_END:
        a -= 1
    b = pos
    while b < s1 and text[b] not in _CLAUSE_END and text[b] not in _SENTENCE_END:
        b += 1
    return a, b


def _deadline_in(s: str) -> int | None:
    """The last deadline stated in ``s``."""
    found = None
    for m in DEADLINE.finditer(s):
        word = m.group(0)
        tail = s[m.end():m.end() + 1]
        # 「2025年」 alone is a deadline only with 到/至/前/底/末; 「2022年6月」 is a date
        if re.match(r"^(?:到|至|截至|截止|力争)", word.strip()) or re.search(r"(?:前|底|末)$", word):
            if tail not in "月":
                found = int(m.group("year"))
    for m in FIVE_YEAR_DEADLINE.finditer(s):
        found = FIVE_YEAR_PLANS[m.group("plan")]
    return found


def _strip_noise(phrase: str) -> tuple[str, str | None, str | None]:
    """Remove deadline, scope and accumulation words from a noun phrase; returns (phrase, scope, accumulation)."""
    scope = accumulation = None
    p = phrase.strip()
    p = DEADLINE.sub("", p)
    p = FIVE_YEAR_DEADLINE.sub("", p)
    changed = True
    while changed:
        changed = False
        p = p.strip(" ,，:：")
        m = SCOPE_WORDS.match(p)
        if m:
            scope = scope or m.group(0)
            p = p[m.end():]
            changed = True
        m = re.match(r"^(?:力争|争取|其中|同时|并|且|使|让|实现|确保|推动|促进|带动)", p)
        if m and len(p) > m.end():
            # 实现/推动 at the start of a subject phrase is a verb, not a part of it
            if m.group(0) in ("实现", "推动", "促进", "带动"):
                break
            p = p[m.end():]
            changed = True
    m = ACCUMULATION.search(p)
    if m:
        accumulation = m.group(0)
        p = (p[:m.start()] + p[m.end():]).strip()
    return p, scope, accumulation


def _clean_metric(p: str) -> str:
    p = p.translate(_QUOTES).strip(" ,，、:：的")
    p = re.sub(r"(?:总数|数量|总量|数|规模|数目)$", "", p) if len(p) > 4 else p
    p = re.sub(r"^(?:的|其|各类|一批|共|新)", "", p)
    return p.strip(" ,，、的")


def _object_of(clause: str) -> str:
    """The object of the last verb of a clause: 「在我省创办技术转移机构」 → 技术转移机构."""
    last = None
    for m in _OBJECT_VERBS.finditer(clause):
        last = m
    tail = clause[last.end():] if last else clause
    return _clean_metric(re.split(r"[、,，等]", tail)[-1] if "等" not in tail else tail.split("等")[-1]) \
        if tail else ""


def _qualify(metric: str, task_title: str | None) -> tuple[str, str | None]:
    """科技成果产业化 in 「实施高等院校科技成果产业化专项行动」 → 高等院校科技成果产业化."""
    if not task_title or not metric.startswith("科技成果"):
        return metric, None
    for kind in _DEVELOPER_KINDS:
        if kind in task_title and not task_title.startswith(kind + "和") and not re.search(
                rf"{kind}[、和与及]|[、和与及]{kind}", task_title):
            return kind + metric, kind
    return metric, None


def find_targets(original: str, text: str, a: int, b: int, *, task: str | None, task_title: str | None,
                 skip: list[tuple[int, int]] = ()) -> list[TargetFact]:
    """The targets stated in ``text[a:b]`` (the own text of one section)."""
    out: list[TargetFact] = []
    paragraph_deadline: int | None = None
    last_paragraph = None
    for s0, s1 in _sentences(text, a, b):
        paragraph = text.rfind("\n", 0, s0)
        if paragraph != last_paragraph:
            paragraph_deadline, last_paragraph = None, paragraph
        sentence = text[s0:s1]
        matches = [("arabic", m) for m in _QUANTITY.finditer(text, s0, s1)]
        matches += [("chinese", m) for m in _CN_QUANTITY.finditer(text, s0, s1)]
        matches.sort(key=lambda x: x[1].start())
        for kind, m in matches:
            q0 = m.start("num")
            q1 = m.end()
            if any(x0 <= q0 < x1 for x0, x1 in skip):
                continue
            if _NOT_UNIT_AFTER.match(text[m.end("unit"):m.end("unit") + 1]) and kind == "arabic":
                continue
            c0, c1 = _clause_bounds(text, s0, s1, q0)
            before = text[c0:q0]
            after = text[q1:c1]
            head = text[s0:q0]
            if kind == "arabic":
                if q0 > 0 and text[q0 - 1] in ".-—/～~":
                    continue  # part of a range or a version, not a quantity
                # a quantity inside quotes or a year range is a name, not a target
                if before.count("“") > before.count("”"):
                    continue
                if SUBSIDY_CONTEXT.search(before):
                    continue
                verb_ok = any(v in before for v in TARGET_VERBS) or any(v in head for v in ("到", "达到", "力争"))
                if not verb_ok:
                    continue
                value = float(m.group("num").replace(",", ""))
                unit = m.group("unit")
                qualifier = m.group("qual") or m.group("approx")
            else:
                if m.group("num") == "一":
                    continue  # 一批 / 一个: an article, not a number
                value = float(cn_number(m.group("num")))
                unit = "个" if m.group("unit") == "大" else m.group("unit")
                qualifier = None
                before = text[c0:m.start()] + m.group("verb")
            deadline = _deadline_in(head) or _deadline_in(text[q1:c1])
            if deadline is None:
                deadline = paragraph_deadline
            else:
                paragraph_deadline = deadline
            subject, scope, accumulation = _strip_noise(before[:len(before) - len(m.group("verb"))] if kind == "chinese"
                                                        else before)
            subject = TRAILING_VERBS.sub("", subject)
            subject = LEADING_VERBS.sub("", subject)
            subject, scope2, acc2 = _strip_noise(subject)
            scope, accumulation = scope or scope2, accumulation or acc2
            if re.match(r"^(?:为|向|对|给|帮助|面向)", subject):
                subject = _object_of(subject)  # 「为科技型企业提供贷款贴息」 → 贷款贴息
            subject = _clean_metric(subject)
            obj = _clean_metric(re.split(r"[,，;；。的]", after)[0])
            obj = LEADING_VERBS.sub("", obj)
            obj = re.split(r"(?<=[\u4e00-\u9fff]{2})(?:在|于|向|到|开展|进行|用于|实现)(?=[\u4e00-\u9fff])", obj)[0]
            is_rate = bool(re.search(r"(?:增长|提高|提升|下降|降低)$", TRAILING_VERBS.sub("", before.strip()) or before.strip())) \
                or bool(re.search(r"(?:增长|提高|提升|下降|降低)$", before.strip()))
            metric = subject if re.search(f"[{CJK}]", subject or "") and kind == "arabic" else ""
            if not metric and re.search(f"[{CJK}]", obj):
                metric = obj
            if not metric and is_rate and out and out[-1].sentence.start == s0:
                metric = out[-1].metric  # 「…达到500亿元，年均增长15%」: the rate of the previous target
            if not metric:
                # the counted thing is the object of the previous clause
                prev = text[s0:c0].rstrip(",:")
                prev_clause = prev[max(prev.rfind(","), prev.rfind(":")) + 1:]
                metric = _object_of(_strip_noise(prev_clause)[0]) or _object_of(prev_clause)
            if not metric or len(metric) > 40:
                continue
            metric, developer = _qualify(metric, task_title)
            while c0 < c1 and text[c0] in " \t":
                c0 += 1
            while c1 > c0 and text[c1 - 1] in " \t":
                c1 -= 1
            span = Mention(original[c0:c1], c0, c1)
            out.append(TargetFact(
                metric=metric, value=value, unit=unit, deadline=deadline, task=task,
                text=original[s0:s1].strip(), span=span,
                sentence=Mention(original[s0:s1], s0, s1),
                accumulation=accumulation, scope=developer or scope, qualifier=qualifier,
            ))
    return out
