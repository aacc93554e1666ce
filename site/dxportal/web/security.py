"""The Content-Security-Policy every page carries, headers for static hosts, asset versions.

Scripts and styles come only from the site's own files (no 'unsafe-inline'), nothing is loaded
from elsewhere, and no plugin or foreign frame can run. The meta tag works on any static host;
hosts that read a `_headers` file (or nginx, see docs/deploy/nginx.conf) also get
frame-ancestors, which a meta tag cannot carry.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask

from dxportal.messages import LANGUAGES

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "frame-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
HEADER_ONLY_DIRECTIVES = {"frame-ancestors": "'none'"}


def content_security_policy(for_header: bool = False) -> str:
    directives = dict(CSP_DIRECTIVES)
    if for_header:
        directives.update(HEADER_ONLY_DIRECTIVES)
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# Pages, feeds, calendars and the search index (whose files are not versioned, so they must
# change together): a few minutes. Files linked with ?v=<content hash>: a year.
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"
ROOT_FILES = ("/", "/index.html", "/404.html", "/sitemap.xml", "/robots.txt")


def headers_file() -> str:
    """A `_headers` file (Netlify, Cloudflare Pages and others): security and cache headers.

    Cache-Control is never set on `/*`: Cloudflare Pages applies every matching rule and joins
    the values of a repeated header, so `/static/*` would get both a short and a long policy.
    """
    lines = [
        "/*",
        f"  Content-Security-Policy: {content_security_policy(for_header=True)}",
        "  X-Content-Type-Options: nosniff",
        "  Referrer-Policy: strict-origin-when-cross-origin",
        "  Permissions-Policy: camera=(), microphone=(), geolocation=()",
    ]
    for path in (*ROOT_FILES, *(f"/{lang}/*" for lang in LANGUAGES)):
        lines += [path, f"  Cache-Control: {SHORT_CACHE}"]
    lines += ["/static/*", f"  Cache-Control: {LONG_CACHE}"]
    for path in ("/media/*", "/thumbnails/*"):
        lines += [path, "  Cache-Control: public, max-age=86400"]
    return "\n".join([*lines, ""])


def init_app(app: Flask) -> None:
    """CSP for templates; static URLs carry a content hash (?v=…) so they can be cached forever."""
    app.jinja_env.globals["CONTENT_SECURITY_POLICY"] = content_security_policy()
    versions: dict[str, str] = {}

    @app.url_defaults
    def version_static_files(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        filename = values["filename"]
        if filename not in versions or app.config["DXPORTAL_PREVIEW"]:
            path = Path(app.static_folder) / filename
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else ""
            versions[filename] = digest
        if versions[filename]:
            values["v"] = versions[filename]
