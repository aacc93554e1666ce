"""Review before publication: a change waits outside content/ until a second person approves.

Through the test client and real builds: the old text stays live until approval, the rules of
who may approve (never one's own change), the role x action matrix, and git commits.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess

import pytest
from newsroom_support import (
    CHANGE_URL,
    NEWS,
    NEWS_URL,
    PASSWORD,
    post,
    save_body,
    sign_in,
)
from PIL import Image

from dxportal.build.pipeline import freeze_site
from dxportal.editor import audit

from conftest import form_values, page_text, parse

ARTICLE = "build/vi/news/hop/index.html"


def built_text(app_for, content, tmp_path, now: str = "2026-12-01T09:00") -> str:
    """Build the site as `dxportal build` does and return the article's page."""
    site = app_for(content, DXPORTAL_NOW=now, DXPORTAL_BUILD_DIR=str(tmp_path / "build"))
    freeze_site(site)
    return (tmp_path / ARTICLE).read_text(encoding="utf-8")


def test_a_writers_change_goes_live_only_after_an_editor_approves_it(
    newsroom, newsroom_app, app_for, tmp_path
):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    assert save_body(writer, "Văn bản mới.").status_code == 302
    assert "Văn bản cũ." in (newsroom / NEWS).read_text(encoding="utf-8")
    assert "Văn bản mới." in writer.get(NEWS_URL).get_data(as_text=True)  # the writer's copy
    assert post(writer, CHANGE_URL + "submit").status_code == 302

    live = built_text(app_for, newsroom, tmp_path)
    assert "Văn bản cũ." in live and "Văn bản mới." not in live

    editor = sign_in(app, "hoa")
    queue = editor.get("/edit/review/").get_data(as_text=True)
    assert "news/hop.vi" in queue and "Người lan" in queue
    change = editor.get(CHANGE_URL).get_data(as_text=True)
    assert "Văn bản mới." in parse(change).select_one("pre.diff ins").text
    assert post(editor, CHANGE_URL + "approve").status_code == 302

    live = built_text(app_for, newsroom, tmp_path)
    assert "Văn bản mới." in live and "Văn bản cũ." not in live
    record = [
        (e.person, e.action) for e in audit.read_record(tmp_path / ".newsroom", "news/hop.vi")
    ]
    assert record == [("lan", "save"), ("lan", "submit"), ("hoa", "approve")]


def test_an_approved_page_with_a_future_publish_time_goes_live_at_that_time(
    newsroom, newsroom_app, app_for, tmp_path
):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    new_url = "/edit/new/news/vi/"
    html = writer.get(new_url).get_data(as_text=True)
    token = parse(html).find("input", attrs={"name": "csrf_token"})["value"]
    data = {
        "csrf_token": token,
        "digest": "",
        "slug": "sap-toi",
        "title": "Sắp tới",
        "date": "2026-12-01",
        "publish": "2026-12-05T08:00",
        "body": "Tin hẹn giờ.",
        "action": "save",
    }
    assert writer.post(new_url, data=data).status_code == 302
    assert not (newsroom / "news/sap-toi.vi.md").exists()
    waiting = parse(writer.get("/edit/?lang=en")).select("#new-changes-title + ul li")
    assert [li.find("code").text for li in waiting] == ["news/sap-toi.vi"]
    assert post(writer, "/edit/change/news/sap-toi/vi/submit").status_code == 302
    assert post(sign_in(app, "tuan"), "/edit/change/news/sap-toi/vi/approve").status_code == 302
    assert (newsroom / "news/sap-toi.vi.md").exists()
    bar = parse(writer.get("/edit/page/news/sap-toi/vi/?lang=vi")).select_one(".review-bar")
    assert "Đã duyệt / Hẹn giờ" in bar.text
    site = app_for(newsroom, DXPORTAL_NOW="2026-12-04T08:00")
    freeze_site(site)
    assert not (tmp_path / "build/vi/news/sap-toi/index.html").exists()
    site = app_for(newsroom, DXPORTAL_NOW="2026-12-05T08:00")
    freeze_site(site)
    assert "Tin hẹn giờ." in (tmp_path / "build/vi/news/sap-toi/index.html").read_text()


def test_an_editor_never_approves_a_change_they_edited(newsroom, newsroom_app):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    editor = sign_in(app, "hoa")
    save_body(editor, "Văn bản mới, đã sửa.")
    post(writer, CHANGE_URL + "submit")
    refused = post(editor, CHANGE_URL + "approve")
    assert refused.status_code == 403
    assert "another editor must approve it" in refused.get_data(as_text=True).replace(
        "\n", " "
    ) or "biên tập viên khác" in refused.get_data(as_text=True)
    assert "Văn bản cũ." in (newsroom / NEWS).read_text(encoding="utf-8")
    assert post(sign_in(app, "tuan"), CHANGE_URL + "approve").status_code == 302


def test_returning_needs_a_comment_and_shows_it_to_the_writer(newsroom, newsroom_app):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    post(writer, CHANGE_URL + "submit")
    editor = sign_in(app, "hoa")
    assert post(editor, CHANGE_URL + "return", comment="  ").status_code == 422
    assert post(editor, CHANGE_URL + "return", comment="Thêm số liệu.").status_code == 302
    page = writer.get(NEWS_URL + "?lang=vi").get_data(as_text=True)
    assert "Cần sửa" in page and "Thêm số liệu." in page
    page = writer.get(NEWS_URL + "?lang=en").get_data(as_text=True)
    assert "Returned for changes" in page
    assert post(editor, CHANGE_URL + "approve").status_code == 409  # not in review any more


def test_only_the_submitter_withdraws(newsroom, newsroom_app):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    post(writer, CHANGE_URL + "submit")
    assert post(sign_in(app, "minh"), CHANGE_URL + "withdraw").status_code == 403
    assert post(writer, CHANGE_URL + "withdraw").status_code == 302
    assert post(sign_in(app, "hoa"), CHANGE_URL + "approve").status_code == 409


def test_approval_refuses_to_undo_a_change_made_to_the_live_file_meanwhile(newsroom, newsroom_app):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    post(writer, CHANGE_URL + "submit")
    (newsroom / NEWS).write_text(page_text("Họp Ban Chỉ đạo", body="Sửa tay."), encoding="utf-8")
    assert post(sign_in(app, "hoa"), CHANGE_URL + "approve").status_code == 409
    assert "Sửa tay." in (newsroom / NEWS).read_text(encoding="utf-8")


def test_publishing_without_review_needs_a_reason_and_stays_flagged(
    newsroom, newsroom_app, tmp_path
):
    app = newsroom_app()
    admin = sign_in(app, "an")
    save_body(admin, "Khẩn cấp.")
    assert post(admin, CHANGE_URL + "force", reason="").status_code == 422
    assert post(admin, CHANGE_URL + "force", reason="Bão số 9: thông báo khẩn.").status_code == 302
    assert "Khẩn cấp." in (newsroom / NEWS).read_text(encoding="utf-8")
    queue = admin.get("/edit/review/?lang=en").get_data(as_text=True)
    assert "Bão số 9: thông báo khẩn." in queue
    assert post(admin, "/edit/confirm/news/hop/vi/").status_code == 403  # not by the publisher
    assert post(sign_in(app, "hoa"), "/edit/confirm/news/hop/vi/").status_code == 302
    assert "Every published page was reviewed." in admin.get("/edit/review/").get_data(as_text=True)
    actions = [e.action for e in audit.read_record(tmp_path / ".newsroom", "news/hop.vi")]
    assert actions == ["save", "force_publish", "confirm"]


# --- the role x action matrix: every cell is a real request -------------------------------

# (action, how to do it) -> the outcome per role; "ok" is any success (2xx or 3xx).
MATRIX = {
    "edit": {"writer": "ok", "editor": "ok", "admin": "ok"},
    "submit": {"writer": "ok", "editor": "ok", "admin": "ok"},
    "withdraw": {"writer": "ok", "editor": "ok", "admin": "ok"},
    "approve": {"writer": 403, "editor": "ok", "admin": "ok"},
    "return": {"writer": 403, "editor": "ok", "admin": "ok"},
    "force_publish": {"writer": 403, "editor": 403, "admin": "ok"},
    "confirm": {"writer": 403, "editor": "ok", "admin": "ok"},
    "build": {"writer": 403, "editor": "ok", "admin": "ok"},
    "review_queue": {"writer": "ok", "editor": "ok", "admin": "ok"},
    "record": {"writer": "ok", "editor": "ok", "admin": "ok"},
    "manage_users": {"writer": 403, "editor": 403, "admin": "ok"},
    "users_list": {"writer": 403, "editor": 403, "admin": "ok"},
}
ACTOR = {"writer": "minh", "editor": "tuan", "admin": "an"}


def prepare(app, action: str, login: str) -> None:
    """The state each action starts from: another writer's change in review, or a page
    published without review by someone else, or the actor's own submission."""
    lan = sign_in(app, "lan")
    if action in ("approve", "return", "submit", "edit"):
        save_body(lan, "Văn bản mới.")
        if action in ("approve", "return"):
            post(lan, CHANGE_URL + "submit")
    elif action == "withdraw":
        actor = sign_in(app, login)
        save_body(actor, "Văn bản của tôi.")
        post(actor, CHANGE_URL + "submit")
    elif action == "confirm":
        admin = sign_in(app, "an") if login != "an" else lan
        if login == "an":  # the admin confirms a page another admin forced: make one
            from dxportal.editor import accounts

            accounts.add_user(
                app.config_folder, "an2", "Người an2", "an2@example.org", "admin", PASSWORD
            )
            admin = sign_in(app, "an2")
        save_body(admin, "Khẩn cấp.")
        post(admin, CHANGE_URL + "force", reason="Khẩn cấp.")


def perform(client, action: str):
    if action == "edit":
        return save_body(client, "Văn bản sửa.")
    if action == "submit":
        return post(client, CHANGE_URL + "submit")
    if action == "withdraw":
        return post(client, CHANGE_URL + "withdraw")
    if action == "approve":
        return post(client, CHANGE_URL + "approve")
    if action == "return":
        return post(client, CHANGE_URL + "return", comment="Sửa lại.")
    if action == "force_publish":
        save_body(client, "Khẩn cấp.") if client.get(CHANGE_URL).status_code == 404 else None
        return post(client, CHANGE_URL + "force", reason="Khẩn cấp.")
    if action == "confirm":
        return post(client, "/edit/confirm/news/hop/vi/")
    if action == "build":
        return post(client, "/edit/publish")
    if action == "review_queue":
        return client.get("/edit/review/")
    if action == "manage_users":
        person = {"name": "Người mới", "email": "moi@example.org", "role": "writer"}
        passwords = {"password": PASSWORD, "password_again": PASSWORD}
        return post(client, "/edit/users/", login="moi", **person, **passwords)
    if action == "users_list":
        return client.get("/edit/users/")
    return client.get("/edit/record/")


CELLS = [(action, role) for action, roles in MATRIX.items() for role in roles]


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}-{r}" for a, r in CELLS])
def test_role_action_matrix(newsroom_app, tmp_path, action, role):
    app = newsroom_app()
    app.config_folder = tmp_path / ".newsroom"
    login = ACTOR[role]
    prepare(app, action, login)
    response = perform(sign_in(app, login), action)
    expected = MATRIX[action][role]
    if expected == "ok":
        assert response.status_code < 400, response.get_data(as_text=True)[:2000]
    else:
        assert response.status_code == expected


# --- git ------------------------------------------------------------------------------------


def git(folder, *args) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], check=True, capture_output=True, text=True
    ).stdout


def test_each_approval_is_a_commit_by_the_writer_naming_the_approver(newsroom, newsroom_app):
    project = newsroom.parent
    git(project, "init", "-q", "-b", "main")
    git(project, "-c", "user.name=Setup", "-c", "user.email=setup@example.org",
        "commit", "-q", "--allow-empty", "-m", "start")  # fmt: skip
    (newsroom / "pages/about.en.md").write_text(page_text("About", body="Staged, not ours."))
    git(project, "add", "content/pages/about.en.md")  # someone else's staged work stays out
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    post(writer, CHANGE_URL + "submit")
    assert post(sign_in(app, "hoa"), CHANGE_URL + "approve").status_code == 302
    log = git(project, "log", "-1", "--format=%an <%ae>|%cn|%(trailers:key=Approved-by,valueonly)")
    assert log.strip() == "Người lan <lan@example.org>|Người hoa|Người hoa <hoa@example.org>"
    assert git(project, "show", "--name-only", "--format=", "HEAD").split() == [
        "content/news/hop.vi.md"
    ]
    assert "content/pages/about.en.md" in git(project, "diff", "--cached", "--name-only")
    record = list(audit.read_record(project / ".newsroom", "news/hop.vi"))
    assert record[-1].details["commit"] == git(project, "rev-parse", "HEAD").strip()


def test_without_git_an_approval_still_publishes(newsroom, newsroom_app):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    post(writer, CHANGE_URL + "submit")
    assert post(sign_in(app, "hoa"), CHANGE_URL + "approve").status_code == 302
    assert "Văn bản mới." in (newsroom / NEWS).read_text(encoding="utf-8")
    line = (newsroom.parent / ".newsroom/record.jsonl").read_text().splitlines()[-1]
    assert json.loads(line)["details"]["commit"] == ""


# --- uploads wait for approval too -----------------------------------------------------------


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_an_upload_is_published_only_with_the_approved_change(
    newsroom, newsroom_app, app_for, tmp_path
):
    (newsroom / "media/ban-hop.png").write_bytes(png_bytes())  # the name is taken: -2
    app = newsroom_app()
    writer = sign_in(app, "lan")
    values = form_values(writer.get(NEWS_URL).get_data(as_text=True))
    values.update(
        action="upload", upload=(io.BytesIO(png_bytes()), "Bàn họp.png"), upload_text="Bàn họp"
    )
    shown = writer.post(NEWS_URL, data=values, content_type="multipart/form-data")
    form = parse(shown)
    assert form.select_one("#f-body").text.endswith("![Bàn họp](/media/ban-hop-2.png)")
    assert not form.select(".field__problem")  # a staged file is not "missing"
    assert not (newsroom / "media/ban-hop-2.png").exists()
    with writer.get("/media/ban-hop-2.png") as response:
        assert response.status_code == 200  # the writer's preview shows it
    with app.test_client().get("/media/ban-hop-2.png") as response:
        assert response.status_code == 404  # nobody else sees it
    values = form_values(shown.get_data(as_text=True))
    values["action"] = "save"
    assert writer.post(NEWS_URL, data=values).status_code == 302
    post(writer, CHANGE_URL + "submit")
    built_text(app_for, newsroom, tmp_path)
    assert not (tmp_path / "build/media/ban-hop-2.png").exists()

    assert post(sign_in(app, "hoa"), CHANGE_URL + "approve").status_code == 302
    assert (newsroom / "media/ban-hop-2.png").read_bytes() == png_bytes()
    assert (
        'src="/media/ban-hop-2.png"'
        in built_text(app_for, newsroom, tmp_path).replace("http://127.0.0.1:5000", "")
        or (tmp_path / "build/media/ban-hop-2.png").exists()
    )
    assert (tmp_path / "build/media/ban-hop-2.png").exists()
    uploads = [e for e in audit.read_record(tmp_path / ".newsroom") if e.action == "upload"]
    assert [(e.person, e.details["file"]) for e in uploads] == [("lan", "ban-hop-2.png")]
    assert uploads[0].hash == hashlib.sha256(png_bytes()).hexdigest()


def test_an_approval_refuses_text_edited_after_the_editor_read_it(newsroom, newsroom_app):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    post(writer, CHANGE_URL + "submit")
    editor = sign_in(app, "hoa")
    read = parse(editor.get(CHANGE_URL)).select_one("form[action$='/approve']")
    seen = read.find("input", attrs={"name": "digest"})["value"]
    save_body(writer, "Văn bản mới, sửa thêm sau khi gửi.")
    assert post(editor, CHANGE_URL + "approve", digest=seen).status_code == 409
    assert "Văn bản cũ." in (newsroom / NEWS).read_text(encoding="utf-8")


def test_restoring_an_earlier_version_is_a_change_to_review(newsroom, newsroom_app, tmp_path):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    post(writer, CHANGE_URL + "submit")
    post(sign_in(app, "hoa"), CHANGE_URL + "approve")
    (version,) = (newsroom / ".history/news/hop.vi").iterdir()
    url = f"/edit/history/news/hop/vi/{version.name}"
    shown = parse(writer.get(url)).find("input", attrs={"name": "digest"})["value"]
    assert post(writer, url, digest=shown).status_code == 302
    assert "Văn bản mới." in (newsroom / NEWS).read_text(encoding="utf-8")  # still live
    change = writer.get(CHANGE_URL).get_data(as_text=True)
    assert "Văn bản cũ." in parse(change).select_one("pre.diff ins").text
    actions = [e.action for e in audit.read_record(tmp_path / ".newsroom", "news/hop.vi")]
    assert actions[-1] == "restore"
