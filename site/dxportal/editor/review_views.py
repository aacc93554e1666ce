"""The newsroom's pages: the review queue, one change (diff, submit, approve...), the record."""

from __future__ import annotations

import logging

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, pgettext
from flask_babel import lazy_gettext as _l

from dxportal.content.loader import parse_page_text
from dxportal.content.schema import SECTIONS
from dxportal.editor import audit, diff, locks, notify, pending, review, signin, staged_media
from dxportal.editor.accounts import AccountsError
from dxportal.editor.gate import refusal
from dxportal.editor.newsroom import current_folder
from dxportal.editor.paths import UnsafePath, page_file
from dxportal.editor.storage import read_file
from dxportal.editor.views import bp, content_root, store

log = logging.getLogger(__name__)
RECORD_LIMIT = 500


def init_app(app: Flask) -> None:
    """Importing this module adds its routes to the editor's blueprint; here, a filter."""
    app.add_template_filter(person_name)
    app.add_template_filter(sentence)
    staged_media.serve_staged_too(app, current_folder, signed_in)


def signed_in() -> bool:
    return newsroom_person() is not None


def sentence(text: str) -> str:
    """A message (written to follow "Error:") as a sentence of its own."""
    return text[:1].upper() + text[1:]


def person_name(login: str, users: dict) -> str:
    user = users.get(login)
    return user.name if user else login


def state_label(state: str) -> str:
    return {
        "draft": gettext("Draft"),
        "review": gettext("In review"),
        "returned": gettext("Returned for changes"),
        "approved": gettext("Approved / scheduled"),
        "published": pgettext("review state", "Published"),
    }[state]


ROLE_NAMES = {
    "writer": _l("writer"),
    "editor": _l("reviewing editor"),
    "admin": _l("administrator"),
}
ACTION_LABELS = {
    "save": _l("Saved"),
    "submit": _l("Submitted for review"),
    "withdraw": _l("Withdrew from review"),
    "approve": _l("Approved"),
    "return": _l("Returned for changes"),
    "publish": _l("Published"),
    "force_publish": _l("Published without review"),
    "confirm": _l("Confirmed after publication"),
    "restore": _l("Restored an earlier version"),
    "translate": _l("Started a translation"),
    "upload": _l("Uploaded a file"),
    "build": _l("Built the site"),
    "user_add": _l("Added a user"),
    "user_change": _l("Changed a user"),
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Wrong password"),
    "locked_out": _l("Sign-in paused"),
    "sign_out": _l("Signed out"),
    "take_over": _l("Took over editing"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@bp.app_context_processor
def newsroom_globals() -> dict:
    return {
        "newsroom_person": newsroom_person,
        "change_for": change_for,
        "state_label": state_label,
        "action_label": action_label,
        "may": may,
        "live_state": live_state,
        "new_changes": new_changes,
        "ROLE_NAMES": ROLE_NAMES,
    }


def newsroom_person():
    """The signed-in user with accounts on, else None (the single-user editor)."""
    try:
        return signin.person() if signin.accounts_on() and signin.signed_in() else None
    except AccountsError:  # a damaged users file: the gate shows it; pages still render
        return None


def may(action: str) -> bool:
    person = newsroom_person()
    return person is not None and review.allowed(person.role, action)


def change_for(section: str, slug: str, lang: str) -> pending.Change | None:
    if newsroom_person() is None:
        return None
    return pending.load_change(current_folder(), content_root(), section, slug, lang)


def live_state(section: str, slug: str, lang: str) -> str | None:
    """The published file's state: "draft", "approved" (scheduled) or "published"."""
    path = page_file(content_root(), section, slug, lang)
    text = read_file(path)
    if text is None:
        return None
    page = parse_page_text(text, path, SECTIONS[section], slug, lang, [])
    if page is None or page.draft:
        return "draft"
    return "approved" if page.is_scheduled(store().now()) else "published"


def new_changes() -> list[pending.Change]:
    """Pending changes for pages not yet in content/ (the list of pages cannot show them)."""
    if newsroom_person() is None:
        return []
    changes = pending.list_changes(current_folder(), content_root())
    return [c for c in changes if live_state(c.section, c.slug, c.lang) is None]


def the_change(section: str, slug: str, lang: str) -> pending.Change:
    if not signin.accounts_on():
        abort(404)
    try:
        change = pending.load_change(current_folder(), content_root(), section, slug, lang)
    except UnsafePath:
        abort(404)
    if change is None:
        abort(404)
    return change


def change_link(change) -> str:
    return url_for("editor.show_change", _external=True, **page_address(change))


def page_address(change) -> dict:
    return {"section": change.section, "slug": change.slug, "page_lang": change.lang}


# --- the queue -----------------------------------------------------------------------------


@bp.route("/review/")
def review_queue():
    if not signin.accounts_on():
        abort(404)
    changes = pending.list_changes(current_folder(), content_root())
    users = signin.users()
    return render_template(
        "editor/review.html",
        waiting=[c for c in changes if c.state == "review"],
        others=[c for c in changes if c.state != "review"],
        unreviewed=review.list_unreviewed(current_folder()),
        users=users,
    )


@bp.route("/change/<section>/<slug>/<page_lang>/")
def show_change(section: str, slug: str, page_lang: str):
    change = the_change(section, slug, page_lang)
    live = read_file(page_file(content_root(), section, slug, page_lang))
    spec = SECTIONS[section]
    return render_template(
        "editor/change.html",
        change=change,
        live=live,
        fields=diff.field_changes(spec, live, change.text),
        lines=diff.body_lines(spec, live, change.text),
        users=signin.users(),
        person=signin.person(),
        **page_address(change),
    )


def step(section: str, slug: str, page_lang: str, run, done: str):
    """Run one review step on the change; refusals are shown with their status."""
    change = the_change(section, slug, page_lang)
    try:
        run(change)
    except review.Refused as refused:
        log.warning("refused %s on %s: %s", request.endpoint, change.page, refused.message)
        return refusal(refused.message, refused.status)
    store().invalidate()
    flash(done)
    return redirect(url_for("editor.show_change", **page_address(change)))


@bp.route("/change/<section>/<slug>/<page_lang>/submit", methods=["POST"])
def submit_change(section: str, slug: str, page_lang: str):
    def run(change):
        review.submit(current_folder(), content_root(), change, signin.person())
        notify.waiting_for_review(
            current_app.config, signin.users(), signin.person(), change.page, change_link(change)
        )

    return step(section, slug, page_lang, run, gettext("Sent for review."))


@bp.route("/change/<section>/<slug>/<page_lang>/withdraw", methods=["POST"])
def withdraw_change(section: str, slug: str, page_lang: str):
    def run(change):
        review.withdraw(current_folder(), content_root(), change, signin.person())

    return step(section, slug, page_lang, run, gettext("Withdrawn from review: a draft again."))


@bp.route("/change/<section>/<slug>/<page_lang>/return", methods=["POST"])
def return_change(section: str, slug: str, page_lang: str):
    comment = request.form.get("comment", "")

    def run(change):
        review.send_back(current_folder(), content_root(), change, signin.person(), comment)
        writer = signin.users().get(change.submitted_by)
        link = change_link(change)
        notify.decided(
            current_app.config, "returned", writer, signin.person(), change.page, link, comment
        )

    return step(section, slug, page_lang, run, gettext("Returned to the writer with your comment."))


@bp.route("/change/<section>/<slug>/<page_lang>/approve", methods=["POST"])
def approve_change(section: str, slug: str, page_lang: str):
    seen = request.form.get("digest")

    def run(change):
        review.approve(
            current_folder(), content_root(), change, signin.person(), signin.users(), seen
        )
        writer = signin.users().get(change.submitted_by)
        link = url_for("editor.edit_page", _external=True, **page_address(change))
        notify.decided(current_app.config, "approved", writer, signin.person(), change.page, link)

    return finished(step(section, slug, page_lang, run, gettext("Approved.")), section, slug,
                    page_lang)  # fmt: skip


@bp.route("/change/<section>/<slug>/<page_lang>/force", methods=["POST"])
def force_publish(section: str, slug: str, page_lang: str):
    reason = request.form.get("reason", "")

    def run(change):
        review.force_publish(
            current_folder(), content_root(), change, signin.person(), reason, signin.users()
        )

    done = gettext("Published without review: another editor must confirm it.")
    return finished(step(section, slug, page_lang, run, done), section, slug, page_lang)


def finished(response, section: str, slug: str, page_lang: str):
    """After approval the change is gone: go to the page itself."""
    if getattr(response, "status_code", 0) == 302:
        return redirect(
            url_for("editor.edit_page", section=section, slug=slug, page_lang=page_lang)
        )
    return response


@bp.route("/confirm/<section>/<slug>/<page_lang>/", methods=["POST"])
def confirm_page(section: str, slug: str, page_lang: str):
    if not signin.accounts_on():
        abort(404)
    try:
        review.confirm(current_folder(), content_root(), section, slug, page_lang, signin.person())
    except UnsafePath:
        abort(404)
    except review.Refused as refused:
        return refusal(refused.message, refused.status)
    flash(gettext("Confirmed: the page is no longer marked as published without review."))
    return redirect(url_for("editor.review_queue"))


# --- the record ----------------------------------------------------------------------------


@bp.route("/record/")
def site_record():
    entries = list(audit.read_record(current_folder()))
    entries.reverse()
    return render_template("editor/record.html", entries=entries[:RECORD_LIMIT], page=None)


@bp.route("/record/<section>/<slug>/<page_lang>/")
def page_record(section: str, slug: str, page_lang: str):
    try:
        page_file(content_root(), section, slug, page_lang)
    except UnsafePath:
        abort(404)
    key = audit.page_key(section, slug, page_lang)
    entries = list(audit.read_record(current_folder(), key))
    entries.reverse()
    return render_template("editor/record.html", entries=entries, page=key)


# --- who is editing: the page's lock --------------------------------------------------------


@bp.before_request
def note_editing() -> None:
    """On opening or saving a page, take its lock, or learn who holds it (for the review bar)."""
    g.lock_holder = None
    if request.endpoint != "editor.edit_page" or newsroom_person() is None:
        return
    args = request.view_args or {}
    try:
        g.lock_holder = locks.hold(
            current_folder(), content_root(), args["section"], args["slug"],
            args["page_lang"], signin.person(),
        )  # fmt: skip
    except UnsafePath:
        return


@bp.route("/lock/<section>/<slug>/<page_lang>/take", methods=["POST"])
def take_over(section: str, slug: str, page_lang: str):
    if newsroom_person() is None:
        abort(404)
    try:
        previous = locks.take_over(
            current_folder(), content_root(), section, slug, page_lang, signin.person()
        )
    except UnsafePath:
        abort(404)
    person = signin.person()
    audit.record(
        current_folder(), person.login, person.name, "take_over",
        audit.page_key(section, slug, page_lang), from_person=previous.login if previous else "",
    )  # fmt: skip
    flash(
        gettext("You are now editing this page; the other person sees your name if they open it.")
    )
    return redirect(url_for("editor.edit_page", section=section, slug=slug, page_lang=page_lang))
