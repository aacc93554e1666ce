"""Old addresses of renamed pages (``aliases:``) answered with a small redirect page.

The redirect works on any static host: a meta refresh, a canonical link to the new address
and a plain link, no script. Unknown addresses stay 404.
"""

from __future__ import annotations

from flask import current_app, g, render_template

from dxportal.content.model import Page
from dxportal.messages import LANGUAGES


def find_alias(path: str) -> tuple[Page, str] | None:
    """The page that ``path`` is an old address of, and the language of that address."""
    lang = path.strip("/").split("/", 1)[0]
    if lang not in LANGUAGES:
        return None
    site = current_app.extensions["dxportal.store"].get()
    for page in site.pages():
        if path in page.aliases:
            return page, lang
    return None


def render_alias(path: str):
    """The redirect page for an old address, or None if ``path`` is not one."""
    found = find_alias(path)
    if found is None:
        return None
    page, lang = found
    g.lang = lang
    entry = current_app.extensions["dxportal.store"].get().entry(page.section, page.slug)
    return render_template("redirect.html", entry=entry, target=entry.version(lang))
