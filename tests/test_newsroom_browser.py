"""The newsroom in headless Chromium, two people in two browser contexts: a writer changes a
published article and sends it for review; the build keeps the old text; an editor approves;
the build has the new text; the record names both. Every newsroom page passes axe."""

from __future__ import annotations

import pytest
from browser_support import ServedSite, run_axe, serve_app
from newsroom_support import NEWS, NOW, PASSWORD, editor_app

from dxportal import create_app
from dxportal.build.pipeline import freeze_site

pytestmark = pytest.mark.usefixtures("cheap_hashes")


def signed_in(open_page, site: ServedSite, login: str):
    page, watch = open_page(site, "/edit/login", width=1280)
    assert run_axe(page) == []
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/edit/")
    return page, watch


def build(content, tmp_path) -> str:
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(content),
        "DXPORTAL_BUILD_DIR": str(tmp_path / "build"),
        "DXPORTAL_NOW": NOW,
    })  # fmt: skip
    freeze_site(app)
    return (tmp_path / "build/vi/news/hop/index.html").read_text(encoding="utf-8")


def test_a_writer_and_an_editor_publish_a_change_together(newsroom, open_page, tmp_path):
    app = editor_app(newsroom, tmp_path / "build")
    with serve_app(app) as origin:
        site = ServedSite(newsroom, origin)
        writer, writer_watch = signed_in(open_page, site, "lan")
        writer.goto(site.url("/edit/page/news/hop/vi/"))
        writer.frame_locator("#preview-frame").locator("main").wait_for()
        assert run_axe(writer) == []
        writer.fill("#f-body", "Văn bản mới từ trình duyệt.")
        writer.click(".editor-buttons button[value=save]")
        writer.locator(".review-bar").wait_for()
        writer.click(".review-bar a[href*='/edit/change/']")
        assert run_axe(writer) == []
        writer.click("form[action$='/submit'] button")
        writer.wait_for_url("**/edit/change/news/hop/vi/")
        assert "Văn bản cũ." in (newsroom / NEWS).read_text(encoding="utf-8")
        live = build(newsroom, tmp_path)
        assert "Văn bản cũ." in live and "Văn bản mới" not in live

        editor, editor_watch = signed_in(open_page, site, "hoa")
        editor.goto(site.url("/edit/review/"))
        assert run_axe(editor) == []
        editor.click("a[href='/edit/change/news/hop/vi/']")
        assert "Văn bản mới từ trình duyệt." in editor.locator("pre.diff ins").inner_text()
        assert run_axe(editor) == []
        editor.click("form[action$='/approve'] button")
        editor.wait_for_url("**/edit/page/news/hop/vi/")
        assert "Người lan" in editor.locator(".review-bar").inner_text()  # lan's lock
        editor.frame_locator("#preview-frame").locator("main").wait_for()
        assert run_axe(editor) == []
        live = build(newsroom, tmp_path)
        assert "Văn bản mới từ trình duyệt." in live and "Văn bản cũ." not in live

        editor.goto(site.url("/edit/record/news/hop/vi/"))
        record = editor.locator("main table").inner_text()
        assert "Người lan" in record and "Người hoa" in record
        assert run_axe(editor) == []
        editor.goto(site.url("/edit/record/"))
        assert run_axe(editor) == []
        for watch in (writer_watch, editor_watch):
            assert watch.console_errors == [] and watch.failed_requests == []
            assert watch.outside_requests == []


@pytest.mark.parametrize("width", [360, 1280])
def test_the_users_page_and_the_header_pass_axe(newsroom, open_page, tmp_path, width):
    app = editor_app(newsroom, tmp_path / "build")
    with serve_app(app) as origin:
        site = ServedSite(newsroom, origin)
        admin, watch = signed_in(open_page, site, "an")
        account = admin.locator("header .editor-account")
        assert "Người an" in account.text_content()
        assert account.locator("button", has_text="Đăng xuất").is_visible()
        admin.set_viewport_size({"width": width, "height": 900})
        admin.click(".main-nav a[href='/edit/users/']")
        admin.wait_for_url("**/edit/users/")
        assert run_axe(admin) == []
        admin.select_option("#role-lan", "editor")
        admin.click("form[action='/edit/users/lan/'] button:has-text('Đổi vai trò')")
        admin.wait_for_url("**/edit/users/")
        assert admin.locator("#role-lan").input_value() == "editor"
        assert watch.console_errors == []
