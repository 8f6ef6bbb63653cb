"""``search``: organisations and other named nodes by a fragment of their name or an alias."""

from __future__ import annotations

from typing import Any

from graph.dialect import dialect, fulltext_query
from graph.errors import InputError
from graph.schema import NAMED_LABELS, Label, node_spec
from graph.search_keys import normalise, query_keys
from graph.store import GraphStore
from queries import cypher, params
from queries.models import Node, SearchHit, SearchResult

#: candidates examined per search; beyond it the total is a lower bound (``total_capped``)
SCAN = 5000
_MATCH = {0: "exact", 1: "prefix", 2: "substring"}


def region_scope(store: GraphStore, region: str | None, *, param: str = "region") -> list[str] | None:
    """The ids of ``region`` and every region below it; None for no region. Unknown → InputError."""
    if region is None:
        return None
    rows = cypher.run(store, "region_scope", {"region": region})
    if not rows:
        raise InputError(f"parameter {param!r}: no Region with id {region!r}")
    return [rows[0]["id"], *sorted(x for x in rows[0]["below"] if x)]


def search(store: GraphStore, q: Any, *, kind: Any = None, region: Any = None,
           limit: Any = 20, offset: Any = 0) -> SearchResult:
    """Named nodes whose name or alias contains ``q`` (Chinese or Latin), ranked exact > prefix > substring.

    ``kind`` is a label (``Enterprise``, ``University``, ``Organization``, ``Platform`` …);
    ``region`` a Region id (its sub-regions count too). Paged by ``limit``/``offset``.
    """
    raw = params.text("q", q, max_length=100)
    assert raw is not None
    needle = normalise(raw)
    if not needle:
        raise InputError("parameter 'q' has no letter or digit to search for")
    lbl = params.node_label("kind", kind)
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=20)
    offset_ = params.integer("offset", offset, lo=0, hi=100_000, default=0)
    regions = region_scope(store, params.text("region", region, required=False))
    keys = query_keys(needle)
    values = {"q": needle, "kind": lbl.value if lbl else None, "regions": regions,
              "offset": offset_, "limit": limit_, "window": offset_ + limit_, "scan": SCAN}
    if keys:
        key_labels = [node_spec(lbl).key_label] if lbl else list(NAMED_LABELS)
        values["fulltext"] = fulltext_query(dialect(store), keys)
        rows = cypher.run(store, "search", values, labels=key_labels)
    else:
        rows = cypher.run(store, "search_short", values)
    if not rows:
        return SearchResult(query=raw, items=[], total=0, total_capped=False, limit=limit_, offset=offset_)
    row = rows[0]
    items = [SearchHit(node=Node.of(h["node"]), match=_MATCH[h["rank"]]) for h in row["page"]]
    return SearchResult(query=raw, items=items, total=row["total"], total_capped=row["examined"] >= SCAN,
                        limit=limit_, offset=offset_)


def kinds() -> list[str]:
    """The labels ``kind`` accepts."""
    return [x.value for x in Label if x in NAMED_LABELS or node_spec(x).key_label in NAMED_LABELS]
