"""``variants extract``: existing near-duplicate pages into base/ and overrides/.

Modules: ``pages`` (reading them exactly), ``pairing`` and ``detect`` (finding
the variables), ``templating`` (texts as templates over them), ``shapes`` (the
FAQ and block page models, with their templates as package data in
``templates/``), ``model``, ``order`` and ``factor`` (one base and small
overrides), ``project`` (files proven by a rebuild), ``write`` (putting them in place).
"""

from .pages import SourcePage, read_pages
from .project import Extraction, extract
from .write import write_project

__all__ = ["Extraction", "SourcePage", "extract", "read_pages", "write_project"]
