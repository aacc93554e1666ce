"""The browser editor (`dxportal serve --edit`) through the test client: every route.

Storage (atomic saves, history, conflicts), path safety, uploads, sign-in and CSRF, the bind
rule, preview, translation and publishing; and that the editor never reaches the frozen site.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys

import pytest
from click.testing import CliRunner
from PIL import Image
from werkzeug.security import check_password_hash, generate_password_hash

from dxportal import create_app
from dxportal.build.pipeline import freeze_site
from dxportal.cli import main
from dxportal.editor import BindRefused, accounts, check_bind
from dxportal.editor.paths import UnsafePath, history_file, media_file, page_file

from conftest import form_values, page_text, parse

NOW = "2026-12-01T09:00"
NEWS = "news/hop.vi.md"
NEWS_URL = "/edit/page/news/hop/vi/"


@pytest.fixture
def content(make_content):
    return make_content(
        {
            NEWS: page_text("Họp Ban Chỉ đạo", body="## Nội dung\n\nVăn bản."),
            "news/nhap.vi.md": page_text("Bản nháp", date="2026-11-01", draft="true"),
            "news/sap-toi.vi.md": page_text("Sắp tới", date="2027-01-01"),
            "news/sap-toi.en.md": page_text("Coming", date="2027-01-01"),
        }
    )


@pytest.fixture
def editor_app(app_for, content):
    def build(**config):
        settings = {"DXPORTAL_PREVIEW": True, "DXPORTAL_EDITOR": True, "DXPORTAL_NOW": NOW}
        return app_for(content, **{**settings, **config})

    return build


@pytest.fixture
def client(editor_app):
    return editor_app().test_client()


def token(client) -> str:
    return form_values(client.get("/edit/publish").get_data(as_text=True))["csrf_token"]


def opened(client, url=NEWS_URL) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_values(response.get_data(as_text=True))


def png_bytes(size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


# --- the list -------------------------------------------------------------------------------


def statuses(html) -> dict[str, list[str]]:
    rows = {}
    for row in parse(html).select("tbody tr"):
        rows[row.find("code").text] = [b["class"][1].split("--")[1] for b in row.select(".badge")]
    return rows


def test_the_list_shows_every_page_and_language_with_its_status(client, content):
    (content / "news/hong.vi.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    rows = statuses(client.get("/edit/"))
    assert rows["news/hop.vi.md"] == ["published"]
    assert rows["news/hop.en.md"] == ["missing"]
    assert rows["news/nhap.vi.md"] == ["draft"]
    assert rows["news/sap-toi.en.md"] == ["scheduled"]
    assert rows["news/hong.vi.md"] == ["problems"]
    assert rows["pages/about.en.md"] == ["published"]


def test_the_list_is_searchable_without_accents_and_sortable_by_date(client):
    found = statuses(client.get("/edit/?q=hop"))
    assert set(found) == {"news/hop.vi.md", "news/hop.en.md"}
    assert set(statuses(client.get("/edit/?q=Bản+nháp"))) == {"news/nhap.vi.md", "news/nhap.en.md"}
    assert set(statuses(client.get("/edit/?status=draft"))) == {"news/nhap.vi.md"}
    newest = list(statuses(client.get("/edit/?section=news")))
    oldest = list(statuses(client.get("/edit/?section=news&sort=oldest")))
    assert newest[0].startswith("news/sap-toi") and oldest[0].startswith("news/hop")


def test_the_interface_follows_the_lang_parameter(client):
    assert parse(client.get("/edit/")).html["lang"] == "vi"
    english = parse(client.get("/edit/?lang=en"))
    assert english.html["lang"] == "en" and english.h1.text == "All content"
    assert parse(client.get("/edit/")).h1.text == "All content"  # kept for the session
    assert parse(client.get("/edit/?lang=vi")).h1.text == "Tất cả nội dung"


# --- create, edit, conflicts, history -----------------------------------------------------------


def test_creating_a_page_writes_the_markdown_file_a_developer_would(client, content):
    data = opened(client, "/edit/new/news/vi/")
    data.update(
        title="Tập huấn: kỹ năng số",
        date="2026-12-10",
        tags="ban-chi-dao",
        draft=["true"],
        body="## Nội dung\r\n\r\nVăn bản.",
        action="save",
    )
    response = client.post("/edit/new/news/vi/", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/edit/page/news/tap-huan-ky-nang-so/vi/"
    written = (content / "news/tap-huan-ky-nang-so.vi.md").read_text(encoding="utf-8")
    assert written == (
        "---\ntitle: 'Tập huấn: kỹ năng số'\ntags: [ban-chi-dao]\ndraft: true\n"
        "date: 2026-12-10\n---\n\n## Nội dung\n\nVăn bản.\n"
    )
    again = client.post("/edit/new/news/vi/", data=data)
    assert again.status_code == 409
    assert "already exists" in again.get_data(as_text=True) or "đã có" in again.get_data(
        as_text=True
    )


def test_a_reserved_or_invalid_address_is_refused(client, content):
    data = opened(client, "/edit/new/pages/vi/")
    data.update(title="Tin tức", slug="news", action="save")
    assert client.post("/edit/new/pages/vi/", data=data).status_code == 422
    data.update(slug="../site")
    assert client.post("/edit/new/pages/vi/", data=data).status_code == 422
    assert not (content / "pages/news.vi.md").exists()


_WATCHERS: list = []


def _audit(event: str, args: tuple) -> None:
    for watcher in list(_WATCHERS):
        watcher(event, args)


@contextlib.contextmanager
def watch_file_during(path):
    """Read ``path`` at every audited event (open, rename, remove...) while the block runs.

    Audit events come before the operation they announce, so these are the states a reader of
    the file could see between the steps of a save. Yields the list of texts (None: no file).
    """
    seen: list[str | None] = []
    busy = []

    def watcher(event, args):
        if busy:
            return
        busy.append(True)
        try:
            seen.append(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            seen.append(None)
        finally:
            busy.clear()

    if not getattr(sys, "_dxportal_audit_hook", False):
        sys.addaudithook(_audit)  # hooks cannot be removed: one for the run, idle between tests
        sys._dxportal_audit_hook = True
    _WATCHERS.append(watcher)
    try:
        yield seen
    finally:
        _WATCHERS.remove(watcher)


def test_saving_replaces_the_file_atomically_and_keeps_the_previous_version(client, content):
    path = content / NEWS
    before = path.read_text(encoding="utf-8")
    data = opened(client)
    data.update(title="Họp lần thứ nhất", action="save")
    old_inode = path.stat().st_ino
    with path.open(encoding="utf-8") as reader_before_the_save:
        with watch_file_during(path) as seen:
            assert client.post(NEWS_URL, data=data).status_code == 302
        after = path.read_text(encoding="utf-8")
        assert "title: Họp lần thứ nhất" in after
        # Replaced, not rewritten: a new file took the name, and a reader that had the old one
        # open still reads all of it.
        assert path.stat().st_ino != old_inode
        assert reader_before_the_save.read() == before
    # At every step of the save a reader found the whole old file or the whole new one.
    assert seen and set(seen) <= {before, after}, {text and text[:40] for text in seen}
    assert seen[0] == before and seen[-1] == after
    history = content / ".history/news/hop.vi"
    (kept,) = history.iterdir()
    assert kept.read_text(encoding="utf-8") == before
    assert (content / ".history/.gitignore").read_text().splitlines()[-1] == "*"
    assert [p.name for p in (content / "news").iterdir() if p.name.startswith(".")] == []
    html = client.get(NEWS_URL).get_data(as_text=True)
    assert "Saved." in html or "Đã lưu." in html


def test_a_file_changed_on_disk_is_not_overwritten_and_both_versions_are_shown(client, content):
    data = opened(client)
    (content / NEWS).write_text(page_text("Sửa bằng tay"), encoding="utf-8")
    data.update(title="Sửa trong trình soạn", action="save")
    response = client.post(NEWS_URL, data=data)
    assert response.status_code == 409
    assert "Sửa bằng tay" in (content / NEWS).read_text(encoding="utf-8")
    versions = [pre.text for pre in parse(response).select(".conflict pre")]
    assert "title: Sửa bằng tay" in versions[0] and "Sửa trong trình soạn" in versions[1]
    assert not (content / ".history").exists()
    # Saving again from the conflict page is deliberate: it replaces the file, keeping it.
    retry = form_values(response.get_data(as_text=True))
    retry["action"] = "save"
    assert client.post(NEWS_URL, data=retry).status_code == 302
    assert "Sửa trong trình soạn" in (content / NEWS).read_text(encoding="utf-8")
    (kept,) = (content / ".history/news/hop.vi").iterdir()
    assert "Sửa bằng tay" in kept.read_text(encoding="utf-8")


def test_a_deleted_file_is_a_conflict_too(client, content):
    data = opened(client)
    (content / NEWS).unlink()
    data["action"] = "save"
    assert client.post(NEWS_URL, data=data).status_code == 409
    assert not (content / NEWS).exists()


def test_earlier_versions_can_be_viewed_and_restored(client, content):
    original = (content / NEWS).read_text(encoding="utf-8")
    data = opened(client)
    data.update(title="Tiêu đề mới", action="save")
    client.post(NEWS_URL, data=data)
    history = parse(client.get("/edit/history/news/hop/vi/"))
    link = history.select_one(".version-list a")["href"]
    shown = client.get(link)
    assert parse(shown).select("pre")[0].text == original
    restore = form_values(shown.get_data(as_text=True))
    (content / NEWS).write_text(page_text("Đổi lần nữa"), encoding="utf-8")
    assert client.post(link, data=restore).status_code == 302  # stale: refused
    assert "Đổi lần nữa" in (content / NEWS).read_text(encoding="utf-8")
    fresh = form_values(client.get(link).get_data(as_text=True))
    assert client.post(link, data=fresh).headers["Location"] == NEWS_URL
    assert (content / NEWS).read_text(encoding="utf-8") == original
    assert len(list((content / ".history/news/hop.vi").iterdir())) == 2


def test_problems_are_shown_next_to_their_field_and_text_line(client, content):
    data = opened(client)
    data.update(date="", action="save")
    response = client.post(NEWS_URL, data=data)
    html = parse(client.get(response.headers["Location"]))
    assert "date" in html.select_one("#f-date-problems").text
    assert html.select_one("#f-date")["aria-invalid"] == "true"
    data = opened(client)
    data.update(date="2021-03-03", tags="khong-co", body="## A\n\n![](/media/x.png)", action="save")
    response = client.post(NEWS_URL, data=data)
    html = parse(client.get(response.headers["Location"]))
    assert "khong-co" in html.select_one("#f-tags-problems").text
    assert "f-tags-problems" in html.select_one("#f-tags")["aria-describedby"]
    body = html.select_one("#f-body-problems").text
    assert "3" in body and "alt" in body


def test_a_list_of_groups_with_a_syntax_mistake_is_not_saved(editor_app, make_content):
    root = make_content(
        {
            "goals/g.vi.md": (
                "---\ntitle: G\ndate: 2021-01-01\npillar: digital-government\nindicator: I\n"
                "unit: '%'\nbaseline: {year: 2020, value: 3}\ntarget: {year: 2025, value: 50}\n"
                "---\n\nText.\n"
            )
        }
    )
    client = editor_app(DXPORTAL_CONTENT_DIR=str(root)).test_client()
    data = opened(client, "/edit/page/goals/g/vi/")
    assert data["baseline-year"] == "2020" and data["target-value"] == "50"
    data.update(measurements="{date: 2021-12-31, value: 8}\n{date: [", action="save")
    response = client.post("/edit/page/goals/g/vi/", data=data)
    assert response.status_code == 422
    assert "2" in parse(response).select_one("#f-measurements-problems").text
    data.update(measurements="{date: 2021-12-31, value: 8}\ndate: 2022-12-31, value: 9")
    assert client.post("/edit/page/goals/g/vi/", data=data).status_code == 302
    text = (root / "goals/g.vi.md").read_text(encoding="utf-8")
    assert "measurements:\n  - {date: 2021-12-31, value: 8}\n  - {date: 2022-12-31, value: 9}" in (
        text
    )


# --- preview ----------------------------------------------------------------------------------


def test_the_preview_renders_the_form_with_the_site_templates(client):
    data = opened(client)
    data.update(title="Xem trước", body="## Phần\n\nĐoạn **đậm**.")
    html = parse(client.post("/edit/preview/news/vi/", data=data))
    assert html.h1.text == "Xem trước"
    assert html.select_one(".prose strong").text == "đậm"
    assert html.html["lang"] == "vi"
    assert not html.select("script[src*=live-reload]")


def test_a_preview_of_an_unreadable_form_lists_its_problems(client):
    data = opened(client)
    data.update(title="", date="")
    html = parse(client.post("/edit/preview/news/vi/", data=data))
    assert len(html.select(".problem-list li")) == 2


def test_a_preview_while_another_page_stops_the_site_lists_that_page(client, content):
    """The site's templates need the loaded site; another page's error is named, not a 500."""
    broken = content / "news/the-sai.vi.md"
    broken.write_text(page_text("Thẻ sai", tags="[khong-co]"), encoding="utf-8")
    data = opened(client)
    data.update(title="Xem trước")
    response = client.post("/edit/preview/news/vi/", data=data)
    assert response.status_code == 200
    problems = [li.get_text(" ", strip=True) for li in parse(response).select(".problem-list li")]
    assert len(problems) == 1
    assert f"{broken}:4" in problems[0] and "khong-co" in problems[0]


# --- uploads ---------------------------------------------------------------------------------


def upload(client, url, name, data, text="Bàn họp", **extra):
    values = opened(client, url)
    values.update(action="upload", upload=(io.BytesIO(data), name), upload_text=text, **extra)
    return client.post(url, data=values, content_type="multipart/form-data")


def test_an_image_is_stored_under_a_safe_name_never_over_another(client, content):
    first = upload(client, NEWS_URL, "Ảnh Họp (1).PNG", png_bytes())
    assert first.status_code == 200
    assert (content / "media/anh-hop-1.png").read_bytes() == png_bytes()
    body = parse(first).select_one("#f-body").text
    assert body.endswith("![Bàn họp](/media/anh-hop-1.png)")
    upload(client, NEWS_URL, "ảnh họp (1).png", png_bytes((3, 3)))
    assert (content / "media/anh-hop-1.png").read_bytes() == png_bytes()
    assert (content / "media/anh-hop-1-2.png").read_bytes() == png_bytes((3, 3))
    assert "Họp Ban Chỉ đạo" in (content / NEWS).read_text(encoding="utf-8")  # not saved


def test_the_type_comes_from_the_content_not_the_name(client, content):
    pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    assert upload(client, NEWS_URL, "../../bao cao.png", pdf, text="Báo cáo").status_code == 200
    assert (content / "media/bao-cao.pdf").read_bytes() == pdf
    for name, data in [
        ("anh.png", b"<html><script>alert(1)</script></html>"),
        ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
        ("anh.png", png_bytes()[:40]),
    ]:
        response = upload(client, NEWS_URL, name, data)
        assert "PDF" in parse(response).select_one(".notice--problem").text
    assert sorted(p.name for p in (content / "media").iterdir()) == ["bao-cao.pdf"]


def test_an_image_needs_its_alt_text_before_it_is_stored(client, content):
    response = upload(client, NEWS_URL, "anh.png", png_bytes(), text=" ")
    assert "văn bản thay thế" in parse(response).select_one(".notice--problem").text
    assert list((content / "media").iterdir()) == []
    assert "/media/" not in parse(response).select_one("#f-body").text


def test_uploads_are_limited_in_size(editor_app, content):
    client = editor_app(DXPORTAL_EDITOR_MAX_UPLOAD=200).test_client()
    response = upload(client, NEWS_URL, "lon.png", png_bytes((300, 300)) + b"\0" * 300)
    assert "MB" in parse(response).select_one(".notice--problem").text
    # A raw body (the test client would spool a large multipart form to an unclosed file).
    huge = client.post(
        NEWS_URL, data=b"%PDF-" + b"0" * 2**21, content_type="multipart/form-data; boundary=x"
    )
    assert huge.status_code == 413
    assert list((content / "media").iterdir()) == []


def test_media_are_served_without_sniffing_even_while_a_page_is_broken(client, content):
    (content / "media/a.png").write_bytes(png_bytes())
    (content / NEWS).write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with client.get("/media/a.png") as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype == "image/png"


# --- translation and publishing -----------------------------------------------------------


def test_translate_starts_the_other_language_as_a_draft(client, content):
    response = client.post("/edit/translate/news/hop/en/", data={"csrf_token": token(client)})
    assert response.headers["Location"] == "/edit/page/news/hop/en/"
    assert "draft: true" in (content / "news/hop.en.md").read_text(encoding="utf-8")
    again = client.post("/edit/translate/news/hop/en/", data={"csrf_token": token(client)})
    assert again.headers["Location"] == "/edit/"


def test_publish_checks_and_builds_into_the_build_folder(client, content, tmp_path):
    response = client.post("/edit/publish", data={"csrf_token": token(client)})
    assert response.status_code == 200
    assert (tmp_path / "build/vi/news/hop/index.html").is_file()
    assert not (tmp_path / "build/vi/news/nhap/index.html").exists()
    assert not (tmp_path / "build/edit").exists()
    (content / NEWS).write_text(page_text("Họp", body="[x](/vi/news/khong-co/)"), "utf-8")
    failed = client.post("/edit/publish", data={"csrf_token": token(client)})
    assert failed.status_code == 422
    assert "khong-co" in parse(failed).select_one(".problem-list").text
    assert (tmp_path / "build/vi/news/hop/index.html").is_file()  # the previous build stays


# --- safety ---------------------------------------------------------------------------------


VERSION = "20260101T000000.000000Z.md"


def files_under(*folders) -> dict[str, bytes]:
    """Every file under the folders (symbolic links not followed), with its bytes."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found[str(path)] = path.read_bytes()
    return found


@pytest.fixture
def outside(content, tmp_path):
    """A folder beside content/, reachable from it only through symbolic links.

    content/training -> outside/, and an earlier version of news/hop.vi in the history that is
    a link to outside/secret.md. Without the path checks, the editor would read and write there.
    """
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "x.vi.md").write_text(page_text("Ngoài thư mục"), encoding="utf-8")
    (folder / "secret.md").write_text(page_text("Bí mật"), encoding="utf-8")
    return folder


def link_outside(content, outside) -> None:
    (content / "training").symlink_to(outside, target_is_directory=True)
    history = content / ".history/news/hop.vi"
    history.mkdir(parents=True)
    (history / VERSION).symlink_to(outside / "secret.md")


# Each address is routed to an editor view (checked): the view itself must refuse it.
@pytest.mark.parametrize(
    "method, url, slug",
    [
        ("GET POST", "/edit/page/news/../vi/", None),
        ("GET POST", "/edit/page/news/%2e%2e/vi/", None),
        ("GET POST", "/edit/page/news/hop%00/vi/", None),
        ("GET POST", "/edit/page/news/h%C3%B3p/vi/", None),
        ("GET POST", "/edit/page/news/h%EF%BD%8Fp/vi/", None),  # a fullwidth o
        ("GET POST", "/edit/page/news/ho%CC%81p/vi/", None),  # decomposed: NFC gives hóp
        ("GET POST", "/edit/page/news/hop%5C..%5C..%5Csite/vi/", None),  # backslashes
        ("GET POST", "/edit/page/news/.hop/vi/", None),
        ("GET POST", "/edit/page/news/%20hop/vi/", None),
        ("GET POST", "/edit/page/media/hop/vi/", None),
        ("GET POST", "/edit/page/news/hop/fr/", None),
        ("GET POST", "/edit/page/news/HOP/vi/", None),
        ("GET POST", "/edit/page/training/x/vi/", None),  # through the link out of content/
        ("GET POST", "/edit/new/media/vi/", "hop"),
        ("GET POST", "/edit/new/news/xx/", "hop-moi"),
        ("POST", "/edit/new/training/vi/", "y"),  # the section is a link out of content/
        ("GET", "/edit/history/training/x/vi/", None),
        ("GET POST", f"/edit/history/news/hop/vi/{VERSION}", None),  # a link to outside/
        ("GET POST", "/edit/history/news/hop/vi/..", None),
        ("GET POST", "/edit/history/news/HOP/vi/20260101T000000.000000Z.md", None),
        ("POST", "/edit/translate/news/HOP/vi/", None),
        ("POST", "/edit/translate/training/x/en/", None),
        ("POST", "/edit/translate/news/hop/fr/", None),
    ],
)
def test_addresses_outside_the_content_pages_are_refused(
    editor_app, content, outside, method, url, slug
):
    from flask import request

    client = editor_app().test_client()
    data = opened(client)  # a valid form and CSRF token, from a real page
    data.update(action="save", digest="", title="Ghi đè")
    if slug:
        data["slug"] = slug
    link_outside(content, outside)
    before = files_under(content, outside)
    for verb in method.split():
        with client:
            response = client.post(url, data=data) if verb == "POST" else client.get(url)
            assert (request.endpoint or "").startswith("editor."), (url, "not routed to a view")
        assert response.status_code == 404, (verb, url, response.status_code)
        assert "Ngoài thư mục" not in response.get_data(as_text=True)
        assert "Bí mật" not in response.get_data(as_text=True)
    assert files_under(content, outside) == before


@pytest.mark.parametrize(
    "parts",
    [
        ("news", "..", "vi"),
        ("news", "/etc/passwd", "vi"),
        ("news", "ho\u0301p", "vi"),  # decomposed: NFC gives "hóp", not a slug
        ("../news", "hop", "vi"),
        ("news", "hop", "vi/../.."),
        ("news", "hop%2f", "vi"),
        ("news", "hop\\..", "vi"),
    ],
)
def test_page_names_are_validated(content, parts):
    with pytest.raises(UnsafePath):
        page_file(content, *parts)


def test_symbolic_links_out_of_the_content_folder_are_refused(content, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (content / "training").symlink_to(outside)
    with pytest.raises(UnsafePath):
        page_file(content, "training", "x", "vi")
    with pytest.raises(UnsafePath):
        history_file(content, "news", "hop", "vi", "../../site.yml")
    with pytest.raises(UnsafePath):
        media_file(content, "../site.yml")


def test_every_change_needs_the_csrf_token(client, content):
    before = (content / NEWS).read_text(encoding="utf-8")
    data = opened(client)
    data.update(title="Không được lưu", action="save")
    for sent in ({**data, "csrf_token": ""}, {**data, "csrf_token": "sai"}):
        assert client.post(NEWS_URL, data=sent).status_code == 400
    del data["csrf_token"]
    assert client.post(NEWS_URL, data=data).status_code == 400
    assert client.post("/edit/publish").status_code == 400
    assert client.post("/edit/translate/news/hop/en/").status_code == 400
    assert (content / NEWS).read_text(encoding="utf-8") == before
    assert not (content / "news/hop.en.md").exists()


def test_with_a_password_every_page_needs_signing_in(editor_app, content):
    app = editor_app(DXPORTAL_EDITOR_PASSWORD_HASH=generate_password_hash("mật khẩu đúng"))
    client = app.test_client()
    response = client.get("/edit/page/news/hop/vi/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/edit/login")
    assert client.get("/edit/").status_code == 302
    assert client.post("/edit/publish").status_code in (302, 400)
    login = client.get("/edit/login")
    data = form_values(login.get_data(as_text=True))
    assert client.post("/edit/login", data={**data, "password": "sai"}).status_code == 401
    assert client.post("/edit/login", data={"password": "mật khẩu đúng"}).status_code == 400
    answer = client.post(
        "/edit/login?next=/edit/page/news/hop/vi/", data={**data, "password": "mật khẩu đúng"}
    )
    assert answer.headers["Location"] == "/edit/page/news/hop/vi/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/edit/").status_code == 200
    outside = client.post(
        "/edit/login?next=https://evil.example/", data={**data, "password": "mật khẩu đúng"}
    )
    assert outside.status_code == 400  # the session changed: the old token is gone


def test_sign_out_is_offered_only_once_signed_in(editor_app):
    """In the header, before the sign-in form: shown there, it was the first button of the
    sign-in page, and pressing Enter or clicking the first button signed nobody in."""
    app = editor_app(DXPORTAL_EDITOR_PASSWORD_HASH=generate_password_hash("x"))
    client = app.test_client()
    login = parse(client.get("/edit/login"))
    assert login.select_one(".editor-account") is None
    first_button = login.select_one("button[type=submit]")
    assert first_button.find_parent("form").get("action") != "/edit/logout"
    data = form_values(str(login))
    client.post("/edit/login", data={**data, "password": "x"})
    account = parse(client.get("/edit/")).select_one("header .editor-account")
    assert account.select_one("form[action='/edit/logout'] button") is not None


def test_after_signing_in_outside_addresses_are_not_followed(editor_app):
    app = editor_app(DXPORTAL_EDITOR_PASSWORD_HASH=generate_password_hash("x"))
    client = app.test_client()
    data = form_values(client.get("/edit/login").get_data(as_text=True))
    answer = client.post("/edit/login?next=//evil.example/x", data={**data, "password": "x"})
    assert answer.headers["Location"] == "/edit/"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_password(host, content, monkeypatch):
    assert check_bind(host, "") is None
    # `serve --edit` on this address starts the server, with an editor open without signing in.
    monkeypatch.delenv("DXPORTAL_EDITOR_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(content))
    started = []
    monkeypatch.setattr("flask.Flask.run", lambda app, **options: started.append((app, options)))
    result = CliRunner().invoke(main, ["serve", "--edit", "--host", host, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"Editor: http://{host}:5000/edit/" in result.output
    ((app, options),) = started
    assert options["host"] == host
    response = app.test_client().get("/edit/")
    assert response.status_code == 200
    assert "news/hop.vi.md" in [code.text for code in parse(response).select("tbody code")]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "::", "example.org"])
def test_a_public_address_needs_user_accounts(host, tmp_path, cheap_hashes):
    with pytest.raises(BindRefused):
        check_bind(host, "", tmp_path)
    with pytest.raises(BindRefused):  # a shared password names nobody: not enough
        check_bind(host, generate_password_hash("x"), tmp_path)
    accounts.add_user(tmp_path, "lan", "Lan", "lan@example.org", "writer", "mật-khẩu-đủ-dài")
    check_bind(host, "", tmp_path)
    (tmp_path / "users.json").write_text("{")
    with pytest.raises(BindRefused):
        check_bind(host, "", tmp_path)


def test_serve_edit_refuses_a_public_bind_without_accounts(monkeypatch, tmp_path):
    monkeypatch.delenv("DXPORTAL_EDITOR_PASSWORD_HASH", raising=False)
    monkeypatch.setenv("DXPORTAL_NEWSROOM_DIR", str(tmp_path / "newsroom"))
    result = CliRunner().invoke(main, ["serve", "--edit", "--host", "0.0.0.0", "--lang", "en"])
    assert result.exit_code == 2
    assert "dxportal user add" in result.output
    assert "0.0.0.0" in result.output


@pytest.mark.parametrize(("host", "with_accounts"), [("127.0.0.1", False), ("0.0.0.0", True)])
def test_serve_edit_starts_the_editor_when_allowed(
    monkeypatch, content, host, with_accounts, cheap_hashes
):
    started = []
    monkeypatch.setattr("flask.Flask.run", lambda app, **options: started.append((app, options)))
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(content))
    monkeypatch.delenv("DXPORTAL_EDITOR_PASSWORD_HASH", raising=False)
    if with_accounts:
        folder = content.parent / ".newsroom"
        accounts.add_user(folder, "lan", "Lan", "lan@example.org", "writer", "mật-khẩu-đủ-dài")
    result = CliRunner().invoke(main, ["serve", "--edit", "--host", host, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"http://{host}:5000/edit/" in result.output
    ((app, options),) = started
    assert options["host"] == host
    assert app.test_client().get("/edit/").status_code == (302 if with_accounts else 200)


def test_serve_without_edit_has_no_editor(monkeypatch, content):
    started = []
    monkeypatch.setattr("flask.Flask.run", lambda app, **options: started.append(app))
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(content))
    assert CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"]).exit_code == 0
    assert started[0].test_client().get("/edit/").status_code == 404


def test_editor_password_prints_a_hash_of_the_password():
    result = CliRunner().invoke(main, ["editor-password", "--lang", "en"], input="bí mật\nbí mật\n")
    assert result.exit_code == 0
    (hashed,) = re.findall(r"DXPORTAL_EDITOR_PASSWORD_HASH='([^']+)'", result.output)
    assert check_password_hash(hashed, "bí mật") and "bí mật" not in hashed


def test_editor_responses_carry_a_strict_policy(client):
    response = client.get("/edit/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'self'" in policy
    assert response.headers["Cache-Control"] == "no-store"
    html = parse(response)
    assert all(not s.get_text().strip() for s in html.find_all("script"))
    assert not html.find_all(attrs={"onclick": True})


# --- never in the published site --------------------------------------------------------------


def test_the_editor_exists_only_when_asked_for(app_for, content):
    assert app_for(content).test_client().get("/edit/").status_code == 404
    preview = app_for(content, DXPORTAL_PREVIEW=True).test_client()
    assert preview.get("/edit/").status_code == 404
    # Asking for it outside preview (e.g. DXPORTAL_EDITOR=1 in a build's environment) does not.
    assert app_for(content, DXPORTAL_EDITOR=True).test_client().get("/edit/").status_code == 404


def test_a_frozen_site_has_no_editor_and_no_link_to_it(content, tmp_path):
    app = create_app({"DXPORTAL_CONTENT_DIR": str(content), "DXPORTAL_EDITOR": True})
    urls = freeze_site(app, tmp_path / "site")
    assert urls and not [u for u in urls if "/edit" in u]
    assert not (tmp_path / "site/edit").exists()
    for page in (tmp_path / "site").rglob("*.html"):
        assert "/edit/" not in page.read_text(encoding="utf-8"), page


def test_of_two_saves_from_the_same_opened_file_only_the_first_is_written(content):
    from concurrent.futures import ThreadPoolExecutor

    from dxportal.editor.storage import Conflict, digest, save_page

    opened_digest = digest((content / NEWS).read_text(encoding="utf-8"))

    def save(number: int) -> bool:
        try:
            save_page(content, "news", "hop", "vi", page_text(f"Lần {number}"), opened_digest)
        except Conflict:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(save, range(16)))
    assert results.count(True) == 1
    assert len(list((content / ".history/news/hop.vi").iterdir())) == 1
