"""Entity resolution in memory: USCC first, then normalised name, then aliases (简称).

:class:`EntityIndex` holds, per key label, every known entity's id, kind,
display name, aliases and USCC, with dict indexes by USCC and by normalised
name/alias. It is filled from the graph once when a load starts (paged by id)
and kept current as rows are accepted, so resolution never costs a round
trip. Changes made while a file is processed can be rolled back when the file
is refused whole (``--on-error abort``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable

from graph.schema import KEY_LABELS, NODE_SPECS, REL_SPECS, Label, RelType, cypher_label, cypher_rel
from graph.store import GraphStore
from ingest.normalize import _USCC_SHAPE, norm_name

#: a name shared by several entities (whose USCCs differ): never resolved by name
AMBIGUOUS = "\x00ambiguous"
_MISSING = object()
_PAGE = 50_000
_KEY_LABELS_OF: dict[tuple[Label, ...], tuple[Label, ...]] = {}

#: relationship types that make trees (within one key label): an edge closing a cycle is refused
TREE_RELS: tuple[RelType, ...] = (RelType.PART_OF, RelType.HAS_TASK)

ID_PREFIX: dict[Label, str] = {
    Label.UNIVERSITY: "org", Label.INSTITUTE: "org", Label.ENTERPRISE: "org", Label.AGENCY: "org",
    Label.ORGANIZATION: "org", Label.PLATFORM: "platform", Label.BASE: "base", Label.FUND: "fund",
    Label.ACHIEVEMENT: "ach", Label.ALLIANCE: "alliance", Label.INDUSTRY: "ind", Label.REGION: "region",
    Label.POLICY: "policy", Label.TASK: "task", Label.TARGET: "target",
}


class ResolveError(ValueError):
    """A row or a reference cannot be resolved; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Resolution:
    """Where a node row goes."""

    id: str
    #: the entity existed before this row (in the graph or earlier in the load)
    existing: bool
    #: how an existing entity under another identity was found: "uscc", "name", "alias"; None when by id / new
    by: str | None
    #: the entity's display name before this row
    name: str | None
    #: the label the entity had before this row (None when new)
    kind: Label | None = None


class _KeyIndex:
    """The entities of one key label."""

    __slots__ = ("kind", "name", "aliases", "uscc", "by_uscc", "by_name")

    def __init__(self) -> None:
        self.kind: dict[str, Label] = {}
        self.name: dict[str, str] = {}
        self.aliases: dict[str, list[str]] = {}
        self.uscc: dict[str, str] = {}
        self.by_uscc: dict[str, str] = {}
        self.by_name: dict[str, str] = {}


def derived_id(label: Label, name: str, uscc: str | None) -> str:
    """A stable id for a row that has none: from its USCC, else from its normalised name."""
    prefix = ID_PREFIX[label]
    if uscc:
        return f"{prefix}:uscc:{uscc}"
    return f"{prefix}:n:{hashlib.sha1(norm_name(name).encode('utf-8')).hexdigest()[:16]}"


class EntityIndex:
    """Every known entity, indexed for resolution (see the module doc)."""

    def __init__(self) -> None:
        self._keys: dict[Label, _KeyIndex] = {kl: _KeyIndex() for kl in KEY_LABELS}
        #: normalised alias → the name (or id) it stands for; AMBIGUOUS when two tables disagree
        self.alias_map: dict[str, str] = {}
        #: ids given by rows that were merged into another entity, for references later in the load
        self.redirects: dict[tuple[Label, str], str] = {}
        self._undo: list[tuple[dict[Any, Any], Any, Any]] | None = None
        #: the edges of each tree (:data:`TREE_RELS`) per key label: stored ones, then those of committed files
        self.trees: dict[tuple[RelType, Label], list[tuple[str, str]]] = {}

    # ------------------------------------------------------------------ transactions

    def begin(self) -> None:
        """Start recording changes so a refused file can be undone."""
        self._undo = []

    def commit(self) -> None:
        self._undo = None

    def rollback(self) -> None:
        """Undo every change since :meth:`begin`."""
        for table, key, old in reversed(self._undo or []):
            if old is _MISSING:
                table.pop(key, None)
            else:
                table[key] = old
        self._undo = None

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        if self._undo is not None:
            self._undo.append((table, key, table.get(key, _MISSING)))
        table[key] = value

    # ------------------------------------------------------------------ filling

    def load(self, store: GraphStore) -> int:
        """Read every entity of the graph (id, name, aliases, USCC), label by label, page by page."""
        total = 0
        # asking for a label the graph has never held makes Neo4j log a warning per query
        present = {r["label"] for r in store.read("CALL db.labels() YIELD label RETURN label")}
        for lbl, spec in NODE_SPECS.items():
            kl = spec.key_label
            if lbl.value not in present:
                continue
            if lbl == kl and kl == Label.ORGANIZATION:
                # organisations without a kind of their own
                others = " OR ".join(f"n:{cypher_label(x)}" for x in NODE_SPECS
                                     if x != kl and NODE_SPECS[x].key_label == kl and x.value in present)
                match = f"MATCH (n:{cypher_label(kl)}) WHERE n.id > $after " + (f"AND NOT ({others}) " if others else "")
            else:
                match = f"MATCH (n:{cypher_label(lbl)}) WHERE n.id > $after "
            uscc = "n.uscc" if kl == Label.ORGANIZATION else "null"
            query = (match + "RETURN n.id AS id, n.name AS name, "
                     "CASE WHEN size(coalesce(n.aliases, [])) > 0 THEN n.aliases END AS aliases, "
                     f"{uscc} AS uscc ORDER BY n.id LIMIT $limit")
            after = ""
            while True:
                rows = store.read(query, {"after": after, "limit": _PAGE})
                for r in rows:
                    self.add(kl, lbl, r["id"], r["name"] or r["id"], r["aliases"] or (), r["uscc"])
                total += len(rows)
                if len(rows) < _PAGE:
                    break
                after = rows[-1]["id"]
        types = {r["relationshipType"] for r in store.read("CALL db.relationshipTypes() YIELD relationshipType "
                                                           "RETURN relationshipType")}
        for rel in TREE_RELS:
            spec = REL_SPECS[rel]
            for lbl in spec.end:
                if rel.value not in types or lbl.value not in present or lbl not in spec.start:
                    continue
                kl = NODE_SPECS[lbl].key_label
                rows = store.read(f"MATCH (c:{cypher_label(lbl)})-[:{cypher_rel(rel)}]->(p:{cypher_label(lbl)}) "
                                  "RETURN c.id AS c, p.id AS p")
                self.trees.setdefault((rel, kl), []).extend((r["c"], r["p"]) for r in rows)
        return total

    def add_tree_edges(self, rel: RelType, key_label: Label, edges: Iterable[tuple[str, str]]) -> None:
        """Edges (start id, end id) a committed file adds to a tree; kept because writes may still be in flight."""
        self.trees.setdefault((rel, key_label), []).extend(edges)

    def add(self, key_label: Label, label: Label, id_: str, name: str, aliases: Iterable[str],
            uscc: str | None) -> None:
        """Register an entity (or more names of it)."""
        ki = self._keys[key_label]
        if id_ not in ki.kind:
            self._set(ki.kind, id_, label)
            self._set(ki.name, id_, name)
        if uscc:
            if id_ not in ki.uscc:
                self._set(ki.uscc, id_, uscc)
            if uscc not in ki.by_uscc:
                self._set(ki.by_uscc, uscc, id_)
        known = ki.aliases.get(id_, [])
        extra = [a for a in aliases if a and a not in known and a != ki.name.get(id_)]
        if extra:
            self._set(ki.aliases, id_, known + extra)
        for text in (name, *extra):
            key = norm_name(text)
            if not key:
                continue
            have = ki.by_name.get(key)
            if have is None:
                self._set(ki.by_name, key, id_)
            elif have != id_ and have != AMBIGUOUS:
                self._set(ki.by_name, key, AMBIGUOUS)

    def rename(self, key_label: Label, id_: str, name: str) -> None:
        """A row gives a known id a new name: the new name is its display name and is findable."""
        ki = self._keys[key_label]
        self._set(ki.name, id_, name)
        key = norm_name(name)
        have = ki.by_name.get(key)
        if have is None:
            self._set(ki.by_name, key, id_)
        elif have != id_ and have != AMBIGUOUS:
            self._set(ki.by_name, key, AMBIGUOUS)

    def add_alias(self, alias: str, name: str) -> None:
        """One row of an alias table: ``alias`` stands for ``name`` (a full name or an id)."""
        key = norm_name(alias)
        if not key:
            return
        have = self.alias_map.get(key)
        if have is None:
            self._set(self.alias_map, key, name)
        elif have != name and norm_name(have) != norm_name(name):
            self._set(self.alias_map, key, AMBIGUOUS)

    def redirect(self, key_label: Label, from_id: str, to_id: str) -> None:
        self._set(self.redirects, (key_label, from_id), to_id)

    # ------------------------------------------------------------------ questions

    def kind_of(self, key_label: Label, id_: str) -> Label | None:
        return self._keys[key_label].kind.get(id_)

    def name_of(self, key_label: Label, id_: str) -> str | None:
        return self._keys[key_label].name.get(id_)

    def aliases_of(self, key_label: Label, id_: str) -> list[str]:
        return self._keys[key_label].aliases.get(id_, [])

    def size(self) -> int:
        return sum(len(k.kind) for k in self._keys.values())

    def _by_text(self, ki: _KeyIndex, text: str) -> tuple[str | None, str | None]:
        """An entity by normalised name, own alias, or the alias table: (id, how)."""
        key = norm_name(text)
        hit = ki.by_name.get(key)
        if hit is not None:
            if hit == AMBIGUOUS:
                return AMBIGUOUS, None
            return hit, ("name" if norm_name(ki.name.get(hit, "")) == key else "alias")
        target = self.alias_map.get(key)
        if target is None:
            return None, None
        if target == AMBIGUOUS:
            return AMBIGUOUS, None
        if target in ki.kind:
            return target, "alias"
        hit = ki.by_name.get(norm_name(target))
        if hit is not None:
            return hit, (None if hit == AMBIGUOUS else "alias")
        return None, None

    def resolve_ref(self, text: str, targets: tuple[Label, ...]) -> tuple[Label, str, Label]:
        """The entity a reference names (id, USCC, name or alias) among nodes with one of ``targets``.

        Returns (key label, id, label). Raises :class:`ResolveError` with the reason.
        """
        key_labels = _KEY_LABELS_OF.get(targets)
        if key_labels is None:
            key_labels = _KEY_LABELS_OF[targets] = tuple(dict.fromkeys(NODE_SPECS[t].key_label for t in targets))
        hits: dict[tuple[Label, str], None] = {}
        ambiguous = False
        if len(key_labels) == 1:  # the common case: an id of the one key label, no redirect
            ki = self._keys[key_labels[0]]
            lbl = ki.kind.get(text)
            if lbl is not None and not self.redirects and (lbl in targets or key_labels[0] in targets):
                return key_labels[0], text, lbl
        for kl in key_labels:
            ki = self._keys[kl]
            id_ = self.redirects.get((kl, text), text) if self.redirects else text
            if id_ in ki.kind:
                hits[(kl, id_)] = None
                continue
            if kl == Label.ORGANIZATION and len(text) == 18 and _USCC_SHAPE.match(text.upper()):
                hit = ki.by_uscc.get(text.upper())
                if hit:
                    hits[(kl, hit)] = None
                    continue
            hit, _ = self._by_text(ki, text)
            if hit == AMBIGUOUS:
                ambiguous = True
            elif hit is not None:
                hits[(kl, hit)] = None
        if len(hits) == 1:
            (kl, id_), = hits
            lbl = self._keys[kl].kind[id_]
            if lbl in targets or kl in targets:
                return kl, id_, lbl
        wanted = "|".join(t.value for t in targets)
        if not hits:
            if ambiguous:
                raise ResolveError(f"several {wanted} are called {text!r}; give the id or USCC instead")
            raise ResolveError(f"no {wanted} with id or name {text!r} (neither in the graph nor in this load)")
        if len(hits) > 1:
            ids = ", ".join(i for _, i in hits)
            raise ResolveError(f"{text!r} names several nodes ({ids}); give the id instead")
        (kl, id_), = hits
        lbl = self._keys[kl].kind[id_]
        if lbl not in targets and kl not in targets:
            raise ResolveError(f"{text!r} is a {lbl.value} ({id_}); here a {wanted} is needed")
        return kl, id_, lbl

    def resolve_node(self, label: Label, id_: str | None, name: str, uscc: str | None) -> Resolution:
        """Where a node row goes: USCC first, then its id, then its normalised name and aliases."""
        kl = NODE_SPECS[label].key_label
        ki = self._keys[kl]
        if id_ is not None:
            id_ = self.redirects.get((kl, id_), id_)
        target: str | None = None
        by: str | None = None
        if uscc:
            hit = ki.by_uscc.get(uscc)
            if hit is not None:
                if id_ is not None and id_ != hit and id_ in ki.kind:
                    raise ResolveError(
                        f"USCC {uscc} belongs to {ki.name.get(hit)!r} ({hit}), but id {id_} is another entity")
                target, by = hit, (None if hit == id_ else "uscc")
        if target is None and id_ is not None and id_ in ki.kind:
            have = ki.uscc.get(id_)
            if uscc and have and have != uscc:
                raise ResolveError(f"{id_} has USCC {have} in the graph; this row gives {uscc}")
            target = id_
        if target is None:
            hit, how = self._by_text(ki, name)
            if hit == AMBIGUOUS:
                if id_ is None:
                    raise ResolveError(f"several entities are called {name!r}; give an id or the USCC")
            elif hit is not None:
                other = ki.uscc.get(hit)
                if not (uscc and other and other != uscc):  # different USCCs: two entities, one name
                    target, by = hit, how
        if target is None:
            new_id = id_ or derived_id(label, name, uscc)
            if new_id in ki.kind:  # a derived id whose entity has since been renamed
                target = new_id
            else:
                return Resolution(new_id, False, None, None)
        have_kind = ki.kind[target]
        if have_kind != label and label != kl and have_kind != kl:
            raise ResolveError(
                f"{name!r} matches {ki.name.get(target)!r} ({target}), which is a {have_kind.value}, not a {label.value}")
        return Resolution(target, True, by, ki.name.get(target), have_kind)


def cycles_closed(existing: Iterable[tuple[str, str]], new: Iterable[tuple[int, str, str]]) -> dict[int, list[str]]:
    """The new edges of a tree relationship (``PART_OF``: child → parent) that lie on a cycle.

    ``existing`` are the edges already stored, ``new`` the ``(row, start, end)``
    edges a load adds. Returns, for every row whose edge lies on a cycle of
    existing plus new edges, that cycle as ids: ``[start, end, …, start]``.
    Every new edge of a cycle is named, since nothing tells which of them is
    wrong; stored edges are never named (they are not this load's rows).
    """
    new = list(new)
    succ: dict[str, list[str]] = {}
    for a, b in existing:
        succ.setdefault(a, []).append(b)
    for _, a, b in new:
        succ.setdefault(a, []).append(b)
    comp = _components(succ)
    out: dict[int, list[str]] = {}
    for row, a, b in new:
        if a == b:
            out[row] = [a, a]
            continue
        ca = comp.get(a)
        if ca is None or ca != comp.get(b):
            continue
        # the shortest way back from b to a inside their component closes the cycle
        back: dict[str, str | None] = {b: None}
        queue = [b]
        for node in queue:
            if node == a:
                break
            for nxt in succ.get(node, ()):
                if nxt not in back and comp.get(nxt) == ca:
                    back[nxt] = node
                    queue.append(nxt)
        path = [a]
        node: str | None = a
        while node is not None and node != b:
            node = back[node]
            path.append(node)  # type: ignore[arg-type]
        out[row] = [a, *reversed(path[1:]), a]
    return out


def _components(succ: dict[str, list[str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative): node → component number, for nodes on a cycle only."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comp: dict[str, int] = {}
    counter = 0
    n_comp = 0
    for root in list(succ):
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ.get(child, ()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        members.append(m)
                        if m == node:
                            break
                    if len(members) > 1:
                        for m in members:
                            comp[m] = n_comp
                        n_comp += 1
    return comp
