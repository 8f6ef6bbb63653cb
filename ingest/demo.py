"""The demo data set: the real reference data plus a generated activity set."""

from __future__ import annotations

import tempfile
from pathlib import Path

from graph.store import GraphStore
from ingest.generate import REFERENCE, generate
from ingest.pipeline import Progress, ingest_paths
from ingest.report import IngestReport


def load_demo(store: GraphStore, *, scale: int = 3000, seed: int = 7, progress: Progress | None = None,
              batch_size: int = 5000) -> IngestReport:
    """Load the reference data (regions, industries, chains, real organisations, aliases) and
    ``scale`` generated nodes (written into a temporary folder first). Idempotent for a seed."""
    report = ingest_paths(store, [REFERENCE], progress=progress, batch_size=batch_size)
    with tempfile.TemporaryDirectory(prefix="innograph-demo-") as tmp:
        generate(Path(tmp), scale=scale, seed=seed, with_reference=False)
        report.merge_from(ingest_paths(store, [tmp], progress=progress, batch_size=batch_size))
    # The policy layer last: its agencies, funds, platforms and industries then
    # resolve to the reference nodes loaded above instead of new ones.
    from ingest.policy import load_sample_policies

    for policy in load_sample_policies(store):
        report.notes.append(
            f"policy {policy.title}: {policy.tasks} tasks, {policy.targets} targets, "
            f"{policy.departments} departments ({policy.agencies_linked} linked to reference agencies)"
        )
    return report
