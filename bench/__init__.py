"""Benchmarks of innograph: ingest, queries, analytics and API on both engines.

``python -m bench`` (or ``innograph bench``) generates the datasets, starts
each engine itself, measures, and writes ``docs/benchmarks.md`` and
``docs/benchmarks.json``. See ``bench.cli`` for the options and
``docs/benchmarks.md`` for what each figure means.
"""

from pathlib import Path

#: the repository this benchmark belongs to (datasets and results are relative to it)
REPO_ROOT = Path(__file__).resolve().parent.parent
