"""Finding and loading a project: base/ settings, content and template, and overrides/."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from .errors import Loc, Problem, VariantsError, error
from .loading import Doc, load_yaml, read_text
from .schema import CONTENT, OVERRIDE, SETTINGS, validate

SETTINGS_FILE = "base/variants.yml"
CONTENT_FILE = "base/content.yml"
DEFAULT_TEMPLATE = "page.md.j2"
DEFAULT_OUTPUT = "{slug}.md"
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Override(NamedTuple):
    """One program's override file."""

    slug: str
    doc: Doc

    @property
    def path(self) -> str:
        return self.doc.path


@dataclass
class Project:
    """Everything a build reads, loaded and shape-checked."""

    root: Path
    settings: Doc
    content: Doc
    templates: dict[str, str]  # name relative to base/ -> source
    overrides: list[Override]  # the well-formed ones
    # Problems of override files that could not be used (YAML or shape errors), and
    # those files' documents where they parsed, so their texts can still be checked.
    problems: list[Problem] = field(default_factory=list)
    rejected: list[Override] = field(default_factory=list)
    pending: list[tuple[str, str]] = field(default_factory=list)  # (slug, path) not loaded yet

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return self.settings.data.get("variables") or {}

    @property
    def template_name(self) -> str:
        return str(self.settings.data.get("template", DEFAULT_TEMPLATE))

    def layouts(self) -> list[str]:
        """Layout names: the files in base/layouts/."""
        return sorted(n[len("layouts/") : -len(".md.j2")] for n in self.templates if n.startswith("layouts/"))


def _load_checked(root: Path, rel: str, spec: Any, problems: list[Problem]) -> Doc | None:
    """The document, or None when it cannot be parsed; shape problems go to ``problems``."""
    try:
        doc = load_yaml(root / rel, rel)
    except VariantsError as exc:
        problems.extend(exc.problems)
        return None
    problems.extend(validate(doc, spec))
    return doc


def _load_templates(root: Path, problems: list[Problem]) -> dict[str, str]:
    templates: dict[str, str] = {}
    base = root / "base"
    for path in sorted(base.rglob("*.j2")):
        rel = path.relative_to(base).as_posix()
        try:
            templates[rel] = read_text(path, f"base/{rel}")
        except VariantsError as exc:
            problems.extend(exc.problems)
    return templates


def override_files(root: Path) -> list[Path]:
    """The override files, in name order (the order pages are built and reported in)."""
    folder = root / "overrides"
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")], key=lambda p: p.name)


def load_project(root: Path, overrides: bool = True) -> Project:
    """Load and shape-check every source file; raise with all problems of base/.

    Problems of override files are kept in the project (``problems``), since the
    other programs can still be checked. With ``overrides=False`` only base/ is
    loaded, and the override files are listed in ``pending`` for a later
    :func:`load_overrides`.
    """
    root = Path(root)
    for folder in ("base", "overrides"):
        if not (root / folder).is_dir():
            raise VariantsError(
                error(Loc(str(root / folder)), f"no {folder}/ folder here (use -C to name the project)")
            )
    problems: list[Problem] = []
    settings = _load_checked(root, SETTINGS_FILE, SETTINGS, problems)
    content = _load_checked(root, CONTENT_FILE, CONTENT, problems)
    templates = _load_templates(root, problems)
    if settings is not None:
        name = str(settings.data.get("template", DEFAULT_TEMPLATE))
        if name not in templates and not any(p.loc.path == f"base/{name}" for p in problems):
            problems.append(error(settings.loc(("template",)), f"template 'base/{name}' not found", "reference"))
    if problems or settings is None or content is None:
        raise VariantsError(problems)
    project = Project(root, settings, content, templates, [])
    project.pending, project.problems = _override_names(root)
    return load_overrides(project) if overrides else project


def _override_names(root: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(slug, path) of each usable override file name, and the problems of the others."""
    names: list[tuple[str, str]] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in override_files(root):
        rel = f"overrides/{path.name}"
        slug = path.stem
        if not SLUG_PATTERN.match(slug):
            problems.append(error(rel, "override file names must be lower-case letters, digits, '-' and '_'", "name"))
        elif slug in seen:
            problems.append(error(rel, f"two override files for '{slug}' (also {seen[slug]})", "name"))
        else:
            seen[slug] = rel
            names.append((slug, rel))
    return names, problems


def load_overrides(project: Project, start: int = 0, stop: int | None = None) -> Project:
    """``project`` with the pending override files ``start:stop`` loaded and shape-checked."""
    overrides: list[Override] = []
    rejected: list[Override] = []
    problems: list[Problem] = list(project.problems) if start == 0 else []
    for slug, rel in project.pending[start:stop]:
        found: list[Problem] = []
        doc = _load_checked(project.root, rel, OVERRIDE, found)
        problems.extend(found)
        if doc is not None:
            (rejected if found else overrides).append(Override(slug, doc))
    return replace(project, overrides=overrides, rejected=rejected, problems=problems, pending=[])
