"""The preview in a real browser (headless Chromium): laid out at a desk's width and a phone's,
its own script running under its policy, the page's scripts not, and reloading on an edit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import browser, resize  # noqa: F401 - browser is a fixture

from conftest import write_tree
from variants.preview import Preview, start_preview

HOSTILE = """\
      - id: joint
        answer: |
          Joint answers are welcome. <script>window.pwned = true</script><img src=x onerror="window.pwned = true">
"""


@pytest.fixture
def served(third: Path) -> Iterator[tuple[Preview, Path]]:
    override = third / "overrides" / "third.yml"
    write_tree(third, {"overrides/third.yml": override.read_text() + HOSTILE})
    running = start_preview(third, port=0)
    yield running, third
    running.stop()


def layout(chrome: Any) -> dict[str, Any]:
    script = """
      const marks = [...document.querySelectorAll('.v-mark')];
      const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1);
      return {
        scroll: document.documentElement.scrollWidth, inner: innerWidth,
        wide: wide.slice(0, 5).map(e => e.tagName + '.' + e.className),
        marks: marks.map(m => m.className), pwned: window.pwned === true,
        notesLeft: document.querySelector('.v-notes').getBoundingClientRect().left,
        pageRight: document.querySelector('.v-page').getBoundingClientRect().right,
        notesTop: document.querySelector('.v-notes').getBoundingClientRect().top,
        pageBottom: document.querySelector('.v-page').getBoundingClientRect().bottom,
        h1: document.querySelector('h1').textContent,
      };
    """
    return dict(chrome.execute_script(script))


@pytest.mark.parametrize("width", [1400, 420])
def test_a_served_page_at_a_desk_and_on_a_phone(browser: Any, served: tuple[Preview, Path], width: int) -> None:  # noqa: F811
    preview, _ = served
    resize(browser, width)
    browser.get(preview.url + "p/third")
    seen = layout(browser)
    assert seen["h1"] == "Third Program FAQs"
    assert seen["scroll"] <= seen["inner"], seen["wide"]  # nothing wider than the window
    assert "v-mark v-replaced" in seen["marks"] and "v-mark v-removed" in seen["marks"]
    assert not seen["pwned"]  # the page's own scripts are kept in the HTML but never run
    if width == 1400:
        assert seen["notesLeft"] >= seen["pageRight"]  # the notes beside the page
    else:
        assert seen["notesTop"] >= seen["pageBottom"]  # the notes below it
    blocked = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert blocked  # the page's script was refused by the policy, and said so
    assert not [m for m in blocked if "EventSource" in m or "/events" in m]  # the preview's own script ran


def test_the_page_reloads_when_a_source_changes(browser: Any, served: tuple[Preview, Path]) -> None:  # noqa: F811
    preview, root = served
    resize(browser, 1400)
    browser.get(preview.url + "p/third#ca")
    assert browser.execute_script("return document.querySelector('h1').textContent") == "Third Program FAQs"
    override = root / "overrides" / "third.yml"
    override.write_text(override.read_text().replace("name: Third Program", "name: Fourth Program"))
    deadline = time.monotonic() + 20
    while browser.execute_script("return document.querySelector('h1').textContent") != "Fourth Program FAQs":
        assert time.monotonic() < deadline, "the page did not reload"
        time.sleep(0.2)
    assert browser.current_url.endswith("/p/third#ca")
