"""Named organisations, funds, platforms, alliances and programmes in running text.

Two sources: the graph's own names and aliases (a gazetteer matched by the
spaCy component, which links to the existing node), and name-suffix patterns
(大学, 研究院, 有限公司, 基金, 联盟, 平台, 计划 …). A suffix phrase counts as a
*named* organisation only when it is anchored: it starts with a place (a
province, a city, 国家, 中国科学院, 中俄 …), a bare 省/市 used as a prefix, or is
quoted (“紫丁香计划”); universities and companies are names by themselves once
something precedes the suffix (吉林大学). Generic phrases (省级创新平台,
大学科技园, 产业技术研究院) are not organisations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.policy.lexicon import (
    CJK,
    GENERIC_NAME_START,
    MAJOR_CITIES,
    NAME_HARD_BOUNDARY,
    NAME_LEADING_NOISE,
    NAME_SOFT_BOUNDARY,
    NOT_A_REGION_PREFIX,
    ORG_SUFFIXES,
    PROPER_ANCHORS,
    PROVINCES,
    SELF_NAMED_KINDS,
)
from ingest.policy.model import Mention

_ACTION_VERBS = re.compile(
    r"建设|打造|组建|建立|开展|推动|支持|发挥|依托|共建|设立|成立|引进|实施|对接|联合|鼓励|加快|推进|促进|围绕|聚焦|"
    r"服务|参与|加强|争创|申报|认定|提升|完善|利用|通过|借助|落户|入驻|加入|牵头|带动|吸引|培育|扩大|加大|统筹|构建|"
    r"形成|依靠|组织|用好"
)
_CONTINUATIONS = {
    "中心": ("城", "区", "任务", "工作"), "工程": ("师", "技术", "化", "建设"), "计划": ("单列", "生育", "引领"),
    "平台": ("载体", "建设", "经济", "企业"), "大学": ("生", "城"), "公司": ("制", "化"), "集团": ("化",),
    "基地": ("建设",), "联盟": ("协同", "建设"), "专项": ("行动", "资金", "债", "计划"), "学院": ("派",),
}
_MAX_NAME = 32


@dataclass(frozen=True)
class OrgCandidate:
    name: str
    kind: str
    mention: Mention
    node_id: str | None = None


def _anchors(extra_places: tuple[str, ...]) -> list[str]:
    words = {full for full, _ in PROVINCES} | {short for _, short in PROVINCES} | set(MAJOR_CITIES)
    words |= set(PROPER_ANCHORS) | set(extra_places)
    return sorted((w for w in words if len(w) >= 2), key=len, reverse=True)


class OrganizationFinder:
    """Finds suffix-named organisations; ``places`` adds region names and aliases from the graph."""

    def __init__(self, places: tuple[str, ...] = ()) -> None:
        self.anchor_words = _anchors(places)
        self._anchor_rx = re.compile("|".join(map(re.escape, self.anchor_words)))
        self._city_rx = re.compile(rf"[{CJK}]{{2,4}}市(?!场|级|属|县|地|区)")
        self._suffix_rx = re.compile("|".join(re.escape(s) for s, _ in ORG_SUFFIXES))
        self._kinds = dict(ORG_SUFFIXES)

    def _anchor_starts(self, text: str, w0: int, s0: int) -> list[int]:
        """Positions in [w0, s0) where a proper anchor begins, left to right."""
        starts = set()
        for m in self._anchor_rx.finditer(text, w0, s0):
            if text[m.end():m.end() + 1] != "级":
                starts.add(m.start())
        for m in self._city_rx.finditer(text, w0, s0):
            starts.add(m.start())
        for i in range(w0, s0):
            ch = text[i]
            if ch in "省市" and not NOT_A_REGION_PREFIX.match(text[i:i + 2]) and (
                    i == w0 or NAME_LEADING_NOISE.fullmatch(text[w0:i]) or text[i - 1] in NAME_HARD_BOUNDARY):
                starts.add(i)
            if ch == "“":
                starts.add(i)
        return sorted(starts)

    def find(self, original: str, text: str, a: int, b: int, skip: list[tuple[int, int]] = ()) -> list[OrgCandidate]:
        """Suffix-named organisations in ``text[a:b]`` (longest wins where candidates overlap)."""
        found: dict[tuple[int, int], OrgCandidate] = {}
        for sm in re.finditer("(?=(" + self._suffix_rx.pattern + "))", text[a:b]):
            for suffix, kind in ORG_SUFFIXES:
                s0 = a + sm.start()
                if not text.startswith(suffix, s0):
                    continue
                s1 = s0 + len(suffix)
                if any(text.startswith(c, s1) for c in _CONTINUATIONS.get(suffix, ())):
                    continue
                cand = self._candidate(original, text, a, s0, s1, kind)
                if cand is not None and (cand.mention.start, s1) not in found:
                    found[(cand.mention.start, s1)] = cand
        cands = sorted(found.values(), key=lambda c: (-(c.mention.end - c.mention.start), c.mention.start))
        chosen: list[OrgCandidate] = []
        for c in cands:
            if any(not (c.mention.end <= x0 or c.mention.start >= x1) for x0, x1 in skip):
                continue
            if any(not (c.mention.end <= o.mention.start or c.mention.start >= o.mention.end) for o in chosen):
                continue
            chosen.append(c)
        return sorted(chosen, key=lambda c: c.mention.start)

    def _candidate(self, original: str, text: str, a: int, s0: int, s1: int, kind: str) -> OrgCandidate | None:
        w0 = s0
        while w0 > a and s1 - w0 < _MAX_NAME and text[w0 - 1] not in NAME_HARD_BOUNDARY:
            w0 -= 1
        # inside quotes: “紫丁香计划” is a name when the quote closes right after the suffix
        q = text.rfind("“", w0, s0)
        if q >= 0 and "”" not in text[q:s0]:
            if text[s1:s1 + 1] == "”" and s0 > q + 1:
                return self._make(original, q + 1, s1, kind)
            return None
        # a name never spans an action verb: 「…开发区建设概念验证中心」
        for vm in _ACTION_VERBS.finditer(text, w0, s0):
            w0 = vm.end()
        if w0 >= s0:
            return None
        for start in self._anchor_starts(text, w0, s0):
            if text[start] == "“" or not self._joinable(text[start:s0]):
                continue
            return self._make(original, start, s1, kind)
        if kind in SELF_NAMED_KINDS:
            seg_start = w0
            for i in range(s0 - 1, w0 - 1, -1):
                if text[i] in NAME_SOFT_BOUNDARY:
                    seg_start = i + 1
                    break
            m = NAME_LEADING_NOISE.match(text[seg_start:s0])
            if m:
                seg_start += m.end()
            prefix = text[seg_start:s0]
            if len(prefix) >= 2 and not GENERIC_NAME_START.match(prefix) and re.fullmatch(f"[{CJK}]+", prefix):
                return self._make(original, seg_start, s1, kind)
        return None

    def _joinable(self, inner: str) -> bool:
        """True when ``inner`` can sit inside one name: no particle, and 和/与/及 only inside a name."""
        for i, ch in enumerate(inner):
            if ch in NAME_SOFT_BOUNDARY and ch not in "和与及":
                return False
            if ch in "和与及" and self._suffix_rx.search(inner[:i]) and any(
                    inner[:i].endswith(sfx) for sfx, _ in ORG_SUFFIXES):
                return False
        return True

    @staticmethod
    def _make(original: str, start: int, end: int, kind: str) -> OrgCandidate:
        surface = original[start:end]
        return OrgCandidate(name=surface, kind=kind, mention=Mention(surface, start, end))
