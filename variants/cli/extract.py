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
    from ..extract import Addition, Extraction


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
    "--into",
    required=True,
    type=click.Path(path_type=Path),
    help="The folder to write base/ and overrides/ into; an existing project gets the pages as new programs.",
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
    "--force",
    is_flag=True,
    help="Write into a folder that is not empty, replacing its base/ and overrides/ (a project's too).",
)
@quiet_option
def extract(pages: tuple[Path, ...], into: Path, names: dict[str, str], force: bool, quiet: bool) -> None:
    """Turn two or more existing PAGES of one family into base/ and overrides/ that rebuild them byte for byte;
    into an existing project, add PAGES as new programs of its base."""
    from ..extract import add_pages, is_project, read_pages, write_additions, write_project
    from ..extract import extract as extract_project
    from .hints import worded

    if is_project(into) and not force:
        addition = add_pages(into, read_pages(list(pages), least=1), names)
        write_additions(into, addition.files)
        click.echo(_added(addition, into), nl=False)
        return
    if len(pages) < 2:
        raise click.UsageError("give two or more pages of one family")
    with progress_line(quiet) as progress:
        result = extract_project(read_pages(list(pages)), names, progress)
    write_project(result, into, force=force)
    for problem in result.warnings:
        click.echo(str(worded(problem)), err=True)
    click.echo(_summary(result, into), nl=False)


def _wrapped(notes: list[str], width: int = 100) -> list[str]:
    """What an override holds, a few of its notes a line (never one cut in two)."""
    lines: list[str] = []
    for note in notes or ["nothing"]:
        if lines and len(lines[-1]) + 2 + len(note) <= width:
            lines[-1] += f"; {note}"
        else:
            lines.append(f"    {note}")
    return lines


def _added(addition: Addition, into: Path) -> str:
    """The pages added to a project, and what each new override holds."""
    out = [
        f"added {len(addition.pages)} page{'s' if len(addition.pages) != 1 else ''} to {into} as programs of its base:"
    ]
    for k, slug in enumerate(addition.slugs):
        rel = f"overrides/{slug}.yml"
        held = [f"extends {addition.parents[k]}"] if addition.parents[k] else []
        held += [f"program: {', '.join(addition.variables[k])}"] if addition.variables[k] else []
        held += addition.notes[k]
        out.append(f"  {rel} ({addition.files[rel].count(chr(10))} lines)")
        out.extend(_wrapped(held))
    next_step = f"variants -C {shlex.quote(str(into))} build"
    out.append(
        f"verified: the project rebuilds the new pages byte for byte and its others unchanged; next: {next_step}"
    )
    return "\n".join(out) + "\n"


def _summary(extraction: Extraction, into: Path) -> str:
    """What was extracted, in words: the shape and why, shared lines, variables, components, what each
    override holds, what was kept as the page has it, and what to run next."""
    from ..extract.detect import program_values

    pages = extraction.pages
    why = f": {extraction.reason}" if extraction.reason else ""
    out = [f"extracted {len(pages)} pages into {into} ({extraction.shape} shape{why})", "shared with the base:"]
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
    if extraction.components:
        out.append("components:")
        for name, users in extraction.components.items():
            rel = f"base/components/{name}.yml"
            lines = extraction.files[rel].count("\n")
            out.append(f"  {rel} ({lines} lines): listed by {', '.join(users)}")
    out.append("overrides:")
    for k, notes in enumerate(extraction.notes):
        rel = extraction.override_path(k)
        lines = extraction.files[rel].count("\n")
        parent = extraction.parents[k] if extraction.parents else None
        held = [f"extends {extraction.slugs[parent]}"] if parent is not None else []
        held += [f"components: {', '.join(extraction.uses[k])}"] if extraction.uses and extraction.uses[k] else []
        given = program_values(extraction.variables, k) if parent is None else {}
        held += ([f"program: {', '.join(given)}"] if given else []) + notes
        out.append(f"  {rel} ({lines} lines)")
        out.extend(_wrapped(held))
    if extraction.fallbacks:
        out.append("kept as the pages have them (what the shape cannot say):")
        out.extend(f"  {problem.loc}: {problem.message}" for problem in extraction.fallbacks)
    next_step = f"variants -C {shlex.quote(str(into))} build"
    out.append(f"verified: a build reproduces every page byte for byte; next: {next_step}")
    return "\n".join(out) + "\n"


__all__ = ["extract"]
