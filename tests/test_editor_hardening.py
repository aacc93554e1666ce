"""The editor against hostile uploads, and "Publish" started from a threaded server."""

from __future__ import annotations

import struct
import zlib

import pytest
from test_editor import NEWS_URL, content, editor_app, token, upload  # noqa: F401 (fixtures)

from conftest import parse


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def client(editor_app):  # noqa: F811
    return editor_app().test_client()


@pytest.mark.parametrize("size", [(40_000, 40_000), (10_000, 10_000)])  # error, then warning
def test_a_decompression_bomb_is_refused_with_the_form_and_nothing_written(client, content, size):  # noqa: F811
    response = upload(client, NEWS_URL, "bom.png", png_claiming(*size))
    assert response.status_code == 200
    problem = parse(response).select_one(".notice--problem").text
    assert "quá lớn" in problem
    assert parse(response).select_one("#page-form") is not None
    assert not (content / "media").exists() or list((content / "media").iterdir()) == []


def test_publish_never_forks_the_threaded_server(editor_app, content, tmp_path, monkeypatch):  # noqa: F811
    """Forking a process with threads (the server's, the file watcher's) can deadlock the
    child: the build runs in a process started cleanly (spawn), which may fork its own
    workers."""

    def no_fork():
        raise AssertionError("os.fork() called in the editor's server process")

    monkeypatch.setattr("dxportal.workers.PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr("os.fork", no_fork)
    client = editor_app(DXPORTAL_WORKERS=2).test_client()
    response = client.post("/edit/publish", data={"csrf_token": token(client)})
    assert response.status_code == 200
    assert (tmp_path / "build/vi/news/hop/index.html").is_file()
    assert "notice--problem" not in parse(response).select_one(".notice")["class"]
