"""The report formats: text, Markdown, HTML, JSON; written a piece at a time; colour only where asked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import PAGES, write_tree
from variants.diff.report import diff_report
from variants.formats import FORMATS, format_report, iter_report, plain
from variants.formats.json import report_data
from variants.formats.jsonwrite import encode
from variants.formats.wording import joined

ANSI = "\x1b["


def report_json(run: Any, root: Path, *args: str) -> dict[str, Any]:
    result = run("-C", root, "diff", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_markdown_on_shipped(run, shipped: Path) -> None:
    result = run("-C", shipped, "diff", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("## variants diff\n")
    assert "| `nav` | `plc_plp_nav` | `plc_regional_partner_nav` |" in md
    assert "| `budget` | `pay` | **program-only** | **absent** |" in md
    assert "| `general` | `map` | variables | variables |" in md
    assert "```diff\n@@ question @@\n+ Do you accept international applications?\n" in md
    assert "**content**: question 'international' added to section 'general'" in md


def test_html_on_shipped_is_one_self_contained_file(run, shipped: Path) -> None:
    result = run("-C", shipped, "diff", "--format", "html")
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|url\(|@import", page)
    # The answer's link is shown as text, never as a link.
    assert "<a " not in page
    assert "&lt;a href=&quot;https://docs.google.com/spreadsheets/" in page
    assert '<td class="state-program-only">program-only</td>' in page
    assert "<code>plc_regional_partner_nav</code>" in page


def test_third_program_markdown_escapes_content(run, third: Path) -> None:
    result = run("-C", third, "diff", "--format", "markdown")
    md = result.stdout
    assert "| `in-person` | `ca` | same | same | **replaced** |" in md
    assert "| `in-person` | `recruit` | same | same | **absent** |" in md
    assert "**content**: question 'press': question text replaced" in md
    assert "<script>" not in md.split("```")[0]  # outside code blocks, nothing is raw HTML
    assert "+ Is <script>alert('x')</script> allowed for a Third Program?" in md  # inside a diff block


def test_third_program_html_escapes_hostile_content(run, third: Path) -> None:
    result = run("-C", third, "diff", "--format", "html")
    page = result.stdout
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert '<td class="state-replaced">replaced</td>' in page
    assert "<del>Click here</del>" in page and "<ins>See this page</ins>" in page


def test_hostile_question_text_in_every_format(run, shipped: Path) -> None:
    hostile = 'What about <script>alert("boom")</script> & <b>bold</b> | pipes?'
    write_tree(
        shipped,
        {
            "overrides/evil.yml": "program:\n  name: Evil\n  nav: evil\nsections:\n  - id: general\n    questions:\n"
            f'      - id: evil\n        question: {json.dumps(hostile)}\n        answer: "<img src=x onerror=alert(1)>\\n"\n'
        },
    )
    page = run("-C", shipped, "diff", "--format", "html").stdout
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;boom&quot;)&lt;/script&gt;" in page
    data = report_json(run, shipped)
    assert next(r for r in data["matrix"]["rows"] if r["id"] == "evil")["question"] == hostile
    md = run("-C", shipped, "diff", "--format", "markdown").stdout
    assert "\\<script\\>" in md and "\\<b\\>bold" in md
    assert "+ What about <script>" in md  # in a diff block, where Markdown shows text as it is


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
    assert len(comparisons) == 3 and [c.new for c in comparisons] == list(report.columns)
    assert comparisons[2] == comparisons[-1] and comparisons[:1] == [comparisons[0]]
    assert comparisons == tuple(comparisons)  # made again, equal
    for fmt in FORMATS:
        pieces = list(iter_report(report, fmt))
        assert len(pieces) > 3
        assert "".join(pieces) == format_report(report, fmt)
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        iter_report(report, "yaml")


@pytest.mark.slow
@given(st.lists(st.lists(st.sampled_from(["", "a", "\n", "b\n", "\n\n", " "]), max_size=4), max_size=5), st.booleans())
def test_joined_pieces_are_the_joined_lines(groups: list[list[str]], strip: bool) -> None:
    lines = [line for group in groups for line in group]
    whole = "\n".join(lines).rstrip("\n") if strip else "\n".join(lines)
    assert "".join(joined(groups, strip)) == whole + "\n"


def test_colour_only_through_the_style_function(shipped: Path) -> None:
    report = diff_report(shipped)
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
