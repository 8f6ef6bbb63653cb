"""ASGI entry point for servers that import the app by name (``innograph serve --workers N``, gunicorn).

``uvicorn --factory api.asgi:app_from_env`` builds one app per worker process,
with settings read from the environment when that worker starts.
"""

from __future__ import annotations

from fastapi import FastAPI


def app_from_env() -> FastAPI:
    """The app for the settings in the environment (``INNOGRAPH_*``)."""
    from api import create_app
    from innograph.settings import Settings

    return create_app(Settings())
