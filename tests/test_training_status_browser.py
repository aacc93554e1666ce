"""training-status.js rewrites a call's status from the visitor's clock (headless Chromium).

The site is frozen with the call closing soon; each page is then opened with the page's clock
fixed before, near and after the deadline (in a visitor's time zone other than the site's),
and the status shown must be the one for that moment, as the build computes it.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from browser_support import PageWatch, ServedSite, freeze_into, serve_folder

from conftest import EMBEDDED_CONTENT, SITE_YML, page_text, parse

CALL = "vi-du-khoa-hoc-ky-nang-so-co-ban-cho-hoc-sinh-sinh-vien"
BUILT_AT = "2027-01-05T12:00"  # three days before the deadline (2027-01-08): closing soon
ENGLISH = {
    "open": "Registration open",
    "closing-soon": "Closing soon",
    "closed": "Registration closed",
}
# The visitor's clock, from the deadline, and the status it must show.
MOMENTS = {
    "a month before": (dt.timedelta(days=-30), "open"),
    "a minute more than 7 days before": (dt.timedelta(days=-7, minutes=-1), "open"),
    "a minute less than 7 days before": (dt.timedelta(days=-7, minutes=1), "closing-soon"),
    "a second before": (dt.timedelta(seconds=-1), "closing-soon"),
    "a second after": (dt.timedelta(seconds=1), "closed"),
    "a month after": (dt.timedelta(days=30), "closed"),
}


@pytest.fixture(scope="module")
def call_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("training-status")
    content = root / "content"
    (content / "training").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "media").mkdir()
    (content / "site.yml").write_text(SITE_YML, encoding="utf-8")
    shutil.copy(EMBEDDED_CONTENT / "tags.yml", content / "tags.yml")
    (content / "pages/about.vi.md").write_text(page_text("Giới thiệu", date=None), "utf-8")
    (content / "pages/about.en.md").write_text(page_text("About", date=None), "utf-8")
    for lang in ("vi", "en"):
        # The embedded call's front matter (deadline 2027-01-08), without its links.
        text = (EMBEDDED_CONTENT / f"training/{CALL}.{lang}.md").read_text(encoding="utf-8")
        front_matter = text.split("---\n")[1]
        (content / f"training/{CALL}.{lang}.md").write_text(
            f"---\n{front_matter}---\n\nNội dung.\n", encoding="utf-8"
        )
    build = root / "build"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DXPORTAL_NOW", BUILT_AT)  # create_app reads DXPORTAL_* from the environment
        freeze_into(build, content)
    with serve_folder(build) as origin:
        yield ServedSite(build, origin)
    shutil.rmtree(root, ignore_errors=True)


def deadline(site: ServedSite) -> dt.datetime:
    html = parse((site.folder / f"en/training/{CALL}/index.html").read_text(encoding="utf-8"))
    status = html.select_one("main .call-status[data-deadline]")
    # as built, three days before: closing soon
    assert status.get_text() == ENGLISH["closing-soon"]
    return dt.datetime.fromisoformat(status["data-deadline"])


def statuses_at(browser, site: ServedSite, path: str, moment: dt.datetime) -> list[dict]:
    context = browser.new_context(timezone_id="America/Los_Angeles")  # not the site's zone
    try:
        page = context.new_page()
        watch = PageWatch(site.origin)
        watch.attach(page)
        page.clock.set_fixed_time(moment)
        page.goto(site.url(path), wait_until="load")
        assert page.evaluate("Date.now()") == int(moment.timestamp() * 1000)
        found = page.eval_on_selector_all(
            "[data-deadline]",
            """items => items.map(item => ({
                text: item.textContent,
                className: item.className,
                labels: {open: item.dataset.labelOpen, closed: item.dataset.labelClosed,
                         'closing-soon': item.dataset.labelClosingSoon},
                cardHidden: item.closest('[data-hide-when-closed]')
                    ? item.closest('[data-hide-when-closed]').hidden : null,
                visible: item.checkVisibility(),
            }))""",
        )
        assert watch.console_errors == [] and watch.failed_requests == [], path
        return found
    finally:
        context.close()


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_the_status_follows_the_visitors_clock(browser, call_site, moment):
    offset, expected = MOMENTS[moment]
    at = deadline(call_site) + offset
    # The call's page, in English: the words themselves.
    (status,) = statuses_at(browser, call_site, f"/en/training/{CALL}/", at)
    assert status["text"] == ENGLISH[expected]
    assert status["className"] == f"call-status call-status--{expected}"
    # The Vietnamese list of calls: its own label for that status.
    (status,) = statuses_at(browser, call_site, "/vi/training/", at)
    assert status["text"] == status["labels"][expected]
    assert len(set(status["labels"].values())) == 3
    assert status["className"] == f"call-status call-status--{expected}"
    # The home page lists open calls: a call that has closed since the build is hidden.
    (status,) = statuses_at(browser, call_site, "/vi/", at)
    assert status["text"] == status["labels"][expected]
    assert status["cardHidden"] is (expected == "closed")
    assert status["visible"] is (expected != "closed")


def test_the_browser_and_the_build_agree_on_the_status():
    """The same moments through the build's own rule (training.call_status)."""
    from dxportal.content.loader import load_content
    from dxportal.programme.training import call_status, deadline_of

    site = load_content(EMBEDDED_CONTENT)
    page = site.entry("training", CALL).version("en")
    for offset, expected in MOMENTS.values():
        assert call_status(page, deadline_of(page) + offset) == expected
