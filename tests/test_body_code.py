"""`dxportal check` reads a body as the renderer does: what python-markdown shows as code is
not checked, and everything outside code is found on the same line as before."""

from __future__ import annotations

import re

import pytest

from dxportal.content.checks import check_content

from conftest import page_text

BROKEN = "/vi/news/khong-co/"


def findings(make_content, body: str) -> list[tuple[int, str]]:
    """(line, English message) of every finding in a static page (its body starts on line 5)."""
    root = make_content({
        "pages/kiem-tra.vi.md": page_text("Kiểm tra", date=None, body=body),
        "pages/kiem-tra.en.md": page_text("Check", date=None),
        "media/so-do.png": b"\x89PNG",
    })  # fmt: skip
    return [(f.problem.line, str(f.problem.message)) for f in check_content(root).findings]


@pytest.mark.parametrize(
    "body",
    [
        f"Ví dụ:\n\n    [tại đây]({BROKEN})\n    ![](/media/khong-co.png)\n\nHết.",
        f"```markdown\n[tại đây]({BROKEN})\n![](/media/khong-co.png)\n```",
        f"~~~\n[x]({BROKEN})\n~~~",
        f"````\n```\n[x]({BROKEN})\n```\n````",
        f"Viết `[x]({BROKEN})` hoặc `![](/media/khong-co.png)` để dẫn.",
        f"Viết ``[x]({BROKEN}`)`` nhé.",
        f'Mã `<a href="{BROKEN}">x</a>` và:\n\n    <img src="/media/khong-co.png">',
        "Ví dụ:\n\n    [đây][gt]\n\n[gt]: /vi/about/",
        f"Ví dụ:\n\n    [gt]: {BROKEN}\n\nHết.",
        "Ví dụ:\n\n    # không phải tiêu đề\n    #### cũng không\n\n## Mục",
        "```\nMục\n===\n```",
        f"1. Bước một:\n\n        [x]({BROKEN})\n\n2. Bước hai.",
    ],
    ids=[
        "indented",
        "fenced",
        "tildes",
        "nested-fence",
        "inline",
        "double-backticks",
        "raw-html",
        "reference-link",
        "reference-definition",
        "atx-headings",
        "setext-heading",
        "code-in-a-list",
    ],
)
def test_links_images_and_headings_in_code_are_not_checked(make_content, body):
    assert findings(make_content, body) == []


MIXED = f"""Mở đầu [tại đây](/vi/about/).

    [x]({BROKEN})

```
[y](/vi/news/khong-co-2/)
# không phải tiêu đề
```

Xem [bài]({BROKEN}) và `[z](/vi/z/)`.

![](/media/so-do.png)

#### Mục

Mục con
-------

[Giới thiệu][gt] và <a href="/vi/news/khong-co-3/">tin</a>

[gt]: /vi/khong-co/"""


def without_code(body: str) -> str:
    """``body`` with its code blanked (the same lines): nothing in it is code any more."""
    body = re.sub(r"```.*?```", lambda m: "\n" * m.group(0).count("\n"), body, flags=re.S)
    body = re.sub(r"`[^`]*`", "", body)
    return re.sub(r"(?m)^    .*$", "", body)


def test_everything_outside_code_is_found_on_the_same_lines(make_content):
    found = findings(make_content, MIXED)
    expected = [
        (5, "the link text 'tại đây' does not say where"),
        (14, f"'{BROKEN}' links to a page that does not exist"),
        (16, "the image /media/so-do.png has no alt text"),
        (18, "the first heading of the body should be ##"),
        (23, "'/vi/news/khong-co-3/' links to a page that does not exist"),
        (25, "'/vi/khong-co/' links to a page that does not exist"),
    ]
    assert [
        (line, message[: len(want)])
        for (line, message), (_, want) in zip(found, expected, strict=False)
    ] == expected, found
    assert len(found) == len(expected), found
    assert findings(make_content, without_code(MIXED)) == found
