"""Content errors: every mistake a communicator can make, with the file and line it is on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dxportal.messages import Message, MessageError, Translate


@dataclass(frozen=True)
class ContentProblem:
    """One problem in one content file. ``line`` is 1-based, or None for the whole file."""

    path: Path
    line: int | None
    message: Message

    def render(self, translate: Translate | None = None) -> str:
        """``path:line: message``, the message in the language of ``translate``."""
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message.render(translate)}"

    def __str__(self) -> str:
        return self.render()


class ContentError(Exception):
    """Raised when content cannot be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line or 0, str(p.message)))
        super().__init__("\n".join(str(p) for p in self.problems))


class FieldError(MessageError, ValueError):
    """A front-matter value that does not fit its field; the loader adds file and line."""
