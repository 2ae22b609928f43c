"""``variants serve``: a local preview of every program's page as the site shows it.

Modules: ``marks`` (where the diff report's differences stand on a page),
``render`` (a page's Markdown as HTML, block by block, marks wrapped),
``templates`` (the preview's own HTML), ``site`` (the project built once per
change, and its pages), ``server`` (HTTP on this machine, reload on change).
It reads the sources and writes nothing.
"""

from __future__ import annotations

from .server import Preview, start_preview
from .site import Site

__all__ = ["Preview", "Site", "start_preview"]
