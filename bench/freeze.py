"""The freeze's CPU per page, Markdown aside (prints figures, asserts nothing; issue #17).

    PYTHONPATH=site python bench/freeze.py CONTENT_DIR [--runs 5] [--base-url URL] [--no-write]

One process, one worker: the content is read and checked, then every URL of the site is
frozen (SiteFreezer.build_urls, as a build's worker does) into a new empty folder ``--runs``
times after a first pass that fills the renderer's memory, so the figures are what a page
costs beyond python-markdown: Flask's dispatch through the test client, the templates, the
links found, the folder and the file written. ``--no-write`` leaves the files out (what the
file system costs is the difference). Each figure is CPU seconds of this process (user and
system), not wall time: on a shared machine the wall time varies with the load. Run it with
PYTHONPATH pointing at another checkout's site/ to measure that code, interleaved with this
one's (A, B, A, B, …), on the same corpus (e.g. the one `bench/build.py` generates).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from dxportal import create_app
from dxportal.build import freezer as freezer_module
from dxportal.build.freezer import SiteFreezer
from dxportal.build.generators import register_generators
from dxportal.content.checks import check_and_read
from dxportal.content.loader import published_content
from dxportal.content.site_files import public_address


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--no-write", action="store_true", help="get the pages, write nothing")
    args = parser.parse_args()
    settings: dict[str, object] = {
        "DXPORTAL_CONTENT_DIR": str(args.content),
        "DXPORTAL_CACHE_DIR": "",  # no disk cache: the first pass renders every body
        "DXPORTAL_NOW": "2030-01-01T00:00",
        "DXPORTAL_PREVIEW": False,
    }
    if args.base_url:
        settings["DXPORTAL_BASE_URL"] = args.base_url
    app = create_app(settings)
    store = app.extensions["dxportal.store"]
    now = store.now()
    report, everything = check_and_read(args.content, now, True, None, None)
    if report.errors or everything is None:
        raise SystemExit(f"{args.content}: the content has errors (dxportal check)")
    site, problems = published_content(everything, now)
    store.use(site)
    app.config["FREEZER_BASE_URL"] = public_address(app.config["DXPORTAL_BASE_URL"], site.settings)
    if args.no_write:
        freezer_module.made_folder = lambda folder: True
        freezer_module.replace_bytes = lambda path, data, exists=None: None
    times = []
    with tempfile.TemporaryDirectory(prefix="dxportal-bench-freeze-") as scratch:
        for run in range(args.runs + 1):
            out = Path(scratch) / f"out{run}"
            out.mkdir()
            app.config["FREEZER_DESTINATION"] = str(out)
            freezer = SiteFreezer(app)
            register_generators(freezer, site, app.config["DXPORTAL_PER_PAGE"])
            urls = [url for url, _, _ in freezer.generated_urls()]
            started = cpu()
            freezer.build_urls(urls, set(urls))
            spent = cpu() - started
            print(f"  pass {run}: {len(urls)} pages, {spent:.3f} s CPU"
                  f"{' (the Markdown rendered)' if run == 0 else ''}")  # fmt: skip
            if run:
                times.append(spent)
            shutil.rmtree(out)
    median = statistics.median(times)
    print(f"freeze, Markdown in memory: median {median:.3f} s CPU of {len(times)} passes "
          f"(min {min(times):.3f}), {1e6 * median / len(urls):.0f} µs a page")  # fmt: skip


if __name__ == "__main__":
    main()
