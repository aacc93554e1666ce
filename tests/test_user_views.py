"""Admins manage accounts in the browser (/edit/users/): add, change a role, disable, enable;
each change recorded under the admin's name and taking effect at once."""

from __future__ import annotations

from newsroom_support import PASSWORD, post, sign_in

from dxportal.editor import accounts, audit

from conftest import parse

USERS = "/edit/users/"


def add(client, login="moi", **changes):
    data = {"login": login, "name": "Người Mới", "email": f"{login}@example.org", "role": "writer"}
    data.update(password=PASSWORD, password_again=PASSWORD)
    data.update(changes)
    return post(client, USERS, **data)


def test_an_admin_adds_a_user_who_can_then_sign_in(newsroom_app, tmp_path):
    app = newsroom_app()
    admin = sign_in(app, "an")
    listing = parse(admin.get(USERS + "?lang=en"))
    assert [c.text for c in listing.select("tbody th code")] == ["an", "hoa", "lan", "minh", "tuan"]
    assert add(admin).status_code == 302
    assert "moi" in [c.text for c in parse(admin.get(USERS)).select("tbody th code")]
    assert sign_in(app, "moi").get("/edit/").status_code == 200
    entries = [
        (e.person, e.action, e.details.get("user"))
        for e in audit.read_record(tmp_path / ".newsroom")
    ]
    assert ("an", "user_add", "moi") in entries


def test_bad_input_is_refused_with_the_reason_and_the_form_kept(newsroom_app, tmp_path):
    admin = sign_in(newsroom_app(), "an")
    mismatch = add(admin, password_again="khác hẳn mật khẩu")
    assert mismatch.status_code == 422
    page = parse(admin.get(USERS + "?lang=en"))  # the language for the next answers
    again = add(admin, password_again="khác hẳn mật khẩu")
    assert "the two passwords are not the same" in parse(again).select_one(".notice--problem").text
    assert parse(again).select_one("#u-login")["value"] == "moi"
    assert add(admin, login="Không Hợp Lệ").status_code == 422
    assert add(admin, login="lan").status_code == 422  # exists already
    assert "full name" in parse(add(admin, name=" ")).select_one(".notice--problem").text
    assert add(admin, password="ngắn", password_again="ngắn").status_code == 422
    assert "moi" not in accounts.load_users(tmp_path / ".newsroom")
    assert page.select_one("#u-password")["type"] == "password"


def test_a_role_change_and_disabling_take_effect_and_are_recorded(newsroom_app, tmp_path):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    admin = sign_in(app, "an")
    assert post(admin, "/edit/users/lan/", role="editor").status_code == 302
    assert accounts.load_users(tmp_path / ".newsroom")["lan"].role == "editor"
    assert writer.get("/edit/").status_code == 302  # the open session ended with the change
    assert post(admin, "/edit/users/lan/", disabled="true").status_code == 302
    assert accounts.load_users(tmp_path / ".newsroom")["lan"].disabled
    page = app.test_client()
    token = parse(page.get("/edit/login")).find("input", attrs={"name": "csrf_token"})["value"]
    refused = page.post(
        "/edit/login", data={"csrf_token": token, "login": "lan", "password": PASSWORD}
    )
    assert refused.status_code == 401  # a disabled user cannot sign in
    assert post(admin, "/edit/users/lan/", disabled="false").status_code == 302
    changes = [
        (e.person, e.details)
        for e in audit.read_record(tmp_path / ".newsroom")
        if e.action == "user_change"
    ]
    assert [person for person, _ in changes] == ["an", "an", "an"]
    assert changes[0][1] == {"user": "lan", "role": "editor"}


def test_an_admin_never_changes_their_own_account_here(newsroom_app, tmp_path):
    admin = sign_in(newsroom_app(), "an")
    assert post(admin, "/edit/users/an/", role="writer").status_code == 403
    assert post(admin, "/edit/users/an/", disabled="true").status_code == 403
    assert accounts.load_users(tmp_path / ".newsroom")["an"].role == "admin"
    assert post(admin, "/edit/users/khong-co/", role="writer").status_code == 404


def test_only_an_admin_sees_the_link_and_the_page(newsroom_app):
    app = newsroom_app()
    nav = parse(sign_in(app, "an").get("/edit/")).select(".main-nav a")
    assert USERS in [a["href"] for a in nav]
    editor = sign_in(app, "hoa")
    assert USERS not in [a["href"] for a in parse(editor.get("/edit/")).select(".main-nav a")]
    assert editor.get(USERS).status_code == 403
    assert add(editor).status_code == 403


def test_without_accounts_there_is_no_users_page(app_for, make_content):
    content = make_content({})
    app = app_for(content, DXPORTAL_PREVIEW=True, DXPORTAL_EDITOR=True)
    assert app.test_client().get(USERS).status_code == 404
