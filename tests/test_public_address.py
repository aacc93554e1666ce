"""The site's public address: base_url in site.yml, overridden by DXPORTAL_BASE_URL and
--base-url; a build made with a loopback or example address says so in one warning line."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from dxportal.cli import main

from conftest import EMBEDDED_CONTENT, parse

PUBLIC = "https://chuyendoiso.bentre.gov.vn/portal/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WARNING = "a local or example address"


@pytest.fixture
def content(tmp_path) -> Path:
    """The embedded content, whose site.yml names an example address."""
    root = tmp_path / "content"
    shutil.copytree(EMBEDDED_CONTENT, root)
    return root


def set_base_url(root: Path, value: str | None) -> None:
    site_yml = root / "site.yml"
    text = re.sub(r"^base_url:.*\n", "", site_yml.read_text(encoding="utf-8"), flags=re.M)
    if value is not None:
        text += f"base_url: {value}\n"
    site_yml.write_text(text, encoding="utf-8")


def build(root: Path, out: Path, monkeypatch, *args: str, env: dict | None = None):
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    monkeypatch.setenv("DXPORTAL_NOW", "2026-12-02T08:00")
    monkeypatch.delenv("DXPORTAL_BASE_URL", raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(main, ["build", "--output", str(out), "--lang", "en", *args])


def addresses_written(out: Path) -> dict[str, set[str]]:
    """Every absolute address each kind of machine-readable output carries."""
    found: dict[str, set[str]] = {}
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    found["sitemap"] = {loc.text for loc in sitemap.iter(f"{SITEMAP}loc")}
    feed = ET.parse(out / "vi" / "news" / "feed.xml").getroot()
    found["feed"] = {e.text for e in feed.iter(f"{ATOM}id")} | {
        link.get("href") for link in feed.iter(f"{ATOM}link")
    }
    calendar = (out / "vi" / "training" / "calendar.ics").read_text(encoding="utf-8")
    found["calendar"] = set(re.findall(r"^URL:(\S+)", calendar.replace("\r\n ", ""), re.M))
    page = parse((out / "vi" / "index.html").read_text(encoding="utf-8"))
    found["canonical"] = {page.select_one('link[rel="canonical"]')["href"]}
    found["share"] = {page.select_one('meta[property="og:url"]')["content"]}
    call = next((out / "vi" / "training").glob("*/index.html"))
    data = json.loads(
        parse(call.read_text(encoding="utf-8"))
        .select_one('script[type="application/ld+json"]')
        .string
    )
    found["json-ld"] = {data["url"]}
    return found


def test_every_absolute_address_carries_site_yml_s_base_url(content, tmp_path, monkeypatch):
    set_base_url(content, PUBLIC)
    result = build(content, tmp_path / "out", monkeypatch)
    assert result.exit_code == 0, result.output
    assert WARNING not in result.output
    for kind, addresses in addresses_written(tmp_path / "out").items():
        assert addresses, kind
        assert all(a.startswith(PUBLIC) for a in addresses), (kind, addresses)


def test_the_setting_and_the_option_override_site_yml(content, tmp_path, monkeypatch):
    set_base_url(content, PUBLIC)
    other = "https://cds.bentre.gov.vn/"
    result = build(content, tmp_path / "a", monkeypatch, env={"DXPORTAL_BASE_URL": other})
    assert result.exit_code == 0, result.output
    assert addresses_written(tmp_path / "a")["canonical"] == {other + "vi/"}
    third = "https://dx.bentre.gov.vn/"
    result = build(content, tmp_path / "b", monkeypatch, "--base-url", third,
                   env={"DXPORTAL_BASE_URL": other})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert addresses_written(tmp_path / "b")["sitemap"] >= {third + "vi/", third + "en/"}


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        (None, "http://127.0.0.1:5000/"),  # nothing configured: the local preview's address
        ("http://localhost:8000/", "http://localhost:8000/"),
        ("https://chuyendoiso.bentre.example/", "https://chuyendoiso.bentre.example/"),
        ("https://www.example.org/dx/", "https://www.example.org/dx/"),
    ],
)
def test_a_local_or_example_address_is_one_warning_line(
    content, tmp_path, monkeypatch, base_url, expected
):
    set_base_url(content, base_url)
    result = build(content, tmp_path / "out", monkeypatch)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if WARNING in line]
    assert warnings == [
        f"warning: the site's links, sitemap and feeds point at {expected}, a local or example "
        "address; set the public address as base_url in content/site.yml (or --base-url)"
    ]
    assert addresses_written(tmp_path / "out")["canonical"] == {expected + "vi/"}


@pytest.mark.parametrize(
    "value", ["chuyendoiso.bentre.gov.vn", "https://chuyendoiso.bentre.gov.vn", "ftp://x.vn/", "[]"]
)
def test_check_names_a_base_url_that_is_not_an_address(content, monkeypatch, value):
    set_base_url(content, value)
    line = next(
        number
        for number, text in enumerate((content / "site.yml").read_text().splitlines(), start=1)
        if text.startswith("base_url:")
    )
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(content))
    result = CliRunner().invoke(main, ["check", "--lang", "en"])
    assert result.exit_code == 1
    assert (
        f"site.yml:{line}: error: 'base_url' must be the site's public address: an absolute "
        "http(s) address ending in /"
    ) in result.output
