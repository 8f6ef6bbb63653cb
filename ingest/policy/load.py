"""Loading a plan into the graph: the policy layer of DESIGN.md, idempotent and all-or-nothing.

``load_policy(store, path)`` reads and analyses the text (nothing is written
when that fails), resolves every name against the graph, builds and validates
every row, and only then writes: agencies, industries and organisations first,
then targets and tasks with their edges, and the ``Policy`` node and its edges
last. A document is complete when its ``Policy`` node exists:

* before writing, tasks and targets left by an earlier load that never reached
  its ``Policy`` node (a crash) are removed;
* if a write fails, everything of the document is removed again (its tasks,
  targets, the Policy node, and the agencies, industries and organisations this
  load created), so no half-written plan stays in the graph;
* after a successful load, tasks, targets and edges an earlier version of the
  same plan had but this one no longer has are removed.

Every fact carries its provenance: ``sources`` holds the file, and the edges
that quote the text (``LEADS``, ``SUPPORTS``, ``SETS``, ``FOCUSES_ON``,
``MENTIONS``) hold the quoted ``span`` and its ``start``/``end`` character
offsets in the decoded file text.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel

from graph.errors import InnographError, InputError, StoreError
from graph.schema import Label, RelType, cypher_label, cypher_rel, node_spec, rel_spec
from graph.search_keys import normalise
from graph.store import GraphStore, chunks
from graph.writes import edge_key, node_rows, write_edge_rows, write_node_rows
from ingest.policy.departments import Context, department_key
from ingest.policy.model import PolicyAnalysis
from ingest.policy.pipeline import Gazetteer, GazetteerEntry, analyse, build_pipeline
from ingest.policy.text import read_policy_text

log = logging.getLogger(__name__)

#: The shipped sample plans (the reference action plan), loaded by the demo.
SAMPLE_POLICY_DIR = Path(__file__).resolve().parent.parent / "sample" / "policy"

_ORG_LABELS = {"University": Label.UNIVERSITY, "Institute": Label.INSTITUTE, "Enterprise": Label.ENTERPRISE,
               "Agency": Label.AGENCY, "Platform": Label.PLATFORM, "Base": Label.BASE, "Fund": Label.FUND,
               "Alliance": Label.ALLIANCE}
_ID_PREFIX = {Label.UNIVERSITY: "org", Label.INSTITUTE: "org", Label.ENTERPRISE: "org", Label.AGENCY: "org",
              Label.PLATFORM: "platform", Label.BASE: "base", Label.FUND: "fund", Label.ALLIANCE: "alliance"}
_NAMED_KEY_LABELS = (Label.ORGANIZATION, Label.PLATFORM, Label.BASE, Label.FUND, Label.ALLIANCE)


class PolicyReport(BaseModel):
    """What one load did."""

    source: str
    policy_id: str
    title: str
    tasks: int
    targets: int
    departments: int
    industries: int
    organizations: int
    agencies_linked: int
    agencies_created: int
    industries_linked: int
    industries_created: int
    organizations_linked: int
    organizations_created: int
    edges: dict[str, int]
    created: int
    updated: int
    removed: int

    @property
    def unchanged(self) -> bool:
        return self.created == 0 and self.updated == 0 and self.removed == 0


# --------------------------------------------------------------------------- what the graph knows


@dataclass
class GraphIndex:
    """Names the graph already has, for linking: organisations, agencies, industries, regions."""

    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    #: normalised name or alias → (id, kind) of organisations (agencies excluded)
    org_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: (id, name, aliases, region name) of agencies
    agencies: list[tuple[str, str, list[str], str | None]] = field(default_factory=list)
    #: normalised name or alias → id of industries
    industries: dict[str, str] = field(default_factory=dict)
    #: region name or alias → (id, name, level, parent name)
    regions: dict[str, tuple[str, str, str | None, str | None]] = field(default_factory=dict)
    existing_ids: set[str] = field(default_factory=set)


#: nodes whose names one statement reads (a whole label at 1M nodes ran past Neo4j's time limit)
NAME_PAGE = 20_000


def _named(store: GraphStore, lbl: Label) -> Iterator[dict[str, Any]]:
    """id, name, aliases, labels and region of every node of ``lbl``: the ids first, then the rest
    by id through the unique index, :data:`NAME_PAGE` nodes a statement, so no statement is
    bounded by the size of the graph's largest label."""
    ids = [r["id"] for r in store.read(f"MATCH (n:{cypher_label(lbl)}) RETURN n.id AS id")]
    for page in chunks(ids, NAME_PAGE):
        yield from store.read(f"UNWIND $ids AS id MATCH (n:{cypher_label(lbl)} {{id: id}}) RETURN n.id AS id, "
                              "n.name AS name, n.aliases AS aliases, labels(n) AS labels, n.region AS region",
                              {"ids": page})


def gazetteer_from_store(store: GraphStore) -> GraphIndex:
    """Read the names and aliases of the graph's organisations, industries and regions."""
    index = GraphIndex()
    entries: list[GazetteerEntry] = []
    region_rows = store.read(
        f"MATCH (n:{cypher_label(Label.REGION)}) "
        f"OPTIONAL MATCH (n)-[:{cypher_rel(RelType.PART_OF)}]->(p:{cypher_label(Label.REGION)}) "
        "RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.level AS level, p.name AS parent"
    )
    for r in region_rows:
        for nm in [r["name"], *(r["aliases"] or [])]:
            if nm:
                index.regions.setdefault(nm, (r["id"], r["name"], r["level"], r["parent"]))
    region_by_id = {r["id"]: r["name"] for r in region_rows}
    for lbl in _NAMED_KEY_LABELS:
        for r in _named(store, lbl):
            labels = set(r["labels"])
            kind = next((k for k in ("University", "Institute", "Enterprise", "Agency", "Platform", "Base", "Fund",
                                     "Alliance") if k in labels), None)
            if kind is None:
                continue
            names = [r["name"], *(r["aliases"] or [])]
            if kind == "Agency":
                index.agencies.append((r["id"], r["name"], list(r["aliases"] or []), region_by_id.get(r["region"])))
            for nm in names:
                if not nm:
                    continue
                entries.append(GazetteerEntry(nm, r["id"], kind))
                if kind != "Agency":
                    index.org_names.setdefault(normalise(nm), (r["id"], kind))
    for r in store.read(f"MATCH (n:{cypher_label(Label.INDUSTRY)}) RETURN n.id AS id, n.name AS name, "
                        "n.aliases AS aliases"):
        for nm in [r["name"], *(r["aliases"] or [])]:
            if nm:
                index.industries.setdefault(normalise(nm), r["id"])
    index.gazetteer = Gazetteer(organizations=entries, places=tuple(index.regions))
    return index


def _region_context(region: str | None, index: GraphIndex) -> Context:
    if not region:
        return Context(None, None)
    info = index.regions.get(region)
    level = info[2] if info else None
    if level == "city":
        return Context(info[3] if info else None, region)
    return Context(region, None)


def _agency_keys(index: GraphIndex) -> dict[str, tuple[str, str, list[str]]]:
    """key → (id, name, aliases) of the graph's agencies; bare 省/市 aliases are read in the agency's own region."""
    keys: dict[str, tuple[str, str, list[str]]] = {}
    for node_id, name, aliases, region in index.agencies:
        ctx = _region_context(region, index)
        for nm in [name, *aliases]:
            key, _ = department_key(nm, ctx)
            if re.match(r"^[省市]", key):
                continue  # a bare prefix with no known region resolves nothing
            keys.setdefault(key, (node_id, name, aliases))
    return keys


# --------------------------------------------------------------------------- extraction


def extract_policy(path: str | Path, *, store: GraphStore | None = None) -> PolicyAnalysis:
    """Read and analyse a policy text; with a store, its organisations and regions feed the gazetteer."""
    pt = read_policy_text(path)
    index = gazetteer_from_store(store) if store is not None else None
    analysis = analyse(pt, build_pipeline(index.gazetteer if index else None))
    if index is not None:
        _complete_context(analysis, index)
    return analysis


def _complete_context(analysis: PolicyAnalysis, index: GraphIndex) -> None:
    """A city plan's province comes from the graph's region tree when the text does not say it."""
    meta = analysis.meta
    if meta is not None and meta.city and not meta.province:
        info = index.regions.get(meta.city)
        if info and info[3]:
            meta.province = info[3]


# --------------------------------------------------------------------------- loading


def _short_id(text: str, limit: int = 80) -> str:
    key = normalise(text)
    if len(key) <= limit:
        return key
    return key[:limit - 9] + "~" + hashlib.sha1(key.encode()).hexdigest()[:8]


def _policy_id(analysis: PolicyAnalysis) -> str:
    meta = analysis.meta
    title = meta.title if meta else analysis.source
    suffix = f":{meta.date}" if meta and meta.date else ""
    return f"policy:{_short_id(title)}{suffix}"


@dataclass
class _Plan:
    """Every row of one document, built and validated before anything is written."""

    nodes: dict[Label, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    edges: dict[tuple[RelType, Label, Label], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    policy_edges: dict[tuple[RelType, Label, Label], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list))
    owned_new_ids: set[str] = field(default_factory=set)   # shared nodes (agency, industry, org) created by this load
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _edge_row(rel: RelType, start: str, end: str, props: dict[str, Any], source: str, now: str) -> dict[str, Any]:
    spec = rel_spec(rel)
    try:
        model = spec.model.model_validate(props)
    except Exception as exc:  # pydantic.ValidationError
        raise InputError(f"{source}: invalid {rel.value} {start!r}->{end!r}: {exc}") from None
    clean = {k: v for k, v in model.model_dump().items() if v is not None and k not in ("sources", "updated_at")}
    return {"start": start, "end": end, "key": edge_key(rel, clean), "props": clean, "sources": [source],
            "replace": [], "now": now}


def _mention_props(text: str, start: int, end: int) -> dict[str, Any]:
    return {"span": text, "start": start, "end": end}


def _build(analysis: PolicyAnalysis, index: GraphIndex, source: str, now: str) -> tuple[str, _Plan]:
    meta = analysis.meta
    pid = _policy_id(analysis)
    plan = _Plan()
    ctx = Context(meta.province if meta else None, meta.city if meta else None)
    node_records: dict[Label, dict[str, dict[str, Any]]] = defaultdict(dict)

    def add_node(kind: Label, rec: dict[str, Any]) -> None:
        node_records[kind].setdefault(rec["id"], rec)

    def add_edge(rel: RelType, a_lbl: Label, a: str, b_lbl: Label, b: str, props: dict[str, Any],
                 policy_level: bool = False) -> None:
        a_key, b_key = node_spec(a_lbl).key_label, node_spec(b_lbl).key_label
        bucket = plan.policy_edges if policy_level else plan.edges
        rows = bucket[(rel, a_key, b_key)]
        if any(r["start"] == a and r["end"] == b for r in rows):
            return  # one edge per pair: the first quotation is kept
        rows.append(_edge_row(rel, a, b, props, source, now))

    # agencies: one node per key, linked to the graph's own where the key matches
    agency_keys = _agency_keys(index)
    agency_ids: dict[str, str] = {}
    surfaces: dict[str, list[str]] = defaultdict(list)
    for d in analysis.departments:
        surfaces[d.key].append(d.mention.text)
    for duty in analysis.duties:
        surfaces[duty.department.key].append(duty.department.mention.text)
    canonical = {d.key: d.canonical for d in analysis.departments}
    canonical.update({duty.department.key: duty.department.canonical for duty in analysis.duties})
    for key, names in surfaces.items():
        if key in agency_keys:
            node_id, name, known = agency_keys[key]
            plan.counts["agencies_linked"] += 1
            # the graph's own name stays; the text's spellings join its aliases (all kept for search keys)
            aliases = list(dict.fromkeys([*known, *(n for n in names if n != name)]))
            add_node(Label.AGENCY, {"id": node_id, "name": name, "aliases": aliases})
        else:
            node_id = f"org:agency:{_short_id(key)}"
            name = canonical[key]
            region = next((info[0] for nm, info in sorted(index.regions.items(), key=lambda kv: -len(kv[0]))
                           if name.startswith(info[1])), None)
            rec = {"id": node_id, "name": name, "aliases": list(dict.fromkeys(n for n in names if n != name))}
            if region:
                rec["region"] = region
            add_node(Label.AGENCY, rec)
            plan.counts["agencies_created"] += 1
            if node_id not in index.existing_ids:
                plan.owned_new_ids.add(node_id)
        agency_ids[key] = node_id

    # tasks
    for s in analysis.sections:
        add_node(Label.TASK, {"id": f"{pid}/task/{s.id}", "name": s.title or s.id, "number": s.id, "policy": pid})
    for s in analysis.sections:
        tid = f"{pid}/task/{s.id}"
        if s.parent:
            add_edge(RelType.HAS_TASK, Label.TASK, f"{pid}/task/{s.parent}", Label.TASK, tid, {})
        else:
            add_edge(RelType.HAS_TASK, Label.POLICY, pid, Label.TASK, tid, {}, policy_level=True)
    for duty in analysis.duties:
        m = duty.department.mention
        rel = RelType.LEADS if duty.role == "lead" else RelType.SUPPORTS
        add_edge(rel, Label.AGENCY, agency_ids[duty.department.key], Label.TASK, f"{pid}/task/{duty.task}",
                 _mention_props(m.text, m.start, m.end))
    for d in analysis.departments:
        section = analysis.section_at(d.mention.start)
        if section is None:
            continue
        tid = f"{pid}/task/{section.id}"
        if any(x.task == section.id and x.department.key == d.key for x in analysis.duties):
            continue
        add_edge(RelType.MENTIONS, Label.TASK, tid, Label.AGENCY, agency_ids[d.key],
                 _mention_props(d.mention.text, d.mention.start, d.mention.end))

    # targets: ids follow the order within each task, so the same text gives the same ids
    per_task: dict[str, int] = defaultdict(int)
    for t in analysis.targets:
        owner = t.task or "policy"
        per_task[owner] += 1
        target_id = f"{pid}/target/{owner}/{per_task[owner]}"
        add_node(Label.TARGET, {
            "id": target_id, "name": f"{t.metric} {_fmt(t.value)}{t.unit}{t.qualifier or ''}",
            "metric": t.metric, "value": t.value, "unit": t.unit, "deadline": t.deadline, "text": t.text,
            "accumulation": t.accumulation, "scope": t.scope, "qualifier": t.qualifier, "policy": pid,
        })
        props = _mention_props(t.span.text, t.span.start, t.span.end)
        if t.deadline:
            props["year"] = t.deadline
        if t.task:
            add_edge(RelType.SETS, Label.TASK, f"{pid}/task/{t.task}", Label.TARGET, target_id, props)
        else:
            add_edge(RelType.SETS, Label.POLICY, pid, Label.TARGET, target_id, props, policy_level=True)

    # industries: the graph's own where a name or alias matches, else a node marked by its source
    for ind in analysis.industries:
        key = normalise(ind.name)
        if key in index.industries:
            ind_id = index.industries[key]
            plan.counts["industries_linked"] += 1
        else:
            ind_id = f"ind:policy:{_short_id(ind.name)}"
            add_node(Label.INDUSTRY, {"id": ind_id, "name": ind.name})
            plan.counts["industries_created"] += 1
            if ind_id not in index.existing_ids:
                plan.owned_new_ids.add(ind_id)
        props = _mention_props(ind.mention.text, ind.mention.start, ind.mention.end)
        if ind.task:
            add_edge(RelType.FOCUSES_ON, Label.TASK, f"{pid}/task/{ind.task}", Label.INDUSTRY, ind_id, props)
        else:
            add_edge(RelType.MENTIONS, Label.POLICY, pid, Label.INDUSTRY, ind_id, props, policy_level=True)

    # named organisations: linked where the graph has them, else created (programmes have no node)
    for org in analysis.organizations:
        if org.kind == "Program":
            continue
        lbl = _ORG_LABELS[org.kind]
        node_id = org.node_id
        if node_id is None and normalise(org.name) in index.org_names:
            node_id, kind = index.org_names[normalise(org.name)]
            lbl = _ORG_LABELS[kind]
        if node_id is not None:
            plan.counts["organizations_linked"] += 1
        else:
            name = org.name
            if name.startswith("省") and ctx.province:
                name = ctx.province + name[1:]
            elif name.startswith("市") and ctx.city:
                name = ctx.city + name[1:]
            node_id = f"{_ID_PREFIX[lbl]}:policy:{_short_id(name)}"
            rec = {"id": node_id, "name": name, "aliases": [org.name] if org.name != name else []}
            add_node(lbl, rec)
            plan.counts["organizations_created"] += 1
            if node_id not in index.existing_ids:
                plan.owned_new_ids.add(node_id)
        props = _mention_props(org.mention.text, org.mention.start, org.mention.end)
        if org.task:
            add_edge(RelType.MENTIONS, Label.TASK, f"{pid}/task/{org.task}", lbl, node_id, props)
        else:
            add_edge(RelType.MENTIONS, Label.POLICY, pid, lbl, node_id, props, policy_level=True)

    # the Policy node itself, validated with the rest but written last
    policy = {"id": pid, "name": meta.title if meta else pid, "issuer": meta.issuer if meta else None,
              "date": meta.date if meta else None, "period": meta.period if meta else None}
    add_node(Label.POLICY, policy)

    for kind, recs in node_records.items():
        plan.nodes[kind] = node_rows(kind, list(recs.values()), source=source, now=now)
    return pid, plan


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_NODE_ORDER = (Label.AGENCY, Label.INDUSTRY, Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE, Label.PLATFORM,
               Label.BASE, Label.FUND, Label.ALLIANCE, Label.TARGET, Label.TASK)


def _existing(store: GraphStore, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for lbl in (Label.ORGANIZATION, Label.INDUSTRY, Label.PLATFORM, Label.BASE, Label.FUND, Label.ALLIANCE):
        rows = store.read(f"MATCH (n:{cypher_label(lbl)}) WHERE n.id IN $ids RETURN n.id AS id", {"ids": ids})
        found.update(r["id"] for r in rows)
    return found


def _remove_document(store: GraphStore, pid: str, owned: list[str] = ()) -> int:
    """Delete a document's tasks, targets and Policy node, and the shared nodes a failed load created."""
    removed = 0
    for lbl in (Label.TASK, Label.TARGET):
        rows = store.write(f"MATCH (n:{cypher_label(lbl)}) WHERE n.policy = $pid DETACH DELETE n RETURN count(*) AS c",
                           {"pid": pid})
        removed += rows[0]["c"] if rows else 0
    rows = store.write(f"MATCH (n:{cypher_label(Label.POLICY)} {{id: $pid}}) DETACH DELETE n RETURN count(*) AS c",
                       {"pid": pid})
    removed += rows[0]["c"] if rows else 0
    if owned:
        for lbl in (Label.ORGANIZATION, Label.INDUSTRY, Label.PLATFORM, Label.BASE, Label.FUND, Label.ALLIANCE):
            store.write(f"MATCH (n:{cypher_label(lbl)}) WHERE n.id IN $ids OPTIONAL MATCH (n)-[r]-() "
                        "WITH n, count(r) AS degree WHERE degree = 0 DELETE n", {"ids": list(owned)})
    return removed


_RESTORED = ("name", "aliases", "sources", "updated_at", "region", "search_keys", "search_text")


def _shared_state(store: GraphStore, ids: set[str]) -> dict[Label, list[dict[str, Any]]]:
    """The properties a load may change on nodes other documents share, to restore them if it fails."""
    state: dict[Label, list[dict[str, Any]]] = {}
    for lbl in (Label.ORGANIZATION, Label.INDUSTRY, Label.PLATFORM, Label.BASE, Label.FUND, Label.ALLIANCE):
        rows = store.read(f"MATCH (n:{cypher_label(lbl)}) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS p",
                          {"ids": sorted(ids)})
        state[lbl] = [{"id": r["id"], "props": {k: r["p"].get(k) for k in _RESTORED if r["p"].get(k) is not None}}
                      for r in rows]
    return state


def _restore_shared(store: GraphStore, state: dict[Label, list[dict[str, Any]]]) -> None:
    for lbl, rows in state.items():
        if rows:
            store.write_batch(f"UNWIND $rows AS row MATCH (n:{cypher_label(lbl)} {{id: row.id}}) SET n += row.props",
                              rows)


def _remove_stale(store: GraphStore, pid: str, plan: _Plan) -> int:
    """Remove what an earlier version of this document had and this one does not."""
    removed = 0
    for lbl in (Label.TASK, Label.TARGET):
        keep = [r["id"] for r in plan.nodes.get(lbl, [])]
        rows = store.write(f"MATCH (n:{cypher_label(lbl)}) WHERE n.policy = $pid AND NOT n.id IN $keep "
                           "DETACH DELETE n RETURN count(*) AS c", {"pid": pid, "keep": keep})
        removed += rows[0]["c"] if rows else 0
    all_edges: dict[RelType, set[str]] = defaultdict(set)
    for bucket in (plan.edges, plan.policy_edges):
        for (rel, _, _), rows in bucket.items():
            all_edges[rel].update(f"{r['start']}>{r['end']}" for r in rows)
    task, policy = cypher_label(Label.TASK), cypher_label(Label.POLICY)
    for rel in (RelType.HAS_TASK, RelType.SETS, RelType.FOCUSES_ON, RelType.MENTIONS):
        t = cypher_rel(rel)
        for query in (f"MATCH (a:{task})-[r:{t}]->(b) WHERE a.policy = $pid AND NOT (a.id + '>' + b.id) IN $keep "
                      "DELETE r RETURN count(*) AS c",
                      f"MATCH (a:{policy} {{id: $pid}})-[r:{t}]->(b) WHERE NOT (a.id + '>' + b.id) IN $keep "
                      "DELETE r RETURN count(*) AS c"):
            rows = store.write(query, {"pid": pid, "keep": sorted(all_edges[rel])})
            removed += rows[0]["c"] if rows else 0
    for rel in (RelType.LEADS, RelType.SUPPORTS):
        rows = store.write(f"MATCH (a)-[r:{cypher_rel(rel)}]->(b:{task}) WHERE b.policy = $pid "
                           "AND NOT (a.id + '>' + b.id) IN $keep DELETE r RETURN count(*) AS c",
                           {"pid": pid, "keep": sorted(all_edges[rel])})
        removed += rows[0]["c"] if rows else 0
    return removed


def load_policy(store: GraphStore, path: str | Path, *, now: str | None = None,
                batch_size: int = 5000, source: str | None = None) -> PolicyReport:
    """Load a policy text (.txt) as the policy layer: Policy, Task, Agency, Target, Industry and their edges.

    Idempotent (the same text again changes nothing) and all-or-nothing for the
    document (see the module docstring). Raises :class:`InputError` for a text
    that cannot be read or has no numbered sections, before anything is written.
    ``source`` names the text in provenance (default: the file's name, as the
    structured-file pipeline does, so an upload saved under a temporary folder
    and the same file loaded from disk are one source).
    """
    now = now or datetime.now(timezone.utc).isoformat(timespec="seconds")
    source = source or Path(path).name
    pt = read_policy_text(path)
    index = gazetteer_from_store(store)
    nlp = build_pipeline(index.gazetteer)
    analysis = analyse(pt, nlp)
    _complete_context(analysis, index)
    pid = _policy_id(analysis)
    # which shared nodes exist already decides what a failed load may remove
    _, probe = _build(analysis, index, source, now)
    shared = [r["id"] for lbl, rows in probe.nodes.items() if lbl not in (Label.TASK, Label.TARGET, Label.POLICY)
              for r in rows]
    index.existing_ids = _existing(store, shared) if shared else set()
    pid, plan = _build(analysis, index, source, now)

    shared_before = _shared_state(store, index.existing_ids) if index.existing_ids else {}
    had_policy = bool(store.read(f"MATCH (p:{cypher_label(Label.POLICY)} {{id: $pid}}) RETURN p.id AS id",
                                 {"pid": pid}))
    created = updated = removed = 0
    try:
        if not had_policy:
            removed += _remove_document(store, pid)  # leftovers of a load that never completed
        for kind in _NODE_ORDER:
            if plan.nodes.get(kind):
                c, u = write_node_rows(store, kind, plan.nodes[kind], batch_size=batch_size)
                created, updated = created + c, updated + u
        edge_counts: dict[str, int] = defaultdict(int)
        for (rel, a, b), rows in plan.edges.items():
            c, u = write_edge_rows(store, rel, a, b, rows, batch_size=batch_size)
            created, updated = created + c, updated + u
            edge_counts[rel.value] += len(rows)
        c, u = write_node_rows(store, Label.POLICY, plan.nodes[Label.POLICY], batch_size=batch_size)
        created, updated = created + c, updated + u
        for (rel, a, b), rows in plan.policy_edges.items():
            c, u = write_edge_rows(store, rel, a, b, rows, batch_size=batch_size)
            created, updated = created + c, updated + u
            edge_counts[rel.value] += len(rows)
        removed += _remove_stale(store, pid, plan)
    except Exception as exc:
        log.error("loading %s failed, removing what was written: %s", source, exc)
        try:
            _remove_document(store, pid, sorted(plan.owned_new_ids))
            _restore_shared(store, shared_before)
        except Exception as cleanup_exc:  # noqa: BLE001 - reported with the original error
            raise StoreError(f"{pt.source}: loading failed ({exc}) and so did removing the partial load "
                             f"({cleanup_exc}); load the file again to complete it") from exc
        if isinstance(exc, InnographError):
            raise type(exc)(f"{pt.source}: loading failed and nothing of it was kept: {exc}") from exc
        raise StoreError(f"{pt.source}: loading failed and nothing of it was kept: {exc}") from exc
    meta = analysis.meta
    return PolicyReport(
        source=source, policy_id=pid, title=meta.title if meta else "",
        tasks=len(analysis.sections), targets=len(analysis.targets),
        departments=len({d.key for d in analysis.departments}),
        industries=len({i.name for i in analysis.industries}),
        organizations=len({o.name for o in analysis.organizations}),
        agencies_linked=plan.counts["agencies_linked"], agencies_created=plan.counts["agencies_created"],
        industries_linked=plan.counts["industries_linked"], industries_created=plan.counts["industries_created"],
        organizations_linked=plan.counts["organizations_linked"],
        organizations_created=plan.counts["organizations_created"],
        edges=dict(edge_counts), created=created, updated=updated, removed=removed,
    )


def load_sample_policies(store: GraphStore, *, now: str | None = None) -> list[PolicyReport]:
    """Load the shipped plans (the reference action plan) — what ``innograph demo`` shows."""
    return [load_policy(store, p, now=now) for p in sorted(SAMPLE_POLICY_DIR.glob("*.txt"))]
