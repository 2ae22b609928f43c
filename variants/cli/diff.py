"""``variants diff``: where programs diverge, in any report format, to stdout or a file; a CI gate.

Exit codes of its own, apart from 1 (problems in the sources) and 2 (usage): with
``--fail-on``, 3 when a page in the output folder drifted, 4 when a content difference
says no ``why``, 5 when there is any difference; the first of these that holds decides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..formats import FORMATS
from .app import colour_wanted, main, out_dir, out_option, project_dir
from .complete import complete_program
from .progress import progress_line, quiet_option

if TYPE_CHECKING:
    from ..diff.model import Report

EXIT_DRIFT, EXIT_UNEXPLAINED, EXIT_ANY = 3, 4, 5
# One per condition of variants.diff.gate (not imported here: every command loads this module).
EXIT_CODES = {"drift": EXIT_DRIFT, "unexplained": EXIT_UNEXPLAINED, "any": EXIT_ANY}
_REVISION = "revision"  # the rule of the core's problems with the revision --against names


@main.command()
@click.argument("programs", nargs=-1, metavar="[PROGRAM_A PROGRAM_B]", shell_complete=complete_program)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="Report format: " + "; ".join(f"{f.name}, {f.summary}" for f in FORMATS.values()) + ".",
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE instead of stdout."
)
@click.option("--show-variables", is_flag=True, help="List every difference made only by the program variables.")
@click.option(
    "--against",
    metavar="REF",
    default="",
    help="Report only what the working tree adds, removes or changes since the git revision REF (a pull request's base).",
)
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(list(EXIT_CODES)),
    multiple=True,
    help="Exit 3 on drift in the output folder, 4 on a content difference without a 'why', 5 on any difference.",
)
@click.option("--fail-on-drift", is_flag=True, help="The same as --fail-on drift.")
@click.option("--schema", is_flag=True, help="Print the JSON Schema of the JSON report and exit.")
@out_option
@quiet_option
@click.pass_context
def diff(
    ctx: click.Context,
    programs: tuple[str, ...],
    fmt: str,
    output: Path | None,
    show_variables: bool,
    against: str,
    fail_on: tuple[str, ...],
    fail_on_drift: bool,
    schema: bool,
    out: Path | None,
    quiet: bool,
) -> None:
    """Report where programs diverge: every program against the base, or PROGRAM_B against PROGRAM_A."""
    if schema:
        from ..formats.json import schema_text

        click.echo(schema_text(), nl=False)
        return
    from ..diff import diff_report
    from ..formats import iter_report, plain
    from ..output.paths import Guard, write_file
    from ..problems import VariantsError

    if len(programs) not in (0, 2):
        raise click.UsageError("give two programs to compare with each other, or none to compare all with the base")
    pair = (programs[0], programs[1]) if programs else None
    with progress_line(quiet) as progress:
        try:
            report = diff_report(project_dir(ctx), pair, out_dir(ctx, out), show_variables, against, progress)
        except VariantsError as exc:
            if exc.problems and all(p.rule == _REVISION for p in exc.problems):
                raise click.BadParameter(exc.problems[0].message, param_hint="'--against'") from None
            raise
        color = output is None and colour_wanted(sys.stdout)
        # Written piece by piece (a program at a time): a report on thousands of programs is never one string.
        pieces = iter_report(report, fmt, click.style if color else plain)
        if output is None:
            try:
                for piece in pieces:
                    if progress is not None and sys.stdout.isatty():
                        progress.stop()  # the report scrolling by on the terminal is the sign of life now
                    # a page's bytes that are not UTF-8 are shown as they are
                    click.echo(piece.encode("utf-8", errors="surrogateescape"), nl=False, color=color)
                sys.stdout.flush()
            except BrokenPipeError:  # the reader stopped ('variants diff | head'): stop writing, quietly
                _silence_stdout()
            finally:
                close = getattr(pieces, "close", None)
                if close is not None:
                    close()
        else:
            write_file(output, pieces, Guard(project_dir(ctx), out_dir(ctx, out)))
    if output is not None and not quiet:
        click.echo(f"wrote {output}", err=True)
    _gate(report, (*fail_on, *(("drift",) if fail_on_drift else ())))


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's stream)
        pass


def _gate(report: Report, conditions: tuple[str, ...]) -> None:
    """Exit with the code of the first condition that holds, each finding on a line of stderr."""
    from ..diff.gate import CONDITIONS, DRIFT, UNEXPLAINED, findings
    from ..diff.model import Drift
    from ..formats import wording

    for condition in CONDITIONS:
        if condition not in conditions:
            continue
        found = findings(report, condition)
        if not found:
            continue
        for item in found:
            if isinstance(item, Drift):
                click.echo(f"{report.out}/{item.file}: {wording.DRIFT_WORDS[item.state]}", err=True)
            else:
                where = wording.where_text(item) or "base"
                click.echo(
                    f"{where}: {item.category} difference{' without a why' if condition == UNEXPLAINED else ''}: {item.text}",
                    err=True,
                )
        what = {DRIFT: "drift", UNEXPLAINED: "a content difference without a 'why'"}.get(condition, "a difference")
        click.echo(f"variants diff: failing on {what} ({len(found)} found)", err=True)
        sys.exit(EXIT_CODES[condition])


__all__ = ["EXIT_ANY", "EXIT_CODES", "EXIT_DRIFT", "EXIT_UNEXPLAINED", "diff"]
