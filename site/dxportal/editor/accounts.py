"""The newsroom's people: one JSON file (users.json, mode 0600) outside content/ and the build.

Passwords are kept only as argon2id hashes (argon2-cffi). Each user also has a ``stamp``, a
random value that changes when the password, the role or the enabled state changes: it is part
of the session's user id, so such a change ends that person's open sessions.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dxportal.editor.newsroom import ensure, write_private
from dxportal.messages import Message, MessageError

USERS_FILE = "users.json"
ROLES = ("writer", "editor", "admin")
LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10

_HASHER = PasswordHasher()
_WRITING = threading.Lock()


@functools.cache
def dummy_hash() -> str:
    """A hash to check when the login does not exist: the answer takes as long either way.

    Made on first use, not on import: every `dxportal` command imports this module.
    """
    return _HASHER.hash(secrets.token_hex(16))


class AccountsError(MessageError):
    """The users file cannot be read, or a change to it is not allowed."""


@dataclass(frozen=True)
class User:
    login: str
    name: str
    email: str
    role: str
    password_hash: str
    stamp: str
    disabled: bool = False

    @property
    def session_id(self) -> str:
        return f"{self.login}:{self.stamp}"


def users_path(folder: Path) -> Path:
    return folder / USERS_FILE


def load_users(folder: Path) -> dict[str, User]:
    """Every user, by login; {} without a file. A damaged file raises AccountsError."""
    path = users_path(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AccountsError(
            Message("the users file {path} is damaged ({reason})", path=str(path), reason=exc)
        ) from exc
    try:
        users = {login: User(login=login, **fields) for login, fields in data["users"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise AccountsError(
            Message("the users file {path} is damaged ({reason})", path=str(path), reason=exc)
        ) from exc
    for user in users.values():
        if user.role not in ROLES or not LOGIN.match(user.login):
            raise AccountsError(
                Message(
                    "the users file {path} is damaged (user {login})",
                    path=str(path),
                    login=user.login,
                )
            )
    return users


def save_users(folder: Path, users: dict[str, User]) -> None:
    data = {
        "version": 1,
        "users": {
            login: {k: v for k, v in asdict(user).items() if k != "login"}
            for login, user in sorted(users.items())
        },
    }
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    write_private(users_path(ensure(folder)), text.encode("utf-8"))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountsError(
            Message("the password must have at least {count} characters", count=MIN_PASSWORD)
        )


def check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountsError(Message("the role must be writer, editor or admin"))


def add_user(folder: Path, login: str, name: str, email: str, role: str, password: str) -> User:
    if not LOGIN.match(login):
        raise AccountsError(
            Message(
                "a login is 2 to 32 lowercase letters, digits, dots, hyphens or underscores, "
                "e.g. lan.nguyen"
            )
        )
    if not name.strip():
        raise AccountsError(Message("give the person's full name with --name"))
    if not EMAIL.match(email):
        raise AccountsError(Message("the e-mail address {email} is not valid", email=email))
    check_role(role)
    check_password(password)
    with _WRITING:
        users = load_users(folder)
        if login in users:
            raise AccountsError(Message("the user {login} already exists", login=login))
        user = User(login, name.strip(), email, role, _HASHER.hash(password), new_stamp())
        users[login] = user
        save_users(folder, users)
    return user


def new_stamp() -> str:
    return secrets.token_hex(8)


def change_user(folder: Path, login: str, **changes: object) -> User:
    """Change a user's fields (a new password is given as ``password``); a new stamp each time."""
    with _WRITING:
        users = load_users(folder)
        if login not in users:
            raise AccountsError(Message("there is no user {login}", login=login))
        if "password" in changes:
            password = str(changes.pop("password"))
            check_password(password)
            changes["password_hash"] = _HASHER.hash(password)
        if "role" in changes:
            check_role(str(changes["role"]))
        user = replace(users[login], stamp=new_stamp(), **changes)  # type: ignore[arg-type]
        users[login] = user
        save_users(folder, users)
    return user


def verify(folder: Path, login: str, password: str) -> User | None:
    """The enabled user with this login and password, or None (always one hash check)."""
    user = load_users(folder).get(login)
    try:
        _HASHER.verify(user.password_hash if user else dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    return user


def find_by_session(folder: Path, session_id: str) -> User | None:
    """The enabled user whose session id this is (a changed stamp or a disabled user: None)."""
    login, _, stamp = session_id.partition(":")
    user = load_users(folder).get(login)
    if user is None or user.disabled or not secrets.compare_digest(user.stamp, stamp):
        return None
    return user
