"""The command line: parse options, call the core, print, exit. One module per command."""

from . import adopt, blame, build, check, coverage, diff, extract, new, serve, watch  # noqa: F401 - each module registers its commands
from .app import main

__all__ = ["main"]
