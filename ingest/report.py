"""What a load did: typed results the CLI prints and the API returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class RejectedRow(BaseModel):
    """One reason a row (or a whole file) was not loaded."""

    file: str
    row: int | None = Field(None, description="row number as a spreadsheet shows it (header = 1); None: the whole file")
    column: str | None = Field(None, description="the header of the offending column, as written in the file")
    reason: str


class Merge(BaseModel):
    """A row that resolved to an entity known under another id or spelling."""

    file: str
    row: int
    name: str = Field(description="the name as the row wrote it")
    row_id: str | None = Field(None, description="the id the row gave, if any")
    into_id: str
    into_name: str | None = None
    by: Literal["uscc", "name", "alias"]


class KindCounts(BaseModel):
    """Rows of one kind (a label or a relationship type) and what became of them."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected


class FileReport(BaseModel):
    """One file (or sheet) of a load."""

    file: str
    kind: str | None = None
    encoding: str | None = None
    rows: int = 0
    loaded: int = 0
    rejected: int = 0
    status: Literal["loaded", "partly loaded", "refused", "unreadable"] = "loaded"


class IngestReport(BaseModel):
    """The summary of one load: counts per kind, every rejected row, every merge."""

    on_error: Literal["skip", "abort"] = "skip"
    counts: dict[str, KindCounts] = Field(default_factory=dict)
    rejected: list[RejectedRow] = Field(default_factory=list)
    merges: list[Merge] = Field(default_factory=list)
    files: list[FileReport] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    rows_read: int = 0
    seconds: float = 0.0
    #: of ``seconds``, the time the engine spent on write batches
    seconds_writing: float = 0.0
    started_at: str | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return not self.rejected

    def kind(self, name: str) -> KindCounts:
        """The counts of one kind, created on first use."""
        if name not in self.counts:
            self.counts[name] = KindCounts()
        return self.counts[name]

    def merge_from(self, other: "IngestReport") -> None:
        """Add another load's figures to this one (used by the demo, which loads twice)."""
        for name, c in other.counts.items():
            mine = self.kind(name)
            mine.created += c.created
            mine.updated += c.updated
            mine.unchanged += c.unchanged
            mine.rejected += c.rejected
        self.rejected += other.rejected
        self.merges += other.merges
        self.files += other.files
        self.notes += other.notes
        self.rows_read += other.rows_read
        self.seconds += other.seconds
        self.seconds_writing += other.seconds_writing

    def table(self, *, max_rejected: int = 50, max_merges: int = 20) -> str:
        """The summary as plain-text tables for a terminal."""
        lines = []
        width = max([len(k) for k in self.counts] + [4])
        head = f"{'kind':<{width}}  {'created':>9} {'updated':>9} {'unchanged':>9} {'rejected':>9}"
        lines += [head, "-" * len(head)]
        total = KindCounts()
        for name in sorted(self.counts):
            c = self.counts[name]
            lines.append(f"{name:<{width}}  {c.created:>9} {c.updated:>9} {c.unchanged:>9} {c.rejected:>9}")
            total.created += c.created
            total.updated += c.updated
            total.unchanged += c.unchanged
            total.rejected += c.rejected
        lines.append("-" * len(head))
        lines.append(f"{'total':<{width}}  {total.created:>9} {total.updated:>9} {total.unchanged:>9} {total.rejected:>9}")
        lines.append(f"{self.rows_read} rows read in {self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s; "
                     f"{self.seconds_writing:.1f} s of it writing)")
        refused = [f for f in self.files if f.status in ("refused", "unreadable")]
        for f in refused:
            lines.append(f"{f.status}: {f.file} ({f.kind or 'unknown kind'}), nothing loaded from it")
        if self.rejected:
            lines.append("")
            lines.append(f"rejected ({len(self.rejected)}):")
            for r in self.rejected[:max_rejected]:
                where = f"{r.file}" + (f" row {r.row}" if r.row is not None else "") + (f" [{r.column}]" if r.column else "")
                lines.append(f"  {where}: {r.reason}")
            if len(self.rejected) > max_rejected:
                lines.append(f"  … and {len(self.rejected) - max_rejected} more (see --json)")
        if self.merges:
            lines.append("")
            lines.append(f"merged ({len(self.merges)}):")
            for m in self.merges[:max_merges]:
                lines.append(f"  {m.file} row {m.row}: {m.name!r} → {m.into_name!r} ({m.into_id}) by {m.by}")
            if len(self.merges) > max_merges:
                lines.append(f"  … and {len(self.merges) - max_merges} more (see --json)")
        for note in self.notes:
            lines.append(f"note: {note}")
        return "\n".join(lines)
