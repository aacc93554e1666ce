"""Full-text search that understands Vietnamese: Whoosh in preview, a static index when frozen.

analysis   the one analyzer (NFC, tone placement, exact and folded forms), shared by both
documents  what a page gives the index: its fields, their boosts, the order of documents
preview/   Whoosh: the index in search_index/<lang>/, queries, ranking, snippets, the engine
           and the /<lang>/search/ page
static/    the frozen site's index: each page's terms, the sharded export, its patches
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from dxportal.search.preview import views  # noqa: F401  (adds /<lang>/search/ to the portal)
from dxportal.search.preview.engine import SearchEngine


def init_app(app: Flask) -> None:
    app.extensions["dxportal.search"] = SearchEngine(
        Path(app.config["DXPORTAL_SEARCH_INDEX_DIR"]),
        app.extensions["dxportal.store"],
        app.extensions["dxportal.renderer"],
    )
