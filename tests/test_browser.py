"""The frozen site in headless Chromium: accessible, self-contained, usable by keyboard, reflows.

One page of every type in both languages, served by a plain static file server.
"""

from __future__ import annotations

import pytest
from browser_support import EMBEDDED, run_axe, sample_paths

PATHS = sample_paths(EMBEDDED)


@pytest.mark.parametrize("path", PATHS)
def test_page_passes_axe_and_loads_only_its_own_files(frozen_site, open_page, path):
    page, watch = open_page(frozen_site, path)
    assert run_axe(page) == []
    assert watch.console_errors == []
    assert watch.failed_requests == []
    assert watch.outside_requests == []


OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("path", PATHS)
def test_nothing_overflows_on_a_small_phone_or_with_text_doubled(frozen_site, open_page, path):
    page, _ = open_page(frozen_site, path, width=360)
    assert page.evaluate(OVERFLOW) <= 0
    page.set_viewport_size({"width": 320, "height": 640})  # 1280 px at 400% (WCAG 1.4.10)
    assert page.evaluate(OVERFLOW) <= 0
    page.set_viewport_size({"width": 360, "height": 800})
    page.evaluate("document.documentElement.style.fontSize = '200%'")  # WCAG 1.4.4
    assert page.evaluate(OVERFLOW) <= 0


def focused(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement, style = getComputedStyle(el);
          const box = el.getBoundingClientRect();
          return {tag: el.tagName, cls: el.className, href: el.getAttribute('href'),
                  text: el.textContent.trim(), visible: box.width > 0 && box.height > 0
                    && box.top >= 0 && box.bottom <= innerHeight,
                  outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
                  shadow: style.boxShadow !== 'none', background: style.backgroundColor};
        }"""
    )


def test_skip_link_comes_first_is_visible_and_moves_focus_to_main(frozen_site, open_page):
    page, _ = open_page(frozen_site, "/vi/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["cls"] == "skip-link" and first["visible"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_every_link_shows_a_visible_focus_indicator(frozen_site, open_page):
    page, _ = open_page(frozen_site, "/vi/", width=1280)
    for _ in range(12):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["visible"], state
        assert state["outline"] or state["shadow"], state


def test_menu_and_language_switcher_work_by_keyboard(frozen_site, open_page):
    page, _ = open_page(frozen_site, "/vi/")
    stops = []
    for _ in range(15):
        page.keyboard.press("Tab")
        stops.append(focused(page))
    hrefs = [s["href"] for s in stops]
    assert "/en/" in hrefs, hrefs  # the language switcher
    assert "/vi/news/" in hrefs, hrefs  # the main menu
    for _ in range(len(hrefs) - hrefs.index("/vi/news/") - 1):
        page.keyboard.press("Shift+Tab")
    assert focused(page)["href"] == "/vi/news/"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/vi/news/")


def test_language_switcher_leads_to_the_same_page_in_english(frozen_site, open_page):
    page, watch = open_page(frozen_site, "/vi/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/")
    with page.expect_navigation():
        page.click(".language-switch a[hreflang=en]")
    assert page.url.endswith("/en/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert watch.failed_requests == []


def test_root_sends_the_visitor_to_vietnamese(frozen_site, open_page):
    page, watch = open_page(frozen_site, "/")
    page.wait_for_url("**/vi/")
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert watch.failed_requests == [] and watch.console_errors == []


def test_site_works_under_a_sub_path(frozen_subpath_site, open_page):
    page, watch = open_page(frozen_subpath_site, "/")  # the root chooser redirects to /portal/vi/
    page.wait_for_url("**/portal/vi/")
    with page.expect_navigation():
        page.click(".main-nav a[href='/portal/vi/news/']")
    with page.expect_navigation():
        page.click(".entry-card__title a >> nth=0")
    assert "/portal/vi/news/" in page.url
    assert page.evaluate("document.styleSheets.length") >= 1
    assert watch.failed_requests == [] and watch.console_errors == []


def test_print_button_appears_with_script_and_prints(frozen_site, open_page):
    page, watch = open_page(frozen_site, "/en/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/")
    page.evaluate("window.print = () => { window.printed = true; }")
    button = page.get_by_role("button", name="Print this page")
    assert button.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.printed") is True
    assert page.get_by_role("button", name="Copy the link").is_visible()
    assert watch.console_errors == []
