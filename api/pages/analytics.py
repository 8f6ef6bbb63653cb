"""Adapters from the query layer's results to what the pages show."""

from __future__ import annotations

from typing import Any

from api.pages.present import value_text
from graph.store import GraphStore


def _number(value: float | None, unit: str | None) -> str:
    if value is None:
        return "—"
    text = value_text("value", float(value))
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    elif value >= 10_000:
        text = f"{value:,.0f}"
    return f"{text} {unit}".strip() if unit else text


def plan_rows(store: GraphStore) -> list[dict[str, Any]]:
    """Each plan target with its measured figure and a bar (width capped at 100 %)."""
    from queries.progress import plan_progress

    rows = []
    for t in plan_progress(store).targets:
        ratio = t.ratio
        if t.measured is None or ratio is None:
            css, bar, percent = "unknown", 0.0, "未测量 not measured" + (f"：{t.reason}" if t.reason else "")
        else:
            css = "done" if ratio >= 1 else ("low" if ratio < 0.5 else "")
            bar, percent = min(100.0, max(0.0, ratio * 100)), f"{ratio * 100:.0f}%"
        rows.append({"id": t.target.id, "name": t.target.name or t.metric or t.target.id, "deadline": t.deadline,
                     "target_text": _number(t.value, t.unit), "measured_text": _number(t.measured, t.unit),
                     "css": css, "bar": round(bar, 1), "percent_text": percent, "method": t.method})
    return rows
