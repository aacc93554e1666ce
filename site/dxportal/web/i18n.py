"""Languages: the locale comes from the URL prefix; catalogs are compiled from translations/."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import flask_babel
from babel import support
from flask import Blueprint, Flask, current_app, g
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from dxportal.catalogs import compile_catalogs
from dxportal.messages import DEFAULT_LANGUAGE

CATALOGS = "dxportal.catalogs"  # app.extensions key: the app's loaded catalogs, by locale
TEXTS = "dxportal.catalog-texts"  # app.extensions key: LanguageDomain.markup's results


def current_language() -> str:
    return g.get("lang", DEFAULT_LANGUAGE)


def init_app(app: Flask) -> None:
    translations = Path(app.config["DXPORTAL_TRANSLATIONS_DIR"])
    compile_catalogs(translations)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    app.extensions[CATALOGS] = {}
    app.extensions[TEXTS] = {}
    babel.init_app(app, locale_selector=current_language)
    install_template_gettext(app)

    @app.before_request
    def forget_cached_locale() -> None:
        # Frozen-Flask serves every page in one app context: without this, the first page's
        # locale would stick to all the others (English pages with Vietnamese dates).
        flask_babel.refresh()


class LanguageDomain(flask_babel.Domain):
    """flask-babel's message domain, finding its catalogs with less work per call.

    A page asks for about 35 strings, and flask-babel looks up the context, the domain and the
    locale (parsed and formatted again) for each. Its catalogs are kept by locale in
    the app's (``forget_catalogs``); the locale is what the selector gives, current_language(),
    so they are looked up by that. A catalog not loaded yet, or no app context, goes through
    flask-babel; forgetting them (the preview does when a catalog changes) reloads them.

    flask-babel keeps catalogs in the domain, one for the process: an app made again after a
    catalog changed (`build --watch`), or a second app reading other translations, got the
    first app's. Here each app keeps its own.
    """

    def get_translations_cache(self, ctx: object) -> dict:
        return current_app.extensions[CATALOGS]

    def get_translations(self) -> support.NullTranslations:
        try:
            lang = g.get("lang", DEFAULT_LANGUAGE)  # = current_language()
            found = current_app.extensions[CATALOGS].get((lang, self.domain[0]))
        except RuntimeError:  # outside an app context
            return super().get_translations()
        return found if found is not None else super().get_translations()

    def markup(self, message: str) -> tuple[Markup, bool]:
        """``message`` translated and marked safe, and whether it holds a ``%``: each message
        once per catalog (a page asks for the same thirty again; a catalog reloaded by the
        preview is a new object, with new texts). Kept by the app, with its catalogs."""
        translations = self.get_translations()
        kept = current_app.extensions[TEXTS]
        texts = kept.get(id(translations))
        if texts is None or texts[0] is not translations:
            texts = kept[id(translations)] = (translations, {})
        found = texts[1].get(message)
        if found is None:
            text = Markup(translations.ugettext(message))
            found = texts[1][message] = (text, "%" in text)
        return found


def forget_catalogs(app: Flask) -> None:
    """Load ``app``'s catalogs again on their next use (after they were compiled anew)."""
    app.extensions[CATALOGS].clear()
    app.extensions[TEXTS].clear()


class LanguageBabel(flask_babel.Babel):
    @cached_property
    def domain_instance(self) -> LanguageDomain:
        return LanguageDomain(domain=self.domain)


babel = LanguageBabel()


def install_template_gettext(app: Flask) -> None:
    """`_()` and `gettext()` in templates as Jinja's newstyle gettext, in one call, not three.

    Jinja's `_` calls `gettext`, which calls the function flask-babel installed, each through
    the template context; the result is the same: translated, marked safe when autoescaping,
    and always %-formatted (``%%`` is a percent sign with or without variables).
    """

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, __string: str, **variables: object) -> str:
        domain = babel.domain_instance
        if not eval_ctx.autoescape:
            text = domain.get_translations().ugettext(__string)
            return text % variables if variables or "%" in text else text
        text, formatted = domain.markup(__string)
        if not variables and not formatted:
            return text  # what formatting would give
        return text % variables

    app.jinja_env.globals.update(_=gettext, gettext=gettext)


def add_language_prefix(blueprint: Blueprint) -> None:
    """Blueprints under /<lang>/: the prefix sets g.lang and is added to their URLs."""

    @blueprint.url_value_preprocessor
    def pull_language(endpoint: str | None, values: dict | None) -> None:
        g.lang = values.pop("lang") if values else DEFAULT_LANGUAGE

    @blueprint.url_defaults
    def add_language(endpoint: str, values: dict) -> None:
        if "lang" not in values and "lang" in g:
            values["lang"] = g.lang
