"""The frozen site as files: every page in both languages, links resolve, sub-path, atomicity."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from dxportal import create_app
from dxportal.build.destination import BuildError
from dxportal.build.pipeline import freeze_site
from dxportal.content.loader import load_content

from conftest import EMBEDDED_CONTENT, page_text, parse, tree_digest

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def freeze(tmp_path: Path, base_url: str = "http://localhost/", content=EMBEDDED_CONTENT) -> Path:
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(content),
        "DXPORTAL_BASE_URL": base_url,
        "FREEZER_BASE_URL": base_url,
    })  # fmt: skip
    destination = tmp_path / "build"
    freeze_site(app, destination)
    return destination


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return freeze(tmp_path_factory.mktemp("root"))


@pytest.fixture(scope="module")
def built_under_subpath(tmp_path_factory) -> Path:
    return freeze(tmp_path_factory.mktemp("sub"), "https://example.org/portal/")


def test_every_entry_is_frozen_in_both_languages(built):
    site = load_content(EMBEDDED_CONTENT)
    for section, slug in site.entries:
        for lang in ("vi", "en"):
            path = f"{lang}/{slug}" if section == "pages" else f"{lang}/{section}/{slug}"
            assert (built / path / "index.html").is_file(), path


def test_site_files_are_all_there(built):
    for name in ("index.html", "404.html", "sitemap.xml", "robots.txt", "vi/index.html",
                 "en/index.html", "vi/news/feed.xml", "en/news/feed.xml", "vi/tags/index.html",
                 "media/hop-ban-chi-dao.svg", "static/css/site.css",
                 "static/img/favicon.svg"):  # fmt: skip
        assert (built / name).is_file(), name
    assert parse((built / "404.html").read_text()).find("h1").get_text() == "Không tìm thấy trang"


def test_frozen_english_pages_keep_english_dates(built):
    # Frozen-Flask serves every page in one app context: the locale must not leak.
    english = parse((built / "en/news/index.html").read_text())
    assert english.select_one(".entry-card time").get_text().startswith("March")
    vietnamese = parse((built / "vi/news/index.html").read_text())
    assert "tháng" in vietnamese.select_one(".entry-card time").get_text()


def local_links(html_file: Path, build: Path, prefix: str) -> list[tuple[str, Path]]:
    """(url, file it must resolve to) for every same-site href/src of a frozen page."""
    html = parse(html_file.read_text())
    page_url = prefix + html_file.relative_to(build).as_posix()
    found = []
    for tag in html.find_all(["a", "link", "img", "script"]):
        url = tag.get("href") or tag.get("src")
        if not url or url.startswith(("mailto:", "tel:", "#")):
            continue
        absolute = urljoin(page_url, url)
        parts = urlsplit(absolute)
        if parts.netloc not in ("", "localhost", "example.org"):
            continue
        path = unquote(parts.path)
        assert path.startswith(prefix), f"{url} on {html_file} leaves the site's sub-path"
        target = build / path[len(prefix) :]
        if path.endswith("/"):
            target = target / "index.html"
        found.append((url, target))
    return found


@pytest.mark.parametrize("which", ["root", "subpath"])
def test_every_link_inside_the_build_resolves(which, built, built_under_subpath):
    build, prefix = (built, "/") if which == "root" else (built_under_subpath, "/portal/")
    html_files = sorted(build.rglob("*.html"))
    assert len(html_files) > 50
    broken = [
        f"{f.relative_to(build)} -> {url}"
        for f in html_files
        for url, target in local_links(f, build, prefix)
        if not target.is_file()
    ]
    assert broken == []


def test_subpath_build_links_carry_the_prefix(built_under_subpath):
    html = parse((built_under_subpath / "vi/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/"
                  "index.html").read_text())  # fmt: skip
    assert html.find("link", rel="canonical")["href"] == (
        "https://example.org/portal/vi/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/"
    )
    assert html.select_one(".article__figure img")["src"] == "/portal/media/hop-ban-chi-dao.svg"
    root = parse((built_under_subpath / "index.html").read_text())
    assert root.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=/portal/vi/"


def test_sitemap_urls_are_all_frozen(built_under_subpath):
    sitemap = ET.fromstring((built_under_subpath / "sitemap.xml").read_bytes())
    locs = [u.find(f"{SITEMAP}loc").text for u in sitemap.findall(f"{SITEMAP}url")]
    assert locs
    for loc in locs:
        assert loc.startswith("https://example.org/portal/")
        relative = loc[len("https://example.org/portal/") :]
        assert (built_under_subpath / relative / "index.html").is_file(), loc


def test_drafts_are_never_frozen(tmp_path, make_content):
    root = make_content({
        "news/cong-khai.vi.md": page_text("Công khai"),
        "news/nhap.vi.md": page_text("Nháp", draft="true"),
    })  # fmt: skip
    build = freeze(tmp_path, content=root)
    assert (build / "vi/news/cong-khai/index.html").is_file()
    assert not (build / "vi/news/nhap").exists()
    assert "nhap" not in (build / "sitemap.xml").read_text()


def test_a_failed_build_leaves_the_previous_build_untouched(tmp_path, make_content, monkeypatch):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    build = freeze(tmp_path, content=root)
    before = tree_digest(build)

    # A late page (an entry, after the home page and lists) fails: nothing may change.
    import dxportal.web.views

    real_render = dxportal.web.views.render_template

    def explode_on_entries(template, **context):
        if template == "entry.html":
            raise RuntimeError("boom")
        return real_render(template, **context)

    monkeypatch.setattr(dxportal.web.views, "render_template", explode_on_entries)
    # The article changed, so this (incremental) build renders it again and fails there.
    (root / "news/tin.vi.md").write_text(page_text("Tin", body="Đã sửa."), encoding="utf-8")
    with pytest.raises(ValueError, match="Unexpected status '500"):
        freeze(tmp_path, content=root)
    monkeypatch.undo()
    assert tree_digest(build) == before

    # A content error: refused before anything is written.
    (root / "news/hong.vi.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    with pytest.raises(Exception, match="YAML syntax error"):
        freeze(tmp_path, content=root)
    assert tree_digest(build) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "content"]


@pytest.mark.parametrize("target", ["content", "project", "root"])
def test_the_build_refuses_folders_that_hold_work(tmp_path, make_content, target):
    root = make_content()
    app = create_app({"DXPORTAL_CONTENT_DIR": str(root)})
    destination = {"content": root, "project": root.parent, "root": Path("/")}[target]
    with pytest.raises(BuildError, match="refusing to build"):
        freeze_site(app, destination)
    assert (root / "site.yml").is_file()


def test_every_page_has_a_unique_title_and_a_description(built):
    titles: dict[str, str] = {}
    for file in sorted(built.rglob("*.html")):
        html = parse(file.read_text())
        name = file.relative_to(built).as_posix()
        if html.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # the root chooser forwards at once
        title = html.title.get_text().strip()
        assert title not in titles, f"{name} and {titles.get(title)} share the title {title!r}"
        titles[title] = name
        description = html.find("meta", attrs={"name": "description"})
        assert description and description["content"].strip(), name


def test_every_programme_page_type_is_frozen(built):
    import icalendar
    from PIL import Image

    for lang in ("vi", "en"):
        for page in ("goals", "training", "outreach", "documents", "outreach/kind/poster",
                     "outreach/kind/infographic", "outreach/audience/citizens",
                     "documents/type/report", "documents/type/resolution",
                     "documents/year/2021"):  # fmt: skip
            assert (built / lang / page / "index.html").is_file(), f"{lang}/{page}"
        calendar = icalendar.Calendar.from_ical(
            (built / lang / "training/calendar.ics").read_bytes()
        )
        assert len(calendar.walk("VEVENT")) == 2
        slug = "vi-du-lop-ky-nang-so-cho-can-bo-cong-chuc-cap-xa"
        event = icalendar.Calendar.from_ical(
            (built / lang / "training" / slug / "event.ics").read_bytes()
        ).walk("VEVENT")[0]
        assert str(event["URL"]) == f"http://localhost/{lang}/training/{slug}/"
    goal = parse(
        (built / "en/goals/vi-du-ty-le-ho-so-truc-tuyen-toan-trinh/index.html").read_text()
    )
    assert [c["data-value"] for c in goal.select("svg.chart circle")] == ["3", "8", "18"]
    thumbnail = built / "thumbnails/360/vi-du-infographic-sau-huong-uu-tien.png.jpg"
    with Image.open(thumbnail) as image:
        assert (image.format, image.width) == ("JPEG", 360)
    # English pages keep English labels and dates in the frozen site too.
    documents = parse((built / "en/documents/index.html").read_text())
    assert documents.select_one(".document-table time").get_text() == "May 3, 2021"
    training = parse((built / "en/training/index.html").read_text())
    assert training.select(".call-status")[-1].get_text() == "Registration closed"
    sitemap = (built / "sitemap.xml").read_text()
    assert "http://localhost/en/documents/type/report/" in sitemap
    assert "http://localhost/vi/outreach/audience/citizens/" in sitemap
