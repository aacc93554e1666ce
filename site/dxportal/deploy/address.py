"""Public addresses that must not go live: loopback and reserved example names (RFC 2606,
RFC 6761), which a build gets when the real address was never set."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from dxportal.config import is_placeholder_address


def is_local_address(url: str) -> bool:
    """The build's own test (config.is_placeholder_address), and also no host at all, any
    spelling of an IPv6 loopback or unspecified address, and the bare reserved names."""
    if is_placeholder_address(url):
        return True
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host or host in ("example", "test", "invalid", "localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
