"""Every HTML file of the frozen site is valid HTML (Nu Html Checker, offline)."""

from __future__ import annotations

import json
import subprocess

from browser_support import VNU_JAR, require_tools


def test_every_frozen_page_is_valid_html(frozen_site):
    require_tools("java", "vnu")
    pages = sorted(str(p) for p in frozen_site.folder.rglob("*.html"))
    assert len(pages) > 50
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *pages],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{m.get('url', '').split('/build/')[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == []
