"""``variants build``: render every program's page into out/, or check or show what would change."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import EXIT_PROBLEMS, main, no_cache_option, out_dir, out_option, project_dir
from .progress import progress_line, quiet_option

_DONE = {"create": "created", "update": "updated", "remove": "removed"}


@main.command()
@out_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any page is missing, stale or extra.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of what would change.")
@click.option("--force", is_flag=True, help="Overwrite or remove pages that were edited by hand.")
@no_cache_option
@quiet_option
@click.pass_context
def build(
    ctx: click.Context, out: Path | None, check: bool, show_diff: bool, force: bool, no_cache: bool, quiet: bool
) -> None:
    """Render every program's page into out/ (all or nothing).

    Pages whose inputs did not change since they were last built come from the
    page cache in .variants-cache/ (byte for byte what a full build makes).
    """
    folder = out_dir(ctx, out)
    stamp = None
    if not no_cache:
        from ..cache.stamp import Stamp

        stamp = Stamp(project_dir(ctx), folder)
        known = stamp.pages()
        if known is not None:  # out/ holds what the sources make: nothing to read or write
            if not quiet:
                done = "up to date" if check or show_diff else f"built: 0 changed, {known} unchanged"
                click.echo(f"{known} pages {done}", err=True)
            return
    from ..output.apply import apply  # below the no-op's exit: it needs none of these
    from ..output.paths import locked
    from ..output.plan import REMOVE, plan, unified_diff
    from ..problems import printable

    with progress_line(quiet) as progress:
        if no_cache:
            from ..pipeline.build import build as build_pages

            outputs = build_pages(project_dir(ctx), progress=progress).raise_for_problems().outputs
        else:
            from ..cache.build import cached_outputs

            outputs = cached_outputs(project_dir(ctx), progress=progress, stamp=stamp)
        with locked(folder, write=not (check or show_diff)):
            result = plan(folder, outputs, force=force, holds=stamp.holds if stamp else None)
            if not (check or show_diff):
                apply(result, progress)
                if stamp is not None:
                    stamp.record(result.manifest)
    if show_diff:  # a page's bytes that are not UTF-8 are shown as they are
        click.echo(unified_diff(result).encode("utf-8", errors="surrogateescape"), nl=False)
    if check or show_diff:
        from ..diff.drift import drift_state
        from ..formats.wording import DRIFT_WORDS
        from ..output.manifest import read_manifest

        manifest = read_manifest(folder) if folder.is_dir() else {}
        for change in result.pending:  # in the words diff uses for drift
            click.echo(printable(f"{folder / change.name}: {DRIFT_WORDS[drift_state(change, manifest)]}"), err=True)
        for name in result.strays:
            click.echo(printable(f"{folder}/{name}: left by an interrupted run"), err=True)
        if result.pending or result.strays:
            pages = f"{len(result.pending)} of {len(result.changes)} pages out of date"
            left = f"{len(result.strays)} files left by interrupted runs"
            click.echo(f"{pages if result.pending else left}; run 'variants build'", err=True)
            sys.exit(EXIT_PROBLEMS if check else 0)
        if not quiet:
            click.echo(f"{len(result.changes)} pages up to date", err=True)
        return
    if quiet:
        return
    for change in result.pending:
        click.echo(printable(f"{_DONE[change.action]} {folder / change.name}"), err=True)
    for name in result.strays:
        click.echo(printable(f"removed {folder / name} (left by an interrupted run)"), err=True)
    changed = sum(change.action != REMOVE for change in result.pending)
    removed = len(result.pending) - changed
    gone = f"; {removed} removed" if removed else ""
    click.echo(f"{len(outputs)} pages built: {changed} changed, {len(outputs) - changed} unchanged{gone}", err=True)


@main.group()
def cache() -> None:
    """The page cache in .variants-cache/: pages whose inputs did not change are not rendered again."""


@cache.command()
@click.pass_context
def clear(ctx: click.Context) -> None:
    """Empty the page cache."""
    from ..cache.store import Store

    removed = Store(project_dir(ctx)).clear()
    click.echo(f"removed {removed} cached pages", err=True)


__all__ = ["build", "cache"]
