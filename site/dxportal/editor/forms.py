"""The page form, generated from the section's declared fields, and the file it writes.

Each front-matter field becomes an input chosen by its converter (a date input for dates, a
list of checkboxes for a choice of several values, one line per item for lists...). The form's
values are turned back into the same Markdown file a developer would write by hand; the
loader's and the checker's problems are attached to the field or the text line they concern.
"""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from werkzeug.datastructures import MultiDict

from dxportal.content import fields as f
from dxportal.content.errors import ContentProblem
from dxportal.content.schema import Section
from dxportal.content.yamlfile import load_mapping
from dxportal.editor import form_rows
from dxportal.messages import Message

# Fields that may carry a time of day besides their date (scheduling, course times).
DATETIME_FIELDS = {"publish", "start", "end", "deadline"}
# Lists of tag slugs: a checklist of the tags in content/tags.yml.
TAG_FIELDS = {"tags", "related_tags"}
MULTILINE_TEXT = {"summary"}
EXTRA = "_extra"
ERROR = "error"
_YAML = frontmatter.YAMLHandler()


def field_kind(spec: f.Field) -> str:
    """The kind of input a field gets, from its converter."""
    convert = spec.convert
    simple = {
        f.text: "textarea" if spec.name in MULTILINE_TEXT else "text",
        f.boolean: "boolean",
        f.slug_list: "lines",
        f.alias_list: "lines",
        f.media_path: "media",
        f.web_address: "url",
        f.positive_integer: "integer",
        f.number: "text",
    }
    if convert is f.date:
        return "datetime" if spec.name in DATETIME_FIELDS else "date"
    if spec.name in TAG_FIELDS and convert is f.slug_list:
        return "tags"
    if convert in simple:
        return simple[convert]
    if hasattr(convert, "options"):
        return "choices" if convert.__qualname__.startswith("choice_list") else "choice"
    if hasattr(convert, "parts"):
        return "rows" if getattr(convert, "is_list", False) else "record"
    return "text"


@dataclass
class FormField:
    """One input (or group of inputs) of the page form, with what it shows and its problems."""

    spec: f.Field
    kind: str
    value: Any = ""
    problems: list[tuple[str, Message]] = field(default_factory=list)
    blank_rows: int = form_rows.BLANK_ROWS

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def options(self) -> tuple[str, ...]:
        return getattr(self.spec.convert, "options", ())

    @property
    def parts(self) -> tuple[str, ...]:
        return getattr(self.spec.convert, "parts", ())

    @property
    def rows(self) -> list[dict[str, str]]:
        """The rows the table shows: the filled ones, then a few empty ones."""
        return [*self.value, *({} for _ in range(self.blank_rows))]

    @property
    def problem_cells(self) -> set[tuple[int, str]]:
        return form_rows.cell_problems(self.problems)


@dataclass
class PageForm:
    """The whole form: fields, extra (unknown) front matter, the Markdown text, problems."""

    section: Section
    fields: list[FormField]
    body: str = ""
    extra: str = ""
    body_problems: list[tuple[int, str, Message]] = field(default_factory=list)
    general_problems: list[tuple[str, Message]] = field(default_factory=list)

    def field(self, name: str) -> FormField | None:
        return next((fd for fd in self.fields if fd.name == name), None)


EMPTY_VALUES = {
    "datetime": ("", ""),
    "choices": [],
    "tags": [],
    "rows": [],
    "record": {},
    "boolean": False,
}


def empty_form(section: Section) -> PageForm:
    items = []
    for spec in section.fields:
        kind = field_kind(spec)
        items.append(FormField(spec, kind, copy.copy(EMPTY_VALUES.get(kind, ""))))
    return PageForm(section, items)


# --- file -> form ---------------------------------------------------------------------------


def form_from_text(section: Section, text: str) -> PageForm:
    """The form showing a file's front matter and body (values as written, not converted)."""
    form = empty_form(section)
    try:
        front, body = _YAML.split(text)
    except ValueError:
        form.body = text
        return form
    mapping = load_mapping(front, Path("page"), [])
    values = mapping.values if mapping else {}
    form.body = body.strip("\n")
    for item in form.fields:
        if item.name not in values:
            continue
        if item.kind == "rows" and not form_rows.fits_rows(values[item.name], item.parts):
            item.kind = "records"  # shown as YAML lines, so that nothing is dropped
        item.value = display_value(item.kind, values[item.name])
    extra = {k: v for k, v in values.items() if section.field(k) is None}
    if extra:
        form.extra = dump_yaml(extra)
    return form


def display_value(kind: str, value: Any) -> Any:
    if kind == "boolean":
        return value is True
    if kind in ("date", "datetime"):
        if isinstance(value, dt.datetime):
            return (value.date().isoformat(), value.strftime("%H:%M"))
        if isinstance(value, dt.date):
            return (value.isoformat(), "") if kind == "datetime" else value.isoformat()
        text = str(value).strip()
        if kind == "datetime":
            day, _, time = text.partition(" ")
            return (day, time[:5])
        return text
    if kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if kind in ("choices", "tags"):
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if kind == "rows":
        return form_rows.rows_from_value(value)
    if kind == "record":
        return {k: scalar_text(v) for k, v in value.items()} if isinstance(value, dict) else {}
    if kind == "records":
        if isinstance(value, list):
            return "\n".join(dump_flow(item) for item in value)
        return dump_flow(value)
    return scalar_text(value)


def scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def dump_flow(value: Any) -> str:
    return yaml.safe_dump(
        value, allow_unicode=True, default_flow_style=True, width=10**6, sort_keys=False
    ).strip()


def dump_yaml(value: dict[str, Any]) -> str:
    """Front-matter lines as a person writes them: lists and groups on one line each,
    a list of groups one item per line."""
    lines = []
    for key, item in value.items():
        if isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
            lines.append(f"{key}:")
            lines += [f"  - {dump_flow(i)}" for i in item]
        elif isinstance(item, list | dict):
            lines.append(f"{key}: {dump_flow(item)}")
        else:
            lines.append(yaml.safe_dump({key: item}, allow_unicode=True, width=10**6).rstrip("\n"))
    return "\n".join(lines) + "\n"


# --- form -> file ---------------------------------------------------------------------------


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def form_from_request(section: Section, data: MultiDict) -> PageForm:
    """The form as submitted (values kept as typed, so it can be shown again)."""
    form = empty_form(section)
    for item in form.fields:
        name = item.name
        if item.kind == "boolean":
            item.value = data.get(name) == "true"
        elif item.kind == "datetime":
            item.value = (
                nfc(data.get(name, "")).strip(),
                nfc(data.get(f"{name}-time", "")).strip(),
            )
        elif item.kind == "choices":
            item.value = [v for v in data.getlist(name) if v in item.options]
        elif item.kind == "record":
            item.value = {p: nfc(data.get(f"{name}-{p}", "")).strip() for p in item.parts}
        elif item.kind == "tags":
            # Every ticked box is kept, a tag missing from tags.yml too (check warns about it).
            item.value = list(dict.fromkeys(t for v in data.getlist(name) for t in v.split()))
        elif item.kind == "rows" and name in data:
            item.kind = "records"  # the YAML-lines textarea was shown
            item.value = nfc(data.get(name, "")).strip()
        elif item.kind == "rows":
            item.value = form_rows.rows_from_request(name, item.parts, data, nfc)
        else:
            item.value = nfc(data.get(name, "")).strip()
    form.body = nfc(data.get("body", "")).strip("\n")
    form.extra = nfc(data.get(EXTRA, "")).strip()
    return form


def yaml_value(item: FormField) -> tuple[bool, Any]:
    """(present, value to write) for one field; problems of form syntax go on the field."""
    value = item.value
    if item.kind == "boolean":
        return bool(value), True
    if item.kind == "datetime":
        day, time = value
        if not day:
            return False, None
        return True, plain_date(f"{day} {time}" if time else day)
    if item.kind == "date":
        return bool(value), plain_date(value) if value else None
    if item.kind == "lines":
        items = [line.strip() for line in value.split("\n") if line.strip()]
        return bool(items), items
    if item.kind in ("choices", "tags"):
        return bool(value), list(value)
    if item.kind == "rows":
        return bool(value), form_rows.row_values(value, plain_date, parse_scalar)
    if item.kind == "record":
        if not any(value.values()):
            return False, None
        return True, {p: parse_scalar(v) for p, v in value.items() if v}
    if item.kind == "records":
        records = []
        for number, line in enumerate((ln for ln in value.split("\n") if ln.strip()), 1):
            try:
                parsed = yaml.safe_load(line if line.lstrip().startswith("{") else f"{{{line}}}")
            except yaml.YAMLError:
                parsed = None
            if not isinstance(parsed, dict):
                item.problems.append(
                    (
                        ERROR,
                        Message(
                            "line {number} is not written as {{part: value, part: value}}",
                            number=number,
                        ),
                    )
                )
                continue
            records.append(parsed)
        return bool(records), records
    if item.kind == "integer":
        return bool(value), int(value) if value.isdigit() else value
    if item.kind == "text" and item.spec.convert is f.number:
        return bool(value), parse_scalar(value)
    if item.kind == "textarea":
        value = " ".join(value.split())
    return bool(value), value


def plain_date(text: str) -> Any:
    """A date as YAML reads it (2021-03-03 unquoted), a date and time as 'YYYY-MM-DD HH:MM'."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


def parse_scalar(text: str) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, int | float | str) else text


@dataclass
class PageText:
    """The file a form writes, and the line each field is on (to place problems)."""

    text: str
    field_lines: dict[str, int]
    body_line: int


def page_text(form: PageForm) -> PageText | None:
    """The Markdown file for the form; None when the form itself has syntax problems."""
    lines = ["---"]
    field_lines: dict[str, int] = {}
    for item in form.fields:
        present, value = yaml_value(item)
        if present:
            field_lines[item.name] = len(lines) + 1
            lines.extend(dump_yaml({item.name: value}).rstrip("\n").split("\n"))
    if form.extra:
        try:
            extra = yaml.safe_load(form.extra)
        except yaml.YAMLError:
            extra = None
        if not isinstance(extra, dict):
            form.general_problems.append(
                (ERROR, Message("the other fields must be written as YAML lines 'key: value'"))
            )
        else:
            for key, value in extra.items():
                field_lines[str(key)] = len(lines) + 1
                lines.extend(dump_yaml({key: value}).rstrip("\n").split("\n"))
    if any(item.problems for item in form.fields) or form.general_problems:
        return None
    lines += ["---", ""]
    body_line = len(lines) + 1
    return PageText("\n".join(lines) + "\n" + form.body.strip("\n") + "\n", field_lines, body_line)


def attach_problems(
    form: PageForm, written: PageText, problems: list[tuple[str, ContentProblem]]
) -> None:
    """Put each (severity, problem) next to its field, on its line of the text, or at the top."""
    by_line = {line: name for name, line in written.field_lines.items()}
    for severity, problem in problems:
        line, message = problem.line, problem.message
        named = message.values.get("key")
        target = form.field(named) if isinstance(named, str) else None
        if target is None and line in by_line:
            target = form.field(by_line[line])
        if target is not None:
            target.problems.append((severity, message))
        elif line is not None and line >= written.body_line:
            form.body_problems.append((line - written.body_line + 1, severity, message))
        else:
            form.general_problems.append((severity, message))
