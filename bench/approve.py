"""From "Approve" to the page in the build folder, at 1,000 articles (issue #15's budget: 5 s).

Generates the synthetic corpus (as bench/build.py does), builds it once (cold), then three
times (--runs): a writer changes one article and submits it (not timed); timed: an editor's approval
through the editor (test client) plus the incremental build that publishes it.

    .venv/bin/python bench/approve.py [--size 1000] [--folder /tmp/dxportal-bench-approve]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

from argon2 import PasswordHasher

from dxportal import create_app
from dxportal.build.pipeline import freeze_site
from dxportal.editor import accounts

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from form_support import form_values  # noqa: E402  (tests/form_support.py: a form as sent)

PASSWORD = "benchmark-password"


def load_bench_build():
    spec = importlib.util.spec_from_file_location("bench_build", HERE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    start = html.index('name="csrf_token" value="') + len('name="csrf_token" value="')
    return html[start : html.index('"', start)]


def signed_in(app, login: str):
    client = app.test_client()
    response = client.post(
        "/edit/login",
        data={"csrf_token": token(client, "/edit/login"), "login": login, "password": PASSWORD},
    )
    assert response.status_code == 302, response.status_code
    return client


def build_in_a_process(settings: dict) -> None:
    env = {**os.environ, **settings, "PYTHONPATH": str(HERE.parent / "site")}
    output = settings["DXPORTAL_BUILD_DIR"]
    command = [sys.executable, str(HERE.parent / "freeze.py"), "--output", output]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--process", action="store_true", help="build as cron does: `freeze.py` in a new process"
    )
    parser.add_argument("--folder", type=Path, default=Path("/tmp/dxportal-bench-approve"))
    args = parser.parse_args()
    bench = load_bench_build()
    folder = bench.prepare_corpus(args.size, args.folder / str(args.size), bench.DEFAULT_GENERATOR)
    content = folder / "content"
    newsroom = args.folder / f"newsroom-{args.size}"
    accounts._HASHER = PasswordHasher(time_cost=1, memory_cost=1024)  # sign-in is not measured
    for login, role in (("writer", "writer"), ("editor", "editor")):
        if login not in accounts.load_users(newsroom):
            accounts.add_user(newsroom, login, login, f"{login}@example.org", role, PASSWORD)
    settings = {
        "DXPORTAL_CONTENT_DIR": str(content),
        "DXPORTAL_NEWSROOM_DIR": str(newsroom),
        "DXPORTAL_BUILD_DIR": str(args.folder / "out"),
        "DXPORTAL_CACHE_DIR": str(args.folder / "cache"),
        "DXPORTAL_NOW": "2030-01-01T00:00",
        "DXPORTAL_SEARCH_INDEX_DIR": str(args.folder / "search_index"),
    }
    started = time.perf_counter()
    freeze_site(create_app(settings))
    print(f"cold build: {time.perf_counter() - started:.2f} s", flush=True)
    editor_app = create_app({**settings, "DXPORTAL_PREVIEW": True, "DXPORTAL_EDITOR": True})
    articles = sorted((content / "news").glob("*.vi.md"))
    article = articles[len(articles) // 2]
    slug = article.name.split(".")[0]
    url = f"/edit/page/news/{slug}/vi/"
    change = f"/edit/change/news/{slug}/vi/"
    for run in range(args.runs):
        sentence = f"Câu mới số {run} {time.time_ns()}."
        writer = signed_in(editor_app, "writer")
        html = writer.get(url).get_data(as_text=True)
        data = form_values(html)  # every field as the form shows it, its token and digest too
        data["body"] += "\n\n" + sentence
        data["action"] = "save"
        assert writer.post(url, data=data).status_code == 302
        submitted = writer.post(change + "submit", data={"csrf_token": token(writer, change)})
        assert submitted.status_code == 302
        editor = signed_in(editor_app, "editor")
        approve_token = token(editor, change)
        started = time.perf_counter()
        response = editor.post(change + "approve", data={"csrf_token": approve_token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        approved = time.perf_counter() - started
        if args.process:
            build_in_a_process(settings)
        else:
            freeze_site(create_app(settings))
        elapsed = time.perf_counter() - started
        page = args.folder / "out" / "vi" / "news" / slug / "index.html"
        assert sentence in page.read_text(encoding="utf-8")
        print(
            f"run {run + 1}: approve -> page in build/: {elapsed:.2f} s "
            f"(the approval itself {approved:.2f} s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
