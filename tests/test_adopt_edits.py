"""Adopt, edit by edit: which source each kind of hand edit goes into, and how it is written there."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FEES_BLOCK, FEES_TOC, REPO, adopt_refused

EXAMPLE = REPO / "examples" / "partner-faq"
RP, PLP = "regional-partner-faq.md", "professional-learning-partner-faq.md"
JOINT_Q = "Can several organizations submit a joint application to be a Regional Partner in a region?"
PRESS_TOC = (
    "- [If we are selected as the Code.org Regional Partner in our region, can we publish a press release?](#press)\n"
)
FEES_ENTRY = "        question: Are there any fees?\n        answer: |\n          No, there are no fees to apply.\n"


def _edit(root: Path, name: str, old: str, new: str) -> str:
    page = root / "out" / name
    text = page.read_text(encoding="utf-8")
    assert old in text, old
    edited = text.replace(old, new, 1)
    page.write_text(edited, encoding="utf-8", newline="")
    return edited


def _block(text: str, qid: str) -> tuple[int, int]:
    """Where question ``qid``'s block stands on a page of the standard layout."""
    anchor = text.index(f'<a id="{qid}"></a>')
    start = text.rindex("<br/>\n", 0, anchor)
    end = text.index("[**Back to the top**](#top)\n", anchor) + len("[**Back to the top**](#top)\n")
    return start, end


def _adopt(run, root: Path, *args: str) -> tuple[str, str]:
    """Adopt, expect success, and check the page stays as edited and the build agrees; stdout and stderr."""
    pages = {p.name: p.read_bytes() for p in (root / "out").glob("*.md")}
    result = run("-C", root, "adopt", *args)
    assert result.exit_code == 0, result.stderr
    check = run("-C", root, "build", "--check")
    assert check.exit_code == 0, check.stderr
    if "--to-base" not in args:
        assert {p.name: p.read_bytes() for p in (root / "out").glob("*.md")} == pages
    return result.stdout, result.stderr


def _family(tmp_path: Path) -> Path:
    root = tmp_path / "family"
    shutil.copytree(EXAMPLE, root)
    return root


def _added(root: Path, rel: str) -> str:
    """The lines adopt added to a source file, as text (none of the file's lines may change)."""
    old = (REPO / rel if (REPO / rel).exists() else EXAMPLE / rel).read_text(encoding="utf-8").split("\n")
    new = (root / rel).read_text(encoding="utf-8").split("\n")
    diff = [line for line in difflib.ndiff(old, new) if line[:1] in "+-"]
    assert all(line.startswith("+ ") for line in diff), diff
    return "\n".join(line[2:] for line in diff if line[2:])


def test_a_front_matter_line_becomes_its_value_with_the_variables_kept(run, shipped: Path) -> None:
    _edit(shipped, RP, "title: Regional Partner FAQs\n", "title: Regional Partner Questions\n")
    out, _ = _adopt(run, shipped, "regional-partner")
    assert out == "overrides/regional-partner.yml:25: front_matter.title: a new text\n"
    assert yaml.safe_load((shipped / "overrides/regional-partner.yml").read_text())["front_matter"] == {
        "title": "{{ name }} Questions"
    }
    _edit(shipped, PLP, "title: Professional Learning Partner FAQs\n", "title: Professional Learning Partner Q&A\n")
    out, err = _adopt(run, shipped, "--to-base", "professional-learning-partner")
    assert out == "base/content.yml:8: front_matter.title: its text, for every program\n"
    assert '  title: "{{ name }} Q&A"\n' in (shipped / "base/content.yml").read_text()
    assert err.endswith(f"adopted {shipped}/out/{PLP}\n")  # RP sets its own title: not rewritten


def test_a_front_matter_flag_and_a_line_that_is_no_longer_key_value(run, tmp_path: Path) -> None:
    root = _family(tmp_path)
    _edit(root, "rp-playbook-faq.md", "noindex: true\n", "noindex: false\n")
    out, _ = _adopt(run, root, "rp-playbook-faq")
    assert out == "overrides/rp-playbook-faq.yml:7: front_matter.noindex: set to false\n"
    _edit(root, "rp-playbook-faq.md", "noindex: false\n", "no index\n")
    assert adopt_refused(run, root, "rp-playbook-faq") == (
        f"{root}/out/rp-playbook-faq.md:4: cannot adopt: the front matter line no longer reads as"
        " 'noindex: value'; edit it in the source by hand\n"
    )


def test_a_section_title(run, shipped: Path) -> None:
    _edit(shipped, RP, "**General questions:**", "**General queries:**")
    out, _ = _adopt(run, shipped, "regional-partner")
    assert out == "overrides/regional-partner.yml:23: title of 'general': a new text\n"


@pytest.mark.parametrize(
    ("options", "written", "rewritten"),
    [
        ((), "overrides/plp-faq-2018.yml:10: answer of 'international': a partial edit\n", []),
        (
            ("--to-base",),
            "base/components/international.yml:8: answer of 'international': its text, for every program\n",
            ["regional-partner-faq.md", "rp-faq-2019.md"],
        ),
    ],
)
def test_a_text_a_component_sets_goes_to_the_override_or_with_to_base_the_component(
    run, tmp_path: Path, options: tuple[str, ...], written: str, rewritten: list[str]
) -> None:
    root = _family(tmp_path)
    _edit(root, "plp-faq-2018.md", "only open to organizations", "only open to companies")
    out, err = _adopt(run, root, *options, "plp-faq-2018")
    assert out == written
    assert (
        err == "".join(f"rebuilt {root}/out/{name}\n" for name in rewritten) + f"adopted {root}/out/plp-faq-2018.md\n"
    )
    component = (root / "base/components/international.yml").read_text(encoding="utf-8")
    assert ("only open to companies" in component) == bool(options)
    if not options:
        assert _added(root, "overrides/plp-faq-2018.yml") == (
            "      - id: international\n        answer: {replace: organizations, with: companies}"
        )


def test_a_text_a_parent_edits_gets_one_more_edit_in_the_version(run, tmp_path: Path) -> None:
    root = _family(tmp_path)
    _edit(root, "rp-faq-2019.md", "there are many ways", "there are several ways")
    out, _ = _adopt(run, root, "rp-faq-2019")
    assert out == "overrides/rp-faq-2019.yml:58: answer of 'international': a partial edit\n"
    answer = yaml.safe_load((root / "overrides/rp-faq-2019.yml").read_text())["sections"][0]["questions"][-2]["answer"]
    assert answer[-1] == {"replace": "many", "with": "several"}
    assert (root / "overrides/regional-partner-faq.yml").read_bytes() == (
        EXAMPLE / "overrides/regional-partner-faq.yml"
    ).read_bytes()


@pytest.mark.parametrize("options", [(), ("--to-base",)])
def test_a_variable_in_the_changed_text_is_kept(run, shipped: Path, options: tuple[str, ...]) -> None:
    _edit(shipped, RP, f"### **{JOINT_Q}**", "### **Can two groups apply together as a Regional Partner?**")
    _adopt(run, shipped, *options, "regional-partner")
    source = (shipped / ("base/content.yml" if options else "overrides/regional-partner.yml")).read_text()
    assert "        question: Can two groups apply together as a {{ name }}?\n" in source
    assert (
        "        toc: Can several organizations submit a joint application to be a {{ name }} in a region?\n" in source
    )
    if options:  # the other program's page reads its own name
        assert "Can two groups apply together as a Professional Learning Partner?" in (shipped / "out" / PLP).read_text(
            encoding="utf-8"
        )


def test_a_table_of_contents_line_alone(run, shipped: Path) -> None:
    _edit(
        shipped,
        RP,
        "can I stil apply to be a Regional Partner?](#map)",
        "can I still apply to be a Regional Partner?](#map)",
    )
    out, _ = _adopt(run, shipped, "regional-partner")
    assert out == "overrides/regional-partner.yml:24: toc of 'map': a partial edit\n"
    assert (
        _added(shipped, "overrides/regional-partner.yml")
        == "      - id: map\n        toc: {replace: stil, with: still}"
    )
    page = (shipped / "out" / RP).read_text(encoding="utf-8")
    assert "- [My region is already served by another organization, can I still apply to" in page
    assert "### **My region is already served by another organization, can I stil apply" in page


def test_a_deleted_question_is_removed_from_the_program(run, shipped: Path) -> None:
    page = (shipped / "out" / RP).read_text(encoding="utf-8")
    start, end = _block(page, "press")
    (shipped / "out" / RP).write_text(page[:start] + page[end:], encoding="utf-8")
    assert adopt_refused(run, shipped, "regional-partner") == (
        f"{shipped}/out/{RP}:16: cannot adopt: question 'press' is deleted but not its table-of-contents line;"
        " delete both, or neither\n"
    )
    _edit(shipped, RP, PRESS_TOC, "")
    assert adopt_refused(run, shipped, "--to-base", "regional-partner") == (
        f"{shipped}/out/{RP}:51: cannot adopt: removing question 'press' for every program is deleting it at"
        " base/content.yml:35; do that by hand\n"
    )
    out, _ = _adopt(run, shipped, "regional-partner")
    assert out == "overrides/regional-partner.yml:23: question 'press': removed\n"
    assert _added(shipped, "overrides/regional-partner.yml") == "      - id: press\n        remove: true"


def test_a_deleted_question_the_override_adds_is_left_to_delete_by_hand(run, shipped: Path) -> None:
    page = (shipped / "out" / RP).read_text(encoding="utf-8")
    start, end = _block(page, "international")
    page = page[:start] + page[end:]
    (shipped / "out" / RP).write_text(
        page.replace("- [Do you accept international applications?](#international)\n", "")
    )
    assert adopt_refused(run, shipped, "regional-partner") == (
        f"{shipped}/out/{RP}:75: cannot adopt: question 'international' is added at"
        " overrides/regional-partner.yml:17:9; delete it there by hand\n"
    )


@pytest.mark.parametrize(
    ("where", "toc_after", "placed"),
    [
        ("map", "**General questions:**<br/>\n\n", "      - id: fees\n        before: map\n"),
        ("facilitators", "(#international)\n", "      - id: fees\n        after: international\n"),
    ],
)
def test_a_new_question_at_the_start_or_the_end_of_a_section(
    run, shipped: Path, where: str, toc_after: str, placed: str
) -> None:
    page = (shipped / "out" / RP).read_text(encoding="utf-8")
    start, _ = _block(page, where)
    page = page[:start] + FEES_BLOCK + page[start:]
    (shipped / "out" / RP).write_text(page.replace(toc_after, toc_after + FEES_TOC, 1), encoding="utf-8")
    out, _ = _adopt(run, shipped, "regional-partner")
    assert out == "overrides/regional-partner.yml:23: question 'fees': added\n"
    assert _added(shipped, "overrides/regional-partner.yml") == (placed + FEES_ENTRY).rstrip("\n")


def test_a_new_question_in_a_section_the_override_adds(run, shipped: Path) -> None:
    footer = "<br/>\n___________________\n<br/>\n\n"
    page = (shipped / "out" / PLP).read_text(encoding="utf-8")
    page = page.replace(footer, FEES_BLOCK + footer).replace("(#pay)\n", "(#pay)\n" + FEES_TOC)
    (shipped / "out" / PLP).write_text(page, encoding="utf-8")
    out, _ = _adopt(run, shipped, "professional-learning-partner")
    assert out == "overrides/professional-learning-partner.yml:17: question 'fees': added\n"
    assert _added(shipped, "overrides/professional-learning-partner.yml") == ("      - id: fees\n" + FEES_ENTRY).rstrip(
        "\n"
    )


def test_the_final_line_break_is_the_final_newline_key(run, shipped: Path, tmp_path: Path) -> None:
    page = shipped / "out" / RP
    page.write_bytes(page.read_bytes()[:-1])
    out, _ = _adopt(run, shipped, "regional-partner")
    assert out == "overrides/regional-partner.yml:24: final_newline: set to false\n"
    assert _added(shipped, "overrides/regional-partner.yml") == "final_newline: false"
    root = _family(tmp_path)
    page = root / "out" / "rp-playbook-faq.md"
    page.write_bytes(page.read_bytes() + b"\n")
    out, err = _adopt(run, root, "--to-base", "rp-playbook-faq")
    assert out == "base/components/playbook.yml:5: final_newline: set to true\n"
    assert err == f"rebuilt {root}/out/plp-playbook-faq.md\nadopted {root}/out/rp-playbook-faq.md\n"
