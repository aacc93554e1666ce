"""Whatever addresses an author writes, a body `dxportal check` accepts renders to valid HTML.

Hypothesis writes Markdown with links, images, autolinks, references and raw HTML whose
addresses are arbitrary strings. Bodies with an address check refuses are left out (the build
refuses them); every other body is rendered, each address must be kept and be a fixed point of
the normaliser, and the Nu Html Checker then reads all the pages in one batch.
"""

from __future__ import annotations

import html
import io
import json
import subprocess

from browser_support import VNU_JAR, freeze_into, require_tools
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from test_addresses import ADDRESSES, is_valid_url_text

from dxportal.addresses import normalise, refusal
from dxportal.rendering import Renderer, written_addresses

from conftest import SITE_YML, TAGS_YML, page_text, parse

EXAMPLES = 400  # bodies written by hypothesis
PER_PAGE = 5  # bodies per page; vnu reads all the pages in one run

# Arbitrary strings, often after the start of an address check accepts.
STARTS = ["", "https://example.org/", "http://bến-tre.vn/", "/vi/", "/media/", "#", "mailto:",
          "tel:", "//example.org/"]  # fmt: skip
VNU_ADDRESSES = st.builds(lambda start, rest: start + rest, st.sampled_from(STARTS), ADDRESSES)
WORDS = st.sampled_from(["Xem", "biểu mẫu", "Đăng ký", "tài liệu", "the form", "ảnh"])


@st.composite
def bodies(draw) -> str:
    """A few paragraphs, each an address in one of the forms an author can write it."""
    parts, definitions = [], []
    for number in range(draw(st.integers(1, 5))):
        address = draw(VNU_ADDRESSES)
        text = draw(WORDS)
        form = draw(st.integers(0, 7))
        if form == 0:
            parts.append(f"[{text}]({address})")
        elif form == 1:
            parts.append(f"[{text}](<{address}>)")
        elif form == 2:
            parts.append(f"![{text}]({address})")
        elif form == 3:
            parts.append(f"<{address}>")
        elif form == 4:
            parts.append(f'<a href="{html.escape(address)}">{text}</a>')
        elif form == 5:
            parts.append(f'<img src="{html.escape(address)}" alt="{text}">')
        elif form == 6:
            parts.append(f"[{text}][r{number}]")
            definitions.append(f"[r{number}]: <{address}>")
        else:
            parts.append(f'[{text}]({address} "{text}")')
    return "\n\n".join(parts + definitions) + "\n"


def has_forbidden_code_points(text: str) -> bool:
    """Control characters and noncharacters make any HTML text invalid, address or not."""
    return any(
        (ord(c) < 0x20 and c not in "\t\n\f\r")
        or 0x7F <= ord(c) <= 0x9F
        or 0xD800 <= ord(c) <= 0xDFFF
        or 0xFDD0 <= ord(c) <= 0xFDEF
        or (ord(c) & 0xFFFE) == 0xFFFE
        for c in text
    )


# The cases of issue #18, always in the batch.
WRITTEN = [
    '[mẫu](<https://example.org/a "b" c d>) <https://example.org/"x"> <https://example.org/a`b>',
    "<https://bến-tre.vn/đăng ký?q=chuyển đổi số#mục 1>\n\n![ảnh](</media/ảnh mới.png>)",
    '<a href="https://example.org/&lt;&quot;&gt;{}|^">x</a> <img src="/media/x%zz.png" alt="y">',
    "[r][a]\n\n[a]: <https://example.org/ a|b> 'title'",
    '<a href="mailto:ban chỉ đạo@example.org?subject=Góp ý">thư</a> [gọi](tel:+84 275 3822)',
]


# Front-matter addresses and media file names, through the real templates of a frozen site.
TRAINING = """\
---
title: Lớp kỹ năng số
date: 2021-05-10
audience: [officials]
start: 2021-06-07 14:00
end: 2021-06-11 16:30
deadline: 2021-05-31
location: online
organiser: Sở Thông tin và Truyền thông
registration: "https://bến-tre.vn/đăng ký?khóa=số 1&'x'#mục <1>"
---

Nội dung.
"""
MATERIAL = """\
---
title: Video tuyên truyền
date: 2021-03-22
kind: video
video: "HTTPS://Example.ORG:443/video clip/\\"x\\"?t=1|2"
files:
  - {path: "tài liệu (bản 1).pdf", title: "Tài liệu"}
image: "ảnh có dấu cách.png"
image_alt: Ảnh minh họa
---

Nội dung.
"""


def frozen_pages(folder) -> list[str]:
    """A site whose front matter and media names hold unusual addresses, frozen."""
    content = folder / "content"
    files = {
        "site.yml": SITE_YML,
        "tags.yml": TAGS_YML,
        "pages/about.vi.md": page_text("Giới thiệu", date=None),
        "training/lop.vi.md": TRAINING,
        "outreach/video.vi.md": MATERIAL,
        "news/dia-chi.vi.md": page_text("Địa chỉ", body="\n\n".join(WRITTEN[1:])),
    }
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    (content / "media").mkdir()
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(image, "PNG")
    png = image.getvalue()
    (content / "media" / "tài liệu (bản 1).pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (content / "media" / "ảnh có dấu cách.png").write_bytes(png)
    (content / "media" / "ảnh mới.png").write_bytes(png)
    (content / "media" / "x%zz.png").write_bytes(png)
    freeze_into(folder / "build", content)
    return [str(p) for p in sorted((folder / "build").rglob("*.html"))]


DOCUMENT = (
    '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>Trang {n}</title>'
    "</head><body><main><article>\n{body}\n</article></main></body></html>\n"
)


def written_in(url: str, pages: list[list[tuple[str, str]]]) -> str:
    """The Markdown of the bodies on a page vnu complains about (or the frozen page's path)."""
    name = url.rsplit("/", 1)[-1]
    if name.startswith("page-"):
        return repr([body for body, _ in pages[int(name[5:].split(".")[0])]])
    return url.split("/build/")[-1]


def test_every_body_check_accepts_renders_to_valid_html(tmp_path):
    require_tools("java", "vnu")
    renderer = Renderer()
    accepted: list[tuple[str, str]] = []  # (Markdown, rendered HTML) of the accepted bodies

    @given(bodies())
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )  # fmt: skip
    def render_one(body: str) -> None:
        written = written_addresses(body)
        if any(refusal(url) or (tag == "img" and not url.strip()) for tag, url in written):
            return  # `dxportal check` reports it; the build refuses the page
        rendered = renderer.render(body, "vi", "/portal")
        soup = parse(rendered)
        kept = [(a.name, a.get("href" if a.name == "a" else "src")) for a in soup(["a", "img"])]
        assert [tag for tag, url in kept if url is not None] == [tag for tag, _ in written], (
            f"an address check accepts was dropped: {body!r} -> {rendered!r}"
        )
        for _, url in kept:
            assert url is None or (is_valid_url_text(url) and normalise(url) == url), (body, url)
        # Outside an address (in the text) such characters are another problem than this one.
        if not has_forbidden_code_points(body):
            accepted.append((body, rendered))

    render_one()
    for body in WRITTEN:
        assert not any(refusal(url) for _, url in written_addresses(body)), body
        accepted.append((body, renderer.render(body, "vi", "/portal")))
    assert len(accepted) >= EXAMPLES // 5  # enough accepted bodies for the batch to mean something
    pages = [accepted[start : start + PER_PAGE] for start in range(0, len(accepted), PER_PAGE)]
    files = []
    for number, bodies_ in enumerate(pages):
        path = tmp_path / f"page-{number}.html"
        rendered = "\n<hr>\n".join(html_ for _, html_ in bodies_)
        path.write_text(DOCUMENT.format(n=number, body=rendered), encoding="utf-8")
        files.append(str(path))
    frozen = frozen_pages(tmp_path / "site")
    assert any("/training/lop/" in path for path in frozen)
    files += frozen
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *files],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    report = json.loads(result.stderr or result.stdout)  # vnu writes its JSON to stderr
    errors = [
        f"{written_in(m['url'], pages)}: {m['message']}"
        for m in report["messages"]
        if m.get("type") in ("error", "non-document-error")
    ]
    assert errors == []
    assert result.returncode == 0, result.stderr[-2000:]
