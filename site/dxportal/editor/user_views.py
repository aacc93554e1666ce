"""/edit/users/: administrators manage accounts in the browser, as `dxportal user` does.

List, add, change the role, disable and enable. Only an admin sees or posts here (the gate
refuses a POST from any other role; the list answers 403); every change is written to the
record under the admin's name. An admin never changes their own role or disables themselves,
so the newsroom cannot lose its last administrator by a click.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from dxportal.editor import accounts, audit, review, signin
from dxportal.editor.accounts import ROLES, AccountsError
from dxportal.editor.gate import refusal
from dxportal.editor.newsroom import current_folder
from dxportal.editor.views import bp
from dxportal.messages import Message

MANAGE = "manage_users"


def admin():
    """The signed-in admin, or None for any other role; 404 without accounts."""
    if not signin.accounts_on():
        abort(404)
    person = signin.person()
    return person if review.allowed(person.role, MANAGE) else None


def not_admin():
    return refusal(Message("only an administrator manages accounts"), 403)


def users_page(problem: Message | None = None, status: int = 200):
    users = accounts.load_users(current_folder())
    return render_template(
        "editor/users.html",
        users=sorted(users.values(), key=lambda u: u.login),
        roles=ROLES,
        problem=problem,
        asked=request.form if problem else {},
    ), status


@bp.route("/users/", methods=["GET", "POST"])
def users():
    person = admin()
    if person is None:
        return not_admin()
    if request.method == "GET":
        return users_page()
    form = request.form
    login, role = form.get("login", "").strip(), form.get("role", "")
    if form.get("password", "") != form.get("password_again", ""):
        return users_page(Message("the two passwords are not the same"), 422)
    if not form.get("name", "").strip():
        return users_page(Message("write the person's full name"), 422)
    try:
        accounts.add_user(
            current_folder(),
            login,
            form.get("name", ""),
            form.get("email", "").strip(),
            role,
            form.get("password", ""),
        )
    except AccountsError as exc:
        return users_page(exc.message, 422)
    audit.record(current_folder(), person.login, person.name, "user_add", user=login, role=role)
    flash(gettext("User %(login)s added.", login=login))
    return redirect(url_for("editor.users"))


@bp.route("/users/<login>/", methods=["POST"])
def change_user(login: str):
    """One change: ``role`` to a new role, or ``disabled`` to "true" or "false"."""
    person = admin()
    if person is None:
        return not_admin()
    if login == person.login:
        return refusal(Message("you cannot change your own account here; ask another admin"), 403)
    changes: dict[str, object] = {}
    if "role" in request.form:
        changes["role"] = request.form["role"]
    elif request.form.get("disabled") in ("true", "false"):
        changes["disabled"] = request.form["disabled"] == "true"
    else:
        abort(400)
    try:
        accounts.change_user(current_folder(), login, **changes)
    except AccountsError as exc:
        return users_page(exc.message, 404 if "no user" in exc.message.template else 422)
    audit.record(current_folder(), person.login, person.name, "user_change", user=login, **changes)
    flash(gettext("The account of %(login)s was changed.", login=login))
    return redirect(url_for("editor.users"))
