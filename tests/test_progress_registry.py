"""Each target of the reference plan is matched to the right measurement (or told why not)."""

from __future__ import annotations

import pytest

from queries.progress import find_measurement


@pytest.mark.parametrize(
    ("metric", "unit", "expected"),
    [
        ("科技成果产业化", "项", "industrialized_achievements"),
        ("高等院校科技成果产业化", "项", "industrialized_achievements"),
        ("技术合同登记成交额", "亿元", "tech_contract_turnover"),
        ("高新技术企业", "家", "high_tech_enterprises"),
        ("专精特新中小企业", "家", "specialized_new_enterprises"),
        ("技术转移机构", "家", "tech_transfer_organisations"),
        ("科技成果产业化基地", "个", "bases"),
        ("初创科技型企业", "家", "incubated_startups"),
        ("孵化科技型企业", "家", "incubated_startups"),
        ("省级创新平台", "家", "platforms"),
        ("高技术产业投资占同期固定资产投资比重", "%", None),
    ],
)
def test_plan_metrics_find_their_measurement(metric: str, unit: str, expected: str | None) -> None:
    found, params, reason = find_measurement(metric, unit)
    assert (found.name if found else None) == expected
    if expected is None:
        assert reason  # an unmeasured target says why, never a zero


def test_developer_kind_split_follows_the_metric() -> None:
    assert find_measurement("科研院所科技成果产业化", "项")[1] == {"developer_kinds": ["Institute"]}
    assert find_measurement("科技成果产业化", "项")[1] == {"developer_kinds": None}
