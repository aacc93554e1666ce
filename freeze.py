"""Freeze the portal into build/ (the same as `dxportal build`)."""

import sys

from dxportal.cli import run

if __name__ == "__main__":
    run(["build", *sys.argv[1:]])
