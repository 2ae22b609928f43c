"""``variants blame``: each line of a page with the source line that made it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from .app import main, out_dir, out_option, page_name, project_dir
from .complete import complete_page

_AT_LINE = re.compile(r"(.+):([^:/.]*)")  # PAGE:LINE; a page's name has a '.' after its last ':'


@main.command()
@click.argument("page", metavar="PAGE[:LINE]", shell_complete=complete_page)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@out_option
@click.pass_context
def blame(ctx: click.Context, page: str, fmt: str, out: Path | None) -> None:
    """Show where each line of PAGE comes from: the file and line in base/, a component, a parent
    or the program's override, and the variables it uses.

    PAGE is a page in the output folder or a program's name; PAGE:LINE shows that
    line with its whole chain (the base text, then each file that set or edited it).
    """
    from ..trace.blame import blame as blame_lines

    at = _AT_LINE.fullmatch(page)
    wanted = None
    if at and not Path(page).exists():
        page, number = at.groups()
        if not re.fullmatch("[0-9]+", number) or int(number) < 1:
            raise click.BadParameter(f"line {number!r} of {page}: lines are numbered from 1", param_hint="PAGE:LINE")
        wanted = int(number)
    folder = out_dir(ctx, out)
    program, lines, as_built = blame_lines(project_dir(ctx), folder, page_name(ctx, out, page))
    shown = f"{folder}/{program.output.name if program.output else page}"
    if not as_built:
        click.echo(
            f"{shown}: not as the sources make it (edited by hand, stale or missing); blaming the page they make",
            err=True,
        )
    if wanted is not None:
        if wanted > len(lines):
            raise click.BadParameter(f"{shown} has {len(lines)} lines, not {wanted}", param_hint="PAGE:LINE")
        lines = [lines[wanted - 1]]
    if fmt == "json":
        click.echo(json.dumps([line.to_json() for line in lines], indent=2, ensure_ascii=False))
        return
    if wanted is not None:
        line = lines[0]
        click.echo(f"{shown}:{line.number}: {line.text}")
        click.echo(f"  {line.what}, written at {line.source} ({line.layer})")
        for loc in line.also:
            click.echo(f"  part of it written at {loc}")
        for step in line.chain:
            click.echo(f"    {step.loc!s:<44} {step.how:<8} {step.layer}")
        for variable in line.variables:
            click.echo(
                f"  {{{{ {variable.name} }}}} = {json.dumps(variable.value, ensure_ascii=False)} ({variable.loc})"
            )
        return
    width = max((len(str(line.source)) for line in lines), default=0)
    digits = len(str(len(lines)))
    for line in lines:
        click.echo(f"{line.source!s:<{width}} {line.number:>{digits}}  {line.text}")


__all__ = ["blame"]
