"""A translation started in the newsroom is a pending copy like any new page, and a page that
exists only as a pending copy can be opened in the site preview by the people of the newsroom."""

from __future__ import annotations

from newsroom_support import post, sign_in

from dxportal.build.pipeline import freeze_site
from dxportal.editor import audit

from conftest import parse

TRANSLATE_URL = "/edit/translate/news/hop/en/"
ENGLISH = "build/en/news/hop/index.html"


def build(app_for, content, tmp_path) -> None:
    freeze_site(app_for(content, DXPORTAL_NOW="2026-12-01T09:00"))


def english_article(tmp_path):
    return parse((tmp_path / ENGLISH).read_text(encoding="utf-8")).select_one("article.article")


def test_a_writers_translation_waits_for_review_and_goes_live_when_approved(
    newsroom, newsroom_app, app_for, tmp_path
):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    response = post(writer, TRANSLATE_URL)
    assert response.headers["Location"] == "/edit/page/news/hop/en/"
    assert not (newsroom / "news/hop.en.md").exists()  # nothing in content/ before review
    opened = writer.get("/edit/page/news/hop/en/").get_data(as_text=True)
    assert "Translated from hop.vi.md" in opened
    build(app_for, newsroom, tmp_path)
    assert english_article(tmp_path).get("lang") == "vi"  # the Vietnamese page, as a fallback
    record = audit.read_record(tmp_path / ".newsroom", "news/hop.en")
    assert [(e.person, e.action) for e in record] == [("lan", "translate")]

    assert post(writer, "/edit/change/news/hop/en/submit").status_code == 302
    assert post(sign_in(app, "hoa"), "/edit/change/news/hop/en/approve").status_code == 302
    build(app_for, newsroom, tmp_path)
    assert english_article(tmp_path).get("lang") is None  # the English version itself


def test_translating_twice_changes_nothing(newsroom, newsroom_app):
    writer = sign_in(newsroom_app(), "lan")
    post(writer, TRANSLATE_URL)
    again = post(writer, TRANSLATE_URL)
    assert again.headers["Location"] == "/edit/"
    listing = writer.get("/edit/").get_data(as_text=True)
    assert "content/news/hop.en.md" in listing


def test_a_page_that_exists_only_as_a_pending_copy_opens_as_readers_will_see_it(
    newsroom, newsroom_app
):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    new_url = "/edit/new/news/vi/"
    token = parse(writer.get(new_url)).find("input", attrs={"name": "csrf_token"})["value"]
    data = {"csrf_token": token, "digest": "", "slug": "moi", "title": "Tin mới toanh",
            "date": "2026-11-30", "body": "Đoạn đầu của tin.", "action": "save"}  # fmt: skip
    assert writer.post(new_url, data=data).status_code == 302
    assert writer.get("/vi/news/moi/").status_code == 404  # the site preview reads content/

    links = parse(writer.get("/edit/page/news/moi/vi/?lang=en")).select(".editor-actions a")
    opened = next(a for a in links if "readers will see it" in a.text)
    page = writer.get(opened["href"])
    assert page.status_code == 200
    assert parse(page).h1.text.strip() == "Tin mới toanh"
    assert "Đoạn đầu của tin." in parse(page).select_one("article").text
    another = sign_in(app, "hoa")
    assert another.get(opened["href"]).status_code == 200
    signed_out = app.test_client().get(opened["href"])
    assert signed_out.status_code == 302 and "/edit/login" in signed_out.headers["Location"]


def test_a_published_page_without_a_change_links_to_the_site_preview(newsroom, newsroom_app):
    writer = sign_in(newsroom_app(), "lan")
    links = parse(writer.get("/edit/page/news/hop/vi/?lang=en")).select(".editor-actions a")
    assert "/vi/news/hop/" in [a["href"] for a in links]
