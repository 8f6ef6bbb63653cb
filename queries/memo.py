"""Statement results remembered per version of the graph, for the aggregates over all of it.

``plan_progress`` counts over the whole graph (every industrialised achievement, every
transfer's amount): at 1M nodes that is about two seconds of engine time, for figures that
change only when data is loaded. :func:`run` keeps each statement's rows together with the
store's :meth:`~graph.store.GraphStore.version` token read before the statement ran, and
hands them out again only while the store still reports that token, so a figure never
comes from an outdated graph: after any write the statement runs again.

In a process that keeps the graph fresh (:func:`queries.projection.keep_fresh`, as the API
does) the watcher thread calls :func:`refresh` after each change, so the statements
analysts asked for recently are run again in the background and the next call finds
them ready. Nothing is remembered past :data:`MAX_STATEMENTS` statements per store.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterator

from graph.errors import StoreError
from graph.store import GraphStore
from queries import cypher

log = logging.getLogger("innograph.memo")

#: statements remembered per store (the least recently asked for is dropped first)
MAX_STATEMENTS = 64


@dataclass(frozen=True)
class Remembered:
    """The rows of one statement at one version of the graph."""

    version: str
    rows: list[dict[str, Any]]
    #: when the statement ran (seconds since the epoch)
    computed_at: float


class _Book:
    """What is remembered for one store."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: (query, parameter key) → the statement's parameters and its last rows
        self.entries: OrderedDict[tuple[str, str], tuple[dict[str, Any], Remembered | None]] = OrderedDict()
        self.hits = 0
        self.runs = 0


_books: "weakref.WeakKeyDictionary[Any, _Book]" = weakref.WeakKeyDictionary()
_books_lock = threading.Lock()
_local = threading.local()


def _book(store: GraphStore) -> _Book:
    with _books_lock:
        book = _books.get(store)
        if book is None:
            book = _books[store] = _Book()
        return book


def version(store: GraphStore) -> str | None:
    """The store's version token, or None where it has none, cannot say, or remembering is off
    in this thread (then :func:`run` runs every statement)."""
    if getattr(_local, "bypass", False):
        return None
    fn = getattr(store, "version", None)
    if fn is None:
        return None
    try:
        return fn()
    except StoreError:
        return None


@contextlib.contextmanager
def bypassed() -> Iterator[None]:
    """Run every statement in this thread afresh (benchmarks: the cost without the memo)."""
    before = getattr(_local, "bypass", False)
    _local.bypass = True
    try:
        yield
    finally:
        _local.bypass = before


def run(store: GraphStore, query: str, key: str, params: dict[str, Any], *,
        at: str | None) -> Remembered:
    """The rows of ``query`` with ``params`` (``key``: their canonical text) at version ``at``
    (from :func:`version`, read once per call of the caller): the remembered rows when they were
    read at that version, else the statement's rows now (remembered when the graph did not change
    while it ran). ``at=None`` runs the statement and remembers nothing."""
    if at is None:
        return Remembered("", cypher.run(store, query, params), time.time())
    book = _book(store)
    slot = (query, key)
    with book.lock:
        entry = book.entries.get(slot)
        if entry is not None:
            book.entries.move_to_end(slot)
            if entry[1] is not None and entry[1].version == at:
                book.hits += 1
                return entry[1]
    return _compute(store, book, slot, params, at)


def _compute(store: GraphStore, book: _Book, slot: tuple[str, str], params: dict[str, Any],
             at: str) -> Remembered:
    result = Remembered(at, cypher.run(store, slot[0], params), time.time())
    still = version(store) == at  # a write while it ran: the rows may show either side of it
    with book.lock:
        book.runs += 1
        old = book.entries.get(slot)
        if still or old is None:
            book.entries[slot] = (params, result if still else None)
            book.entries.move_to_end(slot)
        while len(book.entries) > MAX_STATEMENTS:
            book.entries.popitem(last=False)
    return result


def refresh(store: GraphStore, *, settle: float = 0.0) -> int:
    """Run again every remembered statement of ``store`` whose rows are from an older version
    (the watcher's call after a change), once the graph has been quiet for ``settle`` seconds;
    returns how many ran."""
    with _books_lock:
        book = _books.get(store)
    if book is None:
        return 0
    at = version(store)
    if at is None:
        return 0
    with book.lock:
        stale = [(slot, params) for slot, (params, rem) in book.entries.items()
                 if rem is None or rem.version != at]
    if stale and settle:
        time.sleep(settle)
    for slot, params in stale:
        if version(store) != at:
            break  # changing again: the next look will catch up
        _compute(store, book, slot, params, at)
    if stale:
        log.info("ran %d remembered statements again after a change", len(stale))
    return len(stale)


def forget(store: GraphStore | None = None) -> None:
    """Drop what is remembered for ``store`` (for every store when None)."""
    with _books_lock:
        if store is None:
            _books.clear()
        else:
            _books.pop(store, None)


def status(store: GraphStore) -> dict[str, Any]:
    """How many statements are remembered for ``store`` and how often they answered."""
    with _books_lock:
        book = _books.get(store)
    if book is None:
        return {"statements": 0, "hits": 0, "runs": 0}
    with book.lock:
        return {"statements": len(book.entries), "hits": book.hits, "runs": book.runs}
