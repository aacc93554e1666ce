"""The preview and the editor answer only to their own names (DNS rebinding), and the editor
takes a POST only from its own pages (Origin)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from test_editor import NEWS, opened

from dxportal.cli import main
from dxportal.editor import accounts
from dxportal.web.hosts import trusted_hosts

from conftest import form_values, page_text

FOREIGN = "http://attacker.example:8875"


@pytest.fixture
def content(make_content):
    return make_content({NEWS: page_text("Họp Ban Chỉ đạo", body="## Nội dung\n\nVăn bản.")})


@pytest.fixture
def editor(app_for, content):
    return app_for(content, DXPORTAL_PREVIEW=True, DXPORTAL_EDITOR=True)


def every_address(app) -> list[tuple[str, str]]:
    """(method, path) for every route of the app, its variables filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(
            r"<(?:[^:<>]+:)?([^<>]+)>",
            lambda m: {"lang": "vi", "page_lang": "vi", "section": "news"}.get(m[1], "x"),
            rule.rule,
        )
        method = "GET" if "GET" in rule.methods else "POST"
        found.append((method, path))
    return found


def test_a_foreign_host_gets_400_and_no_page_on_every_route(editor):
    client = editor.test_client()
    addresses = every_address(editor)
    assert ("GET", "/edit/publish") in addresses and ("GET", "/vi/") in addresses
    for method, path in addresses:
        response = client.open(path, method=method, base_url=FOREIGN)
        assert response.status_code == 400, (method, path)
        body = response.get_data(as_text=True)
        assert body.count("\n") == 1 and "<" not in body, (path, body)
        assert "csrf" not in body.lower() and "set-cookie" not in response.headers


def test_the_preview_without_the_editor_refuses_a_foreign_host_too(app_for, content):
    client = app_for(content, DXPORTAL_PREVIEW=True).test_client()
    assert client.get("/vi/", base_url=FOREIGN).status_code == 400
    assert client.get("/vi/", base_url="http://localhost:5000").status_code == 200


@pytest.mark.parametrize(
    "base_url",
    ["http://localhost:5000", "http://127.0.0.1:5000", "http://[::1]:5000", "http://LOCALHOST"],
)
def test_loopback_names_are_answered(editor, base_url):
    response = editor.test_client().get("/edit/publish", base_url=base_url)
    assert response.status_code == 200
    assert form_values(response.get_data(as_text=True))["csrf_token"]


def test_trusted_hosts_come_from_the_bind_address_and_the_setting():
    assert trusted_hosts("127.0.0.1", "") == ["localhost", "127.0.0.1", "::1"]
    assert trusted_hosts("192.168.1.5", " Portal.Example.gov.vn , ,x.example.") == [
        "localhost",
        "127.0.0.1",
        "::1",
        "192.168.1.5",
        "portal.example.gov.vn",
        "x.example",
    ]
    assert trusted_hosts("0.0.0.0", "") == ["localhost", "127.0.0.1", "::1"]


def test_serve_answers_its_host_and_the_configured_public_names(monkeypatch, content):
    started = []
    monkeypatch.setattr("flask.Flask.run", lambda app, **options: started.append(app))
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(content))
    monkeypatch.setenv("DXPORTAL_TRUSTED_HOSTS", "cds.example.gov.vn")
    # Off loopback the editor needs a user account (a shared password is not enough).
    accounts.add_user(content.parent / ".newsroom", "lan", "Lan", "lan@example.org", "writer",
                      "mật-khẩu-đủ-dài")  # fmt: skip
    result = CliRunner().invoke(main, ["serve", "--edit", "--host", "192.168.1.5"])
    assert result.exit_code == 0, result.output
    client = started[0].test_client()
    for good in ("http://192.168.1.5:5000", "https://cds.example.gov.vn", "http://localhost"):
        assert client.get("/edit/login", base_url=good).status_code == 200, good
    for bad in (FOREIGN, "http://192.168.1.6:5000", "http://evil.cds.example.gov.vn"):
        assert client.get("/edit/login", base_url=bad).status_code == 400, bad


def test_a_wrong_trusted_hosts_setting_stops_the_command(monkeypatch):
    monkeypatch.setenv("DXPORTAL_TRUSTED_HOSTS", "https://cds.example.gov.vn/")
    result = CliRunner().invoke(main, ["serve", "--lang", "en"])
    assert result.exit_code == 2
    assert "DXPORTAL_TRUSTED_HOSTS" in result.output and "host names" in result.output


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FOREIGN},
        {"Origin": "null"},
        {"Origin": "http://localhost:5001"},
        {"Referer": FOREIGN + "/edit/page/news/hop/vi/"},
    ],
)
def test_a_post_from_a_foreign_origin_changes_nothing(editor, content, headers):
    client = editor.test_client()
    before = (content / NEWS).read_text(encoding="utf-8")
    data = opened(client, "/edit/page/news/hop/vi/")
    data.update(title="Không được lưu", action="save")
    response = client.post("/edit/page/news/hop/vi/", data=data, headers=headers)
    assert response.status_code == 400
    assert (
        client.post("/edit/translate/news/hop/en/", data=data, headers=headers).status_code == 400
    )
    assert (content / NEWS).read_text(encoding="utf-8") == before
    assert not (content / "news/hop.en.md").exists()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "http://localhost"}, {"Referer": "http://localhost/edit/page/news/hop/vi/"}],
)
def test_a_post_from_the_editor_itself_is_saved(editor, content, headers):
    client = editor.test_client()
    data = opened(client, "/edit/page/news/hop/vi/")
    data.update(title="Đã lưu", action="save")
    response = client.post("/edit/page/news/hop/vi/", data=data, headers=headers)
    assert response.status_code == 302
    assert "title: Đã lưu" in (content / NEWS).read_text(encoding="utf-8")
