"""How compact a project's sources are, against a plain line-diff encoding of the pages they make.

The sources are base/ (settings, content, templates, components) and overrides/,
without the generated schema copy. Measured: their non-blank, non-comment lines
(YAML ``#`` lines and whole-line Jinja comments left out), stripped of their
indentation; lines of 40 or more characters that stand in two files (a copy).
The line-diff encoding of the pages keeps the page that needs the fewest lines
whole, plus every other page's added lines (difflib, line by line).

    python benchmarks/compactness.py PROJECT [PAGE ...]
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

GENERATED = ("base/override.schema.json",)
_JINJA_COMMENT = re.compile(r"\{#.*#\}")
COPY_LENGTH = 40


def source_files(root: Path) -> list[Path]:
    """The files a person writes: base/ and overrides/, without generated copies."""
    files = [p for folder in ("base", "overrides") for p in sorted((root / folder).rglob("*")) if p.is_file()]
    return [p for p in files if p.relative_to(root).as_posix() not in GENERATED]


def counted_lines(path: Path) -> list[str]:
    """The lines that hold something: not blank, not a comment; indentation stripped."""
    yaml_file = path.suffix in (".yml", ".yaml")
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.lstrip()
        if not text.strip() or (yaml_file and text.startswith("#")) or _JINJA_COMMENT.fullmatch(text.strip()):
            continue
        kept.append(text)
    return kept


def copies(root: Path) -> list[tuple[str, list[str]]]:
    """Lines of COPY_LENGTH or more characters that stand in two or more files, with those files."""
    where: dict[str, set[str]] = defaultdict(set)
    for path in source_files(root):
        for line in counted_lines(path):
            if len(line.strip()) >= COPY_LENGTH:
                where[line.strip()].add(path.relative_to(root).as_posix())
    return sorted((line, sorted(files)) for line, files in where.items() if len(files) > 1)


def line_diff(pages: list[str]) -> tuple[int, int]:
    """Lines and characters of the line-diff encoding: the cheapest page whole, the others' added lines."""
    split = [text.split("\n") for text in pages]
    best: tuple[int, int] | None = None
    for n, base in enumerate(split):
        lines, chars = len(base), sum(map(len, base))
        for m, other in enumerate(split):
            if m == n:
                continue
            for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, base, other, autojunk=False).get_opcodes():
                if tag in ("replace", "insert"):
                    lines += j2 - j1
                    chars += sum(map(len, other[j1:j2]))
        if best is None or (lines, chars) < best:
            best = (lines, chars)
    return best or (0, 0)


def measure(root: Path, pages: list[Path]) -> dict[str, Any]:
    """The sources' size per file and in all, the copies, and the line-diff encoding of ``pages``."""
    per_file = {p.relative_to(root).as_posix(): counted_lines(p) for p in source_files(root)}
    lines = sum(len(v) for v in per_file.values())
    chars = sum(len(line) for v in per_file.values() for line in v)
    diff_lines, diff_chars = line_diff([p.read_text(encoding="utf-8") for p in pages]) if pages else (0, 0)
    return {
        "files": {name: {"lines": len(v), "chars": sum(map(len, v))} for name, v in per_file.items()},
        "lines": lines,
        "chars": chars,
        "copies": [{"line": line, "files": files} for line, files in copies(root)],
        "line_diff": {"lines": diff_lines, "chars": diff_chars},
        "ratio_chars": chars / diff_chars if diff_chars else None,
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]), indent=2))
