"""Markdown bodies to safe HTML: python-markdown, then nh3 with an allow-list.

The allow-list is exactly what our Markdown extensions produce (heading ids from toc, footnote
ids and classes, table alignment as the ``align`` attribute) and nothing that can run script:
no ``style``, no ``on*`` handlers, no ``javascript:`` URLs, no ``target`` (so no rel is needed).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import markdown
import nh3

from .slugs import make_slug

EXTENSIONS = ["tables", "footnotes", "toc", "attr_list", "sane_lists", "fenced_code", "abbr"]
EXTENSION_CONFIGS = {
    "toc": {"slugify": make_slug, "toc_depth": "2-3"},
    "tables": {"use_align_attribute": True},
}
BACKLINK_TITLES = {"vi": "Quay lại chỗ dẫn chú thích %d", "en": "Back to reference %d"}
# A wide table scrolls inside a focusable region, so keyboard users can scroll it too.
TABLE_LABELS = {"vi": "Bảng {n}", "en": "Table {n}"}
TABLE_START = re.compile(r"<table>")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"scope"},
    "ol": {"start"},
}  # fmt: skip
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
ALLOWED_CLASSES = {
    "a": {"footnote-ref", "footnote-backref"},
    "div": {"footnote"},
    "th": ALIGN_CLASSES,
    "td": ALIGN_CLASSES,
}
# The obsolete align attribute becomes a class (inline styles would need a laxer CSP).
ALIGN_ATTRIBUTE = re.compile(r'<(t[hd]) align="(left|center|right)"')
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Content must not add a second page heading: demote a Markdown "# ..." to h2.
HEADING_DEMOTION = {"<h1": "<h2", "</h1>": "</h2>"}


class Renderer:
    """Renders Markdown bodies to sanitized HTML, each (body, language, prefix) once.

    Links and images written from the site root (``/vi/news/x/``, ``/media/a.png``) get
    ``url_prefix``, so content works when the site is deployed under a sub-path.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._cache: dict[tuple[str, str, str], str] = {}

    def _markdown(self, lang: str) -> markdown.Markdown:
        instances = self._local.__dict__.setdefault("instances", {})
        md = instances.get(lang)
        if md is None:
            configs = dict(EXTENSION_CONFIGS)
            configs["footnotes"] = {"BACKLINK_TITLE": BACKLINK_TITLES.get(lang, "%d")}
            md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs)
            instances[lang] = md
        return md

    def render(self, body: str, lang: str, url_prefix: str = "") -> str:
        key = (body, lang, url_prefix.rstrip("/"))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._render(*key)
        return cached

    def _render(self, body: str, lang: str, url_prefix: str) -> str:
        md = self._markdown(lang)
        md.reset()
        html = md.convert(body)
        for old, new in HEADING_DEMOTION.items():
            html = html.replace(old, new)
        html = ALIGN_ATTRIBUTE.sub(r'<\1 class="align-\2"', html)

        def rewrite_url(tag: str, attribute: str, value: str) -> str | None:
            if attribute in ("href", "src") and value.startswith("/") and value[1:2] != "/":
                return url_prefix + value
            return value

        return wrap_tables(sanitize(html, rewrite_url), lang)


def wrap_tables(html: str, lang: str) -> str:
    """Put each (already sanitized) table in a labelled, keyboard-scrollable region."""
    label = TABLE_LABELS.get(lang, TABLE_LABELS["en"])
    counter = iter(range(1, 1000))

    def opening(match: re.Match) -> str:
        name = label.format(n=next(counter))
        return f'<div class="table-wrap" role="region" tabindex="0" aria-label="{name}"><table>'

    return TABLE_START.sub(opening, html).replace("</table>", "</table></div>")


def sanitize(html: str, attribute_filter: Callable[[str, str, str], str | None] | None) -> str:
    """Keep only the allow-listed tags, attributes, classes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=attribute_filter,
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )
