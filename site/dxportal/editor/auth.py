"""Who may use the editor: loopback without a password, anything else with one; CSRF tokens.

A password is stored only as a werkzeug hash (DXPORTAL_EDITOR_PASSWORD_HASH, printed by
`dxportal editor-password`). The session cookie is HttpOnly and SameSite=Strict, and every POST
must carry the session's CSRF token
(Flask-WTF). With user accounts (the newsroom), signing in is signin.py's.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from flask import abort, current_app, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from dxportal.editor import accounts
from dxportal.messages import Message, MessageError

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


class BindRefused(MessageError):
    """The editor will not listen on the address asked for; the message says why."""


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, password_hash: str, users_folder: Path | None = None) -> None:
    """Refuse to serve the editor beyond this machine without at least one user account.

    The shared password (``password_hash``) is not enough off loopback any more: it names
    nobody, so nothing could be reviewed by a second person. A damaged users file is refused on
    any address: nobody could sign in.
    """
    try:
        users = accounts.load_users(users_folder) if users_folder is not None else {}
    except accounts.AccountsError as exc:
        raise BindRefused(exc.message) from exc
    if not is_loopback(host) and not users:
        raise BindRefused(
            Message(
                "refusing to serve the editor on {host} without user accounts: anyone who "
                "can reach it could change the site. Add at least one with dxportal user add, "
                "or serve on 127.0.0.1 (this computer only).",
                host=host,
            )
        )


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def password_required() -> bool:
    return bool(current_app.config["DXPORTAL_EDITOR_PASSWORD_HASH"])


def password_matches(password: str) -> bool:
    stored = current_app.config["DXPORTAL_EDITOR_PASSWORD_HASH"]
    return bool(stored) and check_password_hash(stored, password)


def is_signed_in() -> bool:
    """With accounts (newsroom), a Flask-Login user; else the single password, if any."""
    from dxportal.editor import signin  # the sign-in stack: only an editor app needs it

    if signin.accounts_on():
        return signin.signed_in()
    return not password_required() or session.get("editor") is True


def sign_in() -> None:
    session.clear()
    session["editor"] = True


def csrf_token() -> str:
    """The session's CSRF token (Flask-WTF), signed with the kept session key."""
    from flask_wtf.csrf import generate_csrf  # only an editor app needs Flask-WTF

    return generate_csrf()


def check_csrf(sent: str | None) -> None:
    from flask_wtf.csrf import validate_csrf
    from wtforms.validators import ValidationError

    try:
        validate_csrf(sent)
    except ValidationError:
        abort(400, description="csrf")


def check_origin() -> None:
    """A POST must come from the editor's own pages: its Origin (or, lacking it, its Referer)
    names the host the request was sent to. Browsers send Origin with every cross-site POST;
    a request with neither header is not from another site's page (the CSRF token still
    counts)."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return
    sent_from = urlsplit(source).netloc.lower() if source != "null" else ""
    if not sent_from or sent_from != request.host.lower():
        abort(400, description="origin")
