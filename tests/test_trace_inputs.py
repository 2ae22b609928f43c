"""Blame and coverage on odd and hostile input: page arguments, pages that are not as built, marker characters."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import variants.pipeline.pool
from conftest import REPO, blame_rows, snapshot, write_tree

EXAMPLE = REPO / "examples" / "partner-faq"
RP = "regional-partner-faq.md"


def _source_line(root: Path, row: dict) -> str:
    source = row["source"]
    return (root / source["file"]).read_text(encoding="utf-8").split("\n")[source["line"] - 1]


@pytest.mark.parametrize(
    "page",
    ["regional-partner", RP, f"out/{RP}", f"out/../out/{RP}", f"out/./{RP}"],
)
def test_a_page_is_named_by_program_file_name_or_any_path_into_out(run, shipped: Path, page: str) -> None:
    os.chdir(shipped)
    rows = blame_rows(run, Path("."), page)
    assert len(rows) == 138 and rows[82]["source"]["file"] == "overrides/regional-partner.yml"


@pytest.mark.parametrize("page", ["../x.md", "/etc/passwd", "out/../../x.md", "base/content.yml"])
def test_a_page_outside_the_output_folder_is_a_usage_error(run, shipped: Path, page: str) -> None:
    os.chdir(shipped)
    for command in ("blame", "adopt"):
        result = run(command, page)
        assert result.exit_code == 2, result.output
        assert f"Invalid value for PAGE: {page} is not a page in the output folder" in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.parametrize("number", ["0", "-1", "abc", "", "1e3"])
def test_a_line_number_must_be_a_whole_number_from_one(run, shipped: Path, number: str) -> None:
    result = run("-C", shipped, "blame", f"regional-partner:{number}")
    assert result.exit_code == 2
    assert f"Invalid value for PAGE:LINE: line '{number}' of regional-partner: lines are numbered from 1" in (
        result.stderr
    )


def _replace_page(page: Path, how: str, outside: Path) -> None:
    if how == "edited":
        page.write_bytes(page.read_bytes().replace(b"some of our", b"many of our"))
    elif how == "not UTF-8":
        page.write_bytes(page.read_bytes().replace(b"some of our", b"s\xe9me of our"))
    else:
        page.unlink()
        {"a link out": lambda: page.symlink_to(outside), "a FIFO": lambda: os.mkfifo(page), "a folder": page.mkdir}.get(
            how, lambda: None
        )()


@pytest.mark.parametrize("how", ["edited", "not UTF-8", "missing", "a link out", "a FIFO", "a folder"])
def test_blame_says_when_the_page_in_out_is_not_what_it_blames(run, shipped: Path, tmp_path: Path, how: str) -> None:
    """Blame shows the page the sources make; a page in out/ that is not that page is named, and left alone."""
    built = blame_rows(run, shipped, "regional-partner")
    assert run("-C", shipped, "blame", "regional-partner").stderr == ""
    outside = tmp_path / "outside.md"
    outside.write_text("secret\n")
    _replace_page(shipped / "out" / RP, how, outside)
    before = snapshot(shipped)
    result = run("-C", shipped, "blame", "regional-partner", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"{shipped}/out/{RP}: not as the sources make it (edited by hand, stale or missing); blaming the page they make\n"
    )
    assert json.loads(result.stdout) == built
    assert snapshot(shipped) == before and outside.read_text() == "secret\n"


def test_blame_and_adopt_take_characters_of_the_private_use_planes(run, shipped: Path) -> None:
    """Tracing marks origins with surrogates, which no text holds: planes 15 and 16 are text like any."""
    content = shipped / "base" / "content.yml"
    content.write_text(content.read_text(encoding="utf-8").replace("Yes, some", "Yes, \U000f0000some\U0010fffd"))
    assert run("-C", shipped, "build").exit_code == 0
    joint = next(r for r in blame_rows(run, shipped, "regional-partner") if "\U000f0000" in r["text"])
    assert joint["source"] == {"file": "base/content.yml", "line": 42, "layer": "base"}
    page = shipped / "out" / RP
    page.write_text(page.read_text(encoding="utf-8").replace("current", "\U0010fffdcurrent", 1), encoding="utf-8")
    adopted = run("-C", shipped, "adopt", "regional-partner")
    assert adopted.exit_code == 0, adopted.stderr
    assert run("-C", shipped, "build", "--check").exit_code == 0
    after = next(r for r in blame_rows(run, shipped, "regional-partner") if "\U0010fffdcurrent" in r["text"])
    assert after["also"] == [{"file": "overrides/regional-partner.yml", "line": 24}]


def test_blame_of_a_page_in_a_subfolder(run, shipped: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text("output: faq/rp.md\n" + override.read_text(encoding="utf-8"))
    assert run("-C", shipped, "build").exit_code == 0
    text = (shipped / "out" / "faq" / "rp.md").read_text(encoding="utf-8")
    rows = blame_rows(run, shipped, str(shipped / "out" / "faq" / "rp.md"))
    assert [r["text"] for r in rows] == text.split("\n")[:-1]
    assert rows[82]["source"] == {"file": "overrides/regional-partner.yml", "line": 22, "layer": "override"}
    line = run("-C", shipped, "blame", "out/faq/rp.md:83")
    assert line.exit_code == 0, line.stderr
    assert line.stdout.startswith(f"{shipped}/out/faq/rp.md:83: No, at this time, the Regional Partner Program")


def test_blame_of_a_page_without_final_newline(run) -> None:
    text = (EXAMPLE / "out" / "rp-playbook-faq.md").read_text(encoding="utf-8")
    assert not text.endswith("\n")
    rows = blame_rows(run, EXAMPLE, "rp-playbook-faq")
    assert [r["text"] for r in rows] == text.split("\n")
    assert rows[-1]["text"] == "[**Back to the top**](#top)"
    assert rows[-1]["source"] == {"file": "base/layouts/compact.md.j2", "line": 7, "layer": "layout"}


def test_a_line_of_spaces_goes_to_what_wrote_them(run, shipped: Path) -> None:
    """The published pages end their table of contents with a line holding one tab: toc_end's."""
    rows = blame_rows(run, shipped, "regional-partner")
    tab = next(r for r in rows if r["text"] == "\t")
    assert tab["source"] == {"file": "base/content.yml", "line": 15, "layer": "base"}
    assert tab["what"] == "toc_end"


@pytest.mark.parametrize("root", [REPO, EXAMPLE], ids=["shipped", "family"])
def test_every_line_of_every_page_is_written_by_its_source_line(run, root: Path) -> None:
    """Each row's source line holds the row's text: a value's line has its words (less those its
    variables brought), a template's line its literal text; a blank row comes from a blank value line
    or a template line that writes line breaks."""
    for override in sorted((root / "overrides").glob("*.yml")):
        for row in blame_rows(run, root, override.stem):
            line, text = _source_line(root, row), row["text"]
            for variable in row["variables"]:
                text = text.replace(variable["value"], "")
            if row["source"]["layer"] in ("template", "layout"):
                literal = line
                for tag in ("{{", "{%", "{#"):
                    literal = literal.split(tag)[0]
                assert literal.strip() in row["text"] or not text.strip(), (override.stem, row)
            elif text.strip():
                words = [w for w in text.replace("*", " ").split() if len(w) > 2]
                found = sum(w in line for w in words)
                assert found * 2 >= len(words), (override.stem, row, line)
            else:
                assert not line.strip() or line.rstrip().endswith(("|", "|+", '\\n"', '\\t"')), (row, line)


def test_blame_and_coverage_give_the_same_bytes_every_time(run, shipped: Path, monkeypatch) -> None:
    first = [run("-C", shipped, "blame", "regional-partner", "--format", f).stdout for f in ("text", "json")]
    coverage = run("-C", shipped, "coverage", "--format", "json").stdout
    assert [run("-C", shipped, "blame", "regional-partner", "--format", f).stdout for f in ("text", "json")] == first
    monkeypatch.setattr(variants.pipeline.pool, "PARALLEL_FROM", 2)  # the same in forked workers
    assert run("-C", shipped, "coverage", "--format", "json").stdout == coverage


def test_coverage_of_a_project_that_does_not_build_is_one_line_per_problem(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/broken.yml": "program: {name: B, nav: b}\nsectoins: []\n"})
    result = run("-C", shipped, "coverage")
    assert result.exit_code == 1
    assert result.stderr == "overrides/broken.yml:2:1: unknown key 'sectoins' (did you mean 'sections'?)\n"
