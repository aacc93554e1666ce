"""The parts of Frozen-Flask that are not its public API, which build/ relies on.

build/page_client.py does what ``Freezer._build_one`` does without a test client per URL, and
build/url_plan.py and freeze_loop.py call three more private methods. An upgrade of the pinned
frozen-flask could change any of them silently; these tests fail first, naming the method and
the module of ours to compare it with.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from importlib.metadata import version

import flask_frozen
import pytest
from flask import Flask
from flask_frozen import Freezer

from dxportal.config import PROJECT_ROOT

# Private name -> (the signature we call, the digest of its source when page_client was
# written against it, the module of ours that depends on it).
RELIED_ON = {
    "_build_one": ("(self, url, last_modified=None)", "65d256f4a0b5ba7d", "build/page_client.py"),
    "_script_name": ("(self)", "4a44e86872be8774", "build/page_client.py"),
    "_generate_all_urls": ("(self)", "e1a47fc3b1a7102e", "build/url_plan.py"),
    "_check_endpoints": ("(self, seen_endpoints)", "0b094ebfcddaefab", "build/freeze_loop.py"),
}


def source_digest(function) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def test_the_installed_frozen_flask_is_the_pinned_one():
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pinned = re.search(r'"frozen-flask==([^"]+)"', pyproject).group(1)
    assert version("frozen-flask") == pinned == "1.0.2", (
        "frozen-flask is not 1.0.2: compare Freezer's private methods with build/ (see below) "
        "and update RELIED_ON"
    )


@pytest.mark.parametrize("name", sorted(RELIED_ON))
def test_each_private_method_we_call_is_as_it_was(name):
    signature, digest, ours = RELIED_ON[name]
    method = getattr(Freezer, name, None)
    assert method is not None, f"Freezer.{name} is gone: {ours} calls it"
    assert str(inspect.signature(method)) == signature, (
        f"Freezer.{name} now takes {inspect.signature(method)}: {ours} calls it as {signature}"
    )
    assert source_digest(method) == digest, (
        f"Freezer.{name} changed: read its new source against {ours}, then record its digest "
        f"{source_digest(method)} here"
    )


def test_the_public_hooks_page_client_reads_still_exist():
    assert str(inspect.signature(flask_frozen.conditional_context)) == "(context, condition)"
    freezer = Freezer(Flask(__name__), log_url_for=True)
    for attribute in ("url_for_logger", "log_url_for", "root", "urlpath_to_filepath"):
        assert hasattr(freezer, attribute), f"Freezer.{attribute} is gone: build/ uses it"
