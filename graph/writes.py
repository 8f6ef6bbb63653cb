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
# Rows carry ``sources`` (entries such as ``file.csv#row=12`` or a cited URL) and
# ``replace`` (prefixes such as ``file.csv#``): an older entry with one of those
# prefixes is replaced, so reloading an edited file keeps one entry per file.
# ``aliases`` only ever grow. Each statement returns how many rows created a new
# node/edge and how many changed an existing one.
_CHANGE = (
    "WITH {v}, row, {v}.updated_at IS NULL AS created, coalesce({v}.sources, []) AS old{alias_old} "
    "WITH {v}, row, created, old, "
    "[s IN old WHERE s IN row.sources OR none(p IN row.replace WHERE s STARTS WITH p)] "
    "+ [s IN row.sources WHERE NOT s IN old] AS src{alias_new} "
    "WITH {v}, row, created, src, created OR size(src) <> size(old) "
    # a file's entry whose row number alone moved is provenance kept current, not a change
    "OR any(s IN src WHERE NOT split(s, '#row=')[0] IN [o IN old | split(o, '#row=')[0]]){alias_changed} "
    "OR any(k IN keys(row.props) WHERE {v}[k] IS NULL OR {v}[k] <> row.props[k]) AS changed "
    "SET {v} += row.props, {v}.sources = src{alias_set}, "
    "{v}.updated_at = CASE WHEN changed THEN row.now ELSE {v}.updated_at END "
    "RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created, "
    "sum(CASE WHEN changed AND NOT created THEN 1 ELSE 0 END) AS updated, count(*) AS rows"
)

_NODE_CHANGE = _CHANGE.format(
    v="n",
    alias_old=", coalesce(n.aliases, []) AS oal",
    alias_new=", oal, oal + [a IN coalesce(row.aliases, []) WHERE NOT a IN oal] AS al",
    alias_changed=" OR size(al) <> size(oal)",
    alias_set=", n.aliases = al",
).replace("WITH n, row, created, src, created", "WITH n, row, created, src, al, created")
_EDGE_CHANGE = _CHANGE.format(v="r", alias_old="", alias_new="", alias_changed="", alias_set="")


def merge_nodes_query(kind: Label | str) -> str:
    """MERGE nodes of ``kind`` by id; rows are ``{id, props, aliases, sources, replace, now}``.

    ``props`` replaces the listed properties (absent ones are left alone),
    ``aliases`` are added to the node's, ``sources`` to its provenance (an older
    entry starting with a ``replace`` prefix is dropped); ``updated_at`` moves
    only when something actually changed, so a reload changes nothing. Returns
    one record: ``created``, ``updated`` and ``rows``.
    """
    spec = node_spec(kind)
    key = cypher_label(spec.key_label)
    extra = "".join(f":{cypher_label(x)}" for x in labels_of(kind)[1:])
    set_labels = f"SET n{extra} " if extra else ""
    return f"UNWIND $rows AS row MERGE (n:{key} {{id: row.id}}) {set_labels}" + _NODE_CHANGE


def update_nodes_query(kind: Label | str) -> str:
    """Update nodes known to exist with these labels already; rows as :func:`merge_nodes_query`.

    MATCH through the unique index is cheaper than MERGE (FalkorDB especially);
    a row whose node has meanwhile been deleted changes nothing.
    """
    key = cypher_label(node_spec(kind).key_label)
    return f"UNWIND $rows AS row MATCH (n:{key} {{id: row.id}}) " + _NODE_CHANGE


def merge_edges_query(rel: RelType | str, start: Label | str, end: Label | str) -> str:
    """MERGE edges of type ``rel`` between existing nodes; rows are ``{start, end, key, props, sources, replace, now}``.

    Parallel edges of one type are told apart by ``key``, built from the
    type's key properties ("" when it has none). Rows whose endpoints do not
    exist produce nothing: the caller checks first, so a missing endpoint is a
    rejected row, never a dangling node. Returns ``created``, ``updated``, ``rows``.
    """
    spec = rel_spec(rel)
    a = cypher_label(node_spec(start).key_label)
    b = cypher_label(node_spec(end).key_label)
    t = cypher_rel(spec.type)
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{a} {{id: row.start}}) "
        f"MATCH (b:{b} {{id: row.end}}) "
        f"MERGE (a)-[r:{t} {{key: row.key}}]->(b) " + _EDGE_CHANGE
    )


class NodeHandles:
    """Engine-internal references of the nodes one load CREATEd, by key label and id.

    A store that can find a node faster by its own reference than through the
    ``id`` index (FalkorDB: the internal node id) records them when it runs a
    :func:`create_nodes_query` carrying this object, and uses them for the
    endpoints of a later :func:`create_edges_query` carrying the same object.
    They live as long as the load that owns them; never stored, never shown. A
    statement using one still checks the node's ``id``, so a node deleted (and
    its reference reused) meanwhile is a missing endpoint, as by id.
    """

    __slots__ = ("_by",)

    def __init__(self) -> None:
        self._by: dict[str, dict[str, int]] = {}

    def put(self, key_label: str, ids: Sequence[str], refs: Sequence[int]) -> None:
        if len(ids) != len(refs):  # not what was asked for: remember nothing
            return
        self._by.setdefault(key_label, {}).update(zip(ids, refs))

    def refs(self, key_label: str, ids: Sequence[str]) -> list[int] | None:
        """The references of all ``ids``, or None when one is not known."""
        known = self._by.get(key_label)
        if not known:
            return None
        try:
            return list(map(known.__getitem__, ids))
        except (KeyError, TypeError):
            return None

    def clear(self) -> None:
        self._by.clear()


class BulkQuery(str):
    """A CREATE statement of this module (the text every engine can run over ``$rows``),
    carrying what it writes so a store may send the batch in a cheaper form of its own.

    ``kind`` is ``"nodes"`` (``labels``: the node's labels, ``key_label`` first)
    or ``"edges"`` (``rel``, ``start`` and ``end``: the key labels of the endpoints).
    """

    kind: str
    labels: tuple[str, ...]
    key_label: str
    rel: str
    start: str
    end: str
    handles: NodeHandles | None

    def __new__(cls, text: str, *, kind: str, labels: tuple[str, ...] = (), key_label: str = "", rel: str = "",
                start: str = "", end: str = "", handles: NodeHandles | None = None) -> "BulkQuery":
        self = super().__new__(cls, text)
        self.kind, self.labels, self.key_label = kind, labels, key_label
        self.rel, self.start, self.end, self.handles = rel, start, end, handles
        return self

    def __reduce__(self) -> Any:
        # a recorded batch replayed later (bench) must not use this load's references
        return (_bulk_query, (str(self), self.kind, self.labels, self.key_label, self.rel, self.start, self.end))


def _bulk_query(text: str, kind: str, labels: tuple[str, ...], key_label: str, rel: str, start: str,
                end: str) -> BulkQuery:
    return BulkQuery(text, kind=kind, labels=labels, key_label=key_label, rel=rel, start=start, end=end)


def create_nodes_query(kind: Label | str, handles: NodeHandles | None = None) -> str:
    """CREATE nodes known not to exist yet (a bulk load's new entities); each row is the node's whole
    property map (``id``, ``name``, ``aliases``, ``sources``, ``updated_at`` …), see :func:`create_node_row`.

    Only for ids the caller has checked are absent: the uniqueness constraint
    refuses the whole batch otherwise. One ``SET n = row`` is several times
    cheaper for the engines than MERGE with change detection (FalkorDB's MERGE
    of many new nodes in one statement is quadratic). Returns ``created``,
    ``updated``, ``rows``. With ``handles``, a store that has node references
    of its own records the created nodes' there (see :class:`NodeHandles`).
    """
    names = tuple(cypher_label(x) for x in labels_of(kind))
    labels = "".join(f":{x}" for x in names)
    return BulkQuery(f"UNWIND $rows AS row CREATE (n{labels}) SET n = row "
                     "RETURN count(n) AS created, 0 AS updated, count(n) AS rows",
                     kind="nodes", labels=names, key_label=cypher_label(node_spec(kind).key_label),
                     handles=handles)


def create_node_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A :func:`merge_nodes_query` row as a :func:`create_nodes_query` row."""
    flat = row["props"]  # the row is spent: its map is reused, not copied
    flat["id"] = row["id"]
    flat["aliases"] = list(row.get("aliases") or [])
    flat["sources"] = list(row["sources"])
    flat["updated_at"] = row["now"]
    return flat


def create_edges_query(rel: RelType | str, start: Label | str, end: Label | str,
                       handles: NodeHandles | None = None) -> str:
    """CREATE edges known not to exist yet (an endpoint was created by this load); rows are
    ``{s, e, p}``: the endpoints' ids and the edge's whole property map, see :func:`create_edge_row`.
    ``handles``: where a store may find the endpoints' references (see :class:`NodeHandles`)."""
    spec = rel_spec(rel)
    a = cypher_label(node_spec(start).key_label)
    b = cypher_label(node_spec(end).key_label)
    t = cypher_rel(spec.type)
    return BulkQuery(
        "UNWIND $rows AS row "
        f"MATCH (a:{a} {{id: row.s}}) "
        f"MATCH (b:{b} {{id: row.e}}) "
        f"CREATE (a)-[r:{t}]->(b) SET r = row.p "
        "RETURN count(r) AS created, 0 AS updated, count(r) AS rows",
        kind="edges", rel=t, start=a, end=b, handles=handles)


def create_edge_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A :func:`merge_edges_query` row as a :func:`create_edges_query` row."""
    props = row["props"]  # the row is spent: its map is reused, not copied
    props["key"] = row["key"]
    props["sources"] = list(row["sources"])
    props["updated_at"] = row["now"]
    return {"s": row["start"], "e": row["end"], "p": props}


def edge_key(rel: RelType | str, props: Mapping[str, Any]) -> str:
    """The value that tells parallel edges of one type apart."""
    return "|".join("" if props.get(k) is None else str(props[k]) for k in rel_spec(rel).key)


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items()
            if v is not None and k not in ("id", "sources", "updated_at", "aliases")}


def _sources(source: str | Sequence[str] | None) -> list[str]:
    if source is None:
        return []
    return [source] if isinstance(source, str) else list(source)


def node_rows(kind: Label | str, records: Iterable[Mapping[str, Any]], *, source: str | Sequence[str] | None,
              now: str) -> list[dict[str, Any]]:
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
        rows.append({"id": obj.id, "props": props, "aliases": list(obj.aliases),
                     "sources": _sources(source), "replace": [], "now": now})
    return rows


def write_node_rows(store: GraphStore, kind: Label | str, rows: Sequence[Mapping[str, Any]], *,
                    batch_size: int = 5000) -> tuple[int, int]:
    """MERGE already shaped node rows, one transaction per batch. Returns (created, updated)."""
    query = merge_nodes_query(kind)
    created = updated = 0
    for batch in chunks(rows, batch_size):
        for rec in store.write_batch(query, batch):
            created += rec.get("created") or 0
            updated += rec.get("updated") or 0
    return created, updated


def write_edge_rows(store: GraphStore, rel: RelType | str, start: Label | str, end: Label | str,
                    rows: Sequence[Mapping[str, Any]], *, batch_size: int = 5000) -> tuple[int, int]:
    """MERGE already shaped edge rows, one transaction per batch. Returns (created, updated)."""
    query = merge_edges_query(rel, start, end)
    created = updated = 0
    for batch in chunks(rows, batch_size):
        for rec in store.write_batch(query, batch):
            created += rec.get("created") or 0
            updated += rec.get("updated") or 0
    return created, updated


def write_nodes(store: GraphStore, kind: Label | str, records: Sequence[Mapping[str, Any]], *,
                source: str | Sequence[str] | None = None, now: str, batch_size: int = 5000) -> int:
    """Validate and MERGE nodes, one transaction per batch. Returns the number of rows written."""
    rows = node_rows(kind, records, source=source, now=now)
    write_node_rows(store, kind, rows, batch_size=batch_size)
    return len(rows)


def write_edges(store: GraphStore, rel: RelType | str, start: Label | str, end: Label | str,
                records: Sequence[Mapping[str, Any]], *, source: str | Sequence[str] | None = None, now: str,
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
            "props": clean, "sources": _sources(source), "replace": [], "now": now,
        })
    write_edge_rows(store, rel, start, end, rows, batch_size=batch_size)
    return len(rows)
