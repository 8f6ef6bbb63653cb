"""The ingestion pipeline: files → validated records → resolved entities → batched MERGE.

``ingest_paths(store, paths)`` is the one entry point (the CLI and the API call
it). A load runs in this order, so that every reference can be checked before
anything is written:

1. every file (every sheet) is opened and its kind found from its header
   (``ingest.layouts.detect_layout``);
2. alias tables first, then node files (regions, industries, organisations …,
   achievements), then edge files;
3. per file, every row is parsed and validated (pydantic, against the schema's
   models), resolved (USCC → id → normalised name → aliases) and its
   references (region, parent, industries, edge endpoints) are looked up in
   the in-memory index of the graph plus this load. A reference to nothing is
   a rejected row, never a dangling node;
4. under ``on_error="abort"`` a file with any bad row is refused whole;
   otherwise its good rows are written in batches of ``batch_size`` rows, one
   transaction per batch, with ``UNWIND … MERGE`` (idempotent; provenance
   ``file#row=N`` plus the row's ``source`` column, load time in
   ``updated_at``).
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal, Sequence

from pydantic import ValidationError

from graph.errors import ConstraintViolation, InputError, QueryTimeout, StoreError, StoreUnavailable
from graph.schema import (
    KEY_LABELS,
    NODE_SPECS,
    REL_SPECS,
    Label,
    RelType,
)
from graph.search_keys import search_props
from graph.store import GraphStore
from graph.writes import (
    create_edge_row,
    create_edges_query,
    create_node_row,
    create_nodes_query,
    NodeHandles,
    edge_key,
    update_nodes_query,
    merge_edges_query,
    merge_nodes_query,
)
from ingest.layouts import Column, Layout, _norm_choice, detect_layout, layout as layout_named, layouts
from ingest.normalize import (
    clean_text,
    parse_amount,
    parse_bool,
    parse_int,
    parse_list,
    parse_number,
    parse_uscc,
    parse_year,
)
from ingest.readers import ReadError, Table, expand_paths, is_bad_line, open_tables
from ingest.report import FileReport, IngestReport, Merge, RejectedRow
from ingest.resolve import TREE_RELS, EntityIndex, Resolution, ResolveError, cycles_closed

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]

#: the alias table shipped with the reference data; always used for matching
DEFAULT_ALIASES = Path(__file__).resolve().parent / "sample" / "reference" / "aliases.csv"
#: most merges listed one by one in a report
MAX_MERGES_LISTED = 10_000
_PROGRESS_EVERY = 2_000

_NODE_ORDER: tuple[Label, ...] = (
    Label.REGION, Label.INDUSTRY, Label.AGENCY, Label.UNIVERSITY, Label.INSTITUTE, Label.ENTERPRISE,
    Label.ORGANIZATION, Label.PLATFORM, Label.BASE, Label.FUND, Label.ALLIANCE, Label.ACHIEVEMENT,
    Label.POLICY, Label.TASK, Label.TARGET,
)
# columns of node layouts that are not properties of the node
_LAYOUT_ONLY = {"label", "subtype", "parent", "industries", "source", "region"}


def _rank(lay: Layout) -> int:
    if lay.role == "alias":
        return 0
    if lay.role == "node":
        return 1 + _NODE_ORDER.index(lay.label or Label.ORGANIZATION)
    return 100 + list(RelType).index(lay.rel)  # type: ignore[arg-type]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- cell parsers


def _choices_text(col: Column) -> str:
    parts = []
    for value, spellings in (col.choices or {}).items():
        zh = [s for s in spellings if not s.isascii()]
        parts.append(f"{value} ({'/'.join(zh[:2])})" if zh else value)
    return ", ".join(parts)


def _cached(parse: Callable[[Any], Any], size: int = 4096) -> Callable[[Any], Any]:
    """``parse`` remembering its answers for repeated cells (years, kinds, flags, sources repeat a lot).

    Errors are not remembered; results are shared, so callers never mutate them.
    """
    cache: dict[Any, Any] = {}

    def parse_cached(raw: Any) -> Any:
        try:
            return cache[raw]
        except KeyError:
            pass
        except TypeError:  # not hashable
            return parse(raw)
        value = parse(raw)
        if len(cache) >= size:
            cache.clear()
        cache[raw] = value
        return value

    return parse_cached


def _parser(col: Column, unit: float) -> Callable[[Any], Any]:
    """A function turning one raw cell into the column's value (None when empty); ValueError on bad input."""
    if col.type in ("text", "ref", "uscc"):
        return _parser_uncached(col, unit)  # mostly distinct values: a cache would only cost
    return _cached(_parser_uncached(col, unit))


def _parser_uncached(col: Column, unit: float) -> Callable[[Any], Any]:
    t = col.type
    if t in ("text", "ref"):
        return clean_text
    if t in ("list", "refs"):
        return lambda raw: parse_list(raw) or None
    if t in ("enum", "label"):
        table = col.choice_map()
        allowed = _choices_text(col)

        def enum(raw: Any) -> Any:
            text = clean_text(raw)
            if text is None:
                return None
            value = table.get(_norm_choice(text))
            if value is None:
                raise ValueError(f"{text!r} is not one of: {allowed}")
            return value

        return enum
    convert: Callable[[Any], Any]
    if t == "bool":
        convert = parse_bool
    elif t == "year":
        convert = parse_year
    elif t == "int":
        convert = parse_int
    elif t == "number":
        convert = parse_number
    elif t == "amount":
        def convert(raw: Any) -> float:
            return parse_amount(raw, unit)
    elif t == "uscc":
        convert = parse_uscc
    else:  # pragma: no cover - every ColType is handled above
        raise AssertionError(t)

    def typed(raw: Any) -> Any:
        if raw is None:
            return None
        if isinstance(raw, str):
            text = clean_text(raw)
            return None if text is None else convert(text)
        return convert(raw)

    return typed


@dataclass
class _Bound:
    pos: int
    col: Column
    header: str
    parse: Callable[[Any], Any]


def _bind(table: Table, lay: Layout) -> tuple[list[_Bound], list[str]]:
    """Which file column feeds which layout column; InputError for duplicates and missing required ones."""
    bound: list[_Bound] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for pos, header in enumerate(table.headers):
        if not header:
            continue
        col, unit = lay.match_header(header)
        if col is None:
            unknown.append(header)
            continue
        if col.field in seen:
            raise ReadError(table.name, f"columns {seen[col.field]!r} and {header!r} both give {col.zh} ({col.en})",
                            table.header_row)
        seen[col.field] = header
        bound.append(_Bound(pos, col, header, _parser(col, unit)))
    missing = [c for c in lay.columns if c.required and c.field not in seen]
    if missing:
        raise ReadError(table.name, "missing required column(s): " + ", ".join(f"{c.zh} ({c.en})" for c in missing),
                        table.header_row)
    return bound, unknown


def _parse_cells(bound: list[_Bound], cells: Sequence[Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    n = len(cells)
    for b in bound:
        raw = cells[b.pos] if b.pos < n else None
        if raw is None or raw == "":
            continue
        try:
            value = b.parse(raw)
        except ValueError as exc:
            errors.append((b.header, str(exc)))
            continue
        if value is not None:
            values[b.col.field] = value
    return values, errors


def _pydantic_errors(exc: ValidationError, header_of: dict[str, str]) -> list[tuple[str | None, str]]:
    out = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err.get("loc") else None
        out.append((header_of.get(field or "", field), err["msg"]))
    return out


# --------------------------------------------------------------------------- the load


class _Load:
    """State of one call to :func:`ingest_paths`."""

    def __init__(self, store: GraphStore, *, on_error: str, batch_size: int, progress: Progress | None,
                 now: str) -> None:
        self.store = store
        self.on_error = on_error
        self.batch_size = batch_size
        self.progress = progress
        self.now = now
        self.index = EntityIndex()
        self.report = IngestReport(on_error=on_error, started_at=now)  # type: ignore[arg-type]
        self.done = 0
        self.total: int | None = None
        self._next_tick = _PROGRESS_EVERY
        self.alias_rows: list[tuple[str, int, str, str, list[str]]] = []
        #: ids this load created, per key label: an edge touching one cannot exist yet
        self.new_ids: dict[Label, set[str]] = {}
        #: hashes of edges this load created without MERGE (a repeat falls back to MERGE)
        self.new_edges: set[int] = set()
        self.merges_dropped = 0
        #: the engine's own references of the nodes this load created (edges find their ends by them)
        self.handles = NodeHandles()
        #: sends batches from a second thread, so that the engine works while the next file is read
        self.writer = _Writer(store)

    # ------------------------------------------------------------------ progress

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done >= self._next_tick:
            self._next_tick = self.done + _PROGRESS_EVERY
            self.progress(self.done, self.total)

    # ------------------------------------------------------------------ rows

    def reject(self, sink: dict[int, list[RejectedRow]], file: str, row: int | None, column: str | None,
               reason: str) -> None:
        sink.setdefault(row or 0, []).append(RejectedRow(file=file, row=row, column=column, reason=reason))

    def finish_file(self, fr: FileReport, rejected: dict[int, list[RejectedRow]], kind_of_row: dict[int, str],
                    default_kind: str) -> None:
        for rownum, items in rejected.items():
            self.report.rejected.extend(items)
            if rownum:
                self.report.kind(kind_of_row.get(rownum, default_kind)).rejected += 1
        fr.rejected = len([r for r in rejected if r])

    # ------------------------------------------------------------------ writes

    def write_nodes(self, label: Label, rows: list[dict[str, Any]], file: str, *, kind: str | None = None) -> int:
        """Write node rows of one label; rows of entities new to the graph are CREATEd, the rest MERGEd."""
        rows, folded = _combine(rows, lambda r: r["id"])
        if folded and kind != "alias":  # several aliases of one entity are the norm, not news
            self.report.notes.append(f"{file}: {folded} {label.value} rows repeat one given earlier in the file "
                                     "and were combined with it")
        kl = NODE_SPECS[label].key_label
        fresh, same, other = [], [], []
        for r in rows:
            if r.get("_new"):
                fresh.append(r)
            elif r.get("_had") == label:
                same.append(r)  # exists with this label already: update in place
            else:
                other.append(r)
            r.pop("_had", None)
        name = kind or label.value
        written = self._batches(name, create_nodes_query(label, self.handles), fresh, file, create_node_row)
        self.new_ids.setdefault(kl, set()).update(r["id"] for r in fresh)
        written += self._batches(name, update_nodes_query(label), same, file)
        return written + self._batches(name, merge_nodes_query(label), other, file)

    def write_edges(self, rel: RelType, a: Label, b: Label, rows: list[dict[str, Any]], file: str) -> int:
        """Write edge rows; an edge with an endpoint created by this load cannot exist yet and is CREATEd."""
        key = _edge_row_key
        rows, folded = _combine(rows, key)
        new_a, new_b = self.new_ids.get(a, set()), self.new_ids.get(b, set())
        fresh, old = [], []
        seen = self.new_edges
        for r in rows:
            if r["start"] in new_a or r["end"] in new_b:
                h = hash((rel.value, r["start"], r["end"], r["key"]))
                if h not in seen:
                    seen.add(h)
                    fresh.append(r)
                    continue
            old.append(r)
        written = self._batches(rel.value, create_edges_query(rel, a, b, self.handles), fresh, file, create_edge_row)
        return written + self._batches(rel.value, merge_edges_query(rel, a, b), old, file)

    def _batches(self, kind: str, query: str, rows: list[dict[str, Any]], file: str,
                 shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> int:
        """Queue ``query`` over ``rows`` in batches, one transaction each, counted under ``kind``.

        The batches are sent in order by :class:`_Writer`; their outcomes reach
        the report when :meth:`finish_writes` is called. Returns the rows queued.
        """
        self.report.kind(kind)  # created now, so the report lists kinds in load order
        written = 0
        for batch in _batches(rows, self.batch_size):
            rownums = [r.pop("_row", None) for r in batch]
            for r in batch:
                r.pop("_new", None)
            if shape is not None:
                batch = [shape(r) for r in batch]
            self.writer.submit(query, batch, rownums, kind, file)
            written += len(batch)
        return written

    def finish_writes(self) -> None:
        """Wait for every queued batch and put the outcomes in the report; raises StoreUnavailable
        when the engine went away during the load."""
        self.writer.close()
        self._apply(self.writer.outcomes)

    def _apply(self, outcomes: list[_Outcome]) -> None:
        for out in outcomes:
            counts = self.report.kind(out.kind)
            self.report.seconds_writing += out.seconds
            if out.error is None:
                counts.created += out.created
                counts.updated += out.updated
                counts.unchanged += out.rows - out.created - out.updated
                continue
            # the engine rolled the whole batch back; say which rows it held
            self.report.rejected.append(RejectedRow(
                file=out.file, row=out.first, column=None,
                reason=f"the engine refused the batch of rows {out.first}–{out.last} ({out.rows} rows, "
                       f"none written): {out.error}"))
            counts.rejected += out.rows
            # a file's ``loaded`` counts the rows of its own kind (a node file's derived edges are not counted)
            edge_batch = out.kind in _REL_VALUES
            for fr in reversed(self.report.files):
                lay = layouts().get(fr.kind or "")
                if fr.file == out.file and lay is not None and (lay.role == "edge") == edge_batch:
                    fr.loaded = max(0, fr.loaded - out.rows)
                    break


_REL_VALUES = frozenset(t.value for t in RelType)


@dataclass
class _Outcome:
    kind: str
    file: str
    first: int | None
    last: int | None
    rows: int
    seconds: float
    created: int = 0
    updated: int = 0
    error: str | None = None


class _Writer:
    """Sends batches to the engine from one background thread, in the order given.

    The engine runs in its own process: while it works on a batch (and syncs it
    to disk), this process reads, checks and resolves the next file. Each batch
    is still one statement in one transaction; a refused batch is an outcome
    (reported as rejected rows) and the load goes on; when the engine goes away
    (:class:`StoreUnavailable`) the rest is dropped and the error raised to the
    caller at the next :meth:`submit` or at :meth:`close`. The queue is short,
    so a slow engine holds the reader back instead of piling up batches.
    """

    DEPTH = 3
    #: a batch that times out is split in halves and sent again, down to batches of this many rows
    SPLIT_DOWN_TO = 250

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.outcomes: list[_Outcome] = []
        self.error: BaseException | None = None
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=self.DEPTH)
        self._thread: threading.Thread | None = None

    def submit(self, query: str, batch: list[dict[str, Any]], rownums: list[int | None], kind: str,
               file: str) -> None:
        """Queue one batch, ``rownums`` the file rows of its rows (blocks while the queue is full)."""
        if self.error is not None:
            raise self.error
        if self._thread is None:  # started on first use: a load without writes starts no thread
            self._thread = threading.Thread(target=self._run, name="innograph-ingest-writer", daemon=True)
            self._thread.start()
        self._queue.put((query, batch, rownums, kind, file))

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self.error is not None:
                continue  # the engine is gone: drop what is left, keep the queue moving
            query, batch, rownums, kind, file = job
            try:
                self._send(query, batch, rownums, kind, file)
            except StoreUnavailable as exc:
                self.error = exc
            except BaseException as exc:  # noqa: BLE001 - a bug must reach the caller, not die in the thread
                self.error = exc

    def _send(self, query: str, batch: list[dict[str, Any]], rownums: list[int | None], kind: str,
              file: str) -> None:
        """Write one batch and record its outcome. A batch that ran past the statement time-out
        (rolled back whole by the engine; a checkpoint or a pause can cause it on a big graph) is
        sent again in two halves, down to :data:`SPLIT_DOWN_TO` rows, each half with its own
        outcome: a part still refused names only its own rows, and the parts written count."""
        out = _Outcome(kind=kind, file=file, first=rownums[0], last=rownums[-1], rows=len(batch), seconds=0.0)
        started = time.monotonic()
        try:
            result = self.store.write_batch(query, batch)
        except StoreUnavailable:
            raise
        except QueryTimeout as exc:
            if len(batch) <= self.SPLIT_DOWN_TO:
                out.error = str(exc)
                self.outcomes.append(out)
                return
            log.warning("a batch of %d rows ran past the time limit (%s); sending it again in two halves",
                        len(batch), exc)
            # the time spent on the refused attempt still counts as time writing
            self.outcomes.append(_Outcome(kind=kind, file=file, first=out.first, last=out.last, rows=0,
                                          seconds=time.monotonic() - started))
            half = len(batch) // 2
            self._send(query, batch[:half], rownums[:half], kind, file)
            self._send(query, batch[half:], rownums[half:], kind, file)
            return
        except StoreError as exc:
            out.error = str(exc)
        else:
            out.seconds = time.monotonic() - started
            rec = result[0] if result else {}
            out.created, out.updated = int(rec.get("created") or 0), int(rec.get("updated") or 0)
        self.outcomes.append(out)

    def close(self) -> None:
        """Wait until every queued batch is sent; raise the error that stopped the writer, if any."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """Stop after the batch in flight, dropping the queued ones (the load failed)."""
        if self._thread is None:
            return
        if self.error is None:
            self.error = StoreError("the load was abandoned")
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        self._thread.join()
        self._thread = None


def _edge_row_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return row["start"], row["end"], row["key"]


def _combine(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> tuple[list[dict[str, Any]], int]:
    """One row per key: later rows' properties win, sources and aliases add up. Returns (rows, rows folded)."""
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        k = key(row)
        have = out.get(k)
        if have is None:
            out[k] = row
            continue
        have["props"].update(row["props"])
        have["sources"] = have["sources"] + [x for x in row["sources"] if x not in have["sources"]]
        if "aliases" in row:
            have["aliases"] = have["aliases"] + [a for a in row["aliases"] if a not in have["aliases"]]
    return list(out.values()), len(rows) - len(out)


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    # rows went through _combine: no key occurs twice, so plain slices never put one key twice in a batch
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


# --------------------------------------------------------------------------- node files


def _applies(label: Label, field: str) -> bool:
    model_fields = NODE_SPECS[label].model.model_fields
    if field in ("label", "source", "id", "name", "aliases"):
        return True
    if field == "subtype":
        return "kind" in model_fields
    if field == "industries":
        spec = REL_SPECS[RelType.IN_INDUSTRY]
        return label in spec.start or NODE_SPECS[label].key_label in spec.start
    return field in model_fields


def _node_table(ld: _Load, table: Table, lay: Layout, fr: FileReport) -> None:
    bound, unknown = _bind(table, lay)
    if unknown:
        ld.report.notes.append(f"{table.name}: columns ignored (not in the {lay.name} layout): {', '.join(unknown)}")
    header_of = {b.col.field: b.header for b in bound}
    if "subtype" in header_of:
        header_of["kind"] = header_of["subtype"]  # pydantic names the property, the file the column
    rejected: dict[int, list[RejectedRow]] = {}
    kind_of_row: dict[int, str] = {}
    default_kind = (lay.label or Label.ORGANIZATION).value
    parsed: list[tuple[int, Label, dict[str, Any]]] = []
    file = table.name

    n_rows = 0
    try:
        for rownum, cells in table.rows:
            ld.tick()
            n_rows += 1
            bad = is_bad_line(cells)
            if bad:
                ld.reject(rejected, file, rownum, None, bad)
                continue
            values, errors = _parse_cells(bound, cells)
            if not values and not errors:
                n_rows -= 1  # a blank line
                continue
            label = lay.label or (Label(values["label"]) if "label" in values else None)
            if label is None:
                if not any(h == header_of.get("label") for h, _ in errors):
                    errors.append((header_of.get("label", "kind"), "missing: which kind of organisation is this?"))
            else:
                kind_of_row[rownum] = label.value
                if lay.label is None:
                    for field in values:
                        if not _applies(label, field):
                            errors.append((header_of.get(field, field), f"does not apply to a {label.value}"))
            if "name" not in values and not any(h == header_of.get("name") for h, _ in errors):
                errors.append((header_of.get("name", "name"), "missing: a name is required"))
            if not errors and label is not None:
                data = {k: v for k, v in values.items() if k not in _LAYOUT_ONLY}
                if "subtype" in values:
                    data["kind"] = values["subtype"]
                data.setdefault("id", "-")
                try:
                    NODE_SPECS[label].model.__pydantic_validator__.validate_python(data)
                except ValidationError as exc:
                    errors.extend(_pydantic_errors(exc, header_of))
            if errors:
                for header, reason in errors:
                    ld.reject(rejected, file, rownum, header, reason)
                continue
            parsed.append((rownum, label, values))  # type: ignore[arg-type]
    except ReadError as exc:
        ld.reject(rejected, file, exc.row, None, exc.reason + " — rows from here on were not read")
    fr.rows = n_rows

    # resolve entities, then references; a row refused for a reference is taken
    # out and the file resolved again, so nothing can point at it
    survivors = parsed
    while True:
        ld.index.begin()
        pass_rejects: dict[int, list[RejectedRow]] = {}
        resolved: list[tuple[int, Label, dict[str, Any], Resolution]] = []
        for rownum, label, values in survivors:
            kl = NODE_SPECS[label].key_label
            try:
                res = ld.index.resolve_node(label, values.get("id"), values["name"], values.get("uscc"))
            except ResolveError as exc:
                col = header_of.get("uscc") if "USCC" in str(exc) and "uscc" in values else header_of.get("id", header_of["name"])
                ld.reject(pass_rejects, file, rownum, col, str(exc))
                continue
            merged = res.existing and res.by is not None
            row_name = values["name"]
            extra = list(values.get("aliases", ()))
            if merged and res.name and row_name != res.name:
                extra.append(row_name)
            if res.existing and not merged and res.name and row_name != res.name:
                ld.index.rename(kl, res.id, row_name)
            ld.index.add(kl, label, res.id, row_name, extra, values.get("uscc"))
            if values.get("id") and values["id"] != res.id:
                ld.index.redirect(kl, values["id"], res.id)
            resolved.append((rownum, label, values, res))
        late: dict[int, list[RejectedRow]] = {}
        refs: dict[int, dict[str, Any]] = {}
        for rownum, label, values, res in resolved:
            got: dict[str, Any] = {}
            field = ""
            try:
                if "region" in values:
                    field = "region"
                    got["region"] = ld.index.resolve_ref(values["region"], (Label.REGION,))
                if "parent" in values:
                    field = "parent"
                    got["parent"] = ld.index.resolve_ref(values["parent"], (label,))
                    if got["parent"][1] == res.id:
                        raise ResolveError(f"{values['parent']!r} is the row itself; a node cannot be its own parent")
                if "industries" in values:
                    field = "industries"
                    got["industries"] = [ld.index.resolve_ref(x, (Label.INDUSTRY,)) for x in values["industries"]]
            except ResolveError as exc:
                ld.reject(late, file, rownum, header_of.get(field, field), str(exc))
                continue
            refs[rownum] = got
        _reject_conflicting_repeats(ld, resolved, refs, late, file, header_of)
        _reject_cycles(ld, [(rownum, NODE_SPECS[label].key_label, res.id, refs[rownum]["parent"][1])
                            for rownum, label, _, res in resolved
                            if rownum in refs and rownum not in late and "parent" in refs[rownum]],
                       RelType.PART_OF, late, file, header_of.get("parent", "parent"))
        if late:
            ld.index.rollback()
            for rownum, items in late.items():
                rejected.setdefault(rownum, []).extend(items)
            survivors = [s for s in survivors if s[0] not in late]
            continue
        for rownum, items in pass_rejects.items():
            rejected.setdefault(rownum, []).extend(items)
        break

    fr.kind = lay.name
    if rejected and ld.on_error == "abort":
        ld.index.rollback()
        fr.status = "refused"
        ld.finish_file(fr, rejected, kind_of_row, default_kind)
        return
    ld.index.commit()
    for kl in ({NODE_SPECS[label].key_label for _, label, _, _ in resolved} if "parent" in header_of else ()):
        ld.index.add_tree_edges(RelType.PART_OF, kl, (
            (res.id, refs[rownum]["parent"][1]) for rownum, label, _, res in resolved
            if "parent" in refs.get(rownum, ()) and NODE_SPECS[label].key_label == kl))

    source_prefix = f"{file}#"
    node_rows: dict[Label, list[dict[str, Any]]] = {}
    edge_rows: dict[tuple[RelType, Label, Label], list[dict[str, Any]]] = {}
    for rownum, label, values, res in resolved:
        kl = NODE_SPECS[label].key_label
        merged = res.existing and res.by is not None
        name = ld.index.name_of(kl, res.id) or values["name"]
        aliases = ld.index.aliases_of(kl, res.id)
        props = {k: v for k, v in values.items() if k not in _LAYOUT_ONLY and k not in ("id", "aliases")}
        if "subtype" in values:
            props["kind"] = values["subtype"]
        props["name"] = name
        got = refs.get(rownum, {})
        if "region" in got:
            props["region"] = got["region"][1]
        props.update(search_props(name, aliases))
        sources = [f"{source_prefix}row={rownum}", *values.get("source", ())]
        node_rows.setdefault(label, []).append({
            "id": res.id, "props": props, "aliases": aliases, "sources": sources,
            "replace": [source_prefix], "now": ld.now, "_row": rownum, "_new": not res.existing,
            "_had": res.kind,
        })
        if merged or (values.get("id") and values["id"] != res.id):
            if len(ld.report.merges) < MAX_MERGES_LISTED:
                ld.report.merges.append(Merge(file=file, row=rownum, name=values["name"], row_id=values.get("id"),
                                              into_id=res.id, into_name=res.name, by=res.by or "name"))
            else:
                ld.merges_dropped += 1

        def edge(rel: RelType, target: tuple[Label, str, Label]) -> None:
            edge_rows.setdefault((rel, kl, target[0]), []).append({
                "start": res.id, "end": target[1], "key": "", "props": {}, "sources": sources,
                "replace": [source_prefix], "now": ld.now, "_row": rownum,
            })

        if "region" in got:
            edge(RelType.LOCATED_IN, got["region"])
        if "parent" in got:
            edge(RelType.PART_OF, got["parent"])
        for target in got.get("industries", ()):
            edge(RelType.IN_INDUSTRY, target)

    written = 0
    for label, rows in node_rows.items():
        written += ld.write_nodes(label, rows, file)
    for (rel, a, b), rows in edge_rows.items():
        ld.write_edges(rel, a, b, rows, file)
    fr.loaded = written
    fr.status = "partly loaded" if rejected else "loaded"
    ld.finish_file(fr, rejected, kind_of_row, default_kind)


#: fields whose repeats add up (lists) or that are compared once resolved (references)
_NOT_COMPARED = {"id", "aliases", "source", "industries", "label", "region", "parent"}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _reject_conflicting_repeats(ld: _Load, resolved: list[tuple[int, Label, dict[str, Any], Resolution]],
                                refs: dict[int, dict[str, Any]], late: dict[int, list[RejectedRow]], file: str,
                                header_of: dict[str, str]) -> None:
    """Reject a row that gives an entity of this file values contradicting an earlier row for it.

    A file is one snapshot: two rows for one entity may repeat each other or fill
    each other's blanks, but not disagree (which one would be true?). The later row
    is rejected naming the earlier one and each column they disagree on. Names are
    compared only between rows that name the entity by id: rows merged by USCC,
    name or alias bring other spellings, which become aliases.
    """
    # per key label, id → position in ``resolved`` of its first row (ints: a file may hold a million rows)
    first: dict[Label, dict[str, int]] = {}
    for pos, (rownum, label, values, res) in enumerate(resolved):
        got = refs.get(rownum)
        if got is None or rownum in late:
            continue
        seen = first.setdefault(NODE_SPECS[label].key_label, {})
        at = seen.setdefault(res.id, pos)
        if at == pos:
            continue
        row0, _, values0, res0 = resolved[at]
        by0, got0 = res0.by, refs[row0]
        diffs: list[tuple[str, str, str]] = []
        for f, v in values.items():
            if f in _NOT_COMPARED or (f == "name" and (by0 is not None or res.by is not None)):
                continue
            v0 = values0.get(f)
            if v0 is not None and v0 != v:
                diffs.append((header_of.get(f, f), _shown(v0), _shown(v)))
        for f in ("region", "parent"):
            if f in got and f in got0 and got[f][1] != got0[f][1]:
                diffs.append((header_of.get(f, f), _shown(values0[f]), _shown(values[f])))
        if diffs:
            what = "; ".join(f"{h}: row {row0} has {a}, this row {b}" for h, a, b in diffs)
            ld.reject(late, file, rownum, header_of.get("id", header_of.get("name", "name")),
                      f"{res.id} is also given by row {row0} of this file, with conflicting values ({what}); "
                      "keep one row per entity (identical repeats are fine)")


def _reject_cycles(ld: _Load, edges: list[tuple[int, Label, str, str]], rel: RelType,
                   late: dict[int, list[RejectedRow]], file: str, header: str) -> None:
    """Reject rows whose tree edge (child → parent) closes a cycle with the known edges and the other rows.

    ``edges`` are ``(row, key label, child id, parent id)``; the tree lives within one
    key label (industries in industries, regions in regions). The known edges are
    those stored when the load started plus those of the files already accepted
    (``EntityIndex.trees``), not a read of the graph: their batches may still be
    on their way to the engine.
    """
    by_label: dict[Label, list[tuple[int, str, str]]] = {}
    for rownum, kl, child, parent in edges:
        by_label.setdefault(kl, []).append((rownum, child, parent))
    for kl, new in by_label.items():
        for rownum, cycle in cycles_closed(ld.index.trees.get((rel, kl), ()), new).items():
            shown = " → ".join(f"{ld.index.name_of(kl, i) or i} ({i})" for i in cycle)
            ld.reject(late, file, rownum, header,
                      f"this {rel.value} edge closes a cycle: {shown}; nothing can be part of itself "
                      "(every row of this file on the cycle is refused)")


# --------------------------------------------------------------------------- edge files


def _edge_table(ld: _Load, table: Table, lay: Layout, fr: FileReport) -> None:
    assert lay.rel is not None
    rel = lay.rel
    spec = REL_SPECS[rel]
    bound, unknown = _bind(table, lay)
    if unknown:
        ld.report.notes.append(f"{table.name}: columns ignored (not in the {lay.name} layout): {', '.join(unknown)}")
    header_of = {b.col.field: b.header for b in bound}
    start_col, end_col = lay.column("from"), lay.column("to")
    ends_spec = [("from", header_of.get("from", start_col.zh), start_col.targets),
                 ("to", header_of.get("to", end_col.zh), end_col.targets)]
    validator = spec.model.__pydantic_validator__
    prop_fields = [f for f in spec.model.model_fields if f not in ("sources", "updated_at") and f in header_of]
    key_fields = spec.key
    resolve = ld.index.resolve_ref
    replace = [f"{table.name}#"]
    rejected: dict[int, list[RejectedRow]] = {}
    groups: dict[tuple[Label, Label], list[dict[str, Any]]] = {}
    file = table.name
    source_prefix = f"{file}#"
    n_rows = 0
    try:
        for rownum, cells in table.rows:
            ld.tick()
            n_rows += 1
            bad = is_bad_line(cells)
            if bad:
                ld.reject(rejected, file, rownum, None, bad)
                continue
            values, errors = _parse_cells(bound, cells)
            if not values and not errors:
                n_rows -= 1
                continue
            ends: list[tuple[Label, str, Label] | None] = [None, None]
            for i, (field, header, targets) in enumerate(ends_spec):
                text = values.get(field)
                if text is None:
                    if not any(h == header for h, _ in errors):
                        errors.append((header, "missing: both ends of a relationship are required"))
                    continue
                try:
                    ends[i] = resolve(text, targets)
                except ResolveError as exc:
                    errors.append((header, str(exc)))
            props = {k: values[k] for k in prop_fields if k in values}
            if not errors:
                if ends[0] == ends[1]:
                    errors.append((ends_spec[1][1], "both ends are the same node"))
                if props:
                    try:
                        validator.validate_python(props)
                    except ValidationError as exc:
                        errors.extend(_pydantic_errors(exc, header_of))
            if errors:
                for header, reason in errors:
                    ld.reject(rejected, file, rownum, header, reason)
                continue
            a, b = ends  # type: ignore[misc]
            groups.setdefault((a[0], b[0]), []).append({
                "start": a[1], "end": b[1], "key": edge_key(rel, props) if key_fields else "", "props": props,
                "sources": [f"{source_prefix}row={rownum}", *values.get("source", ())],
                "replace": replace, "now": ld.now, "_row": rownum,
            })
    except ReadError as exc:
        ld.reject(rejected, file, exc.row, None, exc.reason + " — rows from here on were not read")
    if rel in TREE_RELS:
        before = set(rejected)
        _reject_cycles(ld, [(r["_row"], a, r["start"], r["end"]) for (a, b), rows in groups.items() if a == b
                            for r in rows], rel, rejected, file, ends_spec[1][1])
        cut = set(rejected) - before
        if cut:
            groups = {k: [r for r in rows if r["_row"] not in cut] for k, rows in groups.items()}
    fr.rows = n_rows
    fr.kind = lay.name
    if rejected and ld.on_error == "abort":
        fr.status = "refused"
        ld.finish_file(fr, rejected, {}, rel.value)
        return
    if rel in TREE_RELS:
        for (a, b), rows in groups.items():
            if a == b:
                ld.index.add_tree_edges(rel, a, ((r["start"], r["end"]) for r in rows))
    written = 0
    for (a, b), rows in groups.items():
        written += ld.write_edges(rel, a, b, rows, file)
    fr.loaded = written
    fr.status = "partly loaded" if rejected else "loaded"
    ld.finish_file(fr, rejected, {}, rel.value)


# --------------------------------------------------------------------------- alias tables


def _alias_table(ld: _Load, table: Table, lay: Layout, fr: FileReport, *, persist: bool = True) -> None:
    bound, unknown = _bind(table, lay)
    if unknown:
        ld.report.notes.append(f"{table.name}: columns ignored (not in the alias layout): {', '.join(unknown)}")
    header_of = {b.col.field: b.header for b in bound}
    rejected: dict[int, list[RejectedRow]] = {}
    good: list[tuple[str, int, str, str, list[str]]] = []
    n_rows = 0
    try:
        for rownum, cells in table.rows:
            ld.tick()
            n_rows += 1
            bad = is_bad_line(cells)
            if bad:
                ld.reject(rejected, table.name, rownum, None, bad)
                continue
            values, errors = _parse_cells(bound, cells)
            if not values and not errors:
                n_rows -= 1
                continue
            for f in ("alias", "name"):
                if f not in values and not errors:
                    errors.append((header_of.get(f, f), "missing"))
            if errors:
                for header, reason in errors:
                    ld.reject(rejected, table.name, rownum, header, reason)
                continue
            good.append((table.name, rownum, values["alias"], values["name"], values.get("source", [])))
    except ReadError as exc:
        ld.reject(rejected, table.name, exc.row, None, exc.reason)
    fr.rows = n_rows
    fr.kind = lay.name
    if rejected and ld.on_error == "abort":
        fr.status = "refused"
        ld.finish_file(fr, rejected, {}, "alias")
        return
    for _, _, alias, name, _ in good:
        ld.index.add_alias(alias, name)
    if persist:
        ld.alias_rows.extend(good)
    fr.loaded = len(good)
    fr.status = "partly loaded" if rejected else "loaded"
    ld.finish_file(fr, rejected, {}, "alias")


def _persist_aliases(ld: _Load) -> None:
    """Store each alias on the node it names, so later loads and search find it without the table."""
    rows: dict[Label, list[dict[str, Any]]] = {}
    unknown: list[str] = []
    for file, rownum, alias, name, sources in ld.alias_rows:
        try:
            kl, id_, label = ld.index.resolve_ref(name, KEY_LABELS)
        except ResolveError:
            unknown.append(f"{alias} → {name}")
            continue
        ld.index.add(kl, label, id_, ld.index.name_of(kl, id_) or name, [alias], None)
        full = ld.index.name_of(kl, id_) or name
        aliases = ld.index.aliases_of(kl, id_)
        rows.setdefault(label, []).append({
            "id": id_, "props": search_props(full, aliases), "aliases": aliases,
            "sources": [f"{file}#row={rownum}", *sources], "replace": [f"{file}#"], "now": ld.now, "_row": rownum,
            "_file": file,
        })
    for label, batch in rows.items():
        by_file: dict[str, list[dict[str, Any]]] = {}
        for row in batch:
            by_file.setdefault(row.pop("_file"), []).append(row)
        for file, part in by_file.items():
            ld.write_nodes(label, part, file, kind="alias")
    if unknown:
        ld.report.kind("alias").unchanged += len(unknown)
        ld.report.notes.append(
            f"{len(unknown)} aliases name nothing in the graph and were kept for matching only: "
            + ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""))


# --------------------------------------------------------------------------- entry point


def _header_check(headers: list[str]) -> bool:
    """True when a row looks like a header: one of its cells names a known column."""
    for lay in layouts().values():
        for h in headers:
            if lay.match_header(h)[0] is not None:
                return True
    return False


def ingest_paths(
    store: GraphStore,
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_error: Literal["skip", "abort"] = "skip",
    batch_size: int = 5000,
    progress: Progress | None = None,
    aliases: Iterable[str | os.PathLike[str]] | None = None,
    kind: str | None = None,
    default_aliases: bool = True,
    now: str | None = None,
) -> IngestReport:
    """Load files and folders into ``store``; see the module doc for the order of work.

    ``on_error``: ``"skip"`` loads the good rows of a file with bad ones,
    ``"abort"`` loads nothing from such a file. ``progress(done_rows,
    total_rows_or_None)`` is called every few thousand rows. ``aliases`` are
    extra alias tables (columns 简称/alias, 全称/name); the reference table
    shipped in ``ingest/sample/reference/aliases.csv`` is always used for
    matching unless ``default_aliases=False``. ``kind`` forces the layout of
    every file (``innograph template`` lists them). Raises :class:`InputError`
    for bad arguments and :class:`StoreUnavailable` when the engine goes away;
    problems with files and rows are in the report, never raised.
    """
    if on_error not in ("skip", "abort"):
        raise InputError(f"on_error must be 'skip' or 'abort', not {on_error!r}")
    if not 1 <= batch_size <= 1_000_000:
        raise InputError(f"batch size must be between 1 and 1,000,000, not {batch_size}")
    forced = layout_named(kind) if kind else None
    started = time.monotonic()
    ld = _Load(store, on_error=on_error, batch_size=batch_size, progress=progress, now=now or _now())
    files = expand_paths(list(paths))
    alias_files = [Path(p) for p in (aliases or ())]
    for p in alias_files:
        if not p.is_file():
            raise InputError(f"{p}: no such alias file")

    tables: list[tuple[int, int, Table, Layout, FileReport]] = []
    closers: list[Callable[[], None]] = []
    # A load allocates millions of small acyclic objects; the default thresholds
    # would run the cycle collector over them thousands of times.
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1000)
    try:
        order = 0
        extra = [(p, layouts()["alias"]) for p in alias_files]
        for path, fixed in [*extra, *[(p, forced) for p in files]]:
            fr = FileReport(file=path.name)
            try:
                for table in open_tables(path, is_header=_header_check):
                    closers.append(table.close)
                    fr = FileReport(file=table.name, encoding=table.encoding)
                    lay = fixed or detect_layout(table.headers, f"{path.stem} {table.hint}".strip(), table.sample)
                    fr.kind = lay.name
                    tables.append((_rank(lay), order, table, lay, fr))
                    order += 1
            except InputError as exc:
                reason = exc.reason if isinstance(exc, ReadError) else str(exc)
                row = exc.row if isinstance(exc, ReadError) else None
                fr.status = "unreadable"
                ld.report.files.append(fr)
                ld.report.rejected.append(RejectedRow(file=fr.file, row=row, column=None, reason=reason))
        hints = [t[2].size_hint for t in tables]
        ld.total = sum(h for h in hints if h) if hints and all(h is not None for h in hints) else None

        ld.index.load(store)
        if default_aliases and DEFAULT_ALIASES.is_file():
            # the shipped table only helps matching: its own defects are notes, not this load's rejections
            before = len(ld.report.rejected)
            for table in open_tables(DEFAULT_ALIASES):
                closers.append(table.close)
                _alias_table(ld, table, layouts()["alias"], FileReport(file=table.name), persist=False)
            for r in ld.report.rejected[before:]:
                ld.report.notes.append(f"shipped alias table {r.file} row {r.row}: {r.reason}")
            del ld.report.rejected[before:]
            ld.done = 0
            ld.report.counts.pop("alias", None)

        tables.sort(key=lambda t: (t[0], t[1]))
        aliases_written = False
        for rank, _, table, lay, fr in tables:
            if rank >= 100 and not aliases_written:
                _persist_aliases(ld)
                aliases_written = True
            rejected_before = len(ld.report.rejected)
            try:
                if lay.role == "alias":
                    _alias_table(ld, table, lay, fr)
                elif lay.role == "node":
                    _node_table(ld, table, lay, fr)
                else:
                    _edge_table(ld, table, lay, fr)
            except ReadError as exc:
                fr.status = "unreadable"
                ld.report.rejected.append(RejectedRow(file=fr.file, row=exc.row, column=None, reason=exc.reason))
            if fr.rows == 0 and len(ld.report.rejected) == rejected_before:
                # a header with nothing under it is most often the wrong file or an export that went wrong
                fr.status = "refused"
                ld.report.rejected.append(RejectedRow(
                    file=fr.file, row=None, column=None,
                    reason=f"no data rows: the file has a header (row {table.header_row}) and nothing under it"
                    if table.header_row else "no data rows: the file holds no records"))
            ld.report.files.append(fr)
        if not aliases_written:
            _persist_aliases(ld)
        ld.finish_writes()
    finally:
        ld.writer.abandon()  # only does something when the load stopped on an error
        gc.set_threshold(*thresholds)
        for close in closers:
            try:
                close()
            except Exception:  # noqa: BLE001 - closing is best effort
                log.debug("closing a table failed", exc_info=True)
    if ld.merges_dropped:
        ld.report.notes.append(f"{ld.merges_dropped} more merges were not listed")
    ld.report.rows_read = ld.done
    ld.report.seconds = round(time.monotonic() - started, 3)
    if progress is not None:
        progress(ld.done, ld.done)
    return ld.report
