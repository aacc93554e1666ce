"""The `dxportal deploy` command (registered in cli.py): checks, then one target's deploy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from dxportal.commands import LANG_OPTION, messages_in, setting
from dxportal.config import is_placeholder_address
from dxportal.deploy.errors import DeployError
from dxportal.deploy.folder import deploy_folder, rollback_folder
from dxportal.deploy.gitpages import deploy_git, rollback_git
from dxportal.deploy.listing import Outcome
from dxportal.deploy.manifest import read_build
from dxportal.deploy.rsync import deploy_rsync
from dxportal.deploy.status import build_digest, live_digest
from dxportal.deploy.target import DEFAULT_KEEP, DeployFile, Target, parse_target, read_deploy_file
from dxportal.messages import Message, Translate

DEPLOY_FILE = "deploy.toml"


@click.command(
    help="Publish the last successful build (build/) to TARGET: folder:PATH (a web root on "
    "this machine, switched atomically, old releases kept), rsync:DEST (a folder or "
    "host:path over ssh) or git:REMOTE#BRANCH (a Pages branch). TARGET may instead be set "
    "in deploy.toml. Prints what was added, changed and removed, and the build's digest."
)
@click.argument("target", required=False)
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The build to publish (default: DXPORTAL_BUILD_DIR, build/).",
)
@click.option(
    "--config",
    "deploy_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The deploy file (default: {DEPLOY_FILE} in the current folder, if there is one).",
)
@click.option("--keep", type=click.IntRange(min=2), help="folder: releases to keep (default 5).")
@click.option(
    "--rollback",
    is_flag=True,
    help="folder: and git: publish again the build that was live before the live one.",
)
@click.option(
    "--status",
    is_flag=True,
    help="Deploy nothing: compare the digest of what the target serves with the build's.",
)
@click.option(
    "--allow-local-address",
    is_flag=True,
    help="Publish even if the build's address is loopback or an example domain.",
)
@LANG_OPTION
def deploy(
    target: str | None,
    build_dir: Path | None,
    deploy_file: Path | None,
    keep: int | None,
    rollback: bool,
    status: bool,
    allow_local_address: bool,
    lang: str,
) -> None:
    translate = messages_in(lang)
    chosen: Target | None = None
    try:
        settings = load_deploy_file(deploy_file)
        chosen = choose_target(target, settings, keep)
        folder = build_dir or Path(settings.build_dir or setting("DXPORTAL_BUILD_DIR"))
        if status:
            sys.exit(report_status(chosen, folder, translate))
        if rollback:
            outcome = roll_back(chosen)
            done = Message("Rolled {target} back to build {digest}", target=chosen.shown,
                           digest=outcome.digest)  # fmt: skip
        else:
            outcome = publish(chosen, folder, allow_local_address)
            done = Message("Deployed build {digest} to {target}", digest=outcome.digest,
                           target=chosen.shown)  # fmt: skip
    except DeployError as exc:
        fail(exc.message, translate, chosen)
    except OSError as exc:
        problem = Message("cannot use {path}: {reason}", path=exc.filename, reason=exc.strerror)
        fail(problem, translate, chosen)
    assert chosen is not None  # fail() ends the command otherwise
    if outcome.changes is None:
        done = Message("{target} already serves build {digest}: nothing changed",
                       target=chosen.shown, digest=outcome.digest)  # fmt: skip
    else:
        click.echo("\n".join(line.render(translate) for line in outcome.changes.lines()))
    click.echo(done.render(translate))
    for note in outcome.notes:
        click.echo(chosen.hide_secrets(note.render(translate)), err=True)


def report_status(target: Target, folder: Path, translate: Translate) -> int:
    """Print what the target serves and what the build is; 0 if they are the same build."""
    live = live_digest(target)
    build = read_build(folder.absolute())
    built = build_digest(build.folder)
    lines = [
        Message("{target} serves build {digest}", target=target.shown, digest=live)
        if live
        else Message("nothing has been deployed to {target} yet", target=target.shown),
        Message("the build in {folder} is build {digest}", folder=build.folder, digest=built),
    ]
    same = live == built
    lines.append(
        Message("The live site is this build.")
        if same
        else Message("The live site is not this build: dxportal deploy publishes it.")
    )
    click.echo("\n".join(line.render(translate) for line in lines))
    return 0 if same else 1


def fail(message: Message, translate: Translate, target: Target | None) -> NoReturn:
    """One line on stderr, exit status 1; values of ${NAME} in the target never shown."""
    text = Message("Nothing was changed on the live site: {reason}", reason=message).render(
        translate
    )
    click.echo(target.hide_secrets(text) if target else text, err=True)
    sys.exit(1)


def load_deploy_file(path: Path | None) -> DeployFile:
    if path is not None:
        if not path.is_file():
            raise DeployError(Message("the deploy file {path} does not exist", path=path))
        return read_deploy_file(path)
    default = Path(DEPLOY_FILE)
    return read_deploy_file(default) if default.is_file() else DeployFile()


def choose_target(spec: str | None, settings: DeployFile, keep: int | None) -> Target:
    spec = spec or settings.target
    if not spec:
        raise DeployError(
            Message(
                "no deploy target: give one, e.g. dxportal deploy folder:/var/www/portal, "
                "or set target in {file}",
                file=DEPLOY_FILE,
            )
        )
    return parse_target(spec, keep or settings.keep or DEFAULT_KEEP)


def publish(target: Target, folder: Path, allow_local_address: bool) -> Outcome:
    build = read_build(folder.absolute())
    if is_placeholder_address(build.base_url) and not allow_local_address:
        raise DeployError(
            Message(
                "the build's public address is {address}, a local or example address: set "
                "base_url in content/site.yml (or --base-url) to the real address and build "
                "again, or deploy with --allow-local-address",
                address=build.base_url,
            )
        )
    if target.kind == "folder":
        return deploy_folder(build.folder, Path(target.location).absolute(), target.keep,
                             build.base_url)  # fmt: skip
    if target.kind == "rsync":
        return deploy_rsync(build.folder, target.location, target.shown, build.base_url)
    cache = setting("DXPORTAL_CACHE_DIR")
    return deploy_git(build.folder, target.location, target.branch, target.shown,
                      build.base_url, Path(cache).absolute() if cache else None)  # fmt: skip


def roll_back(target: Target) -> Outcome:
    if target.kind == "git":
        return rollback_git(target.location, target.branch, target.shown)
    if target.kind != "folder":
        raise DeployError(
            Message(
                "--rollback works with folder: and git: targets, which keep earlier builds; "
                "for {target}, deploy the earlier build again",
                target=target.shown,
            )
        )
    return rollback_folder(Path(target.location).absolute())
