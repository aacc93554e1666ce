"""The editor in headless Chromium, served by a real server: accessible pages, and a whole
article written through the form (with an image), previewed, saved and published."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from browser_support import ServedSite, run_axe, serve_app
from PIL import Image
from werkzeug.security import generate_password_hash

from dxportal import create_app
from dxportal.build.pipeline import freeze_site

from conftest import page_text

NOW = "2026-12-01T09:00"


@pytest.fixture
def editor_site(make_content, tmp_path) -> Iterator[ServedSite]:
    root = make_content(
        {
            "news/hop.vi.md": page_text("Họp Ban Chỉ đạo", body="## Nội dung\n\nVăn bản."),
            "news/hop.en.md": page_text("Steering Committee meeting", body="## Text\n\nText."),
            "news/nhap.vi.md": page_text("Bản nháp", body="[tại đây](/vi/news/hop/)", draft="true"),
        }
    )
    app = create_app(
        {
            "DXPORTAL_CONTENT_DIR": str(root),
            "DXPORTAL_BUILD_DIR": str(tmp_path / "build"),
            "DXPORTAL_PREVIEW": True,
            "DXPORTAL_EDITOR": True,
            "DXPORTAL_NOW": NOW,
        }
    )
    with serve_app(app) as origin:
        yield ServedSite(root, origin)


PAGES = [
    "/edit/",
    "/edit/?lang=en",
    "/edit/page/news/hop/vi/",
    "/edit/page/news/nhap/vi/",
    "/edit/new/news/vi/",
    "/edit/new/training/en/",
    "/edit/new/goals/vi/",
    "/edit/history/news/hop/vi/",
    "/edit/publish",
]


@pytest.mark.parametrize("path", PAGES)
def test_editor_pages_pass_axe(editor_site, open_page, path):
    page, watch = open_page(editor_site, path, width=1280)
    if page.locator("#preview-frame").count():
        page.frame_locator("#preview-frame").locator("main").wait_for()
    assert run_axe(page) == []
    assert watch.console_errors == []
    assert watch.failed_requests == []
    assert watch.outside_requests == []


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_an_article_with_an_image_written_in_the_browser_is_published(
    editor_site, open_page, tmp_path
):
    root = editor_site.folder
    page, watch = open_page(editor_site, "/edit/new/news/vi/", width=1280)
    page.fill("#f-title", "Ví dụ: Tập huấn kỹ năng số")
    page.fill("#f-date", "2026-11-20")
    page.fill("#f-summary", "Bài ví dụ viết trong trình soạn thảo.")
    page.fill("#f-body", "## Nội dung\n\nBuổi tập huấn **ví dụ**.")
    unsaved = "() => { const e = new Event('beforeunload', {cancelable: true}); "
    unsaved += "window.dispatchEvent(e); return e.defaultPrevented; }"
    assert page.evaluate(unsaved) is True
    page.set_input_files(
        "#f-upload", files=[{"name": "Ảnh tập huấn.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.fill("#f-upload-text", "Học viên trước máy tính")
    page.click("button[value=upload]")  # posted by forms.js, put in at the caret (the end)
    page.wait_for_function("() => document.getElementById('f-body').value.includes('/media/')")
    assert (root / "media/anh-tap-huan.png").read_bytes() == png()
    body = page.input_value("#f-body")
    assert body.endswith("![Học viên trước máy tính](/media/anh-tap-huan.png)")

    preview = page.frame_locator("#preview-frame")
    preview.locator("h1", has_text="Ví dụ: Tập huấn kỹ năng số").wait_for()
    page.fill("#f-title", "Ví dụ: Tập huấn kỹ năng số cho người dân")
    preview.locator("h1", has_text="cho người dân").wait_for()  # updated as one types
    image = preview.locator(".prose img")
    assert image.get_attribute("src") == "/media/anh-tap-huan.png"
    assert image.evaluate("img => img.complete && img.naturalWidth") == 64

    page.click(".editor-buttons button[value=save]")
    page.wait_for_url("**/edit/page/news/vi-du-tap-huan-ky-nang-so-cho-nguoi-dan/vi/")
    assert page.evaluate(unsaved) is False
    written = (root / "news/vi-du-tap-huan-ky-nang-so-cho-nguoi-dan.vi.md").read_text("utf-8")
    assert written == (
        "---\n"
        "title: 'Ví dụ: Tập huấn kỹ năng số cho người dân'\n"
        "summary: Bài ví dụ viết trong trình soạn thảo.\n"
        "date: 2026-11-20\n"
        "---\n\n"
        "## Nội dung\n\nBuổi tập huấn **ví dụ**.\n\n"
        "![Học viên trước máy tính](/media/anh-tap-huan.png)\n"
    )
    assert watch.console_errors == [] and watch.failed_requests == []

    build = tmp_path / "fresh-build"
    freeze_site(create_app({"DXPORTAL_CONTENT_DIR": str(root), "DXPORTAL_NOW": NOW}), build)
    article = build / "vi/news/vi-du-tap-huan-ky-nang-so-cho-nguoi-dan/index.html"
    html = article.read_text(encoding="utf-8")
    assert "Ví dụ: Tập huấn kỹ năng số cho người dân" in html
    assert 'alt="Học viên trước máy tính"' in html
    assert (build / "media/anh-tap-huan.png").read_bytes() == png()


def test_the_conflict_and_sign_in_pages_pass_axe(make_content, open_page, tmp_path):
    root = make_content({"news/hop.vi.md": page_text("Họp Ban Chỉ đạo")})
    app = create_app(
        {
            "DXPORTAL_CONTENT_DIR": str(root),
            "DXPORTAL_PREVIEW": True,
            "DXPORTAL_EDITOR": True,
            "DXPORTAL_EDITOR_PASSWORD_HASH": generate_password_hash("mật khẩu"),
        }
    )
    with serve_app(app) as origin:
        site = ServedSite(root, origin)
        page, watch = open_page(site, "/edit/page/news/hop/vi/", width=1280)
        assert page.url.startswith(origin + "/edit/login")
        assert run_axe(page) == []
        page.fill("#password", "sai")
        page.click("button[type=submit]")
        assert page.get_attribute("#password", "aria-invalid") == "true"
        assert run_axe(page) == []
        page.fill("#password", "mật khẩu")
        page.click("button[type=submit]")
        page.wait_for_url("**/edit/page/news/hop/vi/")
        (root / "news/hop.vi.md").write_text(page_text("Sửa bằng tay"), encoding="utf-8")
        page.fill("#f-title", "Sửa trong trình duyệt")
        page.click(".editor-buttons button[value=save]")
        page.locator(".conflict").wait_for()
        assert "Sửa bằng tay" in (root / "news/hop.vi.md").read_text(encoding="utf-8")
        page.frame_locator("#preview-frame").locator("main").wait_for()
        assert run_axe(page) == []
        # The refusals answer 401 and 409 (Chromium logs those statuses); nothing else failed.
        assert [e for e in watch.console_errors if "(UNAUTHORIZED)" not in e
                and "(CONFLICT)" not in e] == []  # fmt: skip
