"""Languages: the locale comes from the URL prefix; catalogs are compiled from translations/."""

from __future__ import annotations

from pathlib import Path

import flask_babel
from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, g

from .sections import DEFAULT_LANGUAGE, LANGUAGES

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

babel = flask_babel.Babel()


def current_language() -> str:
    return g.get("lang", DEFAULT_LANGUAGE)


def init_app(app: Flask) -> None:
    translations = Path(app.config["DXPORTAL_TRANSLATIONS_DIR"])
    compile_catalogs(translations)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    babel.init_app(app, locale_selector=current_language)
    install_template_gettext(app)

    @app.before_request
    def forget_cached_locale() -> None:
        # Frozen-Flask serves every page in one app context: without this, the first page's
        # locale would stick to all the others (English pages with Vietnamese dates).
        flask_babel.refresh()

    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES)


def current_translations() -> support.NullTranslations:
    """flask_babel.get_translations(), without its per-call work (templates call it ~25 times
    a page): the catalogs it keeps by locale, looked up by the language the selector gives.
    Clearing the domain's cache (preview, after a catalog changes) reloads them as before.
    """
    domain = babel.domain_instance
    found = domain.cache.get((current_language(), domain.domain[0]))
    return found if found is not None else flask_babel.get_translations()


def install_template_gettext(app: Flask) -> None:
    """The template `_()` and friends, as flask-babel installs them but through the above."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )


def add_language_prefix(blueprint: Blueprint) -> None:
    """Blueprints under /<lang>/: the prefix sets g.lang and is added to their URLs."""

    @blueprint.url_value_preprocessor
    def pull_language(endpoint: str | None, values: dict | None) -> None:
        g.lang = values.pop("lang") if values else DEFAULT_LANGUAGE

    @blueprint.url_defaults
    def add_language(endpoint: str, values: dict) -> None:
        if "lang" not in values and "lang" in g:
            values["lang"] = g.lang


def compile_catalogs(translations: Path) -> list[Path]:
    """Compile every messages.po whose .mo is missing or older; return the files written."""
    written = []
    for po_path in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)
        written.append(mo_path)
    return written
