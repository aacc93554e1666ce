"""Addresses written by authors, made into URLs a browser reads exactly as the page shows them.

The model is the WHATWG URL standard, what browsers do with an ``href``: an address is either
normalised the way a browser would serialise it (characters a URL may not hold are
percent-encoded as UTF-8, a non-ASCII host becomes punycode, dot segments are resolved, the
scheme and host are lowercased, a default port is dropped, an empty path becomes ``/``), or
refused with a sentence saying why, where a browser would silently change what it means
(control characters it strips, a backslash it reads as ``/``) or could not use it at all (an
invalid host or port, a scheme the portal does not link to).

Pure functions: no Flask, nothing of dxportal but messages. `normalise` is used by the renderer
(every ``href`` and ``src``) and the front-matter fields, `refusal` by ``dxportal check``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from html.parser import HTMLParser

import idna

from dxportal.messages import Message, MessageError

SCHEMES = ("https", "http", "mailto", "tel")
SPECIAL = {"http": 80, "https": 443}  # schemes with a host, and their default ports
ALLOWED_LIST = "https://, http://, mailto:, tel:"

# ASCII characters a valid URL may hold as they are (the URL standard's URL code points).
URL_CODE_POINTS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$&'()*+,-./:;=?@_~"
)
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
ASCII_WHITESPACE = "\t\n\f\r "
ASCII_LABEL = re.compile(r"^[a-z0-9_-]+$")
NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0[xX][0-9A-Fa-f]*)$")
DECIMAL_OCTET = re.compile(r"^(?:0|[1-9][0-9]{0,2})$")
DOT_SEGMENTS = {".", "%2e"}
DOUBLE_DOT_SEGMENTS = {"..", ".%2e", "%2e.", "%2e%2e"}


class AddressRefused(MessageError, ValueError):
    """An address that cannot be written into a page as a URL; ``message`` says why."""


def refusal(address: str) -> Message | None:
    """Why ``address`` cannot be linked to, or None if it can (after `normalise`).

    A relative address (``../x/``) is refused here, though `normalise` writes it: it breaks
    when the page moves and under a sub-path, so ``dxportal check`` refuses it.
    """
    try:
        url = normalise(address)
    except AddressRefused as refused:
        return refused.message
    if url and not url.startswith(("/", "#")) and not SCHEME.match(url):
        return Message(
            "'{url}' is a relative address: write links as site addresses starting with "
            "/vi/ or /en/ (e.g. /vi/news/hop-ban-chi-dao/) and media as /media/file-name",
            url=address,
        )
    return None


def normalise(address: str) -> str:
    """``address`` as a valid URL that browsers read unchanged; raises AddressRefused.

    Accepted: ``https:``, ``http:``, ``mailto:`` and ``tel:`` addresses, site addresses
    (``/vi/…``), addresses on the page's own scheme (``//host/…``), fragments (``#…``), the
    empty address and relative paths (see `refusal`). Leading and trailing spaces are
    dropped, as HTML allows around a URL.
    """
    address = address.strip(ASCII_WHITESPACE)
    refuse_invisible(address)
    match = SCHEME.match(address)
    if match is None:
        if "\\" in address[:2]:
            raise backslash(address)
        if address.startswith("//"):  # the page's own scheme, https or http
            return "//" + network_address(address, None, address[2:])
        if address.startswith("/"):
            return encode_rest(address, address)
        return encode_rest(address, address)
    scheme = match.group(1).lower()
    rest = address[match.end() :]
    if scheme not in SCHEMES:
        raise AddressRefused(
            Message(
                "'{address}': links to {scheme}: addresses are not allowed; use {allowed} "
                "or a site address starting with /",
                address=address,
                scheme=scheme,
                allowed=ALLOWED_LIST,
            )
        )
    if scheme not in SPECIAL:
        if not rest.strip(ASCII_WHITESPACE):
            raise AddressRefused(
                Message(
                    "'{address}' has nothing after the colon: write the email address or "
                    "phone number there",
                    address=address,
                )
            )
        if rest.startswith("//"):  # an authority browsers would parse as a host, or reject
            raise AddressRefused(
                Message(
                    "'{address}': a {scheme}: address has no // after the colon; write it as "
                    "{scheme}:name@example.org or {scheme}:+84…",
                    address=address,
                    scheme=scheme,
                )
            )
        return scheme + ":" + encode_opaque(rest)
    if "\\" in rest.split("?", 1)[0].split("#", 1)[0]:
        raise backslash(address)
    if not rest.startswith("//") or rest.startswith("///"):
        raise AddressRefused(
            Message(
                "'{address}' has no host: write it as {scheme}://host/…, e.g. "
                "https://bentre.gov.vn/",
                address=address,
                scheme=scheme,
            )
        )
    return f"{scheme}://" + network_address(address, scheme, rest[2:])


def network_address(address: str, scheme: str | None, rest: str) -> str:
    """``host[:port]/path?query#fragment`` of an address with a host (after ``//``)."""
    end = len(rest)
    for delimiter in "/?#":
        found = rest.find(delimiter)
        if found != -1:
            end = min(end, found)
    authority, rest = rest[:end], rest[end:]
    host = normalise_authority(address, scheme, authority)
    if not rest.startswith("/"):
        rest = "/" + rest
    return host + encode_rest(rest, address)


def refuse_invisible(address: str) -> None:
    """Control characters are dropped or refused by browsers: the page would lie."""
    for char in address:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
            raise AddressRefused(
                Message(
                    "'{address}' holds an invisible control character ({char}) that browsers "
                    "remove or reject: delete it",
                    address=visible(address),
                    char=f"U+{code:04X}",
                )
            )


def visible(address: str) -> str:
    """``address`` with its control characters written as \\uXXXX, for a message."""
    return "".join(
        f"\\u{ord(c):04x}"
        if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF
        else c
        for c in address
    )


def backslash(address: str) -> AddressRefused:
    return AddressRefused(
        Message(
            "'{address}' holds a backslash (\\), which browsers read as /: write / instead",
            address=address,
        )
    )


def normalise_authority(address: str, scheme: str | None, authority: str) -> str:
    """``host[:port]`` of an http(s) address, as a browser serialises it, or refused."""
    if "@" in authority:
        raise AddressRefused(
            Message(
                "'{address}' holds a user name or password before @: such addresses mislead "
                "readers about where the link goes; write the address without it",
                address=address,
            )
        )
    if authority.startswith("["):
        close = authority.find("]")
        host_part, port_part = authority[: close + 1], authority[close + 1 :]
        if close == -1 or (port_part and not port_part.startswith(":")):
            raise invalid_host(address, authority)
        host = ipv6_host(address, host_part)
    else:
        host_part, colon, port_part = authority.partition(":")
        port_part = colon + port_part
        host = domain_or_ipv4(address, host_part)
    return host + normalise_port(address, scheme, port_part[1:] if port_part else None)


def invalid_host(address: str, host: str) -> AddressRefused:
    return AddressRefused(
        Message(
            "'{address}': '{host}' is not a valid host name (letters, digits, hyphens and "
            "dots, e.g. bentre.gov.vn)",
            address=address,
            host=host,
        )
    )


def ipv6_host(address: str, host: str) -> str:
    if "%" in host:  # a zone (fe80::1%eth0) is not part of a URL
        raise invalid_host(address, host)
    try:
        return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
    except ValueError:
        raise invalid_host(address, host) from None


def domain_or_ipv4(address: str, host: str) -> str:
    """A domain (IDNA for non-ASCII labels) or a dotted IPv4 address, lowercased."""
    if not host:
        raise invalid_host(address, host)
    try:
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
    except idna.IDNAError:
        raise invalid_host(address, host) from None
    labels = mapped.split(".")
    if labels[-1] == "" and len(labels) > 1:
        body, trailing = labels[:-1], "."
    else:
        body, trailing = labels, ""
    ascii_labels = []
    for label in body:
        if label.isascii():
            if not ASCII_LABEL.match(label):
                raise invalid_host(address, host)
            if label.startswith("xn--"):
                try:
                    idna.decode(label)
                except (idna.IDNAError, UnicodeError):
                    raise invalid_host(address, host) from None
            ascii_labels.append(label)
        else:
            try:
                ascii_labels.append(idna.alabel(label).decode("ascii"))
            except (idna.IDNAError, UnicodeError):
                raise invalid_host(address, host) from None
    # A browser reads a host ending in a number as an IPv4 address (127.1, 0x7f.1 ...): only
    # the plain dotted form is accepted, so the page shows the address that is used.
    if NUMERIC_LABEL.match(ascii_labels[-1]) and (
        len(ascii_labels) != 4
        or trailing
        or not all(DECIMAL_OCTET.match(label) and int(label) < 256 for label in ascii_labels)
    ):
        raise invalid_host(address, host)
    return ".".join(ascii_labels) + trailing


def normalise_port(address: str, scheme: str | None, port: str | None) -> str:
    if not port:
        return ""
    if not port.isascii() or not port.isdigit() or int(port) > 65535:
        raise AddressRefused(
            Message(
                "'{address}': the port '{port}' must be a number from 0 to 65535",
                address=address,
                port=port,
            )
        )
    number = int(port)
    return "" if scheme and number == SPECIAL[scheme] else f":{number}"


def percent_encode(text: str, keep: frozenset[str] = URL_CODE_POINTS) -> str:
    """Every character outside ``keep`` as UTF-8 %XX; a % that starts no escape is %25."""
    out = []
    for index, char in enumerate(text):
        if char == "%":
            out.append("%" if PERCENT_ESCAPE.match(text, index) else "%25")
        elif char in keep:
            out.append(char)
        else:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
    return "".join(out)


QUERY_KEEP = URL_CODE_POINTS - {"'"}  # browsers encode ' in the query of http(s) addresses
FRAGMENT_KEEP = URL_CODE_POINTS | {"?"}


def encode_rest(text: str, original: str) -> str:
    """Path, query and fragment of an http(s), site or relative address, encoded."""
    text, hash_, fragment = text.partition("#")
    path, question, query = text.partition("?")
    if "\\" in path:
        raise backslash(original)
    path = percent_encode(path)
    if path.startswith("/"):
        path = remove_dot_segments(path)
    else:  # relative: a ':' in the first segment would read as a scheme
        first, slash, after = path.partition("/")
        path = first.replace(":", "%3A") + slash + after
    result = path
    if question:
        result += "?" + percent_encode(query, QUERY_KEEP)
    if hash_:
        result += "#" + percent_encode(fragment, FRAGMENT_KEEP)
    return result


def encode_opaque(text: str) -> str:
    """The rest of a mailto: or tel: address: path and query percent-encoded, fragment too."""
    text, hash_, fragment = text.partition("#")
    result = percent_encode(text)
    if hash_:
        result += "#" + percent_encode(fragment, FRAGMENT_KEEP)
    return result


def remove_dot_segments(path: str) -> str:
    """Resolve ``.`` and ``..`` (also written %2e) as browsers do, never above the root."""
    segments = path.split("/")[1:]
    output: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        lowered = segment.lower()
        if lowered in DOUBLE_DOT_SEGMENTS:
            if output:
                output.pop()
            if last:
                output.append("")
        elif lowered in DOT_SEGMENTS:
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


class _AddressCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in (("a", "href"), ("img", "src")):
                self.found.append((tag, value or ""))
                break

    handle_startendtag = handle_starttag


def addresses_in_html(html: str) -> list[tuple[str, str]]:
    """(tag, address) of every ``<a href>`` and ``<img src>`` in ``html``, in order."""
    collector = _AddressCollector()
    collector.feed(html)
    collector.close()
    return collector.found


ENCODED_NON_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")
READABLE_CATEGORIES = ("L", "M", "N", "P", "S")


def readable(url: str) -> str:
    """A normalised ``url`` as an address bar shows it: accented letters, Unicode host names.

    Only what is safe to show is decoded (non-ASCII letters, marks, digits, punctuation and
    symbols, never controls, format characters such as bidi overrides, or ASCII escapes),
    so the text does not disguise the address it stands for.
    """
    match = SCHEME.match(url)
    if match and url[match.end() : match.end() + 2] == "//":
        start = match.end() + 2
        end = len(url)
        for delimiter in "/?#":
            found = url.find(delimiter, start)
            if found != -1:
                end = min(end, found)
        host, colon, port = url[start:end].partition(":")
        if not host.startswith("["):
            host = ".".join(readable_label(label) for label in host.split("."))
        url = url[:start] + host + colon + port + url[end:]

    def decode(escapes: re.Match) -> str:
        try:
            text = bytes.fromhex(escapes.group(0).replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return escapes.group(0)
        if all(unicodedata.category(char)[0] in READABLE_CATEGORIES for char in text):
            return text
        return escapes.group(0)

    return ENCODED_NON_ASCII.sub(decode, url)


def readable_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        decoded = idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return label
    if all(unicodedata.category(char)[0] in ("L", "M", "N") or char == "-" for char in decoded):
        return decoded
    return label
