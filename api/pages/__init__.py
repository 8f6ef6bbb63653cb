"""Server-rendered pages for analysts (Chinese first, English beside).

``router`` carries every page, the name-suggestion endpoint ``/suggest`` and the
static files under ``/static``; ``api.create_app`` includes it.
"""

from api.pages.routes import router
from api.pages import analysis_pages as _analysis_pages  # noqa: F401 - registers its pages on ``router``

__all__ = ["router"]
