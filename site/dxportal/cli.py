"""The `dxportal` command: write, check, preview and publish the portal.

Messages for communicators are Message objects, printed in Vietnamese (the default) or English
with --lang.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from dxportal import config, create_app, progress, workers
from dxportal.build.destination import BuildError
from dxportal.build.pipeline import freeze_site
from dxportal.build.watch import SiteWatch, watch_site
from dxportal.catalogs import translator_for, untranslated, update_catalogs
from dxportal.commands import LANG_OPTION, messages_in, setting
from dxportal.content.checks import check_content
from dxportal.content.clock import local_now
from dxportal.content.errors import ContentError
from dxportal.content.findings import CheckFailed, CheckReport, Finding, display_path
from dxportal.content.scaffold import ScaffoldError, create_page, translate_page
from dxportal.content.schema import SECTIONS
from dxportal.deploy.command import deploy
from dxportal.deploy.limits import build_limit_warnings
from dxportal.editor import BindRefused, check_bind, hash_password
from dxportal.editor.newsroom import newsroom_folder
from dxportal.editor.user_commands import user as user_commands
from dxportal.messages import DEFAULT_LANGUAGE, LANGUAGES, Message, Translate
from dxportal.progress import Report
from dxportal.web import hosts
from dxportal.web.live_reload import start_watching


def say(message: Message, translate: Translate, err: bool = False) -> None:
    click.echo(message.render(translate), err=err)


# What each stage's progress is called (progress.py shows it on standard error).
STAGE_LABELS = {
    "pages": Message("Pages"),
    "index": Message("Search index"),
}
QUIET_OPTION = click.option(
    "--quiet", "-q", is_flag=True, help="Show no progress, only the result and problems."
)


def progress_for(translate: Translate, quiet: bool) -> Report:
    """Bars on a terminal, plain lines elsewhere (a CI log), nothing with --quiet."""

    def label(stage: str) -> str:
        return STAGE_LABELS[stage].render(translate) if stage in STAGE_LABELS else stage

    return progress.reporter(sys.stderr, quiet, label)


def run(argv: list[str] | None = None) -> NoReturn:
    """The `dxportal` command as a process (the console script, freeze.py).

    It ends without tearing the interpreter down: after a build, freeing its hundreds of
    thousands of objects one by one took a quarter of a second at 5,000 articles, for a
    process about to end anyway. Every file is closed by then; the output is flushed here.
    An unexpected exception ends the process as usual (with its traceback).
    """
    try:
        main(argv)  # click's standalone mode ends with SystemExit
        status = 0
    except SystemExit as exc:
        status = exit_status(exc.code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def exit_status(code: object) -> int:
    """The status sys.exit(code) ends a process with (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


class Commands(click.Group):
    """The command group: a wrong DXPORTAL_* value is one line and exit status 2, never a
    traceback, whichever command meets it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["dxportal.argv"] = list(args)  # for the language of a settings error
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except config.ConfigError as exc:
            lang = requested_language(ctx.meta.get("dxportal.argv", []))
            click.echo(f"dxportal: {exc.message.render(plain_messages_in(lang))}", err=True)
            ctx.exit(2)


def requested_language(args: list[str]) -> str:
    """The --lang a command line asks for (the group reads it before the command parses it)."""
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args) and args[index + 1] in LANGUAGES:
            return args[index + 1]
        if arg.startswith("--lang=") and arg[7:] in LANGUAGES:
            return arg[7:]
    return DEFAULT_LANGUAGE


def plain_messages_in(lang: str) -> Translate:
    """messages_in without reading the (possibly wrong) settings: the default catalogs."""
    translations = Path(config.DEFAULTS["DXPORTAL_TRANSLATIONS_DIR"])
    raw = os.environ.get("DXPORTAL_TRANSLATIONS_DIR", "").strip()
    return translator_for(lang, Path(raw) if raw else translations)


@click.group(
    cls=Commands,
    help="dxportal: write, check, preview and publish the digital-transformation portal.",
)
def main() -> None:
    config.from_environment()  # every DXPORTAL_* value checked before any command runs


@main.command(
    help="Freeze the whole site into static files (default: build/). "
    "Checks all content first and builds nothing if there is an error."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site into (replaced only when the build succeeds).",
)
@click.option("--base-url", help="Public address of the site, e.g. https://example.org/portal/")
@click.option(
    "--watch",
    is_flag=True,
    help="Keep running: rebuild whenever content, a template or a translation is saved "
    "(one line per rebuild). Ctrl-C stops.",
)
@QUIET_OPTION
@LANG_OPTION
def build(output: Path | None, base_url: str | None, watch: bool, quiet: bool, lang: str) -> None:
    if watch:
        sys.exit(run_watch(output, base_url, lang, quiet))
    sys.exit(run_build(output, base_url, lang, quiet))


def build_overrides(base_url: str | None) -> dict[str, object]:
    """The app settings of a build (--base-url checked like DXPORTAL_BASE_URL)."""
    overrides: dict[str, object] = {"DXPORTAL_PREVIEW": False}
    if base_url:
        if not base_url.endswith("/"):
            base_url += "/"
        config.validated({"DXPORTAL_BASE_URL": base_url})
        overrides.update(DXPORTAL_BASE_URL=base_url, FREEZER_BASE_URL=base_url)
    return overrides


def run_watch(output: Path | None, base_url: str | None, lang: str, quiet: bool) -> int:
    """`build --watch`: build, then rebuild on every save until Ctrl-C (build/watch.py)."""
    translate = messages_in(lang)
    overrides = build_overrides(base_url)
    site: SiteWatch | None = None
    report = progress_for(translate, quiet)
    signal.signal(signal.SIGTERM, stop_as_ctrl_c)  # `kill`, a service manager: as Ctrl-C
    try:
        site = SiteWatch(lambda: create_app(dict(overrides)), output, translate)
        watch_site(site, lambda line, err: click.echo(line, err=err), report)
    except KeyboardInterrupt:
        workers.stop_all()  # forked just before Ctrl-C came, before their pool could stop them
        progress.close(report)  # interrupted during the first build
        say(Message("Stopped watching; the last good build is in place."), translate)
    finally:
        if site is not None:
            site.watch.stop()
    return 0


def stop_as_ctrl_c(_signum: int, _frame: object) -> None:
    """SIGTERM stops `build --watch` as Ctrl-C does: the build under way is dropped (its
    staging folder removed, its workers stopped), the last good build stays, exit status 0."""
    raise KeyboardInterrupt


def run_build(output: Path | None = None, base_url: str | None = None, lang: str = "vi",
              quiet: bool = True) -> int:  # fmt: skip
    """Build and report in plain words; return the exit code (no traceback for content errors).
    Progress is shown on standard error unless ``quiet``."""
    translate = messages_in(lang)
    started = time.perf_counter()
    app = create_app(build_overrides(base_url))
    report = progress_for(translate, quiet)
    try:
        urls = freeze_site(app, output, report)
    except CheckFailed as exc:
        print_report(exc.report, translate, err=True)
        say(Message("Nothing was published; the previous build is unchanged."), translate, True)
        return 1
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(problem.render(translate), err=True)
        say(Message("Nothing was published; the previous build is unchanged."), translate, True)
        return 1
    except BuildError as exc:
        say(Message("Build refused: {reason}", reason=str(exc)), translate, True)
        return 1
    finally:
        progress.close(report)
    destination = output or app.config["DXPORTAL_BUILD_DIR"]
    warnings = app.extensions["dxportal.check_report"].warnings
    if warnings:  # one write: thousands of flushed lines cost a tenth of a second
        click.echo("\n".join(warning_lines(warnings, translate)))
    address = app.config["FREEZER_BASE_URL"]
    if config.is_placeholder_address(address):
        warning = Message(
            "warning: the site's links, sitemap and feeds point at {address}, a local or "
            "example address; set the public address as base_url in content/site.yml "
            "(or --base-url)",
            address=address,
        )
        say(warning, translate)
    say(
        Message(
            "Built {count} pages and files into {folder} in {seconds} s",
            count=len(urls),
            folder=destination,
            seconds=f"{time.perf_counter() - started:.1f}",
        ),
        translate,
    )
    for limit in build_limit_warnings(Path(destination)):
        say(limit, translate)
    return 0


# A build shows this many warnings of each kind; `dxportal check` shows them all. A site
# whose pages are mostly untranslated would otherwise print thousands of lines per build.
WARNINGS_SHOWN_PER_KIND = 10


def warning_lines(warnings: list[Finding], translate: Translate) -> list[str]:
    """The build's warnings, at most WARNINGS_SHOWN_PER_KIND of each kind (the same message
    template), each kind followed by how many were left out."""
    by_kind: dict[str, list[Finding]] = {}
    for finding in warnings:
        by_kind.setdefault(finding.problem.message.template, []).append(finding)
    lines = []
    for findings in by_kind.values():
        lines += [finding.render(translate) for finding in findings[:WARNINGS_SHOWN_PER_KIND]]
        if len(findings) > WARNINGS_SHOWN_PER_KIND:
            more = Message(
                "… and {count} more warnings like the one above: `dxportal check` lists them all",
                count=len(findings) - WARNINGS_SHOWN_PER_KIND,
            )
            lines.append(more.render(translate))
    return lines


@main.command(
    help="Check all content (drafts too) without building. Prints every problem as "
    "path:line: message. Exit status 1 if there is an error, 0 with only warnings."
)
@LANG_OPTION
def check(lang: str) -> None:
    translate = messages_in(lang)
    now = local_now(setting("DXPORTAL_NOW"))
    cache = setting("DXPORTAL_CACHE_DIR")
    report = check_content(
        Path(setting("DXPORTAL_CONTENT_DIR")), now, cache_dir=Path(cache) if cache else None
    )
    print_report(report, translate)
    sys.exit(1 if report.errors else 0)


def print_report(report: CheckReport, translate: Translate, err: bool = False) -> None:
    if report.findings:
        click.echo("\n".join(finding.render(translate) for finding in report.findings), err=err)
    missing = report.missing_translations
    if any(missing.values()):
        say(
            Message(
                "Pages without a translation: {vi} without Vietnamese, {en} without English",
                vi=missing.get("vi", 0),
                en=missing.get("en", 0),
            ),
            translate,
            err,
        )
    say(
        Message(
            "{errors} error(s), {warnings} warning(s)",
            errors=len(report.errors),
            warnings=len(report.warnings),
        ),
        translate,
        err,
    )


@main.command(
    help='Start a new page as a draft: dxportal new news "Họp Ban Chỉ đạo lần thứ '
    'nhất". The file name comes from the title. Never replaces an existing file. '
    "With --translate SLUG, starts the other language's version of an existing page."
)
@click.argument("section", type=click.Choice(list(SECTIONS)))
@click.argument("title", required=False)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the new page (default: vi; with --translate, the missing one).",
)
@click.option(
    "--translate",
    "slug",
    metavar="SLUG",
    help="Start a translation of content/SECTION/SLUG.vi.md (or .en.md).",
)
def new(section: str, title: str | None, lang: str | None, slug: str | None) -> None:
    translate = messages_in(lang or DEFAULT_LANGUAGE)
    root = Path(setting("DXPORTAL_CONTENT_DIR"))
    try:
        if slug:
            path = translate_page(root, section, slug, lang, title)
        elif title:
            today = local_now(setting("DXPORTAL_NOW")).date()
            path = create_page(root, section, title, lang or DEFAULT_LANGUAGE, today)
        else:
            raise ScaffoldError(
                Message(
                    "give the title in quotes, e.g. dxportal new news "
                    '"Họp Ban Chỉ đạo lần thứ nhất"'
                )
            )
    except ScaffoldError as exc:
        say(exc.message, translate, err=True)
        sys.exit(1)
    page_slug, page_lang, _ = path.name.split(".")
    folder = "" if section == "pages" else f"{section}/"
    address = f"/{page_lang}/{folder}{page_slug}/"
    say(
        Message(
            "Created {path} (a draft). Preview it with dxportal serve at {address}",
            path=display_path(path),
            address=address,
        ),
        translate,
    )


@main.command(
    help="Rebuild the search index (search_index/) from the content: written aside, then "
    "swapped in, so a running preview keeps searching the old one meanwhile."
)
@QUIET_OPTION
@LANG_OPTION
def index(quiet: bool, lang: str) -> None:
    from dxportal.search.preview.index import build_index

    translate = messages_in(lang)
    started = time.perf_counter()
    app = create_app({"DXPORTAL_PREVIEW": False})
    try:
        site = app.extensions["dxportal.store"].get()
    except ContentError as exc:
        say(Message("Index not built: {count} content problem(s):", count=len(exc.problems)),
            translate, True)  # fmt: skip
        for problem in exc.problems:
            click.echo(f"  {problem.render(translate)}", err=True)
        sys.exit(1)
    folder = Path(app.config["DXPORTAL_SEARCH_INDEX_DIR"])
    report = progress_for(translate, quiet)
    try:
        build_index(site, folder, app.extensions["dxportal.renderer"], report, processes=2)
    finally:
        progress.close(report)
    say(
        Message(
            "Indexed {count} entries into {folder} in {seconds} s",
            count=len(site.entries),
            folder=folder,
            seconds=f"{time.perf_counter() - started:.1f}",
        ),
        translate,
    )


@main.command(
    help="Serve a live preview at http://127.0.0.1:5000: drafts and scheduled pages "
    "are shown with a notice, each page shows its problems, and the browser reloads "
    "when content, templates or translations change. With --edit, also the browser "
    "editor at /edit/ (user accounts, `dxportal user add`, are required on any address but "
    "127.0.0.1)."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--edit", is_flag=True, help="Add the browser editor at /edit/.")
@QUIET_OPTION
@LANG_OPTION
def serve(host: str, port: int, edit: bool, quiet: bool, lang: str) -> None:
    if edit:
        try:
            check_bind(host, setting("DXPORTAL_EDITOR_PASSWORD_HASH"), users_folder())
        except BindRefused as exc:
            say(exc.message, messages_in(lang), err=True)
            sys.exit(2)
    app = create_app({"DXPORTAL_PREVIEW": True, "DXPORTAL_EDITOR": edit})
    # Only these names are answered (DNS rebinding): loopback, --host, DXPORTAL_TRUSTED_HOSTS.
    app.config[hosts.CONFIG_KEY] = hosts.trusted_hosts(host, app.config["DXPORTAL_TRUSTED_HOSTS"])
    # Werkzeug's reloader restarts the server when the Python code changes; the watcher runs
    # in the serving process only. The "stat" reloader polls the project's modules: the
    # watchdog one would watch all of site-packages and overflow inotify queues.
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        watch = start_watching(app)
        # The search index is built or updated in the background: no search waits for it;
        # the keeper looks at the content as soon as the watch reports a change.
        engine = app.extensions["dxportal.search"]
        keeper = engine.start_keeper(progress_for(messages_in(lang), quiet))
        watch.subscribe(lambda path: keeper.poke())
    if edit and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        say(Message("Editor: http://{host}:{port}/edit/", host=host, port=port), messages_in(lang))
    app.run(
        host=host, port=port, debug=False, use_reloader=True, reloader_type="stat", threaded=True
    )


main.add_command(user_commands)


def users_folder() -> Path:
    return newsroom_folder({**config.DEFAULTS, **config.from_environment()})


@main.command(
    "editor-password",
    help="Print a password hash for the editor (dxportal serve --edit): put it in the "
    "DXPORTAL_EDITOR_PASSWORD_HASH environment variable. The password itself is not stored.",
)
@click.password_option(help="The password (asked twice if not given).")
@LANG_OPTION
def editor_password(password: str, lang: str) -> None:
    say(Message("Set this in the environment of dxportal serve --edit:"), messages_in(lang))
    click.echo(f"DXPORTAL_EDITOR_PASSWORD_HASH='{hash_password(password)}'")


main.add_command(deploy)


@main.command(
    help="Update the interface translations: extract the strings, merge them into "
    "translations/*/messages.po, compile. Exit status 1 while a string has no "
    "Vietnamese translation."
)
@LANG_OPTION
def i18n(lang: str) -> None:
    translations = Path(setting("DXPORTAL_TRANSLATIONS_DIR"))
    update_catalogs(config.PROJECT_ROOT, translations)
    translate = messages_in(lang)
    missing = untranslated(translations, "vi")
    for msgid in missing:
        click.echo(f"  {msgid}")
    say(
        Message(
            "{count} string(s) without a Vietnamese translation in {path}",
            count=len(missing),
            path=translations / "vi/LC_MESSAGES/messages.po",
        ),
        translate,
    )
    sys.exit(1 if missing else 0)
