"""Writing an extracted project: proven in place first, then base/ and overrides/ renamed in."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..problems import VariantsError, error
from .project import Extraction, compare_rebuilt, rebuilt, write_files


def write_project(extraction: Extraction, into: Path, force: bool = False) -> None:
    """Write base/ and overrides/ into ``into`` after proving them there; all or nothing.

    A folder that holds anything is refused unless ``force``; then its base/ and
    overrides/ are replaced and everything else in it is left alone.
    """
    where = str(into)
    if into.exists() and not into.is_dir():
        raise VariantsError(error(where, "exists and is not a folder", "extract"))
    created = not into.exists()
    try:
        if not created and any(into.iterdir()) and not force:
            raise VariantsError(error(where, "folder is not empty", "extract", hint="force-replace"))
        into.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".variants-extract-", dir=into))
    except OSError as exc:
        raise VariantsError(error(where, f"cannot write: {exc.strerror or exc}", "extract")) from None
    done = False
    try:
        write_files(staging, extraction.files)
        problems = compare_rebuilt(rebuilt(staging), extraction.pages)
        if problems:
            raise VariantsError(problems)
        for folder in ("base", "overrides"):
            target = into / folder
            if target.exists() or target.is_symlink():
                os.replace(target, staging / f"replaced-{folder}")
            os.replace(staging / folder, target)
        done = True
    except OSError as exc:
        raise VariantsError(error(exc.filename or where, f"cannot write: {exc.strerror or exc}", "extract")) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            shutil.rmtree(into, ignore_errors=True)


def write_additions(root: Path, files: dict[str, str]) -> None:
    """Write new override files into a project: each a file that is not there yet, all or none."""
    made: list[Path] = []
    try:
        for rel in files:
            if (root / rel).exists() or (root / rel).is_symlink():
                raise VariantsError(error(str(root / rel), "already exists; nothing was written", "extract"))
        for rel, text in files.items():
            path = root / rel
            with open(path, "xb") as handle:
                made.append(path)
                handle.write(text.encode("utf-8"))
    except OSError as exc:
        for path in made:
            path.unlink(missing_ok=True)
        raise VariantsError(
            error(exc.filename or str(root), f"cannot write: {exc.strerror or exc}", "extract")
        ) from None


__all__ = ["write_additions", "write_project"]
