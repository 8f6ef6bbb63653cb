"""Analysis pages: path finder, industry chain, clusters, alliances.

Each page reads through the query layer (``queries/``) and shows the result as
tables a reader can scan and, where it helps, as a network view.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.pages import reads
from api.pages.present import edge_facts, kind_of, rel_zh
from api.pages.render import int_param, page_errors, render
from api.pages.routes import StoreDep, _types_param, router
from api.pages.views import (
    GAP_REASON_ZH,
    GAP_ZH,
    alliances_data,
    alliances_view,
    chain_data,
    chain_view,
    clusters_data,
    clusters_view,
    paths_view,
)
from api.viz import KIND_STYLES, render_fragment
from graph.schema import RelType

#: Relationship types offered by the path finder (the query layer's default set first).
PATH_TYPES: tuple[RelType, ...] = (
    RelType.COLLABORATES_WITH, RelType.MEMBER_OF, RelType.DEVELOPED, RelType.TRANSFERRED_TO,
    RelType.SPUN_OFF_FROM, RelType.INVESTED_IN, RelType.HOSTS, RelType.INCUBATED, RelType.OPERATES,
)
MAX_PATH_HOPS = 6


def _hop_view(hop: Any, names: dict[str, str]) -> dict[str, Any]:
    """One hop as a sentence: who does what to whom, with year, details and sources."""
    forward = hop.direction == "forward"
    subject, obj = (hop.from_, hop.to) if forward else (hop.to, hop.from_)
    return {"subject": subject, "subject_name": names.get(subject, subject), "object": obj,
            "object_name": names.get(obj, obj), "rel": rel_zh(hop.type), "type": hop.type,
            "facts": edge_facts({**hop.properties, "year": hop.year}), "sources": hop.sources}


@router.get("/paths", response_class=HTMLResponse)
@page_errors
def paths_page(request: Request, store: StoreDep,
               source: Annotated[str, Query(alias="from", max_length=200)] = "",
               target: Annotated[str, Query(alias="to", max_length=200)] = "",
               hops: str | None = None,
               types: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default
               ) -> HTMLResponse:
    """How one organisation reaches another: the shortest paths, each hop explained, and as a network."""
    max_hops = int_param(hops, "hops", 4, 1, MAX_PATH_HOPS)
    chosen = _types_param(types)
    ctx: dict[str, Any] = {"source_text": source, "target_text": target, "hops": max_hops,
                           "max_hops": MAX_PATH_HOPS, "chosen": [t.value for t in chosen],
                           "path_types": [(t.value, rel_zh(t.value)) for t in PATH_TYPES],
                           "result": None, "paths": [], "network": None, "choices": {}}
    if source.strip() and target.strip():
        a, a_choices = reads.resolve(store, source, scope=reads.ORG_SCOPE)
        b, b_choices = reads.resolve(store, target, scope=reads.ORG_SCOPE)
        if a is None or b is None:
            ctx["choices"] = {"from": a_choices if a is None else [], "to": b_choices if b is None else []}
            ctx["unresolved"] = {"from": a is None, "to": b is None}
        else:
            result, view = paths_view(store, a.id, b.id, hops=max_hops, types=chosen)
            names = {n.id: n.name or n.id for p in result.paths for n in p.nodes}
            ctx["result"] = result
            ctx["source_node"], ctx["target_node"] = a, b
            ctx["paths"] = [{"length": p.length, "nodes": [{"id": n.id, "name": n.name, "kind": kind_of(n)}
                                                           for n in p.nodes],
                             "hops": [_hop_view(h, names) for h in p.hops]} for p in result.paths]
            if view is not None:
                ctx["network"] = render_fragment(view, height="460px")
    return render(request, "pages/paths.html", active="/paths", **ctx)


@router.get("/chain", response_class=HTMLResponse)
@page_errors
def chain_page(request: Request, store: StoreDep, industry: str = Query("", max_length=200),
               region: str = Query("", max_length=200)) -> HTMLResponse:
    """An industry's chain from upstream to downstream, the local organisations at each link, gaps marked."""
    options = reads.chain_industries(store)
    chosen = industry.strip() or (options[0]["id"] if options else "")
    ctx: dict[str, Any] = {"industries": options, "regions": reads.regions(store), "industry": chosen,
                           "region": region.strip(), "chain": None, "stages": [], "gaps": {}, "network": None,
                           "gap_zh": GAP_ZH, "gap_reason_zh": GAP_REASON_ZH}
    if chosen:
        chain, gaps = chain_data(store, chosen, region=region.strip() or None)
        stages: dict[int, list[Any]] = {}
        for seg in chain.segments:
            stages.setdefault(seg.stage, []).append(seg)
        view, _, _ = chain_view(store, chosen, chain=chain, gaps=gaps)
        ctx.update(chain=chain, gaps=gaps, stages=[stages[k] for k in sorted(stages)],
                   gap_count=sum(len(v) for v in gaps.values()), network=render_fragment(view, height="480px"))
    return render(request, "pages/chain.html", active="/chain", **ctx)


@router.get("/alliances", response_class=HTMLResponse)
@page_errors
def alliances_page(request: Request, store: StoreDep, industry: str = Query("", max_length=200),
                   region: str = Query("", max_length=200)) -> HTMLResponse:
    """产学研 alliances with their members by kind, and university–institute–enterprise triads."""
    data = alliances_data(store, industry=industry.strip() or None, region=region.strip() or None)
    result, triads = data
    view, _, _ = alliances_view(store, data=data)
    return render(request, "pages/alliances.html", active="/alliances", industries=reads.industries(store),
                  regions=reads.regions(store), industry=industry.strip(), region=region.strip(),
                  result=result, triads=triads, kind_zh=MEMBER_KIND_ZH,
                  network=render_fragment(view, height="460px") if result.items else None)


MEMBER_KIND_ZH = {"University": "高校", "Institute": "院所", "Enterprise": "企业", "Other": "其他"}


@router.get("/clusters", response_class=HTMLResponse)
@page_errors
def clusters_page(request: Request, store: StoreDep, resolution: str | None = None,
                  brokers: str | None = None) -> HTMLResponse:
    """Collaboration communities, coloured, with each one's industries, regions and top members.

    Brokers (betweenness centrality) cost seconds on a large network, so they are
    computed only when asked for (``?brokers=1``).
    """
    from api.viz import CLUSTER_COLORS
    from queries.analytics import brokers as find_brokers

    res = _resolution(resolution)
    want_brokers = brokers not in (None, "", "0")
    result = clusters_data(store, resolution=res)
    view, _, subtitle = clusters_view(store, result=result)
    names = reads.names_of(store, [r for c in result.clusters for r, _ in c.regions])
    colours = {c.rank: CLUSTER_COLORS[i % len(CLUSTER_COLORS)] for i, c in enumerate(result.clusters)}
    return render(request, "pages/clusters.html", active="/clusters", result=result, colours=colours,
                  region_names=names, subtitle=subtitle, resolution=res,
                  brokers=find_brokers(store, limit=10) if want_brokers else None,
                  kind_zh={k: v.zh for k, v in KIND_STYLES.items()},
                  network=render_fragment(view, height="560px") if result.clusters else None)


def _resolution(value: str | None) -> float:
    from graph.errors import InputError

    if value in (None, ""):
        return 1.0
    try:
        res = float(value)
    except ValueError:
        raise InputError(f"参数 resolution 应为数字 (resolution must be a number), got {value!r}") from None
    if not 0.1 <= res <= 10:
        raise InputError(f"参数 resolution 应在 0.1 到 10 之间 (between 0.1 and 10), got {res}")
    return res
