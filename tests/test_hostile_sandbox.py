"""Issue 16, resource bombs: what a template or a text may spend, from base/ and from an override alike.

Every bomb ends in one located line (exit 1) in seconds, with nothing written;
ordinary uses of the same operators and filters still render.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from conftest import snapshot, write_tree
from variants.pipeline import sandbox
from variants.pipeline.build import build
from variants.pipeline.sandbox import MAX_SIZE
from variants.pipeline.watchdog import watchdog

Y = "program:\n  name: Y\n  nav: y\n"
TOO_BIG = f"is more than the limit of {MAX_SIZE}"
OUT_OF_TIME = "rendering takes more than 2 seconds of CPU time, the limit (a loop that runs too long?)"
LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"

# text -> what the message ends with
BOMBS = {
    "repeat": ("{{ 'x' * 1000000000 }}", f"a result of 1000000000 characters or items {TOO_BIG}"),
    "repeat-a-variable": ("{{ name * 1000000000 }}", TOO_BIG),
    "repeat-a-list": ("{{ ([1] * 100000000)|length }}", TOO_BIG),
    "lipsum": ("{{ lipsum(n=100000, min=1000, max=1001) }}", "lipsum of more than 100000 words is more than the limit"),
    "power": ("{{ 9 ** 999999999 }}", "a number of more than 65536 bits is more than the limit"),
    "squaring": (
        "{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x > 0 }}",
        "a number of more than 65536 bits is more than the limit",
    ),
    "doubling-with-tilde": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        TOO_BIG,
    ),
    "doubling-with-plus": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}",
        TOO_BIG,
    ),
    "list-extend": (
        "{% set l = [1] %}{% for i in range(40) %}{% set _ = l.extend(l) %}{% endfor %}{{ l|length }}",
        TOO_BIG,
    ),
    "center": ("{{ 'x'|center(1000000000) }}", "a width or count of more than 16777216 is more than the limit"),
    "ljust": ("{{ 'x'.ljust(1000000000) }}", "a width of more than 16777216 characters is more than the limit"),
    "format-width": (
        "{{ '{:>1000000000}'.format(1) }}",
        "a width of more than 16777216 characters is more than the limit",
    ),
    "format-nested-width": ("{{ '{:>{w}}'.format(1, w=1000000000) }}", "a width of more than 16777216 characters"),
    "percent-width": ("{{ '%1000000000s' % 1 }}", "a width of more than 16777216 characters is more than the limit"),
    "percent-star": (
        "{{ '%*s' % (1000000000, 1) }}",
        "a width of more than 16777216 characters is more than the limit",
    ),
    "format-filter": (
        "{{ '%1000000000d'|format(1) }}",
        "a width of more than 16777216 characters is more than the limit",
    ),
    "join": ("{{ range(100000)|join('x' * 10000000) }}", TOO_BIG),
    "str-join": ("{{ ('x' * 10000000).join(['a'] * 1000) }}", TOO_BIG),
    "replace": ("{{ ('a' * 1000000)|replace('a', 'b' * 100) }}", TOO_BIG),
    "indent": ("{{ ('\\n' * 1000000)|indent('x' * 1000) }}", TOO_BIG),
    "batch": (
        "{{ [1]|batch(1000000000, 0)|list|length }}",
        "a width or count of more than 16777216 is more than the limit",
    ),
    "output": ("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "the output is longer than the limit of"),
    "recursion": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "maximum recursion depth exceeded"),
}


def one_line(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.stderr
    (line,) = result.stderr.splitlines()
    return str(line)


@pytest.mark.parametrize("case", sorted(BOMBS))
def test_a_bomb_in_an_override_text_is_refused_at_the_text(run, shipped: Path, case: str) -> None:
    text, message = BOMBS[case]
    write_tree(shipped, {"overrides/y.yml": Y + f"title: {text!r}\n".replace("\\\\", "\\")})
    before = snapshot(shipped / "out")
    started = time.monotonic()
    line = one_line(run("-C", shipped, "build"))
    assert line.startswith("overrides/y.yml:4:8: template error: ")
    assert message in line
    assert time.monotonic() - started < 20
    assert snapshot(shipped / "out") == before


@pytest.mark.parametrize("case", ["repeat", "lipsum", "doubling-with-tilde", "output", "format-width", "recursion"])
def test_a_bomb_in_the_page_template_is_refused_at_its_line(run, shipped: Path, case: str) -> None:
    text, message = BOMBS[case]
    template = shipped / "base" / "page.md.j2"
    line_no = len(template.read_text().splitlines()) + 1
    template.write_text(template.read_text() + text + "\n")
    before = snapshot(shipped / "out")
    line = one_line(run("-C", shipped, "build"))
    assert line.startswith(f"base/page.md.j2:{line_no}: template error: ")
    assert message in line
    assert snapshot(shipped / "out") == before


def test_a_bomb_in_a_program_variable_is_refused_at_its_value(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/y.yml": "program:\n  name: \"{{ 'x' * 1000000000 }}\"\n  nav: y\n"})
    assert one_line(run("-C", shipped, "build")).startswith(
        "overrides/y.yml:2:9: template error: a result of 1000000000"
    )


def test_nested_loops_in_the_page_template_run_out_of_time_once(run, shipped: Path) -> None:
    template = shipped / "base" / "page.md.j2"
    line_no = len(template.read_text().splitlines()) + 1
    template.write_text(template.read_text() + LOOPS + "\n")
    started = time.process_time()
    assert one_line(run("-C", shipped, "build")) == f"base/page.md.j2:{line_no}: template error: {OUT_OF_TIME}"
    assert time.process_time() - started < 5  # the second page is not tried: it would run out too


def test_nested_loops_in_a_layout_are_blamed_on_the_layout(run, shipped: Path) -> None:
    layout = shipped / "base" / "layouts" / "standard.md.j2"
    line_no = len(layout.read_text().splitlines()) + 1
    layout.write_text(layout.read_text() + LOOPS + "\n")
    assert (
        one_line(run("-C", shipped, "build")) == f"base/layouts/standard.md.j2:{line_no}: template error: {OUT_OF_TIME}"
    )


def test_nested_loops_in_an_override_text(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/y.yml": Y + f"title: {LOOPS!r}\n"})
    assert one_line(run("-C", shipped, "build")) == f"overrides/y.yml:4:8: template error: {OUT_OF_TIME}"


def test_nested_loops_rendered_in_another_thread_run_out_of_time(shipped: Path) -> None:
    """The preview server builds in its request threads, where no interval timer reaches."""
    template = shipped / "base" / "page.md.j2"
    line_no = len(template.read_text().splitlines()) + 1
    template.write_text(template.read_text() + LOOPS + "\n")
    found: list[str] = []
    thread = threading.Thread(target=lambda: found.extend(p.one_line() for p in build(shipped).problems), daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive()
    assert found == [f"base/page.md.j2:{line_no}: template error: {OUT_OF_TIME}"]


def test_the_watchdog_stops_a_busy_thread_and_nothing_after() -> None:
    caught: list[str] = []

    def busy() -> None:
        try:
            with watchdog(0.2, KeyError):
                while True:
                    pass
        except KeyError:
            caught.append("stopped")
        with watchdog(5, KeyError):  # a block that ends in time: nothing is raised, then or later
            sum(range(1000))
        started = time.process_time()
        while time.process_time() - started < 0.3:
            pass
        caught.append("went on")

    thread = threading.Thread(target=busy, daemon=True)
    thread.start()
    thread.join(10)
    assert caught == ["stopped", "went on"]


@pytest.mark.parametrize("command", [("check",), ("diff",), ("build", "--check"), ("build", "--diff")])
@pytest.mark.parametrize("where", ["base", "override"])
def test_every_command_stops_a_bomb(run, shipped: Path, monkeypatch, command: tuple[str, ...], where: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.3)
    if where == "base":
        content = shipped / "base" / "content.yml"
        text = content.read_text()
        title = text.index('\ntitle: "{{ name }} FAQs"')
        content.write_text(text.replace('\ntitle: "{{ name }} FAQs"', f"\ntitle: {LOOPS!r}", 1))
        place = f"base/content.yml:{text.count(chr(10), 0, title) + 2}:8"
    else:
        write_tree(shipped, {"overrides/y.yml": Y + f"title: {LOOPS!r}\n"})
        place = "overrides/y.yml:4:8"
    started = time.monotonic()
    result = run("-C", shipped, *command)
    assert result.exit_code == 1
    said = result.stdout if command == ("check",) else result.stderr
    assert "rendering takes more than 0.3 seconds of CPU time" in said
    assert f"{place}: " in said
    assert time.monotonic() - started < 20


ORDINARY = {
    "{{ '\\n' * 2 }}|": "\n\n|",
    "{{ [1, 2] * 2 }}": "[1, 2, 1, 2]",
    "{{ 2 ** 10 }}": "1024",
    "{{ 'a' ~ 'b' ~ 1 }}": "ab1",
    "{{ 'a' + 'b' }}": "ab",
    "{{ '%5s|' % 'x' }}": "    x|",
    "{{ '{:>4}|{}'.format(1, 2) }}": "   1|2",
    "{{ 'x'|center(5) }}|": "  x  |",
    "{{ 'a\\nb'|indent(2, true) }}": "  a\n  b",
    "{{ range(3)|join(', ') }}": "0, 1, 2",
    "{{ 'aXbX'|replace('X', '-') }}": "a-b-",
    "{{ lipsum(1, false, 3, 4).split()|length > 2 }}": "True",
    "{% set l = [] %}{% for i in range(3) %}{% set _ = l.append(i) %}{% endfor %}{{ l }}": "[0, 1, 2]",
    "{{ [1, 2, 3]|batch(2)|list }}": "[[1, 2], [3]]",
    "{{ name }} and {{ name }}": "Y and Y",
}


@pytest.mark.parametrize("text", sorted(ORDINARY))
def test_ordinary_templates_render_as_before(run, shipped: Path, text: str) -> None:
    write_tree(shipped, {"overrides/y.yml": Y + f"title: {text!r}\n".replace("\\\\", "\\")})
    result = run("-C", shipped, "build")
    assert result.exit_code == 0, result.stderr
    assert f"\n# {ORDINARY[text]}\n" in (shipped / "out" / "y-faq.md").read_text()
