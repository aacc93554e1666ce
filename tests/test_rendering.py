"""Markdown rendering: the extensions we promise, and nothing from content that can run."""

from __future__ import annotations

import sys

import pytest

from dxportal.rendering import Renderer

from conftest import parse


@pytest.fixture
def render():
    renderer = Renderer()
    return lambda body, lang="vi", prefix="": renderer.render(body, lang, prefix)


def test_heading_anchors_transliterate_vietnamese(render):
    html = parse(render("## Đổi mới số\n\n### Họp Ban Chỉ đạo lần thứ nhất"))
    assert html.find("h2")["id"] == "doi-moi-so"
    assert html.find("h3")["id"] == "hop-ban-chi-dao-lan-thu-nhat"


def test_slugs_do_not_change_when_another_transliterator_is_installed(render, monkeypatch):
    """python-slugify's default backend prefers Unidecode when it is importable: installing
    it (another package may pull it in) would change every address and heading anchor."""
    import types

    from dxportal.slugs import make_slug

    other = types.ModuleType("unidecode")
    other.unidecode = lambda text: "other"
    monkeypatch.setitem(sys.modules, "unidecode", other)
    assert make_slug("Đổi mới số") == "doi-moi-so"
    assert parse(render("## Đổi mới số")).find("h2")["id"] == "doi-moi-so"


def test_a_level_one_heading_in_content_is_demoted(render):
    html = parse(render("# Second title"))
    assert html.find("h1") is None
    assert html.find("h2").get_text() == "Second title"


def test_tables_keep_alignment_as_classes(render):
    html = parse(render("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |"))
    assert [td["class"] for td in html.select("tbody td")] == [
        ["align-left"], ["align-center"], ["align-right"]
    ]  # fmt: skip
    assert html.select("[style], [align]") == []


def test_footnotes_link_both_ways_with_a_translated_title(render):
    html = parse(render("Text[^1]\n\n[^1]: Báo Đồng Khởi, 4/3/2021", lang="en"))
    ref = html.select_one("sup a.footnote-ref")
    assert ref["href"] == "#fn:1"
    note = html.select_one("div.footnote li#fn\\:1")
    back = note.select_one("a.footnote-backref")
    assert back["href"] == "#fnref:1"
    assert back["title"] == "Back to reference 1"


def test_attribute_lists_cannot_add_handlers_or_styles(render):
    html = parse(render('## Title {#keep onclick="alert(1)" style="color:red" .x}'))
    heading = html.find("h2")
    assert heading.attrs == {"id": "keep"}


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<iframe src="https://example.org"></iframe>',
        "<svg><script>alert(1)</script></svg>",
        '<div style="background:url(javascript:alert(1))" onmouseover="alert(1)">x</div>',
        '<form action="/x"><input name=a></form>',
        '<object data="x.swf"></object>',
    ],
)
def test_nothing_in_content_can_run_script(render, body):
    html = parse(render(body))
    assert html.select("script, iframe, svg, object, embed, form, input, style") == []
    for tag in html.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.startswith("on")
            assert name != "style"
            assert "javascript" not in str(value).lower()


def test_root_links_and_images_get_the_sub_path(render):
    body = "[news](/vi/news/x/) ![map](/media/map.png) [ext](https://example.org/) [rel](../y/)"
    html = parse(render(body, prefix="/portal"))
    assert [a["href"] for a in html.find_all("a")] == [
        "/portal/vi/news/x/", "https://example.org/", "../y/"
    ]  # fmt: skip
    img = html.find("img")
    assert img["src"] == "/portal/media/map.png"
    assert img["loading"] == "lazy"


def test_protocol_relative_links_are_not_prefixed(render):
    html = parse(render("[x](//example.org/a)", prefix="/portal"))
    assert html.find("a")["href"] == "//example.org/a"


def test_tables_scroll_in_a_labelled_keyboard_region(render):
    html = parse(render("| a |\n|---|\n| 1 |\n\n| b |\n|---|\n| 2 |", lang="en"))
    regions = html.select("div.table-wrap")
    assert [r["aria-label"] for r in regions] == ["Table 1", "Table 2"]
    assert all(r["role"] == "region" and r["tabindex"] == "0" for r in regions)
    assert all(r.find("table") for r in regions)


@pytest.mark.parametrize(
    ("svg", "size"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30px">', (40, 30)),
        ('<svg viewBox="0 0 595 842" xmlns="http://www.w3.org/2000/svg">', (595, 842)),
        ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0,0,12.5,10'>", (12, 10)),
        ('<svg width="100%" xmlns="http://www.w3.org/2000/svg">', None),
        ("not an svg", None),
    ],
)
def test_svg_dimensions_come_from_size_or_view_box(svg, size):
    from dxportal.content.media import svg_dimensions

    assert svg_dimensions(svg) == size


def test_characters_a_page_cannot_hold_are_dropped(render):
    """Pasted from office documents: vertical tab, C0 and C1 controls, DEL, noncharacters."""
    html = render("Chuyển\x0bđổi\x01 số\x7f\x85 tỉnh\ufffe Bến Tre.")
    assert parse(html).get_text() == "Chuyểnđổi số tỉnh Bến Tre."
