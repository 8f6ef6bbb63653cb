"""The server deployment: the compose file validates and refuses default secrets."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from innograph.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def compose(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("docker-compose")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is missing under CI (scripts/test installs it)")
        pytest.skip("docker-compose not installed: apt-get install docker-compose")
    base = {k: v for k, v in os.environ.items() if k not in ("NEO4J_PASSWORD", "INNOGRAPH_API_KEYS")}
    return subprocess.run([exe, "-f", str(REPO / "docker-compose.yml"), "config"], capture_output=True, text=True,
                          env={**base, **env}, cwd=REPO, timeout=60)


def test_compose_file_is_valid_with_secrets_set() -> None:
    proc = compose({"NEO4J_PASSWORD": "a-real-secret", "INNOGRAPH_API_KEYS": "k1"})
    assert proc.returncode == 0, proc.stderr
    assert "neo4j:5.26-community" in proc.stdout
    assert "service_healthy" in proc.stdout


def test_compose_refuses_to_start_without_a_password() -> None:
    proc = compose({"INNOGRAPH_API_KEYS": "k1"})
    assert proc.returncode != 0
    assert "NEO4J_PASSWORD" in proc.stderr


@pytest.mark.parametrize("password", ["neo4j", "password", "Neo4j "])
def test_settings_refuse_a_default_password(password: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687")
    monkeypatch.setenv("INNOGRAPH_NEO4J_PASSWORD", password)
    with pytest.raises(ValidationError, match="default Neo4j password"):
        Settings()


def test_settings_read_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOGRAPH_API_KEYS", "k1, k2")
    monkeypatch.setenv("INNOGRAPH_CORS_ORIGINS", "http://a.example")
    s = Settings()
    assert [k.get_secret_value() for k in s.api_keys] == ["k1", "k2"]
    assert s.cors_origins == ["http://a.example"]
    assert s.engine == "falkordb"
    assert "k1" not in repr(s)
