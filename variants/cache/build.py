"""A build that merges and renders only the pages whose inputs changed.

Each page is keyed by a hash of everything it depends on: the files of base/
(but the components), the components it uses, its override and the overrides it
extends, and the versions of variants, Python and the libraries that shape a
page. What an override extends and uses is learnt when it is built and kept in
the index under its content hash, so an unchanged override is never read.
When every page is cached and base/ was built clean before, nothing is parsed
or rendered and neither YAML nor Jinja is imported. Pages with problems are
never stored, and any problem makes the build fall back to a full one, so
errors are reported exactly as a build without the cache reports them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from functools import cache
from pathlib import Path

from ..pipeline.model import Output
from ..problems import Loc
from ..progress import Progress
from ..source.listing import SLUG_PATTERN
from ..source.names import claims
from .index import Index, Scan, scan
from .store import Entry, Store

_COMPONENTS = "base/components/"
_OVERRIDES = "overrides/"
LIBRARIES = ("jinja2", "markupsafe", "pyyaml")
_BASE_CLEAN = Entry("", "")  # the marker stored when base/ built without problems


@cache
def environment(libraries: tuple[str, ...] = LIBRARIES) -> str:
    """What besides the sources shapes a page: the versions of variants, Python and ``libraries``."""
    from .. import __version__

    versions = installed_versions(libraries)
    parts = [f"variants {__version__}", f"python {sys.version}"]
    parts += [f"{name} {versions[name] or '-'}" for name in libraries]
    return "; ".join(parts)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def installed_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    """The installed version of each distribution (None: not installed), as importlib.metadata gives it.

    The first ``NAME-VERSION.dist-info`` folder along sys.path names it (the wheel standard), so
    a cached build need not import importlib.metadata (65 ms, a fifth of a no-op build). Where the
    path holds what a folder listing cannot read in order (a zip, an egg) or a name is found otherwise
    (an .egg-info) or not at all, importlib.metadata answers for all of them."""
    wanted = {_normal(name) for name in names}
    found: dict[str, str | None] = {}
    for entry in sys.path:
        if entry.lower().endswith(".egg") or os.path.isfile(entry):
            return _metadata_versions(names)
        try:
            listing = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for item in listing:
            stem, dot, kind = item.rpartition(".")
            kind = kind.lower()
            if not dot or kind not in ("dist-info", "egg-info", "egg"):
                continue
            name, dash, release = stem.partition("-")
            key = _normal(name)
            if key in wanted and key not in found:
                found[key] = release if kind == "dist-info" and dash and release and "-" not in release else None
        if wanted <= found.keys():
            break
    if not all(found.get(key) for key in wanted):
        return _metadata_versions(names)
    return {name: found[_normal(name)] for name in names}


def _metadata_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    result: dict[str, str | None] = {}
    for name in names:
        try:
            result[name] = version(name)
        except PackageNotFoundError:
            result[name] = None
    return result


class Memory:
    """The cache entries the last build used, for a process that builds the same project again."""

    def __init__(self) -> None:
        self._store: _MemoryStore | None = None

    def store(self, root: Path) -> Store:
        if self._store is None or self._store.folder != Store(root).folder:
            self._store = _MemoryStore(root)
        self._store.begin()
        return self._store


class _MemoryStore(Store):
    """A store that answers from the entries the last build read or wrote before reading a file."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._last: dict[str, Entry] = {}
        self._now: dict[str, Entry] = {}

    def begin(self) -> None:
        self._last, self._now = {**self._last, **self._now}, {}

    def get(self, key: str) -> Entry | None:
        entry = self._last.get(key) or super().get(key)
        if entry is not None:
            self._now[key] = entry
        return entry

    def put_many(self, entries: dict[str, Entry]) -> None:
        super().put_many(entries)
        self._now.update(entries)

    def prune(self, used: set[str]) -> None:
        super().prune(used)
        self._last = {k: v for k, v in {**self._last, **self._now}.items() if k in used}


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()


def _programs(hashes: dict[str, str]) -> dict[str, str] | None:
    """slug -> override file; None when a name is one the full build would refuse."""
    programs: dict[str, str] = {}
    for rel in sorted(hashes):
        name = rel.removeprefix(_OVERRIDES)
        if rel.startswith(_OVERRIDES) and "/" not in name and name.endswith((".yml", ".yaml")):
            slug = name.rsplit(".", 1)[0]
            if not SLUG_PATTERN.fullmatch(slug) or slug in programs:
                return None
            programs[slug] = rel
    return programs


def page_keys(found: Scan, index: Index) -> dict[str, str | None]:
    """Each program's page key; None for a program whose override (or a parent) is not known yet."""
    hashes = found.hashes
    programs = _programs(hashes) or {}
    base = sorted(
        (rel, sha) for rel, sha in hashes.items() if rel.startswith("base/") and not rel.startswith(_COMPONENTS)
    )
    common = _hash(environment(), base)
    keys: dict[str, str | None] = {}
    for slug, rel in programs.items():
        chain: list[object] = []
        current: str | None = rel
        seen: set[str] = set()
        while current is not None:
            deps = index.deps.get(hashes[current])
            if deps is None or current in seen:
                chain = []
                break
            seen.add(current)
            used = [(name, _component(hashes, name)) for name in deps[1]]
            if any(sha is None for _, sha in used):
                chain = []
                break
            chain.append([current, hashes[current], used])
            current = programs.get(deps[0]) if deps[0] is not None else None
            if deps[0] is not None and current is None:
                chain = []
                break
        keys[slug] = _hash(common, chain) if chain else None
    return keys


def _component(hashes: dict[str, str], name: str) -> str | None:
    for suffix in (".yml", ".yaml"):
        sha = hashes.get(f"{_COMPONENTS}{name}{suffix}")
        if sha is not None:
            return sha
    return None


def _base_key(found: Scan) -> str:
    """The key of base/ as a whole and the override names: what the project-wide checks read."""
    return _hash(
        environment(),
        sorted((rel, sha) for rel, sha in found.hashes.items() if rel.startswith("base/")),
        sorted(rel for rel in found.hashes if rel.startswith(_OVERRIDES)),
    )


def cached_outputs(
    root: Path,
    jobs: int | None = None,
    progress: Progress | None = None,
    memory: Memory | None = None,
    scanned: tuple[Index, Scan] | None = None,
) -> list[Output]:
    """Every page the project at ``root`` makes, rendering only what the cache does not hold;
    raises with every problem, as ``render_project`` does. A process that builds again and again
    (``watch``) passes the same ``memory`` each time: the entries of the last build, kept in memory;
    ``scanned`` is the index and the scan of the sources when the caller has just made them."""
    store = Store(root) if memory is None else memory.store(root)
    index = scanned[0] if scanned is not None else store.index()
    found = scanned[1] if scanned is not None else scan(root, index)
    programs = _programs(found.hashes)
    if not store.usable or not found.clean or programs is None:
        return _full(root, jobs)
    keys = page_keys(found, index)
    entries = {slug: store.get(key) for slug, key in keys.items() if key is not None}
    hits = {slug: entry for slug, entry in entries.items() if entry is not None}
    base_key = _base_key(found)
    base_clean = store.get(base_key) == _BASE_CLEAN
    if len(hits) == len(programs) and base_clean:
        outputs = [Output(hits[slug].name, hits[slug].text, rel) for slug, rel in programs.items()]
        if _collide(outputs):
            return _full(root, jobs)
        if found.changed:
            store.save_index(index)
        return outputs
    return _rebuild(root, jobs, store, index, found, programs, hits, base_key, base_clean, progress)


def _rebuild(
    root: Path,
    jobs: int | None,
    store: Store,
    index: Index,
    found: Scan,
    programs: dict[str, str],
    hits: dict[str, Entry],
    base_key: str,
    base_clean: bool,
    progress: Progress | None,
) -> list[Output]:
    """Build the pages the cache lacks, store them, and return every page."""
    from ..pipeline.build import build
    from ..problems import VariantsError
    from ..source.schema import COMPONENTS, EXTENDS

    missing = frozenset(programs) - hits.keys()
    built = build(root, jobs, keep_pages=True, only=missing, lint_base=not base_clean, progress=progress)
    if built.problems:
        raise VariantsError(built.problems)
    made = {program.slug: program for program in built.programs}
    for program in made.values():
        if program.override is not None:
            data = program.override.doc.data
            parent = data.get(EXTENDS)
            index.deps[found.hashes[program.source]] = (
                None if parent is None else str(parent),
                tuple(str(c) for c in data.get(COMPONENTS) or ()),
            )
    outputs = []
    for slug, rel in programs.items():
        if slug in hits:
            outputs.append(Output(hits[slug].name, hits[slug].text, rel))
        else:
            output = made[slug].output
            assert output is not None
            outputs.append(output)
    if _collide(outputs):
        return _full(root, jobs)
    if unchanged_since(root, found):  # a file changed while building: its pages are not stored
        keys = page_keys(found, index)
        entries: dict[str, Entry] = {}
        for slug in missing:
            key, output = keys.get(slug), made[slug].output
            if key is not None and output is not None:
                entries[key] = Entry(output.name, output.text)
        store.put_many({**entries, base_key: _BASE_CLEAN})
        store.save_index(index)
        store.prune({k for k in keys.values() if k is not None} | {base_key})
    return outputs


def unchanged_since(root: Path, found: Scan) -> bool:
    """Whether every source file still has the stat it had when it was hashed."""
    for rel, known in found.stats.items():
        try:
            info = os.stat(root / rel)
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns) != known:
            return False
    return True


def _collide(outputs: list[Output]) -> bool:
    return bool(claims([(o.name, o.source, Loc(o.source)) for o in outputs]))


def _full(root: Path, jobs: int | None) -> list[Output]:
    from ..pipeline.build import render_project

    return render_project(root, jobs)


__all__ = ["LIBRARIES", "Memory", "cached_outputs", "environment", "installed_versions", "page_keys", "unchanged_since"]
