"""The page form's script (forms.js) in headless Chromium: rows added and removed in place, the
Markdown toolbar by keyboard, an upload put at the caret; axe clean with and without it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from browser_support import ServedSite, run_axe, serve_app
from newsroom_support import editor_app
from PIL import Image

from conftest import page_text

GOAL = (
    "---\ntitle: Dịch vụ công\ndate: 2021-01-01\npillar: digital-government\n"
    "indicator: Tỷ lệ hồ sơ trực tuyến\nunit: '%'\nbaseline: {year: 2020, value: 3}\n"
    "target: {year: 2025, value: 50}\nmeasurements:\n"
    "  - {date: 2021-12-31, value: 8, source: Sở TT&TT}\n"
    "  - {date: 2022-12-31, value: 18}\n---\n\nVăn bản.\n"
)


@pytest.fixture
def form_site(make_content, tmp_path) -> Iterator[ServedSite]:
    root = make_content(
        {
            "goals/g.vi.md": GOAL,
            "news/hop.vi.md": page_text("Họp", body="Đầu. Cuối.", tags="[ban-chi-dao]"),
        }
    )
    app = editor_app(root, tmp_path / "build")
    with serve_app(app) as origin:
        yield ServedSite(root, origin)


def opened(open_page, site, path: str, width: int = 1280):
    page, watch = open_page(site, path, width=width)
    page.frame_locator("#preview-frame").locator("main").wait_for()
    return page, watch


def values(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#f-measurements tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('input')].map(i => i.value))",
    )


def status(page) -> str:
    page.wait_for_function("() => document.getElementById('editor-status').textContent !== ''")
    return page.locator("#editor-status").text_content()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_goal_form_passes_axe(form_site, open_page, width):
    page, watch = opened(open_page, form_site, "/edit/page/goals/g/vi/", width)
    assert run_axe(page) == []
    assert watch.console_errors == [] and watch.failed_requests == []


def test_rows_are_added_and_removed_in_place_and_saved(form_site, open_page):
    page, watch = opened(open_page, form_site, "/edit/page/goals/g/vi/?lang=en")
    more = page.locator(".rows__more")
    assert more.text_content() == "Add a row" and more.get_attribute("type") == "button"
    more.click()
    assert len(values(page)) == 5
    assert page.evaluate("document.activeElement.id") == "f-measurements-4-date"
    assert status(page) == "Row 5 added."
    page.fill("#f-measurements-4-date", "2023-12-31")
    page.fill("#f-measurements-4-value", "27.5")

    page.click("#f-measurements tbody tr:nth-child(1) .rows__remove")
    assert values(page)[0] == ["2022-12-31", "18", ""]
    assert page.url.endswith("/edit/page/goals/g/vi/?lang=en")  # nothing was posted
    assert page.evaluate("document.activeElement.value") == "remove:measurements:0"
    assert status(page) == "Row 1 removed."
    label = page.locator("label[for=f-measurements-3-value]").text_content()
    assert label == "Value, row 4"
    assert (
        "row 1"
        in page.locator("#f-measurements tbody tr:nth-child(1) .rows__remove").text_content()
    )

    page.click(".editor-buttons button[value=save]")
    page.wait_for_url("**/edit/page/goals/g/vi/")
    text = (form_site.folder / "goals/g.vi.md").read_text(encoding="utf-8")
    assert (
        "measurements:\n  - {date: 2022-12-31, value: 18}\n  - {date: 2023-12-31, value: 27.5}"
        in (text)
    )
    assert watch.console_errors == []


def test_the_toolbar_works_by_keyboard_on_the_selection(form_site, open_page):
    page, watch = opened(open_page, form_site, "/edit/page/news/hop/vi/?lang=en")
    toolbar = page.locator("[role=toolbar]")
    assert toolbar.is_visible() and toolbar.get_attribute("aria-label") == "Formatting"
    names = toolbar.locator("button").all_text_contents()
    assert names == ["Heading", "Bold", "Link", "Bulleted list", "Image"]
    body = page.locator("#f-body")
    body.focus()
    page.evaluate("() => document.getElementById('f-body').setSelectionRange(0, 4)")  # "Đầu."
    page.keyboard.press("Shift+Tab")  # the toolbar is one tab stop, before the text
    assert page.evaluate("document.activeElement.textContent") == "Heading"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Bold"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.textContent") == "Image"
    page.keyboard.press("ArrowRight")  # wraps round
    assert page.evaluate("document.activeElement.textContent") == "Heading"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert body.input_value() == "**Đầu.** Cuối."
    assert page.evaluate("document.activeElement.id") == "f-body"
    selected = "(() => { const b = document.getElementById('f-body'); "
    selected += "return b.value.slice(b.selectionStart, b.selectionEnd); })()"
    assert page.evaluate(selected) == "Đầu."
    page.keyboard.press("Control+z")  # the browser's undo knows the change
    assert body.input_value() == "Đầu. Cuối."
    page.evaluate("() => document.getElementById('f-body').setSelectionRange(10, 10)")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Bold"  # roving: last used
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")  # Image, with nothing selected: a placeholder to type over
    assert "![what the image shows](/media/)" in body.input_value()
    assert page.evaluate(selected) == "what the image shows"
    assert watch.console_errors == []


def test_the_toolbar_is_hidden_without_javascript(form_site, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(form_site.url("/edit/page/news/hop/vi/"))
        assert not page.locator("[role=toolbar]").is_visible()
        assert page.locator(".rows__more").count() == 0  # a news page has no rows
    finally:
        context.close()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_an_upload_goes_in_at_the_cursor(form_site, open_page):
    page, watch = opened(open_page, form_site, "/edit/page/news/hop/vi/?lang=en")
    page.evaluate("() => document.getElementById('f-body').setSelectionRange(5, 5)")
    page.set_input_files(
        "#f-upload", files=[{"name": "anh.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.fill("#f-upload-text", "Ảnh cuộc họp")
    page.click("button[value=upload]")
    page.wait_for_function("() => document.getElementById('f-body').value.includes('/media/')")
    inserted = "Đầu. \n\n![Ảnh cuộc họp](/media/anh.png)\n\nCuối."  # a paragraph of its own
    assert page.locator("#f-body").input_value() == inserted
    assert "Inserted at the cursor" in page.locator("#upload-status").text_content()
    assert page.url.endswith("/edit/page/news/hop/vi/?lang=en")  # the form was not posted
    assert (form_site.folder / "media/anh.png").is_file()
    assert watch.console_errors == []
