"""What build/freezer.py (the one subclass of Frozen-Flask's Freezer) relies on beyond the
documented API, pinned: an upgrade of frozen-flask that changes any of it fails here, naming
the method and what of ours to compare it with.

Private methods: ``_check_endpoints`` is called; ``_build_one`` and ``_script_name`` are
mirrored (SiteFreezer.build_one and .script_name do what they do, tested against them);
``_generate_all_urls`` is behind the public ``all_urls``, whose order generated_urls relies
on. Each is pinned by signature and source, and its behaviour is checked on a small app.
"""

from __future__ import annotations

import collections
import hashlib
import inspect
import re
import warnings
from datetime import datetime
from importlib.metadata import version

import flask_frozen
import pytest
from build_support import tiny_freezer
from flask import Flask, request, url_for
from flask_frozen import Freezer, MissingURLGeneratorWarning

from dxportal.build.freezer import SiteFreezer
from dxportal.config import PROJECT_ROOT

# Private name -> (its signature, the digest of its source when build/freezer.py was written
# against it, what of ours depends on it).
RELIED_ON = {
    "_build_one": (
        "(self, url, last_modified=None)",
        "65d256f4a0b5ba7d",
        "SiteFreezer.build_one, which does what it does but replaces files",
    ),
    "_script_name": ("(self)", "4a44e86872be8774", "SiteFreezer.script_name, its copy"),
    "_generate_all_urls": (
        "(self)",
        "e1a47fc3b1a7102e",
        "SiteFreezer.generated_urls, through all_urls (one URL per item, in order)",
    ),
    "_check_endpoints": (
        "(self, seen_endpoints)",
        "0b094ebfcddaefab",
        "SiteFreezer.check_endpoints",
    ),
}
PACKAGE = PROJECT_ROOT / "site" / "dxportal"


def source_digest(function) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def test_the_installed_frozen_flask_is_the_pinned_one():
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pinned = re.search(r'"frozen-flask==([^"]+)"', pyproject).group(1)
    assert version("frozen-flask") == pinned == "1.0.2", (
        "frozen-flask is not 1.0.2: compare Freezer's private methods with build/freezer.py "
        "(see below) and update RELIED_ON"
    )


@pytest.mark.parametrize("name", sorted(RELIED_ON))
def test_each_private_method_relied_on_is_as_it_was(name):
    signature, digest, ours = RELIED_ON[name]
    method = getattr(Freezer, name, None)
    assert method is not None, f"Freezer.{name} is gone: {ours} relies on it"
    assert str(inspect.signature(method)) == signature, (
        f"Freezer.{name} now takes {inspect.signature(method)}: {ours} relies on {signature}"
    )
    assert source_digest(method) == digest, (
        f"Freezer.{name} changed: read its new source against {ours}, then record its digest "
        f"{source_digest(method)} here"
    )


def test_only_build_freezer_py_touches_frozen_flasks_private_parts():
    private = {n for n in dir(Freezer) if n.startswith("_") and not n.startswith("__")}
    used = re.compile(r"\.(" + "|".join(sorted(private)) + r")\b")
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(PACKAGE).as_posix()
        if where != "build/freezer.py":
            assert not used.search(text), f"{where} calls Freezer.{used.search(text).group(1)}"
            assert not re.search(r"\bFreezer\(", text), f"{where} makes a Freezer: use SiteFreezer"


def test_check_endpoints_warns_about_the_endpoints_nothing_was_frozen_for(tmp_path):
    freezer = tiny_freezer(tmp_path)
    with pytest.warns(MissingURLGeneratorWarning, match="Nothing frozen for endpoints extra"):
        freezer.check_endpoints({"page"}, set())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        freezer.check_endpoints({"page"}, {"extra"})  # Freezer._check_endpoints: no warning
        freezer.check_endpoints({"page", "extra"}, set())


@pytest.mark.parametrize(
    "base_url", [None, "", "https://example.org", "https://example.org/portal/", "/a/b/"]
)
def test_the_script_name_is_frozen_flasks(tmp_path, base_url):
    freezer = tiny_freezer(tmp_path, base_url)
    assert freezer.script_name == freezer._script_name(), "Freezer._script_name changed"


def test_all_urls_gives_one_url_per_generated_item_in_order(tmp_path):
    """SiteFreezer.generated_urls pairs each item with the URL all_urls gives for it."""
    freezer = tiny_freezer(tmp_path, "https://example.org/portal/")
    freezer.url_generators.clear()

    @freezer.register_generator
    def page():  # a mapping: the endpoint is the generator's name
        yield {"name": "b"}
        yield "page", {"name": "a b"}
        yield "/raw/"
        yield "extra", {"n": 2}, datetime(2026, 1, 1)  # with last_modified

    assert list(freezer.generated_urls()) == [
        ("/b/", "page", {"name": "b"}),
        ("/a b/", "page", {"name": "a b"}),
        ("/raw/", None, {}),
        ("/extra/2/", "extra", {"n": 2}),
    ]
    assert list(freezer.all_urls()) == ["/b/", "/a b/", "/raw/", "/extra/2/"]


def test_the_url_for_logger_logs_calls_while_entered(tmp_path):
    """build_urls reads the calls each page made from logged_calls."""
    freezer = tiny_freezer(tmp_path)
    logger = freezer.url_for_logger
    assert isinstance(logger.logged_calls, collections.deque)
    assert str(inspect.signature(flask_frozen.conditional_context)) == "(context, condition)"
    with freezer.app.test_request_context():
        url_for("extra", n=1)
        with flask_frozen.conditional_context(logger, freezer.log_url_for):
            url_for("extra", n=2)
        url_for("extra", n=3)
    assert list(logger.logged_calls) == [("extra", {"n": 2})], "UrlForLogger changed"


def test_the_public_attributes_the_subclass_reads_still_exist(tmp_path):
    freezer = SiteFreezer(Flask(__name__))
    for attribute in ("url_for_logger", "log_url_for", "root", "urlpath_to_filepath"):
        assert hasattr(freezer, attribute), f"Freezer.{attribute} is gone: build/ uses it"
    assert freezer.urlpath_to_filepath("/a/") == "a/index.html"
    freezer = tiny_freezer(tmp_path)
    freezer.root.mkdir()
    with freezer.app.test_request_context():
        freezer.build_one("/a/")
    assert (freezer.root / "a/index.html").read_text(encoding="utf-8").startswith("/extra/1/")


def test_no_cookie_goes_from_one_page_to_the_next(tmp_path):
    """Frozen-Flask gets each URL with a new test client, so no page sees a cookie another
    set; build_urls gets them all with one client that keeps none."""
    app = Flask(__name__)
    app.config["FREEZER_DESTINATION"] = str(tmp_path / "out")

    @app.route("/<name>/")
    def page(name: str):
        response = app.make_response(",".join(sorted(request.cookies)) or "none")
        response.set_cookie(name, "1")
        return response

    freezer = SiteFreezer(app)
    freezer.root.mkdir()
    freezer.build_urls(["/a/", "/b/", "/c/"], set())
    for name in "abc":
        assert (freezer.root / name / "index.html").read_text(encoding="utf-8") == "none"
