"""The preview shows every content change on the next request, without a restart.

The store learns of changes from the app's FolderWatch (dxportal/watching.py: watchdog), which
each request first lets catch up with every save made before it. Tested with watchdog's
inotify observer and with the polling observer it falls back to where inotify cannot start.
"""

from __future__ import annotations

import os
import shutil

import pytest
from test_editor import opened, png_bytes, upload

import dxportal.web.store
from dxportal import watching
from dxportal.watching import MARKER_PREFIX, FolderWatch

from conftest import form_values, page_text, parse


def no_inotify():
    raise OSError(24, "inotify instance limit reached")


@pytest.fixture(params=["inotify", "polling"])
def how(request, monkeypatch) -> str:
    """Run a test with watchdog's inotify observer and again with it unavailable."""
    if request.param == "polling":
        monkeypatch.setattr(watching, "native_observer", no_inotify)
    return request.param


def preview_client(app_for, root, how: str | None = "inotify", **config):
    app = app_for(root, DXPORTAL_PREVIEW=True, **config)
    client = app.test_client()
    assert client.get("/vi/").status_code in (200, 500)  # the first request loads the content
    store = app.extensions["dxportal.store"]
    if how is not None:
        assert store.watch.polling == (how == "polling")
    return client, store


def only_markers(monkeypatch) -> None:
    """The observer still answers the store's markers but reports no change of content."""
    real = FolderWatch.note

    def note(watch, event):
        if os.path.basename(event.src_path).startswith(MARKER_PREFIX):
            real(watch, event)

    monkeypatch.setattr(FolderWatch, "note", note)


def heading(response) -> str:
    assert response.status_code == 200, response.status_code
    return parse(response).find("h1").get_text()


def test_an_edit_on_disk_is_visible_on_the_next_request(app_for, make_content, how):
    root = make_content({"news/tin.vi.md": page_text("Tin một")})
    client, _ = preview_client(app_for, root, how)
    assert heading(client.get("/vi/news/tin/")) == "Tin một"
    path = root / "news/tin.vi.md"
    before = path.stat()
    with path.open("r+", encoding="utf-8") as stream:  # in place, as many editors save
        stream.write(page_text("Tin hai"))
    if how == "inotify":  # same size and time: only the kernel's events can tell
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    assert heading(client.get("/vi/news/tin/")) == "Tin hai"


def test_a_deleted_file_disappears_and_a_renamed_one_moves(app_for, make_content, how):
    root = make_content({"news/mot.vi.md": page_text("Một"), "news/hai.vi.md": page_text("Hai")})
    client, _ = preview_client(app_for, root, how)
    assert heading(client.get("/vi/news/mot/")) == "Một"
    (root / "news/mot.vi.md").unlink()
    assert client.get("/vi/news/mot/").status_code == 404
    (root / "news/hai.vi.md").rename(root / "news/ba.vi.md")
    assert client.get("/vi/news/hai/").status_code == 404
    assert heading(client.get("/vi/news/ba/")) == "Hai"


def test_a_new_folder_and_the_files_later_written_in_it_are_seen(app_for, make_content, how):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    client, _ = preview_client(app_for, root, how)
    assert client.get("/vi/goals/").status_code == 200
    folder = root / "training"
    folder.mkdir()
    (folder / "khoa.vi.md").write_text(page_text("Khóa học", body="Một."), encoding="utf-8")
    assert client.get("/vi/training/khoa/").status_code == 500  # its required fields missing
    (folder / "khoa.vi.md").unlink()  # seen only if the new folder is watched
    assert client.get("/vi/news/tin/").status_code == 200


def tag_names(response) -> list[str]:
    assert response.status_code == 200
    links = parse(response).select('main a[href="/vi/tags/ban-chi-dao/"]')
    return [a.get_text(strip=True) for a in links]


def test_a_content_folder_swapped_for_another_is_followed(app_for, make_content, how, tmp_path):
    root = make_content({"news/tin.vi.md": page_text("Tin cũ")})
    client, _ = preview_client(app_for, root, how)
    assert heading(client.get("/vi/news/tin/")) == "Tin cũ"
    shutil.copytree(root, tmp_path / "new")
    (tmp_path / "new/news/tin.vi.md").write_text(page_text("Tin mới"), encoding="utf-8")
    root.rename(tmp_path / "old")
    (tmp_path / "new").rename(root)  # as a deploy or sync tool swaps folders
    assert heading(client.get("/vi/news/tin/")) == "Tin mới"
    (tmp_path / "old/news/tin.vi.md").write_text(page_text("Tin bỏ đi"), encoding="utf-8")
    (root / "news/tin.vi.md").write_text(page_text("Tin sau cùng"), encoding="utf-8")
    assert heading(client.get("/vi/news/tin/")) == "Tin sau cùng"


def test_a_content_folder_deleted_then_restored(app_for, make_content, how, tmp_path):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    client, _ = preview_client(app_for, root, how)
    shutil.copytree(root, tmp_path / "copy")
    shutil.rmtree(root)
    assert client.get("/vi/news/tin/").status_code == 500  # the folder does not exist
    (tmp_path / "copy").rename(root)
    assert heading(client.get("/vi/news/tin/")) == "Tin"


def test_tags_site_settings_and_media_changes_are_visible(app_for, make_content, how):
    root = make_content(
        {"news/tin.vi.md": page_text("Tin", tags="[ban-chi-dao]", image="a.svg", image_alt="A")}
    )
    client, _ = preview_client(app_for, root, how)
    assert client.get("/vi/news/tin/").status_code == 500  # a.svg is not in media/ yet
    (root / "media/a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert tag_names(client.get("/vi/news/tin/")) == ["Ban Chỉ đạo"]
    tags = root / "tags.yml"
    tags.write_text(tags.read_text(encoding="utf-8").replace("vi: Ban Chỉ đạo", "vi: Ban Mới"))
    settings = root / "site.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("Cổng thử nghiệm", "Cổng B"))
    response = client.get("/vi/news/tin/")
    assert tag_names(response) == ["Ban Mới"]
    assert "Cổng B" in parse(response).title.get_text()


def test_an_editor_save_is_visible_at_once(app_for, make_content, how):
    root = make_content({"news/hop.vi.md": page_text("Họp")})
    client, _ = preview_client(app_for, root, how, DXPORTAL_EDITOR=True)
    assert heading(client.get("/vi/news/hop/")) == "Họp"
    data = opened(client, "/edit/page/news/hop/vi/")
    data.update(title="Họp lần hai", action="save")
    assert client.post("/edit/page/news/hop/vi/", data=data).status_code == 302
    assert heading(client.get("/vi/news/hop/")) == "Họp lần hai"


def test_an_editor_save_is_seen_even_where_the_observer_polls_and_misses_it(
    app_for, make_content, monkeypatch
):
    """A polling observer may miss a save of the same size within the filesystem's time
    resolution (2 s on FAT): the editor says that it wrote."""
    monkeypatch.setattr(watching, "native_observer", no_inotify)
    root = make_content({"news/hop.vi.md": page_text("Họp")})
    client, _ = preview_client(app_for, root, "polling", DXPORTAL_EDITOR=True)
    assert heading(client.get("/vi/news/hop/")) == "Họp"
    only_markers(monkeypatch)
    data = opened(client, "/edit/page/news/hop/vi/")
    data.update(title="Hội", action="save")
    assert client.post("/edit/page/news/hop/vi/", data=data).status_code == 302
    assert heading(client.get("/vi/news/hop/")) == "Hội"
    client.post("/edit/translate/news/hop/en/", data={"csrf_token": data["csrf_token"]})
    assert (root / "news/hop.en.md").is_file()
    draft = parse(client.get("/en/news/hop/")).select_one("p.notice--draft")
    assert draft is not None and draft.get_text().startswith("Draft")  # the new translation
    link = parse(client.get("/edit/history/news/hop/vi/")).select_one(".version-list a")["href"]
    restore = form_values(client.get(link).get_data(as_text=True))
    assert client.post(link, data=restore).status_code == 302
    assert heading(client.get("/vi/news/hop/")) == "Họp"


def test_an_upload_is_seen_even_where_the_observer_polls_and_misses_it(
    app_for, make_content, monkeypatch
):
    monkeypatch.setattr(watching, "native_observer", no_inotify)
    page = page_text("Họp", image="anh.png", image_alt="Bàn họp")
    root = make_content({"news/hop.vi.md": page})
    client, _ = preview_client(app_for, root, "polling", DXPORTAL_EDITOR=True)
    assert client.get("/vi/news/hop/").status_code == 500  # anh.png is not in media/
    only_markers(monkeypatch)
    assert upload(client, "/edit/page/news/hop/vi/", "anh.png", png_bytes()).status_code == 200
    assert heading(client.get("/vi/news/hop/")) == "Họp"


def test_every_save_is_shown_by_the_request_right_after_it(app_for, make_content):
    """The observer runs on its own threads: each request waits until it has caught up."""
    root = make_content({"news/tin.vi.md": page_text("Tin 0")})
    client, store = preview_client(app_for, root)
    path = root / "news/tin.vi.md"
    for n in range(1, 31):
        if n % 2:
            path.write_text(page_text(f"Tin {n}"), encoding="utf-8")  # in place
        else:  # as the editor and most text editors save: a new file renamed over it
            path.with_name("tin.tmp").write_text(page_text(f"Tin {n}"), encoding="utf-8")
            path.with_name("tin.tmp").replace(path)
        assert heading(client.get("/vi/news/tin/")) == f"Tin {n}"
    loaded = store.get()
    client.get("/vi/news/tin/")
    assert store.get() is loaded  # nothing changed: nothing re-read
    assert not list(root.glob(MARKER_PREFIX + "*"))  # the markers are gone


def test_swap_and_backup_files_do_not_reload_the_content(app_for, make_content):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    client, store = preview_client(app_for, root)
    loaded = store.get()
    (root / "news/.tin.vi.md.swp").write_bytes(b"vim")
    (root / "news/tin.vi.md~").write_text("backup")
    client.get("/vi/news/tin/")
    assert store.get() is loaded


def problems_on(response) -> list[str]:
    """The page's `check` errors (every page here also has a warning: no English version)."""
    assert response.status_code == 200
    items = parse(response).select(".problem-list li.problem--error")
    return [li.get_text(" ", strip=True) for li in items]


def test_each_page_shows_its_own_check_problems_until_they_are_fixed(app_for, make_content):
    broken = page_text("Một", body="Xem [tin cũ](/vi/news/khong-co/).")
    root = make_content({"news/mot.vi.md": broken, "news/hai.vi.md": page_text("Hai")})
    client, _ = preview_client(app_for, root)
    (problem,) = problems_on(client.get("/vi/news/mot/"))
    assert problem.startswith("Lỗi mot.vi.md:6") and "/vi/news/khong-co/" in problem
    assert problems_on(client.get("/vi/news/hai/")) == []
    (root / "news/mot.vi.md").write_text(page_text("Một", body="Đã sửa."), encoding="utf-8")
    assert problems_on(client.get("/vi/news/mot/")) == []


def test_only_the_files_that_changed_are_read_again(app_for, make_content, monkeypatch):
    files = {f"news/tin-{n}.vi.md": page_text(f"Tin {n}", date=f"2021-03-0{n}") for n in (1, 2, 3)}
    files["news/hong.vi.md"] = "---\ntitle: Hỏng\ndate: 3/3/2021\n---\n"
    root = make_content(files)
    client, store = preview_client(app_for, root)
    read = []
    real = dxportal.web.store.read_page
    monkeypatch.setattr(
        dxportal.web.store, "read_page", lambda path, *a: read.append(path.name) or real(path, *a)
    )
    (root / "news/tin-2.vi.md").write_text(page_text("Tin hai", date="2021-03-02"), "utf-8")
    (root / "news/tin-0.vi.md").write_text(page_text("Tin 0", date="2021-03-04"), "utf-8")
    (root / "news/tin-3.vi.md").unlink()
    response = client.get("/vi/news/tin-2/")
    assert response.status_code == 500  # hong.vi.md was not read again: its problem is kept
    assert "hong.vi.md" in parse(response).select_one(".problem-list").get_text()
    assert sorted(read) == ["tin-0.vi.md", "tin-2.vi.md"]
    (root / "news/hong.vi.md").unlink()
    assert heading(client.get("/vi/news/tin-2/")) == "Tin hai"
    assert len(read) == 2
    fresh = app_for(root, DXPORTAL_PREVIEW=True).extensions["dxportal.store"].get()
    assert [p.source_path.name for p in store.get().pages()] == [
        p.source_path.name for p in fresh.pages()
    ]  # the same pages in the same order as a fresh load
    assert [p.title for p in store.get().pages()][:3] == ["Tin 0", "Tin 1", "Tin hai"]
