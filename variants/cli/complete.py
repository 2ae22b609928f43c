"""Shell completion of the names a project defines: programs (override files) and components.

Click completes command names and options itself (``_VARIANTS_COMPLETE=bash_source
variants`` prints the script; zsh and fish likewise). These functions are the
``shell_complete`` of every argument or option that takes such a name; they read
only the file names in the project that ``-C`` names, never a file's content.
What they need is imported when a completion is asked for, not when a command starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


def _project(ctx: click.Context) -> Path:
    """The project folder as typed so far (completion runs no command callback, so -C is read here)."""
    project = ctx.find_root().params.get("project")
    return Path(project) if project is not None else Path(".")


def _items(
    ctx: click.Context, param: click.Parameter, incomplete: str, names: list[str], kind: str
) -> list[CompletionItem]:
    """The names that start with what is typed, less those already given to ``param``."""
    from click.shell_completion import CompletionItem

    given = ctx.params.get(param.name or "")
    typed = set(given) if isinstance(given, (tuple, list)) else set()
    return [CompletionItem(n, help=kind) for n in names if n.startswith(incomplete) and n not in typed]


def complete_program(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Program names (override files in overrides/) that start with what is typed."""
    from ..source.listing import program_names

    return _items(ctx, param, incomplete, program_names(_project(ctx)), "program")


def complete_page(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A page: a program's name, or once a '/' is typed, a file path (the shell completes those)."""
    from click.shell_completion import CompletionItem

    if "/" in incomplete:
        return [CompletionItem(incomplete, type="file")]
    return complete_program(ctx, param, incomplete)


def complete_component(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Component names (files in base/components/) that start with what is typed."""
    from ..source.listing import component_names

    return _items(ctx, param, incomplete, component_names(_project(ctx)), "component")


__all__ = ["complete_component", "complete_page", "complete_program"]
