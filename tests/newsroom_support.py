"""Fixtures for the newsroom (accounts, review, record): a site with five people.

Password hashing uses argon2 with tiny costs here: the tests check the rules, not the hash's
strength, and sign in hundreds of times.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask

from dxportal import create_app
from dxportal.editor import accounts

from conftest import form_values, page_text, parse

NOW = "2026-12-01T09:00"
NEWS = "news/hop.vi.md"
NEWS_URL = "/edit/page/news/hop/vi/"
CHANGE_URL = "/edit/change/news/hop/vi/"
PASSWORD = "mật-khẩu-đủ-dài"
PEOPLE = {
    "lan": "writer",
    "minh": "writer",
    "hoa": "editor",
    "tuan": "editor",
    "an": "admin",
}


def editor_app(content: Path, build: Path) -> Flask:
    """The editor's preview app over ``content`` (with its newsroom, if any), building into
    ``build``, as `dxportal serve --edit` runs it."""
    return create_app({
        "DXPORTAL_CONTENT_DIR": str(content),
        "DXPORTAL_BUILD_DIR": str(build),
        "DXPORTAL_PREVIEW": True,
        "DXPORTAL_EDITOR": True,
        "DXPORTAL_NOW": NOW,
    })  # fmt: skip


@pytest.fixture
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(
        accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def newsroom(make_content, tmp_path, cheap_hashes) -> Path:
    """The content folder of a site with one published article; users in .newsroom/."""
    content = make_content({NEWS: page_text("Họp Ban Chỉ đạo", body="Văn bản cũ.")})
    for login, role in PEOPLE.items():
        accounts.add_user(
            tmp_path / ".newsroom", login, f"Người {login}", f"{login}@example.org", role, PASSWORD
        )
    return content


@pytest.fixture
def newsroom_app(app_for, newsroom):
    def build(**config):
        settings = {"DXPORTAL_PREVIEW": True, "DXPORTAL_EDITOR": True, "DXPORTAL_NOW": NOW}
        return app_for(newsroom, **{**settings, **config})

    return build


def csrf(client) -> str:
    html = client.get("/edit/record/").get_data(as_text=True)
    return parse(html).find("input", attrs={"name": "csrf_token"})["value"]


def sign_in(app, login: str, password: str = PASSWORD, client=None):
    """A test client signed in as ``login`` (the login form, as a browser fills it)."""
    client = client or app.test_client()
    page = client.get("/edit/login")
    token = parse(page).find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post(
        "/edit/login", data={"csrf_token": token, "login": login, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def save_body(client, body: str, url: str = NEWS_URL):
    data = form_values(client.get(url).get_data(as_text=True))
    data.update(body=body, action="save")
    return client.post(url, data=data)


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf(client), **data})
