"""Default settings in one place, one prefix; override with test_config or DXPORTAL_* env.

Every value is checked when the app is made (``validated``): a wrong one is a ConfigError
naming the variable, the value and the form it must take, which the command prints as one
line (exit status 2).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from dxportal.messages import Message, MessageError

PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULTS = {
    # Where the Markdown content, site.yml, tags.yml and media/ live.
    "DXPORTAL_CONTENT_DIR": str(PROJECT_ROOT / "content"),
    # Gettext catalogs (vi, en); .mo files are compiled from .po on start and by the build.
    "DXPORTAL_TRANSLATIONS_DIR": str(PROJECT_ROOT / "translations"),
    # The Whoosh search index (one folder per language), rebuilt when the content changes.
    "DXPORTAL_SEARCH_INDEX_DIR": str(PROJECT_ROOT / "search_index"),
    # Where `dxportal build` / freeze.py writes the static site.
    "DXPORTAL_BUILD_DIR": str(PROJECT_ROOT / "build"),
    # The public address of the site, with its sub-path if any (https://example.org/portal/);
    # empty means site.yml's base_url (LOCAL_ADDRESS when site.yml has none).
    "DXPORTAL_BASE_URL": "",
    # Preview mode: drafts are shown with a banner; content is re-read when files change.
    "DXPORTAL_PREVIEW": False,
    # Items per page on section and tag lists.
    "DXPORTAL_PER_PAGE": 10,
    # Items in the Atom feeds.
    "DXPORTAL_FEED_SIZE": 20,
    # "Now" (local time, ISO 8601, e.g. 2026-12-01T08:00) for scheduled publishing and
    # training-call statuses; empty means the clock.
    "DXPORTAL_NOW": "",
    # The browser editor at /edit/ (`dxportal serve --edit`; preview apps only, never frozen).
    "DXPORTAL_EDITOR": False,
    # A werkzeug password hash (`dxportal editor-password`): one shared password, loopback only
    # (off loopback the editor needs user accounts, `dxportal user add`).
    "DXPORTAL_EDITOR_PASSWORD_HASH": "",
    # The largest file the editor accepts as an upload, in bytes.
    "DXPORTAL_EDITOR_MAX_UPLOAD": 10 * 1024 * 1024,
    # Host names the preview and the editor answer to besides the loopback names and
    # `serve --host`, comma-separated (a server behind a proxy: its public name).
    "DXPORTAL_TRUSTED_HOSTS": "",
    # Proxies (e.g. nginx with TLS) in front of `dxportal serve --edit`: their X-Forwarded-For
    # and -Proto headers are trusted, and the session cookie is sent over HTTPS only. 0: none.
    "DXPORTAL_EDITOR_PROXIES": 0,
    # A mail server (host; empty: no mail) for the editor's notices: work waiting for review,
    # a change approved or returned. Plain SMTP on DXPORTAL_SMTP_PORT, e.g. a local relay.
    "DXPORTAL_SMTP_HOST": "",
    "DXPORTAL_SMTP_PORT": 25,
    "DXPORTAL_SMTP_FROM": "dxportal@localhost",
    # Hours without activity after which an editor session ends.
    "DXPORTAL_EDITOR_SESSION_HOURS": 8,
    # The newsroom's folder (users, session key, pending changes, the record); empty means
    # .newsroom/ next to the content folder. Never inside content/ or the build.
    "DXPORTAL_NEWSROOM_DIR": "",
    # Rendered Markdown, parsed front matter and build records, kept between runs (git ignores
    # it). Safe to delete at any time; empty turns the disk caches off.
    "DXPORTAL_CACHE_DIR": str(PROJECT_ROOT / ".cache"),
    # Processes that freeze pages in parallel; 0 means one per core (at most 4).
    "DXPORTAL_WORKERS": 0,
}

# The address a build gets when neither the setting nor site.yml names one.
LOCAL_ADDRESS = "http://127.0.0.1:5000/"
# Host names that are never a public site: loopback, and the names reserved for examples and
# tests (RFC 2606, RFC 6761).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
EXAMPLE_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local")

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


class ConfigError(MessageError, ValueError):
    """A DXPORTAL_* value that is not of the form its setting takes."""


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """DXPORTAL_* environment variables that override the defaults, converted and checked."""
    environ = os.environ if environ is None else environ
    overrides: dict[str, object] = {}
    for key, default in DEFAULTS.items():
        raw = environ.get(key)
        if raw is None:
            continue
        if isinstance(default, bool):
            word = raw.strip().lower()
            if word not in TRUE_WORDS + FALSE_WORDS:
                raise invalid(key, raw)
            overrides[key] = word in TRUE_WORDS
        elif isinstance(default, int):
            try:
                overrides[key] = int(raw.strip())
            except ValueError:
                raise invalid(key, raw) from None
        else:
            overrides[key] = raw
        if not CHECKS[key](overrides[key]):
            raise invalid(key, raw)  # as it was typed
    return overrides


def validated(settings: Mapping[str, object]) -> dict[str, object]:
    """``settings`` unchanged if every DXPORTAL_* value has its form; else a ConfigError."""
    for key, value in settings.items():
        check = CHECKS.get(key)
        if check is not None and not check(value):
            raise invalid(key, value)
    return dict(settings)


def invalid(key: str, value: object) -> ConfigError:
    return ConfigError(
        Message(
            "{variable}={value}: expected {form}",
            variable=key,
            value=repr(value) if not isinstance(value, str) else f"'{value}'",
            form=FORMS[key],
        )
    )


def is_count(minimum: int) -> Callable[[object], bool]:
    return lambda value: type(value) is int and value >= minimum


def is_flag(value: object) -> bool:
    return isinstance(value, bool)


def is_text(value: object) -> bool:
    return isinstance(value, str)


def is_folder(value: object) -> bool:
    return isinstance(value, (str, os.PathLike)) and str(value).strip() != ""


def is_optional_folder(value: object) -> bool:
    return value in ("", None) or is_folder(value)


def is_site_address(value: object) -> bool:
    """An absolute http(s) address of a folder: https://example.org/ or …/portal/."""
    if not isinstance(value, str) or not value.endswith("/"):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query


HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?", re.I)


def is_host_list(value: object) -> bool:
    """Host names or IP addresses separated by commas (no scheme, port or path), or nothing."""
    if not isinstance(value, str):
        return False
    for name in filter(None, (part.strip() for part in value.split(","))):
        if HOST_NAME.fullmatch(name):
            continue
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return False
    return True


def is_optional_site_address(value: object) -> bool:
    return value == "" or is_site_address(value)


def is_placeholder_address(address: str) -> bool:
    """Whether ``address`` is a loopback or example address (or has no host): never where a
    site is public."""
    host = (urlsplit(address).hostname or "").rstrip(".").lower()
    if (
        not host
        or host in LOOPBACK_HOSTS
        or host in ("example", "test", "invalid", "localhost")
        or host.endswith(EXAMPLE_SUFFIXES)
        or any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS)
    ):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def is_moment(value: object) -> bool:
    if isinstance(value, dt.datetime) or value in ("", None):
        return True
    try:
        dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        return False
    return True


CHECKS: dict[str, Callable[[object], bool]] = {
    "DXPORTAL_CONTENT_DIR": is_folder,
    "DXPORTAL_TRANSLATIONS_DIR": is_folder,
    "DXPORTAL_SEARCH_INDEX_DIR": is_folder,
    "DXPORTAL_BUILD_DIR": is_folder,
    "DXPORTAL_BASE_URL": is_optional_site_address,
    "DXPORTAL_PREVIEW": is_flag,
    "DXPORTAL_PER_PAGE": is_count(1),
    "DXPORTAL_FEED_SIZE": is_count(1),
    "DXPORTAL_NOW": is_moment,
    "DXPORTAL_EDITOR": is_flag,
    "DXPORTAL_EDITOR_PASSWORD_HASH": is_text,
    "DXPORTAL_EDITOR_MAX_UPLOAD": is_count(1),
    "DXPORTAL_TRUSTED_HOSTS": is_host_list,
    "DXPORTAL_EDITOR_PROXIES": is_count(0),
    "DXPORTAL_EDITOR_SESSION_HOURS": is_count(1),
    "DXPORTAL_SMTP_HOST": is_text,
    "DXPORTAL_SMTP_PORT": is_count(1),
    "DXPORTAL_SMTP_FROM": is_text,
    "DXPORTAL_NEWSROOM_DIR": is_optional_folder,
    "DXPORTAL_CACHE_DIR": is_optional_folder,
    "DXPORTAL_WORKERS": is_count(0),
}
# How each value must be written, for the error message.
FORMS: dict[str, Message] = {
    "DXPORTAL_CONTENT_DIR": Message("a folder path"),
    "DXPORTAL_TRANSLATIONS_DIR": Message("a folder path"),
    "DXPORTAL_SEARCH_INDEX_DIR": Message("a folder path"),
    "DXPORTAL_BUILD_DIR": Message("a folder path"),
    "DXPORTAL_BASE_URL": Message(
        "an absolute http(s) address ending in /, e.g. https://chuyendoiso.bentre.gov.vn/"
    ),
    "DXPORTAL_PREVIEW": Message("true or false"),
    "DXPORTAL_PER_PAGE": Message("a whole number, 1 or more"),
    "DXPORTAL_FEED_SIZE": Message("a whole number, 1 or more"),
    "DXPORTAL_NOW": Message("a date or a date and time such as 2026-12-01T08:00, or nothing"),
    "DXPORTAL_EDITOR": Message("true or false"),
    "DXPORTAL_EDITOR_PASSWORD_HASH": Message("a password hash from `dxportal editor-password`"),
    "DXPORTAL_EDITOR_MAX_UPLOAD": Message("a number of bytes, 1 or more"),
    "DXPORTAL_TRUSTED_HOSTS": Message(
        "host names or IP addresses separated by commas, without http:// or a port, "
        "e.g. cds.example.gov.vn,10.0.0.5"
    ),
    "DXPORTAL_EDITOR_PROXIES": Message("a whole number, 0 or more (0: no proxy in front)"),
    "DXPORTAL_SMTP_HOST": Message("a host name, or nothing for no mail"),
    "DXPORTAL_SMTP_PORT": Message("a port number, 1 or more"),
    "DXPORTAL_SMTP_FROM": Message("an e-mail address"),
    "DXPORTAL_EDITOR_SESSION_HOURS": Message("a whole number of hours, 1 or more"),
    "DXPORTAL_NEWSROOM_DIR": Message("a folder path, or nothing for .newsroom/ beside content/"),
    "DXPORTAL_CACHE_DIR": Message("a folder path, or nothing to turn the disk caches off"),
    "DXPORTAL_WORKERS": Message("a whole number, 0 or more (0: one per core)"),
}
assert CHECKS.keys() == FORMS.keys() == DEFAULTS.keys()
