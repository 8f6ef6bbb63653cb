"""The synthetic activity generator: deterministic, visibly synthetic, heavy-tailed, in the documented layouts."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from statistics import median

import pytest

from ingest.generate import REFERENCE, generate
from ingest.layouts import detect_layout
from ingest.normalize import norm_name, parse_uscc
from ingest.readers import open_tables

NODE_FILES = ("universities", "institutes", "agencies", "enterprises", "platforms", "bases", "funds", "alliances",
              "achievements")


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("gen")
    return out, generate(out, scale=4000, seed=11)


def test_the_same_seed_writes_the_same_files(tmp_path: Path, generated) -> None:
    out, _ = generated
    generate(tmp_path / "again", scale=4000, seed=11)
    generate(tmp_path / "other", scale=4000, seed=12)
    for f in sorted(out.iterdir()):
        assert (tmp_path / "again" / f.name).read_bytes() == f.read_bytes(), f.name
    assert (tmp_path / "other" / "collaborations.csv").read_bytes() != (out / "collaborations.csv").read_bytes()


def test_scale_counts_nodes_and_about_five_edges_each(generated) -> None:
    out, summary = generated
    nodes = sum(summary[name] for name in NODE_FILES)
    assert 3900 <= nodes <= 4100
    implicit = 0  # region and industries cells become LOCATED_IN / IN_INDUSTRY edges
    for name in NODE_FILES:
        for r in rows(out / f"{name}.csv"):
            implicit += bool(r.get("所在地区")) + len([x for x in r.get("所属产业", "").split("|") if x])
    edges = implicit + sum(n for name, n in summary.items() if name not in NODE_FILES
                           and name not in ("regions", "industries", "industry_chain"))
    assert 4 * nodes <= edges <= 6 * nodes


def test_names_are_visibly_synthetic_unique_and_never_real(generated) -> None:
    out, _ = generated
    real = {norm_name(r["name"]) for r in rows(REFERENCE / "organizations.csv")}
    real |= {norm_name(r["alias"]) for r in rows(REFERENCE / "aliases.csv")}
    org_names: list[str] = []
    for name in NODE_FILES:
        names = [r["名称"] for r in rows(out / f"{name}.csv")]
        assert all(n.startswith(("示例", "模拟")) for n in names), name
        assert not {norm_name(n) for n in names} & real
        if name in ("universities", "institutes", "agencies", "enterprises"):
            org_names += names  # one key label: a repeated name would merge two of them
        else:
            assert len({norm_name(n) for n in names}) == len(names), name
    assert len({norm_name(n) for n in org_names}) == len(org_names)


def test_values_follow_the_layouts(generated) -> None:
    out, _ = generated
    for path in sorted(out.glob("*.csv")):
        [table] = open_tables(path)
        assert detect_layout(table.headers, path.stem, table.sample).name, path.name
    ents = rows(out / "enterprises.csv")
    usccs = [r["统一社会信用代码"] for r in ents if r["统一社会信用代码"]]
    assert len(usccs) > len(ents) // 2 and len(set(usccs)) == len(usccs)
    assert all(parse_uscc(u) == u for u in usccs)
    assert 0 < sum(r["高新技术企业"] == "是" for r in ents) < len(ents) // 4
    assert 0 < sum(r["专精特新"] == "是" for r in ents) < len(ents) // 4
    years = [int(r["年份"]) for r in rows(out / "achievements.csv")]
    assert min(years) == 2018 and max(years) == 2025
    assert {r["转化状态"] for r in rows(out / "achievements.csv")} == {"stock", "transferring", "industrialized"}


def test_cities_are_weighted_and_degrees_heavy_tailed(generated) -> None:
    out, _ = generated
    cities = Counter(r["所在地区"] for r in rows(out / "enterprises.csv"))
    assert cities.most_common(1)[0][0] == "region:harbin"
    assert len(cities) == 13
    regions = {r["id"] for r in rows(REFERENCE / "regions.csv")}
    assert set(cities) <= regions  # real cities of the reference data
    industries = {r["id"] for r in rows(REFERENCE / "industries.csv")}
    assert {x for r in rows(out / "enterprises.csv") for x in r["所属产业"].split("|")} <= industries
    degree = Counter()
    for r in rows(out / "collaborations.csv"):
        degree[r["合作方A"]] += 1
        degree[r["合作方B"]] += 1
    values = sorted(degree.values())
    assert values[-1] >= 10 * median(values)
