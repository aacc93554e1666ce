"""Front-matter field types: each converts a YAML value or raises FieldError with a plain reason."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dxportal.addresses import AddressRefused, normalise
from dxportal.content.errors import FieldError
from dxportal.messages import Message
from dxportal.slugs import is_slug

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


def number(value: Any) -> int | float:
    """A number such as 18 or 18.5 (a comma is taken as the decimal mark: 18,5)."""
    if isinstance(value, bool):
        raise FieldError(Message("must be a number (got {value!r})", value=value))
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        cleaned = value.strip().replace(",", ".")
        try:
            parsed = float(cleaned)
        except ValueError:
            pass
        else:
            return int(parsed) if parsed.is_integer() and "." not in cleaned else parsed
    raise FieldError(Message("must be a number (got {value!r})", value=value))


def year(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return year(int(value.strip()))
    raise FieldError(Message("must be a year such as 2025 (got {value!r})", value=value))


def positive_integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise FieldError(Message("must be a whole number above 0 (got {value!r})", value=value))


def web_address(value: Any) -> str:
    """An http(s) address, e.g. https://dichvucong.bentre.gov.vn/."""
    value = text(value)
    if not value.lower().startswith(("https://", "http://")):
        raise FieldError(
            Message("must be a web address starting with https:// (got {value!r})", value=value)
        )
    try:
        return normalise(value)
    except AddressRefused as refused:
        raise FieldError(
            Message("is not a usable web address: {reason}", reason=refused.message)
        ) from None


def choice(*options: str) -> Converter:
    """One value from a fixed list."""

    def convert(value: Any) -> str:
        if isinstance(value, str) and value.strip() in options:
            return value.strip()
        raise FieldError(
            Message(
                "must be one of: {options} (got {value!r})",
                options=", ".join(options),
                value=value,
            )
        )

    convert.options = options  # type: ignore[attr-defined]  # the editor offers them
    return convert


def choice_list(*options: str) -> Converter:
    """One or more values from a fixed list: a single value or a list such as [a, b]."""
    one = choice(*options)

    def convert(value: Any) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise FieldError(
                Message("must be a list of values from: {options}", options=", ".join(options))
            )
        return tuple(dict.fromkeys(one(item) for item in items))

    convert.options = options  # type: ignore[attr-defined]
    return convert


ItemLabel = Callable[[int], Message]


def record(parts: dict[str, tuple[Converter, bool]]) -> Converter:
    """A mapping with named parts: {part: (converter, required)}; returns a plain dict."""

    def convert(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldError(Message("must be a group of fields: {parts}", parts=", ".join(parts)))
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key not in parts:
                raise FieldError(
                    Message(
                        "has an unknown field '{part}'; allowed: {parts}",
                        part=key,
                        parts=", ".join(parts),
                    )
                )
            try:
                result[key] = parts[key][0](item)
            except FieldError as exc:
                raise FieldError(
                    Message("'{part}' {reason}", part=key, reason=exc.message)
                ) from None
        for key, (_, required) in parts.items():
            if required and key not in value:
                raise FieldError(Message("needs '{part}'", part=key))
        return result

    convert.parts = tuple(parts)  # type: ignore[attr-defined]
    return convert


def record_list(parts: dict[str, tuple[Converter, bool]], label: ItemLabel) -> Converter:
    """A list of records; a problem names the item by ``label(number)`` (1-based)."""
    one = record(parts)

    def convert(value: Any) -> tuple[dict[str, Any], ...]:
        if not isinstance(value, list):
            raise FieldError(
                Message(
                    "must be a list, each item with: {parts}",
                    parts=", ".join(parts),
                )
            )
        items = []
        for number_, item in enumerate(value, start=1):
            try:
                items.append(one(item))
            except FieldError as exc:
                raise FieldError(
                    Message("{item}: {reason}", item=label(number_), reason=exc.message)
                ) from None
        return tuple(items)

    convert.parts = tuple(parts)  # type: ignore[attr-defined]
    convert.is_list = True  # type: ignore[attr-defined]
    return convert
