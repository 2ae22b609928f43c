"""The HTML report in a real browser (tests/browser.py: headless Chromium from Debian's packages,
driven by selenium) at 1,400 and 420 pixels wide. Skipped, saying why, where it cannot be had.

``VARIANTS_SCREENSHOTS=DIR`` keeps the screenshots in DIR (the README's come from there).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from browser import browser, resize  # noqa: F401 - browser is a fixture

WIDTHS = (1400, 420)


@pytest.fixture
def report(run, eleven: Path, tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    result = run("-C", eleven, "diff", "--format", "html", "--output", page)
    assert result.exit_code == 0, result.stderr
    return page


def shot(chrome: Any, path: Path, name: str) -> None:
    """A screenshot, kept where VARIANTS_SCREENSHOTS says too."""
    target = path / f"{name}.png"
    assert chrome.save_screenshot(str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000
    keep = os.environ.get("VARIANTS_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(keep) / target.name)


def box(chrome: Any, selector: str) -> dict[str, float]:
    found: dict[str, float] = chrome.execute_script(
        "const e = document.querySelector(arguments[0]); e.scrollIntoView({block: 'start'});"
        "const r = e.getBoundingClientRect(); const f = (e.closest('.scroll') || e).getBoundingClientRect();"
        "return {left: r.left, right: r.right, width: r.width, height: r.height, top: r.top, frame: f.right,"
        " shown: e.checkVisibility(), inner: window.innerWidth, page: document.documentElement.scrollWidth};",
        selector,
    )
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_never_scrolls_sideways_and_shows_what_matters(
    browser: Any,  # noqa: F811
    report: Path,
    tmp_path: Path,
    width: int,
) -> None:
    resize(browser, width)
    browser.get(report.as_uri())
    inner = browser.execute_script("return window.innerWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= inner
    browser.execute_script("window.scrollTo(400, 0)")
    assert browser.execute_script("return window.scrollX") == 0
    shot(browser, tmp_path, f"diff-report-{width}")
    # The drift banner, the summary, the matrix and the evidence are on screen, each within the window.
    for selector in (".banner", "#summary table", "table.matrix", "#p-delta table.sbs", "#p-golf table.sbs"):
        seen = box(browser, selector)
        assert seen["shown"] and seen["height"] > 20, selector
        assert seen["left"] >= 0 and seen["left"] < inner, (selector, seen)
        assert seen["page"] <= inner, selector  # and the page still does not scroll sideways
        assert seen["frame"] <= inner, (selector, seen)  # a wider table scrolls in its box
    # Both sides of the evidence are in view, not behind a scroll.
    for side in ("td.old", "td.new"):
        seen = box(browser, f"#p-delta table.sbs {side}")
        assert seen["shown"] and seen["right"] <= inner and seen["width"] > 80, (side, seen)
    shot(browser, tmp_path, f"diff-report-{width}-evidence")
    # Wide tables scroll inside their own box, their header row kept in view.
    matrix = browser.find_element("css selector", "table.matrix")
    scroller = matrix.find_element("xpath", "..")
    assert browser.execute_script("return getComputedStyle(arguments[0]).overflowX", scroller) == "auto"
    head = matrix.find_element("css selector", "thead th")
    assert browser.execute_script("return getComputedStyle(arguments[0]).position", head) == "sticky"
    if width == 420:
        assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", scroller)
    # No style or script the policy had to refuse.
    refused = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert refused == []


def test_each_program_collapses_and_dark_mode_is_dark(browser: Any, report: Path, tmp_path: Path) -> None:  # noqa: F811
    resize(browser, 1400)
    browser.get(report.as_uri())
    part = browser.find_element("css selector", "#p-delta")
    assert part.get_attribute("open") is not None
    part.find_element("css selector", "summary").click()
    assert part.get_attribute("open") is None
    assert not browser.find_element("css selector", "#p-delta table.sbs").is_displayed()
    background = "return getComputedStyle(document.body).backgroundColor"
    assert browser.execute_script(background) == "rgb(255, 255, 255)"
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    )
    try:
        browser.get(report.as_uri())
        assert browser.execute_script(background) == "rgb(13, 17, 23)"
        shot(browser, tmp_path, "diff-report-1400-dark")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
