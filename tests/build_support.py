"""Content and builds shared by the build tests."""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path

import markdown
from flask import Flask, render_template_string, request

from dxportal import create_app, rendering
from dxportal.build.freezer import SiteFreezer
from dxportal.build.pipeline import freeze_site
from dxportal.content import loader
from dxportal.content.checks import check_content
from dxportal.content.clock import local_now
from dxportal.rendering import Renderer

from conftest import page_text

BODY = """Mở đầu với [liên kết nội bộ](/vi/news/bai-2/).

## Đổi mới số

| Hạng mục | Số |
|---|---:|
| Hồ sơ | 12 |

Chú thích[^1].

[^1]: Nguồn: Báo Đồng Khởi.
"""


def corpus(make_content) -> Path:
    files = {}
    for number in range(1, 7):
        tags = "[ban-chi-dao]" if number % 2 else "[]"
        files[f"news/bai-{number}.vi.md"] = page_text(
            f"Bài số {number}", date=f"2021-03-{number:02d}", tags=tags, body=BODY
        )
    files["news/bai-1.en.md"] = page_text("Article one", date="2021-03-01", body="In English.")
    return make_content(files)


def build(root: Path, destination: Path, cache_dir: Path, **config) -> Path:
    settings = {
        "DXPORTAL_CONTENT_DIR": str(root),
        "DXPORTAL_CACHE_DIR": str(cache_dir),
        "DXPORTAL_NOW": "2026-01-01T00:00",
    }
    app = create_app({**settings, **config})
    freeze_site(app, destination)
    return destination


class Rendered(Sequence):
    """The URLs rendered, in every process of the build (forked workers append to a file)."""

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="dxportal-rendered-")
        os.close(handle)
        weakref.finalize(self, os.unlink, self.path)

    def add(self, url: str) -> None:
        with open(self.path, "a", encoding="utf-8") as out:  # one write: lines never mix
            out.write(url + "\n")

    def urls(self) -> list[str]:
        with open(self.path, encoding="utf-8") as source:
            return source.read().splitlines()

    def __getitem__(self, index):
        return self.urls()[index]

    def __len__(self) -> int:
        return len(self.urls())

    def __eq__(self, other: object) -> bool:
        return self.urls() == list(other) if isinstance(other, Sequence) else NotImplemented

    def __repr__(self) -> str:
        return repr(self.urls())


def count_rendered(monkeypatch) -> Rendered:
    rendered = Rendered()
    real = SiteFreezer.build_one

    def spy(freezer, url):
        rendered.add(url)
        return real(freezer, url)

    monkeypatch.setattr(SiteFreezer, "build_one", spy)
    return rendered


EDITS = {
    "body": lambda root: (root / "news/bai-3.vi.md").write_text(
        page_text("Bài số 3", date="2021-03-03", tags="[ban-chi-dao]", body="Đã sửa lỗi."),
        encoding="utf-8",
    ),
    "title": lambda root: (root / "news/bai-2.vi.md").write_text(
        page_text("Tiêu đề mới", date="2021-03-02", body=BODY), encoding="utf-8"
    ),
    "new article": lambda root: (root / "news/bai-9.vi.md").write_text(
        page_text("Bài mới", date="2021-04-01", tags="[ban-chi-dao]"), encoding="utf-8"
    ),
    "deleted article": lambda root: (root / "news/bai-5.vi.md").unlink(),
}


def count_conversions(monkeypatch) -> list[tuple[str, str]]:
    """(body, language) of every Markdown conversion from now on, in this process."""
    converted: list[tuple[str, str]] = []
    convert = Renderer._render

    def counted(renderer, body: str, lang: str, prefix: str) -> str:
        converted.append((body, lang))
        return convert(renderer, body, lang, prefix)

    monkeypatch.setattr(Renderer, "_render", counted)
    return converted


def upgrade_renderer(monkeypatch, old: str, new: str) -> None:
    """As a python-markdown (or nh3) upgrade that renders the same Markdown differently:
    a new version, and ``old`` written as ``new`` in every body."""
    monkeypatch.setattr(markdown, "__version__", "99.0")
    sanitize = rendering.sanitize
    monkeypatch.setattr(rendering, "sanitize",
                        lambda html, rule: sanitize(html, rule).replace(old, new))  # fmt: skip


def cache_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def pages_of(site) -> dict[str, tuple]:
    return {
        p.source_path.name: (p.meta, p.meta_lines, p.body, p.body_line, p.digest)
        for p in site.pages()
    }


def count_reads(monkeypatch) -> list[str]:
    read: list[str] = []
    real = loader.read_text

    def spy(path, problems):
        read.append(path.name)
        return real(path, problems)

    monkeypatch.setattr(loader, "read_text", spy)
    return read


def tiny_freezer(tmp_path, base_url: str | None = None) -> SiteFreezer:
    app = Flask(__name__)
    app.config.update(FREEZER_DESTINATION=str(tmp_path / "out"), FREEZER_BASE_URL=base_url)
    seen = app.extensions["seen"] = []

    @app.route("/<name>/")
    def page(name: str):
        seen.append({k: v for k, v in request.environ.items() if isinstance(v, str | bool)})
        return render_template_string(
            "{{ url_for('extra', n=1) }} {{ url_for('page', name='x', _external=true) }}"
        )

    @app.route("/extra/<int:n>/")
    def extra(n: int):
        return "extra"

    return SiteFreezer(app)


def drafts_and_scheduled(make_content) -> Path:
    files = {
        "news/bai-1.vi.md": page_text("Bài một", date="2021-03-01", body=BODY),
        "news/bai-1.en.md": page_text("Article one", date="2021-03-01", draft="true"),
        "news/bai-2.vi.md": page_text("Bài hai", date="2021-03-02"),
        "news/bai-3.vi.md": page_text("Bài ba", date="2021-03-03", draft="true"),
        "news/bai-4.en.md": page_text("Article four", date="2030-01-01"),
        "news/bai-4.vi.md": page_text("Bài bốn", date="2021-03-04", publish="2030-01-01 08:00"),
        "news/bai-10.vi.md": page_text("Bài mười", date="2021-03-05"),
    }
    return make_content(files)


def findings(report) -> list[str]:
    return [f.render() for f in report.findings]


def checked_with_a_cache(make_content, caches: Path):
    """A tree with problems, checked once into ``caches``: (root, now, the findings)."""
    root = drafts_and_scheduled(make_content)
    (root / "news/bai-10.vi.md").write_text(page_text("Bài 10", body="[tại đây](/vi/x/)"), "utf-8")
    now = local_now("2026-01-01T00:00")
    fresh = findings(check_content(root, now))
    check_content(root, now, cache_dir=caches)
    return root, now, fresh
