"""Editing YAML sources as text: the value set, everything else byte for byte, every edit proven."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from variants.authoring.yamledit import CannotEdit, Item, YPath, insert_item, set_value
from variants.authoring.yamlwrite import plain
from variants.source.yamldoc import LOADER, parse_yaml

GENERAL = ("sections", Item("general"), "questions")

CONTENT = """\
# yaml-language-server: $schema=../base/override.schema.json
# Shared content.
title: "{{ name }} FAQs"
sections:
  - id: general
    title: "General questions:"
    questions:
      - id: map
        question: Can I apply?
        answer: |
          For this year, we are only looking for partners.
          Email us.
      # As published: the anchor repeats the next question's.
      - id: joint
        question: Can several organizations apply?  # sic
        answer: "Yes, some of our current partners have a joint partnership. \\n<br/>\\n"
  - id: budget
    title: "Questions about the budget:"
"""


def load(text: str) -> Any:
    return yaml.load(text, Loader=LOADER)


def edited(text: str, path: YPath, value: Any) -> str:
    new, _ = set_value(text, path, value)
    return new


# --- replacing a value: only its own text changes


def test_replace_a_block_answer_with_a_block() -> None:
    new, line = set_value(CONTENT, (*GENERAL, Item("map"), "answer"), "For this year, we look for partners.\n")
    assert new == CONTENT.replace(
        "          For this year, we are only looking for partners.\n          Email us.\n",
        "          For this year, we look for partners.\n",
    )
    assert line == 10


def test_replace_a_block_answer_with_one_line() -> None:
    new = edited(CONTENT, (*GENERAL, Item("map"), "answer"), "No.")
    assert new == CONTENT.replace(
        "        answer: |\n          For this year, we are only looking for partners.\n          Email us.\n",
        "        answer: No.\n",
    )


def test_replace_a_quoted_answer_keeps_its_quotes_where_it_still_needs_them() -> None:
    text = CONTENT.replace("some of our", "many of our")
    new, line = set_value(
        CONTENT,
        (*GENERAL, Item("joint"), "answer"),
        "Yes, many of our current partners have a joint partnership. \n<br/>\n",
    )
    assert new == text
    assert line == 16


def test_replace_keeps_the_comment_after_the_value() -> None:
    new = edited(CONTENT, (*GENERAL, Item("joint"), "question"), "Can two organizations apply?")
    assert "        question: Can two organizations apply?  # sic\n" in new
    new = edited(CONTENT, (*GENERAL, Item("joint"), "question"), "Line one\nline two\n")
    assert "        question: |  # sic\n          Line one\n          line two\n        answer:" in new


def test_replace_a_block_keeps_the_comment_on_its_header() -> None:
    text = "a: |  # note\n  one\n  two\nb: 1\n"
    assert edited(text, ("a",), "x") == "a: x  # note\nb: 1\n"
    assert edited(text, ("a",), "x\ny\n") == "a: |  # note\n  x\n  y\nb: 1\n"


def test_replace_a_text_with_an_edit_and_back() -> None:
    path = (*GENERAL, Item("map"), "answer")
    edit = edited(CONTENT, path, {"replace": "partners", "with": "organizations"})
    assert "        answer: {replace: partners, with: organizations}\n      # As published" in edit
    edits = edited(edit, path, [{"replace": "partners", "with": "organizations"}, {"append": " More soon.\n"}])
    assert (
        "        answer:\n"
        "          - {replace: partners, with: organizations}\n"
        '          - {append: " More soon.\\n"}\n'
        "      # As published"
    ) in edits
    assert edited(edits, path, "Back.\n") == CONTENT.replace(
        "For this year, we are only looking for partners.\n          Email us.\n", "Back.\n"
    )


def test_a_long_edit_is_written_in_block_style() -> None:
    long = "x" * 120
    new = edited(CONTENT, (*GENERAL, Item("map"), "answer"), {"replace": "partners", "with": long})
    assert f"        answer:\n          replace: partners\n          with: {long}\n      # As published" in new


def test_replace_a_whole_entry_written_in_flow_style() -> None:
    text = "sections:\n  - id: general\n    questions:\n      - {id: recruit, remove: true}\n      - id: ca\n"
    new, line = set_value(text, (*GENERAL, Item("recruit")), {"question": "Q?", "answer": "A.\n"})
    assert new == (
        "sections:\n  - id: general\n    questions:\n"
        "      - id: recruit\n        question: Q?\n        answer: |\n          A.\n"
        "      - id: ca\n"
    )
    assert line == 4


def test_a_replaced_entry_keeps_the_column_of_its_keys() -> None:
    text = "q:\n  - id: b\n    x: 1\n  -   id: a\n      x: 1\n  - id: c\n"
    assert edited(text, ("q", Item("a")), {"x": 2, "z": 3}) == (
        "q:\n  - id: b\n    x: 1\n  -   id: a\n      x: 2\n      z: 3\n  - id: c\n"
    )


def test_a_null_or_empty_value_on_the_path_is_written_anew() -> None:
    assert edited("program:\nsections: []\n", ("program", "name"), "X") == "program:\n  name: X\nsections: []\n"
    assert edited("sections: []  # none yet\n", (*GENERAL, Item("a"), "answer"), "A") == (
        "sections:  # none yet\n  - id: general\n    questions:\n      - id: a\n        answer: A\n"
    )


# --- creating keys and entries


def test_add_a_key_to_an_existing_question() -> None:
    new, line = set_value(CONTENT, (*GENERAL, Item("map"), "layout"), "compact")
    assert new == CONTENT.replace("          Email us.\n", "          Email us.\n        layout: compact\n")
    assert line == 13


def test_create_the_whole_path_in_a_file_with_only_program() -> None:
    text = "# yaml-language-server: $schema=../base/override.schema.json\nprogram:\n  name: Regional Partner\n"
    new, line = set_value(text, (*GENERAL, Item("joint"), "answer"), "Yes.\n<br/>\n")
    assert new == text + (
        "sections:\n"
        "  - id: general\n"
        "    questions:\n"
        "      - id: joint\n"
        "        answer: |\n"
        "          Yes.\n"
        "          <br/>\n"
    )
    assert line == 8


def test_append_an_entry_after_comments_between_entries() -> None:
    new, line = set_value(CONTENT, (*GENERAL, Item("cs"), "question"), "CS?")
    old_joint = '        answer: "Yes, some of our current partners have a joint partnership. \\n<br/>\\n"\n'
    assert new == CONTENT.replace(old_joint, old_joint + "      - id: cs\n        question: CS?\n")
    assert line == 18


def test_a_new_top_level_key_keeps_the_blank_lines_between_keys() -> None:
    text = "program:\n  name: R\n\n# As published.\nfooter: |\n  <br/>\n\nsections: []\n"
    assert edited(text, ("intro",), "Hi") == text + "\nintro: Hi\n"
    assert edited("a: 1\nb: 2\n", ("c",), 3) == "a: 1\nb: 2\nc: 3\n"


def test_insert_an_entry_after_a_given_one() -> None:
    new, line = insert_item(CONTENT, GENERAL, {"id": "pm", "question": "PM?", "answer": "See this.\n"}, "map")
    assert new == CONTENT.replace(
        "          Email us.\n",
        "          Email us.\n      - id: pm\n        question: PM?\n        answer: |\n          See this.\n",
    )
    assert line == 13
    assert [q["id"] for q in load(new)["sections"][0]["questions"]] == ["map", "pm", "joint"]


def test_insert_an_entry_at_the_start_before_the_comment_on_the_first() -> None:
    text = "questions:\n  # The first question.\n  - id: map\n    question: Q?\n"
    new, line = insert_item(text, ("questions",), {"question": "New?", "id": "new"}, None)
    assert (
        new == "questions:\n  - id: new\n    question: New?\n  # The first question.\n  - id: map\n    question: Q?\n"
    )
    assert line == 2


def test_insert_an_entry_into_a_missing_list() -> None:
    new, line = insert_item(
        CONTENT, ("sections", Item("budget"), "questions"), {"id": "pay", "layout": "compact"}, None
    )
    assert new == CONTENT + "    questions:\n      - id: pay\n        layout: compact\n"
    assert line == 20


def test_insert_refuses_an_unknown_place_or_a_taken_id() -> None:
    with pytest.raises(CannotEdit, match="line 7: the list has no entry 'nope'"):
        insert_item(CONTENT, GENERAL, {"id": "x"}, "nope")
    with pytest.raises(CannotEdit, match="already has an entry 'joint'"):
        insert_item(CONTENT, GENERAL, {"id": "joint"}, None)


# --- the file's own indentation

UNINDENTED = """\
sections:
- id: general
  questions:
  - id: map
    answer: Yes.
"""

FOUR = """\
program:
    name: R
sections:
    -   id: general
        questions:
            -   id: map
                answer: Yes.
"""


def test_lists_not_indented_under_their_key() -> None:
    assert edited(UNINDENTED, ("sections", Item("new"), "questions", Item("q"), "answer"), "A") == UNINDENTED + (
        "- id: new\n  questions:\n  - id: q\n    answer: A\n"
    )
    assert edited(UNINDENTED, (*GENERAL, Item("map"), "answer"), "Two\nlines\n") == UNINDENTED.replace(
        "    answer: Yes.\n", "    answer: |\n      Two\n      lines\n"
    )


def test_four_space_indentation() -> None:
    assert edited(FOUR, (*GENERAL, Item("cs"), "answer"), "A\n") == FOUR + (
        "            -   id: cs\n                answer: |\n                    A\n"
    )
    assert edited(FOUR, ("front_matter", "title"), "T") == FOUR + "front_matter:\n    title: T\n"


# --- how a text is written: exactly, and the way a person would


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain words, {{ name }}!", "plain words, {{ name }}!"),
        ("ends with a newline\n", "|\n  ends with a newline"),
        ("two\nlines", "|-\n  two\n  lines"),
        ("kept\n\n", "|+\n  kept\n"),
        ("  indented first\nthen not\n", "|2\n    indented first\n  then not"),
        ("\n  after a blank line\n", "|2\n\n    after a blank line"),
        ("trailing space ", '"trailing space "'),
        ("two lines\nwith a trailing space \n", '"two lines\\nwith a trailing space \\n"'),
        ("a\ttab", '"a\\ttab"'),
        ("tab\tin a\nblock\n", '"tab\\tin a\\nblock\\n"'),
        (" leading space", '" leading space"'),
        ("yes", '"yes"'),
        ("Off", '"Off"'),
        ("y", '"y"'),
        ("~", '"~"'),
        ("null", '"null"'),
        ("1e3", '"1e3"'),
        ("0o17", '"0o17"'),
        ("2017-18", "2017-18"),
        ("2017-01-01", '"2017-01-01"'),
        ("key: value", '"key: value"'),
        ("ends with colon:", '"ends with colon:"'),
        ("a #comment", '"a #comment"'),
        ("#hash", '"#hash"'),
        ("sheet#gid=0", "sheet#gid=0"),
        ("- dash", '"- dash"'),
        ("-dash", "-dash"),
        ("{{ name }} FAQs", '"{{ name }} FAQs"'),
        ("[link](x)", '"[link](x)"'),
        ("*bold*", '"*bold*"'),
        ('say "hi"', 'say "hi"'),
        ('"quoted"', '"\\"quoted\\""'),
        ("back\\slash", "back\\slash"),
        ("", '""'),
        ("\n", '"\\n"'),
        ("FTEâ€™s été 😀", "FTEâ€™s été 😀"),
        ("bell\x07", '"bell\\a"'),
        ("esc\x1b[0m", '"esc\\e[0m"'),
        ("nel\x85", '"nel\\N"'),
        ("line\u2028sep", '"line\\Lsep"'),
        ("zero\u200bwidth", '"zero\\u200Bwidth"'),
        ("nb\xa0sp", '"nb\\xA0sp"'),
        ("c1\x9b", '"c1\\x9B"'),
        ("bom\ufeff", '"bom\\uFEFF"'),
        ("del\x7f", '"del\\x7F"'),
        ("\\n not a newline\n<br/>\n", "|\n  \\n not a newline\n  <br/>"),
        ("# a heading\ntext\n", "|\n  # a heading\n  text"),
    ],
)
def test_texts_are_written_exactly(value: str, written: str) -> None:
    new = edited("a: 1\nb: 2\n", ("a",), value)
    assert new == f"a: {written}\nb: 2\n"
    assert load(new) == {"a": value, "b": 2}


@pytest.mark.parametrize(
    ("text", "block", "flow"),
    [
        ("words, {{ name }}!", True, False),
        ("2017-18", True, True),
        ("can I stil", True, True),
        ("the programs?", True, False),
        ("https://code.org/x#y", True, False),
        ("key: value", False, False),
        ("a #b", False, False),
        ("ends:", False, False),
        ("yes", False, False),
        ("- x", False, False),
        ("x ", False, False),
        ("a\tb", False, False),
        ("", False, False),
    ],
)
def test_the_writer_decides_plain_itself(text: str, block: bool, flow: bool) -> None:
    """What is plain is decided by rule, not left to the proof that catches a wrong guess."""
    assert (plain(text), plain(text, flow=True)) == (block, flow)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (-1, "-1"),
        ([], "[]"),
        ({}, "{}"),
        (["budget", "playbook"], "[budget, playbook]"),
    ],
)
def test_other_values(value: Any, written: str) -> None:
    assert edited("a: 1\nb: 2\n", ("a",), value) == f"a: {written}\nb: 2\n"


def test_nested_values_in_block_style() -> None:
    value = {"title": "FAQ", "noindex": True, "list": [{"x": "1", "y": ["a: b", "c"]}, "d\ne\n"]}
    assert edited("a: 1\n", ("front_matter",), value) == (
        "a: 1\n"
        "front_matter:\n"
        "  title: FAQ\n"
        "  noindex: true\n"
        "  list:\n"
        '    - x: "1"\n'
        '      "y": ["a: b", c]\n'
        "    - |\n"
        "      d\n"
        "      e\n"
    )


def test_a_block_that_would_read_otherwise_is_written_quoted() -> None:
    # No final line break in the file: a block here would lose its own.
    assert edited("a: 1", ("b",), "x\n") == 'a: 1\nb: "x\\n"'
    assert edited("a: 1\n", ("b",), "x\n") == "a: 1\nb: |\n  x\n"


# --- line ends, byte order mark, empty files


def test_crlf_line_ends_stay() -> None:
    text = CONTENT.replace("\n", "\r\n")
    new = edited(text, (*GENERAL, Item("map"), "answer"), "One\nTwo\n")
    assert new == edited(CONTENT, (*GENERAL, Item("map"), "answer"), "One\nTwo\n").replace("\n", "\r\n")
    assert "\r\n          One\r\n          Two\r\n" in new


def test_a_byte_order_mark_and_a_missing_final_newline_stay() -> None:
    assert edited("\ufeffa: 1\nb: x", ("b",), "z") == "\ufeffa: 1\nb: z"
    assert edited("\ufeffa: 1", ("c",), 2) == "\ufeffa: 1\nc: 2"


def test_an_empty_or_comment_only_file() -> None:
    assert edited("", ("program", "name"), "X") == "program:\n  name: X\n"
    assert edited("# nothing yet\n", ("a",), "b") == "# nothing yet\na: b\n"


# --- what is refused, with the line


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("sections: [{id: general}]\n", (*GENERAL, Item("x"), "answer"), "line 1: 'sections' is written in flow style"),
        (
            "sections:\n  - id: general\n    questions: [{id: a}]\n",
            (*GENERAL, Item("a"), "answer"),
            "line 3: 'questions' is written in flow style",
        ),
        ("answer: {replace: a, with: b}\n", ("answer", "with"), "line 1: 'answer' is written in flow style"),
        ("sections:\n  - {id: general, title: G}\n", (*GENERAL,), "line 2: entry 'general' is written in flow style"),
        ("answer: text\n", ("answer", "with"), "line 1: 'answer' holds a single value, not a mapping"),
        ("sections:\n  a: 1\n", (*GENERAL,), "line 2: 'sections' is a mapping, not a list"),
        ("base: &b\n  x: 1\nother: *b\n", ("other", "x"), "line 1: an anchor, alias or tag"),
        ("base: &b\n  x: 1\n", ("base", "x"), "line 1: an anchor, alias or tag"),
        ("a: !!str 1\n", ("a",), "line 1: an anchor, alias or tag"),
        ("a: 1\n---\nb: 2\n", ("a",), "line 2: a second document starts here"),
        ("a: 1\na: 2\n", ("a",), "line 2: key 'a' appears twice"),
        ("q:\n  - id: a\n  - id: a\n", ("q", Item("a"), "x"), "line 3: two entries have id 'a'"),
        ("a: 1\r\nb: 2\n", ("a",), "the file mixes \\r\\n and \\n line ends"),
        ("a: 1\rb: 2\n", ("a",), "line 1: a carriage return"),
        ("a: x\u2028y\n", ("a",), "line 1: a line break editors do not show"),
        ("a: [1\n", ("a",), "line 2: not valid YAML"),
        ("- a\n", ("a",), "line 1: the file is not a block mapping"),
        ("a:\n  # why\n  - 1\n", ("a",), "line 3: comment lines between a key and its value"),
    ],
)
def test_refused(text: str, path: YPath, message: str) -> None:
    with pytest.raises(CannotEdit) as caught:
        set_value(text, path, "v")
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_arguments_are_programming_errors() -> None:
    with pytest.raises(TypeError):
        set_value("a: 1\n", ("a",), 1.5)
    with pytest.raises(ValueError, match="path"):
        set_value("a: 1\n", (), 1)
    with pytest.raises(ValueError, match="id"):
        insert_item("a: 1\n", ("q",), {"question": "no id"}, None)


# --- every text of the shipped sources, changed one at a time

SHIPPED = sorted(
    [REPO / "base" / "content.yml", *(REPO / "overrides").glob("*.yml"), *(REPO / "examples").rglob("*.yml")]
)


def texts(node: yaml.Node, path: YPath = (), flow: bool = False) -> list[tuple[YPath, bool]]:
    """Every text value a path can name, and whether a flow-style container is on the way."""
    found: list[tuple[YPath, bool]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str"):
                found.append(((*path, key.value), flow or bool(node.flow_style)))
            found += texts(value, (*path, key.value), flow or bool(node.flow_style))
    elif isinstance(node, yaml.SequenceNode):
        for entry in node.value:
            ids = [v.value for k, v in entry.value if k.value == "id"] if isinstance(entry, yaml.MappingNode) else []
            if ids:
                found += texts(entry, (*path, Item(ids[0])), flow or bool(node.flow_style))
    return found


def put(data: Any, path: YPath, value: Any) -> Any:
    """``data`` with the value at an existing ``path`` replaced, independently of the module."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    if isinstance(step, str):
        return {**data, step: put(data[step], rest, value)}
    return [put(e, rest, value) if isinstance(e, dict) and e.get("id") == step.id else e for e in data]


MUTATIONS = [
    lambda s: s + " more",
    lambda s: "yes" if s else "no",
    lambda s: s.rstrip("\n") + "\nA new line, with: colon #and hash\n",
    lambda s: s.replace(" ", "  ", 1) + " ",
    lambda s: "\t" + s[::-1],
]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_text_can_be_changed_alone(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = parse_yaml(text, path.name)
    starts = sorted({line for line, _ in doc.keys.values()})
    edited_count = 0
    for where, flow in texts(yaml.compose(text, Loader=LOADER)):
        key_line = doc.keys[indexed(doc.data, where)][0]
        for mutate in MUTATIONS:
            value = mutate(get(doc.data, where))
            if flow:
                with pytest.raises(CannotEdit, match="flow style"):
                    set_value(text, where, value)
                continue
            new, line = set_value(text, where, value)
            assert parse_yaml(new, path.name).data == put(doc.data, where, value)
            assert line == key_line
            # Lines before the key and from the next key on are untouched.
            following = next((n for n in starts if n > key_line), None)
            old_lines, new_lines = text.splitlines(keepends=True), new.splitlines(keepends=True)
            assert new_lines[: key_line - 1] == old_lines[: key_line - 1]
            if following is not None:
                tail = old_lines[following - 1 :]
                assert new_lines[len(new_lines) - len(tail) :] == tail
            edited_count += 1
    assert edited_count > 0


def get(data: Any, path: YPath) -> Any:
    for step in indexed(data, path):
        data = data[step]
    return data


def indexed(data: Any, path: YPath) -> tuple[str | int, ...]:
    """``path`` with each entry's index for its ``Item``, as the parsed document's locations are keyed."""
    steps: list[str | int] = []
    for step in path:
        if isinstance(step, Item):
            step = next(i for i, e in enumerate(data) if isinstance(e, dict) and e.get("id") == step.id)
        steps.append(step)
        data = data[step]
    return tuple(steps)


# --- any text at all, anywhere


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.text(), where=st.sampled_from(["map", "joint", "new"]), key=st.sampled_from(["answer", "question", "toc"])
)
def test_any_text_reads_back_as_written(value: str, where: str, key: str) -> None:
    new, line = set_value(CONTENT, (*GENERAL, Item(where), key), value)
    data = load(CONTENT)
    questions = data["sections"][0]["questions"]
    entry = next((q for q in questions if q["id"] == where), None)
    if entry is None:
        questions.append(entry := {"id": where})
    entry[key] = value
    assert load(new) == data
    assert new.split("\n")[line - 1].lstrip().startswith(f"{key}:")


def created(data: Any, path: YPath, value: Any) -> Any:
    """``data`` with ``value`` at ``path``, missing keys and entries created, independently of the module."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    if isinstance(step, str):
        mapping = data if isinstance(data, dict) else {}
        return {**mapping, step: created(mapping.get(step), rest, value)}
    items = data if isinstance(data, list) else []
    if not any(isinstance(e, dict) and e.get("id") == step.id for e in items):
        items = [*items, {"id": step.id}]
    return [created(e, rest, value) if isinstance(e, dict) and e.get("id") == step.id else e for e in items]


VALUES = st.recursive(
    st.text() | st.integers() | st.booleans(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=20), inner, max_size=3),
    max_leaves=8,
)
PLACES = [
    ("title",),
    ("front_matter", "noindex"),
    (*GENERAL, Item("map"), "answer"),
    (*GENERAL, Item("joint"), "layout"),
    (*GENERAL, Item("new"), "answer"),
    ("sections", Item("budget"), "questions", Item("pay"), "answer"),
    ("sections", Item("other"), "questions", Item("q"), "toc"),
]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, where=st.sampled_from(PLACES), source=st.sampled_from([CONTENT, UNINDENTED, FOUR]))
def test_any_value_anywhere_reads_back_as_written(value: Any, where: YPath, source: str) -> None:
    new, _ = set_value(source, where, value)
    assert load(new) == created(load(source), where, value)
    assert new.startswith(source[: source.index("\n") + 1])  # what comes before stays
