"""`dxportal check`: everything the loader refuses, plus what makes a page worse for readers.

The loader (loader.py) reports errors that stop a page from being read at all. The checks here
read the Markdown source of every page and report, with the line in the file:

- errors: links to pages or media that do not exist (or are not published), images without
  alt text, links without text, aliases that are not free;
- warnings: link texts that say nothing ("tại đây", "click here"), skipped heading levels,
  duplicate titles, pages without a translation.

Internal links are written as site addresses: ``/vi/news/slug/``, ``/en/about/``,
``/media/file.pdf``. The build runs the same checks on the pages it publishes and refuses to
build on errors; warnings never stop it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from dxportal.content.body_checks import LISTED, BodyMarksCache, check_body
from dxportal.content.clock import local_now
from dxportal.content.errors import ContentProblem
from dxportal.content.findings import ERROR, WARNING, CheckReport, Finding
from dxportal.content.kept_pages import KeptPages
from dxportal.content.loader import read_content
from dxportal.content.model import ContentSet, Page
from dxportal.content.schema import LANGUAGE_NAMES
from dxportal.messages import DEFAULT_LANGUAGE, LANGUAGES, Message


def check_content(
    root: Path,
    now: dt.datetime | None = None,
    published_only: bool = False,
    cache_dir: Path | None = None,
) -> CheckReport:
    """Load everything under ``root`` (drafts too) and check it.

    With ``published_only`` (the build), the checks of this module look only at the pages
    published at ``now``; the loader's format errors count in every file, drafts too.
    """
    return check_and_read(root, now, published_only, cache_dir)[0]


def check_and_read(
    root: Path,
    now: dt.datetime | None = None,
    published_only: bool = False,
    cache_dir: Path | None = None,
    kept: KeptPages | None = None,
) -> tuple[CheckReport, ContentSet | None]:
    """check_content, and the ContentSet it read (drafts included; None if unusable).
    ``kept``: what the last call of this process read and found (`build --watch`)."""
    read_pages = kept.read_pages if kept is not None else None
    site, problems = read_content(
        root, include_drafts=True, cache_dir=cache_dir, read_pages=read_pages
    )
    report = (
        check_site(site, now or local_now(), published_only, cache_dir, kept and kept.marks)
        if site is not None
        else CheckReport()
    )
    findings = [Finding(ERROR, p) for p in problems] + report.findings
    return CheckReport(findings, report.missing_translations), site


def check_site(
    site: ContentSet,
    now: dt.datetime,
    published_only: bool = False,
    cache_dir: Path | None = None,
    marks: BodyMarksCache | None = None,
) -> CheckReport:
    """Run every check on a loaded ContentSet (loaded with its drafts).

    With a ``cache_dir``, what each body holds (links, headings) is read again only for
    files that changed; the links are always checked against the current site. ``marks``:
    that cache, kept in memory from an earlier call (else it is loaded from ``cache_dir``).
    """
    pages = [p for p in site.pages() if not published_only or p.is_published(now)]
    findings: list[Finding] = []
    cache = marks
    if cache is None and cache_dir is not None:
        cache = BodyMarksCache(cache_dir, site.root)
    answers: dict[tuple, list] = {}  # check_url's answers: many pages link to one address
    for page in pages:
        marks = cache.marks(page) if cache else None
        findings.extend(check_body(page, site, now, marks, answers))
    if cache is not None:
        cache.save()
    findings.extend(check_titles(pages))
    findings.extend(check_aliases(site, pages, now))
    translations, missing = check_translations(site, pages)
    findings.extend(translations)
    return CheckReport(findings, missing)


def check_titles(pages: list[Page]) -> Iterator[Finding]:
    """Two pages in one language with the same title confuse readers and search engines."""
    by_title: dict[tuple[str, str], list[Page]] = defaultdict(list)
    for page in pages:
        by_title[(page.lang, page.title.casefold())].append(page)
    for same in by_title.values():
        if len(same) < 2:
            continue
        for page in same:
            others = ", ".join(str(p.source_path) for p in same if p is not page)
            yield Finding(
                WARNING,
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("title"),
                    Message("another page has the same title: {others}", others=others),
                ),
            )


def check_aliases(site: ContentSet, pages: list[Page], now: dt.datetime) -> Iterator[Finding]:
    """An alias must be free: not a real address, not the alias of another page."""
    seen: dict[str, Page] = {}
    for page in pages:
        line = page.meta_lines.get("aliases")
        for alias in page.aliases:
            if alias in seen and seen[alias].slug != page.slug:
                yield Finding(
                    ERROR,
                    ContentProblem(
                        page.source_path,
                        line,
                        Message(
                            "the old address {alias} is already an alias of {other}",
                            alias=alias,
                            other=seen[alias].source_path,
                        ),
                    ),
                )
                continue
            seen[alias] = page
            segments = alias.strip("/").split("/")[1:]
            taken = (
                not segments
                or segments[0] in ("tags", "search", "media", "static")
                or (segments[0] in LISTED and (len(segments) == 1 or segments[1] == "page"))
                or (len(segments) == 2 and site.entry(segments[0], segments[1]) is not None)
                or (len(segments) == 1 and site.entry("pages", segments[0]) is not None)
            )
            if taken:
                yield Finding(
                    ERROR,
                    ContentProblem(
                        page.source_path,
                        line,
                        Message(
                            "the old address {alias} is the address of a page of the site; "
                            "an alias must be an address that no longer exists",
                            alias=alias,
                        ),
                    ),
                )


def check_translations(site: ContentSet, pages: list[Page]) -> tuple[list[Finding], dict[str, int]]:
    """A warning on each page whose entry lacks a language, and the count per language."""
    findings: list[Finding] = []
    missing = dict.fromkeys(LANGUAGES, 0)
    checked = {p.source_path for p in pages}
    for entry in site.entries.values():
        present = [lang for lang in LANGUAGES if lang in entry.versions]
        original = entry.versions[present[0]] if present else None
        if original is None or original.source_path not in checked:
            continue
        for lang in LANGUAGES:
            if lang in entry.versions:
                continue
            missing[lang] += 1
            source = entry.versions.get(DEFAULT_LANGUAGE) or original
            findings.append(
                Finding(
                    WARNING,
                    ContentProblem(
                        source.source_path,
                        None,
                        Message(
                            "no {language} version yet ({file}); readers of /{lang}/ see this page "
                            "with a notice. Start one with: "
                            "dxportal new {section} --translate {slug} --lang {lang}",
                            language=LANGUAGE_NAMES[lang],
                            file=f"{entry.slug}.{lang}.md",
                            lang=lang,
                            section=entry.section,
                            slug=entry.slug,
                        ),
                    ),
                )
            )
    return findings, missing
