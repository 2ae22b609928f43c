"""Property-based tests: any override either builds or fails cleanly; any text comes out as written."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import REPO, write_tree
from variants.pipeline.build import render_project as build
from variants.problems import VariantsError

pytestmark = pytest.mark.slow

KEYS = [
    "program",
    "name",
    "nav",
    "name_in_text",
    "output",
    "sections",
    "id",
    "questions",
    "question",
    "answer",
    "after",
    "before",
    "remove",
    "title",
    "toc",
    "anchor",
    "rule",
    "layout",
    "footer",
    "intro",
    "toc_spacing",
    "front_matter",
    "general",
    "joint",
    "map",
    "pay",
    "zz",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(KEYS),
    st.text(max_size=20),
    st.sampled_from(["{{ name }}", "{{ nope }}", "{% for %}", "{{ ''.__class__ }}", "../x.md", "/abs.md", "a/b.md"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=25,
)
overrides = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), documents, max_size=6),
    st.fixed_dictionaries(
        {"program": st.fixed_dictionaries({"name": st.text(max_size=10), "nav": st.text(max_size=10)})},
        optional={"sections": documents, "output": documents, "footer": documents},
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(override=overrides)
def test_random_overrides_build_or_fail_cleanly(override: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(REPO / "base", root / "base")
        write_tree(root, {"overrides/p.yml": yaml.safe_dump(override, allow_unicode=True)})
        try:
            outputs, problems = build(root), []
        except VariantsError as exc:
            outputs, problems = [], exc.problems
        assert bool(outputs) != bool(problems)  # a page, or the problems that stopped it
        assert len(outputs) <= 1
        for problem in problems:
            assert "\n" not in problem.one_line()
            assert problem.loc.path.startswith(("overrides/p.yml", "base/"))


# The template reads every key it is given (the build refuses keys that do nothing): the title and name silently.
TEMPLATE = (
    "{% for s in sections %}{% if s.title %}{% endif %}{% for q in s.questions %}"
    "{{ q.question }}<SEP>{{ q.answer }}{% endfor %}{% endfor %}{% if name %}{% endif %}"
)
plain_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60).filter(
    lambda t: not any(mark in t for mark in ("{{", "{%", "{#", "<SEP>"))
)


def render_one(question: str, answer: str, name: str = "P") -> str:
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(
            Path(folder),
            {
                "base/variants.yml": "variables:\n  name: {required: true}\n",
                "base/page.md.j2": TEMPLATE,
                # Double-quoted style escapes every special character, so any code point
                # round-trips through YAML (raw NEL, for one, is a YAML line break).
                "base/content.yml": yaml.safe_dump(
                    {
                        "sections": [
                            {
                                "id": "s",
                                "title": "S",
                                "questions": [{"id": "q", "question": question, "answer": answer}],
                            }
                        ]
                    },
                    default_style='"',
                ),
                "overrides/p.yml": yaml.safe_dump({"program": {"name": name}}, default_style='"'),
            },
        )
        (output,) = build(root)
        return output.text


@settings(max_examples=200, deadline=None)
@given(question=plain_text, answer=plain_text)
def test_any_text_comes_out_exactly_as_written(question: str, answer: str) -> None:
    no_text = not re.sub(r"</?br\s*/?>|</?a\b[^>]*>|\[[^\]\n]*\]\(#top\)", "", answer, flags=re.IGNORECASE).strip()
    if question.strip() and no_text:  # a question with no answer text: refused, as check would
        with pytest.raises(VariantsError) as info:
            render_one(question, answer)
        assert [p.rule for p in info.value.problems] == ["empty-answer"]
        return
    assert render_one(question, answer) == f"{question}<SEP>{answer}"


@settings(max_examples=100, deadline=None)
@given(before=plain_text, after=plain_text, name=plain_text)
def test_text_around_a_variable_comes_out_exactly(before: str, after: str, name: str) -> None:
    # Jinja would turn "\r\n" into "\n" in template text: the renderer must not.
    assume(not before.endswith("{"))  # "{" + "{{" would be a different template
    assert render_one("q", f"{before}{{{{ name }}}}{after}", name) == f"q<SEP>{before}{name}{after}"


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            ["{{ name }}", "{{name}}", "{{  x }}", "{", "}", "{{", "}}", "%", "#", " ", "\r\n", "\n", "\t", "a", "é"]
        ),
        max_size=12,
    ).map("".join)
)
def test_plain_substitution_renders_like_jinja(text: str) -> None:
    """The renderer skips Jinja for texts that only substitute variables: same output either way."""
    from variants.pipeline.texts import Texts, plain_substitution

    fast = plain_substitution(text)
    assume(fast is not None)
    slow = Texts().compile_jinja(text)
    context = {**{n: f"<{n}>" for n in fast.names}, "name": "N\r\n{{ x }}"}
    assert not isinstance(slow, Exception), slow
    assert fast.names == slow.names
    assert fast.render(context) == slow.render(context)


@settings(max_examples=500, deadline=None)
@given(
    values=st.dictionaries(
        st.text(st.sampled_from("ab_Z0 .-:#'\"\t"), min_size=1, max_size=6),
        st.one_of(
            st.text(st.sampled_from("aB_9 .,/()-:#'\"!*&yesnotrulfNY"), max_size=10),
            st.sampled_from(
                ["yes", "No", "null", "~", "on", "12", "1.5", "0x1F", "2017-01-01", "Regional Partner FAQs"]
            ),
        ),
        max_size=3,
    )
)
def test_front_matter_fast_path_writes_what_pyyaml_writes(values: dict[str, str]) -> None:
    from variants.pipeline.frontmatter import DUMPER, dump_front_matter

    assume(values)  # no keys: no front matter lines at all
    expected = yaml.dump(
        values, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
    assert dump_front_matter(values) == expected
    assert yaml.safe_load(expected) == values


def test_hostile_expressions_fail_cleanly() -> None:
    with pytest.raises(VariantsError) as info:
        render_one("q", "{{ " + "(" * 3000 + "name" + ")" * 3000 + " }}")
    assert [(p.rule, p.message) for p in info.value.problems] == [
        ("template", "template syntax error: expression nested too deeply")
    ]
    # Jinja's own constant, not a variable: the same whichever way the text is rendered.
    assert render_one("q", "{{ none }}") == render_one("q", "{{ none }}{# c #}") == "q<SEP>None"


_LAYOUT_PIECES = st.sampled_from(
    ["text", "\n", " ", "\t", "{{ q.question }}", "{{ q.answer }}", "{{- q.id -}}", "{# note #}", "{%- if q.id %}x{% endif -%}",
     "{% if q.answer %}", "{% endif %}", "{% set k = 1 %}", "  {% if true %}y{% endif %}\n", "{{ k | default(0) }}"]
)  # fmt: skip
_CALLS = st.sampled_from(
    ["{{ layout(q) }}", "{{ layout(q) -}}", "{{- layout(q) }}", "{{-layout(q)-}}", " {{ layout(q) }} "]
)


def _balanced(pieces: list[str]) -> str:
    """Layout text whose if-blocks are closed."""
    depth = 0
    kept = []
    for piece in pieces:
        if piece == "{% endif %}":
            if not depth:
                continue
            depth -= 1
        elif piece == "{% if q.answer %}":
            depth += 1
        kept.append(piece)
    return "".join(kept) + "{% endif %}" * depth


@settings(max_examples=300, deadline=None)
@given(
    layouts=st.lists(st.lists(_LAYOUT_PIECES, max_size=12).map(_balanced), min_size=1, max_size=3),
    call=_CALLS,
    around=st.sampled_from(
        [("", ""), ("\n", "\n"), ("a\n", "\nb"), ("  ", "  \n"), ("{% for s in [1] %}\n", "\n{% endfor %}\n")]
    ),
)
def test_inlined_layouts_render_as_the_layout_macro(layouts: list[str], call: str, around: tuple[str, str]) -> None:
    """The page template with its layouts written in renders what calling each layout's macro renders."""
    from jinja2 import DictLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from variants.pipeline.render import inline_layouts

    before, after = around
    names = {f"l{n}": text for n, text in enumerate(layouts)}
    page = f"{before}{{% for q in questions %}}{call}{{% endfor %}}{after}"
    sources = {"page": page, "inline": inline_layouts(page, names)}
    sources.update({f"{name}#macro": "{% macro block(q) %}" + text + "{% endmacro %}" for name, text in names.items()})
    options = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
    env = SandboxedEnvironment(loader=DictLoader(sources), undefined=StrictUndefined, **options)

    def layout(q: dict) -> str:
        return str(getattr(env.get_template(f"{q['layout']}#macro").module, "block")(q))  # noqa: B009

    questions = [{"id": f"q{n}", "question": "Q?", "answer": "A.\n" if n % 2 else "", "layout": f"l{n % len(names)}"}
                 for n in range(3)]  # fmt: skip
    expected = env.get_template("page").render(questions=questions, layout=layout)
    assert env.get_template("inline").render(questions=questions, layout=layout) == expected
