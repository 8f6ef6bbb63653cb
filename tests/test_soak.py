"""The loopback soak in its short CI form (about 30 s per engine); the full form is
``python -m tests.soak --minutes 5``. Zero failed requests, every concurrent ingest round succeeds, and
the API's and the engine's memory stay within the stated bound after warm-up."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests import soak

SECONDS = float(os.environ.get("INNOGRAPH_SOAK_SECONDS", "30"))


def test_short_soak_has_no_errors_and_bounded_memory(engine: str, engine_env: dict[str, str], tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    env = {k: v for k, v in engine_env.items() if k.startswith("INNOGRAPH_NEO4J_")}
    engine_pid = None
    if engine == "neo4j":
        server = request.getfixturevalue("neo4j_server").get("server")
        engine_pid = server.proc.pid if server is not None and server.proc is not None else None
    figures = soak.run(SECONDS / 60, clients=8, orgs=1500, workdir=tmp_path, env=env, engine_pid=engine_pid,
                       sample_every=1.0)
    out = Path(os.environ.get("INNOGRAPH_FIGURES_DIR", tmp_path)) / f"soak-{engine}.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    assert figures["failed"] == 0, figures["failed_examples"]
    assert figures["ingest_rounds"] >= 1 and figures["ingest_rounds_failed"] == 0, (tmp_path / "ingest-errors.log")
    assert figures["api_alive"]
    for key, grew in figures["rss_growth_after_warmup_mb"].items():
        assert grew <= figures["rss_bounds_mb"][key], f"{key} grew {grew} MB after warm-up"
    assert figures["requests"] > 100
