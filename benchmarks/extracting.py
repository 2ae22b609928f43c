"""The extract benchmark: how compact extracted sources are, and how extract's time grows with page size.

Compactness (compactness.measure) is taken over real and synthetic families:

- the six pages of the partner FAQ family (../shared/pages and ../shared/pages/family
  when they are there, else their copies in tests/golden/partner-faq), the two
  published ones alone, and the hand-written examples/partner-faq for comparison;
- synthetic families: FAQ pages of several programs (the benchmark's synthetic
  project, built), renamed copies of a generic handbook, handbooks with a section
  added or removed, handbooks with a list item or a paragraph added or removed,
  four course pages with their front matter differing (other keys, numbers and
  booleans), and pages that share nothing.

Each is extracted in-process, proven by the rebuild extract does itself, and its
sources (base/, components, overrides) measured against the line-diff encoding
of its pages. Time: two handbooks of P paragraphs, for growing P; and the
hardening issue's case, the whole command on two FAQ pages of 3,000 questions.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import compactness
import synthetic

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "pages"
GOLDEN_FAMILY = REPO / "tests" / "golden" / "partner-faq"
EXAMPLE = REPO / "examples" / "partner-faq"
TARGET_VS_EXAMPLE = 1.2  # the six pages' sources, at most this many times examples/partner-faq
TIME_GROWTH = 5.0  # doubling twice may cost at most this factor (linear: 4)
LARGE_FAQ = 3000  # questions on each of the two pages of the hardening case
LARGE_FAQ_SECONDS = 20.0  # the whole command on them, proving rebuild included, at most this long
WORDS = [
    "library",
    "open",
    "hours",
    "reading",
    "room",
    "staff",
    "members",
    "visit",
    "books",
    "lend",
    "return",
    "card",
    "fees",
    "quiet",
    "study",
]


def _extract(pages: list[Path], work: Path) -> tuple[Any, float]:
    """Extract ``pages`` into ``work`` (in-process); the extraction and its time."""
    from variants.extract import extract, read_pages
    from variants.extract.project import write_files

    started = time.perf_counter()
    result = extract(read_pages(pages))
    elapsed = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)
    write_files(work, result.files)
    return result, elapsed


def _write(folder: Path, pages: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return [folder / name for name in pages]


def handbook(name: str, sections: int, seed: int = 0, skip: int = -1, extra: int = -1) -> str:
    """A generic page: a title, an intro, sections of a paragraph and a list each (names it ``name``)."""
    rnd = random.Random(seed)
    out = [f"# The {name} handbook\n\nWelcome to the {name}. This page says how it works and who to ask.\n"]
    for s in range(sections):
        if s == skip:
            continue
        words = " ".join(rnd.choice(WORDS) for _ in range(18))
        out.append(f"\n## Part {s}: {rnd.choice(WORDS)} and {rnd.choice(WORDS)}\n\n")
        out.append(f"In part {s}, {words}. Ask the {name} desk.\n\n")
        out.extend(f"- {rnd.choice(WORDS)} {rnd.choice(WORDS)} item {s}.{k}\n" for k in range(3))
        if s == extra:
            out.append(f"\n## Part {s} and a half\n\nOnly the {name} has this part: {words}.\n")
    return "".join(out)


COURSE = """\
---
title: Apply to teach {name}
course: {key}
---
# {name} application

Teachers who want to teach {name} in the next school year apply here, with their school's support.

## Who can apply

- Middle and high school teachers of any subject
- Schools that will offer {name} for a full year

## What you get

A five-day summer workshop and four one-day sessions during the year, all free of charge.

## Dates

Applications for {name} open in January and close on May 1.
"""

COURSES = [  # four courses, the name swapped; front matter with keys of other kinds on some pages
    ("CS Discoveries", "csd", ""),
    ("CS Principles", "csp", "seats: 30\n"),
    ("CS Fundamentals", "csf", "online: true\n"),
    ("Computer Science A", "csa", "seats: 24\n"),
]


def _edited(page: str, n: int) -> str:
    """The ``n``th page of a family that differs by blocks: a list item added, one dropped, a paragraph added."""
    lines = page.splitlines(keepends=True)
    items = [k for k, line in enumerate(lines) if line.startswith("- ")]
    if n >= 3:  # the last change first, so the earlier places still stand where they were found
        lines.insert(items[-1] + 1, "\nThis page alone says where to park.\n")
    if n % 3 == 1:
        lines.insert(items[4] + 1, "- and, on this page only, the night desk\n")
    elif n % 3 == 2:
        del lines[items[2]]
    return "".join(lines)


def families(work: Path, quick: bool) -> dict[str, list[Path]]:
    """Every synthetic family, written under ``work``: name -> its pages."""
    towns = ["Springfield", "Shelbyville", "Ogdenville", "North Haverbrook", "Capital City"]
    size = 6 if quick else 20
    found = {
        "renamed copies": _write(
            work / "renamed", {f"{t.lower().replace(' ', '-')}.md": handbook(t, size) for t in towns}
        ),
        "a section added or removed": _write(
            work / "sections",
            {
                "a.md": handbook("Springfield", size),
                "b.md": handbook("Shelbyville", size, skip=2),
                "c.md": handbook("Ogdenville", size, extra=3),
                "d.md": handbook("Capital City", size, skip=4, extra=1),
            },
        ),
        "list items or paragraphs added or removed": _write(
            work / "blocks",
            {f"{t.lower().replace(' ', '-')}.md": _edited(handbook(t, size), n) for n, t in enumerate(towns)},
        ),
        "course pages, front matter differing": _write(
            work / "courses",
            {
                f"{key}-application.md": COURSE.format(name=name, key=key).replace("---\n#", f"{extra}---\n#")
                for name, key, extra in COURSES
            },
        ),
        "pages that share nothing": _write(
            work / "nothing", {f"p{k}.md": handbook(f"Town {k}", size, seed=k + 1) for k in range(3)}
        ),
    }
    found["FAQ pages of several programs"] = _faq_pages(work / "faq", 3 if quick else 6, 10)
    return found


def _faq_pages(folder: Path, n: int, m: int) -> list[Path]:
    """The benchmark's synthetic project of ``n`` programs of ``m`` questions, built: its pages."""
    project = synthetic.make_project(folder, n, m)
    subprocess.run([sys.executable, "-m", "variants", "-C", str(project), "build"], check=True, capture_output=True)
    pages = sorted((project / "out").glob("*.md"))
    shutil.rmtree(folder / "pages", ignore_errors=True)
    (folder / "pages").mkdir()
    return [Path(shutil.copy(p, folder / "pages" / p.name)) for p in pages]


def _row(name: str, pages: list[Path], work: Path) -> dict[str, Any]:
    result, elapsed = _extract(pages, work)
    measured = compactness.measure(work, pages)
    diff = measured["line_diff"]
    return {
        "family": name,
        "pages": len(pages),
        "shape": result.shape,
        "grain": result.grain,
        "lines": measured["lines"],
        "chars": measured["chars"],
        "line_diff_lines": diff["lines"],
        "line_diff_chars": diff["chars"],
        "within_line_diff": measured["lines"] <= diff["lines"] and measured["chars"] <= diff["chars"],
        "extract_s": round(elapsed, 2),
    }


def shared_pages() -> tuple[list[Path], list[Path]]:
    """The six pages of the family, and the two published ones."""
    if SHARED.is_dir():
        published = sorted(SHARED.glob("*.md"))
        return published + sorted((SHARED / "family").glob("*.md")), published
    six = sorted(GOLDEN_FAMILY.glob("*.md"))
    return six, [p for p in six if p.name in ("professional-learning-partner-faq.md", "regional-partner-faq.md")]


def timing(quick: bool) -> list[dict[str, Any]]:
    """extract on two handbooks of P paragraphs each, for growing P."""
    from variants.extract import SourcePage, extract

    rows = []
    for paragraphs in (250, 500, 1000) if quick else (500, 1000, 2000, 4000):
        sections = paragraphs // 5
        pages = [
            SourcePage("a.md", "a.md", handbook("Springfield", sections)),
            SourcePage("b.md", "b.md", handbook("Shelbyville", sections, extra=sections // 2)),
        ]
        started = time.perf_counter()
        extract(pages)
        rows.append({"paragraphs": paragraphs, "extract_s": round(time.perf_counter() - started, 2)})
    return rows


def faq_page(name: str, count: int) -> str:
    """A page of ``count`` questions of one family, every line naming the program (so no line is
    the same on two pages), and every seventh answer a sentence longer."""
    seventh = 0 if name == "Alpha" else 1
    body = "".join(
        f"\n## Question {i} about {name}?\n\nParagraph {i} says something about {name} and the thing number {i}."
        + (f" {name} extra {i}." if i % 7 == seventh else "")
        + "\n"
        for i in range(count)
    )
    return f"# {name} FAQ\n{body}"


def large_faq(quick: bool) -> dict[str, Any]:
    """``variants extract`` as a user runs it (a process of its own) on two FAQ pages of many questions."""
    count = LARGE_FAQ // 3 if quick else LARGE_FAQ
    with tempfile.TemporaryDirectory(prefix="variants-bench-large-") as folder:
        work = Path(folder)
        pages = _write(work, {"alpha.md": faq_page("Alpha", count), "beta.md": faq_page("Beta", count)})
        command = [sys.executable, "-m", "variants", "extract", *map(str, pages), "--into", str(work / "project")]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
    verified = done.returncode == 0 and "verified: a build reproduces every page" in done.stdout + done.stderr
    return {"questions": count, "extract_s": round(seconds, 2), "verified": verified}


def run(quick: bool) -> dict[str, Any]:
    """The whole extract benchmark, as the report's "extract" part."""
    with tempfile.TemporaryDirectory(prefix="variants-bench-extract-") as folder:
        work = Path(folder)
        six, published = shared_pages()
        real = [
            _row("the six partner FAQ pages", six, work / "six"),
            _row("the two published pages", published, work / "two"),
        ]
        example = compactness.measure(EXAMPLE, six)
        real[0]["example_lines"], real[0]["example_chars"] = example["lines"], example["chars"]
        synthetic_rows = [
            _row(name, pages, work / f"x{n}") for n, (name, pages) in enumerate(families(work, quick).items())
        ]
    times = timing(quick)
    large = large_faq(quick)
    growth = times[-1]["extract_s"] / max(times[-3]["extract_s"], 0.01) if len(times) >= 3 else None
    six_row = real[0]
    targets = [
        {
            "target": f"six pages: FAQ shape, sources <= {TARGET_VS_EXAMPLE} x examples/partner-faq",
            "measured": f"{six_row['lines']} lines, {six_row['chars']} chars vs {six_row['example_lines']}, {six_row['example_chars']}",
            "status": "pass"
            if six_row["shape"] == "FAQ"
            and six_row["lines"] <= TARGET_VS_EXAMPLE * six_row["example_lines"]
            and six_row["chars"] <= TARGET_VS_EXAMPLE * six_row["example_chars"]
            else "miss",
        },
        {
            "target": "every synthetic family: sources <= line-diff encoding (lines and chars)",
            "measured": ", ".join(f"{r['family']}: {r['lines']}/{r['line_diff_lines']}" for r in synthetic_rows),
            "status": "pass" if all(r["within_line_diff"] for r in synthetic_rows) else "miss",
        },
        {
            "target": f"time near-linear: 4 x the paragraphs <= {TIME_GROWTH:g} x the time",
            "measured": f"{growth:.1f}" if growth is not None else "n/a",
            "status": "n/a" if growth is None else "pass" if growth <= TIME_GROWTH else "miss",
        },
        {
            "target": f"two FAQ pages of {large['questions']:,} questions, the whole command: "
            f"verified, < {LARGE_FAQ_SECONDS:g} s",
            "measured": f"{large['extract_s']:.1f} s" + ("" if large["verified"] else ", not verified"),
            "status": "pass" if large["verified"] and large["extract_s"] < LARGE_FAQ_SECONDS else "miss",
        },
    ]
    return {"real": real, "synthetic": synthetic_rows, "timing": times, "large_faq": large, "targets": targets}


def print_part(part: dict[str, Any]) -> None:
    """The extract part of the report, as tables."""
    print("\nextract: sources (base, components, overrides) against the line-diff encoding of the pages")
    rows = [("family", "pages", "shape", "lines", "line diff", "chars", "line diff", "extract s")]
    for r in [*part["real"], *part["synthetic"]]:
        rows.append(
            (r["family"], str(r["pages"]), r["shape"], str(r["lines"]), str(r["line_diff_lines"]),
             str(r["chars"]), str(r["line_diff_chars"]), f"{r['extract_s']:.2f}")
        )  # fmt: skip
    six = part["real"][0]
    rows.append(
        (
            "examples/partner-faq (hand-written)",
            "6",
            "FAQ",
            str(six["example_lines"]),
            "",
            str(six["example_chars"]),
            "",
            "",
        )
    )
    width = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width[c]) if c < 3 else cell.rjust(width[c]) for c, cell in enumerate(row)))
    print(
        "extract time, two pages of P paragraphs: "
        + ", ".join(f"P={t['paragraphs']}: {t['extract_s']:.2f} s" for t in part["timing"])
    )
    for target in part["targets"]:
        print(f"  [{target['status']}] {target['target']}: {target['measured']}")


__all__ = ["families", "faq_page", "handbook", "large_faq", "print_part", "run", "shared_pages", "timing"]
