"""Content errors: every mistake a communicator can make, with the file and line it is on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentProblem:
    """One problem in one content file. ``line`` is 1-based, or None for the whole file."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised when content cannot be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class FieldError(ValueError):
    """A front-matter value that does not fit its field; the loader adds file and line."""
