"""Which inputs changed: a stat index over the project's source files, as git's index is.

Each source file's size, modification time, inode and change time are kept with
the SHA-256 of its bytes. A file whose stat is as recorded is taken as
unchanged without reading it, unless its modification time is too close to the
moment the index was written (the racy case: a file changed twice within the
file system's timestamp granularity), in which case it is hashed again. Reads
only the standard library: a build with nothing to render imports neither
YAML nor Jinja.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..problems import VariantsError
from ..source.files import read_bytes

VERSION = 1
RACY_NS = 1_000_000_000  # a modification this close to the index's writing is hashed again
_FOLDERS = ("base", "overrides")
_SUFFIXES = (".yml", ".yaml", ".j2", ".json")

Stat = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns


def _stat_of(info: os.stat_result) -> Stat:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass
class Index:
    """The stat index of one project: path -> (stat, hash), and what each override file names."""

    files: dict[str, tuple[Stat, str]] = field(default_factory=dict)
    written_ns: int = 0
    # override content hash -> (its extends, its components): read from the file when it was built
    deps: dict[str, tuple[str | None, tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Index:
        """The index at ``path``; an empty one when it is missing, unreadable or damaged."""
        try:
            raw = read_bytes(path, missing_ok=True)  # a regular file only: a FIFO here must not hang the build
            if raw is None:
                return cls()
            data = json.loads(raw)
            if data.get("version") != VERSION:
                return cls()
            files = {rel: (tuple(entry[0]), str(entry[1])) for rel, entry in data["files"].items()}
            deps = {sha: (d[0], tuple(d[1])) for sha, d in data["deps"].items()}
            return cls(files, int(data["written_ns"]), deps)
        except (VariantsError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return cls()

    def text(self) -> str:
        data: dict[str, Any] = {
            "version": VERSION,
            "written_ns": time.time_ns(),
            "files": {rel: [list(st), sha] for rel, (st, sha) in sorted(self.files.items())},
            "deps": {sha: [d[0], list(d[1])] for sha, d in sorted(self.deps.items())},
        }
        return json.dumps(data, separators=(",", ":"))


@dataclass
class Scan:
    """The project's source files as they are now: path -> SHA-256; and whether all were regular files."""

    hashes: dict[str, str]
    stats: dict[str, Stat]  # each file's stat when it was hashed (or found unchanged)
    changed: bool  # whether the index learnt something (so it is worth writing)
    clean: bool = True  # no special file, link or unreadable entry among the sources

    def unchanged(self, root: Path) -> bool:
        """Whether every source file still has the stat it had when it was hashed."""
        top = os.fspath(root)
        for rel, known in self.stats.items():
            try:
                info = os.stat(f"{top}/{rel}")  # a string path: a thousand stats in a few milliseconds
            except OSError:
                return False
            if _stat_of(info) != known:
                return False
        return True


def scan(root: Path, index: Index) -> Scan:
    """Hash every source file of the project, trusting the index where a file's stat is unchanged."""
    hashes: dict[str, str] = {}
    stats: dict[str, Stat] = {}
    changed = False
    clean = True
    now = time.time_ns()
    trusted_before = min(index.written_ns, now) - RACY_NS
    top = os.fspath(root)
    pending = list(reversed(_FOLDERS))
    while pending:  # string paths and scandir: a project of thousands of files is scanned in milliseconds
        rel_dir = pending.pop()
        try:
            entries = sorted(os.scandir(os.path.join(top, rel_dir)), key=lambda e: e.name)
        except OSError:
            continue
        for entry in reversed(entries):
            if entry.is_symlink():  # where a link leads is the full build's question, not the index's
                clean = False
            elif entry.is_dir():
                pending.append(f"{rel_dir}/{entry.name}")
        for entry in entries:
            if not entry.name.endswith(_SUFFIXES) or entry.is_dir(follow_symlinks=False):
                continue
            rel = f"{rel_dir}/{entry.name}"
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                clean = False
                continue
            if not stat.S_ISREG(info.st_mode):
                clean = False  # a link or special file: the full build says what it thinks of it
                continue
            now_stat = stats[rel] = _stat_of(info)
            known = index.files.get(rel)
            if known is not None and known[0] == now_stat and info.st_mtime_ns < trusted_before:
                hashes[rel] = known[1]
                continue
            try:
                hashes[rel] = sha256_file(Path(entry.path))
            except OSError:
                clean = False
                continue
            index.files[rel] = (now_stat, hashes[rel])
            changed = True
    for rel in set(index.files) - stats.keys():
        del index.files[rel]
        changed = True
    return Scan(hashes, stats, changed, clean)


__all__ = ["RACY_NS", "Index", "Scan", "scan", "sha256_file"]
