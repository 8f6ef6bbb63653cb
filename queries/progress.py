"""``plan_progress``: each target of the policy layer next to the figure measured in the graph.

A target's ``metric`` text (or, when it has none, its ``text``) is matched against
:data:`MEASUREMENTS`, a written-down list of what the graph can count; the first
match decides. A target that no measurement covers says so (``measured: null``
with a reason) instead of reporting zero.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from dataclasses import dataclass
from typing import Any, Callable

from graph.schema import Label
from graph.store import GraphStore
from queries import cypher, memo, params
from queries.models import Node, PlanProgress, TargetProgress

DEFAULT_PERIOD = (2022, 2025)
_YEARS = re.compile(r"((?:19|20)\d\d)\D{1,6}((?:19|20)\d\d)")
_LEVELS = (("省级以上", ["national", "provincial"]), ("国家级", ["national"]), ("国家", ["national"]),
           ("省级", ["provincial"]), ("市级", ["municipal"]))
_UNITS = {"亿元": 1e8, "万元": 1e4, "元": 1.0}


@dataclass(frozen=True)
class Measurement:
    """One way of measuring a metric in the graph."""

    name: str
    #: what is counted, in words (shown with every result)
    method: str
    #: the query text that counts it
    query: str
    #: the metric text → query parameters (besides the period), or None when it does not apply
    match: Callable[[str], dict[str, Any] | None]
    #: whether the period restricts what is counted
    uses_period: bool = True


def _has(*words: str) -> Callable[[str], bool]:
    return lambda text: all(w in text for w in words)


def _levels(text: str) -> list[str] | None:
    for word, levels in _LEVELS:
        if word in text:
            return levels
    return None


def _industrialized(text: str) -> dict[str, Any] | None:
    if "成果" not in text or not any(w in text for w in ("产业化", "转化")):
        return None
    if any(w in text for w in _CARRIER_WORDS):
        return None  # 科技成果产业化基地 / 转化平台 count carriers, not achievements
    kinds = [k for k, words in (("University", ("高校", "高等院校", "大学")), ("Institute", ("科研院所", "院所")),
                                ("Enterprise", ("企业",))) if any(w in text for w in words)]
    return {"developer_kinds": kinds if len(kinds) == 1 else None}


#: words that make a metric about the bases or platforms that carry achievements
_CARRIER_WORDS = ("基地", "平台", "园区", "机构", "载体")


def _startups(text: str) -> dict[str, Any] | None:
    """孵化 … 企业, or 初创 (科技型) 企业: start-ups a base incubated."""
    return {} if "企业" in text and any(w in text for w in ("孵化", "初创")) else None


def _carriers(labels: list[str], words: tuple[str, ...]) -> Callable[[str], dict[str, Any] | None]:
    def match(text: str) -> dict[str, Any] | None:
        found = [w for w in words if w in text]
        if not found:
            return None
        # the generic word (平台 / 基地) alone means any kind
        specific = [w for w in found if w not in ("平台", "创新平台", "基地")]
        return {"labels": labels, "kind_words": specific or None, "levels": _levels(text)}
    return match


MEASUREMENTS: tuple[Measurement, ...] = (
    Measurement(
        "tech_contract_turnover", "sum of TRANSFERRED_TO.amount_cny of transfers dated in the period, "
        "in the target's unit (亿元 = 1e8 yuan); contracts outside achievement transfers are not in the graph",
        "measure_transfer_amount", lambda t: {} if "技术合同" in t or "成交额" in t else None),
    Measurement(
        "specialized_new_enterprises", "enterprises flagged specialized_new (专精特新), at the time of counting",
        "measure_enterprise_flag", lambda t: {"flag": "specialized_new"} if "专精特新" in t else None,
        uses_period=False),
    Measurement(
        "high_tech_enterprises", "enterprises flagged high_tech (高新技术企业), at the time of counting",
        "measure_enterprise_flag", lambda t: {"flag": "high_tech"} if "高新技术企业" in t else None,
        uses_period=False),
    Measurement(
        "industrialized_achievements", "distinct achievements with status industrialized whose DEVELOPED "
        "year (or a TRANSFERRED_TO year) is in the period; split by developer kind when the metric names "
        "one of 高校 / 科研院所 / 企业", "measure_industrialized", _industrialized),
    Measurement(
        "incubated_startups", "distinct enterprises with an INCUBATED edge dated in the period",
        "measure_incubated", _startups),
    Measurement(
        "tech_transfer_organisations", "platforms whose kind contains 技术转移机构 (level per the metric), "
        "at the time of counting", "measure_carriers", _carriers(["Platform"], ("技术转移机构",)), uses_period=False),
    Measurement(
        "new_rd_institutions", "platforms whose kind contains 新型研发机构 (level per the metric), at the time of "
        "counting", "measure_carriers", _carriers(["Platform"], ("新型研发机构",)), uses_period=False),
    Measurement(
        "platforms", "platforms of the kind the metric names (any kind for 平台 / 创新平台) at the level it names; "
        "platforms carry no founding year, so 新建 counts every platform there is",
        "measure_carriers", _carriers(["Platform"], ("成果产业化平台", "技术交易", "中试", "创新平台", "平台")),
        uses_period=False),
    Measurement(
        "bases", "bases of the kind the metric names (孵化器, 众创空间, 大学科技园, 产业化基地 …) at the level it names",
        "measure_carriers", _carriers(["Base"], ("孵化器", "众创空间", "大学科技园", "产业化基地", "中试基地", "高新区",
                                                 "经开区", "基地")), uses_period=False),
)

#: metrics the graph cannot measure, and why (checked before the measurements)
UNMEASURABLE: tuple[tuple[Callable[[str], bool], str], ...] = (
    (lambda t: "比重" in t or "占比" in t or "%" in t,
     "a share of investment or sales: the graph holds no investment or sales figures"),
)


def find_measurement(metric: str | None, unit: str | None = None) -> tuple[Measurement | None, dict[str, Any], str | None]:
    """The measurement for a metric text: ``(measurement, params, reason-if-none)``."""
    text = (metric or "").strip()
    if not text:
        return None, {}, "the target has no metric text"
    for test, reason in UNMEASURABLE:
        if test(text) or unit in ("%", "％"):
            return None, {}, reason
    for m in MEASUREMENTS:
        found = m.match(text)
        if found is not None:
            return m, found, None
    return None, {}, f"no measurement is registered for the metric {text!r}"


def _period(periods: list[str], deadline: int | None, start: int | None) -> tuple[int, int]:
    lo, hi = DEFAULT_PERIOD
    for p in sorted(x for x in periods if x):
        m = _YEARS.search(p)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            break
    if deadline:
        hi = deadline
    if start is not None:
        lo = start
    return lo, hi


def _statement(m: Measurement, values: dict[str, Any], period: tuple[int, int]) -> tuple[dict[str, Any], str | None]:
    """The parameters of ``m``'s query for one target, and the row ``kind`` to read (grouped queries).

    ``measure_industrialized`` counts every developer kind in one pass, so its parameters
    leave the kind out and targets that differ only in the kind share one statement.
    """
    # a measurement the period does not restrict leaves it out, so its targets share a statement
    query_params = {**values, "start": period[0], "end": period[1]} if m.uses_period else dict(values)
    if m.query == "measure_enterprise_flag":
        query_params.setdefault("regions", None)
    if m.query == "measure_industrialized":
        kinds = query_params.pop("developer_kinds", None)
        if kinds and len(kinds) > 1:
            raise ValueError(f"measure_industrialized splits by one developer kind, not {kinds!r}")
        return query_params, (kinds[0] if kinds else Label.ORGANIZATION.value)
    return query_params, None


def _key(query: str, query_params: dict[str, Any]) -> tuple[str, str]:
    return query, json.dumps(query_params, sort_keys=True, ensure_ascii=False, default=str)


def _measured(rows: list[Any], m: Measurement, kind: str | None, unit: str | None) -> float:
    total = float(sum(r["measured"] or 0 for r in rows if kind is None or r["kind"] == kind))
    if m.name == "tech_contract_turnover":
        total /= _UNITS.get((unit or "元").strip(), 1.0)
    return total


def plan_progress(store: GraphStore, *, policy: Any = None, period_start: Any = None,
                  limit: Any = 200) -> PlanProgress:
    """Every target (of ``policy``, or all) with the figure measured in the graph and the ratio.

    The period runs from the policy's period start (``period_start`` overrides it;
    2022 when unknown) to the target's deadline (else the policy's period end).
    """
    policy_id = params.text("policy", policy, required=False)
    start = params.optional_year("period_start", period_start)
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=200)
    rows = cypher.run(store, "plan_targets", {"policy": policy_id, "limit": limit_})
    out: list[TargetProgress] = []
    # first what each target needs, then each distinct statement once, then the figures
    todo: list[tuple[TargetProgress, Measurement, tuple[str, str], str | None, tuple[int, int], Any, Any]] = []
    wanted: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for row in rows:
        node = Node.of(row["t"])
        props = node.properties
        metric = props.get("metric") or props.get("text")
        unit = props.get("unit")
        deadline = props.get("deadline")
        value = props.get("value")
        m, values, reason = find_measurement(metric, unit)
        period = _period(row["periods"], deadline, start)
        progress = TargetProgress(target=node, metric=props.get("metric"), value=value, unit=unit,
                                  deadline=deadline, set_by=sorted(x for x in row["set_by"] if x), reason=reason)
        if m is not None:
            query_params, kind = _statement(m, values, period)
            key = _key(m.query, query_params)
            wanted.setdefault(key, (m.query, query_params))
            todo.append((progress, m, key, kind, period, value, unit))
        out.append(progress)
    # each distinct statement once, or its rows remembered at this version of the graph
    # (queries/memo.py). (Running them side by side on two threads was slower on FalkorDB:
    # the scans contend for the same cores.)
    at = memo.version(store) if wanted else None
    results = {key: memo.run(store, query, key[1], query_params, at=at)
               for key, (query, query_params) in wanted.items()}
    for progress, m, key, kind, period, value, unit in todo:
        measured = _measured(results[key].rows, m, kind, unit)
        progress.measurement = m.name
        progress.method = m.method
        progress.period = period if m.uses_period else None
        progress.measured = measured
        progress.ratio = round(measured / value, 6) if value else None
    measured_n = sum(1 for t in out if t.measured is not None)
    oldest = min((r.computed_at for r in results.values()), default=time.time())
    return PlanProgress(targets=out, measured=measured_n, unmeasured=len(out) - measured_n,
                        computed_at=datetime.fromtimestamp(oldest, timezone.utc).isoformat(timespec="seconds"))
