"""From page lines back to sources: blame, and coverage of the sources by the pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import REPO, blame_rows, write_tree

EXAMPLE = REPO / "examples" / "partner-faq"
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")


def _holds(root: Path, row: dict) -> bool:
    """Whether the row's source line holds its text: most of the line's own words for a value (the
    words a variable brought excepted), every literal word of a template line."""
    source = row["source"]
    line = (root / source["file"]).read_text(encoding="utf-8").split("\n")[source["line"] - 1]
    if source["layer"] in ("template", "layout"):
        if not row["text"].strip():  # a blank line: a blank template line, or one an expression writes
            return not _TAG.sub("", line).strip() or bool(_TAG.search(line))
        literal = _WORD.findall(_TAG.sub(" ", line))
        return all(word in row["text"] for word in literal)
    brought = {w for v in row["variables"] for w in _WORD.findall(v["value"])}
    words = [w for w in _WORD.findall(row["text"]) if w not in brought]
    return not words or sum(w in line for w in words) >= 0.5 * len(words)


def test_blame_has_one_row_per_line_and_each_points_at_its_text(run, shipped: Path) -> None:
    page = (shipped / "out" / "regional-partner-faq.md").read_text(encoding="utf-8")
    rows = blame_rows(run, shipped, str(shipped / "out" / "regional-partner-faq.md"))
    assert [r["text"] for r in rows] == page.split("\n")[:-1]  # the page ends with a line break
    assert [r["line"] for r in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        assert (shipped / row["source"]["file"]).is_file(), row
        assert _holds(shipped, row), row
    content = (shipped / "base" / "content.yml").read_text(encoding="utf-8").split("\n")
    override = (shipped / "overrides" / "regional-partner.yml").read_text(encoding="utf-8").split("\n")
    joint = next(r for r in rows if r["text"].startswith("Yes, some of our current partners have a joint"))
    assert joint["source"]["file"] == "base/content.yml"
    assert "Yes, some of our current partners have a joint partnership" in content[joint["source"]["line"] - 1]
    international = next(r for r in rows if r["text"].startswith("No, at this time, the Regional Partner Program"))
    assert international["source"]["file"] == "overrides/regional-partner.yml"
    assert "No, at this time, the {{ name }} Program" in override[international["source"]["line"] - 1]
    assert [v["name"] for v in international["variables"]] == ["name"]
    assert international["variables"][0]["value"] == "Regional Partner"


def test_blame_every_line_of_the_family_holds_its_text(run) -> None:
    for override in sorted((EXAMPLE / "overrides").glob("*.yml")):
        for row in blame_rows(run, EXAMPLE, override.stem):
            assert (EXAMPLE / row["source"]["file"]).is_file(), row
            assert _holds(EXAMPLE, row), (override.stem, row)


def test_blame_line_shows_the_chain_of_a_partial_edit(run) -> None:
    rows = blame_rows(run, EXAMPLE, "plp-faq-2018")
    fte = next(r for r in rows if "FTE’s time" in r["text"])
    assert [(s["file"], s["how"]) for s in fte["chain"]] == [
        ("base/content.yml", "set"),
        ("overrides/plp-faq-2018.yml", "replace"),
    ]
    assert fte["source"]["file"] == "base/content.yml"  # most of the line is the base's
    assert fte["also"] == [{"file": "overrides/plp-faq-2018.yml", "line": 8}]
    result = run("-C", EXAMPLE, "blame", f"plp-faq-2018:{fte['line']}")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{EXAMPLE}/out/plp-faq-2018.md:{fte['line']}: {fte['text']}"
    assert "overrides/plp-faq-2018.yml:8:27" in result.stdout and "replace" in result.stdout
    assert "part of it written at overrides/plp-faq-2018.yml:8" in result.stdout
    inherited = blame_rows(run, EXAMPLE, "rp-faq-2019")
    line = next(r for r in inherited if r["text"].startswith("No, at this time, the Regional Partner Program"))
    assert line["source"] == {"file": "overrides/rp-faq-2019.yml", "line": 60, "layer": "override"}
    assert line["also"] == [{"file": "base/components/international.yml", "line": 9}]
    assert line["variables"][0]["file"] == "overrides/regional-partner-faq.yml"  # the parent sets the name


def test_blame_follows_the_render_not_the_text(run, shipped: Path) -> None:
    """Two sources writing the same sentence: each line goes to the one that made it."""
    same = "Of course! Anyone accepted to be a partner can publish a press release."
    write_tree(
        shipped,
        {
            "overrides/regional-partner.yml": (shipped / "overrides/regional-partner.yml").read_text()
            + f'  - id: in-person\n    questions:\n      - id: ca\n        answer: "{same}\\n"\n'
        },
    )
    rows = blame_rows(run, shipped, "regional-partner")
    made = [(r["source"]["file"], r["what"]) for r in rows if r["text"].startswith(same)]
    assert made == [("base/content.yml", "answer of press"), ("overrides/regional-partner.yml", "answer of ca")]


def test_blame_maps_template_lines_exactly(run, tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "base/variants.yml": "variables:\n  name: {required: true}\n",
            "base/content.yml": "title: T\nsections:\n  - id: s\n    title: S\n    questions:\n"
            '      - {id: q, question: The question, answer: "A for {{ name }}\\n"}\n',
            "base/page.md.j2": "# {{ title }}\nfirst literal line\nsecond literal line\n"
            "{% for s in sections %}{% for q in s.questions %}{{ layout(q) }}{% endfor %}{% endfor %}\nlast\n",
            "base/layouts/standard.md.j2": "### {{ q.question }}\n{{ q.answer }}",
            "overrides/p.yml": "program: {name: P}\n",
        },
    )
    assert run("-C", tmp_path, "build").exit_code == 0
    rows = blame_rows(run, tmp_path, "p")
    assert [(r["text"], r["source"]["file"], r["source"]["line"]) for r in rows] == [
        ("# T", "base/content.yml", 1),
        ("first literal line", "base/page.md.j2", 2),
        ("second literal line", "base/page.md.j2", 3),
        ("### The question", "base/content.yml", 6),
        ("A for P", "base/content.yml", 6),
        ("last", "base/page.md.j2", 5),
    ]


def test_blame_refuses_what_it_cannot_follow(run, shipped: Path) -> None:
    missing = run("-C", shipped, "blame", "regonal-partner")
    assert missing.exit_code == 1
    assert missing.stderr == "regonal-partner: no program makes this page (did you mean 'regional-partner'?)\n"
    beyond = run("-C", shipped, "blame", "regional-partner:9999")
    assert beyond.exit_code == 2 and "has 138 lines, not 9999" in beyond.stderr
    outside = run("-C", shipped, "blame", str(shipped / "base" / "content.md"))
    assert outside.exit_code == 2 and "is not a page in the output folder" in outside.stderr
    layout = shipped / "base" / "layouts" / "standard.md.j2"
    layout.write_text(layout.read_text().replace("{{ q.question }}", "{{ q.question }} ({{ q.answer | length }})"))
    measured = run("-C", shipped, "blame", "regional-partner")
    assert measured.exit_code == 1
    assert measured.stderr == (
        "base/page.md.j2: cannot trace the page template: it measures or compares texts, which marking them changes\n"
    )
    assert "Traceback" not in measured.output


def _coverage(run, root: Path, *args: str) -> tuple[int, dict]:
    result = run("-C", root, "coverage", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_coverage_names_what_no_page_uses(run, shipped: Path) -> None:
    code, clean = _coverage(run, shipped, "--strict")
    assert code == 0 and clean["unused"] == []
    states = {(e["kind"], e["id"]): (e["state"], e["programs"]) for e in clean["entries"]}
    assert states[("question", "joint")] == ("every", ["professional-learning-partner", "regional-partner"])
    assert states[("question", "international")] == ("some", ["regional-partner"])
    remove = "  - id: in-person\n    questions:\n      - {id: recruit, remove: true}\n"
    for name in ("regional-partner", "professional-learning-partner"):
        path = shipped / "overrides" / f"{name}.yml"
        text = path.read_text()
        if "id: in-person\n    questions:\n" in text:
            text = text.replace("id: in-person\n    questions:\n", "id: in-person\n    questions:\n" + remove[36:], 1)
        else:
            text += remove
        path.write_text(text)
    write_tree(
        shipped,
        {
            "base/layouts/wide.md.j2": "{{ q.question }}\n{{ q.answer }}\n",
            "base/components/spare.yml": "sections:\n  - id: general\n    questions:\n      - {id: pm, rule: '---'}\n",
            "base/variants.yml": (shipped / "base/variants.yml").read_text() + "  unread: {default: x}\n",
        },
    )
    layout = shipped / "base" / "layouts" / "standard.md.j2"
    layout.write_text(layout.read_text() + '{% if q.id == "nobody" %}\nnever written\n{% endif %}\n')
    code, report = _coverage(run, shipped, "--strict")
    assert code == 1
    unused = {(u["what"], u["name"]): (u["file"], u["line"]) for u in report["unused"]}
    recruit = next(
        n for n, t in enumerate((shipped / "base/content.yml").read_text().split("\n"), 1) if "id: recruit" in t
    )
    assert unused == {
        ("question", "recruit"): ("base/content.yml", recruit),
        ("layout", "wide"): ("base/layouts/wide.md.j2", 0),
        ("component", "spare"): ("base/components/spare.yml", 0),
        ("template line", "12"): ("base/layouts/standard.md.j2", 12),
        ("variable", "unread"): ("base/variants.yml", unused[("variable", "unread")][1]),
    }
    states = {(e["kind"], e["id"]): e["state"] for e in report["entries"]}
    assert states[("question", "recruit")] == "none"
    text = run("-C", shipped, "coverage")
    assert text.exit_code == 0  # without --strict, unused things are reported, not failed
    assert "  none     question recruit" in text.stdout
    assert "base/layouts/wide.md.j2: layout 'wide': no question uses it" in text.stdout
    assert text.stderr == "5 unused\n"
