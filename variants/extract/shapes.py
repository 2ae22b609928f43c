"""Page shapes: the FAQ shape and the generic shape, each with its templates as package data.

A shape reads pages into the models factoring works on (``faq``, ``generic``)
and brings the page template and layouts its sources are rendered with
(``templates/<shape>/``). ``project_templates`` gives the ones a project needs:
the page template and the layouts its questions use.
"""

from __future__ import annotations

from .model import PageModel

FAQ, GENERIC = "FAQ", "generic"
_TEMPLATE_DIRS = {FAQ: "faq", GENERIC: "generic"}


def shape_files(shape: str) -> dict[str, str]:
    """The page template and every layout of a shape, as base/ holds them: path in base/ -> text."""
    from importlib.resources import files

    root = files(__package__).joinpath("templates", _TEMPLATE_DIRS[shape])
    found = {"page.md.j2": root.joinpath("page.md.j2").read_text(encoding="utf-8")}
    for layout in sorted(root.joinpath("layouts").iterdir(), key=lambda p: p.name):
        found[f"layouts/{layout.name}"] = layout.read_text(encoding="utf-8")
    return found


def project_templates(files: dict[str, str], models: list[PageModel], layout_key: str, default: str) -> dict[str, str]:
    """The templates a project needs: the page template, the default layout and the layouts its questions use."""
    used = {default} | {str(q.values.get(layout_key, default)) for m in models for s in m.sections for q in s.children}
    return {
        name: text
        for name, text in files.items()
        if not name.startswith("layouts/") or name.removeprefix("layouts/").removesuffix(".md.j2") in used
    }


__all__ = ["FAQ", "GENERIC", "project_templates", "shape_files"]
