"""FastAPI app: JSON API, exports, analyst web pages, pyvis views."""

from api.app import create_app

__all__ = ["create_app"]
