"""Freeze the portal into build/ (the same as `dxportal build`)."""

import sys

from dxportal.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
