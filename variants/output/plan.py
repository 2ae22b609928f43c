"""Planning a build's writes: what to create, update and remove, and which hand edits are in the way.

Only this package touches the output folder. A plan compares what the sources
produce with what the folder holds and what the manifest says the last build
wrote; ``apply`` then carries it out, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from ..pipeline.model import Output
from ..problems import Problem, VariantsError, error
from .manifest import digest, read_manifest
from .pages import read_page, stray_files
from .paths import target

CREATE, UPDATE, REMOVE, UNCHANGED = "create", "update", "remove", "unchanged"


class Change(NamedTuple):
    """What a build does to one file."""

    name: str
    action: str  # create | update | remove | unchanged
    old: str | None  # the file's text now; None: no file (or, unchanged, a page the stamp vouches for, not read)
    new: str | None  # the text it gets; None: removed (or, unchanged, not read)


@dataclass
class Plan:
    """Everything a build would do to the output folder, and what stands in its way."""

    out_dir: Path
    changes: list[Change]
    conflicts: list[Problem] = field(default_factory=list)
    manifest: dict[str, str] = field(default_factory=dict)
    manifest_changed: bool = False
    strays: list[str] = field(default_factory=list)  # temporary files and trash that killed runs left

    @property
    def pending(self) -> list[Change]:
        """The changes that would touch a file."""
        return [c for c in self.changes if c.action != UNCHANGED]


def plan(
    out_dir: Path, outputs: list[Output], force: bool = False, holds: Callable[[str, str], bool] | None = None
) -> Plan:
    """Compare what the sources produce with what ``out_dir`` holds. ``holds(name, digest)`` may
    say that a page is known to hold the text of that digest, so it is not read."""
    if out_dir.exists() and not out_dir.is_dir():
        raise VariantsError(error(str(out_dir), "output path exists and is not a folder", "output"))
    old_manifest = read_manifest(out_dir) if out_dir.is_dir() else {}
    result = Plan(out_dir, [])
    gone = set(old_manifest) - {output.name for output in outputs}  # pages whose override is gone
    for output in outputs:
        sha = output.digest or digest(output.text)
        # A page in a subfolder is resolved first: a link in its folders is refused, vouched for or not.
        # A page in out/ itself is the very file the last build wrote when the stamp vouches for it
        # (its inode is, not a link's), so it need not be resolved.
        path = target(out_dir, output.name) if "/" in output.name else None
        if holds is not None and holds(output.name, sha):
            result.manifest[output.name] = sha
            result.changes.append(Change(output.name, UNCHANGED, None, None))  # its text is not needed, nor read
            continue
        display = f"{out_dir}/{output.name}"
        path = path or target(out_dir, output.name)
        try:
            current = read_page(path, display)
            blocked = _in_the_way(out_dir, output.name, gone) if "/" in output.name and current is None else None
        except VariantsError:  # a folder where the page goes is fine if it is one this build empties
            if not path.is_dir() or path.is_symlink():
                raise
            current, blocked = None, _in_the_way(out_dir, output.name, gone)
        if blocked is not None:
            result.conflicts.append(blocked)
        result.manifest[output.name] = sha
        if current == output.text:
            result.changes.append(Change(output.name, UNCHANGED, current, output.text))
            continue
        if current is not None and not force:
            known = old_manifest.get(output.name)
            if known is None:
                message, hint = "exists and was not written by variants", "move-or-force"
                result.conflicts.append(error(display, message, "hand-edit", hint))
            elif known != digest(current):
                message, hint = "was edited by hand since the last build", "diff-or-force"
                result.conflicts.append(error(display, message, "hand-edit", hint))
        result.changes.append(Change(output.name, CREATE if current is None else UPDATE, current, output.text))
    for name in sorted(gone):
        current = read_page(target(out_dir, name), f"{out_dir}/{name}")
        if current is None:
            continue
        if digest(current) != old_manifest[name] and not force:
            message = "its override is gone but the page was edited by hand"
            result.conflicts.append(error(f"{out_dir}/{name}", message, "hand-edit", "force-remove"))
        result.changes.append(Change(name, REMOVE, current, None))
    result.manifest_changed = result.manifest != old_manifest
    result.strays = stray_files(out_dir) if out_dir.is_dir() else []
    return result


def _in_the_way(out_dir: Path, name: str, gone: set[str]) -> Problem | None:
    """A file where the page needs a folder, or a folder where it needs a file: fine when it is a
    page this build removes (or a folder of nothing else), which goes first; a problem otherwise."""
    parents = [p.as_posix() for p in PurePosixPath(name).parents][:-1]
    for parent in parents:
        if (out_dir / parent).is_file() and parent not in gone:
            return error(f"{out_dir}/{name}", f"'{parent}' is a file where this page needs a folder", "output")
    path = out_dir / name
    if path.is_dir() and not path.is_symlink():
        inside = {p.relative_to(out_dir).as_posix() for p in path.rglob("*") if not p.is_dir() or p.is_symlink()}
        if not inside <= gone:
            return error(f"{out_dir}/{name}", "is a folder (not written by variants) where this page goes", "output")
    return None


def unified_diff(plan: Plan) -> str:
    """A unified diff of every pending change, paths relative to the output folder's parent."""
    import difflib

    chunks: list[str] = []
    base = plan.out_dir.as_posix().strip("/")
    for change in plan.pending:
        old = (change.old or "").splitlines(keepends=True)
        new = (change.new or "").splitlines(keepends=True)
        src = f"a/{base}/{change.name}" if change.old is not None else "/dev/null"
        dst = f"b/{base}/{change.name}" if change.new is not None else "/dev/null"
        for line in difflib.unified_diff(old, new, src, dst):
            chunks.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(chunks)


__all__ = ["CREATE", "REMOVE", "UNCHANGED", "UPDATE", "Change", "Plan", "plan", "unified_diff"]
