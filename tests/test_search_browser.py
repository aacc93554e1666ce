"""The frozen search in a real browser: served by `python -m http.server`, headless Chromium
(the `browser` fixture of browser_support: skipped without Chromium, a failure in CI)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from dxportal import create_app
from dxportal.build.pipeline import freeze_site

from conftest import EMBEDDED_CONTENT

STEERING_TITLE = "Họp Ban Chỉ đạo Chuyển đổi số lần thứ nhất"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(EMBEDDED_CONTENT),
        "DXPORTAL_BASE_URL": base,
        "FREEZER_BASE_URL": base,
        "DXPORTAL_SEARCH_INDEX_DIR": str(tmp / "search_index"),
    })  # fmt: skip
    freeze_site(app, tmp / "build")
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp / "build", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def page(browser, site_url):
    context = browser.new_context(viewport={"width": 412, "height": 800})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def test_typing_without_accents_finds_the_steering_committee(page, site_url):
    page.goto(site_url + "vi/")
    page.fill("#site-search", "chuyen doi so")
    page.press("#site-search", "Enter")
    page.wait_for_selector(".search-result")
    titles = page.locator(".search-result h2 a").all_text_contents()
    assert STEERING_TITLE in titles
    assert page.locator(".search-result mark").count() > 0
    assert page.errors == []


def test_markup_typed_in_the_box_is_shown_as_text(page, site_url):
    attack = "<img src=x onerror=alert(1)>"
    page.goto(site_url + "vi/search/")
    page.fill("#search-q", attack)
    page.wait_for_function("() => document.getElementById('search-results').dataset.took")
    assert attack in page.locator(".search-count").text_content()
    assert page.locator("#search-results img").count() == 0
    assert page.dialogs == []
    assert page.errors == []


def test_live_results_follow_typing_and_the_address(page, site_url):
    page.goto(site_url + "vi/search/?q=%22ban+chi+dao%22")
    page.wait_for_selector(".search-result")
    assert page.input_value("#search-q") == '"ban chi dao"'
    page.fill("#search-q", "dang ky")
    page.wait_for_function("() => location.search.includes('dang+ky')")
    page.wait_for_function(
        "() => document.querySelector('.search-count').textContent.includes('dang ky')"
    )
    assert page.locator(".search-result mark").first.text_content().lower() == "đăng"
