"""The preview (and its editor) answers only to the host names it was started for.

A web page can make its own name resolve to 127.0.0.1 (DNS rebinding) and then read the
preview, the editor and its CSRF token through that name. Every request whose ``Host`` is not
a loopback name, the address `dxportal serve --host` was given, or a name in
DXPORTAL_TRUSTED_HOSTS gets a one-line 400 before Flask sees it: no page, no session, no token.

This is Flask 3.1's TRUSTED_HOSTS idea, checked here in a WSGI wrapper because werkzeug 3.1
compares a trusted name only up to its first ':', so an IPv6 address (``[::1]``) can never be
trusted there, and it compares names case-sensitively. The frozen site is never served by
Flask and has no such check.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable

from flask import Flask

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CONFIG_KEY = "ANSWERED_HOSTS"  # the list in effect (None: any host, as Flask does)
# One line, both languages (no catalog is read before the host is known).
REFUSAL = (
    "400: máy chủ này chỉ trả lời các tên máy của chính nó (DXPORTAL_TRUSTED_HOSTS) / "
    "this server answers only to its own host names (DXPORTAL_TRUSTED_HOSTS)\n"
).encode()
_HOST_HEADER = re.compile(r"(\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::(\d{1,5}))?")


def host_name(header: str | None) -> str | None:
    """The name in a ``Host`` header ('Name:8875' -> 'name', '[::1]:80' -> '::1'), or None."""
    match = _HOST_HEADER.fullmatch((header or "").strip())
    if match is None:
        return None
    return normalised(match.group(1).strip("[]"))


def normalised(name: str) -> str:
    return name.strip().rstrip(".").lower()


def is_unspecified(address: str) -> bool:
    """0.0.0.0 or :: ("every address of this machine"): no name of its own."""
    try:
        return ipaddress.ip_address(address.strip("[]")).is_unspecified
    except ValueError:
        return False


def trusted_hosts(bind_host: str | None, public_names: str) -> list[str]:
    """Loopback names, the bind address (unless 0.0.0.0 or ::), then the configured names."""
    names = list(LOOPBACK_NAMES)
    candidates: Iterable[str] = [bind_host or "", *public_names.split(",")]
    for candidate in candidates:
        name = normalised(candidate.strip("[]") if candidate.strip().startswith("[") else candidate)
        if name and not is_unspecified(name) and name not in names:
            names.append(name)
    return names


class HostGuard:
    """WSGI middleware: a request for a host not in ``allowed()`` gets a plain 400."""

    def __init__(self, wsgi_app: Callable, allowed: Callable[[], list[str] | None]) -> None:
        self.wsgi_app = wsgi_app
        self.allowed = allowed

    def __call__(self, environ: dict, start_response: Callable):
        allowed = self.allowed()
        if allowed is not None and host_name(environ.get("HTTP_HOST")) not in allowed:
            headers = [("Content-Type", "text/plain; charset=utf-8")]
            start_response("400 Bad Request", [*headers, ("Content-Length", str(len(REFUSAL)))])
            return [REFUSAL]
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """A preview app answers loopback names and DXPORTAL_TRUSTED_HOSTS; `serve` adds --host."""
    if app.config["DXPORTAL_PREVIEW"] and app.config.get(CONFIG_KEY) is None:
        app.config[CONFIG_KEY] = trusted_hosts(None, app.config["DXPORTAL_TRUSTED_HOSTS"])
    app.wsgi_app = HostGuard(app.wsgi_app, lambda: app.config.get(CONFIG_KEY))
