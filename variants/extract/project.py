"""Extracting: existing near-duplicate pages into a variants project (base/ and overrides/).

``extract`` works in memory and proves its result: it builds the extracted
project in a temporary folder and compares every page byte for byte, trying
the FAQ shape first and the block-by-block shape when the pages do not fit it.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..pipeline.build import build
from ..problems import Loc, Problem, VariantsError, error, warning
from ..progress import Progress
from .align import matching_blocks
from .detect import Variable, detect_variables, program_values
from .factor import Factored, factor
from .order import ShapeMismatch
from .pages import SourcePage
from .shapes import BLOCK, FAQ, block_models, parse_faq, shape_files

LITTLE_SHARED = 0.3  # below this share of a page's lines coming from the base, warn
_BUG = "a bug in variants extract: please report it"


@dataclass
class Extraction:
    """The files of the extracted project and what they hold."""

    shape: str  # "FAQ" or "block"
    files: dict[str, str]  # path in the project -> text
    pages: list[SourcePage]
    variables: list[Variable]
    slugs: list[str]
    notes: list[list[str]]  # per page: what its override holds
    shared: list[tuple[int, int]] = field(default_factory=list)  # per page: lines from the base, all lines
    warnings: list[Problem] = field(default_factory=list)

    def override_path(self, page: int) -> str:
        return f"overrides/{self.slugs[page]}.yml"


def extract(
    pages: list[SourcePage], names: dict[str, str] | None = None, progress: Progress | None = None
) -> Extraction:
    """The base and overrides that rebuild ``pages`` byte for byte; ``names`` name variables by value.
    Each stage's work is counted to ``progress``."""
    texts = [page.text for page in pages]
    variables = detect_variables(texts, names, progress)
    pattern, slugs, outputs = _naming([page.name for page in pages])
    preferences = [[(v.name, v.values[k]) for v in variables] for k in range(len(pages))]
    faq = [parse_faq(text, preferences[k]) for k, text in enumerate(texts)]
    if all(model is not None for model in faq):
        try:
            factored = factor(faq, variables)  # type: ignore[arg-type]
            files = _files(factored, FAQ, pattern, slugs, outputs, pages)
            if not _differences(files, pages, progress):
                return _finish(FAQ, files, factored, pages, slugs, progress)
        except ShapeMismatch:
            pass
        # not quite the FAQ shape: the block shape takes any text
    try:
        factored = factor(block_models(texts, variables, progress), variables, "block")
    except ShapeMismatch as exc:  # pragma: no cover - blocks are aligned to fit by construction
        raise VariantsError(error(pages[0].path, f"cannot extract these pages: {exc}", "extract")) from None
    files = _files(factored, BLOCK, pattern, slugs, outputs, pages)
    problems = _differences(files, pages, progress)
    if problems:
        raise VariantsError(problems)
    return _finish(BLOCK, files, factored, pages, slugs, progress)


def _naming(names: list[str]) -> tuple[str, list[str], list[str | None]]:
    """The output pattern, each page's override slug, and the output names the pattern cannot give."""
    suffixes = {PurePosixPath(n).suffix for n in names}
    ext = suffixes.pop() if len(suffixes) == 1 else ""
    stems = [n[: len(n) - len(ext)] if ext else PurePosixPath(n).stem for n in names]
    pattern = "{slug}" + ext
    tail = re.search(r"[-_][^-_]+$", stems[0])
    if tail and all(s.endswith(tail.group()) and len(s) > len(tail.group()) for s in stems):
        pattern = "{slug}" + tail.group() + ext
        stems = [s[: -len(tail.group())] for s in stems]
    slugs: list[str] = []
    for stem in stems:
        wanted = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_") or "page"
        slug, n = wanted, 1
        while slug in slugs:
            n += 1
            slug = f"{wanted}-{n}"
        slugs.append(slug)
    outputs = [None if pattern.replace("{slug}", s) == n else n for s, n in zip(slugs, names, strict=True)]
    return pattern, slugs, outputs


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key; texts as block scalars where YAML allows it."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if any(c in value for c in "\x85\u2028\u2029\ufeff") or (value and not value.strip("\n")):
        style = '"'
    elif "\n" in value:
        style = "|"  # PyYAML falls back to double quotes when a block scalar cannot hold the text
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: dict[str, Any], comment: str = "") -> str:
    """YAML that loads back to exactly ``data`` (trailing spaces, tabs, CR and final newlines kept)."""
    text = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
    header = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return header + text


def _settings(variables: list[Variable], pattern: str, pages: list[SourcePage]) -> dict[str, Any]:
    declared: dict[str, Any] = {}
    for variable in variables:
        examples = zip(variable.values[:3], pages, strict=False)
        seen = ", ".join(f"{json.dumps(value, ensure_ascii=False)} ({page.name})" for value, page in examples)
        spec: dict[str, Any] = {"help": f"Differs between the pages: {seen}{', ...' if len(pages) > 3 else ''}."}
        if variable.default is None:
            spec["required"] = True
        else:
            spec["default"] = variable.default
        declared[variable.name] = spec
    return {"template": "page.md.j2", "output": pattern, "variables": declared}


def _files(
    factored: Factored, shape: str, pattern: str, slugs: list[str], outputs: list[str | None], pages: list[SourcePage]
) -> dict[str, str]:
    files = {
        "base/variants.yml": dump_yaml(
            _settings(factored.variables, pattern, pages),
            f"Settings written by variants extract from {len(pages)} pages ({shape} shape).",
        ),
        "base/content.yml": dump_yaml(
            factored.content,
            "Shared content of every page, written once (variants extract).\n"
            "Texts are Jinja templates over the variables declared in base/variants.yml.",
        ),
    }
    files.update({f"base/{name}": text for name, text in shape_files(shape).items()})
    for k, (slug, page) in enumerate(zip(slugs, pages, strict=True)):
        data: dict[str, Any] = {"program": program_values(factored.variables, k)}
        if outputs[k] is not None:
            data["output"] = outputs[k]
        data.update(factored.overrides[k])
        files[f"overrides/{slug}.yml"] = dump_yaml(data, f"{page.name}: what differs from base/content.yml.")
    return files


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` (path -> text) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def rebuilt(root: Path, progress: Progress | None = None) -> dict[str, str]:
    """The pages a build of the project at ``root`` makes, by name."""
    return {output.name: output.text for output in build(root, progress=progress).raise_for_problems().outputs}


def compare_rebuilt(rebuilt: dict[str, str], pages: list[SourcePage]) -> list[Problem]:
    """How ``rebuilt`` differs from the pages it should reproduce, a problem a page."""
    problems = []
    for page in pages:
        text = rebuilt.get(page.name)
        if text == page.text:
            continue
        if text is None:
            problems.append(error(page.path, f"the extracted project does not rebuild this page ({_BUG})", "extract"))
            continue
        old, new = page.text.splitlines(keepends=True), text.splitlines(keepends=True)
        line = next((n for n, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))) + 1
        problems.append(
            error(Loc(page.path, line), f"the extracted project rebuilds this page differently ({_BUG})", "extract")
        )
    return problems


def _differences(files: dict[str, str], pages: list[SourcePage], progress: Progress | None) -> list[Problem]:
    """What a build of ``files`` gets wrong about the pages ([] when every byte matches)."""
    with tempfile.TemporaryDirectory(prefix="variants-extract-") as folder:
        root = Path(folder)
        write_files(root, files)
        try:
            return compare_rebuilt(rebuilt(root, progress), pages)
        except VariantsError as exc:
            first = exc.problems[0]
            return [error(pages[0].path, f"the extracted project does not build: {first.message} ({_BUG})", "extract")]


def _finish(
    shape: str,
    files: dict[str, str],
    factored: Factored,
    pages: list[SourcePage],
    slugs: list[str],
    progress: Progress | None,
) -> Extraction:
    result = Extraction(shape, files, pages, factored.variables, slugs, factored.notes)
    result.shared = _shared_lines(files, pages, slugs, factored.variables, progress)
    for page, (shared, total) in zip(pages, result.shared, strict=True):
        if total and shared < LITTLE_SHARED * total:
            message = f"little is shared: {shared} of {total} lines come from the base; are these pages one family?"
            result.warnings.append(warning(page.path, message, "little-shared"))
    return result


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _shared_lines(
    files: dict[str, str],
    pages: list[SourcePage],
    slugs: list[str],
    variables: list[Variable],
    progress: Progress | None = None,
) -> list[tuple[int, int]]:
    """Per page: how many of its lines the base alone gives (with the page's variables), and how many it has."""
    base_only = {rel: text for rel, text in files.items() if rel.startswith("base/")}
    for k, (slug, page) in enumerate(zip(slugs, pages, strict=True)):
        base_only[f"overrides/{slug}.yml"] = dump_yaml({"program": program_values(variables, k), "output": page.name})
    with tempfile.TemporaryDirectory(prefix="variants-extract-") as folder:
        root = Path(folder)
        write_files(root, base_only)
        made = rebuilt(root, progress)
    counts = []
    for page in pages:
        lines = _lines(page.text)
        blocks = matching_blocks(lines, _lines(made.get(page.name, "")))
        counts.append((sum(size for _, _, size in blocks), len(lines)))
    return counts


__all__ = ["LITTLE_SHARED", "Extraction", "compare_rebuilt", "dump_yaml", "extract", "rebuilt", "write_files"]
