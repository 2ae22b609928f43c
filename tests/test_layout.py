"""The layout holds: folders by stage, small modules, keys declared once, a public API tests keep to."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from conftest import REPO
from variants.source import fields

PACKAGE = REPO / "variants"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
TESTS = sorted((REPO / "tests").glob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def strings(tree: ast.AST) -> list[str]:
    """Every string constant that is not a docstring."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_folders_by_stage() -> None:
    stages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert {"source", "pipeline", "output", "lint", "diff", "formats", "extract", "cli"} <= stages


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_over_400_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 400


# Keys with a meaning of their own in code; "question", "title" and the like are also plain words.
DISTINCT_KEYS = sorted({k.name for k in fields.KEYS if "_" in k.name} | {"anchor", "layout", "footer", "intro"})


@pytest.mark.parametrize("key", DISTINCT_KEYS)
def test_a_key_is_spelt_in_at_most_two_modules(key: str) -> None:
    spelt = [module_name(p) for p in MODULES if key in strings(ast.parse(p.read_text()))]
    assert "variants.source.fields" in spelt
    assert len(spelt) <= 2, spelt


def external_arguments(tree: ast.AST) -> set[str]:
    """Strings given to another program (``subprocess.run([...])``, ``_git(...)``): its options, not ours."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    named = [c for c in calls if getattr(c.func, "attr", getattr(c.func, "id", "")) in ("run", "_git")]
    return {n.value for c in named for n in ast.walk(c) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_core_messages_name_no_command_line_option() -> None:
    """Problems say what can be done as a hint; only the command line words it with its options.
    (The report formats are written for the reader of a command's output, and may name its options.)"""
    option = re.compile(r"(?<![\w-])--[a-z][a-z-]+|(?<!\w)-C\b")
    for path in MODULES:
        if {"cli", "formats"} & set(path.relative_to(PACKAGE).parts):
            continue
        tree = ast.parse(path.read_text())
        found = [s for s in strings(tree) if option.search(s) and s not in external_arguments(tree)]
        assert not found, (module_name(path), found)


def imported_names(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every ``from variants... import name`` and ``variants.x.name`` use in a file."""
    tree = ast.parse(path.read_text())
    found: list[tuple[str, str]] = []
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("variants"):
            found += [(node.module or "", alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("variants"):
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = ast.unparse(node.value)
            if base in aliases or base.startswith("variants."):
                found.append((aliases.get(base, base), node.attr))
    return found


@pytest.mark.parametrize("path", TESTS, ids=lambda p: p.name)
def test_tests_import_only_the_public_api(path: Path) -> None:
    for module, name in imported_names(path):
        assert not name.startswith("_"), f"{path.name} uses the private name {module}.{name}"
        loaded = importlib.import_module(module)
        public = getattr(loaded, "__all__", None)
        is_module = importlib.util.find_spec(f"{module}.{name}") is not None if hasattr(loaded, "__path__") else False
        assert is_module or public is None or name in public, f"{path.name}: {module}.{name} is not in its __all__"


def test_the_schema_follows_the_field_table() -> None:
    from variants.source.schema import OVERRIDE

    section = OVERRIDE.fields[fields.SECTIONS].item
    assert section is not None
    question = section.fields[fields.QUESTIONS].item
    assert question is not None
    shapes = {fields.PAGE: OVERRIDE, fields.SECTION: section, fields.QUESTION: question}
    for level, shape in shapes.items():
        assert [k for k in shape.fields if k not in ("program", "output", "extends", "components")] == [
            k.name for k in fields.at(level, base=False)
        ]
