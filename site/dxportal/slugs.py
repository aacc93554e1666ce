"""One slug function for page slugs, tag slugs and heading anchors.

python-slugify transliterates Vietnamese ("Đổi mới số" -> "doi-moi-so"), where python-markdown's
default drops "đ" and its unicode variant keeps accents that many tools mangle in URLs.
"""

from __future__ import annotations

import re

from slugify import slugify as _slugify

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def make_slug(text: str, separator: str = "-") -> str:
    """Return an ASCII, lowercase, hyphenated slug for ``text``."""
    return _slugify(text, separator=separator)


def is_slug(text: str) -> bool:
    return bool(SLUG_PATTERN.match(text))
