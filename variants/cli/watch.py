"""``variants watch``: rebuild the pages each time the sources change, until Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import click

from ..formats import FORMATS
from .app import main, out_dir, out_option, project_dir
from .hints import worded

_BY_SUFFIX = {".json": "json", ".html": "html", ".md": "markdown", ".markdown": "markdown"}


@main.command()
@out_option
@click.option(
    "--diff",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also keep the diff report in FILE up to date (its format from the suffix, or --diff-format).",
)
@click.option("--diff-format", type=click.Choice(list(FORMATS)), default=None, help="The report's format.")
@click.pass_context
def watch(ctx: click.Context, out: Path | None, report: Path | None, diff_format: str | None) -> None:
    """Build, then rebuild the pages each time a file in base/ or overrides/ changes.

    Each rebuild renders only the pages whose inputs changed and writes the
    output folder all or nothing, as build does; a source that does not build is
    reported and the watch goes on. Stop with Ctrl-C.
    """
    from ..cache.watch import rebuilds
    from ..output.paths import Guard
    from ..problems import printable

    root, folder = project_dir(ctx), out_dir(ctx, out)
    if report is not None:  # never over a page or a source: refused before the first build
        Guard(root, folder).check(report)
    fmt = diff_format or (_BY_SUFFIX.get(report.suffix, "text") if report else "text")
    click.echo(f"watching {root}/base and {root}/overrides (Ctrl-C to stop)", err=True)
    try:
        for result in rebuilds(root, folder):
            what = printable(", ".join(sorted(result.changed))) or "first build"  # file names, escaped
            milliseconds = f"{result.seconds * 1000:.0f} ms"
            if result.problems:
                for problem in result.problems:
                    click.echo(worded(problem).one_line(), err=True)
                click.echo(f"{what}: not built ({plural(len(result.problems), 'problem')}), {milliseconds}", err=True)
                continue
            if report is not None:
                _write_report(root, folder, report, fmt)
            written = f"{plural(len(result.written), 'page')} written" if result.written else "no page changed"
            click.echo(f"{what}: {written}, {milliseconds}", err=True)
    except KeyboardInterrupt:
        pass
    click.echo("stopped", err=True)


def plural(count: int, word: str) -> str:
    """``1 page``, ``2 pages``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _write_report(root: Path, folder: Path, report: Path, fmt: str) -> None:
    from ..diff import diff_report
    from ..formats import iter_report
    from ..output.paths import Guard, write_file
    from ..problems import VariantsError

    try:
        write_file(report, iter_report(diff_report(root, None, folder), fmt), Guard(root, folder))
    except VariantsError as exc:
        for problem in exc.problems:
            click.echo(worded(problem).one_line(), err=True)


__all__ = ["watch"]
