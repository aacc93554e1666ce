"""The `dxportal` command: build the static site, serve a live preview."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import create_app
from .errors import ContentError
from .freezing import BuildError, freeze_site


@click.group(help="dxportal: publish the digital-transformation portal.")
def main() -> None:
    pass


@main.command(help="Freeze the whole site into static files (default: build/).")
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site into (replaced only when the build succeeds).",
)
@click.option("--base-url", help="Public address of the site, e.g. https://example.org/portal/")
def build(output: Path | None, base_url: str | None) -> None:
    sys.exit(run_build(output, base_url))


def run_build(output: Path | None = None, base_url: str | None = None) -> int:
    """Build and report in plain words; return the exit code (no traceback for content errors)."""
    overrides: dict[str, object] = {"DXPORTAL_PREVIEW": False}
    if base_url:
        if not base_url.endswith("/"):
            base_url += "/"
        overrides.update(DXPORTAL_BASE_URL=base_url, FREEZER_BASE_URL=base_url)
    app = create_app(overrides)
    try:
        urls = freeze_site(app, output)
    except ContentError as exc:
        click.echo(f"Build failed: {len(exc.problems)} content problem(s):", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        click.echo("Nothing was published; the previous build is unchanged.", err=True)
        return 1
    except BuildError as exc:
        click.echo(f"Build refused: {exc}", err=True)
        return 1
    destination = output or app.config["DXPORTAL_BUILD_DIR"]
    click.echo(f"Built {len(urls)} pages and files into {destination}")
    return 0


@main.command(help="Rebuild the search index (search_index/) from the content.")
def index() -> None:
    from .search.index import build_index

    app = create_app({"DXPORTAL_PREVIEW": False})
    try:
        site = app.extensions["dxportal.store"].get()
    except ContentError as exc:
        click.echo(f"Index not built: {len(exc.problems)} content problem(s):", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    folder = Path(app.config["DXPORTAL_SEARCH_INDEX_DIR"])
    build_index(site, folder, app.extensions["dxportal.renderer"])
    click.echo(f"Indexed {len(site.entries)} entries into {folder}")


@main.command(help="Serve a live preview at http://127.0.0.1:5000 (drafts shown, reloads).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    app = create_app({"DXPORTAL_PREVIEW": True})
    translations = Path(app.config["DXPORTAL_TRANSLATIONS_DIR"])
    extra_files = [str(p) for p in translations.glob("*/LC_MESSAGES/messages.po")]
    app.run(host=host, port=port, debug=False, use_reloader=True, extra_files=extra_files)
