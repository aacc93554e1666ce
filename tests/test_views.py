"""Pages as a visitor gets them from the server, HTML parsed."""

from __future__ import annotations

import os
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from conftest import page_text, parse

MEETING = "/vi/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/"
VI_ONLY = "/en/news/ban-chi-dao-hop-hang-quy-thong-tin-hang-thang/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_root_sends_visitors_to_vietnamese_with_a_link_to_english(client):
    html = parse(client.get("/"))
    refresh = html.find("meta", attrs={"http-equiv": "refresh"})
    assert refresh["content"] == "0; url=/vi/"
    assert {a["href"] for a in html.select("main a")} == {"/vi/", "/en/"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_says_its_language_and_has_share_metadata(client, lang):
    html = parse(client.get(f"/{lang}/"))
    assert html.html["lang"] == lang
    assert html.title.get_text().strip()
    assert html.find("meta", attrs={"name": "description"})["content"]
    assert html.find("link", rel="canonical")["href"] == f"http://localhost/{lang}/"
    alternates = {ln["hreflang"]: ln["href"] for ln in html.find_all("link", hreflang=True)}
    assert alternates == {
        "vi": "http://localhost/vi/", "en": "http://localhost/en/",
        "x-default": "http://localhost/vi/",
    }  # fmt: skip
    og = {m["property"]: m["content"] for m in html.find_all("meta", property=True)}
    assert og["og:locale"] == {"vi": "vi_VN", "en": "en_GB"}[lang]
    assert og["og:image"].startswith("http://localhost/static/img/share.png")
    assert html.select_one("a.skip-link")["href"] == "#main"
    assert html.find("main")["id"] == "main"


def test_home_shows_latest_news_and_a_way_into_each_section(client):
    html = parse(client.get("/vi/"))
    news_links = [a["href"] for a in html.select("#latest-news ~ .entry-list a")]
    assert MEETING in news_links
    section_links = {a["href"] for a in html.select(".section-card a")}
    assert section_links == {"/vi/goals/", "/vi/training/", "/vi/outreach/", "/vi/documents/"}


def test_article_renders_title_date_body_and_tags(client):
    html = parse(client.get(MEETING))
    assert html.find("h1").get_text() == "Họp Ban Chỉ đạo Chuyển đổi số lần thứ nhất"
    assert html.select_one(".article__meta time").get_text() == "3 tháng 3, 2021"
    assert html.select_one(".prose table") is not None
    assert html.select_one(".prose .footnote") is not None
    assert "/vi/tags/ban-chi-dao/" in {a["href"] for a in html.select(".tag-list a")}
    og = {m["property"]: m["content"] for m in html.find_all("meta", property=True)}
    assert og["og:type"] == "article"
    assert og["og:image"] == "http://localhost/media/hop-ban-chi-dao.svg"
    figure = html.select_one(".article__figure img")
    assert figure["alt"]
    assert (figure["width"], figure["height"]) == ("1200", "630")  # space kept while loading


def test_english_article_has_english_dates(client):
    html = parse(client.get(MEETING.replace("/vi/", "/en/")))
    assert html.html["lang"] == "en"
    assert html.select_one(".article__meta time").get_text() == "March 3, 2021"


def test_language_switcher_leads_to_the_same_page(client):
    html = parse(client.get(MEETING))
    other = html.select_one(".language-switch a[hreflang=en]")
    assert other["href"] == MEETING.replace("/vi/", "/en/")
    assert other["lang"] == "en"


def test_missing_translation_shows_vietnamese_with_a_notice(client):
    response = client.get(VI_ONLY)
    assert response.status_code == 200
    html = parse(response)
    assert html.html["lang"] == "en"
    notice = html.select_one("p.notice").get_text()
    assert "not yet available in English" in notice
    assert html.select_one("article")["lang"] == "vi"
    canonical = html.find("link", rel="canonical")["href"]
    assert canonical == "http://localhost" + VI_ONLY.replace("/en/", "/vi/")
    assert {ln["hreflang"] for ln in html.find_all("link", hreflang=True)} == {"vi", "x-default"}
    switch = html.select_one(".language-switch a[hreflang=vi]")
    assert client.get(switch["href"]).status_code == 200


def test_untranslated_items_are_marked_in_english_lists(client):
    html = parse(client.get("/en/news/"))
    card = next(c for c in html.select(".entry-card") if c.get("lang") == "vi")
    assert card.select_one(".badge").get_text() == "In Vietnamese only"


def test_static_pages_live_at_the_language_root(client):
    html = parse(client.get("/vi/about/"))
    assert html.find("h1").get_text().strip()
    assert html.select_one(".main-nav a[aria-current=page]")["href"] == "/vi/about/"


@pytest.fixture
def many_news(make_content, app_for):
    files = {
        f"news/tin-{n:02d}.vi.md": page_text(
            f"Tin {n:02d}", f"2021-01-{n:02d}", tags="[ban-chi-dao]"
        )
        for n in range(1, 24)
    }
    return app_for(make_content(files)).test_client()


def test_section_lists_are_paginated_newest_first(many_news):
    first = parse(many_news.get("/vi/news/"))
    titles = [a.get_text() for a in first.select(".entry-card__title a")]
    assert titles == [f"Tin {n:02d}" for n in range(23, 13, -1)]
    assert first.select_one(".pagination a[rel=next]")["href"] == "/vi/news/page/2/"
    third = parse(many_news.get("/vi/news/page/3/"))
    assert [a.get_text() for a in third.select(".entry-card__title a")] == [
        "Tin 03", "Tin 02", "Tin 01"
    ]  # fmt: skip
    assert third.select_one(".pagination a[rel=prev]")["href"] == "/vi/news/page/2/"
    assert many_news.get("/vi/news/page/4/").status_code == 404
    assert many_news.get("/vi/news/page/1/").status_code == 308


def test_tag_pages_list_tagged_entries(many_news):
    html = parse(many_news.get("/en/tags/ban-chi-dao/"))
    assert html.find("h1").get_text() == "Topic: Steering Committee"
    assert len(html.select(".entry-card")) == 10
    assert many_news.get("/en/tags/ban-chi-dao/page/3/").status_code == 200
    assert many_news.get("/en/tags/unknown/").status_code == 404


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [("/en/nothing-here/", "en", "Page not found"), ("/vi/news/khong-co/", "vi", None)],
)
def test_unknown_pages_get_a_404_in_the_visitors_language(client, path, lang, heading):
    response = client.get(path)
    assert response.status_code == 404
    html = parse(response)
    assert html.html["lang"] == lang
    if heading:
        assert html.find("h1").get_text() == heading


def test_drafts_show_in_preview_with_a_banner_only(make_content, app_for):
    root = make_content({"news/nhap.vi.md": page_text("Bản nháp", draft="true")})
    published = app_for(root).test_client()
    assert published.get("/vi/news/nhap/").status_code == 404
    preview = app_for(root, DXPORTAL_PREVIEW=True).test_client()
    html = parse(preview.get("/vi/news/nhap/"))
    assert html.select_one(".preview-banner") is not None
    assert html.select_one(".notice--draft") is not None


def test_preview_shows_content_problems_instead_of_a_traceback(make_content, app_for):
    root = make_content({"news/hong.vi.md": "---\ntitle: A\ndate: 3/3/2021\n---\n"})
    client = app_for(root, DXPORTAL_PREVIEW=True).test_client()
    expected = {
        "en": "'date' must be a date written YYYY-MM-DD, e.g. 2021-03-03 (got '3/3/2021')",
        "vi": "'date' phải là ngày viết theo dạng NNNN-TT-NN, ví dụ 2021-03-03 "
        "(đang là '3/3/2021')",
    }
    for lang, message in expected.items():
        response = client.get(f"/{lang}/")
        assert response.status_code == 500
        html = parse(response)
        assert html.html["lang"] == lang
        problems = [li.get_text(" ", strip=True) for li in html.select(".problem-list li")]
        assert problems == [f"{root}/news/hong.vi.md:3 {message}"]


def test_preview_picks_up_edits_without_a_restart(make_content, app_for):
    root = make_content({"news/sua.vi.md": page_text("Trước khi sửa")})
    client = app_for(root, DXPORTAL_PREVIEW=True).test_client()
    assert parse(client.get("/vi/news/sua/")).find("h1").get_text() == "Trước khi sửa"
    path = root / "news/sua.vi.md"
    path.write_text(page_text("Sau khi sửa"), encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert parse(client.get("/vi/news/sua/")).find("h1").get_text() == "Sau khi sửa"


def test_news_feed_is_valid_atom_in_the_visitors_language(client):
    response = client.get("/en/news/feed.xml")
    assert response.mimetype == "application/xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert "http://localhost/en/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/" in ids
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "html" and "<p>" in content.text
    assert entries[0].find(f"{ATOM}published").text.endswith("+07:00")


def test_sitemap_lists_real_pages_with_hreflang_alternates(client):
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    urls = {u.find(f"{SITEMAP}loc").text: u for u in sitemap.findall(f"{SITEMAP}url")}
    meeting = urls["http://localhost" + MEETING]
    alternates = {ln.get("hreflang") for ln in meeting.findall(f"{XHTML}link")}
    assert alternates == {"vi", "en"}
    assert "http://localhost" + VI_ONLY not in urls  # a fallback is not a page of its own
    assert "http://localhost/en/news/" in urls


def test_robots_points_to_the_sitemap(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_navigation_uses_the_short_label_from_site_settings(client):
    for lang, label in [("vi", "Giới thiệu"), ("en", "About")]:
        html = parse(client.get(f"/{lang}/"))
        link = html.select_one(f'.main-nav a[href="/{lang}/about/"]')
        assert link.get_text() == label


def test_articles_offer_share_links_that_need_no_script(client):
    html = parse(client.get(MEETING))
    tools = html.select_one("section.page-tools")
    links = [a["href"] for a in tools.select("a")]
    shared = quote("http://localhost" + MEETING, safe="/")
    assert f"https://www.facebook.com/sharer/sharer.php?u={shared}" in links
    assert any(h.startswith("mailto:?subject=") and h.endswith(shared) for h in links)
    # Print and copy are buttons that only the page script reveals.
    assert [li.has_attr("hidden") for li in tools.select("li:has(button)")] == [True, True]
    assert html.find("script", src=lambda s: s and s.startswith("/static/js/page-tools.js?v="))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_footer_links_the_accessibility_statement_and_privacy_note(client, lang):
    html = parse(client.get(f"/{lang}/"))
    footer_links = {a["href"] for a in html.select(".site-footer__links a")}
    assert {f"/{lang}/accessibility/", f"/{lang}/privacy/"} <= footer_links
    statement = parse(client.get(f"/{lang}/accessibility/"))
    assert "WCAG 2.1" in statement.select_one(".prose").get_text()
