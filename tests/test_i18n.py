"""Interface translations: complete in Vietnamese, in step with the code, dates per locale."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from dxportal.config import PROJECT_ROOT

from conftest import parse

TRANSLATIONS = PROJECT_ROOT / "translations"


def catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def message_ids(cat) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}


def test_every_interface_string_has_a_vietnamese_translation():
    untranslated = [
        m.id for m in catalog("vi")
        if m.id and (not m.string or not all(m.string) if isinstance(m.string, tuple)
                     else not m.string)
    ]  # fmt: skip
    fuzzy = [m.id for m in catalog("vi") if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_catalogs_are_in_step_with_code_and_templates(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-k", "_l",
         "-k", "lazy_gettext", "-k", "Message", "-F", str(PROJECT_ROOT / "babel.cfg"),
         "-o", str(pot), str(PROJECT_ROOT / "site")],
        check=True, cwd=PROJECT_ROOT, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        current = message_ids(read_po(f))
    for lang in ("vi", "en"):
        assert message_ids(catalog(lang)) == current, f"run `make translations` ({lang})"


@pytest.mark.parametrize(("lang", "expected"), [("vi", "Trang chủ"), ("en", "Home")])
def test_interface_is_in_the_pages_language(client, lang, expected):
    html = parse(client.get(f"/{lang}/"))
    assert html.select_one(".main-nav a").get_text() == expected


@pytest.mark.parametrize(("lang", "expected"), [("vi", "3 tháng 3, 2021"), ("en", "March 3, 2021")])
def test_dates_are_formatted_per_locale(app, lang, expected):
    from flask import g
    from flask_babel import format_date, refresh

    with app.test_request_context(f"/{lang}/"):
        g.lang = lang
        refresh()
        assert format_date(dt.date(2021, 3, 3), "long") == expected


def test_the_long_date_filter_formats_one_date_in_each_language(app):
    from flask import g
    from flask_babel import refresh

    long_date = app.jinja_env.filters["long_date"]
    found = []
    for lang in ("vi", "en", "vi"):
        with app.test_request_context(f"/{lang}/"):
            g.lang = lang
            refresh()
            found.append(long_date(dt.date(2021, 3, 3)))
    assert found == ["3 tháng 3, 2021", "March 3, 2021", "3 tháng 3, 2021"]


def test_the_i18n_command_updates_compiles_and_lists_what_needs_translating(tmp_path, monkeypatch):
    import shutil

    from click.testing import CliRunner

    from dxportal.cli import main

    translations = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, translations, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setenv("DXPORTAL_TRANSLATIONS_DIR", str(translations))
    vi_po = translations / "vi/LC_MESSAGES/messages.po"
    text = vi_po.read_text(encoding="utf-8")
    assert 'msgid "Home"\nmsgstr "Trang chủ"' in text
    vi_po.write_text(text.replace('msgid "Home"\nmsgstr "Trang chủ"', 'msgid "Home"\nmsgstr ""'),
                     encoding="utf-8")  # fmt: skip

    result = CliRunner().invoke(main, ["i18n", "--lang", "en"])
    assert result.exit_code == 1
    assert "  Home\n" in result.output
    assert f"1 string(s) without a Vietnamese translation in {vi_po}" in result.output
    assert (translations / "vi/LC_MESSAGES/messages.mo").is_file()
    with vi_po.open("rb") as po:
        assert message_ids(read_po(po)) == message_ids(catalog("vi"))


def test_a_catalog_saved_while_it_was_compiled_is_compiled_again(tmp_path):
    """The preview compiles a .po as soon as it changes: when it read a translator's save
    half written, the rest of the save (made before the .mo was written, so older than it)
    must not leave the half catalog in use."""
    import gettext
    import os
    import shutil

    from dxportal.catalogs import compile_catalogs

    translations = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, translations, ignore=shutil.ignore_patterns("*.mo"))
    vi_po = translations / "vi/LC_MESSAGES/messages.po"
    whole = vi_po.read_bytes()
    vi_po.write_bytes(whole[: whole.index(b'msgid "Home"')])  # the first half of a save
    half_saved = vi_po.stat().st_mtime_ns
    compile_catalogs(translations)  # the watcher's compile, reading the half
    vi_po.write_bytes(whole)  # the rest of the save, written while that compile ran:
    os.utime(vi_po, ns=(half_saved + 1_000_000, half_saved + 1_000_000))  # before the .mo

    compile_catalogs(translations)  # the watcher's compile for the second write
    with (translations / "vi/LC_MESSAGES/messages.mo").open("rb") as mo:
        assert gettext.GNUTranslations(mo).gettext("Home") == "Trang chủ"
