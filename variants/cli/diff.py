"""``variants diff``: where programs diverge, in any report format, to stdout or a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..formats import FORMATS
from .app import EXIT_PROBLEMS, colour_wanted, main, out_dir, out_option, project_dir
from .complete import complete_program
from .progress import progress_line, quiet_option


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
@click.option("--fail-on-drift", is_flag=True, help="Exit 1 when a page in the output folder differs from its sources.")
@out_option
@quiet_option
@click.pass_context
def diff(
    ctx: click.Context,
    programs: tuple[str, ...],
    fmt: str,
    output: Path | None,
    show_variables: bool,
    fail_on_drift: bool,
    out: Path | None,
    quiet: bool,
) -> None:
    """Report where programs diverge: every program against the base, or PROGRAM_B against PROGRAM_A."""
    from ..diff import diff_report
    from ..formats import iter_report, plain
    from ..output.paths import Guard, write_file

    if len(programs) not in (0, 2):
        raise click.UsageError("give two programs to compare with each other, or none to compare all with the base")
    pair = (programs[0], programs[1]) if programs else None
    with progress_line(quiet) as progress:
        report = diff_report(project_dir(ctx), pair, out_dir(ctx, out), show_variables, progress)
        color = output is None and colour_wanted(sys.stdout)
        # Written piece by piece (a program at a time): a report on thousands of programs is never one string.
        pieces = iter_report(report, fmt, click.style if color else plain)
        if output is None:
            for piece in pieces:
                if progress is not None and sys.stdout.isatty():
                    progress.stop()  # the report scrolling by on the terminal is the sign of life now
                # a page's bytes that are not UTF-8 are shown as they are
                click.echo(piece.encode("utf-8", errors="surrogateescape"), nl=False, color=color)
        else:
            write_file(output, pieces, Guard(project_dir(ctx), out_dir(ctx, out)))
    if output is not None and not quiet:
        click.echo(f"wrote {output}", err=True)
    if fail_on_drift and report.has_drift:
        for drift in report.drift:
            click.echo(f"{report.out}/{drift.file}: {drift.state}", err=True)
        sys.exit(EXIT_PROBLEMS)


__all__ = ["diff"]
