"""Synthetic projects for the benchmark: one base of M questions and N program overrides.

The base is modelled on the shipped one (the same settings, variables, page
template and layouts; texts that use ``{{ name }}`` and ``{{ name_in_text }}``,
some questions with their own table-of-contents wording, separator or layout).
Each override sets the program's name and nav key, adds one question after an
existing one and replaces one answer, in the format README's "Override file
format" describes.

Beside base/ and overrides/ (outside base/, so variants never reads it) the
generator writes ``floor.md.j2``: the same page as one flat Jinja2 template, which
is what a hand-written page per program would be. ``floor.py`` renders it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

REPO = Path(__file__).resolve().parent.parent
SHIPPED_BASE = REPO / "base"
FLOOR_TEMPLATE = "floor.md.j2"

SETTINGS = """\
# Synthetic benchmark project: settings as in the shipped base/variants.yml.
template: page.md.j2
output: "{slug}-faq.md"
variables:
  name:
    help: The program's name as titles and most sentences write it.
    required: true
  name_in_text:
    help: The name where some running-text sentences write it differently.
    default: "{{ name }}"
  nav:
    help: The front-matter nav key of the program's menu.
    required: true
"""

PAGE_HEAD = """\
# Synthetic benchmark project: shared content of every program's page.
front_matter:
  title: "{{ name }} FAQs"
  nav: "{{ nav }}"
title: "{{ name }} FAQs"
intro: "Still have questions? See below for answers to commonly asked questions or email [partner@code.org](partner@code.org). "
rule: ________________
toc_end: "\\t"
footer: |
  <br/>
  ___________________
  <br/>

sections:
"""

TOPICS = ("applications", "in-person workshops", "the budget", "facilitators", "recruiting", "reporting")
VERBS = ("recruit", "train", "support", "invite", "fund", "host")
THINGS = ("teachers", "districts", "facilitators", "schools", "counselors", "administrators")


@dataclass(frozen=True)
class Question:
    """One base question, as written in content.yml."""

    id: str
    question: str
    answer: str
    toc: str | None = None
    rule: str | None = None
    layout: str | None = None


@dataclass(frozen=True)
class Section:
    """One base section."""

    id: str
    title: str
    toc_spacing: int
    questions: list[Question]


def sections_for(m: int) -> list[Section]:
    """M questions across a few sections (3 for small pages, one per 25 questions for big ones)."""
    count = max(1, min(3, m)) if m <= 30 else max(3, m // 25)
    sizes = [m // count + (1 if s < m % count else 0) for s in range(count)]
    sections: list[Section] = []
    k = 0
    for s, size in enumerate(sizes, start=1):
        questions = []
        for _ in range(size):
            k += 1
            verb, thing = VERBS[k % len(VERBS)], THINGS[(k // 2) % len(THINGS)]
            question = f"Question {k}: can a {{{{ name }}}} {verb} {thing} outside its region?"
            answer = (
                f"Yes. A {{{{ name_in_text }}}} may {verb} {thing} in neighbouring regions when the partner there agrees "
                f'and Code.org has been told in writing; see <a href="https://example.org/faq/{k}" target=_blank>this '
                f"document</a> for the details of question {k}. Most partners do this once a year, before the summer workshops.\n"
                + ("<br/>\n" if k % 3 == 0 else "")
            )
            questions.append(
                Question(
                    id=f"q{k}",
                    question=question,
                    answer=answer,
                    toc=f"Can a {{{{ name_in_text }}}} {verb} {thing} outside its region?" if k % 5 == 0 else None,
                    rule="______________________________" if k % 7 == 0 else None,
                    layout="compact" if k % 10 == 0 else None,
                )
            )
        topic = TOPICS[(s - 1) % len(TOPICS)]
        sections.append(Section(f"s{s}", f"Questions about {topic} ({s}):", 2 if s % 2 == 0 else 1, questions))
    return sections


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def content_yaml(sections: list[Section]) -> str:
    lines = [PAGE_HEAD]
    for section in sections:
        lines.append(f"  - id: {section.id}\n    title: {_quoted(section.title)}\n")
        if section.toc_spacing != 1:
            lines.append(f"    toc_spacing: {section.toc_spacing}\n")
        lines.append("    questions:\n")
        for q in section.questions:
            lines.append(f"      - id: {q.id}\n")
            if q.rule:
                lines.append(f"        rule: {q.rule}\n")
            if q.layout:
                lines.append(f"        layout: {q.layout}\n")
            lines.append(f"        question: {_quoted(q.question)}\n")
            if q.toc:
                lines.append(f"        toc: {_quoted(q.toc)}\n")
            lines.append(f"        answer: {_quoted(q.answer)}\n")
    return "".join(lines)


def slug(i: int) -> str:
    return f"program-{i:05d}"


def override_yaml(i: int, sections: list[Section]) -> str:
    """Program ``i``: name, nav key, one added question (after an existing one), one replaced answer."""
    flat = [(s.id, q.id) for s in sections for q in s.questions]
    after_section, after_id = flat[(i * 3) % len(flat)]
    replaced_section, replaced_id = flat[(i * 7 + 1) % len(flat)]
    added = (
        f"      - id: extra\n"
        f"        after: {after_id}\n"
        f"        question: Does the {{{{ name }}}} program {i} accept international applications?\n"
        f"        answer: |\n"
        f"          No, at this time, the {{{{ name }}}} Program is only open to organizations in the United States.\n"
        f"          <br/>\n"
    )
    replaced = (
        f"      - id: {replaced_id}\n"
        f"        answer: |\n"
        f"          Program {i} answers this differently: ask the {{{{ name_in_text }}}} team at partner@code.org first, and\n"
        f"          wait for their written agreement before you contact anyone outside your region. The team answers\n"
        f'          within two weeks; <a href="https://example.org/program/{i}" target=_blank>this page</a> lists who to write to.\n'
    )
    if after_section == replaced_section:
        body = f"  - id: {after_section}\n    questions:\n{added}{replaced}"
    else:
        first, second = sorted([(after_section, added), (replaced_section, replaced)], key=lambda p: int(p[0][1:]))
        body = f"  - id: {first[0]}\n    questions:\n{first[1]}  - id: {second[0]}\n    questions:\n{second[1]}"
    return (
        f"# Synthetic program {i}.\nprogram:\n  name: Program {i:05d}\n  nav: program_{i:05d}_nav\n\nsections:\n{body}"
    )


def floor_template(base: Path, sections: list[Section]) -> str:
    """The page as one flat Jinja2 template over name, name_in_text, nav and the added question.

    It is made by rendering the page template with the texts left as they are
    written (still holding ``{{ name }}``), so it has the same shape and size
    as the pages variants builds; the program's added question sits after the
    first question, its texts taken from the override at render time.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(base)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    rule = "________________"

    def question(q: Question) -> dict[str, Any]:
        return {
            "id": q.id,
            "question": q.question,
            "answer": q.answer,
            "toc": q.toc or q.question,
            "anchor": q.id,
            "rule": q.rule or rule,
            "layout": q.layout or "standard",
        }

    extra = {
        "id": "{{ extra.id }}",
        "question": "{{ extra.question }}",
        "answer": "{{ extra.answer }}",
        "toc": "{{ extra.question }}",
        "anchor": "{{ extra.id }}",
        "rule": rule,
        "layout": "standard",
    }
    page_sections = []
    for n, s in enumerate(sections):
        questions = [question(q) for q in s.questions]
        if n == 0:
            questions.insert(1, extra)
        page_sections.append(
            {"id": s.id, "title": s.title, "toc_spacing": s.toc_spacing, "questions": questions, "toc": questions}
        )

    def layout(q: dict[str, Any]) -> str:
        """What variants provides to the page template as layout(q)."""
        return env.get_template(f"layouts/{q['layout']}.md.j2").render(q=q)

    return env.get_template("page.md.j2").render(
        layout=layout,
        front_matter="title: {{ name }} FAQs\nnav: {{ nav }}\n",
        title="{{ name }} FAQs",
        intro="Still have questions? See below for answers to commonly asked questions or email [partner@code.org](partner@code.org). ",
        rule=rule,
        toc_end="\t",
        footer="<br/>\n___________________\n<br/>\n",
        sections=page_sections,
    )


def make_project(root: Path, n: int, m: int) -> Path:
    """Write a project of ``n`` programs with ``m`` base questions each under ``root``."""
    base = root / "base"
    (base / "layouts").mkdir(parents=True)
    (root / "overrides").mkdir()
    (root / "out").mkdir()
    shutil.copyfile(SHIPPED_BASE / "page.md.j2", base / "page.md.j2")
    for layout in sorted((SHIPPED_BASE / "layouts").glob("*.md.j2")):
        shutil.copyfile(layout, base / "layouts" / layout.name)
    sections = sections_for(m)
    (base / "variants.yml").write_text(SETTINGS, encoding="utf-8")
    (base / "content.yml").write_text(content_yaml(sections), encoding="utf-8")
    (root / FLOOR_TEMPLATE).write_text(floor_template(base, sections), encoding="utf-8")
    overrides = root / "overrides"
    for i in range(1, n + 1):
        (overrides / f"{slug(i)}.yml").write_text(override_yaml(i, sections), encoding="utf-8")
    return root
