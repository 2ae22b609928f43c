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
from pathlib import Path
from typing import TYPE_CHECKING

from ..pipeline.model import Output
from ..problems import Loc, VariantsError, error
from ..progress import Progress
from ..source.listing import SLUG_PATTERN
from ..source.names import claims
from .index import Index, Scan, scan
from .store import Entry, Store
from .versions import environment

if TYPE_CHECKING:
    from ..pipeline.build import Program
    from ..pipeline.render import Compiled
    from .stamp import Stamp

_COMPONENTS = "base/components/"
_OVERRIDES = "overrides/"
_BASE_CLEAN = Entry("", "")  # the marker stored when base/ built without problems


class Memory:
    """The cache entries the last build used, and the templates as compiled, for a process that
    builds the same project again."""

    def __init__(self) -> None:
        self._store: _MemoryStore | None = None
        self._compiled: Compiled | None = None

    def compiled(self) -> Compiled:
        if self._compiled is None:
            from ..pipeline.render import Compiled  # Jinja: only once something renders

            self._compiled = Compiled()
        return self._compiled

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


def page_keys(
    found: Scan, index: Index, programs: dict[str, str], only: frozenset[str] | None = None
) -> dict[str, str | None]:
    """Each program's page key (of the programs ``only`` names, or all); None for a program whose
    override (or a parent) is not known yet."""
    hashes = found.hashes
    base = sorted(
        (rel, sha) for rel, sha in hashes.items() if rel.startswith("base/") and not rel.startswith(_COMPONENTS)
    )
    common = _hash(environment(), base)
    keys: dict[str, str | None] = {}
    for slug, rel in programs.items():
        if only is not None and slug not in only:
            continue
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
    stamp: Stamp | None = None,
) -> list[Output]:
    """Every page the project at ``root`` makes, rendering only what the cache does not hold;
    raises with every problem, as ``render_project`` does. A process that builds again and again
    (``watch``) passes the same ``memory`` each time: the entries of the last build, kept in memory.
    With the ``stamp`` of the output folder, an unchanged page that folder holds comes as its name
    and digest (its entry is read only if its text is asked for), and the stamp learns each page's key."""
    store = Store(root) if memory is None else memory.store(root)
    index = stamp.index if stamp is not None else store.index()
    found = stamp.found if stamp is not None else scan(root, index)
    programs = _programs(found.hashes)
    if not store.usable or not found.clean or programs is None:
        return _full(root, jobs)
    keys = page_keys(found, index, programs)
    cached = {slug: _cached(root, store, stamp, slug, programs[slug], key) for slug, key in keys.items() if key}
    hits = {slug: output for slug, output in cached.items() if output is not None}
    base_key = _base_key(found)
    base_clean = store.get(base_key) == _BASE_CLEAN
    built: dict[str, Output] = {}
    if len(hits) < len(programs) or not base_clean:
        missing = frozenset(programs) - hits.keys()
        compiled = memory.compiled() if memory is not None else None
        built = _rebuild(root, jobs, index, found, missing, base_clean, progress, compiled)
        hits.update(built)
    outputs = [hits[slug] for slug in programs]
    if _collide(outputs):  # the full build says which pages claim one name; nothing is stored
        return _full(root, jobs)
    if built or not base_clean:
        if found.unchanged(root):  # else a source changed while building: its pages are not stored
            keys.update(page_keys(found, index, programs, frozenset(built)))  # their overrides are known now
            new = {key: Entry(output.name, output.text) for slug, output in built.items() if (key := keys[slug])}
            store.put_many({**new, base_key: _BASE_CLEAN})
            store.save_index(index)
            store.prune({key for key in keys.values() if key is not None} | {base_key})
    elif found.changed:
        store.save_index(index)
    if stamp is not None:
        stamp.made_from = {hits[slug].name: key for slug, key in keys.items() if key is not None}
    return outputs


def _cached(root: Path, store: Store, stamp: Stamp | None, slug: str, source: str, key: str) -> Output | None:
    """The cached page of ``key``: as name and digest where the output folder holds it, else from
    its entry; None when the cache has no sound entry."""
    held = stamp.held(key) if stamp is not None else None
    if held is not None:
        name, sha = held
        return Output(name, None, source, sha, lambda: _text(root, store, key, slug, source, sha))
    entry = store.get(key)
    return None if entry is None else Output(entry.name, entry.text, source)


def _text(root: Path, store: Store, key: str, slug: str, source: str, sha: str) -> str:
    """The text of a page known by its digest: from its entry, or built again if the entry does not
    match (a page the output folder was vouched to hold, asked for after all)."""
    from ..output.manifest import digest

    entry = store.get(key)
    if entry is not None and digest(entry.text) == sha:
        return entry.text
    built = _programs_built(root, None, frozenset({slug}), False, None)
    if len(built) != 1 or built[0].output is None:  # its override went away since this build began
        raise VariantsError(error(source, "changed while building; run the build again", "output"))
    return built[0].output.text


def _rebuild(
    root: Path,
    jobs: int | None,
    index: Index,
    found: Scan,
    missing: frozenset[str],
    base_clean: bool,
    progress: Progress | None,
    compiled: Compiled | None,
) -> dict[str, Output]:
    """Build the pages ``missing`` names, and learn what their overrides extend and use."""
    from ..source.schema import COMPONENTS, EXTENDS

    made: dict[str, Output] = {}
    for program in _programs_built(root, jobs, missing, not base_clean, progress, compiled):
        assert program.output is not None
        made[program.slug] = program.output
        if program.override is not None:
            data = program.override.doc.data
            parent = data.get(EXTENDS)
            index.deps[found.hashes[program.source]] = (
                None if parent is None else str(parent),
                tuple(str(c) for c in data.get(COMPONENTS) or ()),
            )
    return made


def _programs_built(
    root: Path,
    jobs: int | None,
    only: frozenset[str],
    lint_base: bool,
    progress: Progress | None,
    compiled: Compiled | None = None,
) -> list[Program]:
    """The programs ``only`` names, built; raises with every problem."""
    from ..pipeline.build import build

    built = build(root, jobs, keep_pages=True, only=only, lint_base=lint_base, progress=progress, compiled=compiled)
    if built.problems:
        raise VariantsError(built.problems)
    return built.programs


def _collide(outputs: list[Output]) -> bool:
    return bool(claims([(o.name, o.source, Loc(o.source)) for o in outputs]))


def _full(root: Path, jobs: int | None) -> list[Output]:
    from ..pipeline.build import render_project

    return render_project(root, jobs)


__all__ = ["Memory", "cached_outputs", "page_keys"]
