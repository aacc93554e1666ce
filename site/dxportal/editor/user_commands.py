"""`dxportal user add|passwd|role|disable|enable|list`: the newsroom's accounts from a shell.

A password is never a command-line argument (it would stay in the shell history and be seen
in the process list): it is asked twice, or read from standard input with --password-stdin.
Every change is written to the record, by the system user who ran the command.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from dxportal.commands import LANG_OPTION, messages_in, settings
from dxportal.editor import accounts, audit
from dxportal.editor.accounts import ROLES, AccountsError
from dxportal.editor.newsroom import newsroom_folder
from dxportal.messages import Message

PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)


def folder() -> Path:
    return newsroom_folder(settings())


def fail(message: Message, lang: str, status: int = 1) -> None:
    click.echo(f"dxportal: {message.render(messages_in(lang))}", err=True)
    sys.exit(status)


def read_password(from_stdin: bool, lang: str) -> str:
    translate = messages_in(lang)
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(
        Message("Password").render(translate),
        hide_input=True,
        confirmation_prompt=Message("Repeat the password").render(translate),
    )


def note(action: str, login: str, **details: object) -> None:
    actor = f"system:{getpass.getuser()}"
    audit.record(folder(), actor, "", action, user=login, **details)


@click.group(help="Manage the editor's user accounts (writers, editors, administrators).")
def user() -> None:
    pass


@user.command(help="Add a user; the password is asked twice (or read with --password-stdin).")
@click.argument("login")
@click.option("--name", required=True, help='Full name, e.g. "Nguyễn Thị Lan".')
@click.option("--email", required=True, help="E-mail address.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@PASSWORD_STDIN
@LANG_OPTION
def add(login: str, name: str, email: str, role: str, password_stdin: bool, lang: str) -> None:
    password = read_password(password_stdin, lang)
    try:
        accounts.add_user(folder(), login, name, email, role, password)
    except AccountsError as exc:
        fail(exc.message, lang)
    note("user_add", login, role=role)
    message = Message("User {login} added ({role}).", login=login, role=role)
    click.echo(message.render(messages_in(lang)))


def change(login: str, lang: str, done: Message, **changes: object) -> None:
    try:
        accounts.change_user(folder(), login, **changes)
    except AccountsError as exc:
        fail(exc.message, lang)
    shown = {k: v for k, v in changes.items() if k != "password"}
    note("user_change", login, **({"password": "changed"} if "password" in changes else shown))
    click.echo(done.render(messages_in(lang)))


@user.command(help="Set a new password (asked twice, or --password-stdin); open sessions end.")
@click.argument("login")
@PASSWORD_STDIN
@LANG_OPTION
def passwd(login: str, password_stdin: bool, lang: str) -> None:
    password = read_password(password_stdin, lang)
    change(login, lang, Message("Password of {login} changed.", login=login), password=password)


@user.command(help="Change a user's role (writer, editor or admin).")
@click.argument("login")
@click.argument("role", type=click.Choice(ROLES))
@LANG_OPTION
def role(login: str, role: str, lang: str) -> None:
    change(login, lang, Message("{login} is now {role}.", login=login, role=role), role=role)


@user.command(help="Disable a user: they cannot sign in, and their open sessions end.")
@click.argument("login")
@LANG_OPTION
def disable(login: str, lang: str) -> None:
    change(login, lang, Message("User {login} disabled.", login=login), disabled=True)


@user.command(help="Enable a disabled user again.")
@click.argument("login")
@LANG_OPTION
def enable(login: str, lang: str) -> None:
    change(login, lang, Message("User {login} enabled.", login=login), disabled=False)


@user.command("list", help="List the users: login, role, name, e-mail, disabled or not.")
@LANG_OPTION
def list_users(lang: str) -> None:
    try:
        users = accounts.load_users(folder())
    except AccountsError as exc:
        fail(exc.message, lang, 2)
    translate = messages_in(lang)
    for found in users.values():
        state = Message("disabled").render(translate) if found.disabled else ""
        click.echo(f"{found.login}\t{found.role}\t{found.name}\t{found.email}\t{state}".rstrip())
