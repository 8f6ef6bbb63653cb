"""Streamed exports: GraphML (Gephi, yEd), CSV node and edge files (one zip), JSONL.

Each writer consumes pages of nodes and edges (from paged reads of the whole
graph, or from one query's subgraph) and yields bytes as it goes, so an export
of a large graph never sits in memory.

Conventions shared by the formats:
- every node has ``id``, ``kind`` (its most specific label), ``labels`` and ``name``;
  every edge has ``source``/``start``, ``target``/``end``, ``type`` and ``key``;
- lists (``aliases``, ``sources``, ``labels``) are written as ``|``-joined strings in
  GraphML and CSV (the same convention as the ingestion layouts); JSONL keeps real lists;
- CSV files are UTF-8 with a byte-order mark, so Excel opens Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Any, Callable, Iterable, Iterator, Literal, get_args, get_origin

from graph.schema import NODE_SPECS, REL_SPECS
from graph.search_keys import DERIVED_PROPERTIES
from graph.store import EdgeValue, NodeValue

from api.models import ApiEdge, ApiNode, primary_label

NodePages = Iterable[list[NodeValue]]
EdgePages = Iterable[list[EdgeValue]]
GraphMLType = Literal["boolean", "int", "long", "float", "double", "string"]

LIST_SEPARATOR = "|"
# XML 1.0 forbids most control characters even when escaped
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --------------------------------------------------------------------------- property types


def _graphml_type(annotation: Any) -> GraphMLType:
    args = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    base = args[0]
    if get_origin(base) is Literal:
        lits = get_args(base)
        base = type(lits[0]) if lits else str
    if base is bool:
        return "boolean"
    if base is int:
        return "long"
    if base is float:
        return "double"
    return "string"


def _schema_types(models: Iterable[type]) -> dict[str, GraphMLType]:
    types: dict[str, GraphMLType] = {}
    for model in models:
        for name, fld in model.model_fields.items():  # type: ignore[attr-defined]
            t = _graphml_type(fld.annotation)
            # one name, two types in two models → string, which holds both
            types[name] = t if types.get(name, t) == t else "string"
    return types


NODE_TYPES = _schema_types(spec.model for spec in NODE_SPECS.values())
EDGE_TYPES = _schema_types(spec.model for spec in REL_SPECS.values())

# attributes every exported node / edge carries besides its properties
NODE_FIXED = ("kind", "labels", "label", "name")
EDGE_FIXED = ("type", "label", "key")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _typed(value: Any, kind: GraphMLType) -> str | None:
    """The value as GraphML text of type ``kind``; None when it does not fit (the attribute is left out)."""
    if value is None:
        return None
    if kind == "boolean":
        return ("true" if value else "false") if isinstance(value, bool) else None
    if kind == "long":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
            return None
        return str(int(value))
    if kind == "double":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return repr(float(value))
    return _text(value)


def _xml(text: str) -> str:
    text = _XML_ILLEGAL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _node_fields(node: NodeValue) -> dict[str, Any]:
    labels = sorted(node.labels)
    # derived search keys are an index aid, not facts
    props = {k: v for k, v in node.properties.items() if k not in DERIVED_PROPERTIES}
    return {"kind": primary_label(labels), "labels": labels, "label": props.get("name"), **props}


def _edge_fields(edge: EdgeValue) -> dict[str, Any]:
    return {"type": edge.type, "label": edge.type, **edge.properties}


# --------------------------------------------------------------------------- GraphML


def graphml(nodes: NodePages, edges: EdgePages, *, node_keys: Iterable[str], edge_keys: Iterable[str],
            graph_id: str = "innograph") -> Iterator[bytes]:
    """GraphML with one ``<key>`` per attribute (typed from the schema; unknown ones as strings)."""
    node_attrs = list(dict.fromkeys([*NODE_FIXED, *(k for k in node_keys if k not in ("id", *DERIVED_PROPERTIES))]))
    edge_attrs = list(dict.fromkeys([*EDGE_FIXED, *edge_keys]))
    node_types = {k: ("string" if k in ("kind", "labels", "label") else NODE_TYPES.get(k, "string"))
                  for k in node_attrs}
    edge_types = {k: ("string" if k in ("type", "label", "key") else EDGE_TYPES.get(k, "string"))
                  for k in edge_attrs}
    node_ids = {k: f"n{i}" for i, k in enumerate(node_attrs)}
    edge_ids = {k: f"e{i}" for i, k in enumerate(edge_attrs)}
    head = ['<?xml version="1.0" encoding="UTF-8"?>\n',
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n']
    for k in node_attrs:
        head.append(f'  <key id="{node_ids[k]}" for="node" attr.name="{_xml(k)}" attr.type="{node_types[k]}"/>\n')
    for k in edge_attrs:
        head.append(f'  <key id="{edge_ids[k]}" for="edge" attr.name="{_xml(k)}" attr.type="{edge_types[k]}"/>\n')
    head.append(f'  <graph id="{_xml(graph_id)}" edgedefault="directed">\n')
    yield "".join(head).encode()
    for page in nodes:
        out = []
        for node in page:
            fields = _node_fields(node)
            out.append(f'    <node id="{_xml(str(node.id))}">')
            for k in node_attrs:
                text = _typed(fields.get(k), node_types[k])
                if text is not None:
                    out.append(f'<data key="{node_ids[k]}">{_xml(text)}</data>')
            out.append("</node>\n")
        yield "".join(out).encode()
    n = 0
    for page in edges:
        out = []
        for edge in page:
            fields = _edge_fields(edge)
            out.append(f'    <edge id="e{n}" source="{_xml(str(edge.start))}" target="{_xml(str(edge.end))}">')
            n += 1
            for k in edge_attrs:
                text = _typed(fields.get(k), edge_types[k])
                if text is not None:
                    out.append(f'<data key="{edge_ids[k]}">{_xml(text)}</data>')
            out.append("</edge>\n")
        yield "".join(out).encode()
    yield b"  </graph>\n</graphml>\n"


# --------------------------------------------------------------------------- JSONL


def jsonl(nodes: NodePages, edges: EdgePages) -> Iterator[bytes]:
    """One JSON object per line: nodes first (``"element": "node"``), then edges (``"element": "edge"``)."""
    for page in nodes:
        yield "".join(json.dumps({"element": "node", **ApiNode.of(n).model_dump(mode="json")}, ensure_ascii=False)
                      + "\n" for n in page).encode()
    for page in edges:
        yield "".join(json.dumps({"element": "edge", **ApiEdge.of(e).model_dump(mode="json")}, ensure_ascii=False)
                      + "\n" for e in page).encode()


# --------------------------------------------------------------------------- CSV


def _csv_columns(fixed: tuple[str, ...], keys: Iterable[str], drop: tuple[str, ...]) -> list[str]:
    rest = sorted(k for k in keys if k not in fixed and k not in drop and k != "sources")
    return [*fixed, *rest, "sources"]


NODE_CSV_FIXED = ("id", "kind", "labels", "name")
EDGE_CSV_FIXED = ("start", "end", "type", "key")


def _csv_rows(columns: list[str], pages: Iterable[list[Any]], fields: Callable[[Any], dict[str, Any]],
              *, bom: bool) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    yield (("\ufeff" if bom else "") + buf.getvalue()).encode()
    for page in pages:
        buf.seek(0)
        buf.truncate()
        for item in page:
            f = fields(item)
            writer.writerow([_text(f.get(c)) for c in columns])
        yield buf.getvalue().encode()


def nodes_csv(nodes: NodePages, node_keys: Iterable[str], *, bom: bool = True) -> Iterator[bytes]:
    """The node file: id, kind, labels, name, every other property, sources."""
    columns = _csv_columns(NODE_CSV_FIXED, node_keys, DERIVED_PROPERTIES)
    return _csv_rows(columns, nodes, lambda n: {**_node_fields(n), "id": n.id}, bom=bom)


def edges_csv(edges: EdgePages, edge_keys: Iterable[str], *, bom: bool = True) -> Iterator[bytes]:
    """The edge file: start id, end id, type, key, every other property, sources."""
    columns = _csv_columns(EDGE_CSV_FIXED, edge_keys, ())
    return _csv_rows(columns, edges, lambda e: {**_edge_fields(e), "start": e.start, "end": e.end}, bom=bom)


class _Sink(io.RawIOBase):
    """A write-only, unseekable file whose bytes are collected and handed out chunk by chunk."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        b = bytes(data)
        self._chunks.append(b)
        self._pos += len(b)
        return len(b)

    def tell(self) -> int:
        return self._pos

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def csv_zip(nodes: NodePages, edges: EdgePages, *, node_keys: Iterable[str], edge_keys: Iterable[str],
            prefix: str = "innograph") -> Iterator[bytes]:
    """``nodes.csv`` and ``edges.csv`` in one zip archive, compressed while streaming."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, parts in ((f"{prefix}-nodes.csv", nodes_csv(nodes, node_keys)),
                            (f"{prefix}-edges.csv", edges_csv(edges, edge_keys))):
            with zf.open(name, mode="w", force_zip64=True) as member:
                for part in parts:
                    member.write(part)
                    chunk = sink.drain()
                    if chunk:
                        yield chunk
    tail = sink.drain()
    if tail:
        yield tail
