"""``variants new`` and ``variants schema``: start a program's override file, print the schema editors use."""

from __future__ import annotations

from pathlib import Path

import click

from .app import main, project_dir
from .complete import complete_component, complete_program


@main.command()
@click.argument("name")
@click.option("--slug", help="The override's file name without .yml (default: derived from NAME).")
@click.option(
    "--extends",
    "parent",
    metavar="PROGRAM",
    shell_complete=complete_program,
    help="Start as a version of PROGRAM (its override's name).",
)
@click.option(
    "--component",
    "components",
    multiple=True,
    metavar="NAME",
    shell_complete=complete_component,
    help="Switch on a component of base/components/ (repeatable, or comma-separated).",
)
@click.pass_context
def new(ctx: click.Context, name: str, slug: str | None, parent: str | None, components: tuple[str, ...]) -> None:
    """Start a new program: write overrides/<slug>.yml for NAME, never overwriting."""
    from ..authoring.new import new_program

    names = tuple(n.strip() for spec in components for n in spec.split(",") if n.strip())
    path = new_program(project_dir(ctx), name, slug, parent, names)
    click.echo(f"created {path}; edit it, then run 'variants build'", err=True)


@main.command()
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
@click.option("--keys", is_flag=True, help="Print the key reference as Markdown tables instead (README lists it).")
@click.pass_context
def schema(ctx: click.Context, output: Path | None, keys: bool) -> None:
    """Print the JSON Schema of override files (editors use it to validate and complete)."""
    from ..output.paths import Guard, write_file
    from ..source.keydocs import key_tables
    from ..source.schema import override_schema_text

    text = key_tables() if keys else override_schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        root = project_dir(ctx)
        write_file(output, [text], Guard(root, root / "out"))
        click.echo(f"wrote {output}", err=True)


__all__ = ["new", "schema"]
