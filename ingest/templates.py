"""Empty templates: a header row and one example row per layout, as .xlsx or .csv."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Literal

from graph.errors import InputError
from ingest.layouts import Column, Layout, layout

# Example values per layout (column field → value); other columns use the column's own example.
EXAMPLES: dict[str, dict[str, str]] = {
    "region": {"id": "region:harbin", "name": "哈尔滨市", "aliases": "哈市|冰城", "level": "市", "parent": "region:hlj"},
    "industry": {"id": "ind:graphite:anode", "name": "负极材料", "level": "细分", "parent": "ind:graphite"},
    "university": {"id": "org:example-u", "name": "示例理工大学", "aliases": "示例理工", "region": "哈尔滨市",
                   "affiliation": "省属"},
    "institute": {"id": "org:example-i", "name": "示例材料研究院", "region": "哈尔滨市", "affiliation": "省属"},
    "enterprise": {"id": "org:example-e", "name": "示例石墨科技有限公司", "uscc": "91230100MA1B2C3D49",
                   "region": "鸡西市", "ownership": "民营", "high_tech": "是", "specialized_new": "否",
                   "above_scale": "否", "industries": "负极材料"},
    "agency": {"id": "org:example-a", "name": "示例市科学技术局", "region": "哈尔滨市"},
    "platform": {"id": "platform:example", "name": "示例技术转移中心", "kind": "技术转移机构", "level": "省级",
                 "region": "哈尔滨市"},
    "base": {"id": "base:example", "name": "示例科技企业孵化器", "kind": "孵化器", "level": "市级", "region": "哈尔滨市"},
    "fund": {"id": "fund:example", "name": "示例天使投资基金", "kind": "天使基金", "size_cny": "5亿元", "region": "哈尔滨市"},
    "achievement": {"id": "ach:example", "name": "示例高纯石墨提纯技术", "kind": "技术", "field": "新材料",
                    "year": "2023", "status": "转化中"},
    "alliance": {"id": "alliance:example", "name": "示例石墨产业技术创新联盟", "kind": "产业技术创新联盟",
                 "region": "鸡西市"},
    "organization": {"id": "org:example-e", "name": "示例石墨科技有限公司", "label": "企业", "region": "鸡西市",
                     "ownership": "民营", "high_tech": "是"},
    "transferred_to": {"from": "示例高纯石墨提纯技术", "to": "示例石墨科技有限公司", "mode": "许可",
                       "amount_cny": "300万元", "year": "2024"},
    "developed": {"from": "示例理工大学", "to": "示例高纯石墨提纯技术", "year": "2023"},
    "collaborates_with": {"from": "示例理工大学", "to": "示例石墨科技有限公司", "project": "示例负极材料联合研发",
                          "year": "2024"},
    "member_of": {"from": "示例石墨科技有限公司", "to": "示例石墨产业技术创新联盟", "role": "牵头", "since": "2021"},
    "invested_in": {"from": "示例天使投资基金", "to": "示例石墨科技有限公司", "amount_cny": "2000万元", "year": "2024"},
    "incubated": {"from": "示例科技企业孵化器", "to": "示例石墨科技有限公司", "year": "2020"},
    "upstream_of": {"from": "石墨精粉", "to": "球形石墨及高纯石墨"},
    "alias": {"alias": "哈工大", "name": "哈尔滨工业大学"},
}


def _example(lay: Layout, col: Column) -> str:
    value = EXAMPLES.get(lay.name, {}).get(col.field)
    if value is not None:
        return value
    if col.field == "source":
        return "https://example.org/公开来源"
    if col.field == "id" and lay.role == "node":
        return f"{lay.name}:example"
    return col.example


def header_row(lay: Layout, lang: Literal["zh", "en"] = "zh") -> list[str]:
    """The header a template of ``lay`` has; a ``*`` marks required columns."""
    return [(c.zh if lang == "zh" else c.en) + ("*" if c.required else "") for c in lay.columns]


def example_row(lay: Layout) -> list[str]:
    return [_example(lay, c) for c in lay.columns]


def write_template(kind: str, fmt: Literal["xlsx", "csv"], out: Path, *, lang: Literal["zh", "en"] = "zh") -> Path:
    """Write an empty template for ``kind`` (header + one example row) to ``out``."""
    lay = layout(kind)
    if fmt not in ("xlsx", "csv"):
        raise InputError(f"format must be xlsx or csv, not {fmt!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    header, example = header_row(lay, lang), example_row(lay)
    if fmt == "csv":
        # UTF-8 with BOM: Excel on Chinese Windows opens it without garbling
        with open(out, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerow(example)
        return out
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = lay.zh.replace("/", "、")[:31]
    ws.append(header)
    ws.append(example)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(lay.columns, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(col.zh) * 2 + 4, len(col.en) + 4)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    notes.append(["列 (中文)", "column (English)", "必填 required", "类型 type", "取值 values", "说明 description"])
    for col in lay.columns:
        values = "; ".join(f"{v} ({'/'.join(s for s in syn if not s.isascii())})" if syn else v
                           for v, syn in (col.choices or {}).items())
        notes.append([col.zh, col.en, "是" if col.required else "", col.type, values, col.description])
    notes.append([])
    notes.append(["删除示例行后填写数据；每行一个实体或一条关系。This sheet is ignored when loading."])
    wb.save(out)
    return out
