"""Answers of the busiest read endpoints as JSON bytes, serialised once.

FastAPI checks what an endpoint returns against its ``response_model`` by
validating it again and then serialising it; for a plain ``def`` endpoint the
validation runs in a second hop through the thread pool. The query modules build
their answers as the very models the endpoints declare (validated when built),
so the entity, search, neighbourhood, path and plan progress endpoints return
:func:`json_response` instead: the same bytes (pydantic's serialiser, field
aliases, the response model still in the OpenAPI document), one hop fewer.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel

MEDIA_TYPE = "application/json"


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """``model`` as the JSON document its endpoint's response model describes."""
    return Response(content=model.model_dump_json(by_alias=True), status_code=status_code, media_type=MEDIA_TYPE)
