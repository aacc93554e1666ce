"""What a change changes: the fields that differ and the Markdown lines added or removed.

Both texts are read as the editor's form reads them (form_from_text), so a field is compared
as the writer saw it; the body is compared line by line, with unchanged runs shortened to a
few lines of context.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from dxportal.content.schema import Section
from dxportal.editor.forms import form_from_text

CONTEXT = 2


@dataclass(frozen=True)
class FieldChange:
    name: str
    live: str
    proposed: str


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "added", "removed" or "skipped" (a run of unchanged lines left out)
    text: str


def shown(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if value is None or value is False:
        return ""
    return str(value)


def field_changes(section: Section, live: str | None, proposed: str) -> list[FieldChange]:
    before = form_from_text(section, live or "")
    after = form_from_text(section, proposed)
    changes = []
    for old, new in zip(before.fields, after.fields, strict=True):
        if shown(old.value) != shown(new.value):
            changes.append(FieldChange(new.name, shown(old.value), shown(new.value)))
    if (before.extra or "") != (after.extra or ""):
        changes.append(FieldChange("_extra", before.extra or "", after.extra or ""))
    return changes


def body_lines(section: Section, live: str | None, proposed: str) -> list[Line]:
    old = form_from_text(section, live or "").body.splitlines() if live else []
    new = form_from_text(section, proposed).body.splitlines()
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            same = old[a1:a2]
            if len(same) > 2 * CONTEXT + 1:
                lines += [Line("same", t) for t in same[:CONTEXT]]
                lines.append(Line("skipped", str(len(same) - 2 * CONTEXT)))
                lines += [Line("same", t) for t in same[-CONTEXT:]]
            else:
                lines += [Line("same", t) for t in same]
            continue
        lines += [Line("removed", t) for t in old[a1:a2]]
        lines += [Line("added", t) for t in new[b1:b2]]
    return lines
