"""Telling people: with DXPORTAL_SMTP_HOST set, editors hear that work waits for review and
writers hear that their change was approved or returned (with the comment).

Each mail is sent from a background thread after the action is done and recorded: a slow or
refusing mail server never blocks or undoes anything; a failure is one log line. Mails are in
Vietnamese, then English (accounts have no language of their own).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Iterable, Mapping
from email.message import EmailMessage

from dxportal.editor.accounts import User

log = logging.getLogger(__name__)
_SENDING: list[threading.Thread] = []

TEXTS = {
    "review": (
        "Bài chờ duyệt: {page}",
        "{writer} đã gửi duyệt {page}. Mở trình soạn thảo, mục Duyệt bài: {link}",
        "Waiting for review: {page}",
        "{writer} sent {page} for review. Open the editor, Review: {link}",
    ),
    "approved": (
        "Đã duyệt: {page}",
        "{editor} đã duyệt {page}; bài lên cổng ở lần xuất bản tiếp theo (hoặc đúng giờ hẹn).",
        "Approved: {page}",
        "{editor} approved {page}; it goes live with the next build (or at its scheduled time).",
    ),
    "returned": (
        "Cần sửa: {page}",
        "{editor} trả lại {page} để sửa. Nhận xét: {comment}\n{link}",
        "Returned for changes: {page}",
        "{editor} returned {page} for changes. Comment: {comment}\n{link}",
    ),
}


def compose(kind: str, sender: str, to: str, **values: str) -> EmailMessage:
    subject_vi, body_vi, subject_en, body_en = TEXTS[kind]
    message = EmailMessage()
    message["Subject"] = f"{subject_vi.format(**values)} / {subject_en.format(**values)}"
    message["From"] = sender
    message["To"] = to
    message.set_content(f"{body_vi.format(**values)}\n\n---\n\n{body_en.format(**values)}\n")
    return message


def send(config: Mapping[str, object], messages: list[EmailMessage]) -> None:
    """Send in a background thread; never raises."""
    host = str(config.get("DXPORTAL_SMTP_HOST") or "")
    if not host or not messages:
        return
    port = int(config.get("DXPORTAL_SMTP_PORT") or 25)

    def run() -> None:
        for message in messages:
            try:
                with smtplib.SMTP(host, port, timeout=15) as server:
                    server.send_message(message)
                log.info("mail sent to %s: %s", message["To"], message["Subject"])
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("mail to %s not sent (%s): %s", message["To"], exc, message["Subject"])

    thread = threading.Thread(target=run, name="dxportal-mail", daemon=True)
    _SENDING.append(thread)
    thread.start()


def wait(timeout: float = 30) -> None:
    """Wait for the mails being sent (tests; a server stopping)."""
    while _SENDING:
        _SENDING.pop().join(timeout)


def editors_of(users: Iterable[User], except_login: str) -> list[User]:
    return [
        u
        for u in users
        if u.role in ("editor", "admin") and not u.disabled and u.login != except_login and u.email
    ]


def waiting_for_review(config, users: dict[str, User], writer: User, page: str, link: str):
    sender = str(config.get("DXPORTAL_SMTP_FROM") or "")
    values = {"page": page, "writer": writer.name or writer.login, "link": link}
    send(
        config,
        [
            compose("review", sender, u.email, **values)
            for u in editors_of(users.values(), writer.login)
        ],
    )


def decided(
    config, kind: str, writer: User | None, editor: User, page: str, link: str, comment: str = ""
):
    if writer is None or not writer.email or writer.login == editor.login:
        return
    sender = str(config.get("DXPORTAL_SMTP_FROM") or "")
    values = {"page": page, "editor": editor.name or editor.login, "link": link, "comment": comment}
    send(config, [compose(kind, sender, writer.email, **values)])
