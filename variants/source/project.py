"""Finding and loading a project: base/ settings, content and templates, and overrides/."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from ..problems import Loc, Problem, VariantsError, error
from .files import read_text
from .listing import COMPONENTS_FOLDER, SLUG_PATTERN, yaml_files
from .schema import COMPONENT, CONTENT, OVERRIDE, SETTINGS, Shape, validate
from .yamldoc import Doc, load_yaml

SETTINGS_FILE = "base/variants.yml"
CONTENT_FILE = "base/content.yml"
SCHEMA_FILE = "base/override.schema.json"
LAYOUTS = "layouts/"
LAYOUT_SUFFIX = ".md.j2"
DEFAULT_TEMPLATE = "page.md.j2"
DEFAULT_OUTPUT = "{slug}.md"


class Override(NamedTuple):
    """One program's override file, parsed; ``usable`` is False when its shape is wrong."""

    slug: str
    doc: Doc
    usable: bool = True

    @property
    def path(self) -> str:
        return self.doc.path


class Loaded(NamedTuple):
    """An override file loaded: the override (None when it could not be parsed) and its problems."""

    override: Override | None
    problems: list[Problem]


@dataclass(frozen=True)
class Project:
    """base/, loaded and shape-checked, and the names of the override files."""

    root: Path
    settings: Doc
    content: Doc
    templates: dict[str, str]  # name relative to base/ -> source
    programs: tuple[tuple[str, str], ...]  # (slug, path) of each usable override file name, in build order
    name_problems: tuple[Problem, ...] = ()  # override files whose names cannot be used
    components: dict[str, Doc] = field(default_factory=dict)  # name -> base/components/<name>.yml

    @cached_property
    def program_files(self) -> dict[str, str]:
        """Program (slug) -> its override file."""
        return dict(self.programs)

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return self.settings.data.get("variables") or {}

    @property
    def template_name(self) -> str:
        return str(self.settings.data.get("template", DEFAULT_TEMPLATE))

    @property
    def output_pattern(self) -> str:
        return str(self.settings.data.get("output", DEFAULT_OUTPUT))

    def output_of(self, slug: str) -> str:
        """The output name the pattern gives a program."""
        return self.output_pattern.replace("{slug}", slug)

    def layouts(self) -> list[str]:
        """Layout names: the files in base/layouts/."""
        return sorted(n[len(LAYOUTS) : -len(LAYOUT_SUFFIX)] for n in self.templates if n.startswith(LAYOUTS))

    def overrides(self) -> list[Override]:
        """Every override file that parses and has the right shape, in build order."""
        loaded = (self.load(slug, rel).override for slug, rel in self.programs)
        return [override for override in loaded if override is not None and override.usable]

    def load(self, slug: str, rel: str) -> Loaded:
        """One override file, parsed and shape-checked."""
        found: list[Problem] = []
        doc = _load_checked(self.root, rel, OVERRIDE, found)
        return Loaded(None if doc is None else Override(slug, doc, not found), found)


def _load_checked(root: Path, rel: str, spec: Shape, problems: list[Problem]) -> Doc | None:
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
    return yaml_files(root / "overrides")


def load_project(root: Path) -> Project:
    """Load and shape-check base/ and list the override files; raise with every problem of base/."""
    root = Path(root)
    for folder in ("base", "overrides"):
        if not (root / folder).is_dir():
            raise VariantsError(error(Loc(str(root / folder)), f"no {folder}/ folder here", hint="project"))
    problems: list[Problem] = []
    settings = _load_checked(root, SETTINGS_FILE, SETTINGS, problems)
    content = _load_checked(root, CONTENT_FILE, CONTENT, problems)
    templates = _load_templates(root, problems)
    components: dict[str, Doc] = {}
    for name, rel in _yaml_names(root, COMPONENTS_FOLDER, problems):
        component = _load_checked(root, rel, COMPONENT, problems)
        if component is not None:
            components[name] = component
    if settings is not None:
        name = str(settings.data.get("template", DEFAULT_TEMPLATE))
        if name not in templates and not any(p.loc.path == f"base/{name}" for p in problems):
            problems.append(error(settings.loc(("template",)), f"template 'base/{name}' not found", "reference"))
    if problems or settings is None or content is None:
        raise VariantsError(problems)
    name_problems: list[Problem] = []
    names = _yaml_names(root, "overrides", name_problems)
    return Project(root, settings, content, templates, tuple(names), tuple(name_problems), components)


def is_component_file(path: str) -> bool:
    """Whether a source path is a component's file."""
    return path.startswith(COMPONENTS_FOLDER + "/")


def _yaml_names(root: Path, folder: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """(name, path) of each usable file name in ``folder``; problems for the others."""
    names: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    what = "override" if folder == "overrides" else "component"
    for path in yaml_files(root / folder):
        rel = f"{folder}/{path.name}"
        slug = path.stem
        if not SLUG_PATTERN.fullmatch(slug):
            problems.append(error(rel, f"{what} file names must be lower-case letters, digits, '-' and '_'", "name"))
        elif slug in seen:
            problems.append(error(rel, f"two {what} files for '{slug}' (also {seen[slug]})", "name"))
        else:
            seen[slug] = rel
            names.append((slug, rel))
    return names


__all__ = [
    "CONTENT_FILE",
    "DEFAULT_OUTPUT",
    "DEFAULT_TEMPLATE",
    "LAYOUTS",
    "LAYOUT_SUFFIX",
    "SCHEMA_FILE",
    "SETTINGS_FILE",
    "SLUG_PATTERN",
    "Loaded",
    "Override",
    "Project",
    "is_component_file",
    "load_project",
    "override_files",
]
