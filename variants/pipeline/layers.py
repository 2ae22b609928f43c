"""Layers: the files one program's page is made of, in the order they apply.

A program's page is the base, then for each file of its ``extends`` chain
(the farthest parent first, the program's own override last) the components
that file lists, in order, and then the file itself. Kustomize applies its
components the same way: a shared piece lives once, whoever switches it on.
"""

from __future__ import annotations

from typing import NamedTuple

from ..problems import Problem, error, suggest
from ..source.project import Override, Project
from ..source.schema import COMPONENTS, EXTENDS
from ..source.yamldoc import Doc

COMPONENT, OVERRIDE = "component", "override"


class Layer(NamedTuple):
    """One file applied to a page: a component or an override, and its name."""

    doc: Doc
    kind: str  # component | override
    name: str  # the component's name, or the program's slug


class Chain(NamedTuple):
    """A program's layers, the override files of its extends chain (farthest parent first), and problems."""

    layers: list[Layer]
    overrides: list[Override]
    problems: list[Problem]


def chain(project: Project, override: Override) -> Chain:
    """The layers of ``override``'s page; a missing, broken or circular parent is a problem at its ``extends``."""
    files = project.program_files
    lineage = [override]
    problems: list[Problem] = []
    while EXTENDS in lineage[-1].doc.data:
        child = lineage[-1]
        parent = str(child.doc.data[EXTENDS])
        where = child.doc.loc((EXTENDS,))
        if any(o.slug == parent for o in lineage):  # said where the program itself starts the circle
            names = " → ".join([*(o.slug for o in lineage), parent])
            own = override.doc.loc((EXTENDS,))
            problems.append(error(own, f"extends goes round in a circle: {names}", "extends"))
            break
        if parent not in files:
            known = suggest(parent, files)
            problems.append(error(where, f"extends '{parent}': no such program{known}", "reference"))
            break
        loaded = project.load(parent, files[parent])
        if loaded.override is None or not loaded.override.usable:
            problems.append(error(where, f"extends '{parent}', whose file {files[parent]} has problems", "extends"))
            break
        lineage.append(loaded.override)
    layers: list[Layer] = []
    for link in reversed(lineage):
        for n, name in enumerate(link.doc.data.get(COMPONENTS) or []):
            component = project.components.get(name)
            if any(layer.kind == COMPONENT and layer.name == name for layer in layers):
                continue  # a component applies once, where the chain first lists it
            if component is None:
                message = f"no component '{name}'{suggest(name, project.components)}; components are the files in base/components/"
                problems.append(error(link.doc.loc((COMPONENTS, n)), message, "reference"))
            else:
                layers.append(Layer(component, COMPONENT, name))
        layers.append(Layer(link.doc, OVERRIDE, link.slug))
    return Chain(layers, list(reversed(lineage)), problems)


__all__ = ["COMPONENT", "OVERRIDE", "Chain", "Layer", "chain"]
