"""A deterministic random graph with every node kind and edge type, written through `graph.writes`.

``build(seed, orgs)`` returns a :class:`Dataset` — the records exactly as
written — so tests can compute independent answers (networkx over the same
edges, counts straight from the records) and compare them with the queries.
Names are visibly synthetic (示例…).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from graph.schema import REL_SPECS, Label, RelType, node_spec
from graph.store import GraphStore
from graph.writes import edge_key, write_edges, write_nodes

NOW = "2026-01-01T00:00:00+00:00"
SOURCE = "tests/graphdata"

CITIES = ["哈尔滨市", "齐齐哈尔市", "牡丹江市", "佳木斯市", "大庆市", "鸡西市", "双鸭山市", "伊春市",
          "七台河市", "鹤岗市", "黑河市", "绥化市", "大兴安岭地区"]
SYLLABLES = list("龙江北松嫩兴安华科创新达远恒通泰明德宏盛信和鑫瑞晟昊天成光辉智联")
ENTERPRISE_SUFFIX = ["科技有限公司", "股份有限公司", "新材料有限公司", "生物科技有限公司", "智能装备有限公司"]
INDUSTRIES = {
    "新材料": ["石墨矿采选", "石墨提纯", "负极材料", "石墨烯应用"],
    "生物医药": ["原料药", "制剂", "医疗器械"],
    "航空航天": ["卫星设计制造", "卫星应用"],
}
PLATFORM_KINDS = ["成果产业化平台", "技术交易服务平台", "产业技术创新平台", "技术转移机构", "新型研发机构"]
BASE_KINDS = ["科技成果产业化基地", "高新区", "大学科技园", "孵化器", "众创空间", "中试基地"]
LEVELS = ["national", "provincial", "municipal"]
#: the plan's targets (metric, value, unit), as the policy layer writes them
TARGETS = [
    ("科技成果产业化", 1200, "项"), ("高校科技成果产业化", 600, "项"), ("科研院所科技成果产业化", 300, "项"),
    ("企业科技成果产业化", 300, "项"), ("技术合同登记成交额", 2000, "亿元"), ("高新技术企业", 5000, "家"),
    ("专精特新中小企业", 3000, "家"), ("技术转移机构", 100, "家"), ("省级创新平台", 100, "家"),
    ("孵化初创科技型企业", 2000, "家"), ("高技术产业投资占固定资产投资比重", 11, "%"), ("科技人才满意度", 90, "分"),
]


@dataclass
class Dataset:
    """What was written: nodes per kind and edges per (type, start kind, end kind)."""

    nodes: dict[Label, list[dict[str, Any]]] = field(default_factory=dict)
    edges: list[tuple[RelType, Label, Label, list[dict[str, Any]]]] = field(default_factory=list)

    def node_ids(self, *kinds: Label) -> list[str]:
        return [n["id"] for k in kinds for n in self.nodes.get(k, [])]

    def edges_of(self, *types: RelType) -> list[tuple[RelType, dict[str, Any]]]:
        return [(t, e) for t, _, _, recs in self.edges if t in types for e in recs]

    def all_nodes(self) -> dict[str, tuple[Label, dict[str, Any]]]:
        return {n["id"]: (k, n) for k, recs in self.nodes.items() for n in recs}

    def networkx(self, types: list[RelType] | None = None, year_from: int | None = None, year_to: int | None = None):
        """The same graph as a networkx MultiGraph (undirected), edges filtered like the walks filter them."""
        import networkx as nx

        g = nx.MultiGraph()
        g.add_nodes_from(self.all_nodes())
        for t, _, _, recs in self.edges:
            if types is not None and t not in types:
                continue
            for e in recs:
                year = e.get("year", e.get("since"))
                if year is not None and ((year_from is not None and year < year_from)
                                         or (year_to is not None and year > year_to)):
                    continue
                g.add_edge(e["start"], e["end"], key=(t.value, edge_key(t, e)))
        return g

    def counts(self) -> tuple[int, int]:
        n = sum(len(v) for v in self.nodes.values())
        # parallel edges with the same key merge into one
        keys = {(t, e["start"], e["end"], edge_key(t, e)) for t, _, _, recs in self.edges for e in recs}
        return n, len(keys)


def _name(rng: random.Random, suffix: str, used: set[str]) -> str:
    while True:
        name = "示例" + "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) + suffix
        if name not in used:
            used.add(name)
            return name


def generate(seed: int = 7, orgs: int = 60) -> Dataset:
    """A random but reproducible dataset with about ``orgs`` organisations and matching other nodes."""
    rng = random.Random(seed)
    ds = Dataset()
    used: set[str] = set()
    add = ds.nodes.setdefault

    # regions: the province, its cities, a county per city; one city outside the province
    add(Label.REGION, []).append({"id": "region:hlj", "name": "黑龙江省", "level": "province"})
    cities = []
    for i, c in enumerate(CITIES):
        rid = f"region:c{i}"
        cities.append(rid)
        ds.nodes[Label.REGION].append({"id": rid, "name": c, "level": "city"})
        ds.nodes[Label.REGION].append({"id": f"region:c{i}:k", "name": c[:2] + "示例区", "level": "county"})
    ds.nodes[Label.REGION].append({"id": "region:other", "name": "示例外省市", "level": "city"})
    local_regions = cities + [f"{c}:k" for c in cities]
    all_regions = local_regions + ["region:other"] * 3

    # industries: category → industry → segment, with chains of UPSTREAM_OF among segments
    add(Label.INDUSTRY, []).append({"id": "ind:cat", "name": "战略性新兴产业", "level": "category"})
    segments: list[str] = []
    part_of_ind, upstream = [], []
    for i, (ind, segs) in enumerate(INDUSTRIES.items()):
        iid = f"ind:{i}"
        ds.nodes[Label.INDUSTRY].append({"id": iid, "name": ind, "level": "industry"})
        part_of_ind.append({"start": iid, "end": "ind:cat"})
        prev = None
        for j, seg in enumerate(segs):
            sid = f"ind:{i}:{j}"
            segments.append(sid)
            ds.nodes[Label.INDUSTRY].append({"id": sid, "name": seg, "level": "segment"})
            part_of_ind.append({"start": sid, "end": iid})
            if prev:
                upstream.append({"start": prev, "end": sid})
            prev = sid

    kinds = [Label.UNIVERSITY] * 2 + [Label.INSTITUTE] * 2 + [Label.ENTERPRISE] * 7 + [Label.AGENCY]
    org_ids: dict[Label, list[str]] = {k: [] for k in (Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE, Label.AGENCY)}
    suffix = {Label.UNIVERSITY: "大学", Label.INSTITUTE: "研究院", Label.AGENCY: "科学技术局"}
    for i in range(orgs):
        kind = kinds[i % len(kinds)] if i < len(kinds) else rng.choice(kinds)
        oid = f"org:{i:06d}"
        rec: dict[str, Any] = {"id": oid, "name": _name(rng, suffix.get(kind) or rng.choice(ENTERPRISE_SUFFIX), used),
                               "region": rng.choice(all_regions)}
        if rng.random() < 0.3:
            rec["aliases"] = [rec["name"][:4] + "简称" + str(i)]
        if kind == Label.ENTERPRISE:
            rec.update(high_tech=rng.random() < 0.4, specialized_new=rng.random() < 0.25,
                       ownership=rng.choice(["private", "provincial_soe", "central_soe", "foreign"]))
        if kind == Label.INSTITUTE:
            rec["affiliation"] = rng.choice(["central", "provincial"])
        add(kind, []).append(rec)
        org_ids[kind].append(oid)
    actors = org_ids[Label.UNIVERSITY] + org_ids[Label.INSTITUTE] + org_ids[Label.ENTERPRISE]
    enterprises = org_ids[Label.ENTERPRISE]
    all_orgs = actors + org_ids[Label.AGENCY]

    n_side = max(orgs // 6, 3)
    platforms = [{"id": f"platform:{i:05d}", "name": _name(rng, "技术中心", used), "kind": rng.choice(PLATFORM_KINDS),
                  "level": rng.choice(LEVELS), "region": rng.choice(all_regions)} for i in range(n_side)]
    bases = [{"id": f"base:{i:05d}", "name": _name(rng, "产业园", used), "kind": rng.choice(BASE_KINDS),
              "level": rng.choice(LEVELS), "region": rng.choice(all_regions)} for i in range(n_side)]
    funds = [{"id": f"fund:{i:05d}", "name": _name(rng, "投资基金", used), "kind": "天使基金",
              "size_cny": float(rng.randint(1, 50)) * 1e7} for i in range(max(n_side // 2, 2))]
    alliances = [{"id": f"alliance:{i:05d}", "name": _name(rng, "产业技术创新联盟", used), "kind": "产学研联盟",
                  "region": rng.choice(local_regions)} for i in range(max(n_side // 2, 2))]
    achievements = [{"id": f"ach:{i:06d}", "name": _name(rng, "关键技术", used),
                     "kind": rng.choice(["patent", "technology", "product"]), "year": rng.randint(2018, 2025),
                     "status": rng.choice(["stock", "transferring", "industrialized"])} for i in range(orgs)]
    ds.nodes[Label.PLATFORM], ds.nodes[Label.BASE], ds.nodes[Label.FUND] = platforms, bases, funds
    ds.nodes[Label.ALLIANCE], ds.nodes[Label.ACHIEVEMENT] = alliances, achievements

    # policy layer
    ds.nodes[Label.POLICY] = [{"id": "policy:plan", "name": "示例科技成果产业化行动计划", "period": "2022—2025年"}]
    ds.nodes[Label.TASK] = [{"id": f"task:{i}", "name": f"示例任务{i}", "number": str(i)} for i in range(1, 4)]
    ds.nodes[Label.TARGET] = [{"id": f"target:{i:02d}", "name": metric, "metric": metric, "value": float(value),
                               "unit": unit, "deadline": 2025, "text": f"到2025年{metric}达到{value}{unit}"}
                              for i, (metric, value, unit) in enumerate(TARGETS)]

    def pick(seq: list[str], k: int) -> list[str]:
        return rng.sample(seq, min(k, len(seq)))

    year = lambda: rng.randint(2018, 2025)  # noqa: E731
    e = ds.edges
    e.append((RelType.PART_OF, Label.REGION, Label.REGION,
              [{"start": c, "end": "region:hlj"} for c in cities] + [{"start": f"{c}:k", "end": c} for c in cities]))
    e.append((RelType.PART_OF, Label.INDUSTRY, Label.INDUSTRY, part_of_ind))
    e.append((RelType.UPSTREAM_OF, Label.INDUSTRY, Label.INDUSTRY, upstream))
    located = [{"start": o, "end": r["region"]} for k in org_ids for r in ds.nodes[k] for o in [r["id"]]
               if r["region"] != "region:other"]
    e.append((RelType.LOCATED_IN, Label.ORGANIZATION, Label.REGION, located))
    collab = []
    for _ in range(orgs):
        a, b = pick(all_orgs, 2)
        collab.append({"start": a, "end": b, "project": f"示例联合攻关{rng.randint(1, 9999)}", "year": year()})
    e.append((RelType.COLLABORATES_WITH, Label.ORGANIZATION, Label.ORGANIZATION, collab))
    members = []
    for al in alliances:
        chosen = pick(actors, rng.randint(3, 6))
        members += [{"start": o, "end": al["id"], "role": "lead" if i == 0 else "member", "since": year()}
                    for i, o in enumerate(chosen)]
    e.append((RelType.MEMBER_OF, Label.ORGANIZATION, Label.ALLIANCE, members))
    developed, transferred, in_field = [], [], []
    for ach in achievements:
        for dev in pick(actors, rng.choice([1, 1, 2])):
            developed.append({"start": dev, "end": ach["id"], "year": ach["year"]})
        in_field.append({"start": ach["id"], "end": rng.choice(segments)})
        if rng.random() < 0.6:
            for ent in pick(enterprises, rng.choice([1, 1, 2])):
                transferred.append({"start": ach["id"], "end": ent, "year": min(ach["year"] + rng.randint(0, 2), 2025),
                                    "mode": rng.choice(["转让", "许可", "作价入股", "合作实施"]),
                                    "amount_cny": float(rng.randint(1, 500)) * 1e5})
    for dk in (Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE):
        ids = set(org_ids[dk])
        e.append((RelType.DEVELOPED, dk, Label.ACHIEVEMENT, [d for d in developed if d["start"] in ids]))
    e.append((RelType.TRANSFERRED_TO, Label.ACHIEVEMENT, Label.ENTERPRISE, transferred))
    e.append((RelType.IN_FIELD, Label.ACHIEVEMENT, Label.INDUSTRY, in_field))
    e.append((RelType.IN_INDUSTRY, Label.ENTERPRISE, Label.INDUSTRY,
              [{"start": x, "end": rng.choice(segments)} for x in enterprises if rng.random() < 0.8]))
    e.append((RelType.IN_INDUSTRY, Label.PLATFORM, Label.INDUSTRY,
              [{"start": p["id"], "end": rng.choice(segments)} for p in platforms]))
    e.append((RelType.IN_INDUSTRY, Label.BASE, Label.INDUSTRY, [{"start": b["id"], "end": rng.choice(segments)} for b in bases]))
    e.append((RelType.OPERATES, Label.ORGANIZATION, Label.PLATFORM,
              [{"start": rng.choice(actors), "end": p["id"]} for p in platforms]))
    e.append((RelType.OPERATES, Label.ORGANIZATION, Label.BASE, [{"start": rng.choice(all_orgs), "end": b["id"]} for b in bases]))
    e.append((RelType.HOSTS, Label.BASE, Label.ENTERPRISE,
              [{"start": rng.choice(bases)["id"], "end": x} for x in pick(enterprises, len(enterprises) // 3)]))
    e.append((RelType.HOSTS, Label.BASE, Label.PLATFORM,
              [{"start": rng.choice(bases)["id"], "end": p} for p in pick([p["id"] for p in platforms], 3)]))
    e.append((RelType.INCUBATED, Label.BASE, Label.ENTERPRISE,
              [{"start": rng.choice(bases)["id"], "end": x, "year": year()} for x in pick(enterprises, len(enterprises) // 4)]))
    e.append((RelType.SPUN_OFF_FROM, Label.ENTERPRISE, Label.ORGANIZATION,
              [{"start": x, "end": rng.choice(org_ids[Label.UNIVERSITY] + org_ids[Label.INSTITUTE])}
               for x in pick(enterprises, len(enterprises) // 5)]))
    e.append((RelType.INVESTED_IN, Label.FUND, Label.ENTERPRISE,
              [{"start": rng.choice(funds)["id"], "end": x, "year": year(), "amount_cny": float(rng.randint(1, 100)) * 1e6}
               for x in pick(enterprises, len(enterprises) // 4)]))
    e.append((RelType.INVESTED_IN, Label.FUND, Label.ACHIEVEMENT,
              [{"start": rng.choice(funds)["id"], "end": a["id"], "year": year()} for a in achievements[:3]]))
    e.append((RelType.MANAGES, Label.AGENCY, Label.FUND,
              [{"start": rng.choice(org_ids[Label.AGENCY]), "end": f["id"]} for f in funds]))
    e.append((RelType.HAS_TASK, Label.POLICY, Label.TASK, [{"start": "policy:plan", "end": t["id"]} for t in ds.nodes[Label.TASK]]))
    e.append((RelType.LEADS, Label.AGENCY, Label.TASK, [{"start": org_ids[Label.AGENCY][0], "end": "task:1"}]))
    e.append((RelType.SUPPORTS, Label.AGENCY, Label.TASK, [{"start": org_ids[Label.AGENCY][-1], "end": "task:2"}]))
    e.append((RelType.SETS, Label.TASK, Label.TARGET,
              [{"start": f"task:{1 + i % 3}", "end": t["id"]} for i, t in enumerate(ds.nodes[Label.TARGET][1:])]))
    e.append((RelType.SETS, Label.POLICY, Label.TARGET, [{"start": "policy:plan", "end": ds.nodes[Label.TARGET][0]["id"]}]))
    e.append((RelType.FOCUSES_ON, Label.TASK, Label.INDUSTRY, [{"start": "task:1", "end": "ind:0"}]))
    e.append((RelType.MENTIONS, Label.TASK, Label.ORGANIZATION, [{"start": "task:2", "end": actors[0], "span": "示例"}]))
    missing = set(RelType) - {t for t, *_ in e}
    assert not missing, f"graphdata misses {missing}"
    assert set(REL_SPECS) == {t for t, *_ in e}
    return ds


def load(store: GraphStore, ds: Dataset, *, now: str = NOW, batch_size: int = 5000) -> None:
    """Write ``ds`` into ``store`` through the idempotent batched writers."""
    for kind, records in ds.nodes.items():
        node_spec(kind)  # a typo in a kind fails here, not in the engine
        write_nodes(store, kind, records, source=SOURCE, now=now, batch_size=batch_size)
    for rel, start, end, records in ds.edges:
        write_edges(store, rel, start, end, records, source=SOURCE, now=now, batch_size=batch_size)


def build(store: GraphStore, seed: int = 7, orgs: int = 60) -> Dataset:
    """Generate and load; returns what was written."""
    ds = generate(seed, orgs)
    load(store, ds)
    return ds
