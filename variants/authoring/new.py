"""``variants new``: the override file a new program starts from.

The required keys are filled in; what the existing programs set is shown as
commented examples with their current values, since what varies across
programs is what a new program most likely has to decide.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from ..output.paths import interruptible, publish, uninterrupted
from ..pipeline.layers import chain
from ..pipeline.merge import base_page
from ..pipeline.model import Page
from ..problems import UNPRINTABLE, Loc, VariantsError, error, suggest
from ..source import fields
from ..source.fields import ID, QUESTIONS, SECTIONS
from ..source.names import check_output_name, same_file_key
from ..source.project import SCHEMA_FILE, SLUG_PATTERN, Override, Project, load_project, override_files
from ..source.schema import COMPONENTS, EXTENDS, PROGRAM, override_schema_text

_REMOVE = fields.removal().name
_AFTER = next(k.name for k in fields.placements() if k.offset)
SCHEMA_COMMENT = "# yaml-language-server: $schema=../base/override.schema.json"
MAX_SLUG = 64  # characters of an override's name: its output name must fit the file system too


def slugify(name: str) -> str:
    """'Teacher Academy 2' -> 'teacher-academy-2'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


class _Dumper(yaml.SafeDumper):
    """Writes multi-line texts as literal blocks, the way people write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value.rstrip("\n") or value.endswith("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _commented(text: str, indent: str = "") -> str:
    return "".join(f"{indent}# {line}".rstrip() + "\n" for line in text.splitlines())


def _nav_guess(overrides: list[Override], slug: str) -> str:
    """A nav key shaped like the existing ones: their common prefix and suffix around the slug."""
    navs = [str((o.doc.data.get("program") or {}).get("nav", "")) for o in overrides]
    navs = [n for n in navs if n]
    middle = slug.replace("-", "_")
    if not navs:
        return f"{middle}_nav"
    prefix = os.path.commonprefix(navs)
    suffix = os.path.commonprefix([n[::-1] for n in navs])[::-1]
    if len(navs) > 1:
        prefix = prefix[: prefix.rfind("_") + 1]
        suffix = suffix[suffix.find("_") :] if "_" in suffix else ""
    return f"{prefix}{middle}{suffix}"


def scaffold(
    project: Project, name: str, slug: str, extends: str | None = None, components: tuple[str, ...] = ()
) -> str:
    """The text of a new override file for program ``name``: a version of program ``extends``,
    if given, and switching on ``components``."""
    base = base_page(project)
    overrides = project.overrides()
    parent = next((o for o in overrides if o.slug == extends), None)
    program: dict[str, str] = {}
    for key, spec in project.variables.items():
        if (spec or {}).get("required") and parent is None:
            program[key] = name if key == "name" else _nav_guess(overrides, slug) if key == "nav" else f"TODO: {key}"
    origin = f"overrides/{extends}.yml" if parent is not None else "base/content.yml"
    parts = [
        SCHEMA_COMMENT,
        f"# The {' '.join(name.split())} page: only what differs from {origin}.",
        "# Build with 'variants build', then review with 'variants check' and 'variants diff'.",
        "",
    ]
    if parent is not None:
        parts.append(_dump({EXTENDS: extends}).rstrip("\n"))
    if components:
        parts.append(f"{COMPONENTS}: [{', '.join(components)}]")
    if parent is not None:
        inherited: dict[str, Any] = {}
        for link in chain(project, parent).overrides:
            inherited.update(link.doc.data.get(PROGRAM) or {})
        parts.append(f"# {PROGRAM}: inherited; uncomment and change what this version changes")
        parts.append(_commented(_dump({PROGRAM: inherited}) if inherited else "").rstrip("\n"))
    else:
        parts.append(_dump({PROGRAM: program}).rstrip("\n"))
    others = (
        {} if parent is not None else {k: v for k, v in _set_by_others(overrides, PROGRAM).items() if k not in program}
    )
    if others:
        parts.append("  # Other programs also set (see base/variants.yml for what each means):")
        for key, (value, where) in others.items():
            parts.append(f"  # {key}: {_inline(value)}  # {where}")
    parts += ["", _dump({"output": project.output_of(slug)}).rstrip("\n")]
    for key, (value, where) in _set_by_top_level(overrides).items():
        parts += ["", f"# As {where} sets it:", _commented(_dump({key: value})).rstrip("\n")]
    parts += ["", "# Sections and questions merge with the base by id. Examples:", "# sections:"]
    for comment, example in _examples(overrides, base):
        parts.append(f"#   # {comment}")
        parts.append(_commented(_dump([example]), "").replace("# ", "#   ", 1).rstrip("\n").replace("\n# ", "\n#   "))
    return "\n".join(parts) + "\n"


def _inline(value: Any) -> str:
    return value if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True).strip()


def _set_by_others(overrides: list[Override], key: str) -> dict[str, tuple[Any, str]]:
    found: dict[str, tuple[Any, str]] = {}
    for override in overrides:
        for sub, value in (override.doc.data.get(key) or {}).items():
            found.setdefault(sub, (value, override.path))
    return found


def _set_by_top_level(overrides: list[Override]) -> dict[str, tuple[Any, str]]:
    found: dict[str, tuple[Any, str]] = {}
    for override in overrides:
        for key, value in override.doc.data.items():
            if key not in (PROGRAM, "output", SECTIONS, EXTENDS, COMPONENTS):
                found.setdefault(key, (value, override.path))
    return found


def _examples(overrides: list[Override], base: Page) -> list[tuple[str, dict[str, Any]]]:
    """Commented examples: what existing programs add, then remove and replace on real base ids."""
    examples: list[tuple[str, dict[str, Any]]] = []
    for override in overrides:
        for section in override.doc.data.get(SECTIONS) or []:
            examples.append((f"As {override.path} does:", section))
    if base.sections:
        first = base.sections[0]
        last = base.sections[-1]
        questions = first.children
        if len(questions) >= 2:
            examples.append(
                (
                    "Replace an answer, remove a question, add a question after another:",
                    {
                        ID: first.id,
                        QUESTIONS: [
                            {ID: questions[0].id, "answer": "A replaced answer for this program only.\n"},
                            {ID: questions[-1].id, _REMOVE: True},
                            {
                                ID: "new-question",
                                _AFTER: questions[0].id,
                                "question": "A new question?",
                                "answer": "Its answer.\n",
                            },
                        ],
                    },
                )
            )
        examples.append(
            (
                "Add a section after another:",
                {
                    ID: "new-section",
                    _AFTER: last.id,
                    "title": "A new section:",
                    QUESTIONS: [{ID: "another-question", "question": "Another question?", "answer": "Its answer.\n"}],
                },
            )
        )
    return examples


def new_program(
    root: Path, name: str, slug: str | None = None, extends: str | None = None, components: tuple[str, ...] = ()
) -> Path:
    """Write overrides/<slug>.yml for a new program (a version of ``extends``, with ``components``);
    refuse to overwrite. Returns the path written. The schema copy editors use is written too when
    base/ has none; if either cannot be written, neither is."""
    bad = re.search(f"[{UNPRINTABLE}]", name)
    if bad:
        raise VariantsError(error("overrides/", f"the name {name!r} holds the control character {bad.group()!r}"))
    derived = slug is None
    slug = slugify(name)[:MAX_SLUG].rstrip("-") if slug is None else slug
    if not slug:
        raise VariantsError(error("overrides/", f"cannot make a file name from {name!r}", hint="give-slug"))
    if not SLUG_PATTERN.fullmatch(slug) or len(slug) > MAX_SLUG:
        message = f"{slug!r}: use at most {MAX_SLUG} lower-case letters, digits, '-' and '_'"
        raise VariantsError(error("overrides/", message, hint="slug-option"))
    project = load_project(root)
    programs = dict(project.programs)
    if extends is not None and extends not in programs:
        message = f"no program '{extends}' to extend{suggest(extends, programs)}"
        raise VariantsError(error("overrides/", message, "reference", hint="extends-option"))
    for component in components:
        if component not in project.components:
            message = f"no component '{component}'{suggest(component, project.components)}; components are the files in base/components/"
            raise VariantsError(error("base/components/", message, "reference", hint="component-option"))
    target = root / "overrides" / f"{slug}.yml"
    clash = [p for p in override_files(root) if p.stem == slug]
    if clash:
        raise VariantsError(error(f"overrides/{clash[0].name}", "already exists; not overwritten"))
    _check_output(project, slug, derived)
    text = scaffold(project, name, slug, extends, components)
    _write_new(root, target, text)
    return target


def _check_output(project: Project, slug: str, derived: bool) -> None:
    """The new program's output must be a name every system can hold, and no other program's."""
    output = project.output_of(slug)
    hint = "give-slug" if derived else "slug-option"
    bad = check_output_name(output, Loc("base/variants.yml"))
    if bad is not None:
        raise VariantsError(bad._replace(hint=hint))
    for override in project.overrides():
        theirs = override.doc.data.get("output") or project.output_of(override.slug)
        if isinstance(theirs, str) and same_file_key(theirs) == same_file_key(output):
            message = f"output '{output}' is already written by {override.path}"
            raise VariantsError(error("overrides/", message, "output", hint=hint))


def _write_new(root: Path, target: Path, text: str) -> None:
    """The override, and the schema copy if base/ has none (nothing is written through a link to nowhere)."""
    schema = root / SCHEMA_FILE
    written: list[Path] = []
    try:
        with interruptible(), uninterrupted():  # two small files: a signal waits until both are written
            publish(target, [text.encode("utf-8")])
            written.append(target)
            if not os.path.lexists(schema):
                with contextlib.suppress(FileExistsError):  # made meanwhile: it is there
                    publish(schema, [override_schema_text().encode("utf-8")])
    except FileExistsError:
        raise VariantsError(error(f"overrides/{target.name}", "already exists; not overwritten")) from None
    except BaseException as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        folder = Path(exc.filename).parent if exc.filename else target.parent
        where = f"{folder.relative_to(root).as_posix()}/" if folder.is_relative_to(root) else str(folder)
        message = f"cannot write: {exc.strerror or exc}; nothing was written"
        raise VariantsError(error(where, message, "output")) from None


__all__ = ["MAX_SLUG", "SCHEMA_COMMENT", "new_program", "scaffold", "slugify"]
