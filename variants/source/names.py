"""Names the sources give files: output names, which must stay inside the output folder, apart,
and mean one file on every system the pages are checked out on (Linux, macOS, Windows)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from ..problems import UNPRINTABLE, Loc, Problem, error

# Characters no name may hold: controls, invisible format characters, line and
# paragraph separators (they would break one-line messages or hide what a name
# says), and those Windows refuses in file names.
UNSAFE_CHARACTERS = re.compile(f'[{UNPRINTABLE}<>:"|?*]')
# Device names Windows reserves in every folder, whatever the extension ('CON.md', 'nul.txt').
_RESERVED = re.compile(r"(?i)(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(?:\.[^/]*)?")
MAX_NAME_BYTES = 255  # one component of a path, as most file systems allow
# A name most projects give every page ('program-faq.md'): one ASCII part that no check below refuses
# but for a device name or a last dot, so a thousand pages are checked without a path object each.
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}")


def check_output_name(name: str, loc: Loc) -> Problem | None:
    """Refuse names that could write outside the output folder or that some systems cannot hold."""
    if _PLAIN.fullmatch(name) and name[-1] != "." and not _RESERVED.fullmatch(name):
        return None
    path = PurePosixPath(name)
    if not name or name.strip() != name or "\\" in name:
        return error(loc, f"output name {name!r} is not a plain relative file name", "output")
    bad = UNSAFE_CHARACTERS.search(name)
    if bad:
        return error(
            loc, f"output name {name!r} holds the character {bad.group()!r}, which file names cannot", "output"
        )
    if path.is_absolute() or ".." in path.parts or name.startswith("~"):
        return error(loc, f"output name {name!r} escapes the output folder", "output")
    if (
        not path.name or name.endswith("/") or path.name.startswith(".") or path.as_posix() != name
    ):  # '.', './x', 'a//b'
        return error(loc, f"output name {name!r} is not a plain relative file name", "output")
    for part in path.parts:
        if _RESERVED.fullmatch(part):
            return error(loc, f"output name {name!r}: '{part}' is a device name on Windows", "output")
        if part != part.rstrip(". "):
            return error(loc, f"output name {name!r}: '{part}' ends in a dot or a space, which Windows drops", "output")
        if len(part.encode("utf-8", errors="surrogatepass")) > MAX_NAME_BYTES:
            return error(loc, f"output name {name[:40]!r}...: a part is longer than {MAX_NAME_BYTES} bytes", "output")
    return None


def same_file_key(name: str) -> str:
    """What two output names share when macOS and Windows take them for one file: names that
    differ only in case or in how an accented letter is composed ('é', 'e' + '◌́')."""
    return name.lower() if name.isascii() else unicodedata.normalize("NFC", name).casefold()


def claims(outputs: list[tuple[str, str, Loc]]) -> list[Problem]:
    """Two programs writing one file, or one program's output a folder of another's; ``outputs``
    are (output name, override file, where the name is set) in program order. Names that differ
    only in case (or in how accents are composed) are one file on macOS and Windows."""
    problems: list[Problem] = []
    claimed: dict[str, tuple[str, str]] = {}  # same-file key -> (the name, the override that writes it)
    folders = {"."}  # every name's parents: '.', and the folders of the names in a subfolder
    for name, _, _ in outputs:
        parts = name.split("/")[:-1]
        folders.update(same_file_key("/".join(parts[: n + 1])) for n in range(len(parts)))
    for name, source, where in outputs:
        key = same_file_key(name)
        if key in claimed:
            other, by = claimed[key]
            also = "" if other == name else f" as '{other}' (on macOS and Windows the same file)"
            problems.append(error(where, f"output '{name}' is also written by {by}{also}", "output"))
        elif key in folders:
            problems.append(error(where, f"output '{name}' is a folder of another program's output", "output"))
        else:
            claimed[key] = (name, source)
    return problems


__all__ = ["MAX_NAME_BYTES", "UNSAFE_CHARACTERS", "check_output_name", "claims", "same_file_key"]
