"""Writing: the only module that changes the output folder.

A build is planned first (what to create, update, remove; which hand edits are
in the way), then applied: every new file is staged as a temporary file beside
its target and only renamed into place once all of them were written, so a
failure leaves the folder as it was. A manifest remembers the hash of each page
the tool wrote, which is how hand edits and the tool's own files are told apart.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .building import Output, check_output_name
from .errors import Loc, Problem, VariantsError, error

MANIFEST = ".variants-manifest.json"


class Change(NamedTuple):
    """What a build does to one file."""

    name: str
    action: str  # create | update | remove | unchanged
    old: str | None
    new: str | None


@dataclass
class Plan:
    """Everything a build would do to the output folder, and what stands in its way."""

    out_dir: Path
    changes: list[Change]
    conflicts: list[Problem] = field(default_factory=list)
    manifest: dict[str, str] = field(default_factory=dict)
    manifest_changed: bool = False

    @property
    def pending(self) -> list[Change]:
        """The changes that would touch a file."""
        return [c for c in self.changes if c.action != "unchanged"]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path: Path, display: str) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="surrogateescape")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VariantsError(error(display, f"cannot read: {exc.strerror or exc}", "output")) from None


def read_manifest(out_dir: Path) -> dict[str, str]:
    """The hashes of the pages the last build wrote ({} before the first build)."""
    display = f"{out_dir}/{MANIFEST}"
    text = _read(out_dir / MANIFEST, display)
    if text is None:
        return {}
    try:
        data = json.loads(text)
        files = data["files"]
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise ValueError
        if any(check_output_name(name, Loc(display)) for name in files):
            raise ValueError
        return dict(files)
    except (ValueError, KeyError, TypeError):
        raise VariantsError(
            error(display, "manifest is damaged; delete it and rebuild with --force", "output")
        ) from None


def _target(out_dir: Path, name: str) -> Path:
    """The file for ``name``, refusing any path that leaves ``out_dir`` through links."""
    target = out_dir / name
    escapes = False
    if "/" in name:  # only a subfolder can lead out of the output folder
        root = out_dir.resolve()
        parent = target.parent.resolve()
        escapes = parent != root and root not in parent.parents
    if escapes or target.is_symlink():
        raise VariantsError(error(f"{out_dir}/{name}", "refusing to write through a symbolic link", "output"))
    return target


def plan(out_dir: Path, outputs: list[Output], force: bool = False) -> Plan:
    """Compare what the sources produce with what ``out_dir`` holds."""
    if out_dir.exists() and not out_dir.is_dir():
        raise VariantsError(error(str(out_dir), "output path exists and is not a folder", "output"))
    old_manifest = read_manifest(out_dir) if out_dir.is_dir() else {}
    result = Plan(out_dir, [])
    for output in outputs:
        display = f"{out_dir}/{output.name}"
        current = _read(_target(out_dir, output.name), display)
        result.manifest[output.name] = digest(output.text)
        if current == output.text:
            result.changes.append(Change(output.name, "unchanged", current, output.text))
            continue
        if current is not None and not force:
            known = old_manifest.get(output.name)
            if known is None:
                result.conflicts.append(
                    error(display, "exists and was not written by variants; move it away or use --force", "hand-edit")
                )
            elif known != digest(current):
                result.conflicts.append(
                    error(
                        display,
                        "was edited by hand since the last build; see 'variants diff', or use --force",
                        "hand-edit",
                    )
                )
        result.changes.append(Change(output.name, "create" if current is None else "update", current, output.text))
    for name in sorted(set(old_manifest) - set(result.manifest)):
        current = _read(_target(out_dir, name), f"{out_dir}/{name}")
        if current is None:
            continue
        if digest(current) != old_manifest[name] and not force:
            result.conflicts.append(
                error(
                    f"{out_dir}/{name}",
                    "its override is gone but the page was edited by hand; use --force to remove it",
                    "hand-edit",
                )
            )
        result.changes.append(Change(name, "remove", current, None))
    result.manifest_changed = result.manifest != old_manifest
    return result


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


def _stage(target: Path, data: bytes) -> str:
    """Write ``data`` to a new file beside ``target``; like any new file, its mode follows the umask."""
    temp = str(target.parent / f".{target.name}.{os.getpid()}.variants-tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        handle = os.open(temp, flags, 0o666)
    except FileExistsError:  # left by a run of ours that was killed: the name is ours to reuse
        os.unlink(temp)
        handle = os.open(temp, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    except OSError:
        os.close(handle)
        os.unlink(temp)
        raise
    os.close(handle)
    return temp


def write_file(path: Path, pieces: Iterable[str]) -> None:
    """Write a report to ``path`` piece by piece, all or nothing: a failure leaves ``path`` as it was."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.variants-tmp")
    try:
        with temp.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(pieces)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise VariantsError(error(str(path), f"cannot write: {exc.strerror or exc}", "output")) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def apply(plan: Plan) -> None:
    """Carry out ``plan``: all files or none. Refuses when hand edits are in the way."""
    if plan.conflicts:
        raise VariantsError(plan.conflicts)
    writes = [c for c in plan.pending if c.new is not None]
    if plan.manifest_changed:
        manifest = json.dumps({"version": 1, "files": dict(sorted(plan.manifest.items()))}, indent=2) + "\n"
        writes.append(Change(MANIFEST, "update", None, manifest))
    if not writes and not plan.pending:
        return
    staged: list[tuple[str, Path]] = []
    try:
        plan.out_dir.mkdir(parents=True, exist_ok=True)
        for change in writes:
            target = _target(plan.out_dir, change.name)
            if "/" in change.name:
                target.parent.mkdir(parents=True, exist_ok=True)
            staged.append((_stage(target, (change.new or "").encode("utf-8", errors="surrogateescape")), target))
    except OSError as exc:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        where = exc.filename or str(plan.out_dir)
        raise VariantsError(
            error(Loc(str(where)), f"cannot write: {exc.strerror or exc}; nothing was changed", "output")
        ) from None
    try:
        for temp, target in staged:
            os.replace(temp, target)
        for change in plan.pending:
            if change.action == "remove":
                _target(plan.out_dir, change.name).unlink(missing_ok=True)
    except OSError as exc:  # pragma: no cover - a rename in one folder failing after the writes succeeded
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise VariantsError(
            error(str(plan.out_dir), f"cannot finish writing: {exc.strerror or exc}", "output")
        ) from None
