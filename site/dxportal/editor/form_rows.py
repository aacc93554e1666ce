"""Lists of records (a goal's measurements, outreach files) as rows of a table in the form.

Without JavaScript the table posts indexed fields (``measurements-0-date``...), always shows a
few empty rows, and "more rows" / "remove" are submit buttons that show the form again without
saving. Empty rows are dropped, so row N of the form is item N of the file and a problem the
loader reports about "measurement N" is shown on that row. A value the rows cannot show as it
is (not a list of flat groups of the known parts) keeps the YAML-lines textarea instead, so
nothing in a file is ever dropped by opening and saving it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from werkzeug.datastructures import MultiDict

BLANK_ROWS = 2
MORE_ROWS = 3
# The input each known part gets; any other part is a text input.
PART_INPUTS = {"date": "date", "value": "decimal", "year": "decimal", "path": "media"}
_CELL = re.compile(r"^(?P<name>[a-z_]+)-(?P<index>\d{1,4})-(?P<part>[a-z_]+)$")


def fits_rows(value: Any, parts: tuple[str, ...]) -> bool:
    """Whether ``value`` (as read from the file) can be shown as rows without losing anything."""
    if not isinstance(value, list):
        return False
    for item in value:
        if not isinstance(item, dict) or not set(item) <= set(parts):
            return False
        if any(isinstance(v, list | dict) for v in item.values()):
            return False
    return True


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def rows_from_value(value: list[dict]) -> list[dict[str, str]]:
    return [{part: cell_text(v) for part, v in item.items()} for item in value]


def rows_from_request(name: str, parts: tuple[str, ...], data: MultiDict, clean) -> list[dict]:
    """The posted rows in index order, each {part: text}; rows left empty are dropped."""
    found: dict[int, dict[str, str]] = {}
    for key in data:
        match = _CELL.match(key)
        if match and match["name"] == name and match["part"] in parts:
            row = found.setdefault(int(match["index"]), {})
            row[match["part"]] = clean(data.get(key, "")).strip()
    rows = [found[index] for index in sorted(found)]
    return [{p: row.get(p, "") for p in parts} for row in rows if any(row.values())]


def row_values(rows: list[dict[str, str]], plain_date, parse_scalar) -> list[dict[str, Any]]:
    """What the file gets: dates and numbers as YAML reads them, empty parts left out."""
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for part, text in row.items():
            if not text:
                continue
            kind = PART_INPUTS.get(part)
            record[part] = (
                plain_date(text) if kind == "date" else parse_scalar(text) if kind else text
            )
        records.append(record)
    return records


def apply_row_action(fields: list, action: str) -> bool:
    """Carry out "more:<field>" or "remove:<field>:<row>"; True when it was one of these."""
    verb, _, rest = action.partition(":")
    name, _, index = rest.partition(":")
    item = next((fd for fd in fields if fd.name == name and fd.kind == "rows"), None)
    if verb not in ("more", "remove") or item is None:
        return False
    if verb == "more":
        item.blank_rows += MORE_ROWS
    elif index.isdigit() and int(index) < len(item.value):
        del item.value[int(index)]
    return True


def cell_problems(problems: list) -> set[tuple[int, str]]:
    """(row index, part) of each problem that names an item (and a part), to mark that input."""
    cells = set()
    for _, message in problems:
        found = item_message(message)
        if found is None:
            continue
        number = getattr(found.values.get("item"), "values", {}).get("number")
        part = getattr(found.values.get("reason"), "values", {}).get("part")
        if isinstance(number, int):
            cells.add((number - 1, part if isinstance(part, str) else ""))
    return cells


def item_message(message: Any, depth: int = 0) -> Any:
    """The "{item}: {reason}" message inside a loader's problem (it wraps it in the key's)."""
    values = getattr(message, "values", None)
    if not isinstance(values, dict) or depth > 4:
        return None
    if "item" in values and "reason" in values:
        return message
    for value in values.values():
        found = item_message(value, depth + 1)
        if found is not None:
            return found
    return None
