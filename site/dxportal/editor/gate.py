"""Every editor request passes here: Origin, users file readable, signed in, CSRF token, role.

A POST to an address the person's role may not use is refused 403 before the view runs, so a
writer posting to an approve address never reaches the approval code.
"""

from __future__ import annotations

import logging

from flask import redirect, render_template, request, url_for

from dxportal.editor import auth, review, signin
from dxportal.editor.accounts import AccountsError
from dxportal.messages import Message

log = logging.getLogger(__name__)

# What a POST to each endpoint does, for the role check (GET pages only show things).
ENDPOINT_ACTIONS = {
    "editor.new_page": "edit",
    "editor.edit_page": "edit",
    "editor.version": "edit",
    "editor.translate": "edit",
    "editor.publish": "build",
    "editor.submit_change": "submit",
    "editor.withdraw_change": "withdraw",
    "editor.approve_change": "approve",
    "editor.return_change": "return",
    "editor.force_publish": "force_publish",
    "editor.confirm_page": "confirm",
    "editor.take_over": "edit",
    "editor.users": "manage_users",
    "editor.change_user": "manage_users",
}


def refusal(message: Message, status: int):
    return render_template("editor/error.html", kind="refused", message=message), status


def before_request(open_endpoint: bool):
    """None to go on, or the response that stops the request."""
    if request.method == "POST":
        auth.check_origin()  # a POST must come from the editor's own pages
    try:
        accounts = signin.accounts_on()
    except AccountsError as exc:
        log.error("editor stopped: %s", exc.message)
        return refusal(
            Message(
                "the editor cannot read its list of users, so nobody can sign in until it is "
                "repaired ({problem}). Ask the administrator: nothing saved was lost.",
                problem=exc.message,
            ),
            503,
        )
    if not open_endpoint and not auth.is_signed_in():
        signin.ended_notice()
        return redirect(url_for("editor.login", next=request.full_path))
    if request.method != "POST":
        return None
    auth.check_csrf(request.form.get("csrf_token"))
    action = ENDPOINT_ACTIONS.get(request.endpoint or "")
    if accounts and action and not review.allowed(signin.person().role, action):
        person = signin.person()
        log.warning("refused: %s (%s) may not %s", person.login, person.role, action)
        return refusal(Message("your role ({role}) may not do this", role=person.role), 403)
    return None
