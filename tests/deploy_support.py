"""Helpers of the deploy tests: a small site built with the real command, and `dxportal deploy`."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from dxportal.cli import main
from dxportal.deploy.manifest import write_manifest

from conftest import page_text, tree_digest

PUBLIC = "https://chuyendoiso.bentre.gov.vn/"


def news(body: str) -> dict[str, str]:
    return {"news/tin.vi.md": page_text("Tin", body=body), "news/cu.vi.md": page_text("Cũ")}


def build(root: Path, output: Path, base_url: str | None = PUBLIC) -> Result:
    arguments = ["build", "--output", str(output), "--lang", "en"]
    if base_url:
        arguments += ["--base-url", base_url]
    return CliRunner().invoke(main, arguments, env={"DXPORTAL_CONTENT_DIR": str(root)})


def deploy(*arguments: str, build_dir: Path | None = None, lang: str = "en") -> Result:
    extra = ["--build-dir", str(build_dir)] if build_dir else []
    return CliRunner().invoke(main, ["deploy", *arguments, *extra, "--lang", lang])


def variant(build_dir: Path, into: Path, path: str, text: str) -> Path:
    """A copy of a build with one file written, its manifest written again by the build's
    own code: another finished build, made without a second build."""
    shutil.copytree(build_dir, into)
    (into / path).parent.mkdir(parents=True, exist_ok=True)
    (into / path).write_text(text, encoding="utf-8")
    write_manifest(into, PUBLIC)
    return into


def same_tree(a: Path, b: Path) -> bool:
    return tree_digest(a) == tree_digest(b)
