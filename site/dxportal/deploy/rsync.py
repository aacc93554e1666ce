"""``rsync:DEST``: the real rsync, to a local folder or ``host:path`` over ssh.

Only files whose bytes differ are sent (``--checksum``: a build in a fresh CI checkout has new
modification times on every file); new and changed files are put in place together at the end
(``--delay-updates``), stale ones removed after that (``--delete-after``), with ordinary modes
whatever the build folder's umask was. The digest and listing of what was sent are recorded
beside the destination, in ``DEST.deploy.json``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from dxportal.deploy.errors import DeployError
from dxportal.deploy.listing import Changes, Outcome, digest, list_folder
from dxportal.messages import Message

OPTIONS = [
    "--recursive", "--links", "--times", "--checksum", "--perms", "--chmod=D755,F644",
    "--delay-updates", "--delete-after", "--out-format=%i %l %n",
]  # fmt: skip
UNREACHABLE = {5, 10, 12, 35, 255}  # start-up, socket, protocol stream, timeout, ssh


def rsync_command() -> str:
    found = shutil.which("rsync")
    if found is None:
        raise DeployError(
            Message(
                "rsync is not installed: install it (apt-get install rsync) or use a folder: "
                "or git: target"
            )
        )
    return found


def is_remote(dest: str) -> bool:
    """rsync's own rule: a colon before the first slash names a host."""
    return ":" in dest.split("/", 1)[0]


def deploy_rsync(build: Path, dest: str, shown: str, base_url: str) -> Outcome:
    rsync = rsync_command()
    dest = dest.rstrip("/") or "/"
    if not is_remote(dest) and not Path(dest).parent.is_dir():
        raise DeployError(
            Message(
                "the folder {parent} does not exist: create it, or correct the target {target}",
                parent=Path(dest).parent,
                target=shown,
            )
        )
    listing = list_folder(build)
    record_dest = f"{dest}.deploy.json"
    previous = read_previous(rsync, record_dest)
    result = run(rsync, [*OPTIONS, f"{build}/", f"{dest}/"], shown)
    changes = parse_itemized(result, previous)
    new_digest = digest(listing)
    record = {"digest": new_digest, "base_url": base_url, "deployed": time.time(),
              "listing": listing}  # fmt: skip
    outcome = Outcome(new_digest, changes)
    with tempfile.TemporaryDirectory() as scratch:
        local = Path(scratch) / "deploy.json"
        local.write_text(json.dumps(record), encoding="utf-8")
        try:
            run(rsync, ["--times", "--chmod=F644", "--perms", str(local), record_dest], shown)
        except DeployError as exc:  # the site is deployed; only its record is missing
            outcome.notes.append(
                Message("warning: the deploy record was not written: {reason}", reason=exc.message)
            )
    return outcome


def run(rsync: str, arguments: list[str], shown: str) -> str:
    process = subprocess.run([rsync, *arguments], capture_output=True, text=True)
    if process.returncode:
        lines = [line for line in process.stderr.splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit status {process.returncode}"
        template = (
            "cannot reach {target}: {reason}; check the host, the path and your ssh access"
            if process.returncode in UNREACHABLE
            else "rsync to {target} failed: {reason}; check the path and its permissions"
        )
        raise DeployError(Message(template, target=shown, reason=reason))
    return process.stdout


def read_previous(rsync: str, record_dest: str) -> dict[str, int]:
    """Sizes of the files the last deploy sent (rsync names removed files, not their size)."""
    try:
        listing = read_record(rsync, record_dest)["listing"]
        return {path: int(value[0]) for path, value in listing.items()}
    except (KeyError, TypeError, IndexError, ValueError):
        return {}


def read_record(rsync: str, record_dest: str) -> dict:
    """The record of the last deploy to a destination, {} if there is none (or unreadable)."""
    with tempfile.TemporaryDirectory() as scratch:
        local = Path(scratch) / "previous.json"
        process = subprocess.run([rsync, record_dest, str(local)], capture_output=True)
        if process.returncode or not local.is_file():
            return {}
        try:
            data = json.loads(local.read_text(encoding="utf-8"))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


def deployed_digest(dest: str) -> str | None:
    """The digest recorded beside ``dest`` by the last deploy, None if there is none."""
    digest_text = read_record(rsync_command(), f"{dest.rstrip('/') or '/'}.deploy.json").get(
        "digest"
    )
    return digest_text if isinstance(digest_text, str) else None


def parse_itemized(output: str, previous: dict[str, int]) -> Changes:
    """Changes from rsync's ``%i %l %n`` lines (files only; folders are not counted)."""
    changes = Changes()
    for line in output.splitlines():
        flags, _, rest = line.partition(" ")
        size, _, path = rest.strip().partition(" ")
        if flags == "*deleting":
            if not path.endswith("/"):
                changes.removed.append((path, previous.get(path, 0)))
        elif flags[:2] == ">f":
            kind = changes.added if flags[2:].startswith("+++") else changes.changed
            kind.append((path, int(size)))
    return changes
