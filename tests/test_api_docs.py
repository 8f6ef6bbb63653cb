"""docs/api.md documents every route of the API and every setting the API reads."""

from __future__ import annotations

import re
from pathlib import Path

from api import create_app
from innograph.settings import Settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
API_SETTINGS = ("host", "port", "workers", "api_keys", "require_key_for_reads", "cors_origins", "max_upload_mb",
                "request_timeout", "query_timeout", "data_dir")


def test_every_route_is_documented(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    app = create_app(Settings(data_dir=tmp_path), store=object())  # the schema needs no engine
    schema = app.openapi()
    missing = []
    for path, ops in schema["paths"].items():
        if not (path.startswith("/api/") or path in ("/health", "/ready")):
            continue
        for method in ops:
            if not re.search(rf"`{method.upper()} {re.escape(path)}[`?]", text):
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"docs/api.md does not document: {missing}"


def test_every_api_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in API_SETTINGS:
        assert name in Settings.model_fields
        assert f"INNOGRAPH_{name.upper()}" in text, name
