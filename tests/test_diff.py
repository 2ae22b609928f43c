"""The diff report: declared divergence, evidence, matrix, drift; every format; the command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import PAGES, write_tree
from variants.diff.textdiff import changed_lines, words
from variants.formats import FORMATS

PLP, RP = "professional-learning-partner", "regional-partner"
ANSI = "\x1b["

# A third program: a replaced answer, a removed question, hostile text, a move.


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` that contains ``text``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def report_json(run: Any, root: Path, *args: str) -> dict[str, Any]:
    result = run("-C", root, "diff", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def comparison(data: dict[str, Any], new: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["comparisons"] if c["new"] == new)
    return found


def cells(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """question id -> program -> state."""
    return {row["id"]: {k: v["state"] for k, v in row["cells"].items()} for row in data["matrix"]["rows"]}


# The shipped programs.


def test_text_report_states_the_acceptance_facts(run, shipped: Path) -> None:
    result = run("-C", shipped, "diff")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert ANSI not in text  # not a terminal
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in text.splitlines() if line.startswith("  ")}
    assert rows[("nav", "plc_plp_nav")] == ["plc_regional_partner_nav"]
    assert re.search(r"^  name +Professional Learning Partner +Regional Partner$", text, re.M)
    assert re.search(r"^  name_in_text +professional learning partner +Regional Partner \(default\)$", text, re.M)
    rp_file = shipped / "overrides" / f"{RP}.yml"
    plp_file = shipped / "overrides" / f"{PLP}.yml"
    assert (
        f"overrides/{RP}.yml:{line_of(rp_file, 'id: international')}: [content] question 'international' added"
        " to section 'general', after question 'joint'" in text
    )
    assert f"overrides/{PLP}.yml:{line_of(plp_file, 'id: budget')}: [content] section 'budget' added" in text
    assert (
        f"overrides/{PLP}.yml:{line_of(plp_file, 'id: pay')}: [content] question 'pay' added in the new section 'budget'"
        in text
    )
    assert f'overrides/{PLP}.yml:{line_of(plp_file, "nav:")}: [program] nav = "plc_plp_nav"' in text
    assert (
        f"overrides/{RP}.yml:{line_of(rp_file, 'footer:')}: [formatting] page: footer differs in spacing only" in text
    )
    assert re.search(r"^  budget +pay +program-only +absent$", text, re.M)
    assert re.search(r"^  general +international +absent +program-only$", text, re.M)
    assert re.search(r"^  general +map +variables +variables$", text, re.M)
    assert re.search(r"^  in-person +recruit +same +same$", text, re.M)
    # Questions that differ only by the name are summarised, not listed as divergence.
    declared = [line.split("[content] ")[1].split(" ")[:2] for line in text.splitlines() if "[content]" in line]
    assert declared == [["section", "'budget'"], ["question", "'pay'"], ["question", "'international'"]]
    assert text.count("Only the program variables change 6 questions (map, pm, press, joint, cs, facilitators)") == 2
    assert "question 'map'" not in text
    assert "none: every page matches its sources" in text


def test_json_report_on_shipped_field_by_field(run, shipped: Path) -> None:
    data = report_json(run, shipped)
    assert sorted(data) == [
        "base",
        "compared_with",
        "comparisons",
        "components",
        "drift",
        "matrix",
        "out",
        "programs",
        "show_variables",
        "version",
    ]
    assert (data["version"], data["compared_with"], data["base"], data["out"]) == (1, "base", "base/content.yml", "out")
    assert data["components"] == []  # the shipped project shares nothing through components
    assert [p["slug"] for p in data["programs"]] == [PLP, RP]
    plp, rp = data["programs"]
    assert plp["source"] == f"overrides/{PLP}.yml" and plp["output"] == PAGES[0]
    assert {v["name"]: (v["value"], v["default"]) for v in plp["variables"]} == {
        "name": ("Professional Learning Partner", False),
        "name_in_text": ("professional learning partner", False),
        "nav": ("plc_plp_nav", False),
    }
    assert {v["name"]: (v["value"], v["default"]) for v in rp["variables"]} == {
        "name": ("Regional Partner", False),
        "name_in_text": ("Regional Partner", True),
        "nav": ("plc_regional_partner_nav", False),
    }
    nav = next(v for v in rp["variables"] if v["name"] == "nav")
    rp_file = shipped / "overrides" / f"{RP}.yml"
    assert nav["where"] == {"path": f"overrides/{RP}.yml", "line": line_of(rp_file, "nav:"), "column": 8}

    assert data["matrix"]["columns"] == [PLP, RP]
    assert [(r["section"], r["id"]) for r in data["matrix"]["rows"]][-2:] == [
        ("budget", "pay"),
        ("general", "international"),
    ]
    states = cells(data)
    assert states["pay"] == {PLP: "program-only", RP: "absent"}
    assert states["international"] == {PLP: "absent", RP: "program-only"}
    for qid in ("map", "pm", "press", "joint", "cs", "facilitators"):
        assert states[qid] == {PLP: "variables", RP: "variables"}, qid
    assert states["recruit"] == states["ca"] == {PLP: "same", RP: "same"}
    row = next(r for r in data["matrix"]["rows"] if r["id"] == "map")
    assert row["cells"][PLP] == {"state": "variables", "moved": False}
    assert "{{ name }}" in row["question"]

    statements = comparison(data, RP)["statements"]
    added = [s for s in statements if s["change"] == "added"]
    assert len(added) == 1
    assert added[0] == {
        "category": "content",
        "change": "added",
        "target": "question",
        "id": "international",
        "field": "",
        "text": "question 'international' added to section 'general', after question 'joint': "
        '"Do you accept international applications?"',
        "where": [{"path": f"overrides/{RP}.yml", "line": line_of(rp_file, "id: international"), "column": 9}],
        "old": None,
        "new": "Do you accept international applications?",
    }
    footer = next(s for s in statements if s["id"] == "footer")
    assert (footer["category"], footer["change"], footer["target"]) == ("formatting", "replaced", "page")
    nav_statement = next(s for s in statements if s["target"] == "variable" and s["id"] == "nav")
    assert (nav_statement["category"], nav_statement["new"]) == ("program", "plc_regional_partner_nav")
    assert comparison(data, RP)["variable_only"] == {
        "page": ["front_matter.title", "front_matter.nav", "title"],
        "sections": [],
        "questions": ["map", "pm", "press", "joint", "cs", "facilitators"],
    }
    assert comparison(data, RP)["variable_evidence"] == []

    plp_statements = comparison(data, PLP)["statements"]
    assert [(s["target"], s["id"], s["change"]) for s in plp_statements if s["category"] == "content"] == [
        ("section", "budget", "added"),
        ("question", "pay", "added"),
    ]
    assert {(s["field"], s["new"]) for s in plp_statements if s["category"] == "formatting"} == {
        ("layout", "compact"),
        ("rule", "_" * 43),
    }
    pay = next(e for e in comparison(data, PLP)["evidence"] if e["id"] == "pay")
    assert (pay["target"], pay["section"], pay["state"]) == ("question", "budget", "program-only")
    assert [f["field"] for f in pay["fields"]] == ["question", "answer"]
    assert pay["fields"][0]["lines"] == [
        {
            "op": "+",
            "old_line": 0,
            "new_line": 1,
            "segments": [{"kind": "+", "text": "Where can I find a breakdown of what Code.org provides?"}],
        }
    ]
    assert data["drift"] == []


def test_same_inputs_give_the_same_bytes(run, third: Path, tmp_path: Path) -> None:
    for fmt in FORMATS:
        first = run("-C", third, "diff", "--format", fmt, "--show-variables")
        second = run("-C", third, "diff", "--format", fmt, "--show-variables")
        assert first.exit_code == second.exit_code == 0
        assert first.stdout_bytes == second.stdout_bytes, fmt
        target = tmp_path / f"report.{fmt}"
        written = run("-C", third, "diff", "--format", fmt, "--show-variables", "--output", target)
        assert written.exit_code == 0 and written.stdout == ""
        assert target.read_bytes() == first.stdout_bytes


# A third program: replaced, removed, moved, hostile.


def test_third_program_text(run, third: Path) -> None:
    result = run("-C", third, "diff")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    third_file = third / "overrides" / "third.yml"
    assert re.search(r"^  section +question +professional-learning-partner +regional-partner +third$", text, re.M)
    assert re.search(r"^  in-person +ca +same +same +replaced$", text, re.M)
    assert re.search(r"^  in-person +recruit +same +same +absent$", text, re.M)
    assert re.search(r"^  in-person +facilitators +variables +variables +variables, moved$", text, re.M)
    assert re.search(r"^  general +press +variables +variables +replaced$", text, re.M)
    assert (
        f"overrides/third.yml:{line_of(third_file, 'id: recruit')}: [content] question 'recruit' removed from section 'in-person'"
        in text
    )
    assert f"overrides/third.yml:{line_of(third_file, 'answer: |')}: [content] question 'ca': answer replaced" in text
    assert (
        f"overrides/third.yml:{line_of(third_file, 'after: ca')}: [content] question 'facilitators' moved after question 'ca'"
        in text
    )
    # The changed words are marked inside the line, not two whole paragraphs.
    assert "~ Code.org has computer science workshops designed for Counselors and Administrators" in text
    assert '<a href="https://[-docs-]{+example+}.[-google.com-]{+org+}/' in text
    assert "[-Click here-]{+See this page+}" in text
    assert "third-faq.md: missing (not built yet)" in text


def test_third_program_json(run, third: Path) -> None:
    data = report_json(run, third)
    assert data["matrix"]["columns"] == [PLP, RP, "third"]
    states = cells(data)
    assert states["ca"]["third"] == "replaced"
    assert states["recruit"] == {PLP: "same", RP: "same", "third": "absent"}
    assert states["map"]["third"] == "variables"
    assert states["press"]["third"] == "replaced"
    assert states["pay"]["third"] == "absent"
    moved = next(r for r in data["matrix"]["rows"] if r["id"] == "facilitators")["cells"]["third"]
    assert moved == {"state": "variables", "moved": True}
    third_data = comparison(data, "third")
    removed = next(s for s in third_data["statements"] if s["change"] == "removed")
    assert (removed["target"], removed["id"], removed["where"][0]["line"]) == (
        "question",
        "recruit",
        line_of(third / "overrides" / "third.yml", "id: recruit"),
    )
    replaced = next(s for s in third_data["statements"] if s["id"] == "ca")
    assert (replaced["category"], replaced["change"], replaced["field"]) == ("content", "replaced", "answer")
    assert replaced["new"].endswith("professional development session.\n")
    evidence = next(e for e in third_data["evidence"] if e["id"] == "ca")
    (answer,) = evidence["fields"]
    (line,) = answer["lines"]
    assert line["op"] == "~"
    assert [s["kind"] for s in line["segments"]].count("+") == 4  # host, domain, path, link text
    assert {"kind": "+", "text": "See this page"} in line["segments"]
    assert {"kind": "-", "text": "Click here"} in line["segments"]
    assert [e["id"] for e in third_data["evidence"]] == ["press", "recruit", "ca"]
    assert [s["state"] for s in data["drift"]] == ["missing"]


# Many changes at once, and reports on many programs.


def test_many_added_questions_and_sections_are_each_declared(run, shipped: Path) -> None:
    # deepdiff's default would report a mapping with under a third of its keys in common
    # as one new value (and the statements would miss what is in it).
    added = "".join(f"      - id: n{k}\n        question: Q{k}?\n        answer: A{k}\n" for k in range(7))
    sections = "".join(
        f"  - id: x{k}\n    title: X{k}\n    questions:\n      - id: xq{k}\n        question: Q?\n        answer: A\n"
        for k in range(5)
    )
    changed = "      - id: ca\n        toc: CA\n        anchor: caa\n        rule: ___\n        layout: compact\n"
    write_tree(
        shipped,
        {
            "overrides/many.yml": "program:\n  name: Many\n  nav: many\nsections:\n  - id: in-person\n    questions:\n"
            + added
            + changed
            + "        toc_after: recruit\n"
            + sections
        },
    )
    data = report_json(run, shipped)
    statements = comparison(data, "many")["statements"]
    added_ids = [s["id"] for s in statements if s["change"] == "added"]
    assert added_ids == [f"n{k}" for k in range(7)] + [x for k in range(5) for x in (f"x{k}", f"xq{k}")]
    assert {s["field"] for s in statements if s["id"] == "ca"} == {"toc", "anchor", "rule", "layout", "toc_after"}
    states = cells(data)
    assert states["ca"]["many"] == "replaced" and states["n3"]["many"] == states["xq4"]["many"] == "program-only"


@pytest.mark.slow
def test_a_pair_report_is_the_same_in_every_process(shipped: Path) -> None:
    # Both programs add question 'extra', in different sections: one question by its id, in
    # another section of b, and the report says so the same way every time.
    question = "    questions:\n      - id: extra\n        question: Extra?\n        answer: A\n"
    write_tree(
        shipped,
        {
            "overrides/a.yml": "program:\n  name: A\n  nav: a\nsections:\n  - id: general\n" + question,
            "overrides/b.yml": "program:\n  name: B\n  nav: b\nsections:\n  - id: in-person\n" + question,
        },
    )
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-m", "variants", "-C", str(shipped), "diff", "a", "b", "--format", "json"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    (output,) = outputs
    (extra,) = [s for s in json.loads(output)["comparisons"][0]["statements"] if s["id"] == "extra"]
    assert extra["text"] == "question 'extra' moved from section 'general' to section 'in-person', after question 'ca'"


# Program against program.


def test_diff_a_b(run, shipped: Path) -> None:
    data = report_json(run, shipped, PLP, RP)
    assert data["compared_with"] == PLP
    assert [p["slug"] for p in data["programs"]] == [PLP, RP]
    assert data["matrix"]["columns"] == [RP]
    states = {qid: s[RP] for qid, s in cells(data).items()}
    assert states["pay"] == "absent"
    assert states["international"] == "program-only"
    assert states["map"] == states["cs"] == "variables"
    assert states["recruit"] == "same"
    (only,) = data["comparisons"]
    nav = next(s for s in only["statements"] if s["id"] == "nav")
    assert (nav["old"], nav["new"], nav["change"]) == ("plc_plp_nav", "plc_regional_partner_nav", "replaced")
    assert [w["path"] for w in nav["where"]] == [f"overrides/{PLP}.yml", f"overrides/{RP}.yml"]
    text = run("-C", shipped, "diff", PLP, RP).stdout
    assert f"variants diff: {RP} compared with {PLP}" in text
    assert f"question 'pay' only in {PLP} (section 'budget')" in text
    assert f"question 'international' only in {RP}, in section 'general', after question 'joint'" in text
    assert 'nav: "plc_plp_nav" → "plc_regional_partner_nav"' in text


def test_show_variables_lists_the_name_swap_word_by_word(run, shipped: Path) -> None:
    quiet = run("-C", shipped, "diff").stdout
    loud = run("-C", shipped, "diff", "--show-variables").stdout
    assert "question 'map'" not in quiet
    assert "question 'map' (variables)" in loud
    assert "apply to be a [-{{ name }}-]{+Regional Partner+}?" in loud
    assert "looking for [-{{ name_in_text }}s-]{+professional learning partners+} in regions" in loud
    data = report_json(run, shipped, "--show-variables")
    assert data["show_variables"] is True
    ids = [e["id"] for e in comparison(data, RP)["variable_evidence"]]
    assert ids == ["", "map", "pm", "press", "joint", "cs", "facilitators"]


# Drift.


def test_drift_after_a_hand_edit(run, shipped: Path) -> None:
    page = shipped / "out" / PAGES[1]
    page.write_text(page.read_text().replace("can we publish a press release", "may we publish a press release"))
    result = run("-C", shipped, "diff")
    assert result.exit_code == 0
    assert f"out/{PAGES[1]}: edited by hand" in result.stdout
    assert "[-can-]{+may+} we publish a press release" in result.stdout
    failing = run("-C", shipped, "diff", "--fail-on-drift")
    assert failing.exit_code == 1
    assert failing.stderr == f"out/{PAGES[1]}: edited\n"
    assert failing.stdout == result.stdout
    data = report_json(run, shipped)
    (drift,) = data["drift"]
    assert (drift["file"], drift["program"], drift["state"]) == (PAGES[1], RP, "edited")
    changed = [line for hunk in drift["hunks"] for line in hunk["lines"] if line["op"] == "~"]
    assert len(changed) == 2  # the table of contents and the heading
    assert {"kind": "-", "text": "can"} in changed[0]["segments"] and {"kind": "+", "text": "may"} in changed[0][
        "segments"
    ]
    assert run("-C", shipped, "diff").stdout.count("edited by hand") == 1


def test_drift_stale_missing_and_clean(run, shipped: Path, tmp_path: Path) -> None:
    assert run("-C", shipped, "diff", "--fail-on-drift").exit_code == 0
    content = shipped / "base" / "content.yml"
    content.write_text(content.read_text().replace("Of course!", "Certainly!"))
    (shipped / "out" / PAGES[0]).unlink()
    data = report_json(run, shipped)
    assert [(d["file"], d["state"]) for d in data["drift"]] == [(PAGES[0], "missing"), (PAGES[1], "stale")]
    assert run("-C", shipped, "diff", "--fail-on-drift").exit_code == 1
    elsewhere = report_json(run, shipped, "--out", tmp_path / "nowhere")
    assert {d["state"] for d in elsewhere["drift"]} == {"missing"}
    assert not (tmp_path / "nowhere").exists()


# Errors and the command line.


def test_usage_and_unknown_program(run, shipped: Path) -> None:
    one = run("-C", shipped, "diff", PLP)
    assert one.exit_code == 2
    unknown = run("-C", shipped, "diff", PLP, "regional-partnr")
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        f"overrides/regional-partnr.yml: no such program (did you mean 'regional-partner'?); programs: {PLP}, {RP}\n"
    )
    bad = run("-C", shipped, "diff", "--format", "yaml")
    assert bad.exit_code == 2


def test_errors_in_the_sources_are_one_line_each(run, shipped: Path) -> None:
    write_tree(
        shipped, {"overrides/bad.yml": "program:\n  name: X\n  nav: x\nsections:\n  - {id: nope, remove: true}\n"}
    )
    result = run("-C", shipped, "diff")
    assert result.exit_code == 1
    assert result.stderr == "overrides/bad.yml:5:5: cannot remove section 'nope': not in the base\n"
    assert result.stdout == ""


def test_deepdiff_is_loaded_only_by_diff(shipped: Path) -> None:
    code = (
        "import sys\nfrom variants.cli import main\n"
        "try:\n    main(['-C', sys.argv[1], 'build', '--check'])\nexcept SystemExit:\n    pass\n"
        "print('deepdiff' in sys.modules, 'variants.diff.report' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(shipped)], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "False False", done.stderr


# The text difference underneath.


def test_words_mark_the_changed_phrase() -> None:
    segments, likeness = words("apply to be a {{ name }}?", "apply to be a Regional Partner?")
    assert segments == (("=", "apply to be a "), ("-", "{{ name }}"), ("+", "Regional Partner"), ("=", "?"))
    assert likeness > 0.5
    (line,) = changed_lines("one\nlooking for a partner here\n", "one\nlooking for a Partner here\n")
    assert (line.op, line.old, line.new) == ("~", "looking for a partner here", "looking for a Partner here")
    lines = changed_lines("completely different\n", "nothing alike at all\n")
    assert [line.op for line in lines] == ["-", "+"]
    assert [line.op for line in changed_lines("a\n\nb\n", "a\nb\n", context=1)] == ["=", "-", "="]


# The family: components, versions and edits, each stated where it is written.


def test_components_versions_and_edits_are_stated_where_they_are_written(run) -> None:
    from conftest import REPO

    example = REPO / "examples" / "partner-faq"
    data = report_json(run, example)
    said = {
        c["new"]: [(s["change"], s["target"], s["id"], s["text"], s["where"]) for s in c["statements"]]
        for c in data["comparisons"]
    }

    def where(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
        return [(w["path"], w["line"]) for w in items]

    v2018 = said["plp-faq-2018"]
    assert ("set", "extends", "professional-learning-partner-faq") in [s[:3] for s in v2018]
    uses = {s[2]: where(s[4]) for s in v2018 if s[1] == "component"}
    assert uses == {
        "international": [("overrides/plp-faq-2018.yml", 3)],
        "budget": [("overrides/professional-learning-partner-faq.yml", 6)],  # through the version's parent
    }
    (edit,) = [s for s in v2018 if s[0] == "edited"]
    assert edit[3] == 'question \'pm\': answer edited: replaced "FTEâ€™s" with "FTE’s"'
    assert where(edit[4]) == [("overrides/plp-faq-2018.yml", 8)]
    added = next(s for s in v2018 if s[0] == "added" and s[2] == "international")
    assert where(added[4]) == [("base/components/international.yml", 5)]  # the component that adds it
    removed = next(s for s in said["plp-playbook-faq"] if s[0] == "removed" and s[2] == "map")
    assert where(removed[4]) == [("base/components/playbook.yml", 9)]
    # The matrix shows the shared piece as such, and the report which programs share it.
    row = next(r for r in data["matrix"]["rows"] if r["id"] == "international")
    assert {k: v["state"] for k, v in row["cells"].items() if v["state"] != "absent"} == dict.fromkeys(
        ["plp-faq-2018", "regional-partner-faq", "rp-faq-2019"], "component"
    )
    uses_of = {u["name"]: u["programs"] for u in data["components"]}
    assert uses_of["international"] == ["plp-faq-2018", "regional-partner-faq", "rp-faq-2019"]
    assert uses_of["playbook"] == ["plp-playbook-faq", "rp-playbook-faq"]
    text = run("-C", example, "diff").stdout
    assert (
        "  international  base/components/international.yml  3 programs: plp-faq-2018, regional-partner-faq, rp-faq-2019\n"
        in text
    )
    # The evidence of an edit is the words it changed.
    comparison_2018 = next(c for c in data["comparisons"] if c["new"] == "plp-faq-2018")
    pm = next(e for e in comparison_2018["evidence"] if e["id"] == "pm")
    (line,) = pm["fields"][0]["lines"]
    assert [s for s in line["segments"] if s["kind"] != "="] == [
        {"kind": "-", "text": "FTEâ€™"},
        {"kind": "+", "text": "FTE’"},
    ]


def test_a_moved_question_is_stated_as_a_move(run, shipped: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text(override.read_text() + "      - id: recruit\n        after: international\n")
    data = report_json(run, shipped)
    said = [(s["change"], s["text"], s["where"][0]["line"]) for s in comparison(data, RP)["statements"]]
    assert (
        "moved",
        "question 'recruit' moved from section 'in-person' to section 'general', after question 'international'",
        23,
    ) in said
