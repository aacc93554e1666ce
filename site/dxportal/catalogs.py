"""`dxportal i18n`: extract interface strings, update the catalogs, compile them (Babel's API).

The same steps as `make translations`, with the options tests/test_i18n.py checks against.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

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
