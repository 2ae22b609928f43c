"""``variants --version``: this version and those of the packages it runs on, for bug reports.

The list is the installed distribution's own requirements (pyproject.toml's
dependencies), read from its metadata when asked for: nothing is imported.
"""

from __future__ import annotations

import re

import click

from .. import __version__


def dependency_versions(distribution: str = "variants") -> list[tuple[str, str]]:
    """(name, installed version) of each requirement of ``distribution`` outside its extras."""
    from importlib import metadata

    try:
        requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return []
    found: list[tuple[str, str]] = []
    for requirement in requirements:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)
        if name is None or re.search(r"\bextra\s*==", requirement):
            continue
        try:
            found.append((name[0], metadata.version(name[0])))
        except metadata.PackageNotFoundError:
            found.append((name[0], "not installed"))
    return sorted(found, key=lambda item: item[0].lower())


def version_text() -> str:
    """What ``--version`` prints: variants, Python, then one dependency a line."""
    import platform

    lines = [f"variants, version {__version__}", f"Python {platform.python_version()} ({platform.system()})"]
    lines += [f"{name} {version}" for name, version in dependency_versions()]
    return "\n".join(lines)


def print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """The eager --version option: print, then stop."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(version_text())
    ctx.exit(0)


__all__ = ["dependency_versions", "print_version", "version_text"]
