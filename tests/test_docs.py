"""The communicators' guide keeps up with the code: every command and field is documented."""

from __future__ import annotations

import re

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


def test_the_readme_layout_names_every_module():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"\b(\w+)\.py\b", layout))
    package = PROJECT_ROOT / "site" / "dxportal"
    modules = {p.relative_to(package) for p in package.rglob("*.py") if p.stem != "__init__"}
    assert {str(m) for m in modules if m.stem not in named} == set()
    folders = {p.parent.relative_to(package) for p in package.rglob("__init__.py")}
    assert {str(f) for f in folders if f.parts and f"{f.name}/" not in layout} == set()
