"""The communicators' guide keeps up with the code: every command and field is documented."""

from __future__ import annotations

import pytest

from dxportal.cli import main
from dxportal.config import PROJECT_ROOT
from dxportal.content.schema import SECTIONS

GUIDES = ["docs/guide.vi.md", "docs/guide.en.md"]


@pytest.mark.parametrize("guide", GUIDES)
def test_every_command_and_field_is_in_the_guide(guide):
    text = (PROJECT_ROOT / guide).read_text(encoding="utf-8")
    for command in main.commands:
        assert f"dxportal {command}" in text, command
    fields = {spec.name for section in SECTIONS.values() for spec in section.fields}
    for name in fields:
        assert f"| `{name}`" in text or f"`{name}` |" in text or f", `{name}`" in text, name
    for section in SECTIONS:
        assert f"`{section}`" in text, section


def test_readme_links_both_guides():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/guide.vi.md)" in readme and "(docs/guide.en.md)" in readme
