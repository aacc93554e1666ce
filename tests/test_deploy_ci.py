"""The CI files and systemd units of docs/deploy/, checked with the tools that read them, and
the cache headers of the build and of the nginx example."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dxportal.config import PROJECT_ROOT
from dxportal.web.security import headers_file

DOCS = PROJECT_ROOT / "docs/deploy"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


def validate(schema: str, path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema with the schema it ships (offline)."""
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
        capture_output=True, text=True,
    )  # fmt: skip


def test_the_github_workflow_is_valid_and_uses_the_official_pages_actions(tmp_path):
    path = DOCS / "github-pages.yml"
    result = validate("vendor.github-workflows", path)
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = yaml.safe_load(path.read_text())
    used = [step.get("uses", "") for job in workflow["jobs"].values() for step in job["steps"]]
    for action in (
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
        "actions/cache/restore",
        "actions/cache/save",
    ):
        assert any(use.startswith(action + "@") for use in used), action  # fmt: skip
    assert all(step["with"]["path"] == ".cache" for job in workflow["jobs"].values()
               for step in job["steps"] if "actions/cache" in step.get("uses", ""))  # fmt: skip
    assert workflow["concurrency"]["group"]
    assert workflow[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key `on` as True
    # The validator is not a formality: a misspelt key fails it.
    broken = tmp_path / "broken.yml"
    broken.write_text(path.read_text().replace("runs-on:", "run-on:", 1))
    assert validate("vendor.github-workflows", broken).returncode == 1


def test_the_gitlab_ci_file_is_valid_and_publishes_the_build_folder(tmp_path):
    path = DOCS / "gitlab-ci.yml"
    result = validate("vendor.gitlab-ci", path)
    assert result.returncode == 0, result.stdout + result.stderr
    job = yaml.safe_load(path.read_text())["pages"]
    assert job["pages"]["publish"] == "public"
    assert "--output public" in " ".join(job["script"])
    assert job["cache"]["paths"] == [".cache/"]
    assert any("schedule" in rule["if"] for rule in job["rules"])
    broken = tmp_path / "broken.yml"
    broken.write_text(path.read_text().replace("    when: always", "    when: sometimes"))
    assert validate("vendor.gitlab-ci", broken).returncode == 1


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed here (it comes with systemd)",
)
def test_the_systemd_units_verify(tmp_path):
    """The service builds, then deploys, hourly; paths pointed at this checkout so that
    systemd-analyze can check the commands exist."""
    dxportal = Path(sys.executable).with_name("dxportal")
    for name in ("dxportal-deploy.service", "dxportal-deploy.timer"):
        text = (DOCS / name).read_text()
        text = text.replace("/srv/dxportal/.venv/bin/dxportal", str(dxportal))
        (tmp_path / name).write_text(text.replace("/srv/dxportal", str(tmp_path)))
    units = [str(tmp_path / "dxportal-deploy.service"), str(tmp_path / "dxportal-deploy.timer")]
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    service = (tmp_path / "dxportal-deploy.service").read_text()
    assert re.findall(r"^ExecStart=\S+ (\w+)", service, re.M) == ["build", "deploy"]
    assert "OnCalendar=hourly" in (tmp_path / "dxportal-deploy.timer").read_text()

    timer = (tmp_path / "dxportal-deploy.timer").read_text()
    (tmp_path / "dxportal-deploy.timer").write_text(timer.replace("hourly", "hurly"))
    result = subprocess.run(["systemd-analyze", "verify", units[1]], capture_output=True)
    assert result.returncode != 0


def header_rules(text: str) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if line.startswith("/"):
            current = rules.setdefault(line, {})
        elif line.strip():
            name, value = line.strip().split(": ", 1)
            current[name] = value
    return rules


def test_headers_cache_versioned_files_long_and_pages_and_the_search_index_short():
    rules = header_rules(headers_file())
    assert "Cache-Control" not in rules["/*"]  # hosts join repeated headers of matching rules
    assert rules["/static/*"]["Cache-Control"] == "public, max-age=31536000, immutable"
    for path in ("/", "/index.html", "/404.html", "/sitemap.xml", "/vi/*", "/en/*"):
        assert rules[path]["Cache-Control"] == "public, max-age=300", path
    assert "Content-Security-Policy" in rules["/*"]


def test_nginx_caches_static_files_long_and_the_rest_short():
    conf = (DOCS / "nginx.conf").read_text()
    static = re.search(r"location /static/ \{(.*?)\}", conf, re.S).group(1)
    assert 'Cache-Control "public, max-age=31536000, immutable"' in static
    rest = re.search(r"location / \{(.*?)\}", conf, re.S).group(1)
    assert 'Cache-Control "public, max-age=300"' in rest
