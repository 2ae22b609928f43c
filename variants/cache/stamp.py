"""The output folder as the last build left it: a build with nothing to do reads no page.

After a build has written (or found unchanged) every page, the stamp records
a key of all the sources (as the stat index hashes them) and of the output
folder, with each page's stat and digest and the manifest's. A later build whose
sources give the same key, whose pages still have those stats, and whose folder
holds the same names (no file a killed run left), has nothing to do: it reads
no cache entry and no page. A page whose modification time is
too close to the stamp's writing (the racy case) is read and compared by digest.
Anything else (a page touched, a source edited, another output folder) is a
build as usual, and the stamp is written again after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from ..output.manifest import MANIFEST
from ..output.paths import is_temp
from .index import RACY_NS, Scan, scan
from .store import Store, write_atomically
from .versions import environment

_STAMP = "stamp.json"


def _key(found: Scan, out_dir: Path) -> str:
    parts = [environment(), os.path.abspath(out_dir), sorted(found.hashes.items())]
    return hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()


def _file(path: str) -> list[object] | None:
    """A page's stat and digest, as the stamp keeps them; None when it is not a regular file."""
    try:
        info = os.stat(path, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode):
            return None
        with open(path, "rb") as handle:
            sha = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, sha]


def _listing(out_dir: Path) -> str | None:
    """A digest of every name in the output folder and its subfolders (links not followed);
    None when a killed run left a temporary file there (the next build removes it)."""
    seen = []
    for folder, dirs, files in os.walk(out_dir):
        dirs.sort()
        if any(is_temp(name) for name in (*dirs, *files)):
            return None
        seen.append([os.path.relpath(folder, out_dir), dirs, sorted(files)])
    return hashlib.sha256(json.dumps(seen).encode("utf-8", "surrogateescape")).hexdigest()


class Stamp:
    """What the sources are now, to tell whether the output folder already holds what they make."""

    def __init__(self, root: Path, out_dir: Path) -> None:
        self.begun = time.time_ns()  # before every stat this stamp takes: the racy rule counts from here
        self.store = Store(root)
        self.root, self.out_dir = root, out_dir
        self.index = self.store.index()
        self.found = scan(root, self.index)
        self.made_from: dict[str, str] = {}  # output name -> the page key it was made from (the build says)
        self._read: dict[str, Any] | None = None
        self._vouched: dict[str, list[object]] = {}  # the pages ``holds`` found as recorded, with their stat now

    def _data(self) -> dict[str, Any] | None:
        """The stamp the last build left for this output folder, if there is a sound one."""
        if self._read is None:
            try:
                data = json.loads((self.store.folder / _STAMP).read_bytes())
                ok = isinstance(data, dict) and data.get("out") == os.path.abspath(self.out_dir)
                self._read = data if ok and isinstance(data.get("files"), dict) else {}
            except (OSError, ValueError):
                self._read = {}
        return self._read or None

    def holds(self, name: str, sha: str) -> bool:
        """Whether the output folder's ``name`` is known, without reading it, to hold the text whose
        digest is ``sha``: the last build wrote it so and its stat is still the one recorded."""
        data = self._data()
        if data is None or not self.found.clean:
            return False
        vouched = self._vouched.get(name)
        if vouched is not None and vouched[4] == sha:  # seen as recorded already in this run
            return True
        try:
            known = data["files"].get(name)
            if known is None or known[4] != sha:
                return False
            path = os.path.join(self.out_dir, name)
            info = os.stat(path, follow_symlinks=False)
            if [info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns] != known[:4]:
                return False
            if info.st_mtime_ns >= int(data["written_ns"]) - RACY_NS and _file(path) != known:
                return False
        except (OSError, ValueError, TypeError, IndexError, KeyError):
            return False
        self._vouched[name] = list(known)
        return True

    def held(self, key: str) -> tuple[str, str] | None:
        """The output name and digest of the page made from page key ``key``, when the output folder
        is known (as ``holds`` knows it) to hold that page."""
        data = self._data()
        if data is None:
            return None
        try:
            name = data["keys"].get(key)
            if not isinstance(name, str):
                return None
            sha = data["files"][name][4]
        except (KeyError, TypeError, IndexError, AttributeError):
            return None
        return (name, sha) if isinstance(sha, str) and self.holds(name, sha) else None

    def pages(self) -> int | None:
        """The number of pages, when the output folder holds what the sources make; else None."""
        data = self._data()
        if data is None or not self.store.usable or not self.found.clean:
            return None
        try:
            if data["key"] != _key(self.found, self.out_dir):
                return None
            if data["listing"] is None or data["listing"] != _listing(self.out_dir):  # a file added or left over
                return None
            if not all(self.holds(name, known[4]) for name, known in data["files"].items()):
                return None
            pages = int(data["pages"])
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        if self.found.changed:
            self.store.save_index(self.index)
        return pages

    def record(self, digests: dict[str, str]) -> None:
        """After a build that left the output folder holding the pages whose digests are ``digests``
        (and its manifest): the stamp. Nothing is recorded when a source changed since this stamp's scan."""
        if not self.store.usable or not self.found.clean or not self.found.unchanged(self.root):
            return
        files: dict[str, list[object] | None] = {}
        for name in [*digests, MANIFEST]:
            sha = digests.get(name) if name != MANIFEST else None
            vouched = self._vouched.get(name)
            if vouched is not None and vouched[4] == sha:  # unchanged, not written: its stat is the one just seen
                files[name] = vouched
                continue
            path = os.path.join(self.out_dir, name)
            try:
                info = os.stat(path, follow_symlinks=False)
            except OSError:
                return
            files[name] = [info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, sha] if sha else _file(path)
            if files[name] is None:
                return
        keys = {key: name for name, key in sorted(self.made_from.items()) if name in digests}
        # written_ns is when this stamp began, before every stat it took: a page changed after one is racy
        data = {"key": _key(self.found, self.out_dir), "out": os.path.abspath(self.out_dir), "written_ns": self.begun,
                "pages": len(digests), "listing": _listing(self.out_dir), "files": files, "keys": keys}  # fmt: skip
        write_atomically(self.store.folder / _STAMP, json.dumps(data), self.store.folder)
        self._read = None


__all__ = ["Stamp"]
