"""The layout: one subpackage per stage, arrows one way, no import cycles, small modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from layout_rules import cycles, violations

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "site" / "dxportal"


def test_every_import_follows_the_layout_rules():
    assert violations(PACKAGE_DIR) == []


def test_no_module_imports_another_that_imports_it_back():
    assert cycles(PACKAGE_DIR) == []


@pytest.fixture
def package_copy(tmp_path) -> Path:
    copy = tmp_path / "site" / "dxportal"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    return copy


def append(path: Path, text: str) -> int:
    """Append ``text`` to a module; return the line it starts on."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [text]) + "\n", encoding="utf-8")
    return len(lines) + 1


@pytest.mark.parametrize(
    ("module", "planted", "expected"),
    [
        ("content/model.py", "import flask", "content/ never imports flask"),
        ("content/model.py", "from dxportal.web import urls", "content/ imports only content/"),
        (
            "programme/goals.py",
            "from flask import current_app",
            "programme/ never reads current_app",
        ),
        ("web/views.py", "from dxportal.build import freezing", "web/ never imports build/"),
        ("web/views.py", "from dxportal.search.static import export", "search internals"),
        (
            "search/preview/engine.py",
            "from dxportal.search.static import terms",
            "never import each other",
        ),
        ("build/pipeline.py", "import dxportal.editor", "build/ never imports the editor"),
        ("web/store.py", "from dxportal import cli", "nothing imports the command line"),
        ("editor/views.py", "from dxportal import create_app", "editor gets the factory"),
        ("slugs.py", "from dxportal.content import model", "imports only other leaves"),
    ],
)
def test_a_planted_forbidden_import_is_named_with_its_file_and_line(
    package_copy, module, planted, expected
):
    line = append(package_copy / module, f"def late():\n    {planted}")
    found = violations(package_copy)
    assert len(found) == 1, found
    assert found[0].startswith(f"site/dxportal/{module}:{line + 1}: ")
    assert expected in found[0]


def test_an_import_for_type_checking_only_is_allowed(package_copy):
    append(
        package_copy / "content/model.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import flask",
    )
    assert violations(package_copy) == []


def test_a_planted_cycle_is_found_even_through_a_late_import(package_copy):
    (package_copy / "content" / "first.py").write_text("from dxportal.content import second\n")
    (package_copy / "content" / "second.py").write_text(
        "def late():\n    from dxportal.content.first import something\n"
    )
    assert cycles(package_copy) == [["dxportal.content.first", "dxportal.content.second"]]


def test_a_module_over_500_lines_is_named(package_copy):
    append(package_copy / "slugs.py", "\n" * 600)
    assert [v for v in violations(package_copy) if "lines" in v] == [
        "site/dxportal/slugs.py: " + f"{len((package_copy / 'slugs.py').read_text().splitlines())}"
        " lines (at most 500)"
    ]
