"""In CI (CI=true) a test that skips is a failure (a pytest plugin).

A skip says a tool or a property of the machine is missing: Chromium, Java, node. On a
developer's machine that is a skip, and `make test` says so; in
CI it would hide the tests that need it while the run still passes, so there it fails the run
with the skip's reason. `.ci/run` sets CI=true itself rather than trusting the runner to.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (CI=true), where every test must run: {reason}"
    return report
