"""Command line: parse options, call the core, print, exit.

Exit codes: 0 done (or nothing to do), 1 problems in the sources or, with
--check, out of date, 2 usage errors (click), 123 an internal error.
Data (diffs, reports, schemas) goes to stdout; status and errors to stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .errors import Problem, VariantsError

EXIT_PROBLEMS = 1
EXIT_INTERNAL = 123


def fail(problems: list[Problem]) -> NoReturn:
    """Print each problem on its own line (FILE:LINE:COL: message) and exit 1."""
    for problem in problems:
        click.echo(problem.one_line(), err=True)
    sys.exit(EXIT_PROBLEMS)


class _Group(click.Group):
    """Turns expected failures into one-line messages and the rest into exit 123, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VariantsError as exc:
            fail(exc.problems)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("variants: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # pragma: no cover - exercised via a monkeypatched fault in tests
            if os.environ.get("VARIANTS_DEBUG"):
                import traceback

                traceback.print_exc()
            click.echo(
                f"variants: internal error: {type(exc).__name__}: {exc} (set VARIANTS_DEBUG=1 for the traceback)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="variants")
@click.option(
    "-C",
    "--project",
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The folder that holds base/, overrides/ and out/.",
)
@click.pass_context
def main(ctx: click.Context, project: Path) -> None:
    """Keep near-duplicate pages in one source and show where they differ."""
    ctx.obj = project


def project_dir(ctx: click.Context) -> Path:
    root: Path = ctx.obj
    return root


def _out_dir(ctx: click.Context, out: Path | None) -> Path:
    return out if out is not None else project_dir(ctx) / "out"


def out_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Output folder (default: out/ in the project).",
    )(func)


@main.command()
@out_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any page is missing, stale or extra.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
@click.option("--force", is_flag=True, help="Overwrite or remove pages that were edited by hand.")
@click.pass_context
def build(ctx: click.Context, out: Path | None, check: bool, show_diff: bool, force: bool) -> None:
    """Render every program's page into out/ (all or nothing)."""
    from .building import build as build_pages
    from .writing import apply, plan, unified_diff

    out_dir = _out_dir(ctx, out)
    outputs = build_pages(project_dir(ctx))
    result = plan(out_dir, outputs, force=force)
    if show_diff:
        click.echo(unified_diff(result), nl=False)
    if check or show_diff:
        for change in result.pending:
            word = {"create": "missing", "update": "stale", "remove": "extra"}[change.action]
            click.echo(f"{out_dir / change.name}: {word}", err=True)
        if result.pending:
            click.echo(
                f"{len(result.pending)} of {len(result.changes)} pages out of date; run 'variants build'", err=True
            )
            sys.exit(EXIT_PROBLEMS if check else 0)
        click.echo(f"{len(result.changes)} pages up to date", err=True)
        return
    apply(result)
    for change in result.pending:
        verb = {"create": "created", "update": "updated", "remove": "removed"}[change.action]
        click.echo(f"{verb} {out_dir / change.name}", err=True)
    unchanged = len(result.changes) - len(result.pending)
    click.echo(f"{len(outputs)} pages built: {len(result.pending)} changed, {unchanged} unchanged", err=True)


@main.command()
@click.argument("pages", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.pass_context
def check(ctx: click.Context, pages: tuple[Path, ...], fmt: str, strict: bool) -> None:
    """Lint the sources and the pages they generate (or the Markdown PAGES given).

    Each finding has a location, a level and a rule. Exit 1 on errors
    (and on warnings with --strict), 0 otherwise.
    """
    import json

    from .checking import check_files, check_project

    problems = check_files(list(pages)) if pages else check_project(project_dir(ctx))
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        report = {"version": 1, "errors": errors, "warnings": warnings, "problems": [p.to_json() for p in problems]}
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{errors} errors, {warnings} warnings", err=True)
    if errors or (strict and warnings):
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.argument("name")
@click.option("--slug", help="The override's file name without .yml (default: derived from NAME).")
@click.pass_context
def new(ctx: click.Context, name: str, slug: str | None) -> None:
    """Start a new program: write overrides/<slug>.yml for NAME, never overwriting."""
    from .scaffolding import new_program

    path = new_program(project_dir(ctx), name, slug)
    click.echo(f"created {path}; edit it, then run 'variants build'", err=True)


@main.command()
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of override files (editors use it to validate and complete)."""
    from .checking import override_schema_text
    from .writing import write_file

    text = override_schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_file(output, [text])
        click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("programs", nargs=-1, metavar="[PROGRAM_A PROGRAM_B]")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE instead of stdout."
)
@click.option("--show-variables", is_flag=True, help="List every difference made only by the program variables.")
@click.option("--fail-on-drift", is_flag=True, help="Exit 1 when a page in the output folder differs from its sources.")
@out_option
@click.pass_context
def diff(
    ctx: click.Context,
    programs: tuple[str, ...],
    fmt: str,
    output: Path | None,
    show_variables: bool,
    fail_on_drift: bool,
    out: Path | None,
) -> None:
    """Report where programs diverge: every program against the base, or PROGRAM_B against PROGRAM_A."""
    from .diffing import diff_report
    from .reporting import iter_report, plain
    from .writing import write_file

    if len(programs) not in (0, 2):
        raise click.UsageError("give two programs to compare with each other, or none to compare all with the base")
    pair = (programs[0], programs[1]) if programs else None
    report = diff_report(project_dir(ctx), pair, _out_dir(ctx, out), show_variables)
    color = output is None and _colour_wanted(sys.stdout)
    # Written piece by piece (a program at a time): a report on thousands of programs is never one string.
    pieces = iter_report(report, fmt, click.style if color else plain)
    if output is None:
        for piece in pieces:
            click.echo(piece, nl=False, color=color)
    else:
        write_file(output, pieces)
        click.echo(f"wrote {output}", err=True)
    if fail_on_drift and report.has_drift:
        for drift in report.drift:
            click.echo(f"{report.out}/{drift.file}: {drift.state}", err=True)
        sys.exit(EXIT_PROBLEMS)


def _colour_wanted(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def _variable_names(ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]) -> dict[str, str]:
    """--var NAME=VALUE options as a mapping, checked."""
    import re

    from .schema import VAR_PATTERN

    names: dict[str, str] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not value or not re.match(VAR_PATTERN, name):
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
def extract(pages: tuple[Path, ...], into: Path, names: dict[str, str], force: bool) -> None:
    """Turn two or more existing PAGES of one family into base/ and overrides/ that rebuild them byte for byte."""
    from .extracting import extract as extract_project
    from .extracting import read_pages, summary, write_project

    if len(pages) < 2:
        raise click.UsageError("give two or more pages of one family")
    result = extract_project(read_pages(list(pages)), names)
    write_project(result, into, force=force)
    for problem in result.warnings:
        click.echo(str(problem), err=True)
    click.echo(summary(result, into), nl=False)
