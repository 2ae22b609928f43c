"""``variants build``: render every program's page into out/, or check or show what would change."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import EXIT_PROBLEMS, main, out_dir, out_option, project_dir

_DONE = {"create": "created", "update": "updated", "remove": "removed"}


@main.command()
@out_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any page is missing, stale or extra.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
@click.option("--force", is_flag=True, help="Overwrite or remove pages that were edited by hand.")
@click.pass_context
def build(ctx: click.Context, out: Path | None, check: bool, show_diff: bool, force: bool) -> None:
    """Render every program's page into out/ (all or nothing)."""
    from ..output.apply import apply
    from ..output.plan import plan, unified_diff
    from ..pipeline.build import build as build_pages

    folder = out_dir(ctx, out)
    outputs = build_pages(project_dir(ctx)).raise_for_problems().outputs
    result = plan(folder, outputs, force=force)
    if show_diff:
        click.echo(unified_diff(result), nl=False)
    if check or show_diff:
        from ..diff.drift import drift_state
        from ..formats.wording import DRIFT_WORDS
        from ..output.manifest import read_manifest

        manifest = read_manifest(folder) if folder.is_dir() else {}
        for change in result.pending:  # in the words diff uses for drift
            click.echo(f"{folder / change.name}: {DRIFT_WORDS[drift_state(change, manifest)]}", err=True)
        if result.pending:
            click.echo(
                f"{len(result.pending)} of {len(result.changes)} pages out of date; run 'variants build'", err=True
            )
            sys.exit(EXIT_PROBLEMS if check else 0)
        click.echo(f"{len(result.changes)} pages up to date", err=True)
        return
    apply(result)
    for change in result.pending:
        click.echo(f"{_DONE[change.action]} {folder / change.name}", err=True)
    unchanged = len(result.changes) - len(result.pending)
    click.echo(f"{len(outputs)} pages built: {len(result.pending)} changed, {unchanged} unchanged", err=True)


__all__ = ["build"]
