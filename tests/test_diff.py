"""The diff report: summary, declared divergence, the matrix, evidence, drift; the command and its gate."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import EDITED_PAGE, PAGES, REPO, snapshot, write_tree
from variants.diff.textdiff import changed_lines, words
from variants.formats import FORMATS

PLP, RP = "professional-learning-partner", "regional-partner"
ANSI = "\x1b["


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` that contains ``text``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def report_json(run: Any, root: Path, *args: str | Path) -> dict[str, Any]:
    result = run("-C", root, "diff", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def comparison(data: dict[str, Any], new: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["comparisons"] if c["new"] == new)
    return found


def cells(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    """(row kind, id) -> program -> state, every program of a column given its cell."""
    columns = data["matrix"]["columns"]
    return {
        (row["kind"], row["id"]): {
            p: c["state"] for col, c in zip(columns, row["cells"], strict=True) for p in col["programs"]
        }
        for row in data["matrix"]["rows"]
    }


def text_rows(text: str) -> dict[tuple[str, str], list[str]]:
    """The matrix of a text report: (section, row) -> its cells, block after block, cut where
    the header's columns start."""
    found: dict[tuple[str, str], list[str]] = {}
    lines = text.split("\n\nPrograms")[0].splitlines()
    for n, header in enumerate(lines):
        if not re.match(r"  section +row ", header):
            continue
        starts = [m.start() for m in re.finditer(r"\S+", header)]
        for row in lines[n + 1 :]:
            if not row.strip():
                break
            parts = [row[a:b].strip() for a, b in zip(starts, [*starts[1:], len(row) + 1], strict=True)]
            found.setdefault((parts[0], parts[1]), []).extend(p for p in parts[2:] if p)  # blank: as the base
    return found


# The shipped programs.


def test_text_report_on_shipped(run, shipped: Path) -> None:
    result = run("-C", shipped, "diff")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert ANSI not in text  # not a terminal
    assert "DRIFT" not in text
    assert re.search(rf"^  {PLP} +A +2 +2 +0/2$", text, re.M)
    assert re.search(rf"^  {RP} +B +1 +1 +0/1$", text, re.M)
    # The program variables: one line per program, the default said so.
    assert re.search(rf"^  {RP} +Regional Partner +Regional Partner \(default\) +plc_regional_partner_nav", text, re.M)
    rp_file = shipped / "overrides" / f"{RP}.yml"
    plp_file = shipped / "overrides" / f"{PLP}.yml"
    assert (
        f"overrides/{RP}.yml:{line_of(rp_file, 'id: international')}: [content] question 'international' added"
        " to section 'general', after question 'joint'" in text
    )
    assert f"overrides/{PLP}.yml:{line_of(plp_file, 'id: budget')}: [content] section 'budget' added" in text
    assert (
        f"overrides/{RP}.yml:{line_of(rp_file, 'footer:')}: [formatting] page: footer differs in spacing only" in text
    )
    # The matrix has only what differs: no row for questions that differ only by the name.
    assert re.search(r"^  budget +pay +added +·$", text, re.M)
    assert re.search(r"^  general +international +· +added$", text, re.M)
    assert re.search(r"^  page +footer +formatting$", text, re.M)
    assert not re.search(r"^  general +map ", text, re.M)
    assert "8 questions as the base everywhere" in text
    # Declared: what the files declare, not the variables (the table shows them), nor defaults.
    declared = [line.split("[content] ")[1].split(" ")[:2] for line in text.splitlines() if "[content]" in line]
    assert declared == [["section", "'budget'"], ["question", "'pay'"], ["question", "'international'"]]
    assert "[program]" not in text and "(not set: the default)" not in text
    assert text.count("Differences made only by the program variables") == 1
    assert "question 'map'" not in text
    assert "none: every page matches its sources" in text


def test_json_report_on_shipped_field_by_field(run, shipped: Path) -> None:
    data = report_json(run, shipped)
    assert sorted(data) == [
        "against",
        "base",
        "compared_with",
        "comparisons",
        "components",
        "drift",
        "matrix",
        "out",
        "programs",
        "show_variables",
        "summary",
        "version",
    ]
    assert (data["version"], data["compared_with"], data["base"], data["out"]) == (2, "base", "base/content.yml", "out")
    assert data["against"] == "" and data["components"] == []
    plp, rp = data["programs"]
    assert plp["source"] == f"overrides/{PLP}.yml" and plp["output"] == PAGES[0]
    assert {v["name"]: (v["value"], v["default"]) for v in rp["variables"]} == {
        "name": ("Regional Partner", False),
        "name_in_text": ("Regional Partner", True),
        "nav": ("plc_regional_partner_nav", False),
    }
    rp_file = shipped / "overrides" / f"{RP}.yml"
    nav = next(v for v in rp["variables"] if v["name"] == "nav")
    assert nav["where"] == {"path": f"overrides/{RP}.yml", "line": line_of(rp_file, "nav:"), "column": 8}
    summary = data["summary"]
    assert [
        (p["slug"], p["column"], p["content"], p["formatting"], p["unexplained"], p["drift"])
        for p in summary["programs"]
    ] == [
        (PLP, "A", 2, 2, 2, None),
        (RP, "B", 1, 1, 1, None),
    ]
    assert (summary["content"], summary["formatting"], summary["drift"], summary["unchanged"]) == (3, 3, 0, 8)
    assert data["matrix"]["columns"] == [{"name": "A", "programs": [PLP]}, {"name": "B", "programs": [RP]}]
    assert [(r["kind"], r["section"], r["id"]) for r in data["matrix"]["rows"]] == [
        ("page", "", "footer"),
        ("question", "general", "international"),
        ("section", "", "budget"),
        ("question", "budget", "pay"),
    ]
    states = cells(data)
    assert states["question", "pay"] == {PLP: "added", RP: "absent"}
    assert states["question", "international"] == {PLP: "absent", RP: "added"}
    assert states["page", "footer"] == {PLP: "same", RP: "formatting"}
    row = next(r for r in data["matrix"]["rows"] if r["id"] == "pay")
    assert row["label"] == "Where can I find a breakdown of what Code.org provides?"
    assert row["cells"][0] == {"state": "added", "moved": False, "version": 0, "was": None}

    statements = comparison(data, RP)["statements"]
    (added,) = [s for s in statements if s["change"] == "added"]
    assert added == {
        "key": f"{RP}/question/international",
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
        "why": "",
        "delta": "",
        "was": "",
    }
    # Only what the override declares: its variables, not the default nor the output pattern.
    assert [s["key"] for s in statements if s["category"] == "program"] == [f"{RP}/variable/name", f"{RP}/variable/nav"]
    assert comparison(data, RP)["variable_only"] == {
        "page": ["front_matter.title", "front_matter.nav", "title"],
        "sections": [],
        "questions": ["map", "pm", "press", "joint", "cs", "facilitators"],
    }
    pay = next(e for e in comparison(data, PLP)["evidence"] if e["id"] == "pay")
    assert (pay["target"], pay["section"], pay["state"], pay["same_as"]) == ("question", "budget", "added", "")
    assert [f["field"] for f in pay["fields"]] == ["question", "answer", "layout", "rule"]
    layout = next(f for f in pay["fields"] if f["field"] == "layout")  # against the default, not nothing
    assert [(line["op"], line["segments"][0]["text"]) for line in layout["lines"]] == [
        ("-", "standard (default)"),
        ("+", "compact"),
    ]
    assert data["drift"] == []


def test_same_inputs_give_the_same_bytes(run, eleven: Path, tmp_path: Path) -> None:
    for fmt in FORMATS:
        first = run("-C", eleven, "diff", "--format", fmt, "--show-variables")
        second = run("-C", eleven, "diff", "--format", fmt, "--show-variables")
        assert first.exit_code == second.exit_code == 0
        assert first.stdout_bytes == second.stdout_bytes, fmt
        target = tmp_path / f"report.{fmt}"
        written = run("-C", eleven, "diff", "--format", fmt, "--show-variables", "--output", target)
        assert written.exit_code == 0 and written.stdout == ""
        assert target.read_bytes() == first.stdout_bytes


# A third program: replaced, removed, moved, hostile.


def test_third_program_text(run, third: Path) -> None:
    result = run("-C", third, "diff")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    third_file = third / "overrides" / "third.yml"
    rows = text_rows(text)
    assert rows["in-person", "ca"] == ["replaced"]
    assert rows["in-person", "recruit"] == ["removed"]  # removed here, apart from "not in this program"
    assert rows["in-person", "facilitators"] == ["moved"]
    assert rows["general", "press"] == ["replaced"]
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
    assert "out/third-faq.md: missing (not built yet)" in text


def test_third_program_json(run, third: Path) -> None:
    data = report_json(run, third)
    states = cells(data)
    assert states["question", "ca"]["third"] == "replaced"
    assert states["question", "recruit"] == {PLP: "same", RP: "same", "third": "removed"}
    assert states["question", "press"]["third"] == "replaced"
    assert states["question", "pay"]["third"] == "absent"
    assert states["drift", ""]["third"] == "missing"
    moved = next(r for r in data["matrix"]["rows"] if r["id"] == "facilitators")
    column = next(n for n, c in enumerate(data["matrix"]["columns"]) if "third" in c["programs"])
    assert moved["cells"][column] == {"state": "variables", "moved": True, "version": 0, "was": None}
    third_data = comparison(data, "third")
    removed = next(s for s in third_data["statements"] if s["change"] == "removed")
    assert (removed["target"], removed["id"], removed["where"][0]["line"]) == (
        "question",
        "recruit",
        line_of(third / "overrides" / "third.yml", "id: recruit"),
    )
    replaced = next(s for s in third_data["statements"] if s["id"] == "ca")
    assert (replaced["category"], replaced["change"], replaced["field"], replaced["key"]) == (
        "content",
        "replaced",
        "answer",
        "third/question/ca/answer",
    )
    evidence = next(e for e in third_data["evidence"] if e["id"] == "ca")
    ((line,),) = [f["lines"] for f in evidence["fields"]]
    assert line["op"] == "~"
    assert [s["kind"] for s in line["segments"]].count("+") == 4  # host, domain, path, link text
    assert [e["id"] for e in third_data["evidence"]] == ["press", "recruit", "ca"]
    assert [s["state"] for s in data["drift"]] == ["missing"]


def test_many_added_questions_and_sections_are_each_declared(run, shipped: Path) -> None:
    # deepdiff's default would report a mapping with under a third of its keys in common
    # as one new value (and the statements would miss what is in it).
    added = "".join(f"      - id: n{k}\n        question: Q{k}?\n        answer: A{k}\n" for k in range(7))
    sections = "".join(
        f"  - id: x{k}\n    title: X{k}\n    questions:\n      - id: xq{k}\n        question: Q?\n        answer: A\n"
        for k in range(5)
    )
    changed = "      - id: ca\n        toc: CA\n        anchor: caa\n        rule: ___\n        layout: compact\n"
    override = "program:\n  name: Many\n  nav: many\nsections:\n  - id: in-person\n    questions:\n"
    write_tree(shipped, {"overrides/many.yml": override + added + changed + "        toc_after: recruit\n" + sections})
    data = report_json(run, shipped)
    statements = comparison(data, "many")["statements"]
    added_ids = [s["id"] for s in statements if s["change"] == "added"]
    assert added_ids == [f"n{k}" for k in range(7)] + [x for k in range(5) for x in (f"x{k}", f"xq{k}")]
    assert {s["field"] for s in statements if s["id"] == "ca"} == {"toc", "anchor", "rule", "layout", "toc_after"}
    states = cells(data)
    assert states["question", "ca"]["many"] == "replaced"
    assert states["question", "n3"]["many"] == states["question", "xq4"]["many"] == "added"
    # A program's own questions have their rows in their section, after the question before them.
    ids = [r["id"] for r in data["matrix"]["rows"] if r["section"] == "in-person"]
    assert ids[ids.index("ca") :] == ["ca", *(f"n{k}" for k in range(7))]


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


def test_diff_a_b(run, shipped: Path) -> None:
    data = report_json(run, shipped, PLP, RP)
    assert data["compared_with"] == PLP
    assert [p["slug"] for p in data["programs"]] == [PLP, RP]
    assert data["matrix"]["columns"] == [{"name": "A", "programs": [RP]}]
    states = {key: s[RP] for key, s in cells(data).items()}
    assert states["question", "pay"] == "removed"  # in the first program, not in the second
    assert states["question", "international"] == "added"
    assert ("question", "map") not in states  # only the name differs
    (only,) = data["comparisons"]
    nav = next(s for s in only["statements"] if s["id"] == "nav")
    assert (nav["old"], nav["new"], nav["change"]) == ("plc_plp_nav", "plc_regional_partner_nav", "replaced")
    assert [w["path"] for w in nav["where"]] == [f"overrides/{PLP}.yml", f"overrides/{RP}.yml"]
    # Every difference points at a line that declares it.
    assert all(s["where"] for s in only["statements"]), [s["text"] for s in only["statements"] if not s["where"]]
    text = run("-C", shipped, "diff", PLP, RP).stdout
    assert f"variants diff: {RP} compared with {PLP}" in text
    assert f"question 'pay' only in {PLP} (section 'budget')" not in text  # said by its section
    assert f"section 'budget' only in {PLP}, with question 'pay'" in text
    assert f"question 'international' only in {RP}, in section 'general', after question 'joint'" in text
    assert f"removed: in {PLP}, not here" in " ".join(text.split())  # the legend, wrapped


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


# The eleven programs a review meets.


def test_eleven_programs_read_in_a_minute(run, eleven: Path) -> None:
    text = run("-C", eleven, "diff").stdout
    lines = text.splitlines()
    drifted = next(n for n, line in enumerate(lines, 1) if EDITED_PAGE in line)
    assert drifted <= 20 and lines[drifted - 2].startswith("DRIFT: 1 page")
    assert "edited by hand" in lines[drifted - 1]
    # The summary: a line per program, counts by kind, the drift beside its program.
    assert re.search(r"^  charlie +A +edited by hand$", text, re.M)
    assert re.search(r"^  india +F +3$", text, re.M)
    assert re.search(r"^  delta +B +1 +1/1$", text, re.M) and re.search(r"^  echo +B +1 +0/1$", text, re.M)
    assert "2 programs differ from the base only by the program variables: alpha, bravo." in text
    rows = text_rows(text)
    assert rows["", "page in out/"][0] == "edited by hand"  # drift marked in the matrix
    assert rows["page", "intro"] == ["replaced"]
    assert rows["in-person", "section in-person"] == ["formatting"]
    assert rows["budget", "section budget"][:4] == ["·", "·", "·", "added"]
    assert rows["general", "map"] == ["removed"]
    assert ("general", "pm") not in rows  # only the variables differ, everywhere
    # Programs with the same differences share a column; their copies are said once.
    assert "  B  delta, echo: ca (replaced)\n" in text
    assert "question 'ca' (replaced): the same copy as delta's (shown there)" in text
    assert text.count("~ Code.org has computer science workshops") == 1
    # Said once: no per-program note, a short legend, nothing declared by the name-only programs.
    assert text.count("name swap") == 1
    legend = text.split("\n  blank: ")[1].split("\n\n")[0]
    assert len(legend.splitlines()) <= 3
    assert "== alpha" not in text and "name_in_text =" not in text
    # Tables fit a terminal: the matrix comes in blocks of columns.
    tables = text.split("Programs (evidence")[0]
    assert max(len(line) for line in tables.splitlines()) <= 112


def test_whys_are_shown_beside_their_statements(run, eleven: Path) -> None:
    data = report_json(run, eleven)
    said = {s["key"]: s["why"] for c in data["comparisons"] for s in c["statements"]}
    assert said["delta/question/ca/answer"] == "The 2019 overview replaced the old slide deck."
    assert said["foxtrot/question/map"] == "Foxtrot serves regions no other organization does."
    assert said["golf/question/stipend"] == "Golf partners manage their own budget."  # its section's why
    assert said["echo/question/ca/answer"] == "" and said["golf/page/intro"] == ""
    text = run("-C", eleven, "diff").stdout
    assert "[content] question 'ca': answer replaced; why: The 2019 overview replaced the old slide deck.\n" in text
    md = run("-C", eleven, "diff", "--format", "markdown").stdout
    assert "question 'ca': answer replaced — *why: The 2019 overview replaced the old slide deck.*" in md
    page = run("-C", eleven, "diff", "--format", "html").stdout
    assert 'answer replaced<span class="why">why: The 2019 overview replaced the old slide deck.</span>' in page


def test_a_why_makes_no_difference_to_a_page_and_no_finding(run, eleven: Path) -> None:
    before = snapshot(eleven / "out")
    built = run("-C", eleven, "build", "--check")
    assert "delta-faq.md" not in built.stderr and "golf-faq.md" not in built.stderr
    checked = run("-C", eleven, "check")
    assert "why" not in checked.stdout  # not an unused key, not a no-op
    assert snapshot(eleven / "out") == before
    # A why with nothing else is still an entry that changes nothing.
    write_tree(
        eleven,
        {
            "overrides/zulu.yml": "program:\n  name: Z\n  nav: z\nwhy: all\nsections:\n  - id: general\n    questions:\n      - id: map\n        why: nothing\n"
        },
    )
    checked = run("-C", eleven, "check", "--format", "json")
    found = {
        (f["rule"], f["line"]) for f in json.loads(checked.stdout)["problems"] if f["path"] == "overrides/zulu.yml"
    }
    assert found == {("no-op", 8)}


def test_stable_keys_do_not_move_with_lines(run, eleven: Path) -> None:
    before = report_json(run, eleven)
    for comparison_data in before["comparisons"]:
        keys = [s["key"] for s in comparison_data["statements"]]
        assert len(keys) == len(set(keys)), keys
        assert all(k.startswith(comparison_data["new"] + "/") for k in keys)
        assert all(s["where"] for s in comparison_data["statements"])  # every one at the line that says it
    for path in (eleven / "overrides").glob("*.yml"):
        path.write_text("# a comment\n# and another\n" + path.read_text())
    after = report_json(run, eleven)

    def said(data: dict[str, Any]) -> dict[str, tuple[str, int]]:
        return {
            s["key"]: (s["text"], s["where"][0]["line"] if s["where"] else 0)
            for c in data["comparisons"]
            for s in c["statements"]
        }

    old, new = said(before), said(after)
    assert old.keys() == new.keys()
    assert all(new[k][0] == old[k][0] and new[k][1] in (old[k][1] + 2, 0) for k in old)


# The command as a gate, and its exit codes.


def test_fail_on_each_has_a_code_of_its_own(run, eleven: Path) -> None:
    from variants.cli.diff import EXIT_CODES
    from variants.diff.gate import CONDITIONS

    assert list(EXIT_CODES) == list(CONDITIONS) and len(set(EXIT_CODES.values()) | {0, 1, 2}) == 6
    plain = run("-C", eleven, "diff")
    assert plain.exit_code == 0
    drift = run("-C", eleven, "diff", "--fail-on", "drift")
    assert drift.exit_code == 3 and drift.stdout == plain.stdout
    assert drift.stderr == f"out/{EDITED_PAGE}: edited by hand\nvariants diff: failing on drift (1 found)\n"
    assert run("-C", eleven, "diff", "--fail-on-drift").exit_code == 3
    unexplained = run("-C", eleven, "diff", "--fail-on", "unexplained")
    assert unexplained.exit_code == 4
    assert (
        "overrides/echo.yml:10: content difference without a why: question 'ca': answer replaced\n"
        in unexplained.stderr
    )
    assert "delta.yml" not in unexplained.stderr and "india.yml" not in unexplained.stderr  # explained; formatting
    assert run("-C", eleven, "diff", "--fail-on", "any").exit_code == 5
    assert run("-C", eleven, "diff", "--fail-on", "any", "--fail-on", "drift").exit_code == 3  # drift comes first
    broken = eleven / "overrides" / "bravo.yml"
    broken.write_text(broken.read_text() + "sectoins: []\n")
    failed = run("-C", eleven, "diff", "--fail-on", "drift")
    assert failed.exit_code == 1 and "unknown key 'sectoins'" in failed.stderr


def test_fail_on_unexplained_passes_once_every_content_difference_says_why(run, eleven: Path) -> None:
    for path in (eleven / "overrides").glob("*.yml"):
        path.write_text(path.read_text().replace("\nprogram:", "\nwhy: This program's own page.\nprogram:", 1))
    assert run("-C", eleven, "build", "--force").exit_code == 0
    result = run("-C", eleven, "diff", "--fail-on", "unexplained", "--fail-on", "drift")
    assert result.exit_code == 0, result.stderr
    assert run("-C", eleven, "diff", "--fail-on", "any").exit_code == 5


def test_drift_after_a_hand_edit(run, shipped: Path) -> None:
    page = shipped / "out" / PAGES[1]
    page.write_text(page.read_text().replace("can we publish a press release", "may we publish a press release"))
    result = run("-C", shipped, "diff")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2:4] == [
        "DRIFT: 1 page in out/ differs from what the sources produce",
        f"  out/{PAGES[1]}: edited by hand (differs from what the sources produce and from what the last build wrote)",
    ]
    assert "[-can-]{+may+} we publish a press release" in result.stdout
    data = report_json(run, shipped)
    (drift,) = data["drift"]
    assert (drift["file"], drift["program"], drift["state"]) == (PAGES[1], RP, "edited")
    assert cells(data)["drift", ""] == {PLP: "same", RP: "edited"}
    changed = [line for hunk in drift["hunks"] for line in hunk["lines"] if line["op"] == "~"]
    assert len(changed) == 2  # the table of contents and the heading
    # build --check names it the same way.
    checked = run("-C", shipped, "build", "--check")
    assert checked.exit_code == 1 and f"out/{PAGES[1]}: edited by hand\n" in checked.stderr


def test_drift_stale_missing_and_clean(run, shipped: Path, tmp_path: Path) -> None:
    assert run("-C", shipped, "diff", "--fail-on", "drift").exit_code == 0
    content = shipped / "base" / "content.yml"
    content.write_text(content.read_text().replace("Of course!", "Certainly!"))
    (shipped / "out" / PAGES[0]).unlink()
    data = report_json(run, shipped)
    assert [(d["file"], d["state"]) for d in data["drift"]] == [(PAGES[0], "missing"), (PAGES[1], "stale")]
    assert run("-C", shipped, "diff", "--fail-on", "drift").exit_code == 3
    checked = run("-C", shipped, "build", "--check")
    assert f"{PAGES[0]}: missing\n" in checked.stderr and f"{PAGES[1]}: stale\n" in checked.stderr
    elsewhere = report_json(run, shipped, "--out", tmp_path / "nowhere")
    assert {d["state"] for d in elsewhere["drift"]} == {"missing"}
    assert not (tmp_path / "nowhere").exists()


def test_usage_and_unknown_program(run, shipped: Path) -> None:
    assert run("-C", shipped, "diff", PLP).exit_code == 2
    unknown = run("-C", shipped, "diff", PLP, "regional-partnr")
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        f"overrides/regional-partnr.yml: no such program (did you mean 'regional-partner'?); programs: {PLP}, {RP}\n"
    )
    assert run("-C", shipped, "diff", "--format", "yaml").exit_code == 2
    assert run("-C", shipped, "diff", "--fail-on", "typo").exit_code == 2


def test_errors_in_the_sources_are_one_line_each(run, shipped: Path) -> None:
    write_tree(
        shipped, {"overrides/bad.yml": "program:\n  name: X\n  nav: x\nsections:\n  - {id: nope, remove: true}\n"}
    )
    result = run("-C", shipped, "diff")
    assert result.exit_code == 1
    assert result.stderr == "overrides/bad.yml:5:5: cannot remove section 'nope': not in the base\n"
    assert result.stdout == ""


@pytest.mark.slow
def test_a_reader_that_stops_early_ends_it_quietly(tmp_path: Path) -> None:
    from synthetic import make_project

    root = make_project(tmp_path / "big", 200, 10)  # a report far past a pipe's buffer, made by workers
    for fmt in ("text", "json"):
        done = subprocess.run(
            [
                "bash",
                "-c",
                f'"{sys.executable}" -m variants -C "{root}" diff --format {fmt} | head -n 2; echo "${{PIPESTATUS[0]}}"',
            ],
            capture_output=True,
            text=True,
        )
        assert done.stderr == "", done.stderr
        *shown, status = done.stdout.splitlines()
        assert len(shown) == 2 and status == "0"


def test_deepdiff_is_loaded_only_by_diff(shipped: Path) -> None:
    code = (
        "import sys\nfrom variants.cli import main\n"
        "try:\n    main(['-C', sys.argv[1], 'build', '--check'])\nexcept SystemExit:\n    pass\n"
        "print('deepdiff' in sys.modules, 'variants.diff.report' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(shipped)], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "False False", done.stderr


# What the statements say, and where.


def test_words_mark_the_changed_phrase() -> None:
    segments, likeness = words("apply to be a {{ name }}?", "apply to be a Regional Partner?")
    assert segments == (("=", "apply to be a "), ("-", "{{ name }}"), ("+", "Regional Partner"), ("=", "?"))
    assert likeness > 0.5
    (line,) = changed_lines("one\nlooking for a partner here\n", "one\nlooking for a Partner here\n")
    assert (line.op, line.old, line.new) == ("~", "looking for a partner here", "looking for a Partner here")
    assert [line.op for line in changed_lines("completely different\n", "nothing alike at all\n")] == ["-", "+"]
    assert [line.op for line in changed_lines("a\n\nb\n", "a\nb\n", context=1)] == ["=", "-", "="]


def test_components_versions_and_edits_are_stated_where_they_are_written(run) -> None:
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
    removed = next(s for s in said["rp-playbook-faq"] if s[0] == "removed" and s[2] == "map")
    assert where(removed[4]) == [("base/components/playbook.yml", 9)]
    # Every statement of the family has its place.
    assert all(s[4] for statements in said.values() for s in statements)
    # The matrix shows the shared piece once: one copy, in the programs that switch it on.
    states = cells(data)
    assert {p: s for p, s in states["question", "international"].items() if s != "absent"} == dict.fromkeys(
        ["plp-faq-2018", "regional-partner-faq", "rp-faq-2019"], "component"
    )
    row = next(r for r in data["matrix"]["rows"] if r["id"] == "international")
    versions = {
        p: c["version"] for col, c in zip(data["matrix"]["columns"], row["cells"], strict=True) for p in col["programs"]
    }
    assert versions["plp-faq-2018"] == versions["regional-partner-faq"] == 1  # identical copies
    assert versions["rp-faq-2019"] == 2  # its own edit of the answer
    uses_of = {u["name"]: u["programs"] for u in data["components"]}
    assert uses_of["international"] == ["plp-faq-2018", "regional-partner-faq", "rp-faq-2019"]
    text = run("-C", example, "diff").stdout
    assert (
        "  international  base/components/international.yml  3 programs: plp-faq-2018, regional-partner-faq, rp-faq-2019\n"
        in text
    )
    assert "question 'international' (component): the same copy as plp-faq-2018's (shown there)" in text
    comparison_2018 = next(c for c in data["comparisons"] if c["new"] == "plp-faq-2018")
    pm = next(e for e in comparison_2018["evidence"] if e["id"] == "pm")
    (line,) = pm["fields"][0]["lines"]
    assert [s for s in line["segments"] if s["kind"] != "="] == [
        {"kind": "-", "text": "FTEâ€™"},
        {"kind": "+", "text": "FTE’"},
    ]


def test_a_components_why_explains_what_it_brings(run, tmp_path: Path) -> None:
    import shutil

    example = tmp_path / "family"
    shutil.copytree(REPO / "examples" / "partner-faq", example)
    component = example / "base" / "components" / "international.yml"
    component.write_text("why: Only US organizations may apply.\n" + component.read_text())
    data = report_json(run, example)
    statements = comparison(data, "rp-faq-2019")["statements"]
    whys = {s["key"]: s["why"] for s in statements}
    assert whys["rp-faq-2019/component/international"] == "Only US organizations may apply."
    assert whys["rp-faq-2019/question/international"] == "Only US organizations may apply."


def test_moves_are_stated_as_moves_at_their_lines(run, shipped: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text(override.read_text() + "      - id: recruit\n        after: international\n")
    write_tree(
        shipped,
        {
            "overrides/sect.yml": "program:\n  name: S\n  nav: s\nsections:\n  - id: general\n    toc_spacing: 3\n  - id: in-person\n    before: general\n"
        },
    )
    data = report_json(run, shipped)
    said = [(s["change"], s["text"], s["where"][0]["line"]) for s in comparison(data, RP)["statements"]]
    assert (
        "moved",
        "question 'recruit' moved from section 'in-person' to section 'general', after question 'international'",
        23,
    ) in said
    assert cells(data)["question", "recruit"][RP] == "same"  # the same question, in another place
    moved = next(r for r in data["matrix"]["rows"] if r["id"] == "recruit")
    assert any(c["moved"] for c in moved["cells"])
    sect = {s["key"]: (s["text"], s["where"][0]["line"]) for s in comparison(data, "sect")["statements"]}
    assert sect["sect/section/in-person/place"] == (
        "section 'in-person' moved first, before section 'general' (was after section 'general')",
        8,
    )
    assert sect["sect/section/general/toc_spacing"][1] == 6
    evidence = next(e for e in comparison(data, "sect")["evidence"] if e["id"] == "general")
    assert evidence["state"] == "formatting"  # not "replaced": only the spacing differs


def test_a_removed_sections_questions_are_named_by_it(run, shipped: Path) -> None:
    write_tree(
        shipped,
        {"overrides/cut.yml": "program:\n  name: C\n  nav: c\nsections:\n  - id: in-person\n    remove: true\n"},
    )
    statements = comparison(report_json(run, shipped), "cut")["statements"]
    content = [s for s in statements if s["category"] == "content"]
    (only,) = content
    assert only["text"].startswith("section 'in-person' removed, with questions 'facilitators', 'recruit', 'ca'")
    assert only["where"][0]["line"] == 5


def test_question_texts_are_not_cut(run, shipped: Path) -> None:
    long = "Is this a very long question that goes on and on, far past sixty characters, to see it whole?"
    write_tree(
        shipped,
        {
            "overrides/long.yml": f"program:\n  name: L\n  nav: l\nsections:\n  - id: general\n    questions:\n      - id: long\n        question: {long}\n        answer: A\n"
        },
    )
    statements = comparison(report_json(run, shipped), "long")["statements"]
    assert any(s["text"].endswith(f'"{long}"') for s in statements)


# Against a git revision: what a change adds, removes or changes, per program.


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(eleven: Path) -> Path:
    git(eleven, "init", "-q")
    git(eleven, "add", "-A")
    git(eleven, "commit", "-q", "-m", "the eleven")
    return eleven


UNCHANGED = ("alpha", "bravo", "charlie", "foxtrot", "golf", "hotel", "india", "juliett", "kilo")


def test_against_head_names_the_changed_program_and_question_only(run, repo: Path) -> None:
    echo = repo / "overrides" / "echo.yml"
    echo.write_text(echo.read_text().replace("See this page", "Read this page"))
    status = git(repo, "status", "--porcelain")
    before = snapshot(repo)
    for fmt in FORMATS:
        result = run("-C", repo, "diff", "--against", "HEAD", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert "echo" in out and "ca" in out, fmt
        if fmt == "json":
            data = json.loads(out)
            assert data["against"] == "HEAD"
            assert [p["slug"] for p in data["summary"]["programs"]] == ["echo"]
            assert [p["slug"] for p in data["programs"]] == ["echo"]
            ((key, delta),) = [(s["key"], s["delta"]) for c in data["comparisons"] for s in c["statements"]]
            assert (key, delta) == ("echo/question/ca/answer", "changed")
        else:
            assert not [slug for slug in UNCHANGED if re.search(rf"\b{slug}\b", out)], fmt
    text = run("-C", repo, "diff", "--against", "HEAD").stdout
    assert "[content] changed: question 'ca': answer replaced" in text
    assert "[-See-]{+Read+} this page" in text
    assert snapshot(repo) == before and git(repo, "status", "--porcelain") == status  # nothing touched


def test_against_a_revision_new_gone_and_explained(run, repo: Path) -> None:
    (repo / "overrides" / "kilo.yml").unlink()
    write_tree(repo, {"overrides/lima.yml": "program:\n  name: Lima\n  nav: l\nfooter: ''\n"})
    juliett = repo / "overrides" / "juliett.yml"
    juliett.write_text(
        juliett.read_text().replace("      - id: press\n", "      - id: press\n        why: Ask first.\n")
    )
    data = report_json(run, repo, "--against", "HEAD")
    said = {(s["key"], s["delta"], s["was"]) for c in data["comparisons"] for s in c["statements"]}
    assert ("juliett/question/press/answer", "changed", "no why") in said
    assert ("lima/page/footer", "added", "") in said and ("lima/variable/name", "added", "") in said
    assert ("kilo/question/international", "removed", "") in said
    lines = {p["slug"]: (p["added"], p["removed"], p["changed"]) for p in data["summary"]["programs"]}
    assert lines == {"juliett": (0, 0, 1), "kilo": (0, 3, 0), "lima": (3, 0, 0)}
    assert {d["file"]: d["state"] for d in data["drift"]} == {"kilo-faq.md": "extra", "lima-faq.md": "missing"}
    # The gate counts only what changed: juliett now says why, lima's is formatting.
    result = run("-C", repo, "diff", "--against", "HEAD", "--fail-on", "unexplained")
    assert result.exit_code == 0, result.stderr
    assert run("-C", repo, "diff", "--against", "HEAD", "--fail-on", "any").exit_code == 3 - 3 + 5
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "lima")
    assert run("-C", repo, "diff", "--against", "HEAD~1", "--fail-on", "any").exit_code == 5
    quiet = report_json(run, repo, "--against", "HEAD")
    assert quiet["comparisons"] == [] and quiet["matrix"]["rows"] == []


def test_against_a_project_in_a_folder_of_the_repository(run, eleven: Path, tmp_path: Path) -> None:
    import shutil

    top = tmp_path / "site"
    shutil.copytree(eleven, top / "faq" / "pages")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "pages")
    project = top / "faq" / "pages"
    assert "Summary: no program changed since HEAD.\n" in run("-C", project, "diff", "--against", "HEAD").stdout
    echo = project / "overrides" / "echo.yml"
    echo.write_text(echo.read_text().replace("See this page", "Read this page"))
    data = report_json(run, project, "--against", "HEAD")
    assert [p["slug"] for p in data["summary"]["programs"]] == ["echo"]


def test_against_what_cannot_be_read(run, repo: Path, tmp_path: Path) -> None:
    bad = run("-C", repo, "diff", "--against", "no-such-branch")
    assert bad.exit_code == 2
    assert "Invalid value for '--against': 'no-such-branch' is not a revision of this repository" in bad.stderr
    assert run("-C", repo, "diff", "--against", "--output=x").exit_code == 2
    outside = tmp_path / "plain"
    outside.mkdir()
    for folder in ("base", "overrides"):
        (outside / folder).symlink_to(repo / folder)
    alone = run("-C", outside, "diff", "--against", "HEAD")
    assert alone.exit_code == 2 and "not a git repository" in alone.stderr
    # Sources that were broken at the revision are named as git names them.
    bravo = repo / "overrides" / "bravo.yml"
    good = bravo.read_text()
    bravo.write_text(good + "sectoins: []\n")
    git(repo, "commit", "-q", "-am", "broken")
    bravo.write_text(good)
    broken = run("-C", repo, "diff", "--against", "HEAD")
    assert broken.exit_code == 1
    assert broken.stderr.startswith("HEAD:overrides/bravo.yml:5:1: unknown key 'sectoins'")
