"""``variants coverage``: what in the sources no page uses, and which programs have each entry."""

from __future__ import annotations

import json
import sys

import click

from .app import EXIT_PROBLEMS, main, project_dir

_SHOWN = 4  # programs named on a "some" row before "and N more"


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 when something in the sources is unused.")
@click.pass_context
def coverage(ctx: click.Context, fmt: str, strict: bool) -> None:
    """Show each section and question as in every program, some (which) or none, and what no page
    uses: questions every program removes, components and layouts nobody uses, template lines no
    page takes, variables no page reads."""
    from ..trace.coverage import SOME
    from ..trace.coverage import coverage as measure

    report = measure(project_dir(ctx))
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        total = len(report.programs)
        click.echo(f"{len(report.entries)} sections and questions in {total} programs:")
        for use in report.entries:
            indent = "  " if use.kind == "question" else ""
            line = f"  {use.state:<6} {indent}{use.kind} {use.id}"
            if use.state == SOME:
                missing = [p for p in report.programs if p not in use.programs]
                shown, lead = (missing, "all but ") if len(missing) < len(use.programs) else (list(use.programs), "")
                names = ", ".join(shown[:_SHOWN]) + (f" and {len(shown) - _SHOWN} more" if len(shown) > _SHOWN else "")
                line += f": {lead}{names} ({len(use.programs)} of {total})"
            click.echo(line)
        if report.unused:
            click.echo("unused:")
        for unused in report.unused:
            click.echo(f"  {unused.loc}: {unused.what} '{unused.name}': {unused.why}")
        click.echo(f"{len(report.unused)} unused", err=True)
    if strict and report.unused:
        sys.exit(EXIT_PROBLEMS)


__all__ = ["coverage"]
