"""The preview shows every content change on the next request, without a restart.

Two ways of learning of changes are tested: the change journal (inotify, read at the start of
each request; see dxportal/journal.py) and, where it cannot be trusted, looking at every file.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest
from test_editor import opened, png_bytes, upload

import dxportal.web.store
from dxportal.web.inotify import (
    IN_Q_OVERFLOW,
    LOCAL_FILESYSTEMS,
    ChangeJournal,
    Changes,
    filesystem_of,
    read_mounts,
)

from conftest import form_values, page_text, parse

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/mountinfo"), reason="the change journal needs Linux"
)


@pytest.fixture(params=["journal", "scan"])
def how(request, monkeypatch) -> str:
    """Run a test with the journal and again with the journal unavailable."""
    if request.param == "scan":
        monkeypatch.setattr(ChangeJournal, "open", classmethod(lambda cls, *a, **k: None))
    return request.param


def preview_client(app_for, root, how: str | None = "journal", **config):
    if how == "journal" and filesystem_of(root, read_mounts()) not in LOCAL_FILESYSTEMS:
        pytest.skip("the temporary folder is not on a filesystem the journal trusts")
    app = app_for(root, DXPORTAL_PREVIEW=True, **config)
    client = app.test_client()
    assert client.get("/vi/").status_code in (200, 500)  # the first request loads the content
    store = app.extensions["dxportal.store"]
    if how is not None:
        assert (store.journal is not None) == (how == "journal")
    return client, store


def heading(response) -> str:
    assert response.status_code == 200, response.status_code
    return parse(response).find("h1").get_text()


def test_the_journal_spares_looking_at_every_file_on_each_request(
    app_for, make_content, monkeypatch
):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    client, store = preview_client(app_for, root)

    def refuse(root):
        raise AssertionError("every file was looked at")

    monkeypatch.setattr(dxportal.web.store, "content_fingerprint", refuse)
    for _ in range(3):
        assert heading(client.get("/vi/news/tin/")) == "Tin"
    loaded = store.get()
    client.get("/vi/news/tin/")
    assert store.get() is loaded  # nothing changed: nothing re-read


def test_an_edit_on_disk_is_visible_on_the_next_request(app_for, make_content, how):
    root = make_content({"news/tin.vi.md": page_text("Tin một")})
    client, _ = preview_client(app_for, root, how)
    assert heading(client.get("/vi/news/tin/")) == "Tin một"
    path = root / "news/tin.vi.md"
    before = path.stat()
    with path.open("r+", encoding="utf-8") as stream:  # in place, as many editors save
        stream.write(page_text("Tin hai"))
    if how == "journal":  # same size and time: only the journal can tell
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
    client, store = preview_client(app_for, root, how)
    shutil.copytree(root, tmp_path / "copy")
    shutil.rmtree(root)
    assert client.get("/vi/news/tin/").status_code == 500  # the folder does not exist
    assert store.journal is None  # nothing left to watch: every file is looked at
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


def test_an_editor_save_is_seen_even_where_the_files_look_unchanged(
    app_for, make_content, monkeypatch
):
    """Without a journal, a save of the same size within the filesystem's time resolution
    (2 s on FAT) looks like no change: the editor says that it wrote."""
    monkeypatch.setattr(ChangeJournal, "open", classmethod(lambda cls, *a, **k: None))
    monkeypatch.setattr(dxportal.web.store, "content_fingerprint", lambda root: ())
    root = make_content({"news/hop.vi.md": page_text("Họp")})
    client, _ = preview_client(app_for, root, "scan", DXPORTAL_EDITOR=True)
    assert heading(client.get("/vi/news/hop/")) == "Họp"
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


def test_an_upload_is_seen_even_where_the_files_look_unchanged(app_for, make_content, monkeypatch):
    monkeypatch.setattr(ChangeJournal, "open", classmethod(lambda cls, *a, **k: None))
    monkeypatch.setattr(dxportal.web.store, "content_fingerprint", lambda root: ())
    page = page_text("Họp", image="anh.png", image_alt="Bàn họp")
    root = make_content({"news/hop.vi.md": page})
    client, _ = preview_client(app_for, root, "scan", DXPORTAL_EDITOR=True)
    assert client.get("/vi/news/hop/").status_code == 500  # anh.png is not in media/
    assert upload(client, "/edit/page/news/hop/vi/", "anh.png", png_bytes()).status_code == 200
    assert heading(client.get("/vi/news/hop/")) == "Họp"


def test_swap_and_backup_files_do_not_reload_the_content(app_for, make_content):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    client, store = preview_client(app_for, root)
    loaded = store.get()
    (root / "news/.tin.vi.md.swp").write_bytes(b"vim")
    (root / "news/tin.vi.md~").write_text("backup")
    client.get("/vi/news/tin/")
    assert store.get() is loaded


def test_a_symbolic_link_hands_over_to_looking_at_every_file(app_for, make_content, tmp_path):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    client, store = preview_client(app_for, root)
    outside = tmp_path / "outside.vi.md"
    outside.write_text(page_text("Ngoài"), encoding="utf-8")
    (root / "news/ngoai.vi.md").symlink_to(outside)
    assert heading(client.get("/vi/news/ngoai/")) == "Ngoài"
    assert store.journal is None  # edits of the target are not reported by the journal
    outside.write_text(page_text("Ngoài, sửa lại"), encoding="utf-8")
    later = outside.stat().st_mtime_ns + 10**9
    os.utime(outside, ns=(later, later))
    assert heading(client.get("/vi/news/ngoai/")) == "Ngoài, sửa lại"


def test_content_on_a_network_filesystem_is_looked_at_file_by_file(
    app_for, make_content, monkeypatch
):
    root = make_content({"news/tin.vi.md": page_text("Tin")})
    monkeypatch.setattr("dxportal.web.inotify.read_mounts", lambda: [("/", "nfs4")])
    preview_client(app_for, root, how="scan")


def test_the_filesystem_is_the_deepest_latest_mount_holding_the_path():
    mounts = [("/", "ext4"), ("/srv", "nfs"), ("/srv/a b", "9p"), ("/srv", "xfs")]
    assert filesystem_of(Path("/srv/x"), mounts) == "xfs"  # the later of two mounts at /srv
    assert filesystem_of(Path("/srv/a b/c"), mounts) == "9p"
    assert filesystem_of(Path("/srvx"), mounts) == "ext4"
    assert filesystem_of(Path("/srv"), mounts[:2]) == "nfs"


def test_a_full_event_queue_counts_as_everything_changed(make_content):
    root = make_content()
    if filesystem_of(root, read_mounts()) not in LOCAL_FILESYSTEMS:
        pytest.skip("the temporary folder is not on a filesystem the journal trusts")
    journal = ChangeJournal.open(root)
    assert journal is not None
    try:
        noted = Changes()
        journal._note(struct.pack("iIII", -1, IN_Q_OVERFLOW, 0, 0), noted)
        assert noted.everything
    finally:
        journal.close()


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
