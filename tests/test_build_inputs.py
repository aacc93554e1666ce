"""An incremental build after a change to site.yml, tags.yml, a template or a translation
catalog equals a clean build of the same inputs.

Each build is `dxportal build` in its own process, as it is run, over a copy of the package and
the catalogs (a template or catalog is changed in the copy, never in the project). The
incremental build starts from the previous build's folder and build record
(DXPORTAL_CACHE_DIR); the clean one has neither.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from bs4 import BeautifulSoup

from dxportal.config import PROJECT_ROOT

from conftest import page_text, tree_digest

PACKAGE = Path(sys.modules["dxportal"].__file__).parent
BUILD = "import sys; from dxportal.cli import main; sys.exit(main())"


def copy_project(destination: Path) -> Path:
    """The package and the catalogs, laid out as in the project (site/dxportal, translations)."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(PACKAGE, destination / "site" / "dxportal", ignore=ignore)
    shutil.copytree(PROJECT_ROOT / "translations", destination / "translations", ignore=ignore)
    return destination


def child_env(project: Path, content: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXPORTAL_")}
    env.update(
        PYTHONPATH=str(project / "site"),
        DXPORTAL_CONTENT_DIR=str(content),
        DXPORTAL_CACHE_DIR=str(cache),
        DXPORTAL_TRANSLATIONS_DIR=str(project / "translations"),
        DXPORTAL_NOW="2026-01-01T00:00",
    )
    return env


def build(project: Path, content: Path, output: Path, cache: Path) -> Path:
    run = subprocess.run(
        [sys.executable, "-c", BUILD, "build", "--output", str(output)],
        capture_output=True, text=True, env=child_env(project, content, cache), cwd=project,
        timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return output


def page_texts(folder: Path) -> str:
    return "\n".join(
        BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text()
        for p in sorted(folder.rglob("*.html"))
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} is not there to change"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def change_catalog(project: Path) -> None:
    """A new Vietnamese translation of "Home" in the .po file, compiled into the .mo file."""
    from babel.messages.pofile import read_po

    folder = project / "translations/vi/LC_MESSAGES"
    with (folder / "messages.po").open("rb") as stream:
        catalog = read_po(stream)
    assert catalog["Home"].string == "Trang chủ"
    catalog["Home"].string = "Trang nhà"
    with (folder / "messages.mo").open("wb") as stream:
        write_mo(stream, catalog)


# Each change, and a text that pages show only after it.
CHANGES = {
    "site.yml": (
        lambda project, content: edit(content / "site.yml", "Cổng thử nghiệm", "Cổng đã đổi"),
        "Cổng đã đổi",
    ),
    "tags.yml": (
        lambda project, content: edit(content / "tags.yml", "vi: Ban Chỉ đạo", "vi: Tổ công tác"),
        "Tổ công tác",
    ),
    "template": (
        lambda project, content: edit(
            project / "site/dxportal/templates/partials/footer.html",
            '{{ _("Phone") }}:',
            '{{ _("Phone") }} (mẫu mới):',
        ),
        "(mẫu mới)",
    ),
    "catalog": (lambda project, content: change_catalog(project), "Trang nhà"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_incremental_build_after_the_change_equals_a_clean_build(tmp_path, make_content, change):
    project = copy_project(tmp_path / "project")
    content = make_content(
        {
            "news/hop.vi.md": page_text("Họp Ban Chỉ đạo", tags="[ban-chi-dao]"),
            "news/hop.en.md": page_text("Steering meeting", tags="[ban-chi-dao]"),
            "news/tin.vi.md": page_text("Tin khác", date="2021-04-01"),
        }
    )
    site, cache = tmp_path / "site", tmp_path / "cache"
    imported = subprocess.run(
        [sys.executable, "-c", "import dxportal; print(dxportal.__file__)"],
        capture_output=True, text=True, env=child_env(project, content, cache), check=True,
    ).stdout  # fmt: skip
    assert Path(imported.strip()).is_relative_to(project), "the builds use the copy"
    build(project, content, site, cache)
    build(project, content, site, cache)  # the replaced build is the base of the next one
    before = tree_digest(site)
    apply, shown = CHANGES[change]
    apply(project, content)
    build(project, content, site, cache)
    after = tree_digest(site)

    clean = build(project, content, tmp_path / "clean", tmp_path / "empty-cache")
    assert shown in page_texts(clean), "the change shows in a clean build"
    assert after != before
    assert after == tree_digest(clean)
