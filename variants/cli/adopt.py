"""``variants adopt``: pages edited by hand in out/, turned into the source changes that make them."""

from __future__ import annotations

from pathlib import Path

import click

from .app import main, out_dir, out_option, page_name
from .complete import complete_page


@main.command()
@click.argument("pages", nargs=-1, required=True, metavar="PAGE...", shell_complete=complete_page)
@click.option("--to-base", "to_base", is_flag=True, help="Make the change in the shared sources, for every program.")
@out_option
@click.pass_context
def adopt(ctx: click.Context, pages: tuple[str, ...], to_base: bool, out: Path | None) -> None:
    """Turn hand edits of PAGE (a page in the output folder, or a program's name) into source changes.

    An edit inside a text becomes a partial edit in the program's override (or a
    new text, where that is shorter); a new question becomes an entry placed where
    it stands. Nothing is written unless the changed sources rebuild the page as
    edited, byte for byte; then the sources, the pages the change rewrites and the
    manifest are written together.
    """
    from ..authoring.adopt import adopt as adopt_pages
    from ..output.paths import locked
    from .app import project_dir

    folder = out_dir(ctx, out)
    with locked(folder):  # no build writes the output folder meanwhile
        result = adopt_pages(project_dir(ctx), folder, [page_name(ctx, out, p) for p in pages], shared=to_base)
    for name in result.unchanged:
        click.echo(f"{folder}/{name}: already as the sources make it", err=True)
    for written in result.written:
        click.echo(f"{written.loc}: {written.what}")
    for name in result.others:
        click.echo(f"rebuilt {folder}/{name}", err=True)
    for name in result.adopted:
        click.echo(f"adopted {folder}/{name}", err=True)


__all__ = ["adopt"]
