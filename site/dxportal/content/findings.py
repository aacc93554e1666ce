"""What the checks report: findings with a severity, as path:line: label: message."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dxportal.content.errors import ContentError, ContentProblem
from dxportal.messages import Message, Translate

ERROR = "error"


WARNING = "warning"


SEVERITY_LABELS = {ERROR: Message("error"), WARNING: Message("warning")}


@dataclass(frozen=True)
class Finding:
    """A content problem with its severity: errors stop the build, warnings do not."""

    severity: str
    problem: ContentProblem

    def render(self, translate: Translate | None = None) -> str:
        """``path:line: error: message`` (the label and message in the translator's language)."""
        problem = self.problem
        path = display_path(problem.path)
        where = f"{path}:{problem.line}" if problem.line else str(path)
        label = SEVERITY_LABELS[self.severity].render(translate)
        return f"{where}: {label}: {problem.message.render(translate)}"


def display_path(path: Path) -> Path:
    """``path`` relative to the current folder when it is inside it (content/news/…)."""
    folder = os.path.join(os.getcwd(), "")
    text = str(path)
    if text.startswith(folder) and len(text) > len(folder):  # the common case, cheaply
        return Path(text[len(folder) :])
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


@dataclass
class CheckReport:
    """Every finding, sorted by file and line, and how many pages lack each language."""

    findings: list[Finding] = field(default_factory=list)
    missing_translations: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.findings.sort(
            key=lambda f: (str(f.problem.path), f.problem.line or 0, f.severity != ERROR)
        )

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def findings_for(self, path: Path) -> list[Finding]:
        return [f for f in self.findings if f.problem.path == path]


class CheckFailed(ContentError):
    """The checks found errors: the build is refused. ``report`` has the warnings too."""

    def __init__(self, report: CheckReport):
        self.report = report
        super().__init__([f.problem for f in report.errors])
