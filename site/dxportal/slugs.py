"""One slug function for page slugs, tag slugs and heading anchors.

python-slugify transliterates Vietnamese ("Đổi mới số" -> "doi-moi-so"), where python-markdown's
default drops "đ" and its unicode variant keeps accents that many tools mangle in URLs.

The transliterator is named: python-slugify's default takes Unidecode whenever it is
importable (another package may pull it in, and its slugs differ), and, where it is not,
tries that import again for every slug, a search of sys.path each time (most of a heading
anchor's cost: 48 against 8 µs a Vietnamese heading).
"""

from __future__ import annotations

import re

from slugify import slugify as _slugify

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def make_slug(text: str, separator: str = "-") -> str:
    """Return an ASCII, lowercase, hyphenated slug for ``text``."""
    return _slugify(text, separator=separator, backend="text-unidecode")


def is_slug(text: str) -> bool:
    return bool(SLUG_PATTERN.match(text))
