"""Retake docs/preview.png, the README's picture of ``variants serve``, with headless Chromium.

    .venv/bin/python docs/screenshot.py          # needs Debian's chromium and chromium-driver
    pngquant --quality 60-85 -f -o docs/preview.png docs/preview.png   # optional: a smaller file

It serves examples/partner-faq on a free loopback port (nothing is written but
the picture) and shows rp-faq-2019 at its first question: the switch to the same
question in the other programs, a changed question and an added one, the notes.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from selenium import webdriver

from variants.preview import start_preview

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "preview.png"
WIDTH, HEIGHT = 1280, 760
SCROLL = (
    "const s = document.querySelector('.v-switch'); window.scrollTo(0, s.getBoundingClientRect().top + scrollY - 60);"
)


def main() -> None:
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if binary is None or driver is None:
        sys.exit("needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(argument)
    preview = start_preview(REPO / "examples" / "partner-faq", port=0, watch=False)
    chrome = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
    try:
        chrome.set_window_size(WIDTH, HEIGHT)
        chrome.get(preview.url + "p/rp-faq-2019")
        chrome.execute_script(SCROLL)
        time.sleep(0.5)
        chrome.save_screenshot(str(OUT))
    finally:
        chrome.quit()
        preview.stop()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
