"""variants extract: existing pages in, base/ and overrides/ out, proved by rebuilding every page byte for byte."""

from __future__ import annotations

import importlib.util
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import GOLDEN, PAGES, REPO, snapshot, write_tree
from variants.extract import SourcePage, extract, read_pages, write_project
from variants.pipeline.build import render_project as build
from variants.problems import VariantsError

FAMILY = GOLDEN / "partner-faq"
EXAMPLE = REPO / "examples" / "partner-faq"


def rebuilt(project: Path) -> dict[str, bytes]:
    """Every page the project builds, as bytes."""
    return {output.name: output.text.encode("utf-8") for output in build(project)}


def extract_family(run, tmp_path: Path, pages: dict[str, str | bytes], *options: str, pages_clean: bool = True):
    """Write ``pages``, extract them with the CLI, check the rebuild is exact and ``check`` finds no error
    (in the sources only, where the pages have errors of their own); return (result, project)."""
    write_tree(tmp_path / "pages", pages)
    project = tmp_path / "project"
    result = run("extract", *[tmp_path / "pages" / name for name in pages], "--into", project, *options)
    assert result.exit_code == 0, result.stderr
    expected = {name: text if isinstance(text, bytes) else text.encode("utf-8") for name, text in pages.items()}
    assert rebuilt(project) == expected
    checked = run("-C", project, "check")
    errors = [line for line in checked.stdout.splitlines() if "[error]" in line]
    if not pages_clean:
        errors = [line for line in errors if not line.startswith("out/")]
    assert not errors and (checked.exit_code == 0 or not pages_clean), checked.stdout + checked.stderr
    return result, project


def override_texts(project: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((project / "overrides").glob("*.yml"))}


def loaded(project: Path, rel: str) -> Any:
    return yaml.safe_load((project / rel).read_text(encoding="utf-8"))


def compactness() -> Any:
    spec = importlib.util.spec_from_file_location("compactness", REPO / "benchmarks" / "compactness.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def no_empty_entries(project: Path) -> None:
    """No entry of any source file is empty: no blank question, answer or title where it is set."""
    for path in [project / "base" / "content.yml", *sorted((project / "overrides").glob("*.yml"))]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for section in data.get("sections") or []:
            for question in section.get("questions") or []:
                for key in ("question", "answer"):
                    assert question.get(key, "x") != "", (path.name, question["id"], key)


# -- the two published pages ------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The published pages extracted once, with the CLI's summary."""
    from click.testing import CliRunner

    from variants.cli import main

    project = tmp_path_factory.mktemp("published") / "project"
    result = CliRunner().invoke(main, ["extract", *[str(GOLDEN / name) for name in PAGES], "--into", str(project)])
    assert result.exit_code == 0, result.stderr
    return result.stdout, project


def test_published_pages_rebuild_byte_for_byte(run, published: tuple[str, Path], tmp_path: Path) -> None:
    _, project = published
    out = tmp_path / "out"
    result = run("-C", project, "build", "--out", out)
    assert result.exit_code == 0, result.stderr
    for name in PAGES:
        assert (out / name).read_bytes() == (GOLDEN / name).read_bytes()


def test_published_overrides_are_at_most_twice_the_hand_written_ones(published: tuple[str, Path]) -> None:
    _, project = published
    extracted = sum(text.count("\n") for text in override_texts(project).values())
    hand_written = sum(text.count("\n") for text in override_texts(REPO).values())
    assert extracted <= 2 * hand_written, (extracted, hand_written)


def test_published_base_names_no_program_and_holds_each_question_once(published: tuple[str, Path]) -> None:
    _, project = published
    content = (project / "base" / "content.yml").read_text(encoding="utf-8")
    for literal in ("regional partner", "professional learning partner", "plc_"):
        assert literal not in content.lower(), literal
    data = yaml.safe_load(content)
    ids = [q["id"] for s in data["sections"] for q in s["questions"]]
    assert sorted(ids) == sorted({"map", "pm", "press", "joint", "cs", "facilitators", "recruit", "ca"})
    overrides = "".join(override_texts(project).values())
    for question in [q["question"] for s in data["sections"] for q in s["questions"]]:
        assert content.count(question) == 1 and question not in overrides, question


def test_published_extraction_looks_like_the_hand_written_one(published: tuple[str, Path]) -> None:
    summary, project = published
    settings_data = loaded(project, "base/variants.yml")
    assert list(settings_data["variables"]) == ["name", "name_in_text", "nav"]
    assert settings_data["variables"]["name_in_text"]["default"] == "{{ name }}"
    assert settings_data["output"] == "{slug}-faq.md"
    regional = loaded(project, "overrides/regional-partner.yml")
    assert regional["program"] == {"name": "Regional Partner", "nav": "plc_regional_partner_nav"}
    assert regional["sections"][0]["questions"][0]["id"] == "international"
    assert regional["sections"][0]["questions"][0]["after"] == "joint"
    plp = loaded(project, "overrides/professional-learning-partner.yml")
    assert [s["id"] for s in plp["sections"]] == ["budget"]
    assert "(FAQ shape)" in summary
    assert "name_in_text" in summary and "adds question 'international' after 'joint'" in summary


def test_published_extraction_is_deterministic() -> None:
    pages = read_pages([GOLDEN / name for name in PAGES])
    assert extract(pages).files == extract(pages).files


def test_overrides_say_where_on_the_page_each_difference_stands(published: tuple[str, Path]) -> None:
    _, project = published
    regional = (project / "overrides" / "regional-partner.yml").read_text(encoding="utf-8")
    page = (GOLDEN / "regional-partner-faq.md").read_text(encoding="utf-8").splitlines()
    first, last = map(int, re.search(r"# lines (\d+)-(\d+)\n\s*- id: international", regional).groups())
    assert '<a id="international"></a>' in "\n".join(page[first - 1 : last])


# -- the family of six pages --------------------------------------------------------


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    from click.testing import CliRunner

    from variants.cli import main

    project = tmp_path_factory.mktemp("family") / "project"
    pages = [str(p) for p in sorted(FAMILY.glob("*.md"))]
    result = CliRunner().invoke(main, ["extract", *pages, "--into", str(project)])
    assert result.exit_code == 0, result.stderr
    return result.stdout, project


def test_the_six_pages_take_the_faq_shape_and_rebuild_exactly(run, family: tuple[str, Path]) -> None:
    summary, project = family
    assert "(FAQ shape)" in summary and "kept as the pages have them" not in summary
    assert rebuilt(project) == {p.name: p.read_bytes() for p in FAMILY.glob("*.md")}
    checked = run("-C", project, "check")
    assert checked.exit_code == 0 and "[error]" not in checked.stdout, checked.stdout
    no_empty_entries(project)


def test_the_six_pages_use_versions_components_and_partial_edits(family: tuple[str, Path]) -> None:
    _, project = family
    overrides = {name: yaml.safe_load(text) for name, text in override_texts(project).items()}
    assert overrides["rp-faq-2019.yml"]["extends"] == "regional-partner-faq"
    assert overrides["plp-playbook-faq.yml"]["extends"] == "professional-learning-partner-faq"
    assert "program" not in overrides["rp-faq-2019.yml"]  # a version has its parent's variables
    playbook = loaded(project, "base/components/playbook.yml")
    assert playbook["footer"] == "" and playbook["final_newline"] is False
    assert (
        overrides["plp-playbook-faq.yml"]["components"]
        == overrides["rp-playbook-faq.yml"]["components"]
        == ["playbook"]
    )
    general = next(s for s in overrides["rp-faq-2019.yml"]["sections"] if s["id"] == "general")
    joint = next(q for q in general["questions"] if q["id"] == "joint")
    assert {"replace": "the funding arm", "with": "the funding and advocacy arm"} in joint["answer"]
    typed = overrides["rp-playbook-faq.yml"]["front_matter"]
    assert typed == {"noindex": True}


def test_the_six_pages_are_about_as_compact_as_the_hand_written_project(family: tuple[str, Path]) -> None:
    _, project = family
    pages = sorted(FAMILY.glob("*.md"))
    measure = compactness().measure
    extracted, hand_written = measure(project, pages), measure(EXAMPLE, pages)
    assert extracted["lines"] <= 1.2 * hand_written["lines"], (extracted["lines"], hand_written["lines"])
    assert extracted["chars"] <= 1.2 * hand_written["chars"], (extracted["chars"], hand_written["chars"])
    assert extracted["chars"] <= extracted["line_diff"]["chars"]


def test_the_faq_templates_make_the_example_project_byte_for_byte(tmp_path: Path) -> None:
    """The FAQ shape's templates are the example project's, with a frame that also writes pages kept whole."""
    import shutil

    from variants.extract.shapes import FAQ, shape_files

    files = shape_files(FAQ)
    for name in ("layouts/standard.md.j2", "layouts/compact.md.j2"):
        assert files[name] == (EXAMPLE / "base" / name).read_text(encoding="utf-8")
    project = tmp_path / "example"
    for folder in ("base", "overrides"):
        shutil.copytree(EXAMPLE / folder, project / folder)
    (project / "base" / "page.md.j2").write_text(files["page.md.j2"], encoding="utf-8")
    assert rebuilt(project) == {p.name: p.read_bytes() for p in FAMILY.glob("*.md")}


# -- what the FAQ shape cannot say, and says so -----------------------------------------

REGIONAL = (GOLDEN / "regional-partner-faq.md").read_text(encoding="utf-8")


def faq_family(third: str) -> dict[str, str]:
    return {**{name: (GOLDEN / name).read_text(encoding="utf-8") for name in PAGES}, "third-faq.md": third}


def moved_block(page: str, qid: str, after: str) -> str:
    """``page`` with the block of question ``qid`` moved to after that of question ``after``."""

    def block(text: str, anchor: str) -> tuple[int, int]:
        start, back = text.rindex("<br/>\n", 0, text.index(f'<a id="{anchor}">')), "[**Back to the top**](#top)\n"
        return start, text.index(back, start) + len(back)

    start, end = block(page, qid)
    rest = page[:start] + page[end:]
    at = block(rest, after)[1]
    return rest[:at] + page[start:end] + rest[at:]


def fallbacks(summary: str) -> list[str]:
    lines = summary.splitlines()
    if not any(line.startswith("kept as the pages have them") for line in lines):
        return []
    start = next(n for n, line in enumerate(lines) if line.startswith("kept as the pages have them"))
    return [line.strip() for line in lines[start + 1 :] if line.startswith("  ")]


@pytest.mark.parametrize(
    ("third", "line", "reason"),
    [
        (REGIONAL.replace("**General questions:**<br/>", "General questions:"), 12, "no table of contents"),
        (REGIONAL.replace("\n", "\r\n"), 1, "its lines end in carriage returns"),
        (
            REGIONAL.replace("- [What is counselor", "- [Who are we?](#who)\n- [What is counselor"),
            135,
            "the table of contents lists 10 questions, the page has 9 question blocks",
        ),
        (REGIONAL.replace("# Regional Partner FAQs", "## Regional Partner FAQs"), 7, "writes ' ' here"),
        (REGIONAL[: REGIONAL.index("# Regional") + 2], 7, "the page ends where the FAQ page template writes more"),
        (REGIONAL.replace("# Regional Partner FAQs\n", "# Regional Partner\nFAQs\n"), 7, "the title is not one line"),
        (REGIONAL.replace("<br/><br/>\n**General", "<br/><br/>\n\n**General"), 12, "blank lines before the table"),
        (
            REGIONAL.replace("workshops:**<br/>\n", "workshops:**<br/>\n\n**Other questions:**<br/>\n"),
            24,
            "a table-of-contents section with no question links",
        ),
        (REGIONAL[: REGIONAL.index("<br/>\n___")], 26, "no question block after the table of contents"),
        (REGIONAL.replace("(#press)", "(#map)"), 14, "the table-of-contents link '#map' is not a usable id"),
        (
            moved_block(REGIONAL, "press", "recruit"),
            111,
            "question 'press' stands in the body after the next section's",
        ),
    ],
    ids=[
        "no-toc",
        "crlf",
        "toc-count",
        "head",
        "ends",
        "title",
        "toc-spacing",
        "toc-empty",
        "no-blocks",
        "id",
        "order",
    ],
)
def test_a_page_that_is_no_faq_page_is_kept_whole_and_said_why(
    run, tmp_path: Path, third: str, line: int, reason: str
) -> None:
    # CommonMark reads front matter in CRLF lines as a heading with no answer: the page's own error.
    result, project = extract_family(run, tmp_path, faq_family(third), pages_clean="\r" not in third)
    assert "(FAQ shape)" in result.stdout
    (said,) = fallbacks(result.stdout)
    assert said.startswith(f"{tmp_path / 'pages' / 'third-faq.md'}:{line}: "), said
    assert reason in said and said.endswith("not in the FAQ shape; the page is kept whole")
    assert "before_front_matter" in loaded(project, "overrides/third.yml")


def test_a_question_block_in_no_layout_is_kept_as_the_page_has_it(run, tmp_path: Path) -> None:
    third = REGIONAL.replace("### **Can several organizations", "#### **Can several organizations")
    result, project = extract_family(run, tmp_path, faq_family(third))
    (said,) = fallbacks(result.stdout)
    line = next(n for n, x in enumerate(third.splitlines(), 1) if x.startswith("#### **Can"))
    assert f"third-faq.md:{line}: the block of question 'joint' follows none of the layouts" in said, said
    assert "(the standard layout writes ' **' here)" in said
    joint = next(
        q for s in loaded(project, "overrides/third.yml")["sections"] for q in s["questions"] if q["id"] == "joint"
    )
    assert joint["layout"] == "raw" and "#### **Can several" in str(joint)  # the block, or an edit to it
    assert (project / "base" / "layouts" / "raw.md.j2").is_file()


def test_front_matter_yaml_would_write_otherwise_is_kept_as_text(run, tmp_path: Path) -> None:
    third = REGIONAL.replace("title: Regional Partner FAQs", 'title: "Regional Partner FAQs"')
    result, project = extract_family(run, tmp_path, faq_family(third))
    (said,) = fallbacks(result.stdout)
    assert "third-faq.md:2: front matter YAML would write otherwise" in said
    assert "front_matter" not in loaded(project, "base/content.yml")


def test_too_few_faq_pages_take_the_generic_shape_and_say_which(run, tmp_path: Path) -> None:
    pages = {"a-faq.md": REGIONAL, "b-faq.md": LIBRARY, "c-faq.md": LIBRARY.replace("Springfield", "Shelbyville")}
    result, _ = extract_family(run, tmp_path, pages)
    assert "(generic shape: only 1 of 3 pages are FAQ pages" in result.stdout
    said = fallbacks(result.stdout)
    assert [s.split(": ", 1)[0] for s in said] == [f"{tmp_path / 'pages' / n}:1" for n in ("b-faq.md", "c-faq.md")]
    assert all(s.endswith(": not in the FAQ shape") for s in said)


def test_pages_that_are_no_faq_pages_say_why_once(run, tmp_path: Path) -> None:
    pages = {"a.md": LIBRARY, "b.md": LIBRARY.replace("Springfield", "Shelbyville")}
    result, _ = extract_family(run, tmp_path, pages)
    assert "(generic shape: no page is an FAQ page (a.md line 1: the FAQ page template writes" in result.stdout
    assert fallbacks(result.stdout) == []


def test_a_third_faq_page_keeps_the_faq_shape(run, tmp_path: Path) -> None:
    third = REGIONAL.replace("Regional Partner", "District Lead").replace("regional_partner", "district")
    third = third.replace("- [Do you accept international applications?](#international)\n", "")
    start = third.index('<br/>\n________________\n<a id="international">')
    third = third[:start] + third[third.index('<br/>\n________________\n<a id="facilitators">', start) :]
    pages = {name: (GOLDEN / name).read_text(encoding="utf-8") for name in PAGES}
    result, project = extract_family(run, tmp_path, {**pages, "district-lead-faq.md": third})
    assert "(FAQ shape)" in result.stdout
    district = loaded(project, "overrides/district-lead.yml")
    assert district["program"] == {"name": "District Lead", "nav": "plc_district_nav"}


def test_a_question_one_page_moves_is_a_move_in_its_override_and_the_base_keeps_the_usual_order(
    run, tmp_path: Path
) -> None:
    third = moved_block(REGIONAL, "press", "joint")
    line = next(line for line in third.splitlines(keepends=True) if line.endswith("(#press)\n"))
    third = third.replace(line, "").replace("- [Do you accept international", line + "- [Do you accept international")
    third = third.replace("Regional Partner", "District Lead").replace("regional_partner", "district")
    pages = {"district-lead-faq.md": third, **{name: (GOLDEN / name).read_text(encoding="utf-8") for name in PAGES}}
    result, project = extract_family(run, tmp_path, pages)  # the page that moves comes first
    assert "(FAQ shape)" in result.stdout and fallbacks(result.stdout) == []
    general = next(s for s in loaded(project, "base/content.yml")["sections"] if s["id"] == "general")
    ids = [q["id"] for q in general["questions"]]
    assert ids.index("press") < ids.index("joint")  # the order the two published pages have
    moved = loaded(project, "overrides/district-lead.yml")["sections"][0]["questions"]
    assert moved == [{"id": "joint", "after": "pm"}]


def test_var_names_a_detected_variable(run, tmp_path: Path) -> None:
    pages = {name: (GOLDEN / name).read_text(encoding="utf-8") for name in PAGES}
    _, project = extract_family(run, tmp_path, pages, "--var", "program=Regional Partner")
    variables = loaded(project, "base/variants.yml")["variables"]
    assert list(variables)[:2] == ["program", "program_in_text"]
    assert "{{ program }}" in (project / "base" / "content.yml").read_text(encoding="utf-8")


# -- the generic shape ----------------------------------------------------------------

LIBRARY = """\
# Springfield Library

Welcome to the Springfield Library. We are open daily.

## Hours

Monday to Friday, 9 to 5.

## Contact

Write to the Springfield Library, Main Street.
"""


def guide(town: str, parts: int = 8, skip: int = -1, extra: str = "") -> str:
    """A page long enough that entries by headings say less than the whole text: parts of a paragraph and a list."""
    out = [f"# The {town} guide\n\nWelcome to {town}. This guide says what is where, and who to ask.\n"]
    for n in range(parts):
        if n == skip:
            continue
        out.append(
            f"\n## Part {n}\n\nPart {n} of the {town} guide says where the {n}th district is and how to get there.\n\n"
        )
        out.extend(f"- Stop {n}.{k}: the market, the square and the station\n" for k in range(3))
        if n == 3 and extra:
            out.append(extra)
    return "".join(out)


COURSE = """\
---
title: Apply to teach CS Discoveries
course: csd
---
# CS Discoveries application

Teachers who want to teach CS Discoveries in the next school year apply here, with their school's support.

## Who can apply

- Middle and high school teachers of any subject
- Schools that will offer CS Discoveries for a full year

## What you get

A five-day summer workshop and four one-day sessions during the year, all free of charge.

## Dates

Applications for CS Discoveries open in January and close on May 1.
"""

COURSES = {"CS Discoveries": "csd", "CS Principles": "csp", "CS Fundamentals": "csf", "Computer Science A": "csa"}


def test_generic_pages_are_headings_with_the_text_under_them(run, tmp_path: Path) -> None:
    extra = "\n## Notes\n\n### Events\n\nStory time on Saturdays.\nBring the kids.\n"
    pages = {"a.md": guide("Springfield"), "b.md": guide("Shelbyville", extra=extra), "c.md": guide("Ogdenville")}
    # A heading right before another is no error: the pages have no table of contents, so no questions.
    result, project = extract_family(run, tmp_path, pages)
    assert "each page's text whole" not in result.stdout
    content = loaded(project, "base/content.yml")
    (body,) = content["sections"]
    assert content["intro"].startswith("# The {{ name }} guide\n\nWelcome")  # the page's title and intro
    assert [q["id"] for q in body["questions"]] == [f"part-{n}" for n in range(8)]
    assert body["questions"][0]["question"] == "Part 0"
    assert body["questions"][0]["answer"].startswith("Part 0 of the {{ name }} guide says")
    (notes,) = loaded(project, "overrides/b.yml")["sections"]
    assert notes["id"] == "notes" and notes["title"] == "## Notes"
    assert notes["questions"][0] == {
        "id": "events",
        "layout": "h3",
        "question": "Events",
        "answer": "Story time on Saturdays.\nBring the kids.\n",
    }
    assert [q["id"] for q in notes["questions"][1:]] == ["part-4", "part-5", "part-6", "part-7"]  # moved, as they are
    no_empty_entries(project)


HARBOUR = "- Stop 3.9: the harbour, open on Sundays only\n"
STOP = "- Stop 5.1: the market, the square and the station\n"
TOWNS = ["Springfield", "Shelbyville", "Ogdenville", "North Haverbrook", "Capital City", "Brockway"]


def block_family() -> dict[str, str]:
    """Six long guides that differ by blocks: a list item added on two, one dropped on two, a paragraph on one."""
    pages = {}
    for n, town in enumerate(TOWNS):
        page = guide(town, 16, extra=HARBOUR if n in (1, 3) else "\nThe harbour closes at noon.\n" if n == 5 else "")
        pages[f"{town.lower().replace(' ', '-')}.md"] = page.replace(STOP, "") if n in (2, 4) else page
    return pages


def test_generic_texts_pages_word_differently_come_apart_into_list_items_and_paragraphs(run, tmp_path: Path) -> None:
    result, project = extract_family(run, tmp_path, block_family())
    assert "texts the pages word differently cut into paragraphs and list items" in result.stdout
    (body,) = loaded(project, "base/content.yml")["sections"]
    entries = {q["id"]: q for q in body["questions"]}
    # the text every page has stays with its heading; the item two pages drop is an entry, and so is what follows
    assert entries["part-5"]["answer"].endswith("- Stop 5.0: the market, the square and the station\n")
    assert entries["stop-5-1-the-market-the"] == {
        "id": "stop-5-1-the-market-the", "layout": "text", "heading_spacing": 0, "answer": STOP
    }  # fmt: skip
    ids = [q["id"] for q in body["questions"]]
    assert ids[ids.index("part-5") :][:4] == ["part-5", "stop-5-1-the-market-the", "stop-5-2-the-market-the", "part-6"]
    assert "layout" not in entries["part-4"] and "answer" in entries["part-4"]  # a text no page words otherwise
    for dropped in ("ogdenville.yml", "capital-city.yml"):
        assert loaded(project, f"overrides/{dropped}")["sections"] == [
            {"id": "body", "questions": [{"id": "stop-5-1-the-market-the", "remove": True}]}
        ]
    (harbour,) = loaded(project, "base/components/stop-3-9-the-harbour-open.yml")["sections"][0]["questions"]
    assert harbour == {
        "id": "stop-3-9-the-harbour-open", "after": "part-3", "layout": "text", "heading_spacing": 0, "answer": HARBOUR
    }  # fmt: skip
    assert loaded(project, "overrides/brockway.yml")["sections"][0]["questions"] == [
        {
            "id": "the-harbour-closes-at-noon",
            "after": "part-3",
            "layout": "text",
            "answer": "The harbour closes at noon.\n",
        }
    ]
    assert "# line 37" in override_texts(project)["brockway.yml"]  # where the paragraph stands on its page
    assert (project / "base" / "layouts" / "text.md.j2").is_file()
    no_empty_entries(project)
    measured = compactness().measure(project, sorted((tmp_path / "pages").glob("*.md")))
    assert measured["lines"] <= measured["line_diff"]["lines"], measured


def test_into_a_project_of_blocks_cuts_the_new_page_where_the_base_does(run, tmp_path: Path) -> None:
    pages = block_family()
    new = pages.pop("capital-city.md")
    write_tree(tmp_path / "pages", {**pages, "capital-city.md": new})
    project = tmp_path / "project"
    made = run("extract", *[tmp_path / "pages" / name for name in pages], "--into", project)
    assert made.exit_code == 0, made.stderr
    result = run("extract", tmp_path / "pages" / "capital-city.md", "--into", project)
    assert result.exit_code == 0, result.stderr
    assert "removes entry 'stop-5-1-the-market-the'" in result.stdout
    assert loaded(project, "overrides/capital-city.yml") == {
        "program": {"name": "Capital City"},
        "sections": [{"id": "body", "questions": [{"id": "stop-5-1-the-market-the", "remove": True}]}],
    }
    assert rebuilt(project)["capital-city.md"] == new.encode("utf-8")


def test_a_block_never_takes_the_id_of_another_page_s_entry(run, tmp_path: Path) -> None:
    pages = {f"p{n}.md": guide(town, 10) for n, town in enumerate(TOWNS[:3])}
    pages["p3.md"] = guide("Capital City", 10, skip=9).replace(STOP.replace("5.1", "2.1"), "- Part 9\n")
    _, project = extract_family(run, tmp_path, pages)
    (questions,) = [s["questions"] for s in loaded(project, "overrides/p3.yml")["sections"]]
    assert {"id": "part-9", "remove": True} in questions  # the heading p3 lacks is removed, not turned into the item
    (item,) = [q for q in questions if q.get("answer") == "- Part 9\n"]
    assert item["id"] != "part-9" and item["layout"] == "text"


def test_blocks_align_by_likeness_and_past_the_limit_by_equality() -> None:
    from variants.extract.cutting import aligned

    base = [
        "- Stop in {{ name }}: the market, the square and the station\n",
        "- Stop 5.1: the market\n",
        "- Stop 5.2: the market\n",
    ]
    page = ["- Stop in Capital City: the market, the square and the station\n", "- Stop 5.2: the market\n"]
    assert aligned(base, page) == {0: 0, 2: 1}  # an equal block outweighs a like one
    items = [f"- Item {n}: {' '.join(str(n * k) for k in range(12))}\n" for n in range(600)]
    fewer = items[:20] + items[21:]
    assert aligned(items, fewer) == {n: n - (n > 20) for n in range(600) if n != 20}  # 360,000 pairs: equal ones


def test_blocks_are_paragraphs_and_list_items_and_join_to_the_text() -> None:
    from variants.extract.cutting import blocks

    text = "One\ntwo.\n\n- a\n- b\n  more of b\n\n  and more\n1. c\n\n```\n- not an item\n\nstill code\n```\n\n\nEnd"
    assert blocks(text) == [
        (0, "One\ntwo.\n"),
        (1, "- a\n"),
        (0, "- b\n  more of b\n\n  and more\n"),  # an indented line after a blank one is still the item's
        (0, "1. c\n"),
        (1, "```\n- not an item\n\nstill code\n```\n"),
        (2, "End"),
    ]
    assert "".join("\n" * n + part for n, part in blocks(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["\n", "- x\n", "  y\n", "z\n", "```\n", "1) w\n", "\t\n", "q"]), max_size=30))
def test_blocks_always_join_to_the_text(parts: list[str]) -> None:
    from variants.extract.cutting import blocks

    text = "".join(parts)
    found = blocks(text)
    assert "".join("\n" * n + part for n, part in found) == text
    assert all(part for _, part in found[:-1])  # only a text of blank lines ends in an empty block


def test_generic_pages_find_the_course_name_and_front_matter_as_variables(run, tmp_path: Path) -> None:
    pages = {
        f"{key}-application.md": COURSE.replace("CS Discoveries", name).replace("csd", key)
        for name, key in list(COURSES.items())[:3]
    }
    result, project = extract_family(run, tmp_path, pages)
    assert "(generic shape: no page is an FAQ page" in result.stdout
    assert "each page's text whole, shorter than entries" in result.stdout  # short pages: entries would say more
    assert loaded(project, "base/content.yml")["sections"] == []
    variables = loaded(project, "base/variants.yml")["variables"]
    assert list(variables) == ["name", "course"]
    content = (project / "base" / "content.yml").read_text(encoding="utf-8")
    assert not [name for name in COURSES if name in content]
    assert loaded(project, "base/content.yml")["front_matter"] == {
        "title": "Apply to teach {{ name }}",  # CS, which the three names share, is part of the name
        "course": "{{ course }}",
    }
    assert loaded(project, "overrides/csp.yml") == {"program": {"name": "CS Principles", "course": "csp"}}
    measured = compactness().measure(project, sorted((tmp_path / "pages").glob("*.md")))
    assert measured["lines"] <= measured["line_diff"]["lines"], measured
    assert measured["chars"] <= measured["line_diff"]["chars"], measured


def test_generic_front_matter_yaml_would_write_otherwise_is_kept_as_text(run, tmp_path: Path) -> None:
    page = '---\ntitle:   "Springfield"\ntags: [a,  b]\n---\n\n' + LIBRARY
    pages = {"a.md": page, "b.md": page.replace("Springfield", "Shelbyville")}
    result, project = extract_family(run, tmp_path, pages)
    assert "(generic shape" in result.stdout
    said = fallbacks(result.stdout)
    assert [s.split(": ", 1)[0] for s in said] == [f"{tmp_path / 'pages' / n}:2" for n in pages]
    assert all("front matter YAML would write otherwise" in s for s in said)
    assert not loaded(project, "base/content.yml").get("front_matter")


def test_a_name_one_page_writes_in_fewer_places_is_still_a_variable(run, tmp_path: Path) -> None:
    towns = ["Springfield", "Shelbyville", "Ogdenville"]
    pages = {f"{t.lower()}.md": LIBRARY.replace("Springfield", t) for t in towns}
    pages["capital.md"] = (
        LIBRARY.replace("Springfield", "Capital City")
        .replace("Welcome to the Capital City Library.", "Welcome, readers.")
        .replace("Write to the Capital City Library, Main Street.", "Write to us at Main Street.")
    )  # the title only
    _, project = extract_family(run, tmp_path, pages)
    variables = loaded(project, "base/variants.yml")["variables"]
    assert list(variables) == ["name"]
    for town in towns:
        assert loaded(project, f"overrides/{town.lower()}.yml") == {"program": {"name": f"{town} Library"}}
    assert loaded(project, "overrides/capital.yml")["program"] == {"name": "Capital City Library"}


def test_generic_differences_by_a_sentence_are_partial_edits(run, tmp_path: Path) -> None:
    other = LIBRARY.replace("We are open daily.", "We are open daily, and late on Thursdays.")
    _, project = extract_family(run, tmp_path, {"a.md": LIBRARY, "b.md": LIBRARY, "c.md": other})
    assert loaded(project, "overrides/c.yml")["intro"] == {
        "replace": "open daily",
        "with": "open daily, and late on Thursdays",
    }


def test_three_pages_whose_only_difference_is_a_name(run, tmp_path: Path) -> None:
    pages = {
        "springfield.md": LIBRARY,
        "shelbyville.md": LIBRARY.replace("Springfield", "Shelbyville"),
        "capital-city.md": LIBRARY.replace("Springfield", "Capital City"),
    }
    result, project = extract_family(run, tmp_path, pages)
    assert "Springfield" not in (project / "base" / "content.yml").read_text(encoding="utf-8")
    for name, text in override_texts(project).items():
        assert list(yaml.safe_load(text)) == ["program"], name  # nothing but the name
    assert yaml.safe_load(override_texts(project)["capital-city.yml"])["program"] == {"name": "Capital City Library"}
    assert "100%" in result.stdout


def test_a_name_in_another_case_becomes_a_form_with_a_default(run, tmp_path: Path) -> None:
    page = LIBRARY.replace("Main Street", "info@springfield.example")
    pages = {"a.md": page, "b.md": page.replace("Springfield", "Shelbyville").replace("springfield", "shelbyville")}
    _, project = extract_family(run, tmp_path, pages)
    variables = loaded(project, "base/variants.yml")["variables"]
    assert variables["name_lower"]["default"] == "{{ name | lower }}"
    assert "info@{{ name_lower }}.example" in (project / "base" / "content.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(override_texts(project)["b.yml"]) == {"program": {"name": "Shelbyville"}}


def test_removed_and_replaced_entries(run, tmp_path: Path) -> None:
    shorter = guide("Shelbyville", skip=5).replace("says what is where", "says where things are")
    pages = {"a.md": guide("Springfield"), "b.md": shorter, "c.md": guide("Ogdenville")}
    _, project = extract_family(run, tmp_path, pages)
    override = loaded(project, "overrides/b.yml")
    assert override["sections"][0]["questions"] == [{"id": "part-5", "remove": True}]
    assert override["intro"] == {"replace": "what is where", "with": "where things are"}


def test_pages_with_nothing_in_common_still_round_trip_with_a_warning(run, tmp_path: Path) -> None:
    result, project = extract_family(run, tmp_path, {"a.md": "alpha beta\n\ngamma\n", "b.md": "one two three\nfour\n"})
    assert "little is shared" in result.stderr
    assert loaded(project, "base/content.yml")["sections"] == []


def test_line_endings_trailing_whitespace_and_no_final_newline_are_kept(run, tmp_path: Path) -> None:
    crlf = "# Springfield  \r\n\r\nOpen\tdaily in Springfield. \r\n\r\nBye \t"
    pages = {
        "a.md": crlf,
        "b.md": crlf.replace("Springfield", "Shelbyville"),
        "c.md": "# Springfield\n\nOpen daily in Springfield.\n",  # LF, in the same family
        "d.md": "\ufeff# Springfield\r\rOld Mac line endings\r",
    }
    _, project = extract_family(run, tmp_path, pages)
    content = (project / "base" / "content.yml").read_text(encoding="utf-8")
    assert "\\r" in content and "\r" not in content  # escaped in YAML, never raw


def test_template_syntax_in_pages_stays_text(run, tmp_path: Path) -> None:
    page = (
        "Use {{ name }} and {% raw %}{{ x }}{% endraw %} in Springfield.\n\n"
        "A comment {# like this #}, a brace { and {{{ Springfield }}}.\n\n"
        "{%- if x -%} Springfield {{- y }}\n"
    )
    pages = {"a.md": page, "b.md": page.replace("Springfield", "Shelbyville")}
    _, project = extract_family(run, tmp_path, pages)
    assert list(loaded(project, "base/variants.yml")["variables"]) == ["name"]


def test_var_makes_a_variable_detection_misses(run, tmp_path: Path) -> None:
    pages = {"a.md": "Welcome to Springfield!\n\nOpen 9 to 5.\n", "b.md": "Welcome to Shelbyville!\n\nOpen 9 to 5.\n"}
    result, project = extract_family(run, tmp_path, pages, "--var", "town=Shelbyville")
    assert "Welcome to {{ town }}!" in (project / "base" / "content.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(override_texts(project)["a.yml"]) == {"program": {"town": "Springfield"}}
    assert "town" in result.stdout


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("town=Nowhere", "'Nowhere' does not occur on any page"),
        ("town=Welcome", "'Welcome' reads the same on every page"),
        ("for=Springfield", "'for' cannot name a variable"),
    ],
)
def test_var_errors(run, tmp_path: Path, option: str, message: str) -> None:
    write_tree(tmp_path, {"a.md": "Welcome to Springfield!\n", "b.md": "Welcome to Shelbyville!\n"})
    result = run("extract", tmp_path / "a.md", tmp_path / "b.md", "--into", tmp_path / "p", "--var", option)
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (tmp_path / "p").exists()


def test_var_needs_name_equals_value(run, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.md": "a\n", "b.md": "b\n"})
    result = run("extract", tmp_path / "a.md", tmp_path / "b.md", "--into", tmp_path / "p", "--var", "no value")
    assert result.exit_code == 2
    assert "expected NAME=VALUE" in result.stderr


# -- into an existing project -------------------------------------------------------------


def test_into_an_existing_project_adds_a_version_of_a_program(run, tmp_path: Path) -> None:
    project = tmp_path / "project"
    known = [p for p in sorted(FAMILY.glob("*.md")) if p.name != "rp-faq-2019.md"]
    assert run("extract", *known, "--into", project).exit_code == 0
    before = snapshot(project)
    result = run("extract", FAMILY / "rp-faq-2019.md", "--into", project)
    assert result.exit_code == 0, result.stderr
    assert "added 1 page to" in result.stdout and "extends regional-partner-faq" in result.stdout
    after = snapshot(project)
    assert {k: v for k, v in after.items() if k != "overrides/rp-faq-2019.yml"} == before  # base/ as it was
    assert loaded(project, "overrides/rp-faq-2019.yml")["extends"] == "regional-partner-faq"
    assert rebuilt(project) == {p.name: p.read_bytes() for p in FAMILY.glob("*.md")}
    assert run("-C", project, "check").exit_code == 0


def test_into_an_existing_generic_project_finds_the_new_page_variables(run, tmp_path: Path) -> None:
    write_tree(tmp_path / "pages", {"a.md": guide("Springfield"), "b.md": guide("Shelbyville")})
    project = tmp_path / "project"
    assert run("extract", tmp_path / "pages" / "a.md", tmp_path / "pages" / "b.md", "--into", project).exit_code == 0
    assert loaded(project, "base/content.yml")["sections"]  # entries by headings
    new = guide("Ogdenville", extra="\n## Events\n\nStory time.\n")
    write_tree(tmp_path / "pages", {"c.md": new})
    result = run("extract", tmp_path / "pages" / "c.md", "--into", project)
    assert result.exit_code == 0, result.stderr
    added = loaded(project, "overrides/c.yml")
    assert added["program"] == {"name": "Ogdenville"}
    assert [(q["id"], q["after"]) for q in added["sections"][0]["questions"]] == [("events", "part-3")]
    assert rebuilt(project)["c.md"] == new.encode("utf-8")


def test_into_a_project_refuses_a_page_its_templates_cannot_write_and_says_where(run, tmp_path: Path) -> None:
    write_tree(tmp_path / "pages", {"a.md": guide("Springfield"), "b.md": guide("Shelbyville")})
    project = tmp_path / "project"
    assert run("extract", tmp_path / "pages" / "a.md", tmp_path / "pages" / "b.md", "--into", project).exit_code == 0
    before = snapshot(project)
    new = guide("Ogdenville", extra="\n#### Late stops\n\nOnly at night.\n")
    write_tree(tmp_path / "pages", {"c.md": new})
    result = run("extract", tmp_path / "pages" / "c.md", "--into", project)
    assert result.exit_code == 1
    line = new.split("\n").index("#### Late stops") + 1
    expected = (
        f"{tmp_path / 'pages' / 'c.md'}:{line}: the project has no layout for a heading of this level: it does not fit"
    )
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and snapshot(project) == before


def test_into_a_project_whose_page_template_is_in_no_shape_refuses_the_page(run, tmp_path: Path) -> None:
    write_tree(tmp_path / "pages", {"a.md": LIBRARY, "b.md": LIBRARY.replace("Springfield", "Shelbyville")})
    project = tmp_path / "project"
    assert run("extract", tmp_path / "pages" / "a.md", tmp_path / "pages" / "b.md", "--into", project).exit_code == 0
    own = "{{ before_front_matter }}{{ front_matter_spacing }}{% for s in sections %}{{ s.title }}{% endfor %}{{ intro }}\n"
    (project / "base" / "page.md.j2").write_text(own, encoding="utf-8")
    before = snapshot(project)
    write_tree(tmp_path / "pages", {"c.md": LIBRARY.replace("Springfield", "Ogdenville")})
    result = run("extract", tmp_path / "pages" / "c.md", "--into", project)
    assert result.exit_code == 1
    assert "c.md:1: the project's page template is in neither the FAQ nor the generic shape" in result.stderr
    assert snapshot(project) == before


def test_into_a_project_of_whole_texts_adds_a_page_as_one(run, tmp_path: Path) -> None:
    write_tree(tmp_path / "pages", {"a.md": LIBRARY, "b.md": LIBRARY.replace("Springfield", "Shelbyville")})
    project = tmp_path / "project"
    assert run("extract", tmp_path / "pages" / "a.md", tmp_path / "pages" / "b.md", "--into", project).exit_code == 0
    new = LIBRARY.replace("Springfield", "Ogdenville").replace("open daily", "open on weekdays")
    write_tree(tmp_path / "pages", {"c.md": new})
    assert run("extract", tmp_path / "pages" / "c.md", "--into", project).exit_code == 0
    added = loaded(project, "overrides/c.yml")
    intro = {"replace": "open daily", "with": "open on weekdays"}
    assert added == {"program": {"name": "Ogdenville Library"}, "intro": intro}
    assert rebuilt(project)["c.md"] == new.encode("utf-8")


def test_into_a_project_refuses_a_page_it_already_makes_and_writes_nothing(run, tmp_path: Path) -> None:
    project = tmp_path / "project"
    assert run("extract", *[GOLDEN / name for name in PAGES], "--into", project).exit_code == 0
    before = snapshot(project)
    result = run("extract", GOLDEN / "regional-partner-faq.md", "--into", project)
    assert result.exit_code == 1
    assert "the project already makes regional-partner-faq.md (overrides/regional-partner.yml)" in result.stderr
    assert snapshot(project) == before


def test_into_the_shipped_project_reads_its_own_templates(run, shipped: Path, tmp_path: Path) -> None:
    third = REGIONAL.replace("Regional Partner", "District Lead").replace("regional_partner", "district")
    write_tree(tmp_path / "pages", {"district-lead-faq.md": third})
    result = run("extract", tmp_path / "pages" / "district-lead-faq.md", "--into", shipped)
    assert result.exit_code == 0, result.stderr
    added = loaded(shipped, "overrides/district-lead.yml")
    assert added["program"]["name"] == "District Lead"
    assert rebuilt(shipped)["district-lead-faq.md"] == third.encode("utf-8")


# -- safety and errors ----------------------------------------------------------------


def test_refuses_a_folder_that_is_not_empty_unless_forced(run, tmp_path: Path) -> None:
    write_tree(tmp_path / "pages", {"a.md": LIBRARY, "b.md": LIBRARY.replace("Springfield", "Shelbyville")})
    into = write_tree(tmp_path / "project", {"notes.txt": "mine\n", "overrides/old.yml": "program: {}\n"})
    before = snapshot(into)
    args = ["extract", tmp_path / "pages" / "a.md", tmp_path / "pages" / "b.md", "--into", into]
    result = run(*args)
    assert result.exit_code == 1
    assert "folder is not empty; use --force" in result.stderr
    assert snapshot(into) == before
    result = run(*args, "--force")
    assert result.exit_code == 0, result.stderr
    assert (into / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in (into / "overrides").iterdir()) == ["a.yml", "b.yml"]
    assert not [p for p in into.iterdir() if p.name.startswith(".variants-extract")]


def test_into_must_be_a_folder(run, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.md": "a\n", "b.md": "b\n", "file": "x"})
    result = run("extract", tmp_path / "a.md", tmp_path / "b.md", "--into", tmp_path / "file")
    assert result.exit_code == 1
    assert "exists and is not a folder" in result.stderr


def test_unreadable_and_non_utf8_pages_are_clear_errors(run, tmp_path: Path) -> None:
    write_tree(tmp_path, {"good.md": "fine\n", "latin1.md": b"caf\xe9\n"})
    (tmp_path / "folder.md").mkdir()
    result = run(
        "extract", tmp_path / "good.md", tmp_path / "latin1.md", tmp_path / "missing.md", tmp_path / "folder.md",
        "--into", tmp_path / "p",
    )  # fmt: skip
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{tmp_path / 'latin1.md'}:1:4: invalid UTF-8 at byte offset 3 (0xe9); save the page as UTF-8" in lines
    assert f"{tmp_path / 'missing.md'}: no such file" in lines
    assert f"{tmp_path / 'folder.md'}: is a folder, expected a page" in lines
    assert not (tmp_path / "p").exists()


def test_needs_two_pages_with_different_names(run, tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/page.md": "x\n", "b/page.md": "y\n"})
    assert run("extract", tmp_path / "a/page.md", "--into", tmp_path / "p").exit_code == 2
    result = run("extract", tmp_path / "a/page.md", tmp_path / "b/page.md", "--into", tmp_path / "p")
    assert result.exit_code == 1
    assert "two pages named 'page.md'" in result.stderr


def test_a_rebuild_that_differs_is_an_error_never_a_success(tmp_path: Path) -> None:
    pages = [SourcePage("a.md", "a.md", "Hello Springfield\n"), SourcePage("b.md", "b.md", "Hello there\n")]
    extraction = extract(pages)
    extraction.files["base/content.yml"] = extraction.files["base/content.yml"].replace("Hello", "Howdy")
    with pytest.raises(VariantsError, match=r"a\.md:1: the extracted project rebuilds this page differently"):
        write_project(extraction, tmp_path / "p")
    assert not (tmp_path / "p").exists()


# -- time and properties -------------------------------------------------------------------


def handbook(name: str, paragraphs: int, extra: bool) -> str:
    out = [f"# The {name} handbook\n\nWelcome to {name}.\n"]
    for i in range(paragraphs):
        if i % 10 == 0:
            out.append(f"\n## Part {i // 10}\n")
        out.append(f"\nParagraph {i} says something about topic {i * 7 % 13} for {name} readers.\n")
        if extra and i == paragraphs // 2:
            out.append("\nAn extra paragraph.\n")
    return "".join(out)


@pytest.mark.slow
def test_two_pages_of_thousands_of_paragraphs_extract_in_seconds() -> None:
    pages = [
        SourcePage(n, n, handbook(town, 3000, n == "b.md"))
        for n, town in (("a.md", "Springfield"), ("b.md", "Shelbyville"))
    ]
    start = time.perf_counter()
    extraction = extract(pages)
    assert time.perf_counter() - start < 10
    assert extraction.shape == "generic" and [v.name for v in extraction.variables] == ["name"]


_LINES = st.lists(
    st.sampled_from(
        [
            "",
            " ",
            "# Springfield",
            "## Hours",
            "Springfield Library opens.",
            "Closed Sundays.",
            "{{ x }}",
            "{%",
            "tab\there ",
            "\r",
            "- item",
        ]
    ),
    max_size=8,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.slow
@given(st.lists(_LINES, min_size=2, max_size=4), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_any_family_round_trips_exactly(pages: list[list[str]], newline: str, final_newline: bool) -> None:
    texts = [newline.join(lines) + (newline if final_newline and lines else "") for lines in pages]
    texts[-1] = texts[-1].replace("Springfield", "Shelbyville")
    extraction = extract([SourcePage(f"p{n}.md", f"p{n}.md", text) for n, text in enumerate(texts)])
    with tempfile.TemporaryDirectory() as folder:
        write_tree(Path(folder), extraction.files)
        assert rebuilt(Path(folder)) == {f"p{n}.md": text.encode("utf-8") for n, text in enumerate(texts)}


def test_the_limit_extract_keeps_to_is_the_benchmark_line_diff_on_pages_of_this_size() -> None:
    from extracting import handbook

    from variants.extract.sourcefiles import line_diff

    # handbooks whose words shift after a skipped part: difflib matches their blank lines, patience does not
    shifted = [handbook("Springfield", 20), handbook("Shelbyville", 20, skip=2), handbook("Capital", 20, skip=4)]
    for texts in (list(block_family().values()), shifted):
        assert line_diff(texts) == tuple(compactness().line_diff(texts))
