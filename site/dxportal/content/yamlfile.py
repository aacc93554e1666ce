"""YAML mappings loaded with the line of every key, so errors can point at the right line."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import yaml

from dxportal.content.errors import ContentProblem
from dxportal.messages import Message

# The same nodes as SafeLoader's, composed in C where PyYAML was built with libyaml.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlMapping:
    """A YAML mapping's values and the 1-based line of each top-level key."""

    def __init__(self, values: dict[str, Any], lines: dict[str, int], start_line: int):
        self.values = values
        self.lines = lines
        self.start_line = start_line

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.start_line)


def load_mapping(
    text: str, path: Path, problems: list[ContentProblem], first_line: int = 1
) -> YamlMapping | None:
    """Parse ``text`` as a YAML mapping whose first line is line ``first_line`` of ``path``.

    Problems are appended to ``problems``; None is returned when nothing usable was parsed.
    Values that fail to construct (an impossible date, say) are reported at their own line
    and left out, so the other keys can still be checked.
    """
    try:
        try:  # libyaml's parser: a sixth of a cold build's CPU went to the pure-Python one
            node = yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:  # the messages (and marks) the pure-Python parser gives
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses: no mark, a position
        line = first_line + text.count("\n", 0, exc.position)
        message = Message(
            "an invisible control character (U+{code:04X}) that YAML does not allow: delete it "
            "(it often comes with text pasted from a word processor)",
            code=exc.character if isinstance(exc.character, int) else ord(exc.character),
        )
        problems.append(ContentProblem(path, line, message))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark else first_line
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(
            ContentProblem(path, line, Message("YAML syntax error: {reason}", reason=reason))
        )
        return None
    if node is None:
        return YamlMapping({}, {}, first_line)
    if not isinstance(node, yaml.MappingNode):
        problems.append(
            ContentProblem(
                path,
                first_line + node.start_mark.line,
                Message("front matter must be a list of 'key: value' lines, not a list")
                if isinstance(node, yaml.SequenceNode)
                else Message(
                    "front matter must be a list of 'key: value' lines, not a single value"
                ),
            )
        )
        return None
    constructor = yaml.SafeLoader("")
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str) or not key:
            problems.append(ContentProblem(path, line, Message("every key must be a plain name")))
            continue
        if key in lines:
            problems.append(
                ContentProblem(
                    path,
                    line,
                    Message(
                        "'{key}' is set twice (first on line {first})", key=key, first=lines[key]
                    ),
                )
            )
            continue
        lines[key] = line
        try:
            values[key] = constructor.construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            problems.append(
                ContentProblem(
                    path,
                    line,
                    Message("'{key}' has an invalid value: {reason}", key=key, reason=exc),
                )
            )
    return YamlMapping(values, lines, first_line)


def read_mapping_file(path: Path, problems: list[ContentProblem]) -> YamlMapping | None:
    """Read a whole YAML file (site settings, tags) as a mapping."""
    text = read_text(path, problems)
    if text is None:
        return None
    return load_mapping(text, path, problems)


def read_text(path: Path, problems: list[ContentProblem]) -> str | None:
    """Read a UTF-8 file, normalised to NFC; report the line of the first bad byte."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            ContentProblem(path, line, Message("the file is not UTF-8 text; save it as UTF-8"))
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
