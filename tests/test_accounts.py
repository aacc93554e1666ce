"""Personal accounts: `dxportal user`, signing in, throttling, sessions, and their bad input.

Through the CLI (click's runner) and the Flask test client; the users file is real.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import stat

import pytest
from click.testing import CliRunner
from newsroom_support import NEWS_URL, PASSWORD, post, save_body, sign_in

from dxportal.cli import main
from dxportal.editor import accounts, audit
from dxportal.editor.accounts import AccountsError

from conftest import parse


def run_user(folder, *args, stdin: str | None = None):
    env = {"DXPORTAL_NEWSROOM_DIR": str(folder)}
    return CliRunner().invoke(main, ["user", *args, "--lang", "en"], input=stdin, env=env)


# --- the command ---------------------------------------------------------------------------


def test_user_add_asks_twice_and_keeps_only_a_hash_in_a_private_file(tmp_path, cheap_hashes):
    folder = tmp_path / "newsroom"
    result = run_user(
        folder, "add", "lan", "--name", "Nguyễn Thị Lan", "--email", "lan@example.org",
        "--role", "writer", stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "User lan added (writer)." in result.output
    path = folder / "users.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text(encoding="utf-8")
    assert json.loads(path.read_text())["users"]["lan"]["password_hash"].startswith("$argon2id$")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert accounts.verify(folder, "lan", PASSWORD).name == "Nguyễn Thị Lan"
    (entry,) = audit.read_record(folder)
    assert (entry.action, entry.details["user"]) == ("user_add", "lan")
    assert entry.person.startswith("system:")


def test_user_add_refuses_two_different_passwords(tmp_path):
    result = run_user(
        tmp_path, "add", "lan", "--name", "Lan", "--email", "lan@example.org",
        "--role", "writer", stdin=f"{PASSWORD}\nkhác-hẳn-mật-khẩu\n{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert "do not match" in result.output.lower() or "match" in result.output.lower()


def test_password_is_never_an_argument(tmp_path):
    result = run_user(tmp_path, "add", "lan", "--password", PASSWORD)
    assert result.exit_code == 2


def test_passwd_role_disable_list(tmp_path, cheap_hashes):
    folder = tmp_path / "newsroom"
    details = ["--name", "Lan", "--email", "lan@example.org", "--role", "writer"]
    added = run_user(folder, "add", "lan", *details, "--password-stdin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0
    assert (
        run_user(folder, "passwd", "lan", "--password-stdin", stdin="mật-khẩu-mới-123\n").exit_code
        == 0
    )
    assert accounts.verify(folder, "lan", PASSWORD) is None
    assert accounts.verify(folder, "lan", "mật-khẩu-mới-123") is not None
    assert run_user(folder, "role", "lan", "editor").exit_code == 0
    assert run_user(folder, "disable", "lan").exit_code == 0
    listed = run_user(folder, "list").output
    assert listed.split("\t")[:3] == ["lan", "editor", "Lan"] and "disabled" in listed
    assert accounts.verify(folder, "lan", "mật-khẩu-mới-123") is None
    actions = [e.action for e in audit.read_record(folder)]
    assert actions == ["user_add", "user_change", "user_change", "user_change"]


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (["add", "Lan Anh", "--name", "L", "--email", "l@example.org", "--role", "writer",
          "--password-stdin"], PASSWORD + "\n", "a login is"),
        (["add", "lan", "--name", "L", "--email", "không-phải-thư", "--role", "writer",
          "--password-stdin"], PASSWORD + "\n", "is not valid"),
        (["add", "lan", "--name", "L", "--email", "l@example.org", "--role", "writer",
          "--password-stdin"], "ngắn\n", "at least 10 characters"),
        (["passwd", "ai-do", "--password-stdin"], PASSWORD + "\n", "there is no user ai-do"),
    ],
)  # fmt: skip
def test_user_mistakes_are_one_clear_line(tmp_path, cheap_hashes, args, stdin, expected):
    result = run_user(tmp_path, *args, stdin=stdin)
    assert result.exit_code == 1
    assert expected in result.output


def test_a_damaged_users_file_is_named_not_a_traceback(tmp_path):
    (tmp_path / "users.json").write_text("{không phải json")
    result = run_user(tmp_path, "list")
    assert result.exit_code == 2
    assert "users file" in result.output and "damaged" in result.output
    with pytest.raises(AccountsError):
        accounts.load_users(tmp_path)


# --- signing in ----------------------------------------------------------------------------


def test_the_editor_asks_everyone_to_sign_in_once_accounts_exist(newsroom_app):
    client = newsroom_app().test_client()
    response = client.get("/edit/")
    assert response.status_code == 302 and "/edit/login" in response.headers["Location"]
    form = parse(client.get("/edit/login"))
    assert form.find("input", id="login") and form.find("input", id="password")


def test_a_wrong_password_says_so_in_the_users_language(newsroom_app, caplog):
    client = newsroom_app().test_client()
    client.get("/edit/login?lang=vi")
    token = parse(client.get("/edit/login")).find("input", attrs={"name": "csrf_token"})["value"]
    with caplog.at_level(logging.WARNING, "dxportal.editor.signin"):
        response = client.post(
            "/edit/login", data={"csrf_token": token, "login": "lan", "password": "sai"}
        )
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert "sign-in failed: login='lan'" in caplog.text


def attempt(client, login: str, password: str = "sai-mật-khẩu", address: str = "127.0.0.1"):
    token = parse(client.get("/edit/login")).find("input", attrs={"name": "csrf_token"})["value"]
    return client.post(
        "/edit/login",
        data={"csrf_token": token, "login": login, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_five_wrong_passwords_for_one_login_pause_it_with_retry_after(newsroom_app, caplog):
    app = newsroom_app()
    for number in range(5):
        client = app.test_client()  # a new browser each time: the login is counted
        assert attempt(client, "lan", address=f"10.0.0.{number}").status_code == 401
    with caplog.at_level(logging.WARNING, "dxportal.editor.signin"):
        refused = attempt(app.test_client(), "lan", PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "try again after" in refused.get_data(as_text=True) or "thử lại sau" in (
        refused.get_data(as_text=True)
    )
    assert "locked out" in caplog.text
    assert attempt(app.test_client(), "hoa", PASSWORD).status_code == 302  # another login


def test_five_wrong_passwords_from_one_address_pause_that_address(newsroom_app):
    app = newsroom_app()
    client = app.test_client()
    for login in ("a1", "a2", "a3", "a4", "a5"):
        assert attempt(client, login).status_code == 401
    assert attempt(client, "hoa", PASSWORD).status_code == 429
    other = app.test_client()
    assert attempt(other, "hoa", PASSWORD, address="10.0.0.9").status_code == 302


def test_sign_ins_and_failures_are_recorded(newsroom_app, tmp_path):
    app = newsroom_app()
    attempt(app.test_client(), "lan")
    sign_in(app, "lan")
    actions = [(e.person, e.action) for e in audit.read_record(tmp_path / ".newsroom")]
    assert actions[-2:] == [("lan", "sign_in_failed"), ("lan", "sign_in")]


def test_a_session_survives_a_restart_of_the_server(newsroom_app, tmp_path):
    first = newsroom_app()
    client = sign_in(first, "lan")
    cookie = client.get_cookie("session").value
    key = tmp_path / ".newsroom/session.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    restarted = newsroom_app().test_client()  # a new app: a new process would read the same key
    restarted.set_cookie("session", cookie)
    assert restarted.get("/edit/").status_code == 200


def test_a_session_ends_after_the_idle_time_and_says_so(newsroom_app):
    app = newsroom_app()
    client = app.test_client()
    client.get("/edit/login?lang=en")
    sign_in(app, "lan", client=client)
    assert client.get("/edit/").status_code == 200
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(seconds=-1)  # already idle too long
    response = client.get("/edit/")
    assert response.status_code == 302 and "/edit/login" in response.headers["Location"]
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=8)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session has ended" in page


def test_the_session_lasts_eight_idle_hours_by_default(newsroom_app):
    app = newsroom_app()
    assert app.permanent_session_lifetime == dt.timedelta(hours=8)
    client = sign_in(app, "lan")
    assert "Expires=" in client.get("/edit/").headers.get("Set-Cookie", "Expires=")


def test_a_disabled_users_open_session_ends_at_the_next_request(newsroom_app, tmp_path):
    app = newsroom_app()
    client = sign_in(app, "lan")
    assert client.get("/edit/").status_code == 200
    accounts.change_user(tmp_path / ".newsroom", "lan", disabled=True)
    response = client.get("/edit/")
    assert response.status_code == 302 and "/edit/login" in response.headers["Location"]
    assert attempt(app.test_client(), "lan", PASSWORD).status_code == 401


def test_a_new_password_ends_other_sessions(newsroom_app, tmp_path, cheap_hashes):
    app = newsroom_app()
    client = sign_in(app, "lan")
    accounts.change_user(tmp_path / ".newsroom", "lan", password="một-mật-khẩu-mới")
    assert client.get("/edit/").status_code == 302


def test_a_post_without_the_csrf_token_changes_nothing(newsroom_app, newsroom):
    app = newsroom_app()
    client = sign_in(app, "lan")
    before = (newsroom / "news/hop.vi.md").read_text()
    response = client.post(NEWS_URL, data={"body": "x", "action": "save"})
    assert response.status_code == 400
    assert client.get("/edit/change/news/hop/vi/").status_code == 404  # no change was kept
    assert (newsroom / "news/hop.vi.md").read_text() == before


def test_a_damaged_users_file_stops_the_editor_with_a_clear_page(newsroom_app, tmp_path, caplog):
    app = newsroom_app()
    client = sign_in(app, "lan")
    (tmp_path / ".newsroom/users.json").write_text("{hỏng")
    with caplog.at_level(logging.ERROR, "dxportal.editor.gate"):
        response = client.get("/edit/?lang=en")
    assert response.status_code == 503
    assert "cannot read its list of users" in response.get_data(as_text=True)
    assert "users file" in caplog.text


def test_signing_out_ends_the_session(newsroom_app, tmp_path):
    app = newsroom_app()
    client = sign_in(app, "lan")
    assert post(client, "/edit/logout").status_code == 302
    assert client.get("/edit/").status_code == 302
    assert [e.action for e in audit.read_record(tmp_path / ".newsroom")][-1] == "sign_out"


def test_the_header_names_the_signed_in_person_and_role_beside_sign_out(newsroom_app):
    client = sign_in(newsroom_app(), "hoa")
    account = parse(client.get("/edit/?lang=vi")).select_one("header .editor-account")
    assert "Người hoa (hoa)" in account.text and "biên tập viên" in account.text
    sign_out = account.select_one("form[action='/edit/logout'] button")
    assert sign_out.text == "Đăng xuất"


def test_without_accounts_the_loopback_editor_saves_directly_and_records(
    make_content, app_for, tmp_path
):
    content = make_content({"news/hop.vi.md": "---\ntitle: Họp\ndate: 2021-03-03\n---\nCũ.\n"})
    app = app_for(content, DXPORTAL_PREVIEW=True, DXPORTAL_EDITOR=True)
    client = app.test_client()
    assert client.get("/edit/").status_code == 200
    assert save_body(client, "Mới.").status_code == 302
    assert "Mới." in (content / "news/hop.vi.md").read_text()
    (entry,) = audit.read_record(tmp_path / ".newsroom")
    assert (entry.person, entry.action, entry.page) == ("local", "save", "news/hop.vi")
    assert client.get("/edit/review/").status_code == 404
