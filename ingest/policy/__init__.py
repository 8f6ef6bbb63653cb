"""Policy texts → the policy graph: a spaCy pipeline for Chinese plans, tasks, departments and targets.

Public entry points (imported lazily so that ``import ingest.policy`` stays cheap):

* :func:`extract_policy` — read a file and return the :class:`PolicyAnalysis` (offsets kept);
  ``.to_extraction()`` gives the documented JSON shape;
* :func:`load_policy` — write a plan's policy layer into a graph store, idempotently;
* :func:`build_pipeline` — the spaCy pipeline itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "extract_policy", "load_policy", "load_sample_policies", "build_pipeline", "gazetteer_from_store",
    "PolicyReport", "PolicyAnalysis", "PolicyExtraction", "SAMPLE_POLICY_DIR",
]

if TYPE_CHECKING:  # pragma: no cover
    from ingest.policy.load import PolicyReport, gazetteer_from_store, load_policy, load_sample_policies
    from ingest.policy.model import PolicyAnalysis, PolicyExtraction
    from ingest.policy.pipeline import build_pipeline

_LAZY = {
    "load_policy": "ingest.policy.load", "load_sample_policies": "ingest.policy.load",
    "PolicyReport": "ingest.policy.load", "gazetteer_from_store": "ingest.policy.load",
    "extract_policy": "ingest.policy.load", "SAMPLE_POLICY_DIR": "ingest.policy.load",
    "build_pipeline": "ingest.policy.pipeline",
    "PolicyAnalysis": "ingest.policy.model", "PolicyExtraction": "ingest.policy.model",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
