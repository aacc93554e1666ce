"""Full-text search that understands Vietnamese: Whoosh in preview, a static index when frozen.

analysis  the one analyzer (NFC, tone placement, exact and folded forms)
index     the Whoosh index in search_index/<lang>/, built aside and swapped in
query     visitor queries parsed safely into Whoosh queries
snippets  highlighted passages
engine    runs a query against the current index
export    the static index for the frozen site
views     /<lang>/search/
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from dxportal.search.preview.engine import SearchEngine


def init_app(app: Flask) -> None:
    app.extensions["dxportal.search"] = SearchEngine(
        Path(app.config["DXPORTAL_SEARCH_INDEX_DIR"]),
        app.extensions["dxportal.store"],
        app.extensions["dxportal.renderer"],
    )
