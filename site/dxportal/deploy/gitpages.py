"""``git:REMOTE#BRANCH``: the Pages branch model (GitHub, GitLab, Gitea, Codeberg).

Each deploy is one commit whose tree is exactly the build, on top of the branch's last
deploy, pushed with a lease (a push that raced another is refused, not forced). The build
folder is the work tree of a scratch repository: nothing is copied, and no checkout of the
project is touched. The commit message carries the build's digest.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dxportal.deploy.errors import DeployError
from dxportal.deploy.listing import Listing, Outcome, compare, digest, list_folder
from dxportal.messages import Message

TRAILER = "Dxportal-Build-Digest:"
ROLLED_BACK_TO = "Dxportal-Rolled-Back-To:"
BASE_URL = "Dxportal-Base-Url:"
HISTORY_DEPTH = 50  # deploys a rollback looks back through
IDENTITY = {
    "GIT_AUTHOR_NAME": "dxportal deploy",
    "GIT_AUTHOR_EMAIL": "deploy@dxportal.invalid",
    "GIT_COMMITTER_NAME": "dxportal deploy",
    "GIT_COMMITTER_EMAIL": "deploy@dxportal.invalid",
}


class Git:
    """git commands in a scratch repository whose work tree is the build folder."""

    def __init__(self, scratch: Path, work_tree: Path, shown: str):
        self.shown = shown
        # The deployer's environment, minus git variables that would point elsewhere.
        passed = {"GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", *IDENTITY}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in passed}
        for key, value in IDENTITY.items():
            self.env.setdefault(key, value)
        self.env.update(
            GIT_DIR=str(scratch),
            GIT_WORK_TREE=str(work_tree),
            GIT_INDEX_FILE=str(scratch / "deploy-index"),
            GIT_TERMINAL_PROMPT="0",
            LC_ALL="C",
        )

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = ["git", "-c", "core.autocrlf=false", "-c", "commit.gpgSign=false", *args]
        process = subprocess.run(command, env=self.env, capture_output=True, text=True)
        if check and process.returncode:
            raise DeployError(
                Message(
                    "git {command} for {target} failed: {reason}",
                    command=args[0],
                    target=self.shown,
                    reason=first_line(process.stderr),
                )
            )
        return process


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("fatal:", "error:", "!"))]
    return (errors or lines or ["no message"])[0]


@contextlib.contextmanager
def scratch_repository(
    work_tree: Path | None, shown: str, kept_in: Path | None = None
) -> Iterator[Git]:
    """A bare repository whose work tree is ``work_tree`` (the build): temporary, or kept in
    ``kept_in`` between deploys, so that a deploy fetches only what the last one did not, and
    `git add` skips files its index has seen unchanged."""
    if shutil.which("git") is None:
        raise DeployError(Message("git is not installed: install it or use another target"))
    with contextlib.ExitStack() as stack:
        if kept_in is None:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dxportal-")))
        else:
            scratch = kept_in
            scratch.mkdir(parents=True, exist_ok=True)
        git = Git(scratch, work_tree or scratch, shown)
        if not (scratch / "HEAD").is_file():
            plain = {k: v for k, v in git.env.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
            init = ["git", "init", "--quiet", "--bare", str(scratch)]
            subprocess.run(init, env=plain, check=True, capture_output=True)
        yield git


def deployed_digest(remote: str, branch: str, shown: str) -> str | None:
    """The digest the branch's last deploy commit records; None for a new branch."""
    with scratch_repository(None, shown) as git:
        head = fetch_branch(git, remote, branch)
        if head is None:
            return None
        body = git("log", "-1", "--format=%B", head).stdout
        return body.split(TRAILER, 1)[1].split()[0]


def deploy_git(
    build: Path, remote: str, branch: str, shown: str, base_url: str, cache_dir: Path | None
) -> Outcome:
    """Commit the build on top of the branch and push it; the scratch repository is kept in
    ``cache_dir`` (one per remote and branch) when there is one."""
    kept_in = None
    if cache_dir is not None:
        kept_in = (
            cache_dir
            / "deploy-git"
            / hashlib.sha256(f"{remote}#{branch}".encode()).hexdigest()[:16]
        )
    with scratch_repository(build, shown, kept_in) as git:
        parent = fetch_branch(git, remote, branch)
        listing = list_folder(build)
        new_digest = digest(listing)
        if parent is None:
            git("read-tree", "--empty")
        git("add", "--all", "--force", ".")  # the index then holds exactly the build
        tree = git("write-tree").stdout.strip()
        old = tree_listing(git, parent) if parent else {}
        if parent and git("rev-parse", f"{parent}^{{tree}}").stdout.strip() == tree:
            return Outcome(new_digest, None)
        message = (
            f"Deploy build {new_digest[7:19]}\n\n{TRAILER} {new_digest}\n{BASE_URL} {base_url}\n"
        )
        parents = ["-p", parent] if parent else []
        commit = git("commit-tree", tree, *parents, "-m", message).stdout.strip()
        push(git, remote, branch, commit, parent)
        git("update-ref", f"refs/deployed/{branch}", commit, check=False)  # for the next fetch
        git("gc", "--auto", "--quiet", check=False)
        return Outcome(new_digest, compare(old, tree_listing(git, commit)))


def rollback_git(remote: str, branch: str, shown: str) -> Outcome:
    """Publish again the build that was live before the live one, as a new commit on top of
    the branch (history moves forward, nothing is forced). The commit names the deploy it
    restores, so a second rollback goes one further back, as with folder releases."""
    with scratch_repository(None, shown) as git:
        head = fetch_branch(git, remote, branch, depth=HISTORY_DEPTH)
        if head is None:
            raise DeployError(
                Message(
                    "nothing to roll back to: {target} has no branch {branch} yet",
                    target=shown,
                    branch=branch,
                )
            )
        live = trailer(git, head, ROLLED_BACK_TO) or head
        live_digest = trailer(git, head, TRAILER)
        earlier = next(
            (
                commit
                for commit in git("rev-list", "--first-parent", live).stdout.split()[1:]
                if trailer(git, commit, TRAILER) not in (None, live_digest)
            ),
            None,
        )
        if earlier is None:
            raise DeployError(
                Message(
                    "nothing to roll back to: the last {count} deploys to {target} hold no "
                    "build before the live one",
                    count=HISTORY_DEPTH,
                    target=shown,
                )
            )
        earlier_digest = trailer(git, earlier, TRAILER)
        assert earlier_digest is not None
        message = (
            f"Roll back to build {earlier_digest[7:19]}\n\n{TRAILER} {earlier_digest}\n"
            f"{ROLLED_BACK_TO} {earlier}\n"
            f"{BASE_URL} {trailer(git, earlier, BASE_URL) or ''}\n"
        )
        tree = git("rev-parse", f"{earlier}^{{tree}}").stdout.strip()
        commit = git("commit-tree", tree, "-p", head, "-m", message).stdout.strip()
        push(git, remote, branch, commit, head)
        return Outcome(earlier_digest, compare(tree_listing(git, head), tree_listing(git, commit)))


def trailer(git: Git, commit: str, name: str) -> str | None:
    """The value of the trailer ``name`` in ``commit``'s message, if it has one."""
    for line in git("log", "-1", "--format=%B", commit).stdout.splitlines():
        if line.startswith(name):
            return line[len(name) :].strip() or None
    return None


def fetch_branch(git: Git, remote: str, branch: str, depth: int = 1) -> str | None:
    """The branch's head commit (fetched with ``depth`` commits), None for a new branch;
    refuse a foreign head."""
    heads = git("ls-remote", "--heads", remote, f"refs/heads/{branch}", check=False)
    if heads.returncode:
        raise DeployError(
            Message(
                "cannot reach the git remote {target}: {reason}; check the address and your access",
                target=git.shown,
                reason=first_line(heads.stderr),
            )
        )
    if not heads.stdout.strip():
        return None
    git("fetch", "--quiet", f"--depth={depth}", remote,
        f"+refs/heads/{branch}:refs/deployed/{branch}")  # fmt: skip
    head = git("rev-parse", f"refs/deployed/{branch}").stdout.strip()
    body = git("log", "-1", "--format=%B", head).stdout
    if TRAILER not in body:
        subject = git("log", "-1", "--format=%h %s", head).stdout.strip()
        raise DeployError(
            Message(
                "the branch {branch} of {target} has diverged: its last commit ({commit}) was "
                "not made by dxportal deploy; move that change into content/ and reset the "
                "branch to the last deploy, or deploy to a new branch",
                branch=branch,
                target=git.shown,
                commit=subject,
            )
        )
    return head


def push(git: Git, remote: str, branch: str, commit: str, parent: str | None) -> None:
    lease = f"--force-with-lease=refs/heads/{branch}:{parent or ''}"
    result = git("push", "--quiet", lease, remote, f"{commit}:refs/heads/{branch}", check=False)
    if result.returncode == 0:
        return
    reason = first_line(result.stderr)
    if "stale info" in reason or "fetch first" in reason or "non-fast-forward" in reason:
        raise DeployError(
            Message(
                "the branch {branch} of {target} changed during the deploy (someone else "
                "pushed): nothing was published; deploy again",
                branch=branch,
                target=git.shown,
            )
        )
    raise DeployError(
        Message("{target} refused the push: {reason}", target=git.shown, reason=reason)
    )


def tree_listing(git: Git, commit: str) -> Listing:
    """path -> (size, blob id) of a commit's files."""
    listing: Listing = {}
    output = git("ls-tree", "-r", "-l", "-z", commit).stdout
    for entry in filter(None, output.split("\0")):
        meta, path = entry.split("\t", 1)
        _, _, blob, size = meta.split()
        listing[path] = (int(size) if size.isdigit() else 0, blob)
    return listing
