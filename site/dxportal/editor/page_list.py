"""The editor's list of pages: every page file in each language, with its statuses."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from dxportal.content.checks import check_site
from dxportal.content.loader import find_page_files, read_content
from dxportal.content.schema import SECTIONS
from dxportal.messages import LANGUAGES


@dataclass
class Row:
    section: str
    slug: str
    lang: str
    title: str
    date: object = None
    statuses: list[str] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return "missing" not in self.statuses


def content_rows(root: Path, now: dt.datetime) -> list[Row]:
    """A row per page file and language, with its statuses (a missing translation too)."""
    site, problems = read_content(root, include_drafts=True)
    flagged = {p.path for p in problems}
    if site is not None:
        report = check_site(site, now)
        # A missing translation has its own status (and its own row).
        flagged |= {f.problem.path for f in report.findings if f.problem.line is not None}
        flagged |= {p.problem.path for p in report.errors}
    pages = {(p.section, p.slug, p.lang): p for p in site.pages()} if site else {}
    rows: dict[tuple[str, str, str], Row] = {}
    for path in find_page_files(root):
        parts = path.relative_to(root).parts
        slug, _, rest = parts[-1].partition(".")
        lang = rest.removesuffix(".md")
        if len(parts) != 2 or parts[0] not in SECTIONS or lang not in LANGUAGES:
            continue
        page = pages.get((parts[0], slug, lang))
        row = Row(parts[0], slug, lang, page.title if page else slug, page.date if page else None)
        if page is not None:
            if page.draft:
                row.statuses.append("draft")
            elif page.is_scheduled(now):
                row.statuses.append("scheduled")
            else:
                row.statuses.append("published")
        if path in flagged or page is None:
            row.statuses.append("problems")
        rows[(row.section, slug, lang)] = row
    for section, slug, lang in list(rows):
        for other in LANGUAGES:
            if (section, slug, other) not in rows:
                source = rows[(section, slug, lang)]
                rows[(section, slug, other)] = Row(
                    section, slug, other, source.title, source.date, ["missing"]
                )
    return list(rows.values())


def folded(text: str) -> str:
    """Lowercase without accents (đ as d), for searching Vietnamese with or without marks."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def tag_choices(tags: dict[str, dict[str, str]], lang: str) -> list[tuple[str, str]]:
    """(slug, name in ``lang``) of every tag in tags.yml, in the order of their names."""
    return sorted(((slug, names[lang]) for slug, names in tags.items()), key=lambda t: folded(t[1]))
