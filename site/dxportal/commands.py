"""What every `dxportal` command shares: its settings outside an app, the --lang option and the
messages in that language. The command groups (cli.py, editor/user_commands.py,
deploy/command.py) use these, so that a new command cannot drift from the others."""

from __future__ import annotations

from pathlib import Path

import click

from dxportal import config
from dxportal.catalogs import translator_for
from dxportal.messages import DEFAULT_LANGUAGE, LANGUAGES, Translate

LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="Language of the messages: vi (Vietnamese) or en (English).",
)


def settings() -> dict[str, object]:
    """The DXPORTAL_* settings outside the app: the defaults and the environment's values."""
    return {**config.DEFAULTS, **config.from_environment()}


def setting(key: str) -> str:
    return str(settings()[key])


def messages_in(lang: str) -> Translate:
    """gettext for ``lang`` from the configured catalogs (compiled first if need be)."""
    return translator_for(lang, Path(setting("DXPORTAL_TRANSLATIONS_DIR")))
