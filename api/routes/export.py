"""Exports of the whole graph or of one query's subgraph: GraphML, CSV (zip or two files), JSONL.

Whole-graph exports are streamed from paged reads (nodes by id under each key
label, then edges by pages of start nodes): nothing is built in memory. The
pages are read one after another, not from one snapshot: a graph that changes
during the export can yield an edge whose end node was written after its page.
"""

from __future__ import annotations

import itertools
import logging
from typing import Annotated, Any, Callable, Iterator, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api import exporters, problems
from api.deps import ReadAccess, StoreDep
from api.graph_reads import iter_edges, iter_nodes, property_keys
from api.subgraphs import SUBGRAPHS, SubgraphParams
from graph.schema import RelType
from graph.store import GraphStore

log = logging.getLogger("innograph.api")

router = APIRouter(prefix="/api/export", tags=["export"], dependencies=[ReadAccess])

QueryName = Literal[tuple(SUBGRAPHS)]  # type: ignore[valid-type]

FORMATS: dict[str, tuple[str, str]] = {
    # name: (media type, file suffix)
    "graphml": ("application/graphml+xml", "graphml"),
    "jsonl": ("application/x-ndjson", "jsonl"),
    "csv": ("application/zip", "zip"),
    "nodes.csv": ("text/csv; charset=utf-8", "nodes.csv"),
    "edges.csv": ("text/csv; charset=utf-8", "edges.csv"),
}


def _primed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Read the first chunk now, so an unreachable engine is a 503 before any byte is sent."""
    it = iter(chunks)
    try:
        first = next(it)
    except StopIteration:
        return iter(())

    def rest() -> Iterator[bytes]:
        try:
            yield from it
        except Exception:
            # the response has started: the client sees a cut-off file; the server log says why
            log.exception("export stream failed after it started")
            raise

    return itertools.chain([first], rest())


def _export(store: GraphStore, fmt: str, params: SubgraphParams, query: str | None) -> StreamingResponse:
    if query:
        nodes_list, edges_list = SUBGRAPHS[query](store, params)
        node_keys = sorted({k for n in nodes_list for k in n.properties})
        edge_keys = sorted({k for e in edges_list for k in e.properties})
        nodes: Any = [nodes_list]
        edges: Any = [edges_list]
        stem = f"innograph-{query}"
    else:
        node_keys, edge_keys = property_keys(store)
        nodes, edges = iter_nodes(store), iter_edges(store)
        stem = "innograph"
    if fmt == "graphml":
        chunks = exporters.graphml(nodes, edges, node_keys=node_keys, edge_keys=edge_keys, graph_id=stem)
    elif fmt == "jsonl":
        chunks = exporters.jsonl(nodes, edges)
    elif fmt == "csv":
        chunks = exporters.csv_zip(nodes, edges, node_keys=node_keys, edge_keys=edge_keys, prefix=stem)
    elif fmt == "nodes.csv":
        chunks = exporters.nodes_csv(nodes, node_keys)
    else:
        chunks = exporters.edges_csv(edges, edge_keys)
    media_type, suffix = FORMATS[fmt]
    filename = f"{stem}.{suffix}"
    return StreamingResponse(_primed(chunks), media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _route(fmt: str, summary: str, doc: str) -> Callable[..., StreamingResponse]:
    media_type = FORMATS[fmt][0].split(";")[0]

    @router.get(f"/{fmt}", summary=summary, response_class=StreamingResponse,
                responses={200: {"description": doc, "content": {media_type: {"schema": {"type": "string"}}}},
                           **problems.responses(401, 404, 422, 503, 504)},
                operation_id=f"export_{fmt.replace('.', '_')}")
    def export(
        store: StoreDep,
        query: Annotated[QueryName | None, Query(description="export this query's subgraph instead of the "
                                                             "whole graph")] = None,
        id: Annotated[str | None, Query(min_length=1, max_length=200, description="neighbourhood: the centre's id",
                                        examples=["org:hit"])] = None,
        hops: Annotated[int, Query(ge=1, le=3, description="neighbourhood: hops from the centre")] = 1,
        source: Annotated[str | None, Query(min_length=1, max_length=200, description="paths: first id")] = None,
        target: Annotated[str | None, Query(min_length=1, max_length=200, description="paths: second id")] = None,
        max_hops: Annotated[int, Query(ge=1, le=6, description="paths: longest path walked")] = 6,
        type: Annotated[list[RelType] | None, Query(description="only these relationship types")] = None,
        year_from: Annotated[int | None, Query(ge=1949, le=2100)] = None,
        year_to: Annotated[int | None, Query(ge=1949, le=2100)] = None,
        limit: Annotated[int | None, Query(ge=1, le=1000, description="neighbourhood: node cap; paths: at most "
                                                                      "this many paths")] = None,
    ) -> StreamingResponse:
        params = SubgraphParams(id=id, hops=hops, source=source, target=target, max_hops=max_hops,
                                types=[t.value for t in type] if type else None, year_from=year_from,
                                year_to=year_to, limit=limit)
        return problems.unknown_id_is_404(lambda: _export(store, fmt, params, query))

    export.__doc__ = doc
    return export


export_graphml = _route("graphml", "导出 GraphML Export as GraphML (Gephi, yEd)",
                        "GraphML with typed `<key>` declarations (lists as `|`-joined strings); opens in Gephi "
                        "and yEd and reloads with networkx.read_graphml.")
export_jsonl = _route("jsonl", "导出 JSONL Export as JSON Lines",
                      "One JSON object per line: nodes (`\"element\": \"node\"`, the ApiNode shape) first, then "
                      "edges (`\"element\": \"edge\"`, the ApiEdge shape).")
export_csv = _route("csv", "导出 CSV Export as CSV node and edge files (zip)",
                    "A zip with `<name>-nodes.csv` and `<name>-edges.csv` (UTF-8 with BOM; lists `|`-joined).")
export_nodes_csv = _route("nodes.csv", "导出节点 CSV Export the node file",
                          "id, kind, labels, name, every other property, sources (UTF-8 with BOM).")
export_edges_csv = _route("edges.csv", "导出关系 CSV Export the edge file",
                          "start, end, type, key, every other property, sources (UTF-8 with BOM).")
