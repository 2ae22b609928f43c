"""Issue 16, hostile sources: growth, names that mean trouble, messages that blame the right line.

Each case ends in a one-line located error (exit 1) or a correct result, fast,
with nothing written where it should not be.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from extracting import faq_page  # the benchmark's page generator
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import snapshot, write_tree
from variants.extract.align import opcodes
from variants.pipeline.model import Entry, toc_order
from variants.problems import Loc, error, printable
from variants.source.fields import ID, QUESTIONS, SECTIONS

Y = "program:\n  name: Y\n  nav: y\n"


def one_line_errors(result) -> list[str]:  # type: ignore[no-untyped-def]
    """The run failed with exit 1 and one-line messages, and nothing else on stderr."""
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(": " in line for line in lines)
    return lines


# --- growth ------------------------------------------------------------------


def big_section(shipped: Path, count: int, moved: bool) -> None:
    """The first section of the shipped base with ``count`` short questions; with ``moved``
    every other one is listed after its neighbour in the table of contents."""
    questions = "".join(
        f"      - {{id: q{i}, question: Q{i}?, answer: a{'' if not moved or i % 2 else f', toc_after: q{i + 1}'}}}\n"
        for i in range(count)
    )
    content = shipped / "base" / "content.yml"
    text = content.read_text()
    start = text.index("    questions:\n", text.index("  - id: general")) + len("    questions:\n")
    content.write_text(text[:start] + questions + text[start:])


def test_eight_thousand_questions_with_moves_in_one_section_build_fast(run, shipped: Path) -> None:
    big_section(shipped, 8000, moved=True)
    started = time.monotonic()
    result = run("-C", shipped, "build", "--force")
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 15
    page = (shipped / "out" / "regional-partner-faq.md").read_text()
    assert page.index("- [Q1?](#q1)\n- [Q0?](#q0)\n- [Q3?](#q3)\n- [Q2?](#q2)\n") > 0


@pytest.mark.slow
def test_extract_of_two_pages_of_a_thousand_questions_is_linear(run, tmp_path: Path) -> None:
    write_tree(tmp_path, {"alpha.md": faq_page("Alpha", 1000), "beta.md": faq_page("Beta", 1000)})
    started = time.monotonic()
    result = run("extract", tmp_path / "alpha.md", tmp_path / "beta.md", "--into", tmp_path / "x")
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 20  # was 124 s: difflib aligned the pages in quadratic time
    assert "verified: a build reproduces every page byte for byte" in result.stdout + result.stderr


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcde\n"), max_size=400), st.lists(st.sampled_from("abcde\n"), max_size=400))
def test_alignment_is_sound_at_any_size(a: list[str], b: list[str]) -> None:
    ops = opcodes(a, b)
    made: list[str] = []
    i = j = 0
    for tag, i1, i2, j1, j2 in ops:  # the opcodes cover both sides in order, and turn a into b
        assert (i1, j1) == (i, j) and tag in ("equal", "replace", "delete", "insert")
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        made += b[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(a), len(b)) and made == b


def test_toc_order_of_a_long_chain_is_linear() -> None:
    count = 20000
    section = Entry("section", "s", {}, {}, Loc("x"))
    section.children = [
        Entry("question", f"q{i}", {"toc_after": f"q{i - 1}"} if i else {}, {}, Loc("x")) for i in range(count)
    ]
    section.children.reverse()  # each names the one after it in the body: one round per question if done naively
    started = time.process_time()  # CPU time: a loaded machine does not make it fail, a quadratic order does
    assert [q.id for q in toc_order(section)] == [f"q{i}" for i in range(count)]
    assert time.process_time() - started < 2


def _moves_one_at_a_time(children: list[Entry]) -> list[str]:
    """The table-of-contents order, made the slow way: rounds over the moved questions in body order,
    each inserted next to its target as soon as the target is placed (the rule, written out)."""
    order = [q for q in children if "toc_before" not in q.values and "toc_after" not in q.values]
    pending = [q for q in children if q not in order]
    while pending:
        waiting = []
        for question in pending:
            key = "toc_before" if "toc_before" in question.values else "toc_after"
            ids = [q.id for q in order]
            if question.values[key] in ids:
                order.insert(ids.index(question.values[key]) + (key == "toc_after"), question)
            else:
                waiting.append(question)
        if len(waiting) == len(pending):
            return [q.id for q in order + waiting]
        pending = waiting
    return [q.id for q in order]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "toc_before", "toc_after"]), st.integers(0, 12)), max_size=12))
def test_toc_order_follows_the_rule(moves: list[tuple[str, int]]) -> None:
    children = [
        Entry("question", f"q{n}", {key: f"q{target}"} if key else {}, {}, Loc("x"))
        for n, (key, target) in enumerate(moves)
    ]
    section = Entry("section", "s", {}, {}, Loc("x"), children=children)
    assert [q.id for q in toc_order(section)] == _moves_one_at_a_time(children)


def test_twenty_five_thousand_questions_are_not_an_alias_bomb(run, shipped: Path) -> None:
    questions = "".join(f"  - {{id: q{i}, question: q, answer: a}}\n" for i in range(25000))
    write_tree(
        shipped, {"overrides/y.yml": Y + f"{SECTIONS}:\n- {ID}: big\n  title: Big\n  {QUESTIONS}:\n" + questions}
    )
    assert len((shipped / "overrides" / "y.yml").read_bytes()) < 1024 * 1024
    result = run("-C", shipped, "build")
    assert result.exit_code == 0, result.stderr[:500]


def test_an_anchor_used_many_times_is_counted_as_an_alias_bomb(run, shipped: Path) -> None:
    items = "".join("  - *x\n" for _ in range(20000))
    write_tree(shipped, {"overrides/y.yml": Y + "anchors: &x [a, b, c, d, e, f]\nlist:\n" + items})
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line.endswith("aliases repeat more than 100000 values (alias bomb?)")


# --- names ---------------------------------------------------------------------

BAD_OUTPUTS = {
    "newline": ('"a\\nb.md"', "holds the character '\\n'"),
    "escape": ('"a\\e[31m.md"', "holds the character '\\x1b'"),
    "bidi": ('"a\\u202eb.md"', "holds the character '\\u202e'"),
    "windows-device": ("CON.md", "'CON.md' is a device name on Windows"),
    "device-in-folder": ("sub/nul.txt", "'nul.txt' is a device name on Windows"),
    "windows-character": ('"a:b.md"', "holds the character ':'"),
    "trailing-dot": ('"sub./x.md"', "'sub.' ends in a dot or a space"),
    "too-long": ("a" * 300 + ".md", "a part is longer than 255 bytes"),
    # plain ASCII names, which are checked the quick way: each edge of it
    "plain-last-dot": ("x.md.", "'x.md.' ends in a dot or a space"),
    "plain-device": ("aux", "'aux' is a device name on Windows"),
    "plain-256-bytes": ("b" * 256, "a part is longer than 255 bytes"),
    "the-folder-itself": ('"."', "is not a plain relative file name"),
}


@pytest.mark.parametrize("case", sorted(BAD_OUTPUTS))
def test_output_names_that_some_system_cannot_hold(run, shipped: Path, case: str) -> None:
    value, message = BAD_OUTPUTS[case]
    write_tree(shipped, {"overrides/y.yml": Y + f"output: {value}\n"})
    before = snapshot(shipped / "out")
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line.startswith("overrides/y.yml:4:9: output name ")
    assert message in line
    assert "\x1b" not in line and "\u202e" not in line
    assert snapshot(shipped / "out") == before


@pytest.mark.parametrize("other", ["Regional-Partner-FAQ.md", "REGIONAL-partner-faq.md"])
def test_outputs_that_differ_only_in_case_are_one_file(run, shipped: Path, other: str) -> None:
    write_tree(shipped, {"overrides/y.yml": Y + f"output: {other}\n"})
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line == (
        f"overrides/y.yml:4:9: output '{other}' is also written by overrides/regional-partner.yml"
        " as 'regional-partner-faq.md' (on macOS and Windows the same file)"
    )


def test_outputs_that_differ_only_in_how_accents_are_composed_are_one_file(run, shipped: Path) -> None:
    write_tree(
        shipped,
        {"overrides/a.yml": Y + 'output: "caf\\u00e9.md"\n', "overrides/b.yml": Y + 'output: "cafe\\u0301.md"\n'},
    )
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line == (
        "overrides/b.yml:4:9: output 'cafe\u0301.md' is also written by overrides/a.yml as 'caf\u00e9.md'"
        " (on macOS and Windows the same file)"
    )


def test_a_folder_differing_only_in_case_from_a_page_is_refused(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/a.yml": Y + "output: Sub\n", "overrides/b.yml": Y + "output: sub/x.md\n"})
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line == "overrides/a.yml:4:9: output 'Sub' is a folder of another program's output"


@pytest.mark.parametrize("anchor", ['"x\\"><script>alert(1)</script>"', '"two words"', '"a\\nb"', '"it\'s"'])
def test_an_anchor_that_would_break_its_html_is_refused(run, shipped: Path, anchor: str) -> None:
    override = Y + f"sections:\n  - id: general\n    questions:\n      - id: joint\n        anchor: {anchor}\n"
    write_tree(shipped, {"overrides/y.yml": override})
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line.startswith("overrides/y.yml:8:17: 'anchor' ")
    assert line.endswith("is not a valid anchor (no spaces, quotes, '<', '>' or control characters)")
    assert not (shipped / "out" / "y-faq.md").exists()


def test_a_component_name_is_described_by_its_own_rule(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/y.yml": Y + "components: [Intl]\n"})
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line.endswith("'Intl' is not a valid name (lower-case letters, digits, '-', '_')")


def test_messages_escape_what_the_sources_say() -> None:
    problem = error(Loc("overrides/a\nb.yml", 3, 4), "unknown key 'x\x1b[2J\u2028y'")
    assert problem.one_line() == "overrides/a\\nb.yml:3:4: unknown key 'x\\x1b[2J\\u2028y'"
    assert str(problem) == "overrides/a\\nb.yml:3:4: [error] unknown key 'x\\x1b[2J\\u2028y' (syntax)"
    assert printable("tab\there é, – ok") == "tab\\there é, – ok"
    assert printable("bytes \udcff") == "bytes \\udcff"


def test_an_unknown_key_with_control_characters_is_one_line(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/y.yml": Y + '"bad\\nkey\\e[1m": 1\n'})
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line == "overrides/y.yml:4:1: unknown key 'bad\\nkey\\x1b[1m'"


# --- messages that blame the right line ------------------------------------------


def general(questions: str) -> dict[str, str]:
    return {"overrides/y.yml": Y + "sections:\n  - id: general\n    questions:\n" + questions}


def test_removing_a_question_another_lists_itself_next_to_blames_the_removal(run, shipped: Path) -> None:
    write_tree(shipped, general("      - id: joint\n        remove: true\n"))
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line == (
        "overrides/y.yml:7:9: cannot remove question 'joint': 'toc_before: joint' of question 'cs'"
        " (base/content.yml:48:21) lists that question next to it; give 'cs' another 'toc_before'"
    )


def test_moving_a_question_another_lists_itself_next_to_blames_the_move(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/y.yml": Y + "sections:\n  - id: in-person\n    questions:\n      - id: joint\n"})
    (line,) = one_line_errors(run("-C", shipped, "build"))
    assert line.startswith("overrides/y.yml:7:9: question 'joint' cannot move to section 'in-person': ")


def test_after_naming_the_entry_itself_is_the_only_message(run, shipped: Path) -> None:
    write_tree(shipped, general("      - id: joint\n        after: joint\n"))
    assert one_line_errors(run("-C", shipped, "build")) == [
        "overrides/y.yml:8:16: 'after: joint' names this question itself; name a neighbour"
    ]


def test_after_may_name_an_entry_the_same_list_adds_later(run, shipped: Path) -> None:
    write_tree(
        shipped,
        general(
            "      - {id: first, after: second, question: First?, answer: one}\n"
            "      - {id: third, before: first, question: Third?, answer: three}\n"
            "      - {id: second, after: joint, question: Second?, answer: two}\n"
        ),
    )
    result = run("-C", shipped, "build")
    assert result.exit_code == 0, result.stderr
    page = (shipped / "out" / "y-faq.md").read_text()
    body = [line for line in page.splitlines() if line.startswith("<a id=")]
    joint = body.index('<a id="joint"></a>')
    assert body[joint + 1 : joint + 4] == ['<a id="second"></a>', '<a id="third"></a>', '<a id="first"></a>']


def test_entries_placed_next_to_each_other_in_a_circle(run, shipped: Path) -> None:
    write_tree(
        shipped,
        general(
            "      - {id: a1, after: a2, question: A?, answer: a}\n      - {id: a2, after: a1, question: B?, answer: b}\n"
        ),
    )
    lines = one_line_errors(run("-C", shipped, "build"))
    assert [line.split(": ", 1)[0] for line in lines] == ["overrides/y.yml:7:25", "overrides/y.yml:8:25"]
    assert all(line.endswith("go round in a circle") for line in lines)


def test_the_summary_counts_pages_built_and_files_removed_apart(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/y.yml": Y})
    assert run("-C", shipped, "build").exit_code == 0
    (shipped / "overrides" / "y.yml").rename(shipped / "overrides" / "z.yml")
    result = run("-C", shipped, "build")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "3 pages built: 1 changed, 2 unchanged; 1 removed"
