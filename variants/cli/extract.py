"""``variants extract``: existing pages into base/ and overrides/, proven by a byte-exact rebuild."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .app import main
from .progress import progress_line, quiet_option

if TYPE_CHECKING:
    from ..extract import Extraction


def _variable_names(ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]) -> dict[str, str]:
    """--var NAME=VALUE options as a mapping, checked."""
    from ..source.fields import VAR_PATTERN

    names: dict[str, str] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not value or not re.fullmatch(VAR_PATTERN, name):
            raise click.BadParameter(f"{spec!r}: expected NAME=VALUE, NAME a variable name", ctx=ctx, param=param)
        names[name] = value
    return names


@main.command()
@click.argument("pages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--into", required=True, type=click.Path(path_type=Path), help="The folder to write base/ and overrides/ into."
)
@click.option(
    "--var",
    "names",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_variable_names,
    help="Name the variable that has VALUE on one page, or make one where detection missed it (repeatable).",
)
@click.option(
    "--force", is_flag=True, help="Write into a folder that is not empty, replacing its base/ and overrides/."
)
@quiet_option
def extract(pages: tuple[Path, ...], into: Path, names: dict[str, str], force: bool, quiet: bool) -> None:
    """Turn two or more existing PAGES of one family into base/ and overrides/ that rebuild them byte for byte."""
    from ..extract import extract as extract_project
    from ..extract import read_pages, write_project
    from .hints import worded

    if len(pages) < 2:
        raise click.UsageError("give two or more pages of one family")
    with progress_line(quiet) as progress:
        result = extract_project(read_pages(list(pages)), names, progress)
    write_project(result, into, force=force)
    for problem in result.warnings:
        click.echo(str(worded(problem)), err=True)
    click.echo(_summary(result, into), nl=False)


def _summary(extraction: Extraction, into: Path) -> str:
    """What was extracted, in words: shared lines, variables, what each override holds, what to run next."""
    from ..extract.detect import program_values

    pages = extraction.pages
    out = [f"extracted {len(pages)} pages into {into} ({extraction.shape} shape)", "shared with the base:"]
    width = max(len(p.name) for p in pages)
    for page, (shared, total) in zip(pages, extraction.shared, strict=True):
        percent = f" ({100 * shared // total}%)" if total else ""
        out.append(f"  {page.name:<{width}}  {shared} of {total} lines{percent}")
    texts = "".join(text for rel, text in extraction.files.items() if rel != "base/variants.yml")
    if extraction.variables:
        out.append("variables:")
        vwidth = max(len(v.name) for v in extraction.variables)
        by_name = {v.name: v for v in extraction.variables}
        for variable in extraction.variables:
            shown = []
            for k, value in enumerate(variable.values):
                follows = by_name[variable.follows].values[k] if variable.follows else None
                shown.append(f"(= {variable.follows})" if follows is not None and value == follows else repr(value))
            uses = len(re.findall(r"\{\{ " + re.escape(variable.name) + r"(?: \|[^}]*)? \}\}", texts))
            default = f"; default {variable.default}" if variable.default else ""
            plural = "s" if uses != 1 else ""
            out.append(f"  {variable.name:<{vwidth}}  {' | '.join(shown)}  ({uses} use{plural}{default})")
    else:
        out.append("variables: none found (name them with --var NAME=VALUE)")
    out.append("overrides:")
    for k, notes in enumerate(extraction.notes):
        rel = extraction.override_path(k)
        lines = extraction.files[rel].count("\n")
        given = program_values(extraction.variables, k)
        held = ([f"program: {', '.join(given)}"] if given else []) + notes
        out.append(f"  {rel} ({lines} lines): {'; '.join(held) or 'nothing'}")
    next_step = f"variants -C {shlex.quote(str(into))} build"
    out.append(f"verified: a build reproduces every page byte for byte; next: {next_step}")
    return "\n".join(out) + "\n"


__all__ = ["extract"]
