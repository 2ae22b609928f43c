"""Adding a program with one override file: scaffold, schema, precise validation errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO, write_tree
from variants.authoring.new import slugify
from variants.source.schema import override_schema_text


def test_new_then_build_then_check(run, shipped: Path) -> None:
    result = run("-C", shipped, "new", "Teacher Academy")
    assert result.exit_code == 0, result.stderr
    path = shipped / "overrides" / "teacher-academy.yml"
    assert result.stderr == f"created {path}; edit it, then run 'variants build'\n"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../base/override.schema.json\n")
    assert "program:\n  name: Teacher Academy\n  nav: plc_teacher_academy_nav\n" in text
    assert "\noutput: teacher-academy-faq.md\n" in text
    # What other programs set is offered, with their values, as comments.
    assert "  # name_in_text: professional learning partner  # overrides/professional-learning-partner.yml\n" in text
    assert "#   - id: budget\n" in text and "#       after: joint\n" in text
    built = run("-C", shipped, "build")
    assert built.exit_code == 0, built.stderr
    page = (shipped / "out" / "teacher-academy-faq.md").read_text()
    assert page.startswith("---\ntitle: Teacher Academy FAQs\nnav: plc_teacher_academy_nav\n---\n")
    assert "apply to be a Teacher Academy?" in page
    checked = run("-C", shipped, "check")
    assert checked.exit_code == 0
    assert "teacher-academy.yml" not in checked.stdout  # the scaffold itself is clean


def scaffold_examples(text: str) -> list[str]:
    """Each commented example of the scaffold, uncommented, as a 'sections:' document."""
    blocks = re.split(r"^#   # .*\n", text.split("# sections:\n", 1)[1], flags=re.MULTILINE)[1:]
    return ["sections:\n" + "".join(line[1:] + "\n" for line in block.splitlines()) for block in blocks]


def test_every_scaffold_example_builds_when_uncommented(run, shipped: Path) -> None:
    run("-C", shipped, "new", "Teacher Academy")
    path = shipped / "overrides" / "teacher-academy.yml"
    head = path.read_text().split("\n# Sections and questions", 1)[0]
    examples = scaffold_examples(path.read_text())
    assert len(examples) == 4
    for example in examples:
        path.write_text(head + "\n" + example)
        result = run("-C", shipped, "build", "--check")
        assert result.exit_code == 1, result.stderr  # builds (out of date), no source error
        assert "teacher-academy-faq.md: missing" in result.stderr


def test_new_refuses_to_overwrite(run, shipped: Path) -> None:
    before = (shipped / "overrides" / "regional-partner.yml").read_bytes()
    result = run("-C", shipped, "new", "Regional Partner")
    assert (result.exit_code, result.stderr) == (1, "overrides/regional-partner.yml: already exists; not overwritten\n")
    assert (shipped / "overrides" / "regional-partner.yml").read_bytes() == before


def test_new_writes_the_schema_copy_when_missing(run, shipped: Path) -> None:
    (shipped / "base" / "override.schema.json").unlink()
    assert run("-C", shipped, "new", "X Y", "--slug", "xy").exit_code == 0
    assert (shipped / "base" / "override.schema.json").read_text() == override_schema_text()
    assert (shipped / "overrides" / "xy.yml").exists()


@pytest.mark.parametrize(("name", "slug"), [("Teacher Academy", "teacher-academy"), ("  Café & Co. 2 ", "cafe-co-2")])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_schema_command_and_committed_copy() -> None:
    from click.testing import CliRunner

    from variants.cli import main

    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert result.stdout == (REPO / "base" / "override.schema.json").read_text()
    assert schema["anyOf"] == [{"required": ["program"]}, {"required": ["extends"]}]  # a version inherits them
    assert schema["additionalProperties"] is False
    question = schema["properties"]["sections"]["items"]["properties"]["questions"]["items"]
    assert set(question["properties"]) >= {"id", "question", "answer", "after", "before", "remove", "layout"}
    assert question["required"] == ["id"]
    for override in (REPO / "overrides").glob("*.yml"):
        assert override.read_text().startswith("# yaml-language-server: $schema=../base/override.schema.json\n")


RP = "program:\n  name: Regional Partner\n  nav: plc_regional_partner_nav\n"

VALIDATION = {
    "misspelt-top-key": (
        "progam:\n  name: X\n  nav: y\n",
        [
            "overrides/bad.yml:1:1: missing required key 'program'",
            "overrides/bad.yml:1:1: unknown key 'progam' (did you mean 'program'?)",
        ],
    ),
    "misspelt-question-key": (
        RP + "sections:\n  - id: general\n    questions:\n      - id: map\n        answr: x\n",
        [
            "overrides/bad.yml:8:9: unknown key 'answr' (did you mean 'answer'?)",
        ],
    ),
    "wrong-types": (
        RP
        + "sections:\n  - id: general\n    toc_spacing: two\n    questions:\n      - id: map\n        remove: yes please\n        answer: 2017\n",
        [
            "overrides/bad.yml:6:18: 'toc_spacing' must be a whole number, found text",
            "overrides/bad.yml:9:17: 'remove' must be true/false, found text",
            "overrides/bad.yml:10:17: 'answer' must be text, found a whole number (put it in quotes)",
        ],
    ),
    "missing-id": (RP + "sections:\n  - title: T\n", ["overrides/bad.yml:5:5: missing required key 'id'"]),
    "unknown-variable": (
        RP + "  nmae: X\n",
        [
            "overrides/bad.yml:4:3: unknown program variable 'nmae' (did you mean 'name'?); declare it in base/variants.yml",
        ],
    ),
    "duplicate-key": (
        RP + "title: a\ntitle: b\n",
        ["overrides/bad.yml:5:1: duplicate key 'title' (first defined at line 4)"],
    ),
    "id-of-a-section": (
        RP + "sections:\n  - id: general\n    questions:\n      - {id: in-person, question: Q, answer: A}\n",
        [
            "overrides/bad.yml:7:9: id 'in-person' is already used by a section id",
        ],
    ),
    "bad-layout": (
        RP + "sections:\n  - id: general\n    questions:\n      - id: map\n        layout: compcat\n",
        [
            "overrides/bad.yml:8:17: unknown layout 'compcat' (did you mean 'compact'?); layouts are the files in base/layouts/",
        ],
    ),
    "bad-toc-position": (
        RP + "sections:\n  - id: general\n    questions:\n      - id: map\n        toc_after: presss\n",
        [
            "overrides/bad.yml:8:20: 'toc_after: presss': no other question with this id in section 'general' (did you mean 'press'?)",
        ],
    ),
    "shape-and-text-together": (
        RP + "sectoins: []\nintro: 'Hi {{ nmae }}'\n",
        [
            "overrides/bad.yml:4:1: unknown key 'sectoins' (did you mean 'sections'?)",
            "overrides/bad.yml:5:15: undefined variable 'nmae' (did you mean 'name'?)",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(VALIDATION))
def test_validation_errors_are_precise(run, shipped: Path, case: str) -> None:
    text, expected = VALIDATION[case]
    write_tree(shipped, {"overrides/bad.yml": text})
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == expected


@pytest.mark.parametrize("slug", ["../escaped", "a/b", "Bad Name"])
def test_new_refuses_a_slug_that_is_not_a_plain_name(run, shipped: Path, slug: str) -> None:
    before = sorted(p.name for p in shipped.rglob("*"))
    result = run("-C", shipped, "new", "Foo", "--slug", slug)
    assert (result.exit_code, result.stderr) == (
        1,
        f"overrides/: --slug {slug!r}: use at most 64 lower-case letters, digits, '-' and '_'\n",
    )
    assert sorted(p.name for p in shipped.rglob("*")) == before


def test_new_with_awkward_name_and_output_pattern_still_builds(run, shipped: Path) -> None:
    settings = shipped / "base" / "variants.yml"
    settings.write_text(settings.read_text().replace('output: "{slug}-faq.md"', 'output: "faq #{slug}.md"'))
    assert run("-C", shipped, "new", "Foo  sections: 5").exit_code == 0
    text = (shipped / "overrides" / "foo-sections-5.yml").read_text()
    assert "# The Foo sections: 5 page: only what differs from base/content.yml.\n" in text
    assert "\noutput: 'faq #foo-sections-5.md'\n" in text
    assert run("-C", shipped, "build", "--force").exit_code == 0
    assert (shipped / "out" / "faq #foo-sections-5.md").exists()


def test_jinja_constants_cannot_be_variable_names(run, shipped: Path) -> None:
    settings = shipped / "base" / "variants.yml"
    settings.write_text(settings.read_text() + "  none:\n    default: N\n")
    result = run("-C", shipped, "build")
    assert (result.exit_code, result.stderr) == (1, "base/variants.yml:15:3: 'none' is not a valid name\n")


def test_new_starts_a_version_of_a_program_with_components(run, tmp_path: Path) -> None:
    import shutil

    example = tmp_path / "partner-faq"
    shutil.copytree(REPO / "examples" / "partner-faq", example)
    result = run("-C", example, "new", "PLP FAQ 2020", "--extends", "plp-faq-2018", "--component", "playbook")
    assert result.exit_code == 0, result.stderr
    text = (example / "overrides" / "plp-faq-2020.yml").read_text()
    assert "\nextends: plp-faq-2018\ncomponents: [playbook]\n" in text
    assert "#   name: Professional Learning Partner\n" in text  # what it inherits, to change if it must
    built = run("-C", example, "build", "--out", tmp_path / "o")
    assert built.exit_code == 0, built.stderr
    page = (tmp_path / "o" / "plp-faq-2020.md").read_text()
    assert page.startswith("---\ntitle: FAQ\n") and "Do you accept international applications?" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--extends", "regional-partnr"),
            "overrides/: --extends: no program 'regional-partnr' to extend (did you mean 'regional-partner'?)",
        ),
        (
            ("--component", "budget"),
            "base/components/: --component: no component 'budget'; components are the files in base/components/",
        ),
    ],
)
def test_new_refuses_an_unknown_parent_or_component(run, shipped: Path, args: tuple[str, ...], message: str) -> None:
    before = sorted(p.name for p in shipped.rglob("*"))
    result = run("-C", shipped, "new", "Foo", *args)
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert sorted(p.name for p in shipped.rglob("*")) == before


def test_the_readme_key_reference_is_the_field_tables(run) -> None:
    readme = (REPO / "README.md").read_text()
    table = run("schema", "--keys")
    assert table.exit_code == 0
    assert table.stdout in readme  # word for word, as 'variants schema --keys' writes it from the field table
    assert "| `toc_before` | an id |" in table.stdout
