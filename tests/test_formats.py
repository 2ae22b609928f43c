"""The report formats: text, Markdown, HTML, JSON; written a piece at a time; colour only where asked;
Markdown under GitHub's limit; JSON as its published schema says."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import PAGES, REPO, write_tree
from variants.diff.report import diff_report
from variants.formats import FORMATS, format_report, iter_report, plain
from variants.formats.json import SCHEMA_FILE, report_data, schema_text
from variants.formats.jsonwrite import encode
from variants.formats.markdown import LIMIT, size
from variants.formats.wording import joined

ANSI = "\x1b["
SCHEMA = json.loads(schema_text())


def report_json(run: Any, root: Path, *args: str) -> dict[str, Any]:
    result = run("-C", root, "diff", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def many(root: Path, count: int, extra: str = "") -> Path:
    """``count`` programs beside the shipped two, named p001..., each with ``extra`` (an override's tail)."""
    write_tree(
        root,
        {
            f"overrides/p{n:03}.yml": f"program:\n  name: Program {n}\n  nav: p{n}_nav\n{extra.format(n=n)}"
            for n in range(1, count + 1)
        },
    )
    return root


# Markdown: for a pull-request comment.


def test_markdown_on_shipped(run, shipped: Path) -> None:
    result = run("-C", shipped, "diff", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("## variants diff\n")
    assert "| `professional-learning-partner` | A | 2 | 2 | 0/2 |  |" in md
    assert "| budget | `pay` | added | · |" in md
    assert "| `nav` |" not in md and "| `plc_plp_nav` |" in md  # the variables: a line per program
    assert "```diff\n@@ question @@\n+ Do you accept international applications?\n" in md
    rp = shipped / "overrides" / "regional-partner.yml"
    line = next(n for n, text in enumerate(rp.read_text().splitlines(), 1) if "id: international" in text)
    assert (
        f"- [overrides/regional-partner.yml:{line}](overrides/regional-partner.yml#L{line}) **content**: "
        "question 'international' added to section 'general'" in md
    )


def test_markdown_diff_blocks_are_minus_and_plus_lines(run, third: Path) -> None:
    md = run("-C", third, "diff", "--format", "markdown").stdout
    blocks = re.findall(r"```diff\n(.*?)```", md, re.S)
    assert blocks
    for block in blocks:
        assert all(line[:2] in ("@@", "- ", "+ ", "  ") or not line for line in block.splitlines()), block
    # A line changed inside is its old line and its new, which GitHub colours.
    assert "\n- Code.org has computer science workshops" in md and "\n+ Code.org has computer science workshops" in md
    assert "[-" not in md.split("### Programs")[1]


def test_markdown_of_sixty_programs_fits_a_comment(run, shipped: Path) -> None:
    many(shipped, 58)  # with the shipped two: sixty, differing only by name
    assert run("-C", shipped, "build").exit_code == 0
    md = run("-C", shipped, "diff", "--format", "markdown").stdout
    assert size(md) < LIMIT and len(md) < 65_536
    assert "Left out" not in md  # it all fits
    assert "58 programs differ from the base only by the program variables: p001, p002" in md


def test_markdown_collapses_then_cuts_to_fit_with_a_note(run, shipped: Path) -> None:
    answer = " ".join(["A long answer of its own that differs in every program."] * 12)
    question = " ".join(["Is this the long question of a program of its own"] * 8)  # statements quote it whole
    extra = (
        "sections:\n  - id: general\n    questions:\n      - id: own{n}\n"
        f"        question: {question} {{n}}?\n        answer: '{{n}} {answer}'\n"
    )
    many(shipped, 150, extra)
    md = run("-C", shipped, "diff", "--format", "markdown").stdout
    assert size(md) < LIMIT
    note = md.rstrip().splitlines()[-1]
    assert note.startswith("> **Note:** Left out to stay under the size limit:")
    assert "the rendered evidence" in note and "(`variants diff --format html --output report.html`)" in note
    assert "programs (p" in note  # which programs' parts were left out
    assert md.startswith("## variants diff\n") and "### Summary" in md
    # The HTML of the same report has everything.
    page = run("-C", shipped, "diff", "--format", "html").stdout
    assert page.count('<details class="program"') == 152


# HTML: one self-contained page.


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if (found.get("href") or "").startswith("#"):
            self.links.add(str(found["href"])[1:])


def test_html_is_one_self_contained_page_with_a_policy(run, eleven: Path) -> None:
    page = run("-C", eleven, "diff", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|url\(|@import|\bstyle=", page)
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert (
        policy
        and "default-src &#x27;none&#x27;" in policy.group(1)
        and "script-src &#x27;none&#x27;" in policy.group(1)
    )
    assert "@media (prefers-color-scheme:dark)" in page
    parsed = Anchors()
    parsed.feed(page)
    assert {"summary", "differences", "programs", "variables", "drift"} <= parsed.ids
    assert parsed.links <= parsed.ids  # every link of the contents reaches its place
    assert parsed.tags.count("details") == 9  # a part per program that differs
    assert 'class="scroll tall"><table class="matrix">' in page and "position:sticky" in page
    assert "<li><code>out/charlie-faq.md</code>: edited by hand" in page  # the banner, before the summary
    assert page.index('role="alert"') < page.index('id="summary"')


def test_html_pairs_a_removed_line_with_the_line_that_replaces_it(run, eleven: Path) -> None:
    page = run("-C", eleven, "diff", "--format", "html").stdout
    juliett = page.split('id="p-juliett"')[1].split("</details>")[0]
    rows = re.findall(r"<tr><th>[^<]*</th>(<td.*?)</tr>", juliett)
    assert (
        rows[0].startswith('<td class="old text">Of course! Anyone accepted')
        and '<td class="new text">Of course! &lt;script&gt;' in rows[0]
    )
    assert rows[1] == '<td class="old text">&lt;/br&gt;</td><td class="gap"></td>'


def test_third_program_markdown_escapes_content(run, third: Path) -> None:
    md = run("-C", third, "diff", "--format", "markdown").stdout
    assert "| in-person | `ca` |  |  | replaced |" in md
    assert "| in-person | `recruit` |  |  | removed |" in md
    assert "**content**: question 'press': question text \"If we are selected" in md
    assert "<script>" not in md.split("```")[0]  # outside code blocks, nothing is raw HTML
    assert "+ Is <script>alert('x')</script> allowed for a Third Program?" in md  # inside a diff block


def test_hostile_text_in_every_format(run, eleven: Path) -> None:
    hostile = 'What about <script>alert("boom")</script> & <b>bold</b> | pipes?'
    write_tree(
        eleven,
        {
            "overrides/evil.yml": "program:\n  name: Evil\n  nav: evil\nsections:\n  - id: general\n    questions:\n"
            f'      - id: evil\n        question: {json.dumps(hostile)}\n        answer: "<img src=x onerror=alert(1)>\\n"\n'
        },
    )
    page = run("-C", eleven, "diff", "--format", "html").stdout
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;boom&quot;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&quot;press&quot;)&lt;/script&gt;" in page  # juliett's answer
    data = report_json(run, eleven)
    assert next(r for r in data["matrix"]["rows"] if r["id"] == "evil")["label"] == hostile
    md = run("-C", eleven, "diff", "--format", "markdown").stdout
    assert "\\<script\\>" in md and "\\<b\\>bold" in md
    assert "+ What about <script>" in md  # in a diff block, where Markdown shows text as it is
    text = run("-C", eleven, "diff").stdout
    assert '+ Of course! <script>alert("press")</script> Ask us first.' in text


# JSON: data, as its schema says.


@pytest.mark.parametrize("args", [(), ("--show-variables",), ("professional-learning-partner", "regional-partner")])
def test_json_follows_its_published_schema(
    run, shipped: Path, eleven: Path, third: Path, args: tuple[str, ...]
) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    for root in (
        shipped,
        third,
        *(() if args[:1] == ("professional-learning-partner",) else (eleven, REPO / "examples" / "partner-faq")),
    ):
        jsonschema.validate(report_json(run, root, *args), SCHEMA)
    printed = run("diff", "--schema")
    assert printed.exit_code == 0 and json.loads(printed.stdout) == SCHEMA
    assert (REPO / "variants" / "formats" / "report.schema.json").read_text() == printed.stdout


def test_json_is_what_json_dumps_writes(third: Path) -> None:
    page = third / "out" / PAGES[1]
    page.write_text(page.read_text().replace("can we publish", "may we publish") + "\n\n")
    write_tree(
        third,
        {
            "overrides/fourth.yml": 'program:\n  name: Fourth\n  nav: f\nfront_matter:\n  extra: "’x’ → y"\n'
            "sections:\n  - id: in-person\n    toc_spacing: 4\n    before: general\n"
        },
    )
    for show in (False, True):
        report = diff_report(third, show_variables=show)
        expected = json.dumps(report_data(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert format_report(report, "json") == expected
    # Values the fast path leaves to the json module: floats, mappings with other keys (sorted as numbers).
    odd: dict[str, Any] = {"b": [1.5, None, True, {}, [], {10: "y", 2: "x"}, float("inf")], "a": {"é": '\u2028"\\'}}
    for level in (0, 3):
        assert encode(odd, level) == json.dumps(odd, indent=2, sort_keys=True, ensure_ascii=False).replace(
            "\n", "\n" + "  " * level
        )


def test_reports_are_written_one_program_at_a_time(third: Path) -> None:
    report = diff_report(third, show_variables=True)
    comparisons = report.comparisons
    assert len(comparisons) == 3 and [c.new for c in comparisons] == list(report.compared)
    assert comparisons[2] == comparisons[-1] and comparisons[:1] == [comparisons[0]]
    assert comparisons == tuple(comparisons)  # made again, equal
    for fmt in FORMATS:
        pieces = list(iter_report(report, fmt))
        assert len(pieces) >= (1 if fmt == "markdown" else 3)  # Markdown is written whole, to fit its limit
        assert "".join(pieces) == format_report(report, fmt)
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        iter_report(report, "yaml")


@pytest.mark.slow
@given(st.lists(st.lists(st.sampled_from(["", "a", "\n", "b\n", "\n\n", " "]), max_size=4), max_size=5), st.booleans())
def test_joined_pieces_are_the_joined_lines(groups: list[list[str]], strip: bool) -> None:
    lines = [line for group in groups for line in group]
    whole = "\n".join(lines).rstrip("\n") if strip else "\n".join(lines)
    assert "".join(joined(groups, strip)) == whole + "\n"


def test_colour_only_through_the_style_function(eleven: Path) -> None:
    report = diff_report(eleven)
    coloured = format_report(report, "text", click.style)
    assert ANSI in coloured
    assert click.unstyle(coloured) == format_report(report, "text", plain)
    for fmt in ("markdown", "html", "json"):
        assert ANSI not in format_report(report, fmt, click.style)


def test_no_color_and_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    from variants.cli.app import colour_wanted

    class Terminal:
        def isatty(self) -> bool:
            return True

    class Pipe:
        def isatty(self) -> bool:
            return False

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colour_wanted(Terminal()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert colour_wanted(Terminal()) is False
    monkeypatch.delenv("NO_COLOR")
    assert colour_wanted(Pipe()) is False
    assert colour_wanted(object()) is False


def test_the_schema_is_published_with_the_package() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"variants.formats" = ["report.schema.json"]' in pyproject
    assert (REPO / "variants" / "formats" / SCHEMA_FILE).is_file()
