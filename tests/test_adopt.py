"""Adopt: hand edits of generated pages turned into the source changes that make them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FEES_BLOCK, FEES_TOC, REPO, snapshot

RP, PLP = "regional-partner-faq.md", "professional-learning-partner-faq.md"
JOINT = "some of our current partners"
INTERNATIONAL_BLOCK = '<br/>\n________________\n<a id="international"></a>'
INTERNATIONAL_TOC = "- [Do you accept international applications?](#international)\n"


def _edit(root: Path, name: str, old: str, new: str, count: int = 1) -> str:
    page = root / "out" / name
    text = page.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    edited = text.replace(old, new, count)
    page.write_text(edited, encoding="utf-8", newline="")
    return edited


def _bytes(root: Path, folder: str) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot(root / folder).items()}


def test_an_edit_of_one_page_becomes_a_partial_edit_in_its_override(run, shipped: Path) -> None:
    base, plp = _bytes(shipped, "base"), (shipped / "out" / PLP).read_bytes()
    edited = _edit(shipped, RP, JOINT, "many of our current partners")
    result = run("-C", shipped, "adopt", str(shipped / "out" / RP))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "overrides/regional-partner.yml:24: answer of 'joint': a partial edit\n"
    assert result.stderr == f"adopted {shipped}/out/{RP}\n"
    override = (shipped / "overrides" / "regional-partner.yml").read_text(encoding="utf-8")
    assert "      - id: joint\n        answer: {replace: some, with: many}\n" in override
    assert _bytes(shipped, "base") == base
    assert (shipped / "out" / PLP).read_bytes() == plp
    assert (shipped / "out" / RP).read_text(encoding="utf-8") == edited
    check = run("-C", shipped, "build", "--check")
    assert check.exit_code == 0, check.stderr
    report = run("-C", shipped, "diff")
    assert (
        'overrides/regional-partner.yml:24: [content] question \'joint\': answer edited: replaced "some" with "many"'
        in (report.stdout)
    )


def test_a_new_question_becomes_an_entry_placed_where_it_stands(run, shipped: Path) -> None:
    _edit(shipped, RP, INTERNATIONAL_BLOCK, FEES_BLOCK + INTERNATIONAL_BLOCK)
    edited = _edit(shipped, RP, INTERNATIONAL_TOC, FEES_TOC + INTERNATIONAL_TOC)
    result = run("-C", shipped, "adopt", "regional-partner")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "overrides/regional-partner.yml:23: question 'fees': added\n"
    override = (shipped / "overrides" / "regional-partner.yml").read_text(encoding="utf-8")
    assert override.endswith(
        "      - id: fees\n        after: joint\n        question: Are there any fees?\n"
        "        answer: |\n          No, there are no fees to apply.\n"
    )
    assert (shipped / "out" / RP).read_text(encoding="utf-8") == edited
    assert run("-C", shipped, "build", "--check").exit_code == 0


def test_to_base_changes_the_shared_text_and_rewrites_the_other_pages(run, shipped: Path) -> None:
    plp = (shipped / "out" / PLP).read_text(encoding="utf-8")
    edited = _edit(shipped, RP, "necessary to successfully support", "necessary to support")
    result = run("-C", shipped, "adopt", "--to-base", "regional-partner")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "base/content.yml:68: answer of 'ca': its text, for every program\n"
    assert f"rebuilt {shipped}/out/{PLP}\n" in result.stderr
    assert "necessary to support their teachers" in (shipped / "base" / "content.yml").read_text(encoding="utf-8")
    assert (shipped / "out" / RP).read_text(encoding="utf-8") == edited
    assert (shipped / "out" / PLP).read_text(encoding="utf-8") == plp.replace("to successfully support", "to support")
    assert run("-C", shipped, "build", "--check").exit_code == 0


def test_to_base_writes_a_shared_template_change_into_the_template(run, shipped: Path) -> None:
    _edit(shipped, RP, "[**Back to the top**]", "[**Back to top**]", count=9)
    result = run("-C", shipped, "adopt", "--to-base", "regional-partner")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "base/layouts/standard.md.j2:10: the template's text\n"
    assert (shipped / "base" / "layouts" / "standard.md.j2").read_text().endswith("\n[**Back to top**](#top)\n")
    assert "[**Back to top**]" in (shipped / "out" / PLP).read_text(encoding="utf-8")
    assert run("-C", shipped, "build", "--check").exit_code == 0


@pytest.mark.parametrize(
    ("old", "new", "options", "message"),
    [
        (
            "[**Back to the top**]",
            "[**Back to top**]",
            (),
            "out/regional-partner-faq.md:39: cannot adopt: base/layouts/standard.md.j2:10 writes this text 9 times"
            " on the page, and the edit changes it in fewer",
        ),
        (
            "<br/><br/>\n",
            "<br/>\n",
            (),
            "out/regional-partner-faq.md:11: cannot adopt: the text is written by base/page.md.j2:9, which every"
            " program shares (adopt it for every program with --to-base)",
        ),
        (
            "be a Regional Partner in a region?**",
            "be a Partner in a region?**",
            (),
            "out/regional-partner-faq.md:69: cannot adopt: the change covers text a variable writes"
            " (base/content.yml:41:19); change it there by hand",
        ),
        (
            "Yes, some of our current partners",
            "Yes, {{ name }} partners",
            ("--to-base",),
            "out/regional-partner-faq.md:71: cannot adopt: the new text holds template syntax ({{, {% or {#);"
            " write it in the source by hand",
        ),
    ],
)
def test_an_edit_that_cannot_be_adopted_is_left_with_a_reason(
    run, shipped: Path, old: str, new: str, options: tuple[str, ...], message: str
) -> None:
    _edit(shipped, RP, old, new)
    before = snapshot(shipped)
    result = run("-C", shipped, "adopt", *options, "regional-partner")
    assert result.exit_code == 1
    assert result.stderr == f"{shipped}/{message}\n"
    assert snapshot(shipped) == before


def test_an_adopt_that_breaks_the_sources_writes_nothing(run, shipped: Path) -> None:
    answer = f"Yes, {JOINT} have a joint partnership where one organization is the funding arm and the other"
    _edit(shipped, RP, answer + " focuses on professional learning and outreach. \n<br/>\n", "")
    before = snapshot(shipped)
    result = run("-C", shipped, "adopt", "regional-partner")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{shipped}/out/{RP}: the adopted change breaks the sources: "
        "overrides/regional-partner.yml:24:17: the answer of question 'joint' is empty\n"
    )
    assert snapshot(shipped) == before


def test_an_interrupted_adopt_leaves_every_file_as_it_was(run, shipped: Path, monkeypatch) -> None:
    _edit(shipped, RP, "necessary to successfully support", "necessary to support")
    before = snapshot(shipped)
    real = os.replace
    calls = []

    def interrupted(source: str, destination: str) -> None:
        calls.append(destination)
        if len(calls) == 2:  # the first file is in place, the second not yet
            raise KeyboardInterrupt
        real(source, destination)

    monkeypatch.setattr(os, "replace", interrupted)
    result = run("-C", shipped, "adopt", "--to-base", "regional-partner")
    monkeypatch.setattr(os, "replace", real)
    assert result.exit_code == 130
    assert result.stderr == "variants: interrupted\n"
    assert len(calls) >= 2
    after = snapshot(shipped)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    assert not [p for p in shipped.rglob("*") if p.name.endswith(".variants-tmp")]


def test_adopt_of_a_page_as_built_does_nothing(run, shipped: Path) -> None:
    before = snapshot(shipped)
    result = run("-C", shipped, "adopt", f"out/{RP}")
    assert result.exit_code == 0
    assert result.stderr == f"{shipped}/out/{RP}: already as the sources make it\n"
    assert snapshot(shipped) == before


def test_adopt_appends_to_the_edits_a_program_already_makes(run, tmp_path: Path) -> None:
    root = tmp_path / "family"
    shutil.copytree(REPO / "examples" / "partner-faq", root)
    _edit(root, "plp-faq-2018.md", "0.5 of an FTE’s time", "0.75 of an FTE’s time")
    result = run("-C", root, "adopt", "plp-faq-2018")
    assert result.exit_code == 0, result.stderr
    override = yaml.safe_load((root / "overrides" / "plp-faq-2018.yml").read_text(encoding="utf-8"))
    assert override["sections"][0]["questions"][0]["answer"] == [
        {"replace": "FTEâ€™s", "with": "FTE’s"},
        {"replace": "0.5", "with": "0.75"},
    ]
    assert run("-C", root, "build", "--check").exit_code == 0
    for other in ("professional-learning-partner-faq.md", "rp-faq-2019.md"):
        assert (root / "out" / other).read_bytes() == (REPO / "examples/partner-faq/out" / other).read_bytes()
