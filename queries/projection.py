"""An in-memory projection of the graph's adjacency, for path and neighbourhood queries.

A path or neighbourhood walk run in the engine costs a round trip per level and
reads every edge of each hub it passes (on a 1M-node graph, a city or an
industry joins hundreds of thousands of nodes). A long-running process (the
API) can instead keep the adjacency of the whole graph in memory, the way a
graph-analytics projection does: node ``i`` is the ``i``-th node id in sorted
order, and each node's edges, both directions, sit in compressed sparse rows
(``indptr``/``nbr``) with each edge's type, year and direction beside them.
A walk over it is a few numpy operations per level, and the engine is asked only
for what the answer shows: the edges of the paths (or among the chosen nodes)
and the nodes, in full.

**Freshness.** A projection remembers the store's :meth:`~graph.store.GraphStore.version`
token taken before it was read, and :func:`current` hands it out only while the
store still reports that token, so an answer never comes from an outdated
graph: after any write (a load, a deletion, an edit in Neo4j Browser) the
queries walk the engine again until a new projection is built. For a store
that asked for it (:func:`keep_fresh`, as the API does at start-up), a
background thread builds the projection and rebuilds it after each change (it
looks every ``POLL_SECONDS``, and at once when a query finds the projection
outdated), once the graph has been quiet for ``settle`` seconds. Nothing is
projected in a one-shot process (the CLI), where building would cost more than
the query.

**Same answers.** The walks here follow the same rules as the engine walks of
``queries/walk.py``, to the node: shortest paths are every shortest path over
the chosen types within the year range, neighbourhoods keep the nearest nodes
first, then by id. The tests run the path and neighbourhood checks both ways.
Where the projection cannot give the same answer (an edge year that is not a
number, with a year range asked for; a relationship type outside the schema, for
a neighbourhood of every type), the engine walk answers.
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from graph.errors import InnographError, StoreError
from graph.schema import RelType
from graph.store import GraphStore, chunks
from queries import cypher, memo

log = logging.getLogger("innograph.projection")

#: node references per statement when the edges are read
PAGE = 50_000
#: the year sent for an edge with neither ``year`` nor ``since`` (no real year is this)
UNDATED = -999_999
#: a graph with more edges than this is not projected (about 20 bytes an edge in the arrays:
#: an entry at each end of 4 + 1 + 4 + 1 bytes, besides the id and reference of each node)
MAX_EDGES = 30_000_000
#: edge entries one walk over the projection may read before it stops and says so
READ_BUDGET = 30_000_000
#: seconds a graph must go without a write before a background rebuild starts
SETTLE_SECONDS = 1.0
#: seconds between two looks at the graph's version by a store's watcher (:func:`keep_fresh`)
POLL_SECONDS = 5.0
#: seconds before a build that failed is tried again on an unchanged graph
RETRY_SECONDS = 300.0

_SCHEMA_TYPES = frozenset(t.value for t in RelType)


class ProjectionUnavailable(InnographError):
    """The graph cannot be projected here (the engine reports no version, or it is too large)."""


@dataclass(frozen=True, eq=False)
class Projection:
    """The adjacency of the whole graph at one store version (immutable once built)."""

    version: str
    #: node ids in sorted order: node ``i`` is ``ids[i]``. Tuples, not lists: a tuple of strings
    #: or numbers drops out of the cyclic garbage collector's view, a list never does; at 1M
    #: nodes two lists cost every full collection ~30 ms of walking them (a pause of the API
    #: worker that holds the projection, seen as a tail under load)
    ids: tuple[str, ...]
    #: the engine reference of node ``i``
    refs: tuple[Any, ...]
    #: node ``i``'s entries are ``indptr[i]:indptr[i + 1]`` of the arrays below
    indptr: np.ndarray
    #: the node at the other end of each entry (an edge has an entry at each end)
    nbr: np.ndarray
    #: the relationship type of each entry, as a position in ``types``
    code: np.ndarray
    #: the edge's year (or since); NaN when it has neither
    year: np.ndarray
    #: True where the stored edge leaves the row's node
    out: np.ndarray
    types: tuple[str, ...]
    #: some edge holds a year that is not a number (a year range then goes to the engine)
    odd_years: bool = False
    built_seconds: float = 0.0
    built_at: float = field(default_factory=time.time)

    @property
    def nodes(self) -> int:
        return len(self.ids)

    @property
    def edges(self) -> int:
        return int(self.nbr.size // 2)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (the id and reference tuples come on top)."""
        return int(sum(a.nbytes for a in (self.indptr, self.nbr, self.code, self.year, self.out)))

    def node(self, node_id: str) -> int | None:
        """The number of the node with this id, or None."""
        i = bisect.bisect_left(self.ids, node_id)
        return i if i < len(self.ids) and self.ids[i] == node_id else None

    def type_mask(self, types: Iterable[str] | None) -> np.ndarray | None:
        """A lookup table over type codes (True: walk it), or None for every type."""
        if types is None:
            return None
        wanted = {str(getattr(t, "value", t)) for t in types}
        return np.array([t in wanted for t in self.types] or [False], dtype=bool)

    def reach(self, frontier: np.ndarray, mask: np.ndarray | None, year_from: int | None,
              year_to: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every entry around ``frontier`` over the walked types and years, as parallel arrays
        (frontier node, far node, entry position)."""
        starts = self.indptr[frontier]
        lens = self.indptr[frontier + 1] - starts
        total = int(lens.sum())
        if total == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        # entry positions: each frontier node's slice, back to back
        pos = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total, dtype=np.int64)
        near = np.repeat(frontier, lens)
        keep = None
        if mask is not None:
            keep = mask[self.code[pos]]
        if year_from is not None or year_to is not None:
            y = self.year[pos]
            ok = np.isnan(y)
            inside = np.ones(y.shape, dtype=bool)
            if year_from is not None:
                inside &= y >= year_from
            if year_to is not None:
                inside &= y <= year_to
            ok |= inside
            keep = ok if keep is None else keep & ok
        if keep is not None:
            pos, near = pos[keep], near[keep]
        return near, self.nbr[pos].astype(np.int64), pos

    def distinct(self, numbers: np.ndarray) -> np.ndarray:
        """The distinct node numbers in ``numbers``, sorted (so in id order). Past a few thousand,
        by marking a bitmap over every node and reading it back: linear in the nodes, not a sort
        or hash of a hub's hundreds of thousands of entries."""
        if numbers.size < 65536:
            return np.unique(numbers)
        seen = np.zeros(self.nodes, dtype=bool)
        seen[numbers] = True
        return np.flatnonzero(seen)

    def member(self, numbers: np.ndarray, of: np.ndarray) -> np.ndarray:
        """Where ``numbers`` holds a node of ``of`` (a boolean array beside ``numbers``)."""
        if numbers.size * of.size < 1 << 20:
            return np.isin(numbers, of)
        inside = np.zeros(self.nodes, dtype=bool)
        inside[of] = True
        return inside[numbers]

    def answers(self, types: Sequence[str] | None, year_from: int | None, year_to: int | None) -> bool:
        """Whether a walk over ``types`` (None: every type) in these years gives the engine's answer."""
        if self.odd_years and (year_from is not None or year_to is not None):
            return False
        if types is None:
            return all(t in _SCHEMA_TYPES for t in self.types)
        return True


# --------------------------------------------------------------------------- building


def _year(value: Any) -> float | None:
    """An edge year as a float (NaN: undated), or None when it is not a number."""
    if value == UNDATED or value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def build(store: GraphStore, *, max_edges: int = MAX_EDGES) -> Projection:
    """Read the whole graph's adjacency from ``store`` (a few statements per 50,000 nodes).

    The projection carries the version the store reported before reading; when a write
    landed during the read, that version is already outdated and :func:`current` will
    not hand the projection out.
    """
    started = time.perf_counter()
    version = _version(store)
    if version is None:
        raise ProjectionUnavailable("the engine reports no version, so a projection could not be kept fresh")
    total = store.read("MATCH ()-[r]->() RETURN count(r) AS n")
    n_edges = int(total[0]["n"]) if total else 0
    if n_edges > max_edges:
        raise ProjectionUnavailable(f"the graph has {n_edges:,} edges, more than the {max_edges:,} projected")
    rows = cypher.run(store, "projection_nodes")
    raw_refs = list(rows[0]["refs"] or []) if rows else []
    raw_ids = list(rows[0]["ids"] or []) if rows else []
    keep = [i for i, x in enumerate(raw_ids) if isinstance(x, str)]
    order = sorted(keep, key=raw_ids.__getitem__)
    ids = tuple([raw_ids[i] for i in order])
    refs = tuple([raw_refs[i] for i in order])
    del raw_ids
    number = {ref: i for i, ref in enumerate(refs)}
    type_codes: dict[str, int] = {t.value: k for k, t in enumerate(RelType)}
    src_parts: list[np.ndarray] = []
    dst_parts: list[np.ndarray] = []
    code_parts: list[np.ndarray] = []
    year_parts: list[np.ndarray] = []
    odd = False
    get = number.get
    for page in chunks(raw_refs, PAGE):
        for row in cypher.run(store, "projection_edges", {"refs": page, "undated": UNDATED}):
            name = row["type"]
            code = type_codes.setdefault(name, len(type_codes))
            starts, ends, years = row["starts"], row["ends"], row["years"]
            a = np.fromiter((get(r, -1) for r in starts), dtype=np.int64, count=len(starts))
            b = np.fromiter((get(r, -1) for r in ends), dtype=np.int64, count=len(ends))
            converted = [_year(y) for y in years]
            if any(y is None for y in converted):
                odd = True
                converted = [math.nan if y is None else y for y in converted]
            y = np.array(converted, dtype=np.float32)
            ok = (a >= 0) & (b >= 0)  # an end without an id, or created since the nodes were read
            src_parts.append(a[ok])
            dst_parts.append(b[ok])
            code_parts.append(np.full(int(ok.sum()), code, dtype=np.uint8))
            year_parts.append(y[ok])
    del raw_refs, number
    if len(type_codes) > 255:
        raise ProjectionUnavailable("the graph has more relationship types than a projection holds")
    cat = (lambda parts, dt: np.concatenate(parts) if parts else np.empty(0, dtype=dt))
    src, dst = cat(src_parts, np.int64), cat(dst_parts, np.int64)
    codes, years = cat(code_parts, np.uint8), cat(year_parts, np.float32)
    rows_of = np.concatenate([src, dst])
    order_e = np.argsort(rows_of, kind="stable")
    counts = np.bincount(rows_of, minlength=len(ids)) if rows_of.size else np.zeros(len(ids), dtype=np.int64)
    indptr = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    proj = Projection(
        version=version, ids=ids, refs=refs, indptr=indptr,
        nbr=np.concatenate([dst, src])[order_e].astype(np.int32),
        code=np.concatenate([codes, codes])[order_e],
        year=np.concatenate([years, years])[order_e],
        out=np.concatenate([np.ones(src.size, dtype=bool), np.zeros(dst.size, dtype=bool)])[order_e],
        types=tuple(sorted(type_codes, key=type_codes.__getitem__)),
        odd_years=odd, built_seconds=round(time.perf_counter() - started, 3),
    )
    log.info("projected %d nodes and %d edges in %.1f s (%.0f MiB of arrays)", proj.nodes, proj.edges,
             proj.built_seconds, proj.nbytes / 2**20)
    return proj


def _version(store: GraphStore) -> str | None:
    fn = getattr(store, "version", None)
    return fn() if fn is not None else None


# --------------------------------------------------------------------------- keeping one per store


class _Slot:
    """The projection of one store, and its background rebuild."""

    def __init__(self) -> None:
        self.projection: Projection | None = None
        #: rebuild in the background after the graph changed (:func:`keep_fresh`)
        self.auto = False
        self.settle = SETTLE_SECONDS
        self.max_edges = MAX_EDGES
        self.building = False
        self.error: str | None = None
        #: the store version a build failed at, and when: not tried again until either moves on
        self.failed_version: str | None = None
        self.failed_at = 0.0
        #: queries answered from a projection of this store
        self.served = 0
        #: the projection a query found outdated (not walked again until a rebuild replaces it)
        self.outdated: Projection | None = None
        self.lock = threading.Lock()
        self.watcher: threading.Thread | None = None
        self.wake = threading.Event()


_slots: "weakref.WeakKeyDictionary[Any, _Slot]" = weakref.WeakKeyDictionary()
_slots_lock = threading.Lock()


def _slot(store: GraphStore, create: bool) -> _Slot | None:
    with _slots_lock:
        slot = _slots.get(store)
        if slot is None and create:
            slot = _slots[store] = _Slot()
        return slot


def install(store: GraphStore, projection: Projection | None) -> None:
    """Use ``projection`` for ``store`` from now on (None: forget it)."""
    slot = _slot(store, True)
    assert slot is not None
    slot.projection = projection


def warm(store: GraphStore, *, max_edges: int = MAX_EDGES) -> Projection:
    """Build the projection of ``store`` now and use it (benchmarks, tests)."""
    proj = build(store, max_edges=max_edges)
    install(store, proj)
    return proj


def keep_fresh(store: GraphStore, enabled: bool = True, *, settle: float = SETTLE_SECONDS,
               max_edges: int = MAX_EDGES) -> None:
    """Keep a projection of ``store`` in this process: a watcher thread builds it now, and again
    after every change to the graph (looked for every ``POLL_SECONDS``, and at once when a query
    finds the projection outdated), once the graph has been quiet for ``settle`` seconds. A graph
    of more than ``max_edges`` edges is not projected (the engine walks answer).
    ``enabled=False`` stops the watcher; a projection already built is still checked per query."""
    slot = _slot(store, True)
    assert slot is not None
    slot.auto, slot.settle, slot.max_edges = enabled, settle, max_edges
    if enabled:
        _start_rebuild(store, slot)
    else:
        slot.wake.set()


def forget(store: GraphStore | None = None) -> None:
    """Drop the projection of ``store`` (of every store when None) and stop keeping it fresh."""
    with _slots_lock:
        gone = list(_slots.values()) if store is None else [s for s in (_slots.pop(store, None),) if s]
        if store is None:
            _slots.clear()
    for slot in gone:
        slot.auto = False
        slot.wake.set()


def current(store: GraphStore) -> Projection | None:
    """The projection of ``store`` if it still shows the graph as it is, else None (and, where
    :func:`keep_fresh` is on, the watcher is woken to rebuild it). One cheap round trip
    (:meth:`~graph.store.GraphStore.version`) when there is a projection to check."""
    slot = _slot(store, False)
    if slot is None or slot.projection is None:
        return None
    proj = slot.projection
    try:
        version = _version(store)
    except StoreError:
        return None
    if version == proj.version:
        return proj
    if slot.auto:
        slot.wake.set()
    else:
        slot.projection = None  # outdated for good: stop checking it
    return None


def latest(store: GraphStore) -> Projection | None:
    """The projection of ``store`` as last built, not checked against the graph: the caller reads
    what its answer shows with :func:`queries.walk.nodes_and_edges` and hands the version token
    that read returned to :func:`confirm` (no round trip of its own)."""
    slot = _slot(store, False)
    if slot is None or slot.projection is None or slot.projection is slot.outdated:
        return None  # known to be outdated: the engine walks answer until the rebuild
    return slot.projection


def confirm(store: GraphStore, proj: Projection, version: str | None) -> bool:
    """Whether ``proj`` still shows the graph at ``version`` (a token read after the answer's
    nodes and edges); when not, the projection is set aside as :func:`current` does and the
    caller answers with the engine walk."""
    if version is not None and version == proj.version:
        return True
    slot = _slot(store, False)
    if slot is not None and slot.projection is proj:
        if slot.auto:
            slot.outdated = proj
            slot.wake.set()
        else:
            slot.projection = None
    return False


def served(store: GraphStore) -> None:
    """Count a query answered from the projection of ``store`` (shown by :func:`status`)."""
    slot = _slot(store, False)
    if slot is not None:
        slot.served += 1  # a lost increment under threads only blurs a statistic


def status(store: GraphStore) -> dict[str, Any]:
    """What the projection of ``store`` holds, for ``/ready`` and the logs."""
    slot = _slot(store, False)
    proj = slot.projection if slot else None
    out: dict[str, Any] = {"enabled": bool(slot and slot.auto), "building": bool(slot and slot.building),
                           "served": slot.served if slot else 0}
    if proj is not None:
        out.update(nodes=proj.nodes, edges=proj.edges, built_seconds=proj.built_seconds,
                   megabytes=round(proj.nbytes / 2**20, 1),
                   built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(proj.built_at)))
    if slot is not None and slot.error:
        out["error"] = slot.error
    return out


def _start_rebuild(store: GraphStore, slot: _Slot) -> None:
    """Wake the store's watcher (starting it if need be) to look at the graph's version now."""
    slot.wake.set()
    with slot.lock:
        if slot.watcher is not None and slot.watcher.is_alive():
            return
        slot.watcher = threading.Thread(target=_watch, args=(weakref.ref(store), slot),
                                        name="innograph-projection", daemon=True)
        slot.watcher.start()


def _watch(store_ref: "weakref.ref[Any]", slot: _Slot) -> None:
    """While the store is kept fresh: every ``POLL_SECONDS`` (or when woken), compare the graph's
    version with the projection's and rebuild when they differ, once the graph has been quiet for
    ``settle`` seconds (a load in progress is waited out). A build that failed is not tried again
    on the same version before ``RETRY_SECONDS``. The statements :mod:`queries.memo` remembers
    are run again first, the same way. Holds the store only weakly."""
    while True:
        store = store_ref()
        if store is None or not slot.auto or _slot(store, False) is not slot:
            return
        try:  # the remembered aggregates (seconds) before the projection (up to a minute)
            memo.refresh(store, settle=slot.settle)
        except Exception as exc:  # noqa: BLE001 - the next call runs them itself
            if slot.auto:  # not a store closed under a watcher told to stop
                log.warning("the remembered statements could not be run again: %s: %s", type(exc).__name__, exc)
        try:
            _refresh(store, slot)
        except Exception as exc:  # noqa: BLE001 - the engine walks still answer; say why
            slot.error = f"{type(exc).__name__}: {exc}"
            if slot.auto:
                log.warning("the in-memory projection could not be refreshed: %s", slot.error)
        finally:
            slot.building = False
        del store
        slot.wake.wait(POLL_SECONDS)
        slot.wake.clear()


def _refresh(store: GraphStore, slot: _Slot) -> None:
    version = _version(store)
    if version is None:
        raise ProjectionUnavailable("the engine reports no version, so a projection could not be kept fresh")
    if slot.projection is not None and slot.projection.version == version:
        return
    if slot.failed_version == version and time.monotonic() - slot.failed_at < RETRY_SECONDS:
        return
    slot.building = True
    time.sleep(slot.settle)
    if _version(store) != version:
        return  # still being written to: look again at the next poll
    try:
        proj = build(store, max_edges=slot.max_edges)
    except ProjectionUnavailable as exc:
        slot.error = str(exc)
        slot.failed_version, slot.failed_at = version, time.monotonic()
        log.warning("no in-memory projection: %s", exc)
        return
    if _version(store) == proj.version and slot.auto:
        slot.projection = proj
        slot.error = slot.failed_version = None
