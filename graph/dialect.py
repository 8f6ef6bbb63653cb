"""Every Cypher dialect difference the query modules need, chosen once from ``store.capabilities``.

Query texts in ``queries/cypher/`` are written in the Neo4j dialect, so a user
can paste them into Neo4j Browser as they are. :func:`render` turns such a text
into the dialect of the engine a store runs on. The differences handled here:

- **node references**: the query modules walk the graph level by level and
  keep each node's engine-internal reference between round trips (a seek by
  reference is the cheapest lookup on both engines, whatever the label).
  Neo4j calls it ``elementId(n)`` (a string); FalkorDB has no ``elementId``
  and calls it ``id(n)`` (an integer).
- **full-text search**: Neo4j has one multi-label index queried with
  ``db.index.fulltext.queryNodes(index, lucene query, {limit})``; FalkorDB has
  one RediSearch index per label queried with
  ``db.idx.fulltext.queryNodes(label, query)``. Lucene ORs terms unless each
  carries ``+``; RediSearch ANDs them. A block of a query text between
  ``// dialect: fulltext`` and ``// end dialect`` is replaced accordingly.
- **shortest paths**: FalkorDB refuses undirected ``shortestPath`` and only
  allows it in WITH/RETURN; the collaboration-path query therefore runs as a
  bounded bidirectional breadth-first search over :data:`~Dialect` neutral
  expansion statements, which both engines run identically.
- **subqueries**: Neo4j 5.23+ imports variables into a subquery with the
  scope clause ``CALL (n) { … }`` and reports the older ``CALL { WITH n … }``
  as deprecated on every call; FalkorDB knows only the older form. Texts use
  the scope clause, rendered to the older form for FalkorDB.
- **round trips**: on Neo4j each statement is a Bolt exchange that costs more than a small
  statement itself, so the API combines a lookup and its follow-up into one statement there;
  on FalkorDB's unix socket the combined statement was the slower, so it runs two.
- **time**: FalkorDB has no ``datetime()``; timestamps are written by the
  application as ISO-8601 strings, so no query text calls a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from graph.schema import Label, cypher_label
from graph.search_keys import SEARCH_INDEX
from graph.store import Capabilities

_BLOCK = re.compile(r"//\s*dialect:\s*(?P<name>\w+)[^\n]*\n(?P<body>.*?)//\s*end dialect[^\n]*\n?", re.S)
_ELEMENT_ID = re.compile(r"\belementId\(")
_SCOPED_CALL = re.compile(r"\bCALL\s*\(\s*(?P<vars>\w+(?:\s*,\s*\w+)*)\s*\)\s*\{")


@dataclass(frozen=True)
class Dialect:
    """The Cypher features of one engine that the query modules depend on."""

    #: function returning a node's engine-internal reference
    node_ref: str
    #: "lucene": one multi-label index, terms need ``+``; "redisearch": one index per label, terms ANDed
    fulltext: str
    fulltext_procedure: str
    #: ``(a)-[*]-(b)`` shortest paths allowed in MATCH, undirected
    native_undirected_shortest_path: bool
    #: ``CALL (n) { … }`` understood (else rendered as ``CALL { WITH n … }``)
    scoped_subquery: bool = True
    #: a round trip costs more than a small statement (Neo4j: a Bolt exchange; FalkorDB's unix
    #: socket does not), so statements are worth combining even where that makes each costlier
    round_trip_bound: bool = True


@lru_cache(maxsize=8)
def _dialect(caps: Capabilities) -> Dialect:
    lucene = (caps.fulltext_procedure or "").startswith("db.index.")
    return Dialect(
        # Neo4j 5 deprecates id(); FalkorDB only has id()
        node_ref="elementId" if lucene else "id",
        fulltext="lucene" if lucene else "redisearch",
        fulltext_procedure=caps.fulltext_procedure or "db.idx.fulltext.queryNodes",
        native_undirected_shortest_path=caps.shortest_path_in_match and caps.undirected_shortest_path,
        scoped_subquery=lucene,
        round_trip_bound=lucene,
    )


def dialect(store_or_caps: Any) -> Dialect:
    """The dialect of a store (or of its :class:`Capabilities`)."""
    caps = getattr(store_or_caps, "capabilities", store_or_caps)
    return _dialect(caps)


def fulltext_query(d: Dialect, keys: Iterable[str]) -> str:
    """A full-text query that matches nodes holding *all* ``keys``.

    Keys are normalised bigrams (letters and digits only, see
    ``graph/search_keys.py``), so neither syntax needs escaping.
    """
    keys = [k for k in keys if k]
    if d.fulltext == "lucene":
        return " ".join(f"+{k}" for k in keys)
    return " ".join(keys)


def fulltext_candidates(d: Dialect, labels: Iterable[Label]) -> str:
    """Cypher that yields ``n`` for every node of ``labels`` whose keys match ``$fulltext``, at most ``$scan``."""
    if d.fulltext == "lucene":
        return (f"CALL {d.fulltext_procedure}('{SEARCH_INDEX}', $fulltext, {{limit: $scan}}) YIELD node AS n\n")
    branches = [
        f"CALL {d.fulltext_procedure}('{cypher_label(lbl)}', $fulltext) YIELD node RETURN node AS n LIMIT $scan"
        for lbl in dict.fromkeys(labels)
    ]
    # UNION ALL: a node carries one key label, so no node comes from two indexes
    # (UNION would make the engine de-duplicate up to $scan nodes per label)
    return "CALL {\n  " + "\n  UNION ALL\n  ".join(branches) + "\n}\n"


def render(text: str, store_or_caps: Any, *, labels: Iterable[Label] | None = None) -> str:
    """``text`` (Neo4j dialect) in the dialect of the given store.

    ``labels`` restricts the full-text block to those key labels (FalkorDB has
    one index per label; Neo4j filters afterwards in the query itself).
    """
    d = dialect(store_or_caps)

    def block(m: re.Match[str]) -> str:
        name = m.group("name")
        if name == "fulltext":
            from graph.schema import NAMED_LABELS

            return fulltext_candidates(d, labels or NAMED_LABELS)
        raise ValueError(f"unknown dialect block {name!r}")

    out = _BLOCK.sub(block, text)
    if d.node_ref != "elementId":
        out = _ELEMENT_ID.sub(f"{d.node_ref}(", out)
    if not d.scoped_subquery:
        out = _SCOPED_CALL.sub(lambda m: "CALL { WITH " + m.group("vars"), out)
    return out
