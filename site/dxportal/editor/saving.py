"""Where a save goes: with accounts, into the page's pending change; without, into content/.

Either way the save is written to the record. views.py calls only these functions, so the
rule "nothing unapproved reaches content/" lives in one place.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

from dxportal.content.scaffold import ScaffoldError, translated_text
from dxportal.editor import audit, pending, signin, staged_media
from dxportal.editor.newsroom import current_folder
from dxportal.editor.paths import media_file, page_file
from dxportal.editor.storage import digest, read_file, save_page
from dxportal.editor.uploads import save_upload
from dxportal.messages import LANGUAGES, Message


def working_text(root: Path, section: str, slug: str, lang: str) -> str | None:
    """The text the editor opens: a pending change's when there is one."""
    if signin.accounts_on():
        return pending.working_text(current_folder(), root, section, slug, lang)
    return read_file(page_file(root, section, slug, lang))


def exists(root: Path, section: str, slug: str, lang: str) -> bool:
    return working_text(root, section, slug, lang) is not None


def save(
    root: Path, section: str, slug: str, lang: str, text: str, opened: str, action: str = "save"
) -> None:
    """Save (or restore) ``text``; raises storage.Conflict when the page changed meanwhile."""
    person = signin.person()
    folder = current_folder()
    if signin.accounts_on():
        pending.save_change(folder, root, section, slug, lang, text, opened, person.login)
    else:
        save_page(root, section, slug, lang, text, opened)
    key = audit.page_key(section, slug, lang)
    audit.record(folder, person.login, person.name, action, key, digest(text))


def translate(root: Path, section: str, slug: str, lang: str) -> None:
    """Start the ``lang`` version from the other language's working text, saved like any page.

    With accounts it is a pending copy (the writer's draft, live only once approved), so no
    draft flag; without, a file in content/ marked ``draft: true`` as `dxportal new` writes it.
    Raises ScaffoldError when the page has no other language or this one exists already.
    """
    if exists(root, section, slug, lang):
        raise ScaffoldError(
            Message(
                "{path} already exists; nothing was changed",
                path=f"content/{section}/{slug}.{lang}.md",
            )
        )
    source_lang = next(lg for lg in LANGUAGES if lg != lang)
    source = working_text(root, section, slug, source_lang)
    if source is None:
        raise ScaffoldError(
            Message("there is no page {section}/{slug}.vi.md or .en.md", section=section, slug=slug)
        )
    name = page_file(root, section, slug, source_lang).name
    text = translated_text(source, name, source_lang, lang, draft=not signin.accounts_on())
    save(root, section, slug, lang, text, "", "translate")


def upload(root: Path, filename: str, stream: IO[bytes], limit: int, text: str) -> tuple[str, str]:
    """Store an upload: staged until approval with accounts, else into content/media/."""
    if signin.accounts_on():
        stored = staged_media.staged_root(current_folder())
        name, extension = staged_media.stage_upload(
            current_folder(), root, filename, stream, limit, text
        )
    else:
        stored = root
        name, extension = save_upload(root, filename, stream, limit, text)
    data = media_file(stored, name).read_bytes()
    person = signin.person()
    audit.record(
        current_folder(), person.login, person.name, "upload",
        text_hash=hashlib.sha256(data).hexdigest(), file=name,
    )  # fmt: skip
    return name, extension


def without_staged(found: list) -> list:
    """The form's problems, less "file not in content/media/" for files staged for approval."""
    if not signin.accounts_on():
        return found
    names = staged_media.staged_names(current_folder())
    return [f for f in found if not staged_media.names_staged(f[1].message.values, names)]


def note(action: str, page: str = "", **details: object) -> None:
    """Record an action that is not a save (an upload, a build)."""
    person = signin.person()
    audit.record(current_folder(), person.login, person.name, action, page, **details)
