"""The editor's names and hints for front-matter fields, in the interface language.

Hints say how to fill the input; the field's own help (sections.py) is the fallback.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dxportal.web.labels import (
    AUDIENCE_NAMES,
    DOCUMENT_TYPE_NAMES,
    MATERIAL_KIND_NAMES,
    PILLAR_NAMES,
)

FIELD_LABELS = {
    "title": _l("Page title"),
    "summary": _l("Summary"),
    "tags": _l("Tags"),
    "image": _l("Image"),
    "image_alt": _l("Image description (alt text)"),
    "draft": _l("Draft"),
    "updated": _l("Last updated"),
    "publish": _l("Publish on"),
    "aliases": _l("Old addresses"),
    "date": _l("Date"),
    "pillar": _l("Pillar"),
    "indicator": _l("Indicator"),
    "unit": _l("Unit"),
    "baseline": _l("Baseline"),
    "target": _l("Target"),
    "measurements": _l("Measurements"),
    "related_tags": _l("Related tags"),
    "audience": _l("Audience"),
    "start": _l("Start"),
    "end": _l("End"),
    "deadline": _l("Registration deadline"),
    "location": _l("Location"),
    "organiser": _l("Organiser"),
    "registration": _l("Registration form address"),
    "contact": _l("Contact"),
    "capacity": _l("Places"),
    "kind": _l("Kind of material"),
    "files": _l("Files"),
    "video": _l("Video address"),
    "number": _l("Number and symbol"),
    "type": _l("Type of document"),
    "issuer": _l("Issuing body"),
    "signed": _l("Signed on"),
    "effective": _l("Effective from"),
    "file": _l("Document file"),
}
FIELD_HINTS = {
    "title": _l("The page heading. Start with “Ví dụ:” / “Example:” if it is not real."),
    "summary": _l("One or two sentences shown in lists, feeds and when the page is shared."),
    "tags": _l("Tick the tags of this page; the list comes from content/tags.yml."),
    "image": _l("The name of an image in content/media/; upload it below."),
    "image_alt": _l("What the image shows, for people who cannot see it. Needed with an image."),
    "draft": _l("A draft is shown in preview only and is never published."),
    "updated": _l("The date of the last significant change."),
    "publish": _l("Not published before this day and time (Vietnam time). Optional."),
    "aliases": _l("Earlier addresses of this page, one per line, e.g. /vi/news/old-name/."),
    "date": _l("The publication date. A future date schedules the page."),
    "pillar": _l("The pillar of the programme this goal belongs to."),
    "indicator": _l("What is measured, in one line."),
    "unit": _l("The unit of the values: %, people, …"),
    "baseline": _l("The year and value at the start."),
    "target": _l("The value to reach and the year to reach it by."),
    "measurements": _l(
        "One result per row: the day it was measured, the value and where it comes from. "
        "Empty rows are left out."
    ),
    "related_tags": _l("Tick the tags whose news is listed on the goal's page."),
    "audience": _l("Who it is for; choose one or more."),
    "start": _l("The first day; add a time if it has one."),
    "end": _l("The last day; add a time if it has one. Not before the start."),
    "deadline": _l("Registration closes at the end of this day, or at its time."),
    "location": _l("The venue, or the word online."),
    "organiser": _l("Who runs the course."),
    "registration": _l("The web address of the registration form, https://…"),
    "contact": _l("An email address or phone number. Give this or a registration form."),
    "capacity": _l("How many places there are (a whole number)."),
    "kind": _l("The kind of material."),
    "files": _l(
        "One file per row: its name in content/media/, what it is, and its format (e.g. PDF). "
        "Empty rows are left out."
    ),
    "video": _l("The web address of the video, https://…"),
    "number": _l("As written on the document, e.g. 01-NQ/TU."),
    "type": _l("The type of document."),
    "issuer": _l("The body that issued the document."),
    "signed": _l("Leave empty if the document does not say."),
    "effective": _l("Leave empty if the document does not say. Not before the signing date."),
    "file": _l("The name of the document's file in content/media/; upload it below."),
}
PART_LABELS = {
    "year": _l("Year"),
    "value": _l("Value"),
    "date": _l("Date"),
    "source": _l("Source"),
    "path": _l("File in content/media/"),
    "title": _l("Name shown to readers"),
    "format": _l("Format"),
}
OPTION_NAMES = {**PILLAR_NAMES, **AUDIENCE_NAMES, **MATERIAL_KIND_NAMES, **DOCUMENT_TYPE_NAMES}
