"""Idempotent batched writes built from the schema.

Each builder returns one ``UNWIND $rows AS row MERGE …`` statement; the store
runs it over one batch in one transaction. Labels and relationship types come
from the schema's enumerations; every value is a parameter.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from graph.errors import InputError
from graph.schema import Label, RelType, cypher_label, cypher_rel, labels_of, node_spec, rel_spec
from graph.search_keys import search_props
from graph.store import GraphStore, chunks

# A fact loaded again from the same place adds no provenance and moves no timestamp.
_CHANGE = (
    "WITH {v}, row, size([k IN keys(row.props) WHERE {v}[k] IS NULL OR {v}[k] <> row.props[k]]) > 0 "
    "OR (row.source IS NOT NULL AND NOT row.source IN coalesce({v}.sources, [])) "
    "OR {v}.updated_at IS NULL AS changed "
    "SET {v} += row.props, "
    "{v}.sources = CASE WHEN row.source IS NULL OR row.source IN coalesce({v}.sources, []) "
    "THEN coalesce({v}.sources, []) ELSE coalesce({v}.sources, []) + row.source END "
    "WITH {v}, row, changed WHERE changed "
    "SET {v}.updated_at = row.now "
    "RETURN count({v}) AS changed"
)


def merge_nodes_query(kind: Label | str) -> str:
    """MERGE nodes of ``kind`` by id; rows are ``{id, props, source, now}``.

    ``props`` replaces the listed properties; ``updated_at`` moves only when a
    property or the provenance actually changed, so a reload changes nothing.
    Returns the number of nodes created or changed.
    """
    spec = node_spec(kind)
    key = cypher_label(spec.key_label)
    extra = "".join(f":{cypher_label(x)}" for x in labels_of(kind)[1:])
    set_labels = f"SET n{extra} " if extra else ""
    return f"UNWIND $rows AS row MERGE (n:{key} {{id: row.id}}) {set_labels}" + _CHANGE.format(v="n")


def merge_edges_query(rel: RelType | str, start: Label | str, end: Label | str) -> str:
    """MERGE edges of type ``rel`` between existing nodes; rows are ``{start, end, key, props, source, now}``.

    Parallel edges of one type are told apart by ``key``, built from the
    type's key properties ("" when it has none). Rows whose endpoints do not
    exist produce nothing: the caller checks first, so a missing endpoint is a
    rejected row, never a dangling node.
    """
    spec = rel_spec(rel)
    a = cypher_label(node_spec(start).key_label)
    b = cypher_label(node_spec(end).key_label)
    t = cypher_rel(spec.type)
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{a} {{id: row.start}}) "
        f"MATCH (b:{b} {{id: row.end}}) "
        f"MERGE (a)-[r:{t} {{key: row.key}}]->(b) " + _CHANGE.format(v="r")
    )


def edge_key(rel: RelType | str, props: Mapping[str, Any]) -> str:
    """The value that tells parallel edges of one type apart."""
    return "|".join("" if props.get(k) is None else str(props[k]) for k in rel_spec(rel).key)


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None and k not in ("id", "sources", "updated_at")}


def node_rows(kind: Label | str, records: Iterable[Mapping[str, Any]], *, source: str | None, now: str) -> list[dict[str, Any]]:
    """Validate ``records`` against the label's model and shape them as rows for :func:`merge_nodes_query`."""
    model = node_spec(kind).model
    rows = []
    for rec in records:
        try:
            obj = model.model_validate(dict(rec))
        except Exception as exc:  # pydantic.ValidationError
            raise InputError(f"invalid {Label(kind).value} {rec.get('id')!r}: {exc}") from None
        props = _clean(obj.model_dump())
        # derived keys that let search find a Chinese name fragment through an index
        props.update(search_props(obj.name, obj.aliases))
        rows.append({"id": obj.id, "props": props, "source": source, "now": now})
    return rows


def write_nodes(store: GraphStore, kind: Label | str, records: Sequence[Mapping[str, Any]], *,
                source: str | None = None, now: str, batch_size: int = 5000) -> int:
    """Validate and MERGE nodes, one transaction per batch. Returns the number of rows written."""
    query = merge_nodes_query(kind)
    rows = node_rows(kind, records, source=source, now=now)
    for batch in chunks(rows, batch_size):
        store.write_batch(query, batch)
    return len(rows)


def write_edges(store: GraphStore, rel: RelType | str, start: Label | str, end: Label | str,
                records: Sequence[Mapping[str, Any]], *, source: str | None = None, now: str,
                batch_size: int = 5000) -> int:
    """Validate and MERGE edges between existing nodes, one transaction per batch."""
    spec = rel_spec(rel)
    rows = []
    for rec in records:
        rec = dict(rec)
        try:
            props = spec.model.model_validate({k: v for k, v in rec.items() if k not in ("start", "end")})
        except Exception as exc:
            raise InputError(f"invalid {spec.type.value} {rec.get('start')!r}->{rec.get('end')!r}: {exc}") from None
        clean = _clean(props.model_dump())
        rows.append({
            "start": rec["start"], "end": rec["end"],
            "key": edge_key(spec.type, clean),
            "props": clean, "source": source, "now": now,
        })
    query = merge_edges_query(rel, start, end)
    for batch in chunks(rows, batch_size):
        store.write_batch(query, batch)
    return len(rows)
