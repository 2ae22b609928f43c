"""Shell completion of the names a project defines: programs (override files) and components.

Click completes command names and options itself (``_VARIANTS_COMPLETE=bash_source
variants`` prints the script; zsh and fish likewise). These functions are the
``shell_complete`` of every argument or option that takes such a name; they read
only the file names in the project that ``-C`` names, never a file's content.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from ..source.listing import component_names, program_names


def _project(ctx: click.Context) -> Path:
    """The project folder as typed so far (completion runs no command callback, so -C is read here)."""
    project = ctx.find_root().params.get("project")
    return Path(project) if project is not None else Path(".")


def _completer(names: Callable[[Path], list[str]], kind: str) -> Callable[..., list[CompletionItem]]:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        given = ctx.params.get(param.name or "")
        typed = set(given) if isinstance(given, (tuple, list)) else set()
        found = [n for n in names(_project(ctx)) if n.startswith(incomplete) and n not in typed]
        return [CompletionItem(name, help=kind) for name in found]

    return complete


complete_program = _completer(program_names, "program")
complete_program.__doc__ = "Program names (override files in overrides/) that start with what is typed."
complete_component = _completer(component_names, "component")
complete_component.__doc__ = "Component names (files in base/components/) that start with what is typed."

__all__ = ["complete_component", "complete_program"]
