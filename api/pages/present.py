"""How values read from the graph are worded on the pages (Chinese first, English beside)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from api.viz import kind_style, node_kind, rel_zh
from graph.search_keys import DERIVED_PROPERTIES
from graph.store import NodeValue

#: Property names as analysts read them.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "region": ("所在地区", "region"),
    "uscc": ("统一社会信用代码", "USCC"),
    "ownership": ("所有制", "ownership"),
    "high_tech": ("高新技术企业", "high-tech"),
    "specialized_new": ("专精特新", "specialised & new"),
    "above_scale": ("规模以上", "above scale"),
    "affiliation": ("隶属", "affiliation"),
    "kind": ("类型", "kind"),
    "level": ("级别", "level"),
    "size_cny": ("规模", "size"),
    "field": ("领域", "field"),
    "year": ("年份", "year"),
    "since": ("起始年份", "since"),
    "status": ("状态", "status"),
    "maturity": ("成熟度", "maturity"),
    "metric": ("指标", "metric"),
    "value": ("目标值", "value"),
    "unit": ("单位", "unit"),
    "deadline": ("期限", "deadline"),
    "baseline": ("基数", "baseline"),
    "text": ("原文", "text"),
    "issuer": ("发文机关", "issuer"),
    "date": ("日期", "date"),
    "period": ("期限", "period"),
    "number": ("编号", "number"),
    "policy": ("所属政策", "policy"),
    "project": ("项目", "project"),
    "mode": ("方式", "mode"),
    "role": ("角色", "role"),
    "amount_cny": ("金额", "amount"),
    "updated_at": ("更新时间", "updated"),
}

VALUE_NAMES: dict[str, dict[str, str]] = {
    "ownership": {"central_soe": "中央企业", "provincial_soe": "省属国企", "private": "民营企业", "foreign": "外资企业"},
    "affiliation": {"central": "中央在黑单位", "provincial": "省属"},
    "level": {"national": "国家级", "provincial": "省级", "municipal": "市级", "province": "省", "city": "市(地)",
              "county": "区县", "category": "产业门类", "industry": "产业", "segment": "细分领域"},
    "status": {"stock": "存量", "transferring": "转化中", "industrialized": "已产业化"},
    "kind": {"patent": "专利", "technology": "技术", "product": "产品", "variety": "品种"},
    "role": {"lead": "牵头单位", "member": "成员单位"},
}


def money(value: Any) -> str:
    """An amount in 元 as analysts say it: 亿元 or 万元."""
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return str(value)
    if amount >= 1e8:
        return f"{amount / 1e8:,.2f} 亿元"
    if amount >= 1e4:
        return f"{amount / 1e4:,.1f} 万元"
    return f"{amount:,.0f} 元"


def value_text(key: str, value: Any) -> str:
    """One property value as text."""
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if key in ("size_cny", "amount_cny"):
        return money(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    names = VALUE_NAMES.get(key)
    if names and str(value) in names:
        return f"{names[str(value)]} ({value})"
    return str(value)


@dataclass
class Fact:
    """One row of an entity's fact table."""

    key: str
    zh: str
    en: str
    text: str
    link: str | None = None


def facts(node: NodeValue, region_names: Mapping[str, str]) -> list[Fact]:
    """The facts of ``node`` worth showing, in a stable order (known fields first)."""
    skipped = {"id", "name", "aliases", "sources", "updated_at", "key", *DERIVED_PROPERTIES}
    props = {k: v for k, v in node.properties.items() if k not in skipped and v not in (None, "", [])}
    order = [k for k in FIELD_NAMES if k in props] + sorted(k for k in props if k not in FIELD_NAMES)
    rows = []
    for key in order:
        zh, en = FIELD_NAMES.get(key, (key, key))
        value = props[key]
        if key == "region":
            rows.append(Fact(key, zh, en, region_names.get(str(value), str(value)), link=f"/entity/{value}"))
        else:
            rows.append(Fact(key, zh, en, value_text(key, value)))
    return rows


def kind_of(node: NodeValue) -> dict[str, str]:
    """Kind, Chinese and English names and colour of ``node``'s most specific label."""
    kind = node_kind(node.labels)
    style = kind_style(kind)
    return {"kind": kind, "zh": style.zh, "en": style.en, "color": style.color}


def edge_facts(props: Mapping[str, Any]) -> str:
    """The properties of an edge worth a glance (project, year, mode, amount …), as one line."""
    parts = []
    for key in ("project", "mode", "role", "year", "since", "amount_cny"):
        value = props.get(key)
        if value not in (None, ""):
            zh = FIELD_NAMES.get(key, (key, key))[0]
            parts.append(f"{zh} {value_text(key, value)}")
    return " · ".join(parts)


__all__ = ["Fact", "edge_facts", "facts", "kind_of", "money", "rel_zh", "value_text"]
