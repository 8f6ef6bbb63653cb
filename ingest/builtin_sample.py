"""A tiny built-in sample: a few organisations of each kind with typed edges.

Names are visibly synthetic (示例…): no relation between real organisations is
invented here. The full sample data (real reference data plus a generated
activity set) is loaded by the ingestion pipeline.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from graph.schema import Label, RelType
from graph.store import GraphStore
from graph.writes import write_edges, write_nodes

SOURCE = "innograph:builtin-sample"

NODES: dict[Label, list[dict[str, Any]]] = {
    Label.REGION: [
        {"id": "region:hlj", "name": "黑龙江省", "level": "province"},
        {"id": "region:harbin", "name": "哈尔滨市", "level": "city", "aliases": ["哈市"]},
        {"id": "region:daqing", "name": "大庆市", "level": "city"},
    ],
    Label.INDUSTRY: [
        {"id": "ind:sample:materials", "name": "新材料", "level": "industry"},
        {"id": "ind:sample:graphite-ore", "name": "石墨矿采选", "level": "segment"},
        {"id": "ind:sample:anode", "name": "负极材料", "level": "segment"},
    ],
    Label.UNIVERSITY: [
        {"id": "org:sample:u1", "name": "示例理工大学", "aliases": ["示例理工"], "region": "region:harbin"},
        {"id": "org:sample:u2", "name": "示例农业大学", "region": "region:harbin"},
    ],
    Label.INSTITUTE: [
        {"id": "org:sample:i1", "name": "示例材料研究院", "affiliation": "provincial", "region": "region:harbin"},
    ],
    Label.ENTERPRISE: [
        {"id": "org:sample:e1", "name": "示例石墨科技有限公司", "ownership": "private", "high_tech": True,
         "region": "region:daqing"},
        {"id": "org:sample:e2", "name": "示例新能源材料有限公司", "ownership": "provincial_soe",
         "specialized_new": True, "region": "region:harbin"},
    ],
    Label.AGENCY: [{"id": "org:sample:a1", "name": "示例省科学技术厅", "aliases": ["示例科技厅"]}],
    Label.PLATFORM: [{"id": "platform:sample:p1", "name": "示例技术转移中心", "kind": "技术转移机构",
                      "level": "provincial", "region": "region:harbin"}],
    Label.BASE: [{"id": "base:sample:b1", "name": "示例高新技术产业开发区", "kind": "高新区", "level": "national",
                  "region": "region:harbin"}],
    Label.FUND: [{"id": "fund:sample:f1", "name": "示例天使投资基金", "kind": "天使基金", "size_cny": 5.0e8}],
    Label.ALLIANCE: [{"id": "alliance:sample:l1", "name": "示例石墨产业技术创新联盟", "kind": "产业技术创新联盟"}],
    Label.ACHIEVEMENT: [
        {"id": "ach:sample:1", "name": "示例高纯石墨提纯技术", "kind": "technology", "year": 2022,
         "status": "industrialized", "field": "新材料"},
    ],
}

EDGES: list[tuple[RelType, Label, Label, list[dict[str, Any]]]] = [
    (RelType.PART_OF, Label.REGION, Label.REGION,
     [{"start": "region:harbin", "end": "region:hlj"}, {"start": "region:daqing", "end": "region:hlj"}]),
    (RelType.PART_OF, Label.INDUSTRY, Label.INDUSTRY,
     [{"start": "ind:sample:graphite-ore", "end": "ind:sample:materials"},
      {"start": "ind:sample:anode", "end": "ind:sample:materials"}]),
    (RelType.UPSTREAM_OF, Label.INDUSTRY, Label.INDUSTRY,
     [{"start": "ind:sample:graphite-ore", "end": "ind:sample:anode"}]),
    (RelType.LOCATED_IN, Label.ORGANIZATION, Label.REGION,
     [{"start": "org:sample:u1", "end": "region:harbin"}, {"start": "org:sample:e1", "end": "region:daqing"}]),
    (RelType.DEVELOPED, Label.UNIVERSITY, Label.ACHIEVEMENT, [{"start": "org:sample:u1", "end": "ach:sample:1", "year": 2022}]),
    (RelType.TRANSFERRED_TO, Label.ACHIEVEMENT, Label.ENTERPRISE,
     [{"start": "ach:sample:1", "end": "org:sample:e1", "mode": "许可", "amount_cny": 3.0e6, "year": 2023}]),
    (RelType.IN_FIELD, Label.ACHIEVEMENT, Label.INDUSTRY, [{"start": "ach:sample:1", "end": "ind:sample:anode"}]),
    (RelType.IN_INDUSTRY, Label.ENTERPRISE, Label.INDUSTRY, [{"start": "org:sample:e1", "end": "ind:sample:anode"}]),
    (RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION,
     [{"start": "org:sample:u1", "end": "org:sample:i1", "project": "示例负极材料联合研发", "year": 2021},
      {"start": "org:sample:i1", "end": "org:sample:e2", "project": "示例石墨烯中试", "year": 2023}]),
    (RelType.MEMBER_OF, Label.ORGANIZATION, Label.ALLIANCE,
     [{"start": "org:sample:e1", "end": "alliance:sample:l1", "role": "lead", "since": 2021},
      {"start": "org:sample:u2", "end": "alliance:sample:l1", "role": "member", "since": 2021}]),
    (RelType.OPERATES, Label.ORGANIZATION, Label.PLATFORM, [{"start": "org:sample:u1", "end": "platform:sample:p1"}]),
    (RelType.HOSTS, Label.BASE, Label.ENTERPRISE, [{"start": "base:sample:b1", "end": "org:sample:e2"}]),
    (RelType.INCUBATED, Label.BASE, Label.ENTERPRISE, [{"start": "base:sample:b1", "end": "org:sample:e2", "year": 2020}]),
    (RelType.SPUN_OFF_FROM, Label.ENTERPRISE, Label.UNIVERSITY, [{"start": "org:sample:e2", "end": "org:sample:u1"}]),
    (RelType.INVESTED_IN, Label.FUND, Label.ENTERPRISE,
     [{"start": "fund:sample:f1", "end": "org:sample:e2", "amount_cny": 2.0e7, "year": 2024}]),
    (RelType.MANAGES, Label.AGENCY, Label.FUND, [{"start": "org:sample:a1", "end": "fund:sample:f1"}]),
]


def load_builtin_sample(store: GraphStore, *, now: str | None = None) -> dict[str, int]:
    """Write the built-in sample; idempotent. Returns rows written per label / type."""
    now = now or datetime.now(timezone.utc).isoformat(timespec="seconds")
    counts: dict[str, int] = {}
    for kind, records in NODES.items():
        counts[kind.value] = write_nodes(store, kind, records, source=SOURCE, now=now)
    for rel, start, end, records in EDGES:
        counts[rel.value] = counts.get(rel.value, 0) + write_edges(store, rel, start, end, records, source=SOURCE, now=now)
    return counts
