"""Telling people by mail, against a real SMTP server (aiosmtpd) on a loopback port: editors
hear of work waiting, writers of approval or return (with the comment); a refusing server
neither blocks nor undoes the action."""

from __future__ import annotations

import email
import logging
import socket

import pytest
from aiosmtpd.controller import Controller
from newsroom_support import CHANGE_URL, NEWS, post, save_body, sign_in

from dxportal.editor import notify


class Inbox:
    def __init__(self, refuse: bool = False):
        self.messages: list[email.message.Message] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.7.1 relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server():
    servers = []

    def start(refuse: bool = False):
        inbox = Inbox(refuse)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        return inbox, controller.port

    yield start
    for controller in servers:
        controller.stop()


def recipients(inbox) -> list[str]:
    return sorted(m["To"] for m in inbox.messages)


def test_editors_hear_of_work_waiting_and_writers_of_the_decision(newsroom_app, mail_server):
    inbox, port = mail_server()
    app = newsroom_app(DXPORTAL_SMTP_HOST="127.0.0.1", DXPORTAL_SMTP_PORT=port)
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    post(writer, CHANGE_URL + "submit")
    notify.wait()
    assert recipients(inbox) == ["an@example.org", "hoa@example.org", "tuan@example.org"]
    first = inbox.messages[0]
    assert "Bài chờ duyệt: news/hop.vi" in first["Subject"]
    assert "Waiting for review" in first["Subject"]
    assert "/edit/change/news/hop/vi/" in first.get_content()

    inbox.messages.clear()
    post(sign_in(app, "hoa"), CHANGE_URL + "return", comment="Thêm số liệu quý IV.")
    notify.wait()
    (returned,) = inbox.messages
    assert returned["To"] == "lan@example.org"
    assert "Cần sửa" in returned["Subject"] and "Thêm số liệu quý IV." in returned.get_content()

    inbox.messages.clear()
    post(writer, CHANGE_URL + "submit")
    notify.wait()
    inbox.messages.clear()
    post(sign_in(app, "tuan"), CHANGE_URL + "approve")
    notify.wait()
    (approved,) = inbox.messages
    assert approved["To"] == "lan@example.org" and "Đã duyệt" in approved["Subject"]


def test_a_refusing_mail_server_loses_nothing(newsroom_app, newsroom, mail_server, caplog):
    inbox, port = mail_server(refuse=True)
    app = newsroom_app(DXPORTAL_SMTP_HOST="127.0.0.1", DXPORTAL_SMTP_PORT=port)
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    with caplog.at_level(logging.WARNING, "dxportal.editor.notify"):
        assert post(writer, CHANGE_URL + "submit").status_code == 302
        notify.wait()
    assert "not sent" in caplog.text and "relaying denied" in caplog.text
    assert post(sign_in(app, "hoa"), CHANGE_URL + "approve").status_code == 302
    notify.wait()
    assert "Văn bản mới." in (newsroom / NEWS).read_text(encoding="utf-8")
    assert inbox.messages == []


def test_no_mail_server_configured_sends_nothing(newsroom_app):
    app = newsroom_app()
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    assert post(writer, CHANGE_URL + "submit").status_code == 302
    assert notify._SENDING == []


def test_an_unreachable_mail_server_is_a_log_line(newsroom_app, caplog):
    app = newsroom_app(DXPORTAL_SMTP_HOST="127.0.0.1", DXPORTAL_SMTP_PORT=free_port())
    writer = sign_in(app, "lan")
    save_body(writer, "Văn bản mới.")
    with caplog.at_level(logging.WARNING, "dxportal.editor.notify"):
        assert post(writer, CHANGE_URL + "submit").status_code == 302
        notify.wait()
    assert "not sent" in caplog.text
