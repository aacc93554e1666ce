"""Every HTML file of the frozen site is valid HTML (Nu Html Checker, offline)."""

from __future__ import annotations

import json
import subprocess

from browser_support import VNU_JAR, require_tools

# Checked with the site's pages: the checker must find this page's error, or it checked nothing.
CANARY = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Canary</title></head>'
    "<body><p>One</span></p></body></html>\n"
)


def test_every_frozen_page_is_valid_html(frozen_site, tmp_path):
    require_tools("java", "vnu")
    pages = sorted(str(p) for p in frozen_site.folder.rglob("*.html"))
    assert len(pages) > 50
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only",
         *pages, str(canary)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    # vnu prints its JSON report on stderr and exits 1 when it found errors (the canary's):
    # any other status, or output that is not its report, means it did not check the pages.
    assert result.returncode == 1, f"vnu exited {result.returncode}: {result.stderr[-2000:]}"
    messages = json.loads(result.stderr)["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    assert [m for m in messages if m.get("type") == "non-document-error"] == []
    found_in_canary = [m["message"] for m in errors if m.get("url", "").endswith("/canary.html")]
    assert any("span" in message for message in found_in_canary), found_in_canary
    site_errors = [
        f"{m.get('url', '').split('/build/')[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in errors
        if not m.get("url", "").endswith("/canary.html")
    ]
    assert site_errors == []
