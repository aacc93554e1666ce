"""Addresses in content: normalised as a browser serialises them, or refused by `dxportal check`.

Node's URL class (the WHATWG URL parser browsers implement) is the reference for what a
browser does with an address.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dxportal.addresses import URL_CODE_POINTS, AddressRefused, normalise, readable, refusal
from dxportal.cli import main
from dxportal.content.errors import FieldError
from dxportal.content.fields import web_address
from dxportal.rendering import Renderer, may_write_refused_address, written_addresses

from conftest import page_text, parse

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")
BASE = "https://portal.example/vi/news/x/"

NORMALISED = [
    ("https://example.org/a b", "https://example.org/a%20b"),
    ('https://example.org/"q"<x>`{}|^', "https://example.org/%22q%22%3Cx%3E%60%7B%7D%7C%5E"),
    ("https://example.org/?q='x' y#f g#h", "https://example.org/?q=%27x%27%20y#f%20g%23h"),
    ("HTTPS://Bến-Tre.VN:443/đăng ký", "https://xn--bn-tre-wi8b.vn/%C4%91%C4%83ng%20k%C3%BD"),
    ("https://example.org", "https://example.org/"),
    ("http://example.org:80/", "http://example.org/"),
    ("http://example.org:8080/", "http://example.org:8080/"),
    ("https://[0:0::1]/", "https://[::1]/"),
    ("https://example.org/a/./b/../c/%2e%2E/d", "https://example.org/a/d"),
    ("https://example.org/100%", "https://example.org/100%25"),
    ("https://example.org/%C4%91", "https://example.org/%C4%91"),
    ("  https://example.org/  ", "https://example.org/"),
    ("/vi/news/../../media/a b.pdf", "/media/a%20b.pdf"),
    ("/vi/tìm kiếm/?q=chuyển", "/vi/t%C3%ACm%20ki%E1%BA%BFm/?q=chuy%E1%BB%83n"),
    ("#đổi-mới", "#%C4%91%E1%BB%95i-m%E1%BB%9Bi"),
    ("#fn:1", "#fn:1"),
    ("//example.org/a", "//example.org/a"),
    ("mailto:đổi số@example.org", "mailto:%C4%91%E1%BB%95i%20s%E1%BB%91@example.org"),
    ("MAILTO:a@example.org?subject=Xin chào", "mailto:a@example.org?subject=Xin%20ch%C3%A0o"),
    ("tel:+84 275 3822 123", "tel:+84%20275%203822%20123"),
    ("", ""),
]  # fmt: skip

REFUSED = [
    ("javascript:alert(1)", "links to javascript: addresses are not allowed"),
    ("JaVaScRiPt:alert(1)", "links to javascript: addresses are not allowed"),
    ("data:text/html,x", "links to data: addresses are not allowed"),
    ("file:///etc/passwd", "links to file: addresses are not allowed"),
    ("ftp://example.org/", "links to ftp: addresses are not allowed"),
    ("java\tscript:alert(1)", "invisible control character (U+0009)"),
    ("https://example.org/a\nb", "invisible control character (U+000A)"),
    ("https://example.org/\x00", "invisible control character (U+0000)"),
    ("https://example.org/\x85", "invisible control character (U+0085)"),
    ("https://example.org\\a", "holds a backslash"),
    ("\\\\example.org\\a", "holds a backslash"),
    ("/media\\a.png", "holds a backslash"),
    ("https:/example.org/", "has no host"),
    ("https:example.org", "has no host"),
    ("https:///example.org", "has no host"),
    ("https://exa mple.org/", "'exa mple.org' is not a valid host name"),
    ("https://example..org/", "is not a valid host name"),
    ("https://%65xample.org/", "is not a valid host name"),
    ("https://127.1/", "'127.1' is not a valid host name"),
    ("https://0x7f.0.0.1/", "is not a valid host name"),
    ("https://example.123/", "is not a valid host name"),
    ("https://[::1/", "is not a valid host name"),
    ("https://xn--a.org/", "is not a valid host name"),
    ("https:///", "has no host"),
    ("https://example.org:99999/", "the port '99999' must be a number from 0 to 65535"),
    ("https://example.org:8o/", "the port '8o' must be a number"),
    ("https://user:secret@example.org/", "holds a user name or password before @"),
    ("https://www.bentre.gov.vn@example.org/", "holds a user name or password before @"),
    ("mailto:", "has nothing after the colon"),
    ("tel: ", "has nothing after the colon"),
    ("tel://ađ^", "a tel: address has no // after the colon"),  # found by hypothesis
    ("mailto://a@example.org", "a mailto: address has no // after the colon"),
]


@pytest.mark.parametrize(("written", "expected"), NORMALISED)
def test_addresses_are_normalised_as_browsers_serialise_them(written, expected):
    assert normalise(written) == expected
    assert normalise(expected) == expected
    assert refusal(written) is None


@pytest.mark.parametrize(("written", "reason"), REFUSED)
def test_addresses_a_browser_would_change_or_reject_are_refused(written, reason):
    with pytest.raises(AddressRefused) as caught:
        normalise(written)
    assert reason in str(caught.value.message)
    assert refusal(written) == caught.value.message


def is_valid_url_text(url: str) -> bool:
    """Only URL code points and %XX escapes (at most one # and nothing a browser re-encodes)."""
    text = re.sub(r"^((?:https?:)?//)\[[0-9a-f:.]+\]", r"\1ipv6", url).replace("#", "", 1)
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            if len(text) < index + 3 or not all(
                c in "0123456789ABCDEFabcdef" for c in text[index + 1 : index + 3]
            ):
                return False
            index += 3
            continue
        if char not in URL_CODE_POINTS:
            return False
        index += 1
    return True


# Strings with the characters addresses go wrong with, around a few plausible shapes.
PIECES = st.sampled_from(
    [
        "https://", "http://", "mailto:", "tel:", "javascript:", "//", "/", "/vi/", "#", "?",
        "..", ".", "%", "%2e", "%41", "@", ":", ":8080", ":443", "[::1]", "\\", " ", '"', "'",
        "<", ">", "`", "{", "}", "|", "^", "[", "]", "\t", "\n", "\x00", "\x7f", "\x85",
        "đ", "ổ", "Bến", "例え", "ß", "\u200b", "\ufeff", "xn--", "example.org", "EXAMPLE.ORG",
        "127.0.0.1", "1.2.3", "0x7f", "a", "B", "0", "-", "_", "~", "&", "=", "+", ";", ",",
    ]
)  # fmt: skip
ADDRESSES = st.one_of(
    st.lists(PIECES, max_size=8).map("".join),
    st.text(max_size=24),
    st.builds(
        lambda a, b: a + b,
        st.sampled_from(["https://example.org/", "/vi/", "#"]),
        st.text(max_size=16),
    ),  # fmt: skip
)


@given(ADDRESSES)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_a_normalised_address_is_valid_and_stable(written):
    try:
        url = normalise(written)
    except AddressRefused:
        return
    assert is_valid_url_text(url), url
    assert normalise(url) == url
    assert (refusal(url) is None) == (refusal(written) is None)  # relative ones stay refused
    assert normalise(readable(url)) == url  # the text shown for it leads to it


NODE_SCRIPT = r"""
const base = process.argv[1];
const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
const parse = (text) => { try { return new URL(text, base).href; } catch (e) { return null; } };
process.stdout.write(JSON.stringify(items.map(([written, url]) => [parse(written), parse(url)])));
"""


def browser_hrefs(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str | None]]:
    """What a browser (Node's WHATWG URL parser) makes of each pair, against BASE."""
    result = subprocess.run(
        [NODE, "-e", NODE_SCRIPT, BASE], input=json.dumps(pairs), capture_output=True,
        text=True, timeout=60, check=True,
    )  # fmt: skip
    return [tuple(pair) for pair in json.loads(result.stdout)]


def expected_href(url: str) -> str | None:
    """The href a browser should show for a normalised address, or None (relative path)."""
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("/"):
        return "https://portal.example" + url
    if url.startswith("#"):
        return BASE + url
    if url.split(":", 1)[0] in ("https", "http", "mailto", "tel"):
        return url
    return None


@needs_node
@given(st.lists(ADDRESSES, min_size=50, max_size=150))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_browsers_read_a_normalised_address_exactly_as_the_page_shows_it(addresses):
    """The page shows what the browser uses, and it means what the author wrote."""
    pairs = []
    for written in addresses:
        try:
            pairs.append((written, normalise(written)))
        except AddressRefused:
            continue
    for (written, url), (from_written, from_url) in zip(pairs, browser_hrefs(pairs), strict=True):
        assert from_url is not None, f"a browser cannot parse {url!r} (from {written!r})"
        expected = expected_href(url)
        if expected is not None:
            assert from_url == expected, (written, url)
        assert from_written is not None, f"{written!r} was accepted but a browser rejects it"
        # The same resource: equal once percent-escapes are decoded (we encode a few more
        # characters than browsers do, e.g. | and ^ in a query, which vnu calls invalid).
        assert unquote(from_written) == unquote(from_url), (written, url)


def test_the_renderer_writes_normalised_addresses_and_drops_refused_ones():
    renderer = Renderer()
    html = parse(
        renderer.render(
            '[a](<https://example.org/a b>) <https://example.org/"x">\n\n'
            '<a href="https://bến-tre.vn/đ">c</a> <img src="/media/a b.png" alt="d">\n\n'
            '[e](javascript:alert(1)) <a href="https://example.org/&#9;x">f</a>',
            "vi",
            "/portal",
        )
    )
    links = [a.get("href") for a in html("a")]
    assert links == [
        "https://example.org/a%20b",
        "https://example.org/%22x%22",
        "https://xn--bn-tre-wi8b.vn/%C4%91",
        None,
        None,
    ]
    assert html.find("img")["src"] == "/portal/media/a%20b.png"


def test_web_address_fields_are_normalised_or_refused():
    assert (
        web_address("https://example.org/đăng ký") == "https://example.org/%C4%91%C4%83ng%20k%C3%BD"
    )
    with pytest.raises(FieldError) as caught:
        web_address("https://user@example.org/")
    assert str(caught.value.message).startswith("is not a usable web address: ")
    with pytest.raises(FieldError):
        web_address("javascript:alert(1)")


def test_media_addresses_from_file_names_are_already_normal(app):
    with app.test_request_context("/"):
        from dxportal.web.urls import media_url

        for name in ["a b.pdf", "tài liệu (1).pdf", 'x"<>#?%.png', "dir/ảnh.png"]:
            url = media_url(name)
            assert normalise(url) == url and is_valid_url_text(url), url


BODY = """\
Xem [biểu mẫu](https://example.org/dang-ky).

[độc](javascript:alert(1)) và <https://user@example.org/>

<a href="data:text/html,x">dữ liệu</a>

Liên hệ: [gọi](tel:) hoặc ![ảnh](https://exa mple.org/a.png)

[tham chiếu][r] và ![trống]()

[r]: https://example.org:99999/
"""


def test_check_reports_each_refused_address_with_its_line(make_content, monkeypatch):
    root = make_content({"news/dia-chi.vi.md": page_text("Địa chỉ", body=BODY)})
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    monkeypatch.setenv("DXPORTAL_NOW", "2026-11-26T09:00")
    result = CliRunner().invoke(main, ["check", "--lang", "en"])
    assert result.exit_code == 1
    lines = [
        line.replace(f"{root}/", "")
        for line in result.output.splitlines()
        if "dia-chi" in line and ": error: " in line
    ]
    assert lines == [
        "news/dia-chi.vi.md:8: error: 'javascript:alert(1)': links to javascript: addresses "
        "are not allowed; use https://, http://, mailto:, tel: or a site address starting with /",
        "news/dia-chi.vi.md:8: error: 'https://user@example.org/' holds a user name or password "
        "before @: such addresses mislead readers about where the link goes; write the address "
        "without it",
        "news/dia-chi.vi.md:10: error: 'data:text/html,x': links to data: addresses are not "
        "allowed; use https://, http://, mailto:, tel: or a site address starting with /",
        "news/dia-chi.vi.md:12: error: 'tel:' has nothing after the colon: write the email "
        "address or phone number there",
        "news/dia-chi.vi.md:12: error: 'https://exa mple.org/a.png': 'exa mple.org' is not a "
        "valid host name (letters, digits, hyphens and dots, e.g. bentre.gov.vn)",
        "news/dia-chi.vi.md:14: error: an image has no address: write it as /media/file-name",
        "news/dia-chi.vi.md:16: error: 'https://example.org:99999/': the port '99999' must be "
        "a number from 0 to 65535",
    ]


# Markdown around arbitrary addresses: the forms python-markdown turns into addresses, and text.
FORMS = st.sampled_from(
    ["[a]({})", "![a]({})", "[a]( {} )", "[a](<{}>)", "<{}>", '<a href="{}">a</a>', "[a] ({})",
     "[a][r]\n\n[r]: {}", "[r]:\n  {} 'title'", "[^1]: {}", "> [a]({} \"t\")", "- ![a]({})",
     "[a [b]({})]({})", "`[a]({})`", "{}", "*[a]: {}", "[a]({}){{: href='{}' }}"]
)  # fmt: skip
MARKDOWN_BODIES = st.lists(
    st.builds(lambda form, address: form.replace("{}", address).replace("{{", "{"), FORMS,
              st.one_of(ADDRESSES, st.builds(lambda s, a: s + a, st.sampled_from(
                  ["https://example.org", "http://", "/", "#", "mailto:", "tel:", "//"]),
                  ADDRESSES))),
    max_size=4,
).map("\n\n".join)  # fmt: skip


@given(MARKDOWN_BODIES)
@example("[a](https://example.org\nhttps://)")  # python-markdown keeps the line break
@example("[a](/x\ny)")
@example("[a](https://example.org x)")
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_quick_test_never_misses_a_refused_address(body):
    """check skips the Markdown conversion of bodies this says cannot write a refused address."""
    if not may_write_refused_address(body):
        refused = [url for tag, url in written_addresses(body) if refusal(url) is not None]
        refused += [url for tag, url in written_addresses(body) if tag == "img" and not url]
        assert refused == [], body


def test_the_quick_test_lets_ordinary_bodies_through():
    body = (
        "## Mục\n\nXem [nghị quyết](/vi/documents/nq-01/), [ảnh](/media/a.png), [mục](#muc), "
        "[trang](https://bentre.gov.vn/tin-tuc?id=3) và [thư](mailto:a@example.org).[^1]\n\n"
        "[r]: https://example.org:8080/x 'title'\n\n[^1]: Báo Đồng Khởi, 4/3/2021."
    )
    assert not may_write_refused_address(body)
    assert may_write_refused_address(body + "\n\n[x](javascript:alert(1))")


def test_fragments_to_accented_ids_are_encoded_and_still_match():
    """Browsers percent-decode a fragment to find its id (Chromium checked by hand)."""
    html = parse(Renderer().render("Văn bản[^chú-thích].\n\n[^chú-thích]: Báo Đồng Khởi.", "vi"))
    href = html.select_one("a.footnote-ref")["href"]
    assert href == "#fn:ch%C3%BA-th%C3%ADch"
    assert html.find(id=unquote(href[1:])) is not None


def test_a_web_address_is_shown_as_an_address_bar_shows_it():
    url = normalise("https://bến-tre.vn:8080/đăng ký?q=số#mục")
    assert readable(url) == "https://bến-tre.vn:8080/đăng%20ký?q=số#mục"
    # Never decoded: bidi overrides, controls, ASCII escapes, broken UTF-8.
    hidden = "https://example.org/%E2%80%AEfdp.exe%00%2F%C4"
    assert readable(hidden) == hidden


def test_the_registration_link_shows_a_readable_address(make_content, app_for):
    call = """\
---
title: Lớp học
date: 2021-05-10
audience: [officials]
start: 2021-06-07 14:00
end: 2021-06-11 16:30
deadline: 2021-05-31
location: online
organiser: Sở
registration: https://bến-tre.vn/đăng ký
---

Nội dung.
"""
    client = app_for(make_content({"training/lop.vi.md": call})).test_client()
    link = parse(client.get("/vi/training/lop/")).find("a", string=re.compile("bến-tre"))
    assert link["href"] == "https://xn--bn-tre-wi8b.vn/%C4%91%C4%83ng%20k%C3%BD"
    assert link.get_text() == "https://bến-tre.vn/đăng%20ký"


def test_check_reports_a_refused_front_matter_address_at_its_line(make_content, monkeypatch):
    material = (
        "---\ntitle: Video\ndate: 2021-03-22\nkind: video\n"
        "video: https://www.bentre.gov.vn@example.org/v\n---\n\nNội dung.\n"
    )
    root = make_content({"outreach/video.vi.md": material})
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    result = CliRunner().invoke(main, ["check", "--lang", "en"])
    assert result.exit_code == 1
    assert (
        f"{root}/outreach/video.vi.md:5: error: 'video' is not a usable web address: "
        "'https://www.bentre.gov.vn@example.org/v' holds a user name or password before @"
    ) in result.output
    vietnamese = CliRunner().invoke(main, ["check"]).output
    assert "'video' không phải là địa chỉ web dùng được: " in vietnamese
    assert "có tên người dùng hoặc mật khẩu trước dấu @" in vietnamese
