"""The extra front-matter fields of the programme's sections: goals, training, outreach, documents.

sections.py adds these to the common fields; cross-field rules (an end before its start, a
missing media file) are checked in check_programme_fields and content.check_references.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dxportal.content import fields as f
from dxportal.content.errors import ContentProblem
from dxportal.content.vocabularies import AUDIENCES, DOCUMENT_TYPES, MATERIAL_KINDS, PILLARS
from dxportal.messages import Message

YEAR_VALUE = {"year": (f.year, True), "value": (f.number, True)}
MEASUREMENT = {"date": (f.date, True), "value": (f.number, True), "source": (f.text, False)}
MEDIA_FILE = {"path": (f.media_path, True), "title": (f.text, True), "format": (f.text, False)}

GOAL_FIELDS = (
    f.Field("pillar", f.choice(*PILLARS), required=True, help="One of: " + ", ".join(PILLARS)),
    f.Field("indicator", f.text, required=True, help="What is measured, in one line."),
    f.Field("unit", f.text, required=True, help="The unit of the values: %, people, …"),
    f.Field("baseline", f.record(YEAR_VALUE), required=True, help="{year, value} at the start."),
    f.Field("target", f.record(YEAR_VALUE), required=True, help="{year, value} to reach."),
    f.Field(
        "measurements",
        f.record_list(MEASUREMENT, lambda n: Message("measurement {number}", number=n)),
        help="A list of {date, value, source}: the results so far.",
    ),
    f.Field("related_tags", f.slug_list, help="Tags whose news is listed on the goal's page."),
)

TRAINING_FIELDS = (
    f.Field("audience", f.choice_list(*AUDIENCES), required=True, help=", ".join(AUDIENCES)),
    f.Field("start", f.date, required=True, help="First day, YYYY-MM-DD or YYYY-MM-DD HH:MM."),
    f.Field("end", f.date, required=True, help="Last day, YYYY-MM-DD or YYYY-MM-DD HH:MM."),
    f.Field("deadline", f.date, required=True, help="Registration closes at the end of it."),
    f.Field("location", f.text, required=True, help="The venue, or the word online."),
    f.Field("organiser", f.text, required=True, help="Who runs the course."),
    f.Field("registration", f.web_address, help="The registration form's web address."),
    f.Field("contact", f.text, help="How to register or ask: an email, a phone number."),
    f.Field("capacity", f.positive_integer, help="How many places there are."),
)

OUTREACH_FIELDS = (
    f.Field("kind", f.choice(*MATERIAL_KINDS), required=True, help=", ".join(MATERIAL_KINDS)),
    f.Field("audience", f.choice_list(*AUDIENCES), help=", ".join(AUDIENCES)),
    f.Field(
        "files",
        f.record_list(MEDIA_FILE, lambda n: Message("file {number}", number=n)),
        help="A list of {path, title, format}: files in content/media/ to download.",
    ),
    f.Field("video", f.web_address, help="The address of a video (for kind: video)."),
)

DOCUMENT_FIELDS = (
    f.Field("number", f.text, required=True, help="Number and symbol, e.g. 01-NQ/TU."),
    f.Field("type", f.choice(*DOCUMENT_TYPES), required=True, help=", ".join(DOCUMENT_TYPES)),
    f.Field("issuer", f.text, help="The issuing body."),
    f.Field("signed", f.date, help="The date it was signed, YYYY-MM-DD."),
    f.Field("effective", f.date, help="The date it takes effect, YYYY-MM-DD."),
    f.Field("file", f.media_path, help="The document's file in content/media/."),
)

LOCATION_ONLINE = "online"


def check_programme_fields(
    section: str,
    meta: dict[str, Any],
    written: set[str],
    line_of,
    path: Path,
    problems: list[ContentProblem],
) -> None:
    """Rules between fields of one file; ``written`` holds every key the file sets."""
    from dxportal.content.clock import sort_key_date

    def before(first: str, second: str, message: Message) -> None:
        if (
            first in meta
            and second in meta
            and sort_key_date(meta[second]) < sort_key_date(meta[first])
        ):
            problems.append(ContentProblem(path, line_of(second), message))

    if section == "training":
        before("start", "end", Message("'end' is before 'start'"))
        before("deadline", "end", Message("'deadline' must not be after 'end'"))
        if not written & {"registration", "contact"}:
            problems.append(
                ContentProblem(
                    path,
                    1,
                    Message("a training call needs 'registration' (a web address) or 'contact'"),
                )
            )
    elif section == "goals":
        baseline, target = meta.get("baseline"), meta.get("target")
        if baseline and target and target["year"] < baseline["year"]:
            problems.append(
                ContentProblem(
                    path, line_of("target"), Message("the target year is before the baseline year")
                )
            )
        if baseline and target and target["value"] == baseline["value"]:
            problems.append(
                ContentProblem(
                    path,
                    line_of("target"),
                    Message("the target value equals the baseline value: nothing to reach"),
                )
            )
    elif section == "outreach":
        if not written & {"files", "video"}:
            problems.append(
                ContentProblem(
                    path, 1, Message("outreach material needs 'files' or a 'video' address")
                )
            )
    elif section == "documents":
        before("signed", "effective", Message("'effective' is before 'signed'"))
