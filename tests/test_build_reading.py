"""One reading of the content serves the checks and the published site; the collector is paused
while a build loads it; templates translate as Jinja does."""

from __future__ import annotations

import gc
import subprocess
import sys

import flask_babel
import jinja2
import pytest
from build_support import build, corpus, drafts_and_scheduled
from flask import g, render_template_string

from dxportal.build.freezer import SiteFreezer
from dxportal.content.clock import local_now
from dxportal.content.errors import ContentError
from dxportal.content.loader import load_content, published_content, read_content

from conftest import EMBEDDED_CONTENT, page_text


def test_the_published_site_is_the_one_loading_without_drafts_gives(make_content):
    root = drafts_and_scheduled(make_content)
    now = local_now("2026-01-01T00:00")
    everything, problems = read_content(root, include_drafts=True, now=now)
    assert not problems
    published, problems = published_content(everything, now)
    expected = load_content(root, include_drafts=False, now=now)
    assert not problems
    assert list(published.entries) == list(expected.entries)
    for key, entry in expected.entries.items():
        ours = published.entries[key].versions
        assert list(ours) == list(entry.versions)
        for lang, page in entry.versions.items():
            assert (ours[lang].source_path, ours[lang].meta, ours[lang].body) == (
                page.source_path, page.meta, page.body
            )  # fmt: skip
    assert ("news", "bai-3") not in published.entries and ("news", "bai-4") not in published.entries


@pytest.mark.parametrize("field", ["draft: true", "publish: 2030-01-01 08:00"])
def test_a_build_refuses_navigation_to_a_page_that_is_not_published(tmp_path, make_content, field):
    key, value = field.split(": ")
    root = make_content(
        {
            "pages/about.vi.md": page_text("Giới thiệu", date=None, **{key: value}),
            "pages/about.en.md": page_text("About", date=None, **{key: value}),
            "news/bai-1.vi.md": page_text("Bài một", date="2021-03-01"),
        }
    )
    with pytest.raises(ContentError) as caught:
        build(root, tmp_path / "site", tmp_path / "cache")
    assert [p.message.render() for p in caught.value.problems] == [
        "navigation names page 'about', but there is no content/pages/about.vi.md"
    ]
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_template_gettext_answers_as_jinjas_newstyle_gettext(app_for, lang):
    """dxportal's one-call `_` against Jinja's own (what flask-babel installs)."""
    app = app_for(EMBEDDED_CONTENT)
    source = (
        "{{ _('Home') }}|{{ gettext('Search') }}|{{ _('a < b %% c') }}|"
        "{{ _('%(wanted)s and %(shown)s', wanted='<i>', shown=1) }}|{{ _('not in the catalog') }}"
    )
    reference = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    reference.install_gettext_callables(
        gettext=lambda s: flask_babel.get_translations().ugettext(s),
        ngettext=lambda s, p, n: flask_babel.get_translations().ungettext(s, p, n),
        newstyle=True,
    )
    with app.test_request_context(f"/{lang}/"):
        g.lang = lang
        flask_babel.refresh()
        ours = render_template_string(source)
        assert ours == reference.from_string(source).render()
    assert ours.startswith("Trang chủ|" if lang == "vi" else "Home|")
    assert "&lt;i&gt; and 1" in ours and "a < b % c" in ours


def test_pages_render_with_the_loaded_content_out_of_the_collectors_reach(
    tmp_path, make_content, monkeypatch
):
    root = corpus(make_content)
    frozen: list[int] = []
    real = SiteFreezer.build_one

    def spy(freezer, url):
        frozen.append(gc.get_freeze_count())
        return real(freezer, url)

    monkeypatch.setattr(SiteFreezer, "build_one", spy)
    build(root, tmp_path / "site", tmp_path / "cache")
    assert frozen and min(frozen) > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0  # given back after the build


def test_a_failed_build_gives_the_collector_back(tmp_path, make_content):
    root = corpus(make_content)
    (root / "news/bai-2.vi.md").write_text("---\ntitle: x\ndate: 3/3/2021\n---\n", "utf-8")
    frozen = gc.get_freeze_count()  # the package's imports, in a process that built nothing yet
    with pytest.raises(ContentError):
        build(root, tmp_path / "site", tmp_path / "cache")
    assert gc.isenabled() and gc.get_freeze_count() <= frozen


def test_a_command_starts_with_the_imported_package_out_of_the_collectors_reach():
    """Importing the package makes tens of thousands of lasting objects: a fresh process
    (every `dxportal` command) has them frozen, with the collector on for what comes next."""
    code = (
        "import gc, dxportal.cli; print(gc.isenabled(), gc.get_freeze_count(), gc.get_count()[0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    enabled, frozen, young = out.stdout.split()
    assert enabled == "True"
    assert int(frozen) > 20_000
    assert int(young) < 5_000  # nothing left for a first collection to walk
