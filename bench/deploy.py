"""Time `dxportal deploy` to each target on the synthetic corpus of ../shared/bench/.

    PYTHONPATH=site python bench/deploy.py [N]

Builds N articles, deploys to folder:, rsync: (a local folder) and git: (a bare repository),
then again after editing one article, then once more with nothing changed. Prints wall and
CPU seconds of each deploy (medians mean little on a shared machine: run it twice).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT.parent / "shared/bench/gen_corpus.py"
DXPORTAL = Path(sys.executable).with_name("dxportal")
sys.path.insert(0, str(Path(__file__).parent))
from build import write_site_settings, write_tags  # noqa: E402  (bench/build.py)


def timed(*arguments: str, env: dict) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(DXPORTAL), *arguments], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode:
        sys.exit(done.stdout + done.stderr)
    lines = done.stdout.strip().splitlines()
    return wall, cpu, lines[-2] if len(lines) > 1 else lines[-1]


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="dxportal-bench-deploy-") as scratch:
        work = Path(scratch)
        subprocess.run([sys.executable, str(GENERATOR), str(n), str(work / "corpus")], check=True,
                       capture_output=True)  # fmt: skip
        content = work / "corpus/content"
        write_site_settings(ROOT / "content/site.yml", content / "site.yml")
        write_tags(content)
        env = {
            **os.environ,
            "DXPORTAL_CONTENT_DIR": str(content),
            "DXPORTAL_CACHE_DIR": str(work / "cache"),
            "DXPORTAL_BUILD_DIR": str(work / "build"),
        }
        subprocess.run(["git", "init", "-q", "--bare", str(work / "pages.git")], check=True)
        targets = [
            f"folder:{work}/www/portal",
            f"rsync:{work}/rsync",
            f"git:{work}/pages.git#pages",
        ]
        (work / "www").mkdir()
        build = ["build", "--base-url", "https://chuyendoiso.bentre.gov.vn/", "--lang", "en"]
        subprocess.run([str(DXPORTAL), *build], env=env, check=True, capture_output=True)
        files = sum(1 for path in (work / "build").rglob("*") if path.is_file())
        size = sum(path.stat().st_size for path in (work / "build").rglob("*") if path.is_file())
        print(f"{n} articles: {files} files, {size / 1e6:.1f} MB")
        for step in ("first deploy", "after one edit", "nothing changed"):
            if step == "after one edit":
                article = sorted((content / "news").glob("*.vi.md"))[0]
                article.write_text(article.read_text() + "\nMột câu mới.\n", encoding="utf-8")
                subprocess.run([str(DXPORTAL), *build], env=env, check=True, capture_output=True)
            for target in targets:
                wall, cpu, summary = timed("deploy", target, "--lang", "en", env=env)
                print(f"{step:16} {target.split(':')[0]:7} {wall:6.2f} s wall {cpu:6.2f} s CPU  "
                      f"{summary[:90]}")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
