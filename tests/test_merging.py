"""Merging by id: add, place, move, replace, remove; and the errors of each."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_tree
from variants.building import build
from variants.errors import VariantsError

SETTINGS = """\
output: "{slug}.md"
variables:
  name: {required: true}
  short: {default: "{{ name }}"}
"""
TEMPLATE = """\
{% for s in sections %}
[{{ s.title }}]{% for q in s.toc %} {{ q.id }}{% endfor %}

{% for q in s.questions %}
{{ q.id }}: {{ q.question }} = {{ q.answer }}
{% endfor %}
{% endfor %}
"""
CONTENT = """\
sections:
  - id: one
    title: One
    questions:
      - {id: a, question: "A for {{ name }}", answer: "a"}
      - {id: b, question: "B", answer: "b for {{ short }}"}
      - {id: c, question: "C", answer: "c"}
  - id: two
    title: Two
    questions:
      - {id: d, question: "D", answer: "d"}
"""


def mini(root: Path, override: str, content: str = CONTENT) -> str:
    """Build a one-program project and return its page."""
    write_tree(
        root,
        {
            "base/variants.yml": SETTINGS,
            "base/page.md.j2": TEMPLATE,
            "base/content.yml": content,
            "overrides/p.yml": "program: {name: Prog}\n" + override,
        },
    )
    (output,) = build(root)
    return output.text


def test_base_alone(tmp_path: Path) -> None:
    assert mini(tmp_path, "") == ("[One] a b c\na: A for Prog = a\nb: B = b for Prog\nc: C = c\n[Two] d\nd: D = d\n")


def test_variable_default_and_override(tmp_path: Path) -> None:
    assert "b for Prog\n" in mini(tmp_path, "")
    write_tree(tmp_path, {"overrides/p.yml": "program: {name: Prog, short: P}\n"})
    assert "b for P\n" in build(tmp_path)[0].text


@pytest.mark.parametrize(
    ("patch", "order"),
    [
        ("  - {id: x, after: a, question: X, answer: x}", "a x b c"),
        ("  - {id: x, before: a, question: X, answer: x}", "x a b c"),
        ("  - {id: x, question: X, answer: x}", "a b c x"),
        ("  - {id: c, after: a}", "a c b"),
        ("  - {id: a, remove: true}", "b c"),
    ],
)
def test_questions_merge_by_id(tmp_path: Path, patch: str, order: str) -> None:
    text = mini(tmp_path, f"sections:\n  - id: one\n    questions:\n  {patch}\n")
    assert text.splitlines()[0] == f"[One] {order}"


def test_replace_answer_keeps_question(tmp_path: Path) -> None:
    text = mini(tmp_path, "sections:\n  - id: one\n    questions:\n      - {id: b, answer: new}\n")
    assert "b: B = new\n" in text


def test_add_remove_and_move_sections(tmp_path: Path) -> None:
    override = """\
sections:
  - id: extra
    after: one
    title: Extra
    questions:
      - {id: e, question: E, answer: e}
  - id: two
    remove: true
"""
    text = mini(tmp_path, override)
    assert [line for line in text.splitlines() if line.startswith("[")] == ["[One] a b c", "[Extra] e"]


def test_toc_order_is_data(tmp_path: Path) -> None:
    content = CONTENT.replace(
        '{id: c, question: "C", answer: "c"}', '{id: c, question: "C", answer: "c", toc_before: a}'
    )
    text = mini(
        tmp_path, "sections:\n  - id: one\n    questions:\n      - {id: x, after: b, question: X, answer: x}\n", content
    )
    assert text.splitlines()[0] == "[One] c a b x"
    assert "a: A for Prog = a\nb: B = b for Prog\nx: X = x\nc: C = c\n" in text


ERRORS = {
    "remove-missing": (
        "  - {id: bb, remove: true}",
        "overrides/p.yml:5:9: cannot remove question 'bb': not in the base (did you mean 'b'?)",
    ),
    "after-missing": (
        "  - {id: x, after: cc, question: X, answer: x}",
        "overrides/p.yml:5:24: 'after: cc': no such question here (did you mean 'c'?)",
    ),
    "add-without-answer": (
        "  - {id: x, question: X}",
        "overrides/p.yml:5:9: question 'x' is not in the base, so adding it needs 'answer'",
    ),
    "duplicate-in-override": (
        "  - {id: x, question: X, answer: x}\n      - {id: x, question: Y, answer: y}",
        "overrides/p.yml:6:9: duplicate id 'x' (first used at line 5)",
    ),
    "id-of-other-section": (
        "  - {id: d, question: X, answer: x}",
        "overrides/p.yml:5:9: id 'd' is already used by section 'two'",
    ),
    "remove-with-keys": (
        "  - {id: a, remove: true, answer: z}",
        "overrides/p.yml:5:9: 'remove: true' cannot be combined with answer",
    ),
    "after-and-before": (
        "  - {id: x, after: a, before: b, question: X, answer: x}",
        "overrides/p.yml:5:9: give 'after' or 'before', not both",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_merge_errors_name_file_line_and_column(tmp_path: Path, case: str) -> None:
    patch, message = ERRORS[case]
    with pytest.raises(VariantsError) as info:
        mini(tmp_path, f"sections:\n  - id: one\n    questions:\n    {patch}\n")
    assert [p.one_line() for p in info.value.problems] == [message]


def test_duplicate_ids_in_base(tmp_path: Path) -> None:
    content = CONTENT.replace('{id: d, question: "D", answer: "d"}', '{id: a, question: "D", answer: "d"}')
    with pytest.raises(VariantsError) as info:
        mini(tmp_path, "", content)
    assert [p.one_line() for p in info.value.problems] == [
        "base/content.yml:11:9: duplicate id 'a' (first used at line 5)"
    ]


def test_all_problems_of_all_files_reported_together(tmp_path: Path) -> None:
    write_tree(tmp_path, {"overrides/q.yml": "program: {name: Q}\nsections:\n  - {id: zz, remove: true}\n"})
    with pytest.raises(VariantsError) as info:
        mini(tmp_path, "sections:\n  - {id: yy, remove: true}\n")
    assert [p.one_line() for p in info.value.problems] == [
        "overrides/p.yml:3:5: cannot remove section 'yy': not in the base",
        "overrides/q.yml:3:5: cannot remove section 'zz': not in the base",
    ]


def test_toc_moves_chain_in_any_order(tmp_path: Path) -> None:
    content = CONTENT.replace(
        '{id: c, question: "C", answer: "c"}', '{id: c, question: "C", answer: "c", toc_before: a}'
    )
    override = (
        "sections:\n  - id: one\n    questions:\n      - {id: x, after: c, question: X, answer: x, toc_after: c}\n"
    )
    assert mini(tmp_path, override, content).splitlines()[0] == "[One] c x a b"


def test_toc_cycle_is_an_error(tmp_path: Path) -> None:
    content = CONTENT.replace(
        '{id: a, question: "A for {{ name }}", answer: "a"}', '{id: a, question: "A", answer: "a", toc_after: b}'
    )
    content = content.replace(
        '{id: b, question: "B", answer: "b for {{ short }}"}', '{id: b, question: "B", answer: "b", toc_before: a}'
    )
    with pytest.raises(VariantsError) as info:
        mini(tmp_path, "", content)
    assert [p.one_line() for p in info.value.problems] == [
        "base/content.yml:5:56: toc_before/toc_after of 'a', 'b' go round in a circle"
    ]


def test_one_id_twice_in_one_override_across_sections(tmp_path: Path) -> None:
    override = """\
sections:
  - id: one
    questions:
      - {id: x, question: X, answer: x}
  - id: two
    questions:
      - {id: x, question: Y, answer: y}
"""
    with pytest.raises(VariantsError) as info:
        mini(tmp_path, override)
    assert [p.one_line() for p in info.value.problems] == [
        "overrides/p.yml:8:9: duplicate id 'x' (also used at line 5)"
    ]
