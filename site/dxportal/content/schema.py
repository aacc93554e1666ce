"""The content sections and the front-matter fields each one accepts, declared in one place."""

from __future__ import annotations

from dataclasses import dataclass

from dxportal.content import fields as f
from dxportal.content.programme_fields import (
    DOCUMENT_FIELDS,
    GOAL_FIELDS,
    OUTREACH_FIELDS,
    TRAINING_FIELDS,
)
from dxportal.messages import Message

# Names of the languages in the reader's language (Message.render, or |translated in templates).
LANGUAGE_NAMES = {"vi": Message("Vietnamese"), "en": Message("English")}

# Where things live under content/ besides the section folders.
SETTINGS_FILE = "site.yml"
TAGS_FILE = "tags.yml"
MEDIA_DIR = "media"

COMMON_FIELDS = (
    f.Field("title", f.text, required=True, help="The page title, shown as its heading."),
    f.Field("summary", f.text, help="One or two sentences shown in lists and search results."),
    f.Field("tags", f.slug_list, help="Tag slugs from content/tags.yml."),
    f.Field("image", f.media_path, help="An image file in content/media/."),
    f.Field("image_alt", f.text, help="What the image shows, for people who cannot see it."),
    f.Field("draft", f.boolean, help="true keeps the page out of the published site."),
    f.Field("updated", f.date, help="The date of the last significant change."),
    f.Field(
        "publish",
        f.date,
        help="Publish at this date and time (YYYY-MM-DD HH:MM, local time), not before.",
    ),
    f.Field("aliases", f.alias_list, help="Old addresses of the page, e.g. [/vi/news/old/]."),
)
DATE_FIELD = f.Field("date", f.date, required=True, help="Publication date, YYYY-MM-DD.")


@dataclass(frozen=True)
class Section:
    """A content folder: its URL name, its fields, and whether it has list pages and dates."""

    name: str
    fields: tuple[f.Field, ...]
    listed: bool = True

    def field(self, name: str) -> f.Field | None:
        return next((fd for fd in self.fields if fd.name == name), None)


def _section(name: str, *extra: f.Field, listed: bool = True) -> Section:
    dated = (DATE_FIELD,) if listed else (f.Field("date", f.date),)
    return Section(name, COMMON_FIELDS + dated + extra, listed=listed)


SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        _section("news"),
        _section("goals", *GOAL_FIELDS),
        _section("training", *TRAINING_FIELDS),
        _section("outreach", *OUTREACH_FIELDS),
        _section("documents", *DOCUMENT_FIELDS),
        _section("pages", listed=False),
    )
}

# Words a static page slug may not take: they are the first URL segment of other pages.
RESERVED_SLUGS = frozenset(SECTIONS) | {"tags", "search", "media", "static", "feed", "page"}
