"""Who may do what, and the steps of a change: draft -> in review -> approved (or returned).

The rules are enforced here, not in templates: a writer never approves or publishes; an editor
never approves a change they edited themselves; only an admin publishes without review, with a
written reason, and such a page stays flagged "published without review" until another editor
or admin confirms it. Each step is written to the record (audit.py) before it returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from dxportal.editor import audit, gitrecord, pending, staged_media
from dxportal.editor.accounts import User
from dxportal.editor.newsroom import ensure, write_private
from dxportal.editor.paths import page_file
from dxportal.editor.pending import Change
from dxportal.editor.storage import Conflict, digest, save_page
from dxportal.messages import Message, MessageError

WRITER_ACTIONS = frozenset({"read", "edit", "submit", "withdraw"})
EDITOR_ACTIONS = WRITER_ACTIONS | {"approve", "return", "confirm", "build"}
ROLE_ACTIONS = {
    "writer": WRITER_ACTIONS,
    "editor": EDITOR_ACTIONS,
    "admin": EDITOR_ACTIONS | {"force_publish", "manage_users"},
}
UNREVIEWED_DIR = "unreviewed"


class Refused(MessageError):
    """A step that is not allowed: ``message`` says why, ``status`` is the HTTP status."""

    def __init__(self, message: Message, status: int = 403):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Unreviewed:
    """A page an admin published without review, waiting for an editor's confirmation."""

    page: str
    by: str
    at: str
    reason: str
    hash: str


def allowed(role: str, action: str) -> bool:
    return action in ROLE_ACTIONS.get(role, ())


def require(user: User, action: str) -> None:
    if not allowed(user.role, action):
        raise Refused(Message("your role ({role}) may not do this", role=user.role))


def note(folder: Path, user: User, action: str, change: Change, **details: object) -> None:
    audit.record(folder, user.login, user.name, action, change.page, change.digest, **details)


def submit(folder: Path, root: Path, change: Change, user: User) -> Change:
    require(user, "submit")
    if change.state == "review":
        raise Refused(Message("this change is already waiting for review"), 409)
    change = replace(
        change,
        state="review",
        submitted_by=user.login,
        submitted_at=pending.now_text(),
        updated_at=pending.now_text(),
    )
    pending.store_change(folder, root, change)
    note(folder, user, "submit", change)
    return change


def withdraw(folder: Path, root: Path, change: Change, user: User) -> Change:
    require(user, "withdraw")
    if change.state != "review":
        raise Refused(Message("this change is not waiting for review"), 409)
    if change.submitted_by != user.login:
        raise Refused(Message("only the person who submitted a change can withdraw it"))
    change = replace(change, state="draft", updated_at=pending.now_text())
    pending.store_change(folder, root, change)
    note(folder, user, "withdraw", change)
    return change


def send_back(folder: Path, root: Path, change: Change, user: User, comment: str) -> Change:
    require(user, "return")
    if change.state != "review":
        raise Refused(Message("this change is not waiting for review"), 409)
    if not comment.strip():
        raise Refused(Message("write what needs to change before returning it"), 422)
    change = replace(
        change,
        state="returned",
        comment=comment.strip(),
        returned_by=user.login,
        updated_at=pending.now_text(),
    )
    pending.store_change(folder, root, change)
    note(folder, user, "return", change, comment=comment.strip())
    return change


def write_live(root: Path, change: Change) -> Path:
    """Write the change into content/, if the live file is still the one it was started from."""
    try:
        path = save_page(root, change.section, change.slug, change.lang, change.text, change.base)
    except Conflict as exc:
        raise Refused(
            Message(
                "the published page changed after this change was started, so approving it "
                "would undo that change. Return it: the writer opens the page again and "
                "brings the change up to date."
            ),
            409,
        ) from exc
    return path


def go_live(folder: Path, root: Path, change: Change) -> list[Path]:
    """The approved text into content/, with the staged uploads it names; the files written."""
    path = write_live(root, change)
    return [path, *staged_media.publish_staged(folder, root, change.text)]


def approve(
    folder: Path,
    root: Path,
    change: Change,
    user: User,
    users: dict[str, User],
    seen: str | None = None,
) -> str | None:
    """Write the approved text into content/ and commit it; the commit id if one was made.

    ``seen`` is the sha256 of the text the approver read: a change edited since is refused.
    """
    require(user, "approve")
    if change.state != "review":
        raise Refused(Message("only a change waiting for review can be approved"), 409)
    if seen is not None and seen != change.digest:
        raise Refused(
            Message("the change was edited after you opened it: read it again, then approve"),
            409,
        )
    if user.login in change.editors:
        raise Refused(
            Message(
                "you edited this change yourself: another editor must approve it (the "
                "second pair of eyes)"
            )
        )
    paths = go_live(folder, root, change)
    pending.drop_change(folder, root, change)
    author = users.get(change.submitted_by) or users.get(change.author)
    commit = gitrecord.commit_approval(root, paths, author, user, change.page)
    note(folder, user, "approve", change, submitted_by=change.submitted_by, commit=commit or "")
    return commit


def force_publish(
    folder: Path, root: Path, change: Change, user: User, reason: str, users: dict[str, User]
) -> str | None:
    require(user, "force_publish")
    if not reason.strip():
        raise Refused(Message("write why this page cannot wait for review"), 422)
    paths = go_live(folder, root, change)
    pending.drop_change(folder, root, change)
    flagged = Unreviewed(change.page, user.login, pending.now_text(), reason.strip(), change.digest)
    flag_path = unreviewed_path(folder, root, change.section, change.slug, change.lang)
    flag_path.parent.mkdir(parents=True, exist_ok=True)
    write_private(flag_path, json.dumps(flagged.__dict__, ensure_ascii=False).encode("utf-8"))
    author = users.get(change.author) or user
    commit = gitrecord.commit_approval(root, paths, author, None, change.page, reason.strip())
    note(folder, user, "force_publish", change, reason=reason.strip(), commit=commit or "")
    return commit


def unreviewed_path(folder: Path, root: Path, section: str, slug: str, lang: str) -> Path:
    page_file(root, section, slug, lang)
    return ensure(folder) / UNREVIEWED_DIR / section / f"{slug}.{lang}.json"


def list_unreviewed(folder: Path) -> list[Unreviewed]:
    found = []
    for path in sorted((folder / UNREVIEWED_DIR).glob("*/*.json")):
        try:
            found.append(Unreviewed(**json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, TypeError):
            continue
    return found


def find_unreviewed(folder: Path, root: Path, section: str, slug: str, lang: str):
    path = unreviewed_path(folder, root, section, slug, lang)
    try:
        return Unreviewed(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None


def confirm(folder: Path, root: Path, section: str, slug: str, lang: str, user: User) -> None:
    """Another editor has read a page published without review: the flag goes."""
    require(user, "confirm")
    flagged = find_unreviewed(folder, root, section, slug, lang)
    if flagged is None:
        raise Refused(Message("this page is not waiting for a confirmation"), 404)
    if flagged.by == user.login:
        raise Refused(Message("someone other than the person who published it must confirm it"))
    unreviewed_path(folder, root, section, slug, lang).unlink(missing_ok=True)
    live = (root / section / f"{slug}.{lang}.md").read_text(encoding="utf-8")
    audit.record(
        folder, user.login, user.name, "confirm", flagged.page, digest(live), forced_by=flagged.by
    )
