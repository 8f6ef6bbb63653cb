"""A stand-in activity generator, used only when ``innograph generate`` is not available.

It writes CSV files in the documented layouts (``innograph template``): a mixed
organisation file, achievements, and one file per relationship type, about
five edges per node, heavy-tailed degrees (Zipf-like weights), city weights,
years 2018–2025, deterministic for a seed. Names are visibly synthetic (each
ends in ``（合成N）``) and unique, so entity resolution never merges two of
them. Regions and industries are the reference data's, which the benchmark
loads alongside.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
from pathlib import Path
from typing import Any, Iterator, Sequence

from bench import REPO_ROOT

REFERENCE = REPO_ROOT / "ingest" / "sample" / "reference"
NAME = "bench fallback generator"

_PLACES = ["龙江", "北疆", "冰城", "松花", "兴安", "黑土", "寒地", "雪原", "鹤城", "北大荒", "三江", "乌苏里",
           "镜泊", "五大连池", "嫩江", "牡丹", "界江", "北极", "林海", "湿地"]
_FIELDS = ["智能", "精密", "新材", "生物", "航天", "石墨", "农机", "数字", "光电", "绿色", "装备", "医药",
           "能源", "传感", "冷链", "芯片", "机器人", "大豆", "玉米", "冰雪", "焊接", "复合", "氢能", "北药"]
_SUFFIX = {
    "Enterprise": ["科技有限公司", "股份有限公司", "制造有限公司", "技术开发有限公司"],
    "University": ["理工学院", "职业技术大学", "工程学院"],
    "Institute": ["研究所", "研究院", "技术研究中心"],
    "Agency": ["科技局", "工业和信息化局"],
    "Platform": ["技术转移中心", "产业技术创新平台", "重点实验室", "成果转化服务平台"],
    "Base": ["高新技术产业园", "科技企业孵化器", "众创空间", "中试基地"],
    "Fund": ["创业投资基金", "天使投资基金", "产业引导基金"],
    "Alliance": ["产业技术创新联盟", "产学研联盟", "创新联合体"],
}
_TECH = ["高效育种技术", "精密加工工艺", "在线监测系统", "复合材料制备方法", "智能控制装置", "检测试剂盒",
         "低温储运方案", "高纯提纯工艺", "数字孪生平台", "节能改造技术"]
#: share of the nodes per kind (the rest of the graph's size is achievements)
_MIX = [("Enterprise", 0.44), ("University", 0.005), ("Institute", 0.015), ("Agency", 0.003),
        ("Platform", 0.05), ("Base", 0.03), ("Fund", 0.017), ("Alliance", 0.04)]
_ACHIEVEMENT_SHARE = 0.40
_PREFIX = {"Enterprise": "syn:ent", "University": "syn:uni", "Institute": "syn:ins", "Agency": "syn:agy",
           "Platform": "syn:plt", "Base": "syn:base", "Fund": "syn:fund", "Alliance": "syn:all"}


def _reference_ids(name: str, levels: set[str]) -> list[str]:
    with open(REFERENCE / name, encoding="utf-8") as fh:
        return [row["id"] for row in csv.DictReader(fh) if row.get("kind", row.get("level")) in levels
                or row.get("level") in levels]


class _Picker:
    """Draw items with Zipf-like weights (a few hubs, a long tail), deterministic for the rng."""

    def __init__(self, items: Sequence[str], rng: random.Random, exponent: float = 0.9) -> None:
        self.items = list(items)
        order = list(range(len(self.items)))
        rng.shuffle(order)  # hubs spread over the id range, not the first ids
        weights = [0.0] * len(self.items)
        for rank, i in enumerate(order, start=1):
            weights[i] = 1.0 / rank ** exponent
        self.cum = list(itertools.accumulate(weights))
        self.rng = rng

    def pick(self) -> str:
        x = self.rng.random() * self.cum[-1]
        return self.items[min(bisect.bisect_left(self.cum, x), len(self.items) - 1)]


def _writer(path: Path, header: list[str]) -> tuple[Any, Any]:
    fh = open(path, "w", encoding="utf-8", newline="")
    w = csv.writer(fh)
    w.writerow(header)
    return fh, w


def generate(out: Path, nodes: int, seed: int) -> dict[str, int]:
    """Write a dataset of about ``nodes`` nodes and 5×``nodes`` edges into ``out``; returns rows per file."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    cities = _reference_ids("regions.csv", {"city", "county"})
    city_weights = [8.0 if c == "region:harbin" else 3.0 if c in ("region:daqing", "region:qiqihar") else 1.0
                    for c in cities]
    industries = _reference_ids("industries.csv", {"segment", "industry"})
    counts: dict[str, int] = {}
    ids: dict[str, list[str]] = {}
    seq = itertools.count(1)

    fh, w = _writer(out / "organizations.csv", ["id", "name", "kind", "region", "industries", "ownership",
                                                 "high_tech", "specialized_new", "affiliation", "type", "level"])
    for kind, share in _MIX:
        n = max(3, int(nodes * share))
        ids[kind] = []
        for i in range(n):
            k = next(seq)
            node_id = f"{_PREFIX[kind]}:{k:07d}"
            name = f"{rng.choice(_PLACES)}{rng.choice(_FIELDS)}{rng.choice(_FIELDS)}{rng.choice(_SUFFIX[kind])}（合成{k}）"
            region = rng.choices(cities, city_weights)[0]
            industry = rng.choice(industries) if kind not in ("University", "Institute", "Agency") else ""
            row = [node_id, name, kind, region, industry, "", "", "", "", "", ""]
            if kind == "Enterprise":
                row[5] = rng.choice(["private"] * 6 + ["provincial_soe", "central_soe", "foreign"])
                row[6] = "true" if rng.random() < 0.3 else "false"
                row[7] = "true" if rng.random() < 0.1 else "false"
            elif kind in ("University", "Institute"):
                row[8] = rng.choice(["central", "provincial", "provincial"])
            elif kind in ("Platform", "Base"):
                row[10] = rng.choice(["national", "provincial", "provincial", "municipal", "municipal"])
            w.writerow(row)
            ids[kind].append(node_id)
    fh.close()
    counts["organizations.csv"] = sum(len(v) for v in ids.values())

    n_ach = max(10, int(nodes * _ACHIEVEMENT_SHARE))
    fh, w = _writer(out / "achievements.csv", ["id", "name", "type", "field", "year", "status"])
    ach = []
    for i in range(n_ach):
        k = next(seq)
        node_id = f"syn:ach:{k:07d}"
        w.writerow([node_id, f"{rng.choice(_PLACES)}{rng.choice(_FIELDS)}{rng.choice(_TECH)}（合成{k}）",
                    rng.choice(["patent", "patent", "technology", "product", "variety"]), rng.choice(_FIELDS),
                    rng.randint(2018, 2025), rng.choice(["stock", "stock", "transferring", "industrialized"])])
        ach.append(node_id)
    fh.close()
    counts["achievements.csv"] = n_ach

    developers = _Picker(ids["University"] + ids["Institute"] + ids["Enterprise"], rng)
    enterprises = _Picker(ids["Enterprise"], rng)
    orgs = _Picker(ids["University"] + ids["Institute"] + ids["Enterprise"] + ids["Agency"], rng, 0.8)
    alliances = _Picker(ids["Alliance"], rng, 0.6)
    funds = _Picker(ids["Fund"], rng, 0.6)
    bases = _Picker(ids["Base"], rng, 0.6)
    academia = _Picker(ids["University"] + ids["Institute"], rng)

    def edges(name: str, header: list[str], rows: Iterator[list[Any]]) -> None:
        fh, w = _writer(out / name, header)
        n = 0
        for row in rows:
            if row[0] != row[1]:
                w.writerow(row)
                n += 1
        fh.close()
        counts[name] = n

    def year() -> int:
        return rng.randint(2018, 2025)

    edges("developed.csv", ["developer", "achievement", "year"],
          ([developers.pick(), a, year()] for a in ach for _ in range(1 if rng.random() < 0.6 else 2)))
    edges("in_field.csv", ["achievement", "industry"], ([a, rng.choice(industries)] for a in ach))
    edges("transferred_to.csv", ["achievement", "enterprise", "year", "mode", "amount_cny"],
          ([a, enterprises.pick(), year(), rng.choice(["转让", "许可", "作价入股", "合作实施"]),
            round(rng.lognormvariate(13, 1.2), 2)] for a in ach if rng.random() < 0.42))
    edges("collaborations.csv", ["org_a", "org_b", "year", "project"],
          ([orgs.pick(), orgs.pick(), year(), f"合成项目{rng.randint(1, 999999)}"] for _ in range(int(nodes * 1.6))))
    edges("member_of.csv", ["member", "alliance", "role", "year"],
          ([orgs.pick(), alliances.pick(), "lead" if rng.random() < 0.05 else "member", year()]
           for _ in range(int(nodes * 0.5))))
    edges("invested_in.csv", ["fund", "investee", "year", "amount_cny"],
          ([funds.pick(), enterprises.pick(), year(), round(rng.lognormvariate(15, 1.0), 2)]
           for _ in range(int(nodes * 0.14))))
    edges("hosts.csv", ["base", "tenant", "year"], ([bases.pick(), enterprises.pick(), year()]
                                                     for _ in range(int(nodes * 0.2))))
    edges("incubated.csv", ["incubator", "enterprise", "year"], ([bases.pick(), enterprises.pick(), year()]
                                                                 for _ in range(int(nodes * 0.1))))
    facilities = ids["Platform"] + ids["Base"]
    edges("operates.csv", ["operator", "facility"], ([orgs.pick(), rng.choice(facilities)]
                                                     for _ in range(int(nodes * 0.05))))
    edges("spun_off_from.csv", ["enterprise", "origin"], ([enterprises.pick(), academia.pick()]
                                                          for _ in range(int(nodes * 0.02))))
    return counts
