"""``variants check``: lint the sources and the pages they generate, or any Markdown pages given."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .app import EXIT_PROBLEMS, main, no_cache_option, project_dir
from .hints import worded
from .progress import progress_line, quiet_option


def _list_rules(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--rules: print the rule registry as a table, then stop."""
    if not value or ctx.resilient_parsing:
        return
    from ..lint import RULES

    click.echo("| rule | level | finds |\n| --- | --- | --- |")
    for rule in RULES.values():
        click.echo(f"| `{rule.id}` | {rule.level} | {rule.summary} |")
    ctx.exit(0)


@main.command()
@click.argument("pages", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--rules", is_flag=True, expose_value=False, is_eager=True, callback=_list_rules, help="List the rules and exit."
)
@no_cache_option
@quiet_option
@click.pass_context
def check(ctx: click.Context, pages: tuple[Path, ...], fmt: str, strict: bool, no_cache: bool, quiet: bool) -> None:
    """Lint the sources and the pages they generate (or the Markdown PAGES given).

    Each finding has a location, a level and a rule. Exit 1 on errors
    (and on warnings with --strict), 0 otherwise.
    """
    with progress_line(quiet) as progress:
        if pages:
            from ..lint import check_files

            found = check_files(list(pages))
        elif no_cache:
            from ..lint import check_project

            found = check_project(project_dir(ctx), progress=progress)
        else:
            from ..cache.check import cached_check

            found = cached_check(project_dir(ctx), progress=progress)
    problems = [worded(p) for p in found]
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        report = {"version": 1, "errors": errors, "warnings": warnings, "problems": [p.to_json() for p in problems]}
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(str(problem))
        if not quiet:
            click.echo(f"{errors} errors, {warnings} warnings", err=True)
    if errors or (strict and warnings):
        sys.exit(EXIT_PROBLEMS)


__all__ = ["check"]
