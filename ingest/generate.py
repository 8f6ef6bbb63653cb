"""A synthetic activity generator: organisations, achievements and their relations.

``generate(out, scale=N, seed=S)`` writes files in the documented layouts
(``docs/ingest.md``) that ``innograph ingest`` loads as they are:

* organisations, platforms, bases, funds and alliances with visibly synthetic
  names (every name starts with 「示例」 or 「模拟」; no real organisation is
  named) placed in the province's 13 市(地) with Harbin heaviest, linked to the
  real industries of the reference data;
* achievements (2018–2025, with kinds and statuses) and the relations of the
  ontology: developed, transferred, collaborations, memberships, investments,
  incubations, hosting, operation, spin-offs, fund management, fields;
* heavy-tailed degrees: every actor draws a Pareto weight, and endpoints are
  picked in proportion to it, so a few actors have many partners;
* ``scale`` counts nodes; about five edges per node are written;
* deterministic: one ``random.Random(seed)`` drives everything, in a fixed order;
* streaming: rows go to disk as they are made and only ids' weights are kept,
  so 1,000,000 nodes fit comfortably in memory. Big files are split into
  parts of ``part_rows`` rows so a load never holds a huge file at once.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import json
import math
import random
import shutil
from pathlib import Path
from typing import Any, Literal, Sequence

from graph.errors import InputError
from ingest.layouts import layout
from ingest.normalize import USCC_CHARSET, norm_name, uscc_check_char

REFERENCE = Path(__file__).resolve().parent / "sample" / "reference"
SOURCE = "innograph generate (synthetic)"

#: relative weight of each 市(地) for placing actors (Harbin heaviest), by name in regions.csv
CITY_WEIGHTS: dict[str, float] = {
    "哈尔滨市": 0.38, "大庆市": 0.11, "齐齐哈尔市": 0.09, "牡丹江市": 0.07, "佳木斯市": 0.06, "绥化市": 0.06,
    "鸡西市": 0.045, "黑河市": 0.03, "双鸭山市": 0.03, "鹤岗市": 0.025, "伊春市": 0.025, "七台河市": 0.02,
    "大兴安岭地区": 0.015,
}
#: administrative division codes (GB/T 2260) of the 13 市(地), for synthetic USCCs
CITY_CODES: dict[str, str] = {
    "哈尔滨市": "230100", "齐齐哈尔市": "230200", "鸡西市": "230300", "鹤岗市": "230400", "双鸭山市": "230500",
    "大庆市": "230600", "伊春市": "230700", "佳木斯市": "230800", "七台河市": "230900", "牡丹江市": "231000",
    "黑河市": "231100", "绥化市": "231200", "大兴安岭地区": "232700",
}

_W1 = ("华兴", "龙创", "北辰", "冰城", "松江", "黑土", "远航", "启明", "恒通", "新源", "博研", "卓越", "瑞丰", "天工",
       "智联", "海川", "金穗", "银杉", "青松", "鸿图", "嘉禾", "宏达", "东极", "雪原", "江畔", "林海", "兴安", "寒地",
       "晨光", "长风", "众信", "鼎新", "睿科", "格致", "力行", "安泰", "昊天", "中嘉", "泓远", "翔宇")
_W2 = ("科技", "智能", "新材", "精工", "生物", "数联", "装备", "能源", "农科", "光电", "信息", "医药", "航宇", "环保",
       "重工", "创新", "电子", "化工", "食品", "制造", "软件", "动力", "仪器", "材料", "技术", "数据", "机电", "种业",
       "冰雪", "石墨")
_ENT_SUFFIX = ("有限公司", "股份有限公司", "科技有限公司", "有限责任公司")
_TECH = ("高效", "低成本", "绿色", "智能", "高纯", "精密", "快速", "大规模", "耐寒", "轻量化", "高通量", "连续化")
_ACH_KIND_WORD = {"patent": "专利", "technology": "技术", "product": "产品", "variety": "新品种"}
_PLATFORM_KINDS = ("成果产业化平台", "技术交易服务平台", "产业技术创新平台", "技术转移机构", "新型研发机构", "重点实验室", "工程技术研究中心")
_BASE_KINDS = ("科技成果产业化基地", "孵化器", "众创空间", "大学科技园", "中试基地", "高新技术产业园")
_FUND_KINDS = ("天使投资基金", "政府引导基金", "创业投资子基金", "风险补偿资金")
_FUND_KIND_PROP = {"天使投资基金": "天使基金", "政府引导基金": "政府引导基金", "创业投资子基金": "子基金", "风险补偿资金": "风险补偿"}
_AGENCY_NAMES = ("科学技术局", "工业和信息化局", "发展和改革委员会", "教育局", "财政局", "农业农村局")
_MODES = ("转让", "许可", "作价入股", "合作实施")


class _Writer:
    """Rows of one kind to ``name.csv`` (or parts ``name-01.csv`` …) with the layout's headers."""

    def __init__(self, out: Path, name: str, kind: str, fields: Sequence[str], fmt: str, part_rows: int,
                 header_overrides: dict[str, str] | None = None) -> None:
        lay = layout(kind)
        cols = {c.field: c for c in lay.columns}
        self.fields = list(fields)
        over = header_overrides or {}
        self.headers = [over.get(f, cols[f].zh if fmt == "csv" else cols[f].en) for f in fields]
        self.out, self.name, self.fmt, self.part_rows = out, name, fmt, part_rows
        self.count = 0
        self.part = 0
        self.fh: Any = None
        self.writer: Any = None
        self.paths: list[Path] = []

    def _open(self) -> None:
        self.part += 1
        path = self.out / f"{self.name}-{self.part:02d}.{self.fmt}"
        self.paths.append(path)
        self.fh = open(path, "w", encoding="utf-8", newline="")
        if self.fmt == "csv":
            self.writer = csv.writer(self.fh)
            self.writer.writerow(self.headers)

    def write(self, *values: Any) -> None:
        if self.fh is None or (self.count and self.count % self.part_rows == 0):
            if self.fh is not None:
                self.fh.close()
            self._open()
        if self.fmt == "csv":
            self.writer.writerow(["" if v is None else v for v in values])
        else:
            obj = {h: v for h, v in zip(self.headers, values) if v not in (None, "")}
            self.fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
        # one part only: drop the part number from its name
        if len(self.paths) == 1:
            single = self.out / f"{self.name}.{self.fmt}"
            self.paths[0].rename(single)
            self.paths = [single]


class _Picker:
    """Heavy-tailed choice among ids: each draws a Pareto weight once; picks follow the weights."""

    def __init__(self, rng: random.Random, ids: Sequence[Any], alpha: float = 1.4) -> None:
        self.ids = ids
        self.cum = list(itertools.accumulate(rng.paretovariate(alpha) for _ in ids))
        self.total = self.cum[-1] if self.cum else 0.0
        self.rng = rng

    def pick(self) -> Any:
        return self.ids[bisect.bisect_left(self.cum, self.rng.random() * self.total)]


def _read_reference(name: str) -> list[dict[str, str]]:
    path = REFERENCE / name
    if not path.is_file():
        raise InputError(f"the reference data {path} is missing; the generator links actors to its regions and industries")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


class _Names:
    """Unique synthetic names per key label (a repeated name would merge two entities on load)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def unique(self, name: str) -> str:
        key = norm_name(name)
        n = 1
        candidate = name
        while key in self.seen:
            n += 1
            candidate = f"{name}{n}号"
            key = norm_name(candidate)
        self.seen.add(key)
        return candidate


def _mixed(i: int) -> tuple[str, str, str]:
    """Word pair and prefix for serial ``i``: distinct serials give distinct triples."""
    a, rest = i % len(_W1), i // len(_W1)
    b, series = rest % len(_W2), rest // len(_W2)
    prefix = "示例" if series % 2 == 0 else "模拟"
    if series >= 2:
        prefix += str(series // 2 + 1)
    return prefix, _W1[a], _W2[b]


def generate(out: str | Path, *, scale: int = 3000, seed: int = 7, fmt: Literal["csv", "jsonl"] = "csv",
             with_reference: bool = True, part_rows: int = 200_000) -> dict[str, int]:
    """Write a synthetic data set of about ``scale`` nodes into ``out``; returns rows written per file."""
    if not 100 <= scale <= 5_000_000:
        raise InputError(f"scale must be between 100 and 5,000,000, not {scale}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    regions = _read_reference("regions.csv")
    industries = _read_reference("industries.csv")
    cities = [r for r in regions if r.get("kind") == "city" and r["name"] in CITY_WEIGHTS]
    if not cities:
        raise InputError("the reference regions hold none of the 13 市(地)")
    city_ids = [c["id"] for c in cities]
    city_name = {c["id"]: c["name"] for c in cities}
    city_cum = list(itertools.accumulate(CITY_WEIGHTS[c["name"]] for c in cities))
    segs = [r for r in industries if r.get("level") in ("segment", "industry")]
    seg_ids = [r["id"] for r in segs]
    seg_name = {r["id"]: r["name"] for r in segs}
    seg_pick = _Picker(rng, seg_ids, alpha=1.2)

    def city() -> str:
        return city_ids[bisect.bisect_left(city_cum, rng.random() * city_cum[-1])]

    def year(low: int = 2018, high: int = 2025) -> int:
        return rng.randint(low, high)

    n = scale
    counts = {
        "university": max(5, round(n * 0.004)), "institute": max(5, round(n * 0.008)),
        "agency": max(3, round(n * 0.001)), "platform": max(3, round(n * 0.025)), "base": max(3, round(n * 0.012)),
        "fund": max(2, round(n * 0.008)), "alliance": max(2, round(n * 0.005)), "achievement": round(n * 0.33),
    }
    counts["enterprise"] = max(10, n - sum(counts.values()))
    written: dict[str, int] = {}
    writers: list[_Writer] = []

    def writer(name: str, kind: str, fields: Sequence[str], **kw: Any) -> _Writer:
        w = _Writer(out, name, kind, fields, fmt, part_rows, **kw)
        writers.append(w)
        return w

    org_names = _Names()
    # ---------------------------------------------------------------- organisations
    uni_ids = [f"gen:uni:{i:07d}" for i in range(counts["university"])]
    w = writer("universities", "university", ("id", "name", "region", "affiliation", "source"))
    for i, id_ in enumerate(uni_ids):
        c = city()
        prefix, a, _ = _mixed(i)
        kind = rng.choice(("理工大学", "农业大学", "医科大学", "师范大学", "科技学院", "职业技术学院"))
        w.write(id_, org_names.unique(f"{prefix}{city_name[c].rstrip('市')}{a}{kind}"), c,
                rng.choice(("省属", "省属", "部属")), SOURCE)
    inst_ids = [f"gen:inst:{i:07d}" for i in range(counts["institute"])]
    w = writer("institutes", "institute", ("id", "name", "region", "affiliation", "industries", "source"))
    for i, id_ in enumerate(inst_ids):
        prefix, a, b = _mixed(i)
        seg = seg_pick.pick()
        w.write(id_, org_names.unique(f"{prefix}{a}{seg_name[seg]}研究院"), city(),
                rng.choice(("provincial", "provincial", "central")), seg, SOURCE)
    agency_ids = [f"gen:agency:{i:07d}" for i in range(counts["agency"])]
    w = writer("agencies", "agency", ("id", "name", "region", "source"))
    for i, id_ in enumerate(agency_ids):
        c = city_ids[i % len(city_ids)]
        dept = _AGENCY_NAMES[(i // len(city_ids)) % len(_AGENCY_NAMES)]
        w.write(id_, org_names.unique(f"示例{city_name[c]}{dept}"), c, SOURCE)
    ent_ids = [f"gen:ent:{i:07d}" for i in range(counts["enterprise"])]
    w = writer("enterprises", "enterprise",
               ("id", "name", "uscc", "region", "ownership", "high_tech", "specialized_new", "above_scale", "industries",
                "source"))
    serial = itertools.count(rng.randrange(31 ** 5))
    for i, id_ in enumerate(ent_ids):
        c = city()
        prefix, a, b = _mixed(i)
        inds = [seg_pick.pick() for _ in range(1 if rng.random() < 0.7 else 2)]
        name = org_names.unique(f"{prefix}{a}{b}{seg_name[inds[0]][:4]}{rng.choice(_ENT_SUFFIX)}")
        uscc = ""
        if rng.random() < 0.7:
            k, body = next(serial), ""
            for _ in range(7):
                k, r = divmod(k, 31)
                body = USCC_CHARSET[r] + body
            first17 = "91" + CITY_CODES.get(city_name[c], "230100") + "MA" + body
            uscc = first17 + uscc_check_char(first17)
        r = rng.random()
        ownership = "民营" if r < 0.85 else "外资" if r < 0.90 else "省属国企" if r < 0.96 else "央企"
        w.write(id_, name, uscc, c, ownership, "是" if rng.random() < 0.12 else "否",
                "是" if rng.random() < 0.06 else "否", "是" if rng.random() < 0.2 else "否",
                "|".join(dict.fromkeys(inds)), SOURCE)
    plat_ids = [f"gen:platform:{i:07d}" for i in range(counts["platform"])]
    w = writer("platforms", "platform", ("id", "name", "kind", "level", "region", "industries", "source"))
    plat_names = _Names()
    for i, id_ in enumerate(plat_ids):
        prefix, a, b = _mixed(i)
        kind = rng.choice(_PLATFORM_KINDS)
        w.write(id_, plat_names.unique(f"{prefix}{a}{b}{kind}"), kind,
                rng.choice(("省级", "省级", "市级", "国家级")), city(), seg_pick.pick(), SOURCE)
    base_ids = [f"gen:base:{i:07d}" for i in range(counts["base"])]
    base_kind: dict[str, str] = {}
    w = writer("bases", "base", ("id", "name", "kind", "level", "region", "source"))
    base_names = _Names()
    for i, id_ in enumerate(base_ids):
        prefix, a, _ = _mixed(i)
        c = city()
        kind = rng.choice(_BASE_KINDS)
        base_kind[id_] = kind
        w.write(id_, base_names.unique(f"{prefix}{city_name[c].rstrip('市')}{a}{kind}"), kind,
                rng.choice(("省级", "市级", "市级", "国家级")), c, SOURCE)
    fund_ids = [f"gen:fund:{i:07d}" for i in range(counts["fund"])]
    w = writer("funds", "fund", ("id", "name", "kind", "size_cny", "region", "source"),
               header_overrides={"size_cny": "基金规模（亿元）"} if fmt == "csv" else None)
    fund_names = _Names()
    for i, id_ in enumerate(fund_ids):
        prefix, a, b = _mixed(i)
        kind = rng.choice(_FUND_KINDS)
        size = round(min(rng.lognormvariate(1.0, 0.9), 200.0), 2)
        w.write(id_, fund_names.unique(f"{prefix}{a}{b}{kind}"), _FUND_KIND_PROP[kind],
                size if fmt == "csv" else f"{size}亿元", city(), SOURCE)
    all_ids = [f"gen:alliance:{i:07d}" for i in range(counts["alliance"])]
    w = writer("alliances", "alliance", ("id", "name", "kind", "region", "industries", "source"))
    all_names = _Names()
    for i, id_ in enumerate(all_ids):
        prefix, a, _ = _mixed(i)
        seg = seg_pick.pick()
        kind = rng.choice(("产学研联盟", "产业技术创新联盟", "创新联合体"))
        w.write(id_, all_names.unique(f"{prefix}{seg_name[seg]}{a}{kind}"), kind, city(), seg, SOURCE)

    # ---------------------------------------------------------------- achievements and their relations
    uni_p, inst_p, ent_p = _Picker(rng, uni_ids), _Picker(rng, inst_ids), _Picker(rng, ent_ids)
    w_ach = writer("achievements", "achievement", ("id", "name", "kind", "field", "year", "status", "source"))
    w_dev = writer("developed", "developed", ("from", "to", "year", "source"))
    w_fld = writer("in_field", "in_field", ("from", "to", "source"))
    w_tr = writer("transfers", "transferred_to", ("from", "to", "mode", "amount_cny", "year", "source"),
                  header_overrides={"amount_cny": "金额（万元）"} if fmt == "csv" else None)
    ach_names = _Names()
    ach_ids = [f"gen:ach:{i:07d}" for i in range(counts["achievement"])]
    for i, id_ in enumerate(ach_ids):
        seg = seg_pick.pick()
        kind = rng.choice(("patent", "patent", "technology", "technology", "product", "variety"))
        y = year()
        r = rng.random()
        status = "stock" if r < 0.5 else "transferring" if r < 0.7 else "industrialized"
        prefix, a, _ = _mixed(i)
        name = ach_names.unique(f"{prefix}{seg_name[seg]}{rng.choice(_TECH)}{a}{_ACH_KIND_WORD[kind]}")
        w_ach.write(id_, name, kind, seg_name[seg].split("、")[0], y, status, SOURCE)
        w_fld.write(id_, seg, SOURCE)
        r = rng.random()
        developers = [uni_p.pick() if r < 0.45 else inst_p.pick() if r < 0.7 else ent_p.pick()]
        if rng.random() < 0.25:
            developers.append(ent_p.pick() if rng.random() < 0.5 else uni_p.pick())
        for dev in dict.fromkeys(developers):
            w_dev.write(dev, id_, y, SOURCE)
        if status != "stock":
            takers = {ent_p.pick() for _ in range(1 if rng.random() < 0.9 else 2)}
            for taker in sorted(takers):
                amount = round(min(rng.lognormvariate(math.log(50), 1.2), 50_000), 1)  # 万元
                w_tr.write(id_, taker, rng.choice(_MODES), amount if fmt == "csv" else f"{amount}万元",
                           rng.randint(y, 2025), SOURCE)

    # ---------------------------------------------------------------- collaborations (key: project)
    actors = _Picker(rng, [*uni_ids, *inst_ids, *ent_ids], alpha=1.3)
    w_col = writer("collaborations", "collaborates_with", ("from", "to", "project", "year", "source"))
    for k in range(round(n * 1.5)):
        a, b = actors.pick(), actors.pick()
        if a == b:
            continue
        seg = seg_pick.pick()
        w_col.write(a, b, f"示例{seg_name[seg]}联合攻关项目{k + 1:07d}", year(), SOURCE)

    def pairs(name: str, kind: str, fields: Sequence[str], count: int, left: Any, right: Any, extra: Any) -> None:
        w = writer(name, kind, (*fields, "source"))
        seen: set[tuple[str, str]] = set()
        for _ in range(count):
            a, b = left(), right()
            if a == b or (a, b) in seen:
                continue
            seen.add((a, b))
            w.write(a, b, *extra(a, b), SOURCE)

    orgs = _Picker(rng, [*ent_ids, *uni_ids, *inst_ids])
    alliances = _Picker(rng, all_ids, alpha=1.1)
    leads: set[str] = set()

    def member_extra(a: str, b: str) -> tuple[Any, ...]:
        role = "member"
        if b not in leads:
            leads.add(b)
            role = "lead"
        return ("牵头" if role == "lead" else "成员", year(2018, 2024))

    pairs("memberships", "member_of", ("from", "to", "role", "since"), round(n * 0.35), orgs.pick, alliances.pick,
          member_extra)
    funds = _Picker(rng, fund_ids, alpha=1.2)
    inv_w = writer("investments", "invested_in", ("from", "to", "amount_cny", "year", "source"),
                   header_overrides={"amount_cny": "投资金额（万元）"} if fmt == "csv" else None)
    seen_inv: set[tuple[str, str, int]] = set()
    for _ in range(round(n * 0.1)):
        f, e, y = funds.pick(), ent_p.pick(), year(2019, 2025)
        if (f, e, y) in seen_inv:
            continue
        seen_inv.add((f, e, y))
        amount = round(min(rng.lognormvariate(math.log(500), 1.0), 100_000), 1)
        inv_w.write(f, e, amount if fmt == "csv" else f"{amount}万元", y, SOURCE)
    incubators = [b for b in base_ids if base_kind[b] in ("孵化器", "众创空间", "大学科技园")] or base_ids
    inc_p = _Picker(rng, incubators)
    pairs("incubations", "incubated", ("from", "to", "year"), round(n * 0.08), inc_p.pick, ent_p.pick,
          lambda a, b: (year(),))
    base_p = _Picker(rng, base_ids)
    plat_p = _Picker(rng, plat_ids)
    pairs("hosts", "hosts", ("from", "to"), round(n * 0.15), base_p.pick,
          lambda: ent_p.pick() if rng.random() < 0.85 else plat_p.pick(), lambda a, b: ())
    ops = iter([*plat_ids, *base_ids])
    pairs("operates", "operates", ("from", "to"), len(plat_ids) + len(base_ids),
          lambda: (uni_p.pick() if rng.random() < 0.4 else inst_p.pick() if rng.random() < 0.5 else ent_p.pick()),
          lambda: next(ops), lambda a, b: ())
    pairs("spinoffs", "spun_off_from", ("from", "to", "year"), round(n * 0.02), ent_p.pick,
          lambda: uni_p.pick() if rng.random() < 0.6 else inst_p.pick(), lambda a, b: (year(),))
    fund_iter = iter(fund_ids)
    agency_p = _Picker(rng, agency_ids)
    pairs("manages", "manages", ("from", "to"), len(fund_ids), agency_p.pick, lambda: next(fund_iter), lambda a, b: ())

    for wr in writers:
        wr.close()
        written[wr.name] = wr.count
    if with_reference:
        for name in ("regions.csv", "industries.csv", "industry_chain.csv"):
            shutil.copyfile(REFERENCE / name, out / name)
            with open(REFERENCE / name, encoding="utf-8") as fh:
                written[name.removesuffix(".csv")] = sum(1 for _ in fh) - 1
    return written
