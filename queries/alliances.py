"""``alliances`` (产学研 alliances and their members) and ``triads`` (university–institute–enterprise)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph.errors import InputError
from graph.store import GraphStore
from queries import cypher, params
from queries.models import AllianceSummary, Alliances, Bond, Node, Triad, Triads
from queries.search import region_scope

MEMBER_KINDS = ("University", "Institute", "Enterprise")
#: bond rows one triad search reads at most (per kind of bond)
ROW_CAP = 100_000


def industry_scope(store: GraphStore, industry: str | None) -> list[str] | None:
    """The ids of ``industry`` and every industry below it; None for no industry."""
    if industry is None:
        return None
    rows = cypher.run(store, "industry_scope", {"industry": industry})
    if not rows:
        raise InputError(f"parameter 'industry': no Industry with id {industry!r}")
    return [rows[0]["id"], *sorted(x for x in rows[0]["below"] if x)]


def _kind(node: Node) -> str:
    for kind in MEMBER_KINDS:
        if kind in node.labels:
            return kind
    return "Other"


def alliances(store: GraphStore, *, industry: Any = None, region: Any = None, members: Any = 50,
              limit: Any = 20, offset: Any = 0) -> Alliances:
    """产学研 alliances with their members grouped by kind (University, Institute, Enterprise, Other).

    ``industry``: only alliances with a member in that industry (or below it);
    ``region``: only alliances located in, or with a member in, that region (or below).
    ``members`` caps the members listed per kind (``member_count`` is always full).
    """
    industries = industry_scope(store, params.text("industry", industry, required=False))
    regions = region_scope(store, params.text("region", region, required=False))
    cap = params.integer("members", members, lo=0, hi=params.MAX_LIMIT, default=50)
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=20)
    offset_ = params.integer("offset", offset, lo=0, hi=100_000, default=0)
    rows = cypher.run(store, "alliances", {"industries": industries, "regions": regions,
                                           "limit": limit_, "offset": offset_})
    items = []
    total = rows[0]["total"] if rows else 0
    for row in rows[0]["page"] if rows else []:
        by_kind: dict[str, list[Node]] = {k: [] for k in (*MEMBER_KINDS, "Other")}
        leads = []
        member_nodes = sorted(((Node.of(x["m"]), x["role"]) for x in row["members"]), key=lambda nr: nr[0].id)
        for node, role in member_nodes:
            by_kind[_kind(node)].append(node)
            if role == "lead":
                leads.append(node.id)
        items.append(AllianceSummary(
            alliance=Node.of(row["alliance"]), member_count=len({n.id for n, _ in member_nodes}),
            members_by_kind={k: list({n.id: n for n in v}.values())[:cap] for k, v in by_kind.items()},
            leads=sorted(set(leads)),
        ))
    return Alliances(items=items, total=total, limit=limit_, offset=offset_)


def triads(store: GraphStore, *, industry: Any = None, region: Any = None, limit: Any = 50) -> Triads:
    """University–institute–enterprise triads: each pair bound by a shared alliance,
    a collaboration, or a transfer (developer → adopting enterprise).

    ``industry`` / ``region`` filter the enterprise (its IN_INDUSTRY industry, or
    one below; its region, or one below). Sorted by enterprise, university, institute.
    """
    industries = industry_scope(store, params.text("industry", industry, required=False))
    regions = region_scope(store, params.text("region", region, required=False))
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=50)
    truncated = False
    partner_bonds: dict[str, dict[str, list[Bond]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, str] = {}
    rows = cypher.run(store, "triad_enterprise_bonds", {"regions": regions, "industries": industries,
                                                          "row_cap": ROW_CAP})
    truncated = len(rows) >= ROW_CAP
    for row in rows:
        kinds[row["partner"]] = row["kind"]
        bond = Bond(between=(row["partner"], row["enterprise"]), via=row["via"], detail=row["detail"])
        partner_bonds[row["enterprise"]][row["partner"]].append(bond)
    universities = sorted(p for p, k in kinds.items() if k == "University")
    institutes = sorted(p for p, k in kinds.items() if k == "Institute")
    ui: dict[tuple[str, str], list[Bond]] = defaultdict(list)
    if universities and institutes:
        rows = cypher.run(store, "triad_partner_bonds", {"universities": universities, "institutes": institutes,
                                                          "row_cap": ROW_CAP})
        truncated = truncated or len(rows) >= ROW_CAP
        for row in rows:
            ui[(row["university"], row["institute"])].append(
                Bond(between=(row["university"], row["institute"]), via=row["via"], detail=row["detail"]))
    found: list[tuple[str, str, str, list[Bond]]] = []
    for ent in sorted(partner_bonds):
        partners = partner_bonds[ent]
        us = sorted(p for p in partners if kinds[p] == "University")
        ins = sorted(p for p in partners if kinds[p] == "Institute")
        for u in us:
            for i in ins:
                if (u, i) in ui:
                    bonds = _dedupe(partners[u] + partners[i] + ui[(u, i)])
                    found.append((ent, u, i, bonds))
    if len(found) > limit_:
        truncated, found = True, found[:limit_]
    ids = sorted({x for ent, u, i, _ in found for x in (ent, u, i)})
    nodes = {r["n"].id: Node.of(r["n"]) for r in cypher.run(store, "nodes_by_id", {"ids": ids})} if ids else {}
    items = [Triad(university=nodes[u], institute=nodes[i], enterprise=nodes[e], bonds=bonds)
             for e, u, i, bonds in found]
    return Triads(items=items, truncated=truncated, limit=limit_)


def _dedupe(bonds: list[Bond]) -> list[Bond]:
    seen = {}
    for b in bonds:
        seen.setdefault((b.between, b.via, b.detail or ""), b)
    return [seen[k] for k in sorted(seen)]
