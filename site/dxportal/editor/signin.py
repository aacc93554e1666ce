"""Signing in with a personal account: Flask-Login sessions, throttled password checks.

After five wrong passwords for one login, or from one address, within fifteen minutes, further
attempts are answered 429 with Retry-After until the window has room again (the moving-window
limiter of `limits`, the library under Flask-Limiter, kept in memory). Sign-ins, failures and
lockouts are logged and recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time

import flask_babel
from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import gettext
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from dxportal.content.clock import SITE_TIMEZONE
from dxportal.editor import accounts, audit
from dxportal.editor.accounts import AccountsError, User
from dxportal.editor.newsroom import current_folder
from dxportal.messages import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger(__name__)
ATTEMPTS = parse("5/15 minutes")
WAS_SIGNED_IN = "dxportal_editor_signed_in"
# Whoever uses the editor on loopback without accounts (the editor as it was: one person).
LOCAL = User("local", "", "", "admin", "", "")


class SignedIn(UserMixin):
    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return self.user.session_id


class Throttle:
    """Wrong passwords counted per login and per address, in this process's memory."""

    def __init__(self) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def wait(self, keys: list[tuple[str, str]]) -> int:
        """Seconds until another attempt is allowed (0: now)."""
        waits = [
            self.limiter.get_window_stats(ATTEMPTS, *key).reset_time - time.time()
            for key in keys
            if not self.limiter.test(ATTEMPTS, *key)
        ]
        return max(1, math.ceil(max(waits))) if waits else 0

    def fail(self, keys: list[tuple[str, str]]) -> None:
        for key in keys:
            self.limiter.hit(ATTEMPTS, *key)


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.init_app(app)
    manager.user_loader(load_user)
    app.extensions["dxportal.throttle"] = Throttle()


def load_user(session_id: str) -> SignedIn | None:
    try:
        user = accounts.find_by_session(current_folder(), session_id)
    except AccountsError:
        return None
    return SignedIn(user) if user else None


def users() -> dict[str, User]:
    """The users (read once per request); AccountsError if the file is damaged."""
    if "dxportal_users" not in g:
        g.dxportal_users = accounts.load_users(current_folder())
    return g.dxportal_users


def accounts_on() -> bool:
    """True once users exist: sign-in and review are required from then on."""
    return bool(users())


def signed_in() -> bool:
    return bool(current_user.is_authenticated)


def person() -> User:
    """The signed-in user, or LOCAL for the single-user editor on loopback."""
    if accounts_on() and current_user.is_authenticated:
        return current_user.user
    return LOCAL


def ended_notice() -> None:
    """Say why the editor asks for a sign-in again, when this browser was signed in.

    The cookie that says so holds the interface language, which ended with the session.
    """
    lang = request.cookies.get(WAS_SIGNED_IN)
    if lang:
        if lang in LANGUAGES and "ui_lang" not in session:
            session["ui_lang"] = g.lang = lang
            flask_babel.refresh()
        flash(
            gettext(
                "Your session has ended (too long without activity, or your account was "
                "changed or disabled). Sign in again; nothing you saved was lost."
            )
        )


def attempt_keys(login: str) -> list[tuple[str, str]]:
    return [("login", login.casefold()), ("address", request.remote_addr or "")]


def login_page(next_url: str):
    """GET: the form. POST: check the password unless throttled; sign in."""
    if request.method != "POST":
        return render_template("editor/login.html", accounts=True, error=None, login="")
    login = request.form.get("login", "").strip()
    keys = attempt_keys(login)
    throttle: Throttle = current_app.extensions["dxportal.throttle"]
    folder = current_folder()
    wait = throttle.wait(keys)
    if wait:
        log.warning("sign-in refused (locked out): login=%r address=%s", login, keys[1][1])
        audit.record(folder, login, "", "locked_out", address=keys[1][1])
        return locked_out(login, wait)
    user = accounts.verify(folder, login, request.form.get("password", ""))
    if user is None:
        throttle.fail(keys)
        log.warning("sign-in failed: login=%r address=%s", login, keys[1][1])
        audit.record(folder, login, "", "sign_in_failed", address=keys[1][1])
        error = gettext("The login or the password is not right.")
        page = render_template("editor/login.html", accounts=True, error=error, login=login)
        return page, 401
    ui_lang = session.get("ui_lang")
    session.clear()  # a new session (and CSRF token) for the signed-in person
    if ui_lang:
        session["ui_lang"] = ui_lang
    session.permanent = True
    login_user(SignedIn(user))
    log.info("signed in: login=%r address=%s", login, keys[1][1])
    audit.record(folder, user.login, user.name, "sign_in", address=keys[1][1])
    response = redirect(next_url)
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    lang = session.get("ui_lang", DEFAULT_LANGUAGE)
    response.set_cookie(WAS_SIGNED_IN, lang, httponly=True, samesite="Strict", secure=secure)
    return response


def locked_out(login: str, wait: int):
    until = dt.datetime.now(SITE_TIMEZONE) + dt.timedelta(seconds=wait)
    error = gettext(
        "Too many wrong passwords. For your safety, signing in is paused: try again after "
        "%(time)s (in %(minutes)d minutes).",
        time=until.strftime("%H:%M"),
        minutes=math.ceil(wait / 60),
    )
    page = render_template("editor/login.html", accounts=True, error=error, login=login)
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(wait)
    return response


def sign_out(response: Response) -> Response:
    user = person()
    if user is not LOCAL:
        audit.record(current_folder(), user.login, user.name, "sign_out")
        logout_user()
    session.clear()
    response.delete_cookie(WAS_SIGNED_IN)
    return response
