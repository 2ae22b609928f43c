"""``check`` through the page cache: findings kept per page digest, and for the project as a whole.

A check whose sources are all unchanged since the last one (every file of base/
and overrides/ hashed as the build's cache hashes them, the same environment and
output name) gives the findings that check gave, parsing nothing. Otherwise the
project is checked, and each generated page whose text and declared ids are
unchanged gets its page findings from the cache instead of being parsed again.
Findings of every level are kept: they are a function of the sources, so an
error is reported on every check until the source is fixed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..problems import Loc, Problem
from ..progress import Progress
from .index import scan
from .store import Entry, Store
from .versions import LIBRARIES, environment

_CHECK = "check"  # the name an entry of findings is stored under
_PARSERS = ("markdown-it-py", "markdown-it-pyrs")  # findings are what these read, too


def _environment() -> str:
    return environment((*LIBRARIES, *_PARSERS))


def encode(problems: list[Problem]) -> str:
    return json.dumps([[list(p.loc), p.level, p.message, p.rule, p.hint] for p in problems], ensure_ascii=False)


def decode(text: str) -> list[Problem] | None:
    """The findings an entry holds; None when it is not a list of findings."""
    try:
        return [Problem(Loc(str(a), int(b), int(c), str(d)), str(lv), str(m), str(r), str(h))
                for (a, b, c, d), lv, m, r, h in json.loads(text)]  # fmt: skip
    except (ValueError, TypeError):
        return None


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode("utf-8", "surrogateescape")).hexdigest()


class PageFindings:
    """Page findings by a digest of what they are a function of: the page, its path, its declared ids."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.new: dict[str, list[Problem]] = {}

    def key(self, text: str, path: str, ids: dict[str, Loc], skip: frozenset[str]) -> str:
        return _hash(_CHECK, _environment(), path, text, sorted((k, list(v)) for k, v in ids.items()), sorted(skip))

    def get(self, key: str) -> list[Problem] | None:
        entry = self.store.get(key)
        return decode(entry.text) if entry is not None and entry.name == _CHECK else None

    def put(self, key: str, problems: list[Problem]) -> None:
        self.new[key] = problems

    def save(self) -> None:
        self.store.put_many({key: Entry(_CHECK, encode(problems)) for key, problems in self.new.items()})


def _check(root: Path, out_name: str, progress: Progress | None, memo: PageFindings | None = None) -> list[Problem]:
    from ..lint.check import check_project  # lazily: the rules import YAML and Jinja

    return check_project(root, out_name, progress, memo)


def cached_check(root: Path, out_name: str = "out", progress: Progress | None = None) -> list[Problem]:
    """What ``check_project`` finds, from the cache where the sources allow."""
    store = Store(root)
    index = store.index()
    found = scan(root, index)
    if not store.usable or not found.clean:
        return _check(root, out_name, progress)
    whole = _hash(_CHECK, _environment(), out_name, sorted(found.hashes.items()))
    hit = store.get(whole)
    known = decode(hit.text) if hit is not None and hit.name == _CHECK else None
    if known is not None:
        return known
    memo = PageFindings(store)
    problems = _check(root, out_name, progress, memo)
    if found.unchanged(root):  # a file changed while checking: keep nothing
        memo.save()
        store.put(whole, Entry(_CHECK, encode(problems)))
        if found.changed:
            store.save_index(index)
    return problems


__all__ = ["PageFindings", "cached_check", "decode", "encode"]
