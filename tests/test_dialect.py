"""Query texts are written in Neo4j's current dialect and rendered for the engine they run on."""

from __future__ import annotations

import re
from pathlib import Path

from graph.dialect import render
from queries import cypher

CYPHER_DIR = Path(__file__).resolve().parents[1] / "queries" / "cypher"
#: ``CALL { WITH n … }``: Neo4j 5.23+ reports it as deprecated on every call
_IMPORTING_WITH = re.compile(r"CALL\s*\{\s*WITH\b")


def test_a_scoped_subquery_runs_on_both_engines(store) -> None:
    text = ("UNWIND [1, 2] AS k CALL (k) { UNWIND range(1, k) AS i WITH i LIMIT 5 RETURN count(i) AS c } "
            "RETURN sum(k * 10 + c) AS total")
    rows = store.read(render(text, store), {})
    assert rows[0]["total"] == 33  # 10 + 1 and 20 + 2: each k saw its own value


def test_no_query_text_uses_the_deprecated_importing_with() -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in CYPHER_DIR.glob("*.cypher")}
    texts["node_by_id_with_fanout"] = cypher.node_by_id_with_fanout()
    offenders = [name for name, text in texts.items() if _IMPORTING_WITH.search(text)]
    assert not offenders, f"write CALL (n) {{ … }} instead of CALL {{ WITH n … }} in {offenders}"
