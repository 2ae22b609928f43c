"""Extracting: existing near-duplicate pages into a variants project (base/ and overrides/).

``extract`` works in memory and proves its result: it builds the extracted
project in a temporary folder and compares every page byte for byte, trying
the FAQ shape first and the block-by-block shape when the pages do not fit it.
``write_project`` puts the files in place, refusing a folder that holds
anything unless forced. ``summary`` says what was found, for the CLI to print.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .building import build, check_output_name
from .detecting import Variable, detect_variables, program_values
from .errors import Loc, Problem, VariantsError, error, warning
from .factoring import Factored, ShapeMismatch, factor
from .loading import MAX_FILE_BYTES
from .pageshapes import BLOCK_LAYOUTS, BLOCK_TEMPLATE, FAQ_LAYOUTS, FAQ_TEMPLATE, block_models, parse_faq

LITTLE_SHARED = 0.3  # below this share of a page's lines coming from the base, warn
_BUG = "a bug in variants extract: please report it"


@dataclass(frozen=True)
class SourcePage:
    """One existing page: where it was read, the file name it is rebuilt as, its text."""

    path: str
    name: str
    text: str


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


# -- reading -------------------------------------------------------------------


def read_pages(paths: list[Path]) -> list[SourcePage]:
    """Read the pages exactly as they are (UTF-8, byte order mark and line endings kept)."""
    problems: list[Problem] = []
    pages: list[SourcePage] = []
    for path in paths:
        name = str(path)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            problems.append(error(name, "no such file", "extract"))
            continue
        except IsADirectoryError:
            problems.append(error(name, "is a folder, expected a page", "extract"))
            continue
        except OSError as exc:
            problems.append(error(name, f"cannot read: {exc.strerror or exc}", "extract"))
            continue
        if len(raw) > MAX_FILE_BYTES:
            problems.append(error(name, f"page is larger than the limit of {MAX_FILE_BYTES} bytes", "extract"))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            message = f"invalid UTF-8 at byte offset {exc.start} (0x{raw[exc.start]:02x}); save the page as UTF-8"
            problems.append(error(Loc(name, line, col), message, "encoding"))
            continue
        pages.append(SourcePage(name, path.name, text))
    seen: dict[str, str] = {}
    for page in pages:
        if page.name in seen:
            message = f"two pages named '{page.name}' (also {seen[page.name]}): rename one"
            problems.append(error(page.path, message, "extract"))
        seen.setdefault(page.name, page.path)
        bad = check_output_name(page.name, Loc(page.path))
        if bad:
            problems.append(bad)
    if problems:
        raise VariantsError(problems)
    if len(pages) < 2:
        raise VariantsError(error("extract", "give two or more pages of one family", "extract"))
    return pages


# -- extracting ----------------------------------------------------------------


def extract(pages: list[SourcePage], names: dict[str, str] | None = None) -> Extraction:
    """The base and overrides that rebuild ``pages`` byte for byte; ``names`` name variables by value."""
    texts = [page.text for page in pages]
    variables = detect_variables(texts, names)
    pattern, slugs, outputs = _naming([page.name for page in pages])
    preferences = [[(v.name, v.values[k]) for v in variables] for k in range(len(pages))]
    faq = [parse_faq(text, preferences[k]) for k, text in enumerate(texts)]
    if all(model is not None for model in faq):
        try:
            factored = factor(faq, variables)  # type: ignore[arg-type]
            files = _files(factored, "FAQ", pattern, slugs, outputs, pages)
            if not _differences(files, pages):
                return _finish("FAQ", files, factored, pages, slugs)
        except ShapeMismatch:
            pass
        # not quite the FAQ shape: the block shape takes any text
    try:
        factored = factor(block_models(texts, variables), variables, "block")
    except ShapeMismatch as exc:  # pragma: no cover - blocks are aligned to fit by construction
        raise VariantsError(error(pages[0].path, f"cannot extract these pages: {exc}", "extract")) from None
    files = _files(factored, "block", pattern, slugs, outputs, pages)
    problems = _differences(files, pages)
    if problems:
        raise VariantsError(problems)
    return _finish("block", files, factored, pages, slugs)


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
    template, layouts = (FAQ_TEMPLATE, FAQ_LAYOUTS) if shape == "FAQ" else (BLOCK_TEMPLATE, BLOCK_LAYOUTS)
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
        "base/page.md.j2": template,
    }
    files.update({f"base/layouts/{name}.md.j2": text for name, text in layouts.items()})
    for k, (slug, page) in enumerate(zip(slugs, pages, strict=True)):
        data: dict[str, Any] = {"program": program_values(factored.variables, k)}
        if outputs[k] is not None:
            data["output"] = outputs[k]
        data.update(factored.overrides[k])
        files[f"overrides/{slug}.yml"] = dump_yaml(data, f"{page.name}: what differs from base/content.yml.")
    return files


def _write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def _rebuilt(root: Path) -> dict[str, str]:
    return {output.name: output.text for output in build(root)}


def _compare(rebuilt: dict[str, str], pages: list[SourcePage]) -> list[Problem]:
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


def _differences(files: dict[str, str], pages: list[SourcePage]) -> list[Problem]:
    """What a build of ``files`` gets wrong about the pages ([] when every byte matches)."""
    with tempfile.TemporaryDirectory(prefix="variants-extract-") as folder:
        root = Path(folder)
        _write_files(root, files)
        try:
            return _compare(_rebuilt(root), pages)
        except VariantsError as exc:
            first = exc.problems[0]
            return [error(pages[0].path, f"the extracted project does not build: {first.message} ({_BUG})", "extract")]


def _finish(
    shape: str, files: dict[str, str], factored: Factored, pages: list[SourcePage], slugs: list[str]
) -> Extraction:
    result = Extraction(shape, files, pages, factored.variables, slugs, factored.notes)
    result.shared = _shared_lines(files, pages, slugs, factored.variables)
    for page, (shared, total) in zip(pages, result.shared, strict=True):
        if total and shared < LITTLE_SHARED * total:
            message = f"little is shared: {shared} of {total} lines come from the base; are these pages one family?"
            result.warnings.append(warning(page.path, message, "little-shared"))
    return result


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _shared_lines(
    files: dict[str, str], pages: list[SourcePage], slugs: list[str], variables: list[Variable]
) -> list[tuple[int, int]]:
    """Per page: how many of its lines the base alone gives (with the page's variables), and how many it has."""
    base_only = {rel: text for rel, text in files.items() if rel.startswith("base/")}
    for k, (slug, page) in enumerate(zip(slugs, pages, strict=True)):
        base_only[f"overrides/{slug}.yml"] = dump_yaml({"program": program_values(variables, k), "output": page.name})
    with tempfile.TemporaryDirectory(prefix="variants-extract-") as folder:
        root = Path(folder)
        _write_files(root, base_only)
        rebuilt = _rebuilt(root)
    counts = []
    for page in pages:
        lines = _lines(page.text)
        matcher = SequenceMatcher(None, lines, _lines(rebuilt.get(page.name, "")), autojunk=False)
        counts.append((sum(block.size for block in matcher.get_matching_blocks()), len(lines)))
    return counts


# -- writing -------------------------------------------------------------------


def write_project(extraction: Extraction, into: Path, force: bool = False) -> None:
    """Write base/ and overrides/ into ``into`` after proving them there; all or nothing.

    A folder that holds anything is refused unless ``force``; then its base/ and
    overrides/ are replaced and everything else in it is left alone.
    """
    where = str(into)
    if into.exists() and not into.is_dir():
        raise VariantsError(error(where, "exists and is not a folder", "extract"))
    created = not into.exists()
    try:
        if not created and any(into.iterdir()) and not force:
            message = "folder is not empty; use --force to replace its base/ and overrides/"
            raise VariantsError(error(where, message, "extract"))
        into.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".variants-extract-", dir=into))
    except OSError as exc:
        raise VariantsError(error(where, f"cannot write: {exc.strerror or exc}", "extract")) from None
    done = False
    try:
        _write_files(staging, extraction.files)
        problems = _compare(_rebuilt(staging), extraction.pages)
        if problems:
            raise VariantsError(problems)
        for folder in ("base", "overrides"):
            target = into / folder
            if target.exists() or target.is_symlink():
                os.replace(target, staging / f"replaced-{folder}")
            os.replace(staging / folder, target)
        done = True
    except OSError as exc:
        raise VariantsError(error(exc.filename or where, f"cannot write: {exc.strerror or exc}", "extract")) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            shutil.rmtree(into, ignore_errors=True)


# -- reporting -----------------------------------------------------------------


def summary(extraction: Extraction, into: Path) -> str:
    """What was extracted, in words: shared lines, variables, what each override holds, what to run next."""
    pages = extraction.pages
    out = [f"extracted {len(pages)} pages into {into} ({extraction.shape} shape)", "shared with the base:"]
    width = max(len(p.name) for p in pages)
    for page, (shared, total) in zip(pages, extraction.shared, strict=True):
        percent = f" ({100 * shared // total}%)" if total else ""
        out.append(f"  {page.name:<{width}}  {shared} of {total} lines{percent}")
    texts = "".join(text for rel, text in extraction.files.items() if rel != "base/variants.yml")
    if extraction.variables:
        out.append("variables:")
        vwidth = max(len(v.name) for v in extraction.variables)
        by_name = {v.name: v for v in extraction.variables}
        for variable in extraction.variables:
            shown = []
            for k, value in enumerate(variable.values):
                follows = by_name[variable.follows].values[k] if variable.follows else None
                shown.append(f"(= {variable.follows})" if follows is not None and value == follows else repr(value))
            uses = len(re.findall(r"\{\{ " + re.escape(variable.name) + r"(?: \|[^}]*)? \}\}", texts))
            default = f"; default {variable.default}" if variable.default else ""
            plural = "s" if uses != 1 else ""
            out.append(f"  {variable.name:<{vwidth}}  {' | '.join(shown)}  ({uses} use{plural}{default})")
    else:
        out.append("variables: none found (name them with --var NAME=VALUE)")
    out.append("overrides:")
    for k, notes in enumerate(extraction.notes):
        rel = extraction.override_path(k)
        lines = extraction.files[rel].count("\n")
        given = program_values(extraction.variables, k)
        held = ([f"program: {', '.join(given)}"] if given else []) + notes
        out.append(f"  {rel} ({lines} lines): {'; '.join(held) or 'nothing'}")
    next_step = f"variants -C {shlex.quote(str(into))} build"
    out.append(f"verified: a build reproduces every page byte for byte; next: {next_step}")
    return "\n".join(out) + "\n"
