"""The page cache on disk: one entry per page key, written atomically, never trusted blindly.

The cache lives in ``.variants-cache/`` in the project (it ignores itself for
git). An entry holds one page's output name and text with their digest; an
entry that cannot be read, is damaged or does not match its own key is
ignored and rebuilt. Only pages whose build found no problem are stored, so a
source with an error fails every build until it is fixed. The cache is
bounded: beyond a few times the number of pages the project has, the entries
no build used last are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import NamedTuple

from ..output.paths import create, interruptible, stage, target, temp_path
from ..problems import VariantsError
from ..source.files import read_bytes
from .index import Index

CACHE_DIR = ".variants-cache"
_INDEX = "index.json"
_PAGES = "pages"
_KEEP_FACTOR, _KEEP_EXTRA = 3, 64  # entries kept: 3 x the pages of the project, plus a few
_GITIGNORE = "# written by variants: the page cache, safe to delete\n*\n"


class Entry(NamedTuple):
    """One cached page."""

    name: str  # output name, relative to the output folder
    text: str


class Store:
    """The cache folder of one project."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self._pages = os.path.join(os.fspath(self.folder), _PAGES)
        # a cache folder that is a link, or not a folder, is not ours to write into
        self.usable = not self.folder.is_symlink() and (self.folder.is_dir() or not self.folder.exists())

    def index(self) -> Index:
        return Index.read(self.folder / _INDEX)

    def get(self, key: str) -> Entry | None:
        """The entry for ``key``, if there is a sound one."""
        try:
            raw = read_bytes(Path(os.path.join(self._pages, key[:2], key)), missing_ok=True)
            if raw is None:
                return None
            data = json.loads(raw)
            entry = Entry(str(data["name"]), str(data["text"]))
            if data["key"] != key or data["digest"] != _digest(entry):
                return None
            return entry
        except (VariantsError, ValueError, KeyError, TypeError):  # a FIFO, a folder, damage: not an entry
            return None

    def put(self, key: str, entry: Entry) -> None:
        """Store ``entry`` under ``key`` (a failure to write is not an error: the cache is an aid)."""
        self.put_many({key: entry})

    def put_many(self, entries: dict[str, Entry]) -> None:
        """Store each entry under its key, each written atomically; the folders are made and
        checked once for all of them (a cold build stores a thousand at once)."""
        if not self.usable or not entries or not _ready(self.folder):
            return
        folders: dict[str, Path | None] = {}
        with interruptible():
            for key, entry in entries.items():
                prefix = key[:2]
                if prefix not in folders:
                    try:
                        (self.folder / _PAGES / prefix).mkdir(parents=True, exist_ok=True)
                        folders[prefix] = target(self.folder, f"{_PAGES}/{prefix}")  # never a link out
                    except (OSError, VariantsError):
                        folders[prefix] = None
                folder = folders[prefix]
                if folder is None:
                    continue
                data = {"key": key, "name": entry.name, "text": entry.text, "digest": _digest(entry)}
                _replace(folder / key, json.dumps(data, ensure_ascii=False))

    def save_index(self, index: Index) -> None:
        if not self.usable:
            return
        write_atomically(self.folder / _INDEX, index.text(), self.folder)

    def prune(self, used: set[str]) -> None:
        """Remove entries beyond the bound, those no build used last first."""
        try:  # a link in the cache leads out of it: nothing is removed through one
            entries = [e.path for d in _folders(self._pages) for e in os.scandir(d) if not e.is_symlink()]
        except OSError:
            return
        limit = _KEEP_FACTOR * len(used) + _KEEP_EXTRA
        if len(entries) <= limit:
            return
        stale = sorted((p for p in entries if os.path.basename(p) not in used), key=_mtime)
        for path in stale[: len(entries) - limit]:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def clear(self) -> int:
        """Remove the cache folder; the number of entries it held."""
        if not self.usable:
            return 0
        try:
            count = sum(1 for d in _folders(self._pages) for _ in os.scandir(d))
        except OSError:
            count = 0
        shutil.rmtree(self.folder, ignore_errors=True)
        return count


def _folders(pages: str) -> list[str]:
    """The folders of entries (not links to folders elsewhere); string paths and scandir, since a
    build that stored a page lists the thousands of entries to keep them bounded."""
    if os.path.islink(pages) or not os.path.isdir(pages):
        return []
    with os.scandir(pages) as found:
        return [e.path for e in found if e.is_dir(follow_symlinks=False)]


def _mtime(path: str) -> int:
    try:
        return os.stat(path, follow_symlinks=False).st_mtime_ns
    except OSError:
        return 0


def _digest(entry: Entry) -> str:
    return hashlib.sha256(f"{entry.name}\0{entry.text}".encode("utf-8", errors="surrogateescape")).hexdigest()


def _ready(folder: Path) -> bool:
    """Whether the cache folder is there to write into (made, with its .gitignore, when it is not).
    Only a project's folder gets one: a check of a folder with no base/ leaves it as it was."""
    try:
        if not folder.is_dir():
            if not (folder.parent / "base").is_dir():
                return False
            folder.mkdir(exist_ok=True)
            create(folder / ".gitignore", [_GITIGNORE.encode("utf-8")])
    except OSError:
        return False
    return True


def _replace(path: Path, text: str) -> None:
    """Put ``text`` at ``path`` under a name no other process holds, then rename it there (the
    rename replaces a link, never writes through one); give up quietly when that fails."""
    temp = temp_path(path)
    try:
        stage(path, [text.encode("utf-8", errors="surrogateescape")], temp)
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str, folder: Path) -> None:
    """Write atomically, through the safe-path module: under a name no other process holds, never
    through a link out of the cache folder; give up quietly when that fails."""
    if not _ready(folder):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path = target(folder, path.relative_to(folder).as_posix())
    except (OSError, VariantsError):
        return
    with interruptible():
        _replace(path, text)


__all__ = ["CACHE_DIR", "Entry", "Store", "write_atomically"]
