"""variants extract: existing pages in, base/ and overrides/ out, proved by rebuilding every page byte for byte."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import GOLDEN, PAGES, REPO, snapshot, write_tree
from variants.extract import SourcePage, extract, read_pages, write_project
from variants.pipeline.build import render_project as build
from variants.problems import VariantsError


def rebuilt(project: Path) -> dict[str, bytes]:
    """Every page the project builds, as bytes."""
    return {output.name: output.text.encode("utf-8") for output in build(project)}


def extract_family(run, tmp_path: Path, pages: dict[str, str | bytes], *options: str):
    """Write ``pages``, extract them with the CLI, check the rebuild is exact; return (result, project)."""
    write_tree(tmp_path / "pages", pages)
    project = tmp_path / "project"
    result = run("extract", *[tmp_path / "pages" / name for name in pages], "--into", project, *options)
    assert result.exit_code == 0, result.stderr
    expected = {name: text if isinstance(text, bytes) else text.encode("utf-8") for name, text in pages.items()}
    assert rebuilt(project) == expected
    return result, project


def override_texts(project: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((project / "overrides").glob("*.yml"))}


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
    settings_data = yaml.safe_load((project / "base" / "variants.yml").read_text(encoding="utf-8"))
    assert list(settings_data["variables"]) == ["name", "name_in_text", "nav"]
    assert settings_data["variables"]["name_in_text"]["default"] == "{{ name }}"
    assert settings_data["output"] == "{slug}-faq.md"
    regional = yaml.safe_load((project / "overrides" / "regional-partner.yml").read_text(encoding="utf-8"))
    assert regional["program"] == {"name": "Regional Partner", "nav": "plc_regional_partner_nav"}
    assert regional["sections"][0]["questions"][0]["id"] == "international"
    assert regional["sections"][0]["questions"][0]["after"] == "joint"
    plp = yaml.safe_load((project / "overrides" / "professional-learning-partner.yml").read_text(encoding="utf-8"))
    assert [s["id"] for s in plp["sections"]] == ["budget"]
    assert "(FAQ shape)" in summary
    assert "name_in_text" in summary and "adds question 'international' after 'joint'" in summary


def test_published_extraction_is_deterministic() -> None:
    pages = read_pages([GOLDEN / name for name in PAGES])
    assert extract(pages).files == extract(pages).files


def test_a_third_faq_page_keeps_the_faq_shape(run, tmp_path: Path) -> None:
    regional = (GOLDEN / "regional-partner-faq.md").read_text(encoding="utf-8")
    third = regional.replace("Regional Partner", "District Lead").replace("regional_partner", "district")
    third = third.replace("- [Do you accept international applications?](#international)\n", "")
    start = third.index('<br/>\n________________\n<a id="international">')
    third = third[:start] + third[third.index('<br/>\n________________\n<a id="facilitators">', start) :]
    pages = {name: (GOLDEN / name).read_text(encoding="utf-8") for name in PAGES}
    result, project = extract_family(run, tmp_path, {**pages, "district-lead-faq.md": third})
    assert "(FAQ shape)" in result.stdout
    district = yaml.safe_load((project / "overrides" / "district-lead.yml").read_text(encoding="utf-8"))
    assert district["program"] == {"name": "District Lead", "nav": "plc_district_nav"}


def test_var_names_a_detected_variable(run, tmp_path: Path) -> None:
    pages = {name: (GOLDEN / name).read_text(encoding="utf-8") for name in PAGES}
    _, project = extract_family(run, tmp_path, pages, "--var", "program=Regional Partner")
    variables = yaml.safe_load((project / "base" / "variants.yml").read_text(encoding="utf-8"))["variables"]
    assert list(variables)[:2] == ["program", "program_in_text"]
    assert "{{ program }}" in (project / "base" / "content.yml").read_text(encoding="utf-8")


# -- crafted families -------------------------------------------------------------

LIBRARY = """\
# Springfield Library

Welcome to the Springfield Library. We are open daily.

## Hours

Monday to Friday, 9 to 5.

## Contact

Write to the Springfield Library, Main Street.
"""


def test_three_pages_whose_only_difference_is_a_name(run, tmp_path: Path) -> None:
    pages = {
        "springfield.md": LIBRARY,
        "shelbyville.md": LIBRARY.replace("Springfield", "Shelbyville"),
        "capital-city.md": LIBRARY.replace("Springfield", "Capital City"),
    }
    result, project = extract_family(run, tmp_path, pages)
    assert "Springfield" not in (project / "base" / "content.yml").read_text(encoding="utf-8")
    for name, text in override_texts(project).items():
        data = yaml.safe_load(text)
        assert list(data) == ["program"], name  # nothing but the name
    assert yaml.safe_load(override_texts(project)["capital-city.yml"])["program"] == {"name": "Capital City Library"}
    assert "100%" in result.stdout


def test_a_name_in_another_case_becomes_a_form_with_a_default(run, tmp_path: Path) -> None:
    page = LIBRARY.replace("Main Street", "info@springfield.example")
    pages = {"a.md": page, "b.md": page.replace("Springfield", "Shelbyville").replace("springfield", "shelbyville")}
    _, project = extract_family(run, tmp_path, pages)
    variables = yaml.safe_load((project / "base" / "variants.yml").read_text(encoding="utf-8"))["variables"]
    assert variables["name_lower"]["default"] == "{{ name | lower }}"
    assert "info@{{ name_lower }}.example" in (project / "base" / "content.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(override_texts(project)["b.yml"]) == {"program": {"name": "Shelbyville"}}


def test_a_page_with_an_extra_section_in_the_middle(run, tmp_path: Path) -> None:
    extra = LIBRARY.replace("## Contact", "## Events\n\nStory time on Saturdays.\nBring the kids.\n\n## Contact")
    _, project = extract_family(run, tmp_path, {"a.md": LIBRARY, "b.md": extra})
    overrides = {name: yaml.safe_load(text) for name, text in override_texts(project).items()}
    assert list(overrides["a.yml"]) == ["program"]
    (added,) = overrides["b.yml"]["sections"][0]["questions"]
    assert added["after"] == "monday-to-friday-9"
    assert added["answer"].startswith("## Events\n\nStory time on Saturdays.")
    assert "Story time" not in (project / "base" / "content.yml").read_text(encoding="utf-8")


def test_removed_and_replaced_blocks(run, tmp_path: Path) -> None:
    shorter = LIBRARY.replace("## Hours\n\nMonday to Friday, 9 to 5.\n\n", "").replace("open daily", "open on weekdays")
    _, project = extract_family(run, tmp_path, {"a.md": LIBRARY, "b.md": shorter, "c.md": LIBRARY})
    questions = yaml.safe_load(override_texts(project)["b.yml"])["sections"][0]["questions"]
    assert {"id": "hours", "remove": True} in questions
    assert {"id": "monday-to-friday-9", "remove": True} in questions
    changed = next(q for q in questions if "answer" in q)
    assert changed["answer"].startswith("Welcome to the Springfield Library. We are open on weekdays.\n")


def test_pages_with_nothing_in_common_still_round_trip_with_a_warning(run, tmp_path: Path) -> None:
    result, project = extract_family(run, tmp_path, {"a.md": "alpha beta\n\ngamma\n", "b.md": "one two three\nfour\n"})
    assert "little is shared" in result.stderr
    content = yaml.safe_load((project / "base" / "content.yml").read_text(encoding="utf-8"))
    assert content["sections"][0]["questions"] == []


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
    settings_data = yaml.safe_load((project / "base" / "variants.yml").read_text(encoding="utf-8"))
    assert list(settings_data["variables"]) == ["name"]


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


_LINES = st.lists(
    st.sampled_from(
        ["", " ", "# Springfield", "Springfield Library opens.", "Closed Sundays.", "{{ x }}", "{%", "tab\there ", "\r"]
    ),
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.slow
@given(st.lists(_LINES, min_size=2, max_size=4), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_any_family_round_trips_exactly(pages: list[list[str]], newline: str, final_newline: bool) -> None:
    texts = [newline.join(lines) + (newline if final_newline and lines else "") for lines in pages]
    texts[-1] = texts[-1].replace("Springfield", "Shelbyville")
    extraction = extract([SourcePage(f"p{n}.md", f"p{n}.md", text) for n, text in enumerate(texts)])
    with tempfile.TemporaryDirectory() as folder:
        write_tree(Path(folder), extraction.files)
        assert rebuilt(Path(folder)) == {f"p{n}.md": text.encode("utf-8") for n, text in enumerate(texts)}


def test_faq_shape_writes_the_shipped_template_and_layouts() -> None:
    """Extracted FAQ projects use the same template as base/: one copy cannot drift from the other."""
    from conftest import REPO
    from variants.extract.shapes import FAQ, shape_files

    files = shape_files(FAQ)
    assert (REPO / "base" / "page.md.j2").read_text() == files.pop("page.md.j2")
    assert files
    for name, text in files.items():
        assert text == (REPO / "base" / name).read_text()
