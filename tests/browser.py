"""A headless Chromium for the tests that look at pages as a person would (selenium).

``browser`` is a pytest fixture: test modules import it (``from browser import
browser``). It uses Debian's ``chromium`` and ``chromium-driver`` (.ci/run installs
them when missing) and never downloads a browser or a driver; where they cannot be
had the tests that need it are skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver", "chromium-driver")


def _found(names: tuple[str, ...]) -> str | None:
    return next((path for path in map(shutil.which, names) if path), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by selenium, 1400 × 1000 to start with; one for the whole session."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the test extras have it)")
    binary, driver = _found(BROWSERS), _found(DRIVERS)
    if binary is None or driver is None:
        pytest.skip("no Chromium here: install Debian's chromium and chromium-driver (.ci/run does)")
    os.environ["SE_OFFLINE"] = "true"  # selenium must not fetch a browser or a driver of its own
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        chrome = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
    except Exception as exc:  # a browser that is there but cannot start (no shared memory, a broken install)
        pytest.skip(f"Chromium is installed but does not start: {type(exc).__name__}: {exc}".splitlines()[0])
    chrome.set_page_load_timeout(30)
    yield chrome
    chrome.quit()


def resize(chrome: Any, width: int, height: int = 1000) -> None:
    """Make the page's viewport ``width`` CSS pixels wide (the window's frame is added around it)."""
    chrome.set_window_size(width, height)
    inner = chrome.execute_script("return window.innerWidth")
    if inner != width:
        chrome.set_window_size(width + (width - inner), height)


__all__ = ["browser", "resize"]
