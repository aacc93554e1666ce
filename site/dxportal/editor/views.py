"""The editor's pages under /edit/: list, create, edit, preview, upload, history, publish."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import flask_babel
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, lazy_gettext

from dxportal.content.body_checks import check_body
from dxportal.content.checks import check_content
from dxportal.content.clock import sort_key_date
from dxportal.content.errors import ContentError, ContentProblem
from dxportal.content.findings import ERROR, WARNING
from dxportal.content.loader import parse_page_text, read_content
from dxportal.content.model import ContentSet, Entry, Page
from dxportal.content.references import check_references
from dxportal.content.scaffold import ScaffoldError
from dxportal.content.schema import RESERVED_SLUGS, SECTIONS
from dxportal.editor import auth, form_rows, gate, publishing, saving, signin, upload_form
from dxportal.editor.forms import (
    PageForm,
    PageText,
    attach_problems,
    form_from_request,
    form_from_text,
    page_text,
)
from dxportal.editor.labels import FIELD_HINTS, FIELD_LABELS, OPTION_NAMES, PART_LABELS
from dxportal.editor.page_list import content_rows, folded, tag_choices
from dxportal.editor.paths import UnsafePath, page_file
from dxportal.editor.storage import (
    Conflict,
    digest,
    list_versions,
    read_version,
)
from dxportal.messages import DEFAULT_LANGUAGE, LANGUAGES, Message
from dxportal.slugs import is_slug, make_slug
from dxportal.web import programme_pages

bp = Blueprint(
    "editor", __name__, url_prefix="/edit", static_folder="static", static_url_path="/static"
)

STATUS_LABELS = {
    "published": lazy_gettext("Published on the site"),
    "draft": lazy_gettext("Draft"),
    "scheduled": lazy_gettext("Scheduled"),
    "missing": lazy_gettext("Missing translation"),
    "problems": lazy_gettext("Has problems"),
}
SEVERITY = {ERROR: lazy_gettext("Error"), WARNING: lazy_gettext("Warning")}
OPEN_ENDPOINTS = {"editor.login", "editor.static"}


def content_root() -> Path:
    return Path(current_app.config["DXPORTAL_CONTENT_DIR"])


def store():
    return current_app.extensions["dxportal.store"]


# --- every request: language, sign-in, CSRF, headers -------------------------------------


@bp.before_request
def prepare() -> object:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["ui_lang"] = asked
    g.lang = session.get("ui_lang", DEFAULT_LANGUAGE)
    flask_babel.refresh()
    return gate.before_request(request.endpoint in OPEN_ENDPOINTS)


@bp.after_request
def add_headers(response):
    response.headers["Content-Security-Policy"] = current_app.config["DXPORTAL_EDITOR_CSP"]
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(400)
def refused(error):
    return render_template("editor/error.html", kind="csrf"), 400


@bp.app_errorhandler(413)
def too_large(error):
    return render_template("editor/error.html", kind="too_large"), 413


@bp.app_context_processor
def editor_globals() -> dict:
    return {
        "csrf_token": auth.csrf_token,
        "is_signed_in": auth.is_signed_in,
        "STATUS_LABELS": STATUS_LABELS,
        "SEVERITY": SEVERITY,
        "FIELD_LABELS": FIELD_LABELS,
        "FIELD_HINTS": FIELD_HINTS,
        "PART_LABELS": PART_LABELS,
        "PART_INPUTS": form_rows.PART_INPUTS,
        "OPTION_NAMES": OPTION_NAMES,
    }


def validated(section: str, slug: str, page_lang: str) -> Path:
    """The page's file, or 404 for any name that is not a section, slug and language."""
    try:
        return page_file(content_root(), section, slug, page_lang)
    except UnsafePath:
        abort(404)


# --- sign in ----------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    if signin.accounts_on():
        return signin.login_page(safe_next(request.args.get("next")))
    error = None
    if request.method == "POST":
        if auth.password_matches(request.form.get("password", "")):
            auth.sign_in()
            return redirect(safe_next(request.args.get("next")))
        error = gettext("The password is not right.")
    status = 401 if error else 200
    return render_template("editor/login.html", error=error), status


def safe_next(target: str | None) -> str:
    """Only an address inside the editor (no other host, no scheme)."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and parts.path.startswith("/edit/"):
        return target
    return url_for("editor.list_pages")


@bp.route("/logout", methods=["POST"])
def logout():
    return signin.sign_out(redirect(url_for("editor.login")))


# --- the list of pages -------------------------------------------------------------------


@bp.route("/")
def list_pages():
    query = request.args.get("q", "").strip()
    section = request.args.get("section", "")
    status = request.args.get("status", "")
    oldest_first = request.args.get("sort") == "oldest"
    rows = content_rows(content_root(), store().now())
    if query:
        wanted = folded(query)
        rows = [r for r in rows if wanted in folded(r.title) or wanted in r.slug]
    if section in SECTIONS:
        rows = [r for r in rows if r.section == section]
    if status in STATUS_LABELS:
        rows = [r for r in rows if status in r.statuses]
    rows.sort(key=lambda r: (r.section, r.slug, r.lang))
    rows.sort(key=lambda r: sort_key_date(r.date), reverse=not oldest_first)
    return render_template(
        "editor/list.html",
        rows=rows,
        query=query,
        section=section,
        status=status,
        sort="oldest" if oldest_first else "newest",
        sections=list(SECTIONS),
    )


# --- creating and editing ------------------------------------------------------------------


def loaded_site() -> ContentSet | None:
    try:
        return store().get()
    except ContentError:
        return read_content(content_root(), include_drafts=True)[0]


def analyse(form: PageForm, written: PageText, path: Path, slug: str, lang: str) -> Page | None:
    """Load the text as the site would and put the loader's and checker's problems on the form."""
    problems: list[ContentProblem] = []
    page = parse_page_text(written.text, path, form.section, slug, lang, problems)
    found = [(ERROR, p) for p in problems]
    site = loaded_site()
    if page is not None and site is not None:
        references: list[ContentProblem] = []
        check_references([page], site.tags, content_root(), references)
        found += [(ERROR, p) for p in references]
        found += [(f.severity, f.problem) for f in check_body(page, site, store().now())]
    attach_problems(form, written, saving.without_staged(found))
    return page


def show_form(form: PageForm, section: str, page_lang: str, slug: str | None, **context):
    status = context.pop("status", 200)
    media = sorted(p.name for p in (content_root() / "media").glob("*") if p.is_file())
    site = loaded_site()
    return render_template(
        "editor/edit.html",
        form=form,
        section=section,
        page_lang=page_lang,
        slug=slug,
        media_files=media,
        tag_choices=tag_choices(site.tags if site else {}, page_lang),
        other_lang=next(lg for lg in LANGUAGES if lg != page_lang),
        **context,
    ), status


@bp.route("/new/<section>/<page_lang>/", methods=["GET", "POST"])
def new_page(section: str, page_lang: str):
    if section not in SECTIONS or page_lang not in LANGUAGES:
        abort(404)
    if request.method == "POST":
        return submit(section, page_lang, None)
    form = form_from_text(SECTIONS[section], "")
    return show_form(form, section, page_lang, None, opened_digest="")


@bp.route("/page/<section>/<slug>/<page_lang>/", methods=["GET", "POST"])
def edit_page(section: str, slug: str, page_lang: str):
    path = validated(section, slug, page_lang)
    if request.method == "POST":
        return submit(section, page_lang, slug)
    text = saving.working_text(content_root(), section, slug, page_lang)
    if text is None:
        abort(404)
    form = form_from_text(SECTIONS[section], text)
    written = page_text(form)
    if written is not None:
        analyse(form, written, path, slug, page_lang)
    return show_form(form, section, page_lang, slug, opened_digest=digest(text))


def new_slug(section: str, form: PageForm) -> tuple[str | None, Message | None]:
    wanted = request.form.get("slug", "").strip()
    title = form.field("title").value if form.field("title") else ""
    slug = wanted or make_slug(title)
    if not slug or not is_slug(slug):
        return None, Message(
            "the address must be lowercase letters without accents, digits and hyphens, "
            "e.g. hop-ban-chi-dao"
        )
    if section == "pages" and slug in RESERVED_SLUGS:
        return None, Message("'{slug}' is reserved for the site; choose another slug", slug=slug)
    return slug, None


def submit(section: str, page_lang: str, slug: str | None):
    """Save, or upload a file into the text, and show the form again with its problems."""
    form = form_from_request(SECTIONS[section], request.form)
    opened = request.form.get("digest", "")
    if form_rows.apply_row_action(form.fields, request.form.get("action", "")):
        return show_form(form, section, page_lang, slug, opened_digest=opened)  # not saved
    if request.form.get("action") == "upload":
        uploaded = upload_form.upload_into(form, content_root(), store())
        if upload_form.wants_json():
            return upload_form.json_answer(uploaded, form.general_problems)
        return show_form(form, section, page_lang, slug, opened_digest=opened, uploaded=uploaded)
    creating = slug is None
    if creating:
        slug, problem = new_slug(section, form)
        if problem is not None:
            return show_form(
                form, section, page_lang, None, opened_digest="", slug_problem=problem, status=422
            )
    validated(section, slug, page_lang)
    if creating and saving.exists(content_root(), section, slug, page_lang):
        problem = Message(
            "a page with the address {slug} already exists in this language; open it from "
            "the list or choose another address",
            slug=slug,
        )
        return show_form(
            form, section, page_lang, None, opened_digest="", slug_problem=problem, status=409
        )
    written = page_text(form)
    if written is None:
        return show_form(form, section, page_lang, None if creating else slug,
                         opened_digest=opened, status=422)  # fmt: skip
    try:
        saving.save(content_root(), section, slug, page_lang, written.text, opened)
        store().invalidate()
    except Conflict as conflict:
        return show_form(
            form,
            section,
            page_lang,
            slug,
            opened_digest=digest(conflict.current),
            conflict=conflict.current,
            yours=written.text,
            status=409,
        )
    flash(gettext("Saved."))
    return redirect(url_for("editor.edit_page", section=section, slug=slug, page_lang=page_lang))


# --- preview ----------------------------------------------------------------------------


@bp.route("/preview/<section>/<page_lang>/", methods=["POST"])
def preview(section: str, page_lang: str):
    """The page as the site would show it, rendered from the form by the real templates."""
    if section not in SECTIONS or page_lang not in LANGUAGES:
        abort(404)
    form = form_from_request(SECTIONS[section], request.form)
    slug = request.form.get("slug", "").strip() or make_slug(
        form.field("title").value if form.field("title") else ""
    )
    if not is_slug(slug):
        slug = "preview"
    path = validated(section, slug, page_lang)
    written = page_text(form)
    page = analyse(form, written, path, slug, page_lang) if written is not None else None
    if page is None:
        return render_template("editor/preview_problems.html", form=form)
    return render_as_reader(section, slug, page_lang, page)


def render_as_reader(section: str, slug: str, page_lang: str, page: Page) -> str:
    """``page`` drawn by the site's own template, with the entry's other language as it is;
    the problems that stop the site from loading instead, if another page has any (the site's
    templates show its settings, menus and links, which need the loaded site)."""
    try:
        store().get()
    except ContentError as error:
        return render_template("editor/preview_problems.html", site_problems=error.problems)
    site = loaded_site()
    existing = site.entry(section, slug) if site else None
    entry = Entry(section, slug, dict(existing.versions) if existing else {})
    entry.versions[page_lang] = page
    g.lang = page_lang
    flask_babel.refresh()
    return render_template(
        programme_pages.entry_template(section),
        entry=entry,
        page=page,
        is_fallback=False,
        preview=False,
        **programme_pages.entry_context(entry, page),
    )


@bp.route("/read/<section>/<slug>/<page_lang>/")
def read_page(section: str, slug: str, page_lang: str):
    """The text the editor opens (a pending copy's, in the newsroom) as readers will see it.

    The site preview shows content/ only, so a page that exists only as a pending copy has no
    address there; signed-in people of the newsroom see it here.
    """
    path = validated(section, slug, page_lang)
    text = saving.working_text(content_root(), section, slug, page_lang)
    if text is None:
        abort(404)
    form = form_from_text(SECTIONS[section], text)
    written = page_text(form)
    page = analyse(form, written, path, slug, page_lang) if written is not None else None
    if page is None:
        return render_template("editor/preview_problems.html", form=form), 422
    return render_as_reader(section, slug, page_lang, page)


# --- history, translation, publishing ----------------------------------------------------


@bp.route("/history/<section>/<slug>/<page_lang>/")
def history(section: str, slug: str, page_lang: str):
    validated(section, slug, page_lang)
    versions = list_versions(content_root(), section, slug, page_lang)
    return render_template(
        "editor/history.html", section=section, slug=slug, page_lang=page_lang, versions=versions
    )


@bp.route("/history/<section>/<slug>/<page_lang>/<version>", methods=["GET", "POST"])
def version(section: str, slug: str, page_lang: str, version: str):
    validated(section, slug, page_lang)
    try:
        text = read_version(content_root(), section, slug, page_lang, version)
    except UnsafePath:
        abort(404)
    if text is None:
        abort(404)
    current = saving.working_text(content_root(), section, slug, page_lang)
    if request.method == "POST":
        try:
            opened = request.form.get("digest", "")
            saving.save(content_root(), section, slug, page_lang, text, opened, "restore")
            store().invalidate()
        except Conflict:
            flash(gettext("The page changed since you opened this version; nothing was restored."))
            return redirect(request.path)
        flash(gettext("The earlier version was restored; the replaced one is in the history."))
        return redirect(
            url_for("editor.edit_page", section=section, slug=slug, page_lang=page_lang)
        )
    return render_template(
        "editor/version.html",
        section=section,
        slug=slug,
        page_lang=page_lang,
        version=version,
        text=text,
        current=current,
        current_digest=digest(current),
    )


@bp.route("/translate/<section>/<slug>/<page_lang>/", methods=["POST"])
def translate(section: str, slug: str, page_lang: str):
    validated(section, slug, page_lang)
    try:
        saving.translate(content_root(), section, slug, page_lang)
        store().invalidate()
    except ScaffoldError as exc:
        flash(exc.message.render(gettext))
        return redirect(url_for("editor.list_pages"))
    if signin.accounts_on():
        flash(
            gettext(
                "The translation was started from the other language. It is your draft: "
                "readers see it only after a reviewer approves it."
            )
        )
    else:
        flash(gettext("The translation was started from the other language; it is a draft."))
    return redirect(url_for("editor.edit_page", section=section, slug=slug, page_lang=page_lang))


@bp.route("/publish", methods=["GET", "POST"])
def publish():
    """Check everything and freeze the site into the build folder; report on the page."""
    if request.method == "GET":
        report = check_content(content_root(), store().now(), published_only=True)
        return render_template("editor/publish.html", report=report, result=None)
    settings = {k: v for k, v in current_app.config.items() if k.startswith("DXPORTAL_")}
    settings.update(DXPORTAL_PREVIEW=False, DXPORTAL_EDITOR=False)
    result = publishing.publish(current_app.extensions["dxportal.app_factory"], settings)
    if result.get("ok"):
        saving.note("build", output=str(result["folder"]))
    report = result.pop("report") or check_content(
        content_root(), store().now(), published_only=True
    )
    status = 200 if result["ok"] else 422
    return render_template("editor/publish.html", report=report, result=result), status
