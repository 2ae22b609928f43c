"""``variants check``: lint the sources and the pages they generate, collecting every finding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from .building import in_workers, render_pages, resolve_all
from .errors import Loc, Problem, VariantsError
from .linting import finding, lint_page, text_findings
from .loading import Doc, Path_
from .merging import PAGE_KEYS, TEXT_KEYS, Page, base_page, iter_texts
from .project import Project, load_project
from .rendering import Renderer
from .schema import OVERRIDE, json_schema

SCHEMA_FILE = "base/override.schema.json"

# Section and question keys that matter only if a template reads them; a key
# takes effect through the name of the same spelling, except these.
_ENTRY_KEYS = frozenset(
    {"title", "toc_spacing", "toc_before", "toc_after", "question", "answer", "toc", "anchor", "rule", "layout"}
)
_READ_AS = {"toc_before": "toc", "toc_after": "toc"}


def override_schema_text() -> str:
    """The JSON Schema of override files, as ``variants schema`` prints and base/ keeps it."""
    return json.dumps(json_schema(OVERRIDE, "variants override file"), indent=2) + "\n"


def template_reads(project: Project, renderer: Renderer) -> set[str]:
    """Every top-level name and attribute the page template and layouts read."""
    from jinja2 import meta

    reads: set[str] = set()
    for source in project.templates.values():
        try:
            ast = renderer.page_env.parse(source)
        except TemplateSyntaxError:  # reported by the build, with its line
            continue
        reads |= meta.find_undeclared_variables(ast)
        reads |= {node.attr for node in ast.find_all(nodes.Getattr)}
        reads |= {str(node.arg.value) for node in ast.find_all(nodes.Getitem) if isinstance(node.arg, nodes.Const)}
    return reads


def _strings(data: Any) -> Iterator[tuple[Path_, str]]:
    """Every text in a document, program variable values included (they are content too)."""
    yield from iter_texts(data)
    for key, value in (data.get("program") or {}).items() if isinstance(data.get("program"), dict) else ():
        if isinstance(value, str):
            yield ("program", key), value


def source_findings(project: Project) -> list[Problem]:
    """Mojibake and empty answers in every text of the sources."""
    problems: list[Problem] = []
    for doc in [project.content, *(o.doc for o in project.overrides)]:
        for path, text in _strings(doc.data):
            loc = doc.loc(path)
            problems.extend(text_findings(text, lambda offset, loc=loc, text=text: loc.inside(text, offset)))
            if path[-1] == "answer" and not text.strip():
                problems.append(
                    finding(loc, "empty-answer", f"the answer of question '{_entry_id(doc, path)}' is empty")
                )
    return problems


def _entry_id(doc: Doc, path: Path_) -> str:
    entry = doc.data
    for key in path[:-1]:
        entry = entry[key]
    return str(entry.get("id", "?")) if isinstance(entry, dict) else "?"


def _entries(doc: Doc) -> Iterator[tuple[Path_, dict[str, Any]]]:
    """Every section and question of a (well-formed) document, with its path."""
    for i, section in enumerate(doc.data.get("sections") or []):
        yield ("sections", i), section
        for j, question in enumerate(section.get("questions") or []):
            yield ("sections", i, "questions", j), question


def unused_findings(project: Project, renderer: Renderer, pages: list[Page]) -> list[Problem]:
    """Keys and program variables that no template or text reads: they would silently do nothing."""
    reads = template_reads(project, renderer)
    problems: list[Problem] = []
    for doc in [project.content, *(o.doc for o in project.overrides)]:
        for key in PAGE_KEYS:
            if key in doc.data and key not in reads:
                problems.append(finding(doc.key_loc((key,)), "unused-key", f"'{key}' is set but no template reads it"))
        for path, entry in _entries(doc):
            for key in entry:
                if key in _ENTRY_KEYS and _READ_AS.get(key, key) not in reads:
                    problems.append(
                        finding(doc.key_loc((*path, key)), "unused-key", f"'{key}' is set but no template reads it")
                    )
    by_source = {page.source: page for page in pages}
    defaults = [str(spec["default"]) for spec in project.variables.values() if spec and "default" in spec]
    for override in project.overrides:
        page = by_source.get(override.path)
        if page is None:
            continue
        texts = [*defaults, *_page_texts(page)]
        used = set(reads).union(*(renderer.variables_read(t) for t in texts))
        for name in page.program_locs:
            if name not in used:
                problems.append(
                    finding(
                        override.doc.key_loc(("program", name)),
                        "unused-key",
                        f"program variable '{name}' is set but no text reads it",
                    )
                )
    return problems


def _page_texts(page: Page) -> Iterator[str]:
    for value in page.values.values():
        if isinstance(value, dict):
            yield from (str(v) for v in value.values())
        elif isinstance(value, str):
            yield value
    for section in page.sections:
        for entry in [section, *section.children]:
            yield from (v for k, v in entry.values.items() if k in TEXT_KEYS and isinstance(v, str))


def noop_findings(project: Project, renderer: Renderer, base: Page, pages: list[Page]) -> list[Problem]:
    """Override entries that set what the base already says."""
    problems: list[Problem] = []
    entries = {e.id: e for s in base.sections for e in [s, *s.children]}
    by_source = {page.source: page for page in pages}
    for override in project.overrides:
        doc = override.doc
        for key in PAGE_KEYS:
            if key == "front_matter":
                for fm_key, value in (doc.data.get(key) or {}).items():
                    if base.values.get(key, {}).get(fm_key) == value:
                        problems.append(
                            finding(
                                doc.key_loc((key, fm_key)), "no-op", f"front-matter '{fm_key}' is the same as the base"
                            )
                        )
            elif key in doc.data and base.values.get(key) == doc.data[key]:
                problems.append(finding(doc.key_loc((key,)), "no-op", f"'{key}' is the same as the base"))
        for path, patch in _entries(doc):
            known = entries.get(patch["id"])
            if known is None or patch.get("remove"):
                continue
            if set(patch) <= {"id", "questions"} and not patch.get("questions"):
                problems.append(finding(doc.loc(path), "no-op", f"entry '{patch['id']}' changes nothing"))
            for key, value in patch.items():
                if key in known.values and known.values[key] == value:
                    problems.append(
                        finding(
                            doc.key_loc((*path, key)), "no-op", f"'{key}' of '{patch['id']}' is the same as the base"
                        )
                    )
        page = by_source.get(override.path)
        if page is None:
            continue
        for name, spec in project.variables.items():
            if name in page.variables and spec and "default" in spec:
                without = {k: v for k, v in page.variables.items() if k != name}
                default = renderer.text(str(spec["default"]), Loc(""), without, [])
                if default == page.variables[name]:
                    problems.append(
                        finding(
                            doc.key_loc(("program", name)),
                            "no-op",
                            f"program variable '{name}' is the same as its default",
                        )
                    )
    return problems


def schema_findings(project: Project) -> list[Problem]:
    """A stale copy of the override schema in base/ (editors validate against it)."""
    path = project.root / SCHEMA_FILE
    if path.is_file() and path.read_text(encoding="utf-8", errors="replace") != override_schema_text():
        return [
            finding(
                Loc(SCHEMA_FILE),
                "schema-stale",
                "differs from this version's schema; run 'variants schema --output base/override.schema.json'",
            )
        ]
    return []


def check_project(root: Path, out_name: str = "out") -> list[Problem]:
    """Every finding in the project at ``root``: build errors, source lint, and lint of each generated page."""
    try:
        project = load_project(root)
    except VariantsError as exc:
        return exc.problems
    renderer = Renderer(project)
    problems: list[Problem] = []
    try:
        base = base_page(project)
    except VariantsError as exc:
        return exc.problems
    try:
        pages = resolve_all(project)
    except VariantsError as exc:
        problems.extend(exc.problems)
        pages = []
    problems.extend(source_findings(project))
    problems.extend(unused_findings(project, renderer, pages))
    problems.extend(noop_findings(project, renderer, base, pages))
    problems.extend(schema_findings(project))
    try:
        outputs = render_pages(project, pages)
    except VariantsError as exc:
        problems.extend(exc.problems)
        outputs = []
    sources = {q.get("anchor", q.id): q.loc for q in base.questions()}
    sources.update({q.id: q.loc for q in base.questions()})

    def lint(start: int, stop: int) -> list[Problem]:
        found: list[Problem] = []
        for page, output in zip(pages[start:stop], outputs[start:stop], strict=True):
            ids = {**sources, **{q.id: q.loc for q in page.questions()}}
            # Mojibake is reported once, where it is written: in the sources.
            found.extend(p for p in lint_page(output.text, f"{out_name}/{output.name}", ids) if p.rule != "mojibake")
        return found

    count = min(len(pages), len(outputs))
    shares = in_workers(lint, count)
    problems.extend(lint(0, count) if shares is None else [p for share in shares for p in share])
    return sorted(set(problems))


def check_files(paths: list[Path]) -> list[Problem]:
    """Lint Markdown pages given by path (no project needed)."""
    from .loading import read_text

    problems: list[Problem] = []
    for path in paths:
        try:
            problems.extend(lint_page(read_text(path), str(path)))
        except VariantsError as exc:
            problems.extend(exc.problems)
    return sorted(problems)
