"""The command group, its shared options, and how failures end: one line each, an exit code.

Exit codes: 0 done (or nothing to do), 1 problems in the sources or, with
--check, out of date, 2 usage errors (click), 123 an internal error.
Data (diffs, reports, schemas) goes to stdout; status and errors to stderr.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from ..problems import Problem, VariantsError, printable
from .hints import worded
from .version import print_version

EXIT_PROBLEMS = 1
EXIT_INTERNAL = 123


def _quiet_stdout() -> None:
    """Send what is still buffered for a closed stdout nowhere, so the end of the run is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real stream (tests): nothing is buffered for it
        pass


def fail(problems: list[Problem]) -> NoReturn:
    """Print each problem on its own line (FILE:LINE:COL: message) and exit 1."""
    for problem in problems:
        click.echo(worded(problem).one_line(), err=True)
    sys.exit(EXIT_PROBLEMS)


class Group(click.Group):
    """Turns expected failures into one-line messages and the rest into exit 123, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a reader that went away ('variants diff | head') shows here, not at exit
        except VariantsError as exc:
            fail(exc.problems)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(EXIT_PROBLEMS)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP while files were written
            signum = getattr(exc, "signum", signal.SIGINT)
            click.echo(
                "variants: interrupted" if signum == signal.SIGINT else f"variants: stopped by signal {signum}",
                err=True,
            )
            sys.exit(128 + signum)
        except Exception as exc:  # pragma: no cover - exercised via a monkeypatched fault in tests
            if os.environ.get("VARIANTS_DEBUG"):
                import traceback

                traceback.print_exc()
            click.echo(
                printable(
                    f"variants: internal error: {type(exc).__name__}: {exc} (set VARIANTS_DEBUG=1 for the traceback)"
                ),
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=print_version,
    help="Show the version, and those of the packages it runs on, and exit.",
)
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
    """The project folder -C named (the current folder by default)."""
    root: Path = ctx.obj
    return root


def out_dir(ctx: click.Context, out: Path | None) -> Path:
    """The output folder: --out, or out/ in the project."""
    return out if out is not None else project_dir(ctx) / "out"


def out_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The --out option, as every command that reads or writes the output folder takes it."""
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Output folder (default: out/ in the project).",
    )(func)


def no_cache_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The --no-cache option of the commands that use the page cache."""
    return click.option(
        "--no-cache", "no_cache", is_flag=True, help="Do everything afresh, neither reading nor writing the page cache."
    )(func)


def page_name(ctx: click.Context, out: Path | None, page: str) -> str:
    """A PAGE argument as the core knows pages: a program's name or a page's file name (``x.md``),
    or a path made relative to the output folder (``out/x.md`` from the project folder, ``sub/x.md``
    as the folder names it, or any path to a file in it, ``x.md`` in a subfolder of it included)."""
    folder = os.path.abspath(out_dir(ctx, out))
    bare = "/" not in page and os.sep not in page
    candidates = [os.path.abspath(page)] if not bare or os.path.exists(page) else []
    if not bare and not os.path.isabs(page):
        candidates.append(os.path.abspath(project_dir(ctx) / page))
        if os.path.exists(os.path.join(folder, page)):  # the page's name as the output folder knows it
            candidates.append(os.path.join(folder, page))
    for candidate in candidates:
        relative = os.path.relpath(candidate, folder)
        if not relative.startswith(os.pardir + os.sep) and relative != os.pardir:
            return Path(relative).as_posix()
    if bare:
        return page
    raise click.BadParameter(f"{page} is not a page in the output folder {folder}", param_hint="PAGE")


def colour_wanted(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


__all__ = [
    "EXIT_INTERNAL",
    "EXIT_PROBLEMS",
    "Group",
    "colour_wanted",
    "fail",
    "main",
    "no_cache_option",
    "out_dir",
    "out_option",
    "page_name",
    "project_dir",
]
