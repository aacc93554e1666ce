"""Page weight: what a phone downloads for a page (HTML, CSS, JS, fonts; images excluded),
gzip-compressed as a static host would send it, against the budgets of issue 6.

    python bench/weight.py            # freezes the embedded content into a temporary folder
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from dxportal import create_app
from dxportal.build.pipeline import freeze_site

# (page, budget in KB): the home page and an article per issue 6; the others for information.
PAGES = [
    ("vi/index.html", 50),
    ("vi/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/index.html", 30),
    ("en/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/index.html", 30),
    ("vi/goals/index.html", None),
    ("vi/training/index.html", None),
    ("vi/documents/index.html", None),
    ("vi/search/index.html", None),
]


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def page_assets(build: Path, html_file: Path) -> list[Path]:
    """Stylesheets, scripts and fonts a page loads (files under build/)."""
    html = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    urls = [link["href"] for link in html.find_all("link", rel="stylesheet")]
    urls += [script["src"] for script in html.find_all("script", src=True)]
    urls += [link["href"] for link in html.find_all("link", rel="preload")]
    return [build / urlsplit(url).path.lstrip("/") for url in urls]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        build = Path(folder) / "build"
        freeze_site(create_app({"DXPORTAL_BASE_URL": "http://localhost/"}), build)
        print(f"{'page':<66} {'html':>6} {'css+js':>7} {'total':>7} {'budget':>7}")
        over = 0
        for name, budget in PAGES:
            html_file = build / name
            if not html_file.is_file():
                print(f"{name:<66} (not in this build)")
                continue
            html_kb = gzipped(html_file) / 1024
            assets_kb = sum(gzipped(p) for p in page_assets(build, html_file)) / 1024
            total = html_kb + assets_kb
            verdict = "" if budget is None else (" ok" if total <= budget else " OVER")
            over += verdict == " OVER"
            limit = f"{budget} KB" if budget else "-"
            print(f"{name:<66} {html_kb:5.1f}K {assets_kb:6.1f}K {total:6.1f}K {limit:>7}{verdict}")
    return 0 if not over else 1


if __name__ == "__main__":
    sys.exit(main())
