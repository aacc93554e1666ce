"""An approval as a git commit, when content/ is in a git work tree.

The commit is authored by the writer and committed by the approver, with an ``Approved-by:``
trailer (or ``Published-without-review-by:`` and the reason). Only the approved file and the
uploads it made public are committed (``git commit --only``), whatever else is staged. Without
git, or outside a work tree, nothing happens; a failing git is logged and never undoes the
approval.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from dxportal.editor.accounts import User

log = logging.getLogger(__name__)


def git(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def in_work_tree(root: Path) -> bool:
    if shutil.which("git") is None:
        return False
    answer = git(root, "rev-parse", "--is-inside-work-tree")
    return answer.returncode == 0 and answer.stdout.strip() == "true"


def identity(user: User) -> tuple[str, str]:
    return user.name or user.login, user.email or f"{user.login}@localhost"


def commit_approval(
    root: Path,
    paths: list[Path],
    author: User | None,
    approver: User | None,
    page: str,
    reason: str = "",
) -> str | None:
    """Commit ``paths`` (the page, the media it published); the new commit's id, or None."""
    if not in_work_tree(root):
        return None
    committer = approver or author
    if author is None or committer is None:
        return None
    author_name, author_email = identity(author)
    committer_name, committer_email = identity(committer)
    if approver is not None:
        message = f"content: {page}\n\nApproved-by: {committer_name} <{committer_email}>\n"
    else:
        message = (
            f"content: {page} (published without review)\n\n{reason}\n\n"
            f"Published-without-review-by: {committer_name} <{committer_email}>\n"
        )
    env = {
        "GIT_AUTHOR_NAME": author_name,
        "GIT_AUTHOR_EMAIL": author_email,
        "GIT_COMMITTER_NAME": committer_name,
        "GIT_COMMITTER_EMAIL": committer_email,
    }
    files = [str(path.resolve()) for path in paths]
    steps = (
        ("add", "--", *files),
        ("commit", "--no-verify", "--quiet", "-m", message, "--only", "--", *files),
    )
    for step in steps:
        answer = git(root, *step, env=env)
        if answer.returncode != 0:
            log.warning("git %s failed for %s: %s", step[0], page, answer.stderr.strip())
            return None
    head = git(root, "rev-parse", "HEAD")
    return head.stdout.strip() if head.returncode == 0 else None
