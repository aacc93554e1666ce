"""`{% shared "name", key… %}…{% endshared %}`: markup that is the same on every page of a
language (the header's brand and search form, the navigation, the footer, the stylesheet
links), rendered once per app, language and key instead of once per page.

A fragment depends on the language, the loaded content (site.yml, the static pages that
exist), the address the site is served at, the translations, the templates and the static
files' versions, plus what the tag names after the fragment's name (say the page's section,
for the navigation's ``aria-current``). The first three are part of every key (the content
by identity: a new ContentSet, as a preview or ``build --watch`` makes after a change,
renders the fragments again); the translations, templates and static files do not change
within a built app (``build --watch`` makes the app again when they do), and a preview app,
which reloads them, renders every fragment every time.

The url_for calls inside a fragment run when it is rendered, not on every page that shows it:
a frozen build still sees each of its links once (on the first page of each language and
key), which is all Frozen-Flask needs to find the addresses its generators do not give.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context


class SharedFragments(Extension):
    """The ``shared`` tag; ``environment.shared_fragments`` is its store (None: no caching)."""

    tags = {"shared"}

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.extend(shared_fragments=None)

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endshared",), drop_needle=True)
        arguments = [nodes.ContextReference(), nodes.Tuple(key, "load")]
        call = self.call_method("_render", arguments)
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render(self, context: Context, key: tuple, caller: Callable[[], str]) -> str:
        store: dict | None = self.environment.shared_fragments  # type: ignore[attr-defined]
        if store is None:
            return caller()
        site = context.get("site")
        # The address: request.root_url would say the same, at the cost of an IRI conversion
        # per page (about 4% of a page's CPU).
        address = (request.scheme, request.host, request.root_path) if request else None
        full_key = (context.get("lang"), address, *key)
        found = store.get(full_key)
        if found is None or found[0] is not site:
            found = store[full_key] = (site, caller())
        return found[1]


def init_app(app, cache: bool) -> None:
    """Install the tag; fragments are kept (until the app is made again) when ``cache``."""
    app.jinja_env.add_extension(SharedFragments)
    app.jinja_env.shared_fragments = {} if cache else None
