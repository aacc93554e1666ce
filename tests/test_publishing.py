"""Publishing rules in the frozen site: drafts, scheduled pages, aliases, safe output folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxportal import create_app
from dxportal.build.destination import BuildError
from dxportal.build.pipeline import freeze_site
from dxportal.config import PROJECT_ROOT
from dxportal.content.checks import check_content
from dxportal.content.errors import ContentError

from conftest import page_text, parse

SCHEDULED = {
    "news/cong-khai.vi.md": page_text("Công khai"),
    "news/nhap.vi.md": page_text("Nháp", draft="true"),
    "news/hen-gio.vi.md": page_text("Hẹn giờ", publish="2026-12-01 08:00"),
    "news/ngay-mai.vi.md": page_text("Ngày mai", date="2026-11-27"),
}


def freeze_at(tmp_path: Path, root: Path, now: str, name: str = "build", **config) -> Path:
    app = create_app({"DXPORTAL_CONTENT_DIR": str(root), "DXPORTAL_NOW": now, **config})
    destination = tmp_path / name
    freeze_site(app, destination)
    return destination


def test_scheduled_and_draft_pages_wait_for_their_time(tmp_path, make_content):
    root = make_content(SCHEDULED)
    before = freeze_at(tmp_path, root, "2026-11-26T09:00", "before")
    assert (before / "vi/news/cong-khai/index.html").is_file()
    for slug in ("nhap", "hen-gio", "ngay-mai"):
        assert not (before / f"vi/news/{slug}").exists(), slug
        assert slug not in (before / "sitemap.xml").read_text()
        assert slug not in (before / "vi/news/feed.xml").read_text()

    at_midnight = freeze_at(tmp_path, root, "2026-11-27T00:00", "midnight")
    assert (at_midnight / "vi/news/ngay-mai/index.html").is_file()
    assert not (at_midnight / "vi/news/hen-gio").exists()

    after = freeze_at(tmp_path, root, "2026-12-01T08:00", "after")
    assert (after / "vi/news/hen-gio/index.html").is_file()
    assert (after / "en/news/hen-gio/index.html").is_file()
    assert "hen-gio" in (after / "vi/news/index.html").read_text()
    assert not (after / "vi/news/nhap").exists()


def test_a_timezone_in_publish_is_converted_to_local_time(tmp_path, make_content):
    root = make_content({"news/utc.vi.md": page_text("UTC", publish="2026-12-01T01:00:00+00:00")})
    assert not (freeze_at(tmp_path, root, "2026-12-01T07:59", "a") / "vi/news/utc").exists()
    assert (freeze_at(tmp_path, root, "2026-12-01T08:00", "b") / "vi/news/utc").is_dir()


def test_preview_shows_scheduled_pages_with_a_notice_and_their_problems(app_for, make_content):
    root = make_content({
        **SCHEDULED,
        "news/hen-gio.en.md": page_text("Timed", publish="2026-12-01 08:00",
                                        body="Read [here](/en/about/)."),
    })  # fmt: skip
    client = app_for(root, DXPORTAL_PREVIEW=True, DXPORTAL_NOW="2026-11-26T09:00").test_client()
    html = parse(client.get("/vi/news/hen-gio/"))
    assert (
        "Hẹn đăng: trang này sẽ được đăng vào 1 tháng 12, 2026"
        in html.select_one(".notice--scheduled").get_text()
    )
    english = parse(client.get("/en/news/hen-gio/"))
    problems = [li.get_text(" ", strip=True) for li in english.select(".preview-problems li")]
    assert problems == [
        "Warning hen-gio.en.md:7 the link text 'here' does not say where the link goes; use the "
        "name of the page or document instead, e.g. [Nghị quyết 01 về chuyển đổi số](…)"
    ]
    assert parse(client.get("/vi/news/nhap/")).select_one(".notice--draft")
    assert not parse(client.get("/vi/news/cong-khai/")).select(".notice--scheduled")


def test_updated_pages_show_when_they_were_last_updated(app_for, make_content):
    root = make_content(
        {
            "documents/bao-cao.vi.md": page_text(
                "Báo cáo", updated="2021-04-10", number="01/BC", type="report"
            )
        }
    )
    html = parse(app_for(root).test_client().get("/vi/documents/bao-cao/"))
    meta = html.select_one(".article__meta").get_text(" ", strip=True)
    assert "Cập nhật lần cuối 10 tháng 4, 2021" in meta


@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [("http://localhost/", "/"), ("https://example.org/portal/", "/portal/")],
)
def test_aliases_become_redirect_pages(tmp_path, make_content, base_url, prefix):
    root = make_content({
        "news/ten-moi.vi.md": page_text("Tên mới", aliases="[/vi/news/ten-cu/, /vi/tin-cu/]"),
        "news/ten-moi.en.md": page_text("New name", aliases="[/en/news/old-name/]"),
    })  # fmt: skip
    build = freeze_at(tmp_path, root, "2026-11-26T09:00", DXPORTAL_BASE_URL=base_url,
                      FREEZER_BASE_URL=base_url)  # fmt: skip
    for alias, target in [("vi/news/ten-cu", "vi/news/ten-moi/"), ("vi/tin-cu", "vi/news/ten-moi/"),
                          ("en/news/old-name", "en/news/ten-moi/")]:  # fmt: skip
        html = parse((build / alias / "index.html").read_text())
        refresh = html.find("meta", attrs={"http-equiv": "refresh"})["content"]
        assert refresh == f"0; url={prefix}{target}"
        canonical = html.find("link", rel="canonical")["href"]
        assert canonical == f"{base_url}{target}"
        link = html.select_one("body a")["href"]
        assert link == f"{prefix}{target}"
        assert (build / link[len(prefix) :] / "index.html").is_file()
        assert not html.find("script")


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("[news/cu/]", "is not an old address of this site"),
        ("[/fr/news/cu/]", "is not an old address of this site"),
        ("[/vi/news/cu]", "is not an old address of this site"),
        ("[/vi/news/khac/]", "the old address /vi/news/khac/ is the address of a page"),
        ("[/vi/news/]", "the old address /vi/news/ is the address of a page"),
        ("[/vi/about/]", "the old address /vi/about/ is the address of a page"),
    ],
)
def test_aliases_are_validated(make_content, aliases, message):
    root = make_content({
        "news/moi.vi.md": page_text("Mới", aliases=aliases),
        "news/khac.vi.md": page_text("Khác"),
    })  # fmt: skip
    report = check_content(root)
    assert [f.problem.line for f in report.errors] == [4]
    assert message in str(report.errors[0].problem.message)


def test_two_pages_cannot_share_an_alias(tmp_path, make_content):
    root = make_content({
        "news/a.vi.md": page_text("A", aliases="[/vi/news/cu/]"),
        "news/b.vi.md": page_text("B", aliases="[/vi/news/cu/]"),
    })  # fmt: skip
    with pytest.raises(ContentError, match="already an alias of"):
        freeze_at(tmp_path, root, "2026-11-26T09:00")


def test_the_build_refuses_the_project_folder_and_unknown_folders(tmp_path, make_content):
    root = make_content()
    app = create_app({"DXPORTAL_CONTENT_DIR": str(root)})
    with pytest.raises(BuildError, match="refusing to build"):
        freeze_site(app, PROJECT_ROOT)
    with pytest.raises(BuildError, match="refusing to build"):
        freeze_site(app, PROJECT_ROOT / "site")
    work = tmp_path / "notes"
    work.mkdir()
    (work / "draft.txt").write_text("công việc", encoding="utf-8")
    with pytest.raises(BuildError, match="not empty and is not an earlier build"):
        freeze_site(app, work)
    assert (work / "draft.txt").read_text(encoding="utf-8") == "công việc"
    assert (PROJECT_ROOT / "site/dxportal/cli.py").is_file()
