"""How the command line words what the user can do about a problem: its own options, by name.

The core marks a problem with a ``hint`` (what can be done); only here does that
become "use --force" or "give --slug".
"""

from __future__ import annotations

from ..problems import Problem

# hint -> (how the place is written, how the message is written)
HINTS: dict[str, tuple[str, str]] = {
    "project": ("{loc}", "{message} (use -C to name the project)"),
    "move-or-force": ("{loc}", "{message}; move it away or use --force"),
    "diff-or-force": ("{loc}", "{message}; see 'variants diff', or use --force"),
    "force-remove": ("{loc}", "{message}; use --force to remove it"),
    "force-replace": ("{loc}", "{message}; use --force to replace its base/ and overrides/"),
    "delete-manifest": ("{loc}", "{message}; delete it and rebuild with --force"),
    "write-schema": ("{loc}", "{message}; run 'variants schema --output base/override.schema.json'"),
    "give-slug": ("{loc}", "{message}; give --slug"),
    "slug-option": ("{loc}", "--slug {message}"),
    "var-option": ("--var {loc}", "{message}"),
}


def worded(problem: Problem) -> Problem:
    """``problem`` with its hint written into its place and message, in this command line's words."""
    if problem.hint not in HINTS:
        return problem
    loc_template, message_template = HINTS[problem.hint]
    loc = problem.loc._replace(path=loc_template.format(loc=problem.loc.path))
    message = message_template.format(message=problem.message)
    return problem._replace(loc=loc, message=message, hint="")


__all__ = ["HINTS", "worded"]
