"""Checks that need more than one file: tags and media named by pages exist, media files are
safe to serve, the navigation names published pages."""

from __future__ import annotations

import re
from pathlib import Path

from dxportal.content.errors import ContentProblem
from dxportal.content.media import is_raster, is_readable_image
from dxportal.content.model import Page
from dxportal.content.schema import MEDIA_DIR, SETTINGS_FILE
from dxportal.messages import Message

# An SVG opened directly runs its scripts on the site's own origin: such files are refused.
ACTIVE_SVG = re.compile(r"<script|<foreignobject|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def check_references(
    pages: list[Page], tags: dict[str, dict[str, str]], root: Path, problems: list
) -> None:
    """Checks that need more than one file: tags exist, images exist."""
    media = root / MEDIA_DIR
    for page in pages:
        for tag in page.tags:
            if tag not in tags:
                problems.append(
                    ContentProblem(
                        page.source_path,
                        page.meta_lines.get("tags"),
                        Message(
                            "tag '{tag}' is not in content/tags.yml; add it there with its "
                            "vi and en names",
                            tag=tag,
                        ),
                    )
                )
        if page.image and not (media / page.image).is_file():
            problems.append(
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("image"),
                    Message("image '{image}' is not in content/media/", image=page.image),
                )
            )
        check_section_references(page, tags, media, problems)


def check_section_references(
    page: Page, tags: dict[str, dict[str, str]], media: Path, problems: list
) -> None:
    """Files named by outreach and documents exist in content/media/; related tags exist."""
    for number, item in enumerate(page.meta.get("files", ()), start=1):
        if not (media / item["path"]).is_file():
            problems.append(
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("files"),
                    Message(
                        "file {number}: '{file}' is not in content/media/",
                        number=number,
                        file=item["path"],
                    ),
                )
            )
        elif is_raster(item["path"]) and not is_readable_image(media / item["path"]):
            problems.append(
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("files"),
                    Message(
                        "file {number}: '{file}' is not a readable image; save it again as "
                        "PNG or JPEG",
                        number=number,
                        file=item["path"],
                    ),
                )
            )
    if "file" in page.meta and not (media / page.meta["file"]).is_file():
        problems.append(
            ContentProblem(
                page.source_path,
                page.meta_lines.get("file"),
                Message("file '{file}' is not in content/media/", file=page.meta["file"]),
            )
        )
    for tag in page.meta.get("related_tags", ()):
        if tag not in tags:
            problems.append(
                ContentProblem(
                    page.source_path,
                    page.meta_lines.get("related_tags"),
                    Message("related tag '{tag}' is not in content/tags.yml", tag=tag),
                )
            )


def check_media(media: Path, problems: list[ContentProblem]) -> None:
    """Media files must be safe to open on the site's origin."""
    for path in sorted(media.rglob("*.svg")) if media.is_dir() else []:
        if ACTIVE_SVG.search(path.read_text(encoding="utf-8", errors="replace")):
            problems.append(
                ContentProblem(
                    path,
                    None,
                    Message(
                        "an SVG file must not contain scripts, event handlers, "
                        "javascript: links or embedded HTML"
                    ),
                )
            )


def check_navigation(settings, entries, root: Path, problems: list) -> None:
    if settings is None:
        return
    for item in settings.navigation:
        if item.kind == "page" and ("pages", item.target) not in entries:
            problems.append(
                ContentProblem(
                    root / SETTINGS_FILE,
                    None,
                    Message(
                        "navigation names page '{slug}', but there is no "
                        "content/pages/{slug}.vi.md",
                        slug=item.target,
                    ),
                )
            )
