"""Markdown bodies to safe HTML: python-markdown, then nh3 with an allow-list.

The allow-list is exactly what our Markdown extensions produce (heading ids from toc, footnote
ids and classes, table alignment as the ``align`` attribute) and nothing that can run script:
no ``style``, no ``on*`` handlers, no ``javascript:`` URLs, no ``target`` (so no rel is needed).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import markdown
import nh3

from dxportal.addresses import AddressRefused, addresses_in_html, normalise, refusal
from dxportal.cache import DiskCache, hash_files, hash_text
from dxportal.slugs import make_slug

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
# Characters a page must not hold (the HTML parser reports them, XML feeds cannot carry them):
# C0 controls but tab, line and form feed and carriage return; DEL; C1 controls; noncharacters.
# They come in pasted from office documents; the renderer drops them, `dxportal check` warns.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
# Content must not add a second page heading: demote a Markdown "# ..." to h2.
HEADING_DEMOTION = {"<h1": "<h2", "</h1>": "</h2>"}


def renderer_version() -> str:
    """Everything that changes the HTML of a body besides the body: cache entries are kept apart.

    The libraries' versions, the extensions and their settings, the allow-lists, the labels,
    and the source of this module and of the slug function (any change to the code around
    them).
    """

    def named(value: object) -> object:
        return f"{value.__module__}.{value.__qualname__}" if callable(value) else repr(value)

    settings = {
        "markdown": markdown.__version__,
        "nh3": metadata.version("nh3"),
        "idna": metadata.version("idna"),
        "python-slugify": metadata.version("python-slugify"),
        "extensions": EXTENSIONS,
        "configs": EXTENSION_CONFIGS,
        "backlinks": BACKLINK_TITLES,
        "tables": TABLE_LABELS,
        "tags": sorted(ALLOWED_TAGS),
        "attributes": {tag: sorted(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        "classes": {tag: sorted(names) for tag, names in ALLOWED_CLASSES.items()},
        "schemes": sorted(URL_SCHEMES),
        "demotion": HEADING_DEMOTION,
    }
    here = Path(__file__).resolve().parent
    code = hash_files([here / "rendering.py", here / "slugs.py", here / "addresses.py"], here)
    return hash_text(json.dumps(settings, sort_keys=True, default=named), code)


class Renderer:
    """Renders Markdown bodies to sanitized HTML, each (body, language, prefix) once.

    Links and images written from the site root (``/vi/news/x/``, ``/media/a.png``) get
    ``url_prefix``, so content works when the site is deployed under a sub-path. With a
    ``cache_dir``, results are kept on disk by content hash and renderer version, shared by
    the preview, the build and its worker processes.
    """

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._local = threading.local()
        self._cache: dict[tuple[str, str, str], str] = {}
        self.disk = DiskCache(cache_dir, "markdown", renderer_version()) if cache_dir else None

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
            cached = self._cache[key] = self._render_cached(*key)
        return cached

    def _render_cached(self, body: str, lang: str, url_prefix: str) -> str:
        if self.disk is None:
            return self._render(body, lang, url_prefix)
        disk_key = hash_text(lang, url_prefix, body)
        stored = self.disk.get(disk_key)
        if stored is not None:
            try:
                return stored.decode("utf-8")
            except UnicodeDecodeError:
                pass
        html = self._render(body, lang, url_prefix)
        self.disk.put(disk_key, html.encode("utf-8"))
        return html

    def _render(self, body: str, lang: str, url_prefix: str) -> str:
        md = self._markdown(lang)
        md.reset()
        html = md.convert(FORBIDDEN_CHARACTERS.sub("", body))
        for old, new in HEADING_DEMOTION.items():
            html = html.replace(old, new)
        html = ALIGN_ATTRIBUTE.sub(r'<\1 class="align-\2"', html)

        def rewrite_url(tag: str, attribute: str, value: str) -> str | None:
            if attribute not in ("href", "src"):
                return value
            try:  # `dxportal check` reports every refused address (written_addresses)
                value = normalise(value)
            except AddressRefused:
                return None
            if not value and attribute == "src":
                return None
            if value.startswith("/") and value[1:2] != "/":
                return url_prefix + value
            return value

        return wrap_tables(sanitize(html, rewrite_url), lang)


_plain = threading.local()
# may_write_refused_address: what sends a body to the full (Markdown) search for addresses.
UNUSUAL = re.compile(r"[<&\\{\x00-\x09\x0b-\x1f\x7f-\x9f]")
DESTINATION = re.compile(r"\][ \t\n]*[(:][ \t\n]*")
FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\n]*$")
SITE_OR_FRAGMENT = re.compile(r"/(?![/\\])|#")
WEB_HOST = re.compile(r"https?://[A-Za-z0-9.:\[\]_-]*(?=[/?#)]|$)", re.I)
MAIL_OR_PHONE = re.compile(r"(?:mailto|tel):[^\s)\"'(]", re.I)


def spans_lines(body: str, start: int) -> bool:
    """Whether the parenthesised address from ``start`` runs into the next line (or on)."""
    depth = 1
    for index in range(start, len(body)):
        char = body[index]
        if char == "\n":
            return True
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return False
    return True


def may_write_refused_address(body: str) -> bool:
    """False when no address the Markdown ``body`` writes can be refused (a quick test).

    Without ``<`` (raw HTML, autolinks), ``&`` (entities), ``\\``, ``{`` (attribute lists)
    and control characters, python-markdown writes addresses only after ``](`` and ``]:``;
    one that starts with ``/`` or ``#``, or with ``https://`` and a valid host, or ``mailto:``
    or ``tel:`` and something, cannot be refused. Anything else is looked at in full
    (written_addresses), which costs a Markdown conversion.
    """
    if UNUSUAL.search(body):
        return True
    for match in DESTINATION.finditer(body):
        start = match.end()
        if body[match.start() : start].lstrip("]").lstrip().startswith(":"):
            line_start = body.rfind("\n", 0, match.start()) + 1
            if FOOTNOTE_DEFINITION.match(body[line_start : match.start()]):
                continue
        elif spans_lines(body, start):
            return True  # python-markdown keeps a line break in such an address
        if SITE_OR_FRAGMENT.match(body, start) or MAIL_OR_PHONE.match(body, start):
            continue
        web = WEB_HOST.match(body, start)
        if web is None or refusal(web.group(0) + "/") is not None:
            return True
    return False


def written_addresses(body: str) -> list[tuple[str, str]]:
    """(tag, address) of every link and image the Markdown ``body`` writes, in order.

    Raw HTML included, as written (entities decoded) before the sanitizer sees it: what
    ``dxportal check`` judges with addresses.refusal.
    """
    md = getattr(_plain, "md", None)
    if md is None:
        md = _plain.md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS
        )
    md.reset()
    return addresses_in_html(md.convert(body))


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
