"""Messages for communicators, written in English and translated when they are shown.

A Message keeps its English template (the gettext msgid) and its values apart, so `dxportal`
can print it in Vietnamese or English and the preview can show it in the page's language.
Extraction: `pybabel extract -k Message` puts every template into the catalogs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from babel.support import NullTranslations, Translations

Translate = Callable[[str], str]

# The portal's languages (URL prefixes, file names, catalogs), the first the default.
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class Message:
    """An English template with named ``{values}``; nested Messages are translated too."""

    __slots__ = ("template", "values")

    def __init__(self, template: str, **values: object):
        self.template = template
        self.values = values

    def render(self, translate: Translate | None = None) -> str:
        translate = translate or (lambda text: text)
        values = {
            key: value.render(translate) if isinstance(value, Message) else value
            for key, value in self.values.items()
        }
        return translate(self.template).format(**values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.render()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.template, self.values) == (
            other.template,
            other.values,
        )

    def __hash__(self) -> int:
        return hash(self.template)


class MessageError(Exception):
    """An error a person reads: ``message`` renders it in their language; str() is English."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render())
        self.message = message


def translator(lang: str, translations_dir: Path) -> Translate:
    """gettext for ``lang`` from the compiled catalogs (English templates as fallback)."""
    catalog = Translations.load(str(translations_dir), [lang])
    if isinstance(catalog, NullTranslations) and not isinstance(catalog, Translations):
        return lambda text: text
    return catalog.gettext
