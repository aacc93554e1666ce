"""Site-wide settings (content/site.yml) and the tag list (content/tags.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dxportal.config import LOCAL_ADDRESS, is_site_address
from dxportal.content.errors import ContentProblem
from dxportal.content.schema import SECTIONS
from dxportal.content.yamlfile import YamlMapping, read_mapping_file
from dxportal.messages import LANGUAGES, Message
from dxportal.slugs import is_slug

TRANSLATED_SETTINGS = ("name", "description", "organisation", "address")
PLAIN_SETTINGS = ("phone", "email")
# The footer links to the email with mailto:, so it must be an address browsers accept (WHATWG's
# "valid email address"); the phone is shown as written, but as a string (an unquoted
# 0275… is a YAML number and loses its leading zero).
EMAIL = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+",
    re.ASCII,
)
PLAIN_EXAMPLES = {"email": "chuyendoiso@bentre.gov.vn", "phone": "0275 3822 888"}


@dataclass(frozen=True)
class NavItem:
    """A main-navigation link: a section or a static page, with an optional short label."""

    kind: str  # "section" or "page"
    target: str
    label: dict[str, str] | None = None


@dataclass(frozen=True)
class SiteSettings:
    """What site.yml says; translated values are {lang: text}."""

    name: dict[str, str]
    description: dict[str, str]
    organisation: dict[str, str]
    address: dict[str, str]
    phone: str = ""
    email: str = ""
    base_url: str = ""  # the public address; see public_address
    navigation: tuple[NavItem, ...] = field(default_factory=tuple)


def _translated(mapping: YamlMapping, key: str, path: Path, problems: list) -> dict[str, str]:
    value = mapping.values.get(key)
    line = mapping.line_of(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(lg), str) for lg in LANGUAGES):
        problems.append(
            ContentProblem(
                path,
                line,
                Message("'{key}' needs a text for each language: vi: … and en: …", key=key),
            )
        )
        return {lg: "" for lg in LANGUAGES}
    return {lg: value[lg].strip() for lg in LANGUAGES}


def load_settings(path: Path, problems: list[ContentProblem]) -> SiteSettings | None:
    if not path.is_file():
        problems.append(ContentProblem(path, None, Message("the site settings file is missing")))
        return None
    mapping = read_mapping_file(path, problems)
    if mapping is None:
        return None
    known = set(TRANSLATED_SETTINGS) | set(PLAIN_SETTINGS) | {"navigation", "base_url"}
    for key in mapping.values:
        if key not in known:
            problems.append(
                ContentProblem(
                    path, mapping.line_of(key), Message("unknown setting '{key}'", key=key)
                )
            )
    translated = {k: _translated(mapping, k, path, problems) for k in TRANSLATED_SETTINGS}
    plain = {k: plain_setting(mapping, k, path, problems) for k in PLAIN_SETTINGS}
    navigation = []
    nav_value = mapping.values.get("navigation") or []
    nav_line = mapping.line_of("navigation")
    if not isinstance(nav_value, list):
        problems.append(ContentProblem(path, nav_line, Message("'navigation' must be a list")))
        nav_value = []
    for item in nav_value:
        if isinstance(item, dict) and len(set(item) - {"label"}) == 1:
            label = item.get("label")
            ((kind, target),) = ((k, v) for k, v in item.items() if k != "label")
            label_ok = label is None or (
                isinstance(label, dict) and all(isinstance(label.get(lg), str) for lg in LANGUAGES)
            )
            if label_ok and kind == "section" and target in SECTIONS and SECTIONS[target].listed:
                navigation.append(NavItem(kind, target, label))
                continue
            if label_ok and kind == "page" and isinstance(target, str) and is_slug(target):
                navigation.append(NavItem(kind, target, label))
                continue
        problems.append(
            ContentProblem(
                path,
                nav_line,
                Message(
                    "navigation item {item!r} must be 'section: <name>' (one of {sections}) "
                    "or 'page: <slug>', optionally with 'label: {{vi: …, en: …}}'",
                    item=item,
                    sections=", ".join(s for s in SECTIONS if SECTIONS[s].listed),
                ),
            )
        )
    base_url = site_address(mapping, path, problems)
    return SiteSettings(navigation=tuple(navigation), base_url=base_url, **translated, **plain)


def plain_setting(mapping: YamlMapping, key: str, path: Path, problems: list) -> str:
    """site.yml's phone or email, checked: the footer shows both and links to the email."""
    value = mapping.values.get(key)
    if value is None or value == "":
        return ""
    if isinstance(value, str) and (key != "email" or EMAIL.fullmatch(value.strip())):
        return value.strip()
    problems.append(
        ContentProblem(
            path,
            mapping.line_of(key),
            Message(
                "'{key}' must be written like {key}: \"{example}\" (got {value!r})",
                key=key,
                example=PLAIN_EXAMPLES[key],
                value=value,
            ),
        )
    )
    return ""


def site_address(mapping: YamlMapping, path: Path, problems: list[ContentProblem]) -> str:
    """site.yml's base_url: the address the built site is published at, checked."""
    value = mapping.values.get("base_url")
    if value is None:
        return ""
    if isinstance(value, str) and is_site_address(value.strip()):
        return value.strip()
    problems.append(
        ContentProblem(
            path,
            mapping.line_of("base_url"),
            Message(
                "'base_url' must be the site's public address: an absolute http(s) address "
                "ending in /, e.g. https://chuyendoiso.bentre.gov.vn/ (got {value!r})",
                value=value,
            ),
        )
    )
    return ""


def public_address(configured: str, settings: SiteSettings) -> str:
    """The address a build writes into its links: DXPORTAL_BASE_URL (or --base-url) if set,
    else site.yml's base_url, else the local preview's address."""
    return configured or settings.base_url or LOCAL_ADDRESS


def load_tags(path: Path, problems: list[ContentProblem]) -> dict[str, dict[str, str]]:
    """Return {tag slug: {lang: name}}; a missing file means no tags are allowed."""
    if not path.is_file():
        return {}
    mapping = read_mapping_file(path, problems)
    if mapping is None:
        return {}
    tags = {}
    for slug, names in mapping.values.items():
        line = mapping.line_of(slug)
        if not is_slug(slug):
            problems.append(
                ContentProblem(path, line, Message("tag '{slug}' is not a valid slug", slug=slug))
            )
        elif not isinstance(names, dict) or not all(
            isinstance(names.get(lg), str) and names[lg].strip() for lg in LANGUAGES
        ):
            problems.append(
                ContentProblem(
                    path, line, Message("tag '{slug}' needs a name for vi: and en:", slug=slug)
                )
            )
        else:
            tags[slug] = {lg: names[lg].strip() for lg in LANGUAGES}
    return tags
