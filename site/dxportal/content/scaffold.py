"""`dxportal new`: start a page (or its translation) as a draft, never over an existing file."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import frontmatter
import yaml

from dxportal.content.schema import RESERVED_SLUGS, SECTIONS
from dxportal.content.vocabularies import AUDIENCES, DOCUMENT_TYPES, MATERIAL_KINDS, PILLARS
from dxportal.messages import LANGUAGES, Message, MessageError
from dxportal.slugs import is_slug, make_slug

OPTIONAL_FIELDS = {
    "vi": (
        '# summary: "Một hoặc hai câu tóm tắt, hiện trong danh sách và khi chia sẻ."',
        "# tags: [ban-chi-dao]",
        "# image: ten-anh.png",
        '# image_alt: "Ảnh cho thấy gì"',
        "# publish: 2026-12-01 08:00",
        "# updated: 2026-12-01",
    ),
    "en": (
        '# summary: "One or two sentences, shown in lists and when the page is shared."',
        "# tags: [ban-chi-dao]",
        "# image: image-name.png",
        '# image_alt: "What the image shows"',
        "# publish: 2026-12-01 08:00",
        "# updated: 2026-12-01",
    ),
}
BODY_TEMPLATES = {
    "vi": """\
<!-- Hướng dẫn viết: docs/guide.vi.md. Mục bắt đầu bằng ##.
Liên kết: [Tên trang](/vi/news/ten-bai/). Ảnh: ![Ảnh cho thấy gì](/media/ten-anh.png).
Khi xong: chạy dxportal check, rồi xóa dòng draft: true. Xóa ghi chú này. -->

Đoạn mở đầu: ai, làm gì, khi nào, ở đâu.

## Mục thứ nhất

Nội dung của mục.
""",
    "en": """\
<!-- Writing guide: docs/guide.en.md. Sections start with ##.
Links: [Page name](/en/news/slug/). Images: ![What it shows](/media/image-name.png).
When done: run dxportal check, then remove draft: true. Delete this note. -->

Opening paragraph: who, what, when, where.

## First section

The text of the section.
""",
}


def section_field_lines(section: str, lang: str, today: dt.date) -> list[str]:
    """The section's own required fields, filled with valid placeholders to replace."""
    soon = today + dt.timedelta(days=14)
    todo = {"vi": "(cần điền)", "en": "(to be filled in)"}[lang]
    choices = {"vi": "một trong", "en": "one of"}[lang]
    if section == "goals":
        return [
            f"pillar: digital-government  # {choices}: {', '.join(PILLARS)}",
            f'indicator: "{todo}"',
            'unit: "%"',
            f"baseline: {{year: {today.year}, value: 0}}",
            f"target: {{year: {today.year + 4}, value: 100}}",
            f'# measurements:\n#   - {{date: {today.isoformat()}, value: 0, source: "{todo}"}}',
        ]
    if section == "training":
        return [
            f"audience: [citizens]  # {', '.join(AUDIENCES)}",
            f"start: {soon.isoformat()} 08:00",
            f"end: {soon.isoformat()} 11:00",
            f"deadline: {(soon - dt.timedelta(days=7)).isoformat()}",
            "location: online",
            f'organiser: "{todo}"',
            f'contact: "{todo}"',
            "# registration: https://…",
            "# capacity: 40",
        ]
    if section == "outreach":
        return [
            f"kind: poster  # {choices}: {', '.join(MATERIAL_KINDS)}",
            f"# audience: [citizens]  # {', '.join(AUDIENCES)}",
            f'# files:\n#   - {{path: ten-tep.pdf, title: "{todo}", format: PDF}}',
        ]
    if section == "documents":
        return [
            f'number: "{todo}"',
            f"type: report  # {choices}: {', '.join(DOCUMENT_TYPES)}",
            "# issuer: …",
            f"# signed: {today.isoformat()}",
            "# file: ten-tep.pdf",
        ]
    return []


TRANSLATION_NOTES = {
    "vi": "<!-- Bản dịch từ {source}: dịch tiêu đề, tóm tắt, image_alt và nội dung dưới đây. -->",
    "en": "<!-- Translated from {source}: translate the title, summary, image_alt and text. -->",
}


class ScaffoldError(MessageError):
    """The page cannot be created; the message says why and what to do."""


def page_path(root: Path, section: str, slug: str, lang: str) -> Path:
    return root / section / f"{slug}.{lang}.md"


def create_page(root: Path, section: str, title: str, lang: str, today: dt.date) -> Path:
    """Write content/<section>/<slug>.<lang>.md with the section's front matter, as a draft."""
    check_section(section)
    title = " ".join(title.split())
    slug = make_slug(title)
    if not slug or not is_slug(slug):
        raise ScaffoldError(
            Message("cannot make an address from the title {title!r}: use letters", title=title)
        )
    if section == "pages" and slug in RESERVED_SLUGS:
        raise ScaffoldError(
            Message("'{slug}' is reserved for the site; choose another title", slug=slug)
        )
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if SECTIONS[section].listed:
        lines.append(f"date: {today.isoformat()}")
    lines += section_field_lines(section, lang, today)
    lines += ["draft: true", *OPTIONAL_FIELDS[lang], "---", "", BODY_TEMPLATES[lang]]
    return write_new(page_path(root, section, slug, lang), "\n".join(lines))


def translate_page(
    root: Path, section: str, slug: str, lang: str | None, title: str | None = None
) -> Path:
    """Start the ``lang`` version of an existing page from the other language's file."""
    check_section(section)
    originals = {lg: page_path(root, section, slug, lg) for lg in LANGUAGES}
    existing = [lg for lg in LANGUAGES if originals[lg].is_file()]
    if not existing:
        raise ScaffoldError(
            Message("there is no page {section}/{slug}.vi.md or .en.md", section=section, slug=slug)
        )
    if lang is None:
        missing = [lg for lg in LANGUAGES if lg not in existing]
        if not missing:
            raise ScaffoldError(
                Message(
                    "{section}/{slug} already exists in every language", section=section, slug=slug
                )
            )
        lang = missing[0]
    source_lang = next((lg for lg in existing if lg != lang), None)
    if source_lang is None:
        raise ScaffoldError(
            Message("{path} already exists; nothing was changed", path=originals[lang])
        )
    source = originals[source_lang]
    source_text = source.read_text(encoding="utf-8")
    text = translated_text(source_text, source.name, source_lang, lang, title)
    return write_new(originals[lang], text)


def translated_text(
    source_text: str,
    source_name: str,
    source_lang: str,
    lang: str,
    title: str | None = None,
    draft: bool = True,
) -> str:
    """The ``lang`` file started from ``source_text``: a translation note, links retargeted.

    ``draft`` marks it ``draft: true`` (a file written straight into content/); the editor's
    newsroom leaves it out, because there review, not the draft flag, keeps it unpublished.
    """
    post = frontmatter.loads(source_text)
    meta = dict(post.metadata)
    if title:
        meta["title"] = " ".join(title.split())
    if draft:
        meta["draft"] = True
    else:
        meta.pop("draft", None)
    if "aliases" in meta and isinstance(meta["aliases"], list):
        meta["aliases"] = [retarget(str(a), source_lang, lang) for a in meta["aliases"]]
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    note = TRANSLATION_NOTES[lang].format(source=source_name)
    body = retarget_links(post.content, source_lang, lang)
    return f"---\n{front}---\n\n{note}\n\n{body.strip()}\n"


def retarget(address: str, source_lang: str, lang: str) -> str:
    prefix = f"/{source_lang}/"
    return f"/{lang}/" + address[len(prefix) :] if address.startswith(prefix) else address


def retarget_links(body: str, source_lang: str, lang: str) -> str:
    """Links to /vi/… pages become links to /en/… pages (and the other way round)."""
    return re.sub(rf"\]\(\s*/{source_lang}/", f"](/{lang}/", body)


def check_section(section: str) -> None:
    if section not in SECTIONS:
        raise ScaffoldError(
            Message(
                "unknown section '{section}'; choose one of {sections}",
                section=section,
                sections=", ".join(SECTIONS),
            )
        )


def write_new(path: Path, text: str) -> Path:
    """Create ``path``; never replace a file (exclusive creation, so no race either)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(
            Message("{path} already exists; nothing was changed", path=path)
        ) from None
    return path
