"""The live preview: file changes bump a version, the page script long-polls for it.

No sleeps: changes are waited for with a timeout that only matters when something is broken.
"""

from __future__ import annotations

import threading

import pytest
from build_support import corpus
from watchdog.events import FileClosedNoWriteEvent, FileModifiedEvent, FileOpenedEvent

from dxportal.build.destination import BuildError
from dxportal.build.pipeline import freeze_site
from dxportal.watching import FolderWatch
from dxportal.web.live_reload import start_watching

from conftest import page_text, parse

TIMEOUT = 10.0  # seconds; reached only if the watcher is broken


def preview_app(app_for, make_content):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    return app_for(root, DXPORTAL_PREVIEW=True), root


def test_preview_pages_load_the_external_reload_script(app_for, make_content):
    app, _ = preview_app(app_for, make_content)
    html = parse(app.test_client().get("/vi/news/tin/"))
    scripts = [s for s in html.find_all("script") if "_preview" in s.get("src", "")]
    assert len(scripts) == 1
    script = scripts[0]
    assert script["src"] == "/_preview/static/live-reload.js"
    assert script["data-changes"] == "/_preview/changes"
    assert script["data-version"] == "0"
    assert not script.get_text().strip()  # no inline code: ready for a strict CSP
    with app.test_client().get(script["src"]) as js:
        assert js.status_code == 200
        assert "location.reload" in js.get_data(as_text=True)
    assert app.jinja_env.auto_reload is True


def test_the_changes_endpoint_answers_at_once_when_the_version_moved(app_for, make_content):
    app, root = preview_app(app_for, make_content)
    client = app.test_client()
    assert client.get("/_preview/changes?since=0&wait=0").get_json() == {"version": 0}
    app.extensions["dxportal.watch"].note(FileModifiedEvent(str(root / "news/tin.vi.md")))
    response = client.get("/_preview/changes?since=0&wait=30")
    assert response.get_json() == {"version": 1}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_waiting_request_is_woken_by_a_change(app_for, make_content):
    app, root = preview_app(app_for, make_content)
    answers = []
    waiting = threading.Thread(
        target=lambda: answers.append(
            app.test_client().get(f"/_preview/changes?since=0&wait={TIMEOUT}").get_json()
        )
    )
    waiting.start()
    app.extensions["dxportal.changes"].bump()
    waiting.join(TIMEOUT + 5)
    assert answers == [{"version": 1}]


def test_reading_files_is_not_a_change_but_a_catalog_edit_recompiles(
    app_for, make_content, monkeypatch
):
    app, root = preview_app(app_for, make_content)
    counter = app.extensions["dxportal.changes"]
    recompiled = []
    monkeypatch.setattr(
        "dxportal.web.live_reload.compile_catalogs", lambda folder: recompiled.append(folder)
    )
    watch = app.extensions["dxportal.watch"]
    watch.note(FileOpenedEvent(str(root / "news/tin.vi.md")))
    watch.note(FileClosedNoWriteEvent(str(root / "news/tin.vi.md")))
    watch.note(FileModifiedEvent(str(root / "news/.tin.vi.md.swp")))
    watch.note(FileModifiedEvent(str(root / "news/tin.vi.md~")))
    watch.note(FileModifiedEvent(str(root / "translations/vi/LC_MESSAGES/messages.mo")))
    assert counter.version == 0
    watch.note(FileModifiedEvent(str(root / "translations/vi/LC_MESSAGES/messages.po")))
    assert counter.version == 1 and len(recompiled) == 1


def test_the_watcher_sees_a_content_file_change(app_for, make_content):
    app, root = preview_app(app_for, make_content)
    counter = app.extensions["dxportal.changes"]
    assert start_watching(app).running
    (root / "news/tin.vi.md").write_text(page_text("Tin đã sửa"), encoding="utf-8")
    assert counter.wait_for_change(0, TIMEOUT) > 0
    # The next page load shows the change (the store re-reads changed content).
    html = parse(app.test_client().get("/vi/news/tin/"))
    assert html.find("h1").get_text() == "Tin đã sửa"


def test_the_reload_script_and_endpoint_never_reach_the_published_site(
    tmp_path, app_for, make_content
):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    with pytest.raises(BuildError, match="never frozen"):
        freeze_site(app_for(root, DXPORTAL_PREVIEW=True), tmp_path / "from-preview")
    assert not (tmp_path / "from-preview").exists()
    app = app_for(root)
    assert app.test_client().get("/_preview/changes").status_code == 404
    scripts = parse(app.test_client().get("/vi/news/tin/")).find_all("script")
    assert not [s for s in scripts if "_preview" in s.get("src", "")]
    build = tmp_path / "published"
    freeze_site(app, build)
    assert not (build / "_preview").exists()
    assert not list(build.rglob("live-reload*"))
    for page in build.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "_preview" not in text and "live-reload" not in text, page


def test_the_preview_shows_an_edit_without_a_restart(tmp_path, make_content, app_for):
    root = corpus(make_content)
    app = app_for(root, DXPORTAL_PREVIEW=True, DXPORTAL_CACHE_DIR=str(tmp_path / "c"))
    client = app.test_client()
    assert parse(client.get("/vi/news/bai-3/")).h1.get_text() == "Bài số 3"
    (root / "news/bai-3.vi.md").write_text(
        page_text("Bài đã sửa", date="2021-03-03", body="Nội dung mới."), encoding="utf-8"
    )
    page = parse(client.get("/vi/news/bai-3/"))
    assert page.h1.get_text() == "Bài đã sửa"
    assert "Nội dung mới." in page.select_one(".prose").get_text()


def test_the_preview_asks_the_watch_once_per_request(tmp_path, make_content, app_for, monkeypatch):
    root = corpus(make_content)
    app = app_for(root, DXPORTAL_PREVIEW=True, DXPORTAL_CACHE_DIR=str(tmp_path / "c"))
    client = app.test_client()
    client.get("/vi/news/bai-1/")
    asked = []
    real = FolderWatch.take
    monkeypatch.setattr(FolderWatch, "take", lambda w, **k: asked.append(k) or real(w, **k))
    assert client.get("/vi/news/bai-1/").status_code == 200  # tags, site, page: one look
    assert asked == [{"sync": True}]
    (root / "news/bai-1.vi.md").write_text(page_text("Bài đã sửa", date="2021-03-01"), "utf-8")
    assert parse(client.get("/vi/news/bai-1/")).h1.get_text() == "Bài đã sửa"
    assert len(asked) == 2
