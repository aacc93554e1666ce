"""Where to deploy: ``folder:PATH``, ``rsync:DEST`` or ``git:REMOTE#BRANCH``, given on the
command line or in a deploy file (TOML). Secrets never live in the file: write ``${NAME}`` and
the value is taken from the environment when deploying (and hidden in every message).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dxportal.deploy.errors import DeployError
from dxportal.messages import Message

KINDS = ("folder", "rsync", "git")
DEFAULT_KEEP = 5
DEFAULT_BRANCH = "gh-pages"
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
FILE_KEYS = {"target", "keep", "build_dir"}


@dataclass(frozen=True)
class Target:
    kind: str
    location: str  # with ${NAME} expanded
    shown: str  # what messages print: the target as written, secrets still as ${NAME}
    branch: str = DEFAULT_BRANCH
    keep: int = DEFAULT_KEEP
    # (value, "${NAME}") of every variable used, to hide the values in any message
    secrets: tuple[tuple[str, str], ...] = ()

    def hide_secrets(self, text: str) -> str:
        """``text`` with every expanded value written back as its ``${NAME}``."""
        for value, name in sorted(self.secrets, key=lambda pair: -len(pair[0])):
            if len(value) >= 4:  # shorter values are no secret, and would match anywhere
                text = text.replace(value, name)
        return text


@dataclass(frozen=True)
class DeployFile:
    target: str | None = None
    keep: int = DEFAULT_KEEP
    build_dir: str | None = None


def read_deploy_file(path: Path) -> DeployFile:
    """The deploy file's settings; DeployError for a file that cannot be used as it is."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeployError(
            Message("cannot read the deploy file {path}: {reason}", path=path, reason=exc)
        ) from None
    unknown = sorted(set(data) - FILE_KEYS)
    if unknown:
        raise DeployError(
            Message(
                "the deploy file {path} has unknown settings {names}; it may hold only "
                "target, keep and build_dir",
                path=path,
                names=", ".join(unknown),
            )
        )
    keep = data.get("keep", DEFAULT_KEEP)
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 2:
        raise DeployError(
            Message("'keep' in {path} must be a whole number of at least 2", path=path)
        )
    target, build_dir = data.get("target"), data.get("build_dir")
    for name, value in (("target", target), ("build_dir", build_dir)):
        if value is not None and not isinstance(value, str):
            raise DeployError(Message("'{name}' in {path} must be text", name=name, path=path))
    return DeployFile(target, keep, build_dir)


def parse_target(spec: str, keep: int = DEFAULT_KEEP, environ: dict | None = None) -> Target:
    """A Target from ``kind:location``; DeployError names what is wrong and how to write it."""
    kind, colon, location = spec.partition(":")
    if not colon or kind not in KINDS or not location:
        raise DeployError(
            Message(
                "unknown deploy target '{target}': write folder:PATH, rsync:DEST or "
                "git:REMOTE#BRANCH",
                target=spec,
            )
        )
    if has_literal_password(location):
        raise DeployError(
            Message(
                "the target '{target}' holds a password or token: put it in an environment "
                "variable and write ${{NAME}} in its place",
                target=spec,
            )
        )
    expanded = expand(location, environ if environ is not None else dict(os.environ))
    branch = DEFAULT_BRANCH
    if kind == "git":
        expanded, _, branch = expanded.rpartition("#") if "#" in expanded else (expanded, "", "")
        branch = branch or DEFAULT_BRANCH
    environ = environ if environ is not None else dict(os.environ)
    secrets = tuple((environ[name], f"${{{name}}}") for name in VARIABLE.findall(location))
    return Target(kind, expanded, spec, branch, keep, secrets)


def expand(text: str, environ: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in environ:
            raise DeployError(
                Message(
                    "the environment variable {name} used in the deploy target is not set",
                    name=name,
                )
            )
        return environ[name]

    return VARIABLE.sub(value, text)


def has_literal_password(location: str) -> bool:
    """A URL written with ``user:password@`` (a variable in its place is fine)."""
    address = location.split("#", 1)[0]
    if "://" not in address:
        return False
    password = urlsplit(address).password
    return bool(password) and not VARIABLE.fullmatch(password)
