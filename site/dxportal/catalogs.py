"""The gettext catalogs: `dxportal i18n` extracts and updates them, and every command and app
compiles them (Babel's API) before it translates.

The same steps as `make translations`, with the options tests/test_i18n.py checks against.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dxportal import atomic
from dxportal.messages import Translate, translator

KEYWORDS = ("_l", "lazy_gettext", "Message")


def update_catalogs(project_root: Path, translations: Path) -> None:
    """Extract from site/ into messages.pot, merge into every catalog, compile the .mo files."""
    pot = translations / "messages.pot"
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    pybabel = CommandLineInterface()
    pybabel.run(
        [
            "pybabel",
            "-q",
            "extract",
            "--no-location",
            "--sort-by-file",
            "--width=100",
            *keywords,
            "-F",
            str(project_root / "babel.cfg"),
            "-o",
            str(pot),
            str(project_root / "site"),
        ]
    )
    pybabel.run(
        [
            "pybabel",
            "-q",
            "update",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
            "--width=100",
            "-i",
            str(pot),
            "-d",
            str(translations),
        ]
    )
    pybabel.run(["pybabel", "-q", "compile", "-d", str(translations)])


def untranslated(translations: Path, lang: str) -> list[str]:
    """Message ids of ``lang``'s catalog that have no translation yet (or a fuzzy one)."""
    po_path = translations / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compile_catalogs(translations: Path) -> list[Path]:
    """Compile every messages.po whose .mo is missing or older; return the files written.

    The .mo is given the modification time the .po had before it was read: the preview
    compiles as soon as a .po changes, and may read a save half written; the rest of that
    save then leaves the .po newer than its .mo, so it is compiled again, where the .mo's own
    (later) time would have kept the half catalog.
    """
    written = []
    for po_path in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        source = po_path.stat()
        if mo_path.exists() and mo_path.stat().st_mtime_ns >= source.st_mtime_ns:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        atomic.write_bytes(mo_path, compiled.getvalue())  # two processes may compile at once
        os.utime(mo_path, ns=(source.st_atime_ns, source.st_mtime_ns))
        written.append(mo_path)
    return written


def translator_for(lang: str, translations: Path) -> Translate:
    """gettext for ``lang``, its catalog compiled first if the .po is newer."""
    compile_catalogs(translations)
    return translator(lang, translations)
