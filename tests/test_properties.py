"""Property-based tests: whatever a communicator or visitor types, nothing but a content error
or an empty result comes out, and nothing in it can run."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dxportal.content import body_scan
from dxportal.content.body_scan import mask_code
from dxportal.content.loader import parse_page_text
from dxportal.content.rendered_marks import needs_rendering
from dxportal.content.schema import SECTIONS
from dxportal.content.yamlfile import load_mapping
from dxportal.rendering import Renderer
from dxportal.slugs import SLUG_PATTERN, make_slug

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
front_matter_text = st.one_of(
    st.text(),
    st.builds(
        lambda fm, body: f"---\n{fm}\n---\n{body}",
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200),
        st.text(max_size=200),
    ),
    st.builds(
        lambda key, value: f"---\ntitle: A\ndate: 2021-03-03\n{key}: {value}\n---\nbody",
        st.sampled_from(["title", "date", "tags", "draft", "image", "summary", "updated", "x"]),
        st.text(max_size=40),
    ),
)


@FAST
@given(front_matter_text, st.sampled_from(sorted(SECTIONS)))
def test_the_loader_returns_a_page_or_problems_never_an_exception(text, section):
    problems: list = []
    page = parse_page_text(text, Path("x.vi.md"), SECTIONS[section], "x", "vi", problems)
    assert (page is None) == bool(problems)
    for problem in problems:
        assert str(problem).startswith("x.vi.md")


@FAST
@given(st.text())
def test_yaml_mappings_never_raise(text):
    problems: list = []
    load_mapping(text, Path("site.yml"), problems)
    assert all(str(p).startswith("site.yml") for p in problems)


@FAST
@given(st.text())
def test_slugs_are_always_url_safe(text):
    slug = make_slug(text)
    assert slug == "" or SLUG_PATTERN.match(slug)


RENDERER = Renderer()
HTML_PIECES = list("<>\"'=/ :;()&#[]!-*_`|\\\n") + [
    "script", "onerror", "a ", "img", "href", "javascript", "svg", "iframe", "style", "x",
]  # fmt: skip
html_like = st.lists(st.sampled_from(HTML_PIECES), max_size=60).map("".join)


@FAST
@given(st.one_of(st.text(max_size=300), html_like))
def test_rendered_markdown_never_carries_script(body):
    html = BeautifulSoup(RENDERER.render(body, "vi", "/portal"), "html.parser")
    assert html.find(["script", "iframe", "svg", "style", "object", "embed", "form"]) is None
    for tag in html.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on")
            assert name != "style"
            if name in ("href", "src"):
                assert not str(value).strip().lower().startswith(("javascript", "data", "vbscript"))


@FAST
@given(st.one_of(st.text(max_size=300), html_like), st.sampled_from(["vi", "en"]))
def test_search_queries_never_raise(raw, lang):
    from dxportal.search.preview.query import build_query, parse_query

    parsed = parse_query(raw, lang)
    assert len(parsed.text) <= 200
    if not parsed.is_empty:
        build_query(parsed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(query=st.one_of(st.text(max_size=120), html_like))
def test_the_search_page_answers_any_query_without_echoing_markup(client, query):
    response = client.get("/vi/search/", query_string={"q": query})
    assert response.status_code == 200
    html = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert html.select("main script:not([src])") == []
    assert all(not name.startswith("on") for tag in html.select("main *") for name in tag.attrs)


MARKDOWN_PIECES = list("[]()!\\<>`~ \n\t#:-*_\"'") + [
    "](",
    "![",
    "\\[",
    "][",
    "[x](/y/)",
    "đ",
    "~~~",
    "```",
    "<!--",
    "-->",
    "\n    ",
]
markdown_like = st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=60).map("".join)


@FAST
@given(st.one_of(st.text(max_size=200), markdown_like))
@example("a <!-- [x](/y/) --> b")
@example("a `[x](/y/)` b")
@example("~~~\n[x](/y/)\n~~~")
def test_a_body_that_needs_no_rendering_has_no_code_to_mask(body):
    """The scan reads such a body as it is (body_scan._body_marks): masking would not
    change a character of it."""
    if not needs_rendering(body):
        assert mask_code(body) == body


# The scan's expressions as first written, with the lookbehind before the opening bracket;
# now it comes after it, so that the bracket is searched for first.
PLAIN_LINK = re.compile(r"(?<![!\\])\[(" + body_scan._TEXT + r")\]" + body_scan._URL)
PLAIN_REFERENCE = re.compile(r"(?<![!\\\]])\[(" + body_scan._TEXT + r")\]\[([^\]]*)\]")


@settings(FAST, max_examples=400)
@given(st.one_of(st.text(max_size=200), markdown_like))
def test_the_link_expressions_find_what_their_plain_forms_find(text):
    for plain, used in ((PLAIN_LINK, body_scan.LINK), (PLAIN_REFERENCE, body_scan.REFERENCE_LINK)):
        found = [(m.span(), m.groups()) for m in used.finditer(text)]
        assert found == [(m.span(), m.groups()) for m in plain.finditer(text)]
