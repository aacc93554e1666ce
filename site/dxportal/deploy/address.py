"""Public addresses that must not go live: loopback and reserved example names (RFC 2606,
RFC 6761), which a build gets when DXPORTAL_BASE_URL / --base-url was forgotten."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost")


def is_local_address(url: str) -> bool:
    """True for loopback, localhost and example addresses (and for no host at all)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        pass
    if any(host == name or host.endswith("." + name) for name in EXAMPLE_DOMAINS):
        return True
    return host.endswith(RESERVED_SUFFIXES) or host in {s[1:] for s in RESERVED_SUFFIXES}
