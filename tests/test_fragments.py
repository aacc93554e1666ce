"""Markup shared by every page of a language (web/fragments.py) and the translations kept per
catalog (web/i18n.py): rendered once, yet every page exactly as if rendered on its own."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from dxportal import atomic, create_app
from dxportal.build.pipeline import freeze_site
from dxportal.catalogs import compile_catalogs
from dxportal.config import PROJECT_ROOT
from dxportal.web import fragments
from dxportal.web.i18n import forget_catalogs

from conftest import EMBEDDED_CONTENT, SITE_YML, parse, tree_digest

SETTINGS = {
    "DXPORTAL_BASE_URL": "https://example.org/portal/",
    "DXPORTAL_WORKERS": 1,
    "DXPORTAL_NOW": "2026-12-01T00:00",
}


def test_the_shared_fragments_change_no_byte_of_the_site(tmp_path, monkeypatch):
    """The project's content under a sub-path: navigation marks, both languages, every page
    type, with fragments kept and with every fragment rendered on every page."""
    kept_app = create_app({**SETTINGS, "DXPORTAL_CACHE_DIR": str(tmp_path / "c1")})
    freeze_site(kept_app, tmp_path / "kept")
    kept = kept_app.jinja_env.shared_fragments
    assert {key[2] for key in kept} >= {"head", "brand", "navigation", "footer", "breadcrumbs"}
    assert {key[0] for key in kept} == {"vi", "en"}

    real = fragments.init_app
    monkeypatch.setattr(fragments, "init_app", lambda app, cache: real(app, cache=False))
    fresh_app = create_app({**SETTINGS, "DXPORTAL_CACHE_DIR": str(tmp_path / "c2")})
    assert fresh_app.jinja_env.shared_fragments is None
    freeze_site(fresh_app, tmp_path / "fresh")
    assert tree_digest(tmp_path / "kept") == tree_digest(tmp_path / "fresh")


def test_a_rebuild_in_the_same_app_shows_changed_settings_on_every_page(
    tmp_path, make_content, settled
):
    """As `build --watch` does: the app, and its fragments, outlive a change to site.yml."""
    root = make_content()
    app = create_app({**SETTINGS, "DXPORTAL_CONTENT_DIR": str(root),
                      "DXPORTAL_CACHE_DIR": str(tmp_path / "cache")})  # fmt: skip
    freeze_site(app, tmp_path / "first")
    label = "  - section: news\n    label:\n      vi: Tin mới\n      en: Latest\n"
    changed = SITE_YML.replace("Steering Committee", "Digital Council")
    (root / "site.yml").write_text(changed.replace("  - section: news\n", label), encoding="utf-8")
    freeze_site(app, tmp_path / "second")
    pages = sorted((tmp_path / "second" / "en").rglob("*.html"))
    assert len(pages) > 5
    for path in pages:
        html = parse(path.read_text(encoding="utf-8"))
        assert html.select_one(".site-footer__name").get_text() == "Digital Council", path
        assert html.select(".main-nav__list a")[1].get_text() == "Latest", path


def test_a_catalog_reloaded_by_the_preview_shows_its_new_translations(tmp_path, app_for):
    translations = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", translations)
    app = app_for(
        EMBEDDED_CONTENT, DXPORTAL_PREVIEW=True, DXPORTAL_TRANSLATIONS_DIR=str(translations)
    )
    client = app.test_client()
    assert "Bỏ qua, đến nội dung chính" in client.get("/vi/").get_data(as_text=True)

    translate_skip_link(translations, "Đến thẳng nội dung")
    compile_catalogs(translations)
    forget_catalogs(app)  # what the preview does when a catalog changes (live_reload)
    html = parse(client.get("/vi/").get_data(as_text=True))
    assert html.select_one(".skip-link").get_text() == "Đến thẳng nội dung"


def test_an_app_made_again_reads_the_catalogs_anew(tmp_path, app_for):
    """`build --watch` makes a new app when a catalog is saved: its pages must show the new
    translation, although the catalogs of the earlier app were loaded in the same process."""
    translations = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", translations)
    first = app_for(EMBEDDED_CONTENT, DXPORTAL_TRANSLATIONS_DIR=str(translations))
    assert "Bỏ qua, đến nội dung chính" in first.test_client().get("/vi/").get_data(as_text=True)

    translate_skip_link(translations, "Đến thẳng nội dung")
    second = app_for(EMBEDDED_CONTENT, DXPORTAL_TRANSLATIONS_DIR=str(translations))
    html = parse(second.test_client().get("/vi/").get_data(as_text=True))
    assert html.select_one(".skip-link").get_text() == "Đến thẳng nội dung"
    other = app_for(EMBEDDED_CONTENT)  # the project's own catalogs, in the same process
    html = parse(other.test_client().get("/vi/").get_data(as_text=True))
    assert html.select_one(".skip-link").get_text() == "Bỏ qua, đến nội dung chính"


def translate_skip_link(translations: Path, text: str) -> None:
    """Give the skip link ``text`` as its Vietnamese translation in ``translations``' .po.

    Saved whole (atomically): a preview app's watcher compiles a .po as soon as it changes,
    and one read halfway through its writing lost the messages after that point.
    """
    po = translations / "vi" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source)
    catalog["Skip to main content"].string = text
    out = io.BytesIO()
    write_po(out, catalog)
    atomic.write_bytes(po, out.getvalue())


def test_each_address_the_app_answers_at_has_its_own_fragments(app_for):
    """A kept fragment holds links made for one address (scheme, host, sub-path): an app asked
    at another one renders it again for that one."""
    app = app_for(EMBEDDED_CONTENT)
    assert app.jinja_env.shared_fragments is not None  # a build app keeps them
    client = app.test_client(use_cookies=False)
    for base_url in ["https://a.example/", "https://a.example/portal/", "http://b.example/x/"]:
        root = base_url.split("/", 3)[3]
        html = parse(client.get("/vi/", base_url=base_url).get_data(as_text=True))
        assert html.select_one(".brand")["href"] == f"/{root}vi/", base_url
        stylesheet = html.select_one('link[rel="stylesheet"]')["href"]
        assert stylesheet.startswith(f"/{root}static/css/"), base_url
