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
    "id-of-a-section": (
        "  - {id: two, question: X, answer: x}",
        "overrides/p.yml:5:9: id 'two' is already used by a section id",
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


LAYOUT_PAGE = (
    "{% for s in sections %}# {{ s.title }}\n{% for q in s.questions %}{{ layout(q) }}{% endfor %}{% endfor %}"
)
HEADED = "### {{ q.question }}\n{{ q.answer }}\n"


@pytest.mark.parametrize(
    ("layouts", "added", "message"),
    [
        ({"standard": HEADED, "text": "{{ q.answer }}\n"}, "{id: x, layout: text, answer: x}", None),
        ({"standard": HEADED, "text": "{{ q.answer }}\n"}, "{id: x, answer: x}", "needs 'question'"),
        ({"standard": HEADED, "text": "{{ q.answer }}\n"}, "{id: x, layout: text, question: X}", "needs 'answer'"),
        (
            {"standard": HEADED, "toc": "{{ q.toc }}: {{ q.answer }}"},
            "{id: x, layout: toc, answer: 'x'}",
            "needs 'question'",
        ),
        ({"standard": HEADED, "bad": "{{ q.answer "}, "{id: x, layout: bad, answer: 'x'}", "needs 'question'"),
    ],
    ids=[
        "layout-reads-no-question",
        "default-layout-reads-it",
        "answer-still-needed",
        "toc-is-the-question",
        "unparsable",
    ],
)
def test_an_added_entry_needs_the_texts_its_layout_writes(
    tmp_path: Path, layouts: dict[str, str], added: str, message: str | None
) -> None:
    files = {f"base/layouts/{name}.md.j2": text for name, text in layouts.items()}
    write_tree(tmp_path, {**files, "base/variants.yml": "variables: {}\n", "base/page.md.j2": LAYOUT_PAGE})
    write_tree(
        tmp_path,
        {
            "base/content.yml": "sections:\n  - id: s\n    title: S\n    questions:\n      - {id: a, question: A, answer: a}\n"
        },
    )
    write_tree(tmp_path, {"overrides/p.yml": f"program: {{}}\nsections:\n  - id: s\n    questions:\n      - {added}\n"})
    if message is None:
        assert build(tmp_path)[0].text == "# S\n### A\na\nx\n"
        return
    with pytest.raises(VariantsError) as info:
        build(tmp_path)
    assert info.value.problems[0].one_line().startswith("overrides/p.yml:5:9: question 'x' is not in the base")
    assert message in info.value.problems[0].message


def _laid_out(root: Path, layouts: dict[str, str], base_entries: str, patch: str, **more: str) -> None:
    files = {f"base/layouts/{name}.md.j2": text for name, text in layouts.items()}
    content = f"sections:\n  - id: s\n    title: S\n    questions:\n{base_entries}"
    overrides = f"program: {{}}\nsections:\n  - id: s\n    questions:\n      - {patch}\n"
    write_tree(root, {**files, **more, "base/variants.yml": "variables: {}\n", "base/page.md.j2": LAYOUT_PAGE})
    write_tree(root, {"base/content.yml": content, "overrides/p.yml": overrides})


def test_a_layer_that_changes_the_layout_needs_the_texts_of_the_new_one(tmp_path: Path) -> None:
    layouts = {"standard": HEADED, "text": "{{ q.answer }}\n"}
    entries = "      - {id: a, question: A, answer: a}\n      - {id: t, layout: text, answer: just text}\n"
    _laid_out(tmp_path, layouts, entries, "{id: t, layout: standard}")
    with pytest.raises(VariantsError) as info:
        build(tmp_path)
    assert [p.one_line() for p in info.value.problems] == [
        "overrides/p.yml:5:25: question 't' has no 'question', which its layout 'standard' writes"
    ]


@pytest.mark.parametrize(
    ("layout", "more"),
    [
        ('{% include "partials/head.j2" %}{{ q.answer }}\n', {"base/partials/head.j2": "### {{ q.question }}\n"}),
        ('### {{ q.get("question") }}\n{{ q.answer }}\n', {}),
        ('### {{ q|attr("question") }}\n{{ q.answer }}\n', {}),
    ],
    ids=["include", "get", "attr"],
)
def test_a_question_read_through_an_include_or_by_name_is_still_needed(
    tmp_path: Path, layout: str, more: dict[str, str]
) -> None:
    _laid_out(tmp_path, {"standard": layout}, "      - {id: a, question: A, answer: a}\n", "{id: x, answer: x}", **more)
    with pytest.raises(VariantsError) as info:
        build(tmp_path)
    assert "question 'x' is not in the base, so adding it needs 'question'" in info.value.problems[0].one_line()


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


# Components, versions (extends), partial edits, moves between sections.


def family(root: Path, files: dict[str, str], template: str = TEMPLATE) -> dict[str, str]:
    """Build a project of the mini base plus ``files`` (components, overrides); page name -> text."""
    write_tree(root, {"base/variants.yml": SETTINGS, "base/page.md.j2": template, "base/content.yml": CONTENT, **files})
    return {o.name: o.text for o in build(root)}


def problems_of(root: Path, files: dict[str, str]) -> list[str]:
    with pytest.raises(VariantsError) as info:
        family(root, files)
    return [p.one_line() for p in info.value.problems]


EXTRA = "sections:\n  - id: two\n    questions:\n      - {id: x, question: 'X for {{ name }}', answer: x}\n"


def test_a_component_is_switched_on_by_name_and_applied_before_the_programs_own(tmp_path: Path) -> None:
    pages = family(
        tmp_path,
        {
            "base/components/extra.yml": EXTRA,
            "overrides/p.yml": "program: {name: P}\ncomponents: [extra]\n"
            "sections:\n  - id: two\n    questions:\n      - {id: x, answer: mine}\n",
            "overrides/q.yml": "program: {name: Q}\ncomponents: [extra]\n",
            "overrides/r.yml": "program: {name: R}\n",
        },
    )
    assert "x: X for P = mine\n" in pages["p.md"]  # the program's own entries come after the component
    assert "x: X for Q = x\n" in pages["q.md"]
    assert "x:" not in pages["r.md"]


def test_extends_starts_from_another_programs_page_in_a_chain(tmp_path: Path) -> None:
    pages = family(
        tmp_path,
        {
            "base/components/extra.yml": EXTRA,
            "overrides/p.yml": "program: {name: P, short: Pee}\ncomponents: [extra]\n",
            "overrides/p2.yml": "extends: p\nsections:\n  - id: one\n    questions:\n      - {id: a, remove: true}\n",
            "overrides/p3.yml": "extends: p2\nprogram: {name: Three}\n",
        },
    )
    assert "x: X for P = x" in pages["p2.md"] and "a:" not in pages["p2.md"] and "b for Pee" in pages["p2.md"]
    assert "x: X for Three = x" in pages["p3.md"] and "a:" not in pages["p3.md"]  # inherited along the chain
    assert "a: A for P = a" in pages["p.md"]  # a parent is not changed by its versions


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"overrides/p.yml": "extends: q\n", "overrides/q.yml": "extends: p\n"},
            "overrides/p.yml:1:10: extends goes round in a circle: p → q → p",
        ),
        (
            {"overrides/p.yml": "extends: pp\n"},
            "overrides/p.yml:1:10: extends 'pp': no such program (did you mean 'p'?)",
        ),
        (
            {"overrides/p.yml": "program: {name: P}\ncomponents: [extar]\n", "base/components/extra.yml": EXTRA},
            "overrides/p.yml:2:14: no component 'extar' (did you mean 'extra'?); components are the files in base/components/",
        ),
        (
            {"overrides/p.yml": "extends: q\n", "overrides/q.yml": "program: {name: Q}\nsectoins: []\n"},
            "overrides/p.yml:1:10: extends 'q', whose file overrides/q.yml has problems",
        ),
    ],
)
def test_errors_of_components_and_versions_are_located(tmp_path: Path, files: dict[str, str], message: str) -> None:
    found = problems_of(tmp_path, files)
    assert found[0] == message  # the broken chain says what is wrong with it, and nothing it would follow from
    assert all(p.startswith(("overrides/p.yml", "overrides/q.yml")) for p in found)


def test_a_component_file_is_checked_like_an_override(tmp_path: Path) -> None:
    bad = "sections:\n  - id: two\n    questoins: []\n"
    found = problems_of(tmp_path, {"base/components/extra.yml": bad, "overrides/p.yml": "program: {name: P}\n"})
    assert found == ["base/components/extra.yml:3:5: unknown key 'questoins' (did you mean 'questions'?)"]


EDITS = {
    "replace": ("{replace: for, with: about}", "a: A about Prog = a"),
    "append": ("{append: ' now'}", "a: A for Prog now = a"),
    "prepend": ("{prepend: 'Q: '}", "a: Q: A for Prog = a"),
    "several, in order": (
        "[{replace: for, with: about}, {append: '!'}, {replace: 'A a', with: An a}]",
        "a: An about Prog! = a",
    ),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_a_text_can_be_edited_instead_of_replaced(tmp_path: Path, case: str) -> None:
    edit, line = EDITS[case]
    text = mini(tmp_path, f"sections:\n  - id: one\n    questions:\n      - id: a\n        question: {edit}\n")
    assert f"{line}\n" in text


def test_an_edit_of_an_unset_text_edits_what_it_inherits(tmp_path: Path) -> None:
    """The table of contents shows the question unless 'toc' is set: editing 'toc' starts from it."""
    template = "{% for s in sections %}{{ s.title }}:{% for q in s.toc %}{{ q.toc }}|{{ q.question }}|{{ q.answer }}\n"
    template += "{% endfor %}{% endfor %}"
    patch = "sections:\n  - id: one\n    questions:\n      - {id: a, toc: {replace: A, with: Ay}}\n"
    pages = family(tmp_path, {"overrides/p.yml": "program: {name: Prog}\n" + patch}, template)
    assert "One:Ay for Prog|A for Prog|a\n" in pages["p.md"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            "{replace: fro, with: x}",
            'overrides/p.yml:6:29: "fro" is not in the question text of question \'a\'; the nearest is "for"',
        ),
        (
            "{replace: ' ', with: x}",
            "overrides/p.yml:6:29: \" \" occurs 4 times in the question text of question 'a'; give a longer passage that occurs once",
        ),
        ("{replace: x}", "overrides/p.yml:6:19: a replace edit needs 'with'"),
        (
            "{append: x, prepend: y}",
            "overrides/p.yml:6:19: an edit must say what it does: give one of append or prepend, not both",
        ),
        ("{with: x}", "overrides/p.yml:6:19: an edit must say what it does: give one of replace, append or prepend"),
        ("[]", "overrides/p.yml:6:19: 'question' lists no edits"),
        ("{repalce: x, with: y}", "overrides/p.yml:6:20: unknown key 'repalce' (did you mean 'replace'?)"),
    ],
)
def test_a_bad_edit_is_one_located_problem(tmp_path: Path, edit: str, message: str) -> None:
    with pytest.raises(VariantsError) as info:
        mini(tmp_path, f"sections:\n  - id: one\n    questions:\n      - id: a\n        question: {edit}\n")
    assert message in [p.one_line() for p in info.value.problems]


def test_a_question_listed_under_another_section_moves_there(tmp_path: Path) -> None:
    text = mini(tmp_path, "sections:\n  - id: two\n    questions:\n      - {id: b, before: d, answer: moved}\n")
    assert [line for line in text.splitlines() if line.startswith("[")] == ["[One] a c", "[Two] b d"]
    assert "b: B = moved\n" in text
    new_section = "sections:\n  - id: three\n    title: Three\n    questions:\n      - {id: a}\n"
    text = mini(tmp_path, new_section)
    assert "[Three] a" in text and "[One] b c" in text


def test_a_question_cannot_move_to_a_section_that_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(VariantsError) as info:
        mini(tmp_path, "sections:\n  - id: tow\n    questions:\n      - {id: b}\n")
    assert [p.one_line() for p in info.value.problems] == [
        "overrides/p.yml:3:5: cannot move question 'b' to section 'tow': no such section (did you mean 'two'?)"
    ]


# The page frame as data.

FRAME = """\
{{ before_front_matter }}---
{{ front_matter }}---
{{ "\\n" * front_matter_spacing }}# {{ title }}
{% for s in sections %}{% if s.title %}{% endif %}{% for q in s.questions %}
{{ "\\n" * q.heading_spacing }}{{ q.question }}|{{ q.answer }}
{% endfor %}{% endfor %}
{% if footer %}
{{ footer }}
{% endif %}
"""


def test_the_page_frame_is_data(tmp_path: Path) -> None:
    override = """\
program: {name: P}
before_front_matter: "<!-- generated -->\\n"
front_matter: {noindex: true, weight: 3, tags: [a, b], title: "{{ name }} FAQ"}
front_matter_spacing: 1
footer: ""
final_newline: false
heading_spacing: 0
sections:
  - id: one
    questions:
      - {id: b, heading_spacing: 2}
"""
    pages = family(tmp_path, {"overrides/p.yml": override}, FRAME)
    assert pages["p.md"] == (
        "<!-- generated -->\n---\nnoindex: true\nweight: 3\ntags:\n- a\n- b\ntitle: P FAQ\n---\n\n# \n"
        "A for P|a\n\n\nB|b for P\nC|c\nD|d"
    )
    plain = family(tmp_path, {"overrides/p.yml": "program: {name: P}\nfooter: 'The end.'\n"}, FRAME)
    assert plain["p.md"].startswith("---\n---\n# \n\nA for P|a\n") and plain["p.md"].endswith("D|d\nThe end.\n")


def test_a_key_the_templates_never_read_fails_the_build_as_check_says(run, tmp_path: Path) -> None:
    family(tmp_path, {"overrides/p.yml": "program: {name: P}\n"}, FRAME)
    (tmp_path / "overrides" / "p.yml").write_text("program: {name: P}\nrule_spacing: 2\nintro: Hi\n")
    built, checked = run("-C", tmp_path, "build"), run("-C", tmp_path, "check")
    message = "overrides/p.yml:2:1: 'rule_spacing' is set but no template reads it"
    assert (built.exit_code, checked.exit_code) == (1, 1)
    assert message in built.stderr.splitlines()
    assert f"{message.replace(': ', ': [error] ', 1)} (unused-key)" in checked.stdout.splitlines()


def test_an_empty_answer_fails_the_build_as_check_says(run, tmp_path: Path) -> None:
    family(tmp_path, {"overrides/p.yml": "program: {name: P}\n"})
    patch = "sections:\n  - id: one\n    questions:\n      - {id: a, answer: '<br/>  '}\n"
    (tmp_path / "overrides" / "p.yml").write_text("program: {name: P}\n" + patch)
    built, checked = run("-C", tmp_path, "build"), run("-C", tmp_path, "check")
    assert built.exit_code == checked.exit_code == 1
    assert built.stderr == "overrides/p.yml:5:25: the answer of question 'a' is empty\n"
    assert "overrides/p.yml:5:25: [error] the answer of question 'a' is empty (empty-answer)" in checked.stdout


def test_a_layout_sees_only_its_question_whether_or_not_layouts_are_inlined(run, shipped: Path) -> None:
    """Layouts are written into the page template for speed; one that reads the page's names still
    fails as the macro it stands for does, at its own line."""
    layout = shipped / "base" / "layouts" / "standard.md.j2"
    layout.write_text(layout.read_text() + "{{ title }}\n")
    result = run("-C", shipped, "build", "--no-cache")
    assert result.exit_code == 1
    assert result.stderr == "base/layouts/standard.md.j2:11: template error: 'title' is undefined\n"


def test_templates_compiled_once_still_render_in_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that builds again reuses the compiled page template; the sandbox holds for it."""
    import shutil

    from conftest import REPO
    from variants.pipeline.build import build as build_all
    from variants.pipeline.render import Compiled
    from variants.pipeline.sandbox import LimitedSandbox

    root = tmp_path / "project"
    for folder in ("base", "overrides"):
        shutil.copytree(REPO / folder, root / folder)
    template = root / "base" / "page.md.j2"
    template.write_text("{{ ''.__class__.__mro__ }}\n" + template.read_text())
    compiled = Compiled()
    first = sorted(p.message for p in build_all(root, jobs=1, compiled=compiled).problems)
    names: list[str] = []
    real = LimitedSandbox.compile
    monkeypatch.setattr(
        LimitedSandbox, "compile", lambda self, *a, **k: names.append(str(a[1:2])) or real(self, *a, **k)
    )
    second = sorted(p.message for p in build_all(root, jobs=1, compiled=compiled).problems)
    assert not [n for n in names if "page.md.j2" in n]  # the page template came compiled
    assert first == second and any("__class__" in m for m in first), first
