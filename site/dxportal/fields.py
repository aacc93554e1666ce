"""Front-matter field types: each converts a YAML value or raises FieldError with a plain reason."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import FieldError
from .messages import Message
from .slugs import is_slug

Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """A front-matter key a section accepts: its converter, whether it is required, its help."""

    name: str
    convert: Converter
    required: bool = False
    help: str = ""


def text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        raise FieldError(Message("must be text"))
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise FieldError(Message("must be text, not a list or mapping"))
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise FieldError(Message("must not be empty"))
    return value


def date(value: Any) -> dt.date:
    """A calendar date (YYYY-MM-DD); a datetime keeps its time for scheduling."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            if len(value.strip()) <= 10:
                return dt.date.fromisoformat(value.strip())
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(
        Message("must be a date written YYYY-MM-DD, e.g. 2021-03-03 (got {value!r})", value=value)
    )


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise FieldError(Message("must be true or false (got {value!r})", value=value))


def slug_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise FieldError(Message("must be a list, e.g. [ban-chi-dao, chinh-quyen-so]"))
    slugs = []
    for item in value:
        if not isinstance(item, str) or not is_slug(item):
            raise FieldError(
                Message(
                    "{item!r} is not a tag slug (lowercase letters, digits and hyphens)", item=item
                )
            )
        slugs.append(item)
    return tuple(slugs)


def media_path(value: Any) -> str:
    """A file name under content/media/ (its existence is checked once all content is read)."""
    value = text(value)
    if value.startswith("/media/"):
        value = value[len("/media/") :]
    if value.startswith(("/", "\\")) or ".." in value.split("/") or "\\" in value:
        raise FieldError(Message("must be a file name inside content/media/, e.g. poster.png"))
    return value


ALIAS_PATTERN = re.compile(r"^/(vi|en)/(?:[a-z0-9][a-z0-9._-]*/)+$")


def alias_list(value: Any) -> tuple[str, ...]:
    """Old addresses of a page (``/vi/news/old-slug/``), each to become a redirect page."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise FieldError(Message("must be a list of old addresses, e.g. [/vi/news/old-slug/]"))
    aliases = []
    for item in value:
        if not isinstance(item, str) or not ALIAS_PATTERN.match(item.strip()):
            raise FieldError(
                Message(
                    "{item!r} is not an old address of this site: write it as /vi/… or /en/…, "
                    "in lowercase, ending with /, e.g. /vi/news/old-slug/",
                    item=item,
                )
            )
        aliases.append(item.strip())
    return tuple(aliases)
