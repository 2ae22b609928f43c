"""Merging by id: add, place, move, replace, remove; and the errors of each."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_tree
from variants.pipeline.build import render_project as build
from variants.problems import VariantsError

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


def test_forked_workers_give_the_same_bytes_and_problems(shipped: Path) -> None:
    from variants.pipeline.build import render_project as build
    from variants.problems import VariantsError

    for i in range(5):  # seven programs over three workers: uneven shares
        text = (shipped / "overrides" / "regional-partner.yml").read_text()
        (shipped / "overrides" / f"extra-{i}.yml").write_text(text.replace("Regional Partner", f"Program {i}"))
    assert build(shipped, jobs=3) == build(shipped, jobs=1)
    from variants.pipeline.build import build as build_all

    assert build_all(shipped, jobs=2, keep_pages=True).programs == build_all(shipped, jobs=1, keep_pages=True).programs
    write_tree(
        shipped,
        {
            "overrides/extra-2.yml": "program: {name: X}\n",
            "overrides/extra-4.yml": "program: {name: Y, nav: y}\noutput: extra-0-faq.md\n",
        },
    )
    with pytest.raises(VariantsError) as serial:
        build(shipped, jobs=1)
    with pytest.raises(VariantsError) as forked:
        build(shipped, jobs=3)
    assert forked.value.problems == serial.value.problems
    assert [p.one_line() for p in serial.value.problems] == [
        "overrides/extra-2.yml:1:10: missing required program variable 'nav'"
    ]
    write_tree(shipped, {"overrides/extra-2.yml": "program: {name: X, nav: x}\n"})
    with pytest.raises(VariantsError) as forked:
        build(shipped, jobs=3)
    assert [p.one_line() for p in forked.value.problems] == [
        "overrides/extra-4.yml:2:9: output 'extra-0-faq.md' is also written by overrides/extra-0.yml"
    ]


def test_base_problem_with_forked_workers(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import variants.pipeline.pool
    from variants.pipeline.build import render_project as build
    from variants.problems import VariantsError

    monkeypatch.setattr(variants.pipeline.pool, "PARALLEL_FROM", 2)
    content = shipped / "base" / "content.yml"
    content.write_text(content.read_text().replace("- id: pm", "- id: map"))
    with pytest.raises(VariantsError) as info:
        build(shipped)
    assert [p.one_line() for p in info.value.problems] == [
        "base/content.yml:29:9: duplicate id 'map' (first used at line 25)"
    ]


def test_errors_cross_process_boundaries() -> None:
    import pickle

    from variants.problems import Loc, VariantsError, error

    original = VariantsError([error(Loc("f.yml", 2, 3), "bad")])
    copy = pickle.loads(pickle.dumps(original))
    assert copy.problems == original.problems and str(copy) == "f.yml:2:3: bad"


@pytest.mark.parametrize(("count", "block"), [(200, 64), (201, 7), (5, 1), (1000, 64)])
def test_streamed_worker_results_come_whole_and_in_order(
    count: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import variants.pipeline.pool
    from variants.pipeline.pool import stream

    monkeypatch.setattr(variants.pipeline.pool, "PARALLEL_FROM", 2)
    items = stream(lambda start, stop: list(range(start, stop)), count, block)
    assert items is not None
    assert list(items) == list(range(count))
