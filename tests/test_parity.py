"""Parity: every query returns the same result on FalkorDB and Neo4j over the same data."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest

from graph.schema import Label, RelType
from queries import analytics
from queries.registry import queries
from tests import graphdata

pytestmark = pytest.mark.integration
SEED, ORGS = 5, 120


@pytest.fixture(scope="module")
def both(request: pytest.FixtureRequest):
    """The two engines, each holding the same generated dataset."""
    stores = []
    for engine in ("falkordb", "neo4j"):
        store = request.getfixturevalue(f"{engine}_store_session")
        store.wipe()
        store.ensure_schema()
        graphdata.build(store, SEED, ORGS)
        stores.append(store)
    return stores, graphdata.generate(SEED, ORGS)


# When a figure was counted differs between two engines asked one after the other; it is
# checked for being a real time stamp, not compared.
CLOCK_FIELDS = {"computed_at"}


def _normal(value):
    """Results as comparable JSON: floats rounded (sums may add up in another order)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        for key in CLOCK_FIELDS & value.keys():
            datetime.fromisoformat(value[key])  # raises on anything but an ISO 8601 time
        return {k: _normal(v) for k, v in value.items() if k not in CLOCK_FIELDS}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _draws(ds) -> list[tuple[str, dict]]:
    rng = random.Random(99)
    orgs = ds.node_ids(Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE)
    names = [n["name"] for recs in ds.nodes.values() for n in recs]
    draws: list[tuple[str, dict]] = []
    for _ in range(4):
        name = rng.choice(names)
        i = rng.randrange(0, max(len(name) - 2, 1))
        draws.append(("search", {"q": name[i:i + rng.choice([1, 2, 3, 4])], "limit": 25}))
    draws += [("search", {"q": "示例", "kind": "Enterprise", "region": "region:c2", "limit": 10, "offset": 5}),
              ("search", {"q": "示例", "limit": 1000})]
    for _ in range(4):
        draws.append(("neighbourhood", {"id": rng.choice(orgs), "hops": rng.choice([1, 2, 3]),
                                        "limit": rng.choice([15, 200, 1000])}))
    draws.append(("neighbourhood", {"id": "region:hlj", "hops": 2, "rel_types": "PART_OF,LOCATED_IN",
                                    "year_from": 2019, "limit": 40}))
    for _ in range(6):
        a, b = rng.sample(orgs, 2)
        draws.append(("collaboration_paths", {"source": a, "target": b, "limit": rng.choice([1, 5, 100])}))
    a, b = rng.sample(orgs, 2)
    draws.append(("collaboration_paths", {"source": a, "target": b, "rel_types": "COLLABORATES_WITH,MEMBER_OF",
                                          "year_from": 2020, "year_to": 2024, "max_hops": 4}))
    for ind in ("ind:0", "ind:1:2", "ind:cat"):
        draws.append(("industry_chain", {"industry": ind}))
        draws.append(("chain_gaps", {"industry": ind, "region": "region:hlj"}))
    draws += [("alliances", {}), ("alliances", {"industry": "ind:2", "region": "region:c3", "members": 2}),
              ("triads", {}), ("triads", {"industry": "ind:0", "limit": 5}), ("triads", {"region": "region:c0"}),
              ("achievement_flows", {}), ("achievement_flows", {"group_by": "developer_region,industry",
                                                                "year_from": 2021, "year_to": 2024}),
              ("plan_progress", {}), ("plan_progress", {"policy": "policy:plan", "period_start": 2023}),
              ("clusters", {"seed": 1}), ("clusters", {"seed": 7, "resolution": 0.5, "limit": 3}),
              ("brokers", {"seed": 3, "limit": 15})]
    return draws


def test_every_query_returns_the_same_on_both_engines(both) -> None:
    (falkor, neo), ds = both
    draws = _draws(ds)
    assert {name for name, _ in draws} == set(queries()), "every query is drawn"
    analytics.clear_cache()
    nonempty = 0
    for name, values in draws:
        spec = queries()[name]
        a = _normal(spec.run(falkor, dict(values)).model_dump(mode="json", by_alias=True))
        b = _normal(spec.run(neo, dict(values)).model_dump(mode="json", by_alias=True))
        assert json.dumps(a, ensure_ascii=False, sort_keys=True) == json.dumps(b, ensure_ascii=False, sort_keys=True), \
            f"{name} {values} differs between engines"
        nonempty += 1 if any(isinstance(v, list) and v for v in a.values()) else 0
    assert nonempty >= len(draws) * 0.8  # the draws exercise real results, not empty ones
