"""How the command line words what the user can do about a problem: its own options, by name.

The core marks a problem with a ``hint`` (what can be done); only here does that
become "use --force" or "give --slug".
"""

from __future__ import annotations

from ..problems import Problem

# hint -> how the message is written; the place is written as it is, but where PLACES says otherwise
HINTS: dict[str, str] = {
    "project": "{message} (use -C to name the project)",
    "move-or-force": "{message}; move it away or use --force",
    "diff-or-force": "{message}; see 'variants diff', take it into the sources with 'variants adopt', or use --force",
    "to-base": "{message} (adopt it for every program with --to-base)",
    "force-remove": "{message}; use --force to remove it",
    "force-replace": "{message}; use --force to replace its base/ and overrides/",
    "delete-manifest": "{message}; delete it and rebuild with --force",
    "write-schema": "{message}; run 'variants schema --output base/override.schema.json'",
    "give-slug": "{message}; give --slug",
    "slug-option": "--slug {message}",
    "var-option": "{message}",
    "extends-option": "--extends: {message}",
    "component-option": "--component: {message}",
    "allow-remote": "{message}; give --allow-remote to serve it to other machines anyway",
    "port-option": "{message}; give another --port (0: any free one)",
}
PLACES: dict[str, str] = {"var-option": "--var {loc}"}


def worded(problem: Problem) -> Problem:
    """``problem`` with its hint written into its place and message, in this command line's words."""
    if problem.hint not in HINTS:
        return problem
    loc = problem.loc._replace(path=PLACES.get(problem.hint, "{loc}").format(loc=problem.loc.path))
    message = HINTS[problem.hint].format(message=problem.message)
    return problem._replace(loc=loc, message=message, hint="")


__all__ = ["HINTS", "PLACES", "worded"]
