"""variants check: every rule on the shipped content and on crafted pages and sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_tree
from variants.lint import RULES
from variants.lint.mojibake import find_mojibake
from variants.lint.page_rules import lint_page
from variants.source.schema import override_schema_text

PLP = "out/professional-learning-partner-faq.md"
RP = "out/regional-partner-faq.md"


def rules_at(problems: list[dict]) -> list[tuple[str, str, int, int, str]]:
    return [(p["path"], p["rule"], p["line"], p["column"], p["level"]) for p in problems]


def test_shipped_project_has_only_the_published_quirks_as_warnings(run, shipped: Path) -> None:
    result = run("-C", shipped, "check", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["errors"], report["warnings"]) == (0, 8)
    assert rules_at(report["problems"]) == [
        ("base/content.yml", "mojibake", 34, 255, "warning"),
        (PLP, "toc-link", 17, 128, "warning"),
        (PLP, "toc-body", 29, 61, "warning"),
        (PLP, "anchor-duplicate", 92, 4, "warning"),
        (PLP, "toc-body", 96, 1, "warning"),
        (RP, "toc-link", 17, 115, "warning"),
        (RP, "anchor-duplicate", 101, 4, "warning"),
        (RP, "toc-body", 105, 1, "warning"),
    ]
    messages = [p["message"] for p in report["problems"]]
    assert messages[0] == "mis-encoded text 'â€™' (probably '’')"
    assert messages[1] == "table-of-contents link '#cs' points to no anchor (declared at base/content.yml:43:9)"
    assert messages[3] == "anchor 'facilitators' is defined again (first at line 80); links reach only the first"


def test_text_format_and_strict(run, shipped: Path) -> None:
    result = run("-C", shipped, "check")
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[0]
        == "base/content.yml:34:255: [warning] mis-encoded text 'â€™' (probably '’') (mojibake)"
    )
    assert result.stderr == "0 errors, 8 warnings\n"
    assert run("-C", shipped, "check", "--strict").exit_code == 1


PAGE = """\
---
title: T
---
<a id="top"></a>

# T

- [One?](#one)
- [Two?](#two)
- [Gone?](#gone)
- [Four?](#four)

<a id="one"></a>

### **One?**

It costs 5â‚¬ {{ price }}.

<a id="one"></a>

### **Two?**

<br/>
[**Back to the top**](#top)

### **Three?**

Text.

<a id="four"></a>
"""


def test_crafted_page_finds_each_page_rule(tmp_path: Path) -> None:
    path = write_tree(tmp_path, {"p.md": PAGE}) / "p.md"
    found = [(p.rule, p.loc.line, p.loc.col, p.message) for p in lint_page(PAGE, str(path))]
    assert found == [
        ("toc-link", 9, 10, "table-of-contents link '#two' points to no anchor"),
        ("toc-link", 10, 11, "table-of-contents link '#gone' points to no anchor"),
        ("toc-body", 11, 11, "table-of-contents entry 'Four?' leads to no question"),
        ("mojibake", 17, 11, "mis-encoded text 'â‚¬' (probably '€')"),
        ("template-leftover", 17, 15, "template syntax '{{' left in the page"),
        ("anchor-duplicate", 19, 4, "anchor 'one' is defined again (first at line 13); links reach only the first"),
        ("empty-answer", 21, 1, "question 'Two?' has no answer"),
        (
            "toc-body",
            21,
            1,
            "question 'Two?' is not reachable from the table of contents: its anchor 'one' is defined earlier",
        ),
        ("toc-body", 26, 1, "question 'Three?' is not reachable from the table of contents: it has no anchor"),
    ]


def test_check_pages_given_on_the_command_line(run, tmp_path: Path) -> None:
    write_tree(tmp_path, {"p.md": PAGE})
    result = run("check", tmp_path / "p.md")
    assert result.exit_code == 1  # an empty answer is an error
    assert result.stderr == "1 errors, 8 warnings\n"
    # Braces may be what a page means (a page about templates): a warning, as in the build, which allows it.
    assert (
        f"{tmp_path}/p.md:17:15: [warning] template syntax '{{{{' left in the page (template-leftover)" in result.stdout
    )


def test_mojibake_detection() -> None:
    assert list(find_mojibake("FTEâ€™s cafÃ© naïve – ok")) == [(3, "â€™", "’"), (11, "Ã©", "é")]


def test_every_rule_is_documented(run) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for rule in RULES:
        assert f"`{rule}`" in readme, rule
    table = run("check", "--rules")
    assert table.exit_code == 0
    assert table.stdout in readme  # the README's table is the registry's, word for word
    assert len(table.stdout.splitlines()) == len(RULES) + 2


def override(root: Path, text: str) -> None:
    write_tree(root, {"overrides/regional-partner.yml": text})


RP_OVERRIDE = "program:\n  name: Regional Partner\n  nav: plc_regional_partner_nav\n"


def test_source_rules_empty_answer_noop_unused(run, shipped: Path) -> None:
    override(
        shipped,
        RP_OVERRIDE
        + "  name_in_text: Regional Partner\n"
        + "rule: ________________\n"
        + "sections:\n"
        + "  - id: general\n"
        + "    questions:\n"
        + "      - id: map\n"
        + "      - id: joint\n"
        + "        answer: '   '\n"
        + "      - id: press\n"
        + "        question: If we are selected as the Code.org {{ name_in_text }} in our region, can we publish a press release?\n",
    )
    template = shipped / "base" / "page.md.j2"
    template.write_text(template.read_text().replace("{{ toc_end }}", "\t"))
    write_tree(shipped, {"base/content.yml": (shipped / "base/content.yml").read_text()})
    result = run("-C", shipped, "check", "--format", "json")
    report = json.loads(result.stdout)
    found = {(p["path"], p["line"], p["column"], p["rule"], p["message"]) for p in report["problems"]}
    rp = "overrides/regional-partner.yml"
    assert {
        (rp, 4, 3, "no-op", "program variable 'name_in_text' is the same as its default"),
        (rp, 5, 1, "no-op", "'rule' is the same as the base"),
        (rp, 9, 9, "no-op", "entry 'map' changes nothing"),
        (rp, 11, 17, "empty-answer", "the answer of question 'joint' is empty"),
        (rp, 13, 9, "no-op", "'question' of 'press' is the same as the base"),
        ("base/content.yml", 15, 1, "unused-key", "'toc_end' is set but no template reads it"),
    } <= found
    assert result.exit_code == 1  # empty answer and unused key are errors


def test_unused_program_variable(run, shipped: Path, tmp_path: Path) -> None:
    variables = shipped / "base" / "variants.yml"
    variables.write_text(variables.read_text() + "  region:\n    help: unused so far\n")
    override(shipped, RP_OVERRIDE + "  region: West\n")
    result = run("-C", shipped, "check")
    assert (
        "overrides/regional-partner.yml:4:3: [error] program variable 'region' is set but no text reads it (unused-key)"
        in result.stdout
    )


def test_stale_schema_copy(run, shipped: Path) -> None:
    write_tree(shipped, {"base/override.schema.json": "{}\n"})
    result = run("-C", shipped, "check")
    assert "base/override.schema.json: [warning] differs from this version's schema" in result.stdout
    write_tree(shipped, {"base/override.schema.json": override_schema_text()})
    assert "schema-stale" not in run("-C", shipped, "check").stdout


def test_build_errors_are_reported_by_check(run, shipped: Path) -> None:
    override(shipped, RP_OVERRIDE + "intro: 'Hi {{ nmae }}'\n")
    result = run("-C", shipped, "check")
    assert result.exit_code == 1
    assert (
        "overrides/regional-partner.yml:4:15: [error] undefined variable 'nmae' (did you mean 'name'?) (undefined-variable)"
        in result.stdout
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_output_is_deterministic(run, shipped: Path, fmt: str) -> None:
    first = run("-C", shipped, "check", "--format", fmt)
    assert first.stdout == run("-C", shipped, "check", "--format", fmt).stdout


def test_linting_in_forked_workers_finds_the_same(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import variants.pipeline.pool
    from variants.lint import check_project

    serial = check_project(shipped)
    monkeypatch.setattr(variants.pipeline.pool, "PARALLEL_FROM", 2)  # two programs: one worker each
    assert check_project(shipped) == serial
    assert len(serial) == 8


def test_template_syntax_error_is_a_finding_not_a_crash(run, shipped: Path) -> None:
    template = shipped / "base" / "page.md.j2"
    template.write_text(template.read_text() + "{% for x in %}\n")
    result = run("-C", shipped, "check")
    assert result.exit_code == 1
    assert (
        "base/page.md.j2:26: [error] template syntax error: Expected an expression, got 'end of statement block' (template)"
        in result.stdout
    )


def test_malformed_html_does_not_stop_the_lint(run, tmp_path: Path) -> None:
    write_tree(tmp_path, {"p.md": "* [Q?](#q)\n\n<div>\n<![foo[ x ]]>\n</div>\n\n### **Q?**\n\nA.\n"})
    result = run("check", tmp_path / "p.md")
    assert result.exit_code == 0
    assert "question 'Q?' is not reachable from the table of contents: it has no anchor" in result.stdout


def test_a_page_with_no_table_of_contents_has_headings_not_questions(run, tmp_path: Path) -> None:
    page = "# Guide\n\n## Part one\n### Step one\n\nDo this.\n\n## Part two\n"
    write_tree(tmp_path, {"plain.md": page, "faq.md": "* [Step one](#step-one)\n\n" + page})
    plain = run("check", tmp_path / "plain.md")
    assert (plain.exit_code, plain.stdout) == (0, "")
    faq = run("check", tmp_path / "faq.md")  # with a table of contents, the headings are questions
    assert faq.exit_code == 1
    assert [line.rsplit(" (", 1)[-1] for line in faq.stdout.splitlines()] == [
        "toc-link)",
        *["empty-answer)", "toc-body)", "toc-body)", "empty-answer)", "toc-body)"],
    ]
