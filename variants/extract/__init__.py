"""``variants extract``: existing near-duplicate pages into base/ and overrides/.

Modules: ``pages`` (reading them exactly); ``align`` (near-linear alignment),
``pairing`` and ``detect`` (finding the variables); ``templating`` (texts as
templates over them); the shapes, whose templates (package data in
``templates/``) are read backwards by ``inverse``: ``faq`` and ``generic``
(``shapes`` lists them), into the page models of ``model``; ``sources``
(what layers of sources give), ``textedit`` (partial edits), ``layering`` (one
page's override), ``consensus`` (the base), ``order`` and ``factor`` (versions,
components, the whole family); ``emit`` and ``sourcefiles`` (the files, with
comments), ``project`` (proven by a rebuild), ``into`` (new pages for an existing
project), ``write`` (putting them in place).
"""

from .into import Addition, add_pages, is_project
from .pages import SourcePage, read_pages
from .project import Extraction, extract
from .write import write_additions, write_project

__all__ = [
    "Addition",
    "Extraction",
    "SourcePage",
    "add_pages",
    "extract",
    "is_project",
    "read_pages",
    "write_additions",
    "write_project",
]
