"""Reading YAML: every broken or hostile file gives one located problem, never a crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import snapshot
from variants.problems import VariantsError
from variants.source import yamldoc
from variants.source.files import MAX_FILE_BYTES
from variants.source.yamldoc import load_yaml, parse_yaml


def problems_of(text: str | bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "f.yml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(VariantsError) as info:
        load_yaml(path, "f.yml")
    return [p.one_line() for p in info.value.problems]


def test_values_keep_their_locations() -> None:
    doc = parse_yaml("a:\n  b: |\n    text\n  c: 'q'\nlist:\n  - x\n", "f.yml")
    assert doc.data == {"a": {"b": "text\n", "c": "q"}, "list": ["x"]}
    assert str(doc.loc(("a", "b"))) == "f.yml:3:5"
    assert str(doc.loc(("a", "c"))) == "f.yml:4:6"
    assert str(doc.key_loc(("a", "c"))) == "f.yml:4:3"
    assert str(doc.loc(("list", 0))) == "f.yml:6:5"


def test_place_inside_a_text() -> None:
    doc = parse_yaml('a: |\n  one\n  two {{ x }}\nb: "say {{ y }}"\n', "f.yml")
    assert str(doc.loc(("a",)).inside(doc.data["a"], doc.data["a"].index("x"))) == "f.yml:3:10"
    assert str(doc.loc(("b",)).inside(doc.data["b"], doc.data["b"].index("{{ y") + 3)) == "f.yml:4:12"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb:\n  answer: x\n  answer: y\n", "f.yml:4:3: duplicate key 'answer' (first defined at line 3)"),
        ("a:\n\tb: 1\n", "f.yml:2:1: YAML syntax error: tab character used for indentation (YAML allows spaces only)"),
        ("", "f.yml:1:1: file is empty; expected a mapping of keys"),
        ("# only a comment\n", "f.yml:1:1: file is empty; expected a mapping of keys"),
        ("- a\n- b\n", "f.yml:1:1: expected a mapping of keys, found a list"),
        ("just text\n", "f.yml:1:1: expected a mapping of keys, found a single value"),
        (
            "a: !!python/object:os.system x\n",
            "f.yml:1:4: YAML error: tag 'tag:yaml.org,2002:python/object:os.system' is not supported",
        ),
        ("a: !!python/tuple [1, 2]\n", "f.yml:1:4: YAML error: tag 'tag:yaml.org,2002:python/tuple' is not supported"),
        ("a: !custom {b: 1}\n", "f.yml:1:4: YAML error: tag '!custom' is not supported"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "f.yml:3:3: merge keys ('<<') are not supported; write the keys out"),
        ("? [a]\n: 1\n", "f.yml:1:3: keys must be plain text"),
    ],
)
def test_broken_yaml(tmp_path: Path, text: str, expected: str) -> None:
    assert problems_of(text, tmp_path) == [expected]


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: [1, 2\n", "f.yml:2:"), ("a: b: c\n", "f.yml:1:"), ("a:\n  - x\n y: 1\n", "f.yml:3:")],
)
def test_syntax_errors_are_located_in_our_words(tmp_path: Path, text: str, where: str) -> None:
    # The parser's own explanation follows our prefix; its wording is the parser's, not asserted.
    (problem,) = problems_of(text, tmp_path)
    assert re.fullmatch(re.escape(where) + r"\d+: YAML syntax error: \S[^\n]*", problem), problem


def test_invalid_utf8_names_the_byte(tmp_path: Path) -> None:
    assert problems_of(b"a: ok\nb: caf\xe9\n", tmp_path) == ["f.yml:2:7: invalid UTF-8 at byte offset 12 (0xe9)"]


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (problem,) = problems_of("\n".join(lines) + "\n", tmp_path)
    assert problem.endswith("aliases repeat more than 100000 values (alias bomb?)")


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    assert problems_of("a: " + "x" * MAX_FILE_BYTES + "\n", tmp_path) == [
        f"f.yml: file is larger than the limit of {MAX_FILE_BYTES} bytes"
    ]


DEEP = {
    "flow": ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "f.yml:1:203"),
    # Deeper than libyaml's own limit (1,000 levels in 0.2.5), in block indentation.
    "block": ("".join(" " * i + "k:\n" for i in range(1100)) + " " * 1100 + "v\n", "f.yml:201:201"),
    "flow-mappings": ("a: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", "f.yml:1:800"),
    "indicators": ("x:\n  " + "- " * 100_000 + "z\n", "f.yml:2:401"),
}


@pytest.mark.parametrize("loader", ["libyaml", pytest.param("python", marks=pytest.mark.slow)])
@pytest.mark.parametrize("case", sorted(DEEP))
def test_deep_nesting_is_one_located_problem_whichever_parser_stops_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, loader: str
) -> None:
    if loader == "python":  # the pure-Python parser, as where libyaml is not installed
        monkeypatch.setattr(yamldoc, "LOADER", yaml.SafeLoader)
    text, where = DEEP[case]
    assert problems_of(text, tmp_path) == [f"{where}: nesting deeper than {yamldoc.MAX_DEPTH} levels"]


def test_deep_nesting_in_an_override_stops_the_build_and_writes_nothing(run, shipped: Path) -> None:
    before = snapshot(shipped / "out")
    (shipped / "overrides" / "deep.yml").write_text(DEEP["block"][0])
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["overrides/deep.yml:201:201: nesting deeper than 200 levels"]
    assert snapshot(shipped / "out") == before


def test_deep_block_nesting_does_not_crash(tmp_path: Path) -> None:
    text = "".join(" " * (2 * i) + "k:\n" for i in range(300)) + " " * 600 + "v\n"
    (problem,) = problems_of(text, tmp_path)
    assert problem.endswith("nesting deeper than 200 levels")


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(VariantsError, match="no such file"):
        load_yaml(tmp_path / "nope.yml")
    with pytest.raises(VariantsError, match="is a folder"):
        load_yaml(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!int abc\n", "f.yml:1:4: YAML error: 'abc' is not a valid int"),
        ("a: !!float x\n", "f.yml:1:4: YAML error: 'x' is not a valid float"),
        ("a: !!timestamp soon\n", "f.yml:1:4: YAML error: 'soon' is not a valid timestamp"),
        ("!!int abc: x\n", "f.yml:1:1: YAML error: 'abc' is not a valid int"),
        ('a: ok\nb: "x\x01y"\n', "f.yml:2:6: YAML error: character #x0001 is not allowed in YAML"),
    ],
)
def test_values_their_tag_cannot_hold(tmp_path: Path, text: str, expected: str) -> None:
    assert problems_of(text, tmp_path) == [expected]


def test_long_run_of_block_indicators_does_not_crash(tmp_path: Path) -> None:
    (problem,) = problems_of("x:\n  " + "- " * 100_000 + "z\n", tmp_path)
    assert problem.endswith("nesting deeper than 200 levels")


def test_control_character_with_many_brackets(tmp_path: Path) -> None:
    (problem,) = problems_of("a: " + "[]" * 300 + '\nb: "\x01"\n', tmp_path)
    assert problem.startswith("f.yml:2:5: YAML error: character #x0001 is not allowed")
