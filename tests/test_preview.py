"""``variants serve``: the preview's pages, marks, reload, safety; the process started and stopped."""

from __future__ import annotations

import http.client
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

import pytest

from conftest import REPO, snapshot, write_tree
from variants.diff.model import ONLY, REPLACED
from variants.diff.report import report_of
from variants.pipeline.build import build
from variants.preview import Preview, start_preview
from variants.preview.marks import Marks, page_marks
from variants.preview.render import blocks, parser
from variants.preview.server import bind_address
from variants.problems import VariantsError
from variants.source.watch import watch_sources

VARIANTS = Path(sys.executable).parent / "variants"
FAMILY = REPO / "examples" / "partner-faq"


def fetch(url: str, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], str]:
    request = Request(url, method=method, headers={"Host": host} if host else {})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except Exception as exc:  # urllib raises for 4xx; the status is what is tested
        code = getattr(exc, "code", None)
        if code is None:
            raise
        return int(code), dict(getattr(exc, "headers", {}) or {}), ""


@pytest.fixture
def preview(shipped: Path) -> Iterator[Preview]:
    running = start_preview(shipped, port=0, watch=False)
    yield running
    running.stop()


def test_index_and_pages(preview: Preview) -> None:
    status, headers, index = fetch(preview.url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    for slug in ("professional-learning-partner", "regional-partner"):
        assert f'href="/p/{slug}"' in index
    status, _, page = fetch(preview.url + "p/regional-partner")
    assert status == 200
    assert "<h1>Regional Partner FAQs</h1>" in page  # the Markdown rendered, the front matter apart
    assert (
        'href="https://docs.google.com/document/d/1RTNpMGhGRdeeqB47vmEOw6xBy-UOFMigqt-pGKRHrZI/view" target=_blank>'
        in page
    )
    assert '<div class="v-mark v-added">' in page  # the question only this program has, marked
    assert "overrides/regional-partner.yml:17:9" in page  # and where it is declared
    # the same question in the other program, one click away
    assert '<a href="/p/professional-learning-partner#pm"' in page


def test_every_response_carries_a_strict_policy_with_a_fresh_nonce(preview: Preview) -> None:
    nonces = []
    for _ in range(2):
        _, headers, page = fetch(preview.url + "p/professional-learning-partner")
        policy = headers["Content-Security-Policy"]
        nonce = re.search(r"script-src 'nonce-([\w-]+)'", policy)
        assert nonce and "default-src 'none'" in policy and "unsafe-inline" not in policy
        assert page.count(f'nonce="{nonce[1]}"') == 2  # the style and the script, nothing else
        nonces.append(nonce[1])
        assert headers["Cache-Control"] == "no-store" and headers["X-Content-Type-Options"] == "nosniff"
    assert nonces[0] != nonces[1]


def test_unknown_pages_other_methods_and_foreign_hosts_are_refused(preview: Preview) -> None:
    assert fetch(preview.url + "p/nope")[0] == 404
    assert fetch(preview.url + "p/../base/content.yml")[0] == 404
    assert fetch(preview.url + "base/content.yml")[0] == 404
    assert fetch(preview.url, method="POST")[0] == 405
    assert fetch(preview.url, host="attacker.example")[0] == 421  # a name that resolves here, from elsewhere
    assert fetch(preview.url, host="localhost:1234")[0] == 200


def test_texts_from_the_sources_are_escaped_outside_the_page(third: Path) -> None:
    override = third / "overrides" / "third.yml"
    override.write_text(override.read_text().replace("name: Third Program", "name: <img src=x onerror=alert(1)>"))
    running = start_preview(third, port=0, watch=False)
    try:
        _, _, page = fetch(running.url + "p/third")
        _, _, index = fetch(running.url)
    finally:
        running.stop()
    article, notes = page.split('<aside class="v-notes">')
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    assert escaped in notes and "<img" not in notes
    assert f"<title>{escaped} · variants preview</title>" in page and escaped in index and "<img" not in index
    # the page itself keeps the site's raw HTML; the policy keeps its script from running
    assert "<script>alert('x')</script>" in article


def marks_of(root: Path, slug: str) -> Marks:
    """Where the differences of program ``slug`` stand on its page."""
    built = build(root, keep_pages=True).raise_for_problems()
    report = report_of(built)
    page = next(p for p in built.pages if p.slug == slug)
    text = next(o.text for o in built.outputs if o.source == page.source)
    return page_marks(text, page, report.comparisons[report.compared.index(slug)], built.base)


def test_removed_and_changed_questions_are_marked_in_place(third: Path) -> None:
    marks = marks_of(third, "third")
    lines = marks.body.split("\n")
    changed = [lines[n] for n, mark in marks.lines.items() if mark.state == REPLACED and mark.id == "ca"]
    assert changed and all("example.org/overview" in line for line in changed)
    removed = [(line, m.id) for line, found in marks.removed.items() for m in found]
    assert [qid for _, qid in removed] == ["recruit"]
    line, _ = removed[0]
    assert 'id="ca"' in lines[line]  # just before the question that now follows where it was
    assert all(m.state != ONLY for m in marks.lines.values())


def test_blocks_render_the_whole_page_as_commonmark_does() -> None:
    text = (REPO / "out" / "professional-learning-partner-faq.md").read_text()
    body = text.split("---\n", 2)[2]
    assert "".join(block.html for block in blocks(body)) == parser().render(body)


def test_the_sources_problems_are_shown_until_fixed(shipped: Path) -> None:
    running = start_preview(shipped, port=0, watch=False)
    override = shipped / "overrides" / "regional-partner.yml"
    good = override.read_text()
    try:
        override.write_text(good.replace("program:", "progam:"))
        running.server.site.changed()
        status, _, page = fetch(running.url + "p/regional-partner")
        assert status == 200 and "The sources have problems" in page
        assert (
            "<li>overrides/regional-partner.yml:3:1: unknown key &#39;progam&#39; (did you mean &#39;program&#39;?)</li>"
            in page
        )
        override.write_text(good)
        running.server.site.changed()
        assert "<h1>Regional Partner FAQs</h1>" in fetch(running.url + "p/regional-partner")[2]
    finally:
        running.stop()


def test_event_stream_tells_pages_when_the_sources_change(preview: Preview) -> None:
    host, port = preview.server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    connection.request("GET", "/events?since=0")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
    threading.Timer(0.2, lambda: (preview.server.site.changed(), preview.server.notify())).start()
    assert response.fp.readline() == b"data: 1\n"
    connection.close()


def test_binding_beyond_loopback_is_refused_unless_asked() -> None:
    assert bind_address("127.0.0.1", 0)[1] == "127.0.0.1"
    assert bind_address("localhost", 0)[1] in ("127.0.0.1", "::1")
    for host in ("0.0.0.0", "192.0.2.10"):
        with pytest.raises(VariantsError) as refused:
            bind_address(host, 0)
        assert refused.value.problems[0].hint == "allow-remote"
    assert bind_address("0.0.0.0", 0, allow_remote=True)[1] == "0.0.0.0"


def test_serve_refuses_with_one_line_and_the_option_to_use(run, shipped: Path) -> None:
    refused = run("-C", shipped, "serve", "--host", "0.0.0.0")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "0.0.0.0: refusing to serve the preview beyond this machine (0.0.0.0 is not a loopback address); "
        "give --allow-remote to serve it to other machines anyway\n"
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run("-C", shipped, "serve", "--port", port)
    assert busy.exit_code == 1 and busy.stderr.startswith(f"127.0.0.1:{port}: cannot listen here: ")
    assert busy.stderr.endswith("give another --port (0: any free one)\n")
    nowhere = run("-C", shipped / "nowhere", "serve", "--port", "0")
    assert nowhere.exit_code == 1 and "no base/ folder here" in nowhere.stderr


def test_watch_yields_changed_sources_and_stops(shipped: Path) -> None:
    stop = threading.Event()
    guard = threading.Timer(60, stop.set)  # a change never seen fails the test, never hangs it
    guard.start()
    seen = []
    try:
        for changed in watch_sources(shipped, stop, announce=True):
            if not changed:  # the watch runs: now the edits
                write_tree(shipped, {"overrides/.regional-partner.yml.swp": "editor", "out/x.md": "not a source"})
                (shipped / "overrides" / "regional-partner.yml").write_text("program: {}\n")
                continue
            seen.append(changed)
            stop.set()
    finally:
        guard.cancel()
    assert seen == [{"overrides/regional-partner.yml"}]


def read_url(process: subprocess.Popen[str]) -> str:
    """The address the serve command announces on stderr (it starts in well under a minute)."""
    assert process.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    if not selector.select(timeout=60):
        process.kill()
        pytest.fail("serve said nothing")
    line = process.stderr.readline()
    found = re.search(r"at (http://\S+/) ", line)
    assert found, line
    return found[1]


def test_serve_starts_serves_reloads_and_stops_on_ctrl_c(shipped: Path) -> None:
    before = snapshot(shipped)
    process = subprocess.Popen(
        [str(VARIANTS), "-C", str(shipped), "serve", "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "VARIANTS_DEBUG": "1"},
    )
    try:
        url = read_url(process)
        assert url.startswith("http://127.0.0.1:")
        assert fetch(url)[0] == 200
        assert "<h1>Regional Partner FAQs</h1>" in fetch(url + "p/regional-partner")[2]
        assert snapshot(shipped) == before  # serving wrote nothing

        override = shipped / "overrides" / "regional-partner.yml"
        override.write_text(override.read_text().replace("name: Regional Partner\n", "name: Regional Partners\n"))
        deadline = time.monotonic() + 20
        while "<h1>Regional Partners FAQs</h1>" not in fetch(url + "p/regional-partner")[2]:
            assert time.monotonic() < deadline, "the page did not follow the edit"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert stdout == "" and stderr.endswith("stopped\n") and "Traceback" not in stderr
    with pytest.raises(URLError, match="refused"):
        fetch(url)  # nothing listens any more
    after = snapshot(shipped)
    assert {k for k in after if after[k] != before.get(k)} == {"overrides/regional-partner.yml"}


def test_a_changed_heading_is_found_inside_the_pages_markup() -> None:
    marks = marks_of(FAMILY, "rp-faq-2019")
    lines = marks.body.split("\n")
    marked = {lines[n] for n, mark in marks.lines.items() if mark.id == "map"}
    assert any(line.startswith("### **") and "can we still apply" in line for line in marked)
    assert all(mark.notes for mark in marks.lines.values())  # every mark says where it is declared


def test_a_fault_is_an_error_page_and_nothing_is_printed(
    preview: Preview, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def broken(self: object, nonce: str) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(type(preview.server.site), "index", broken)
    assert fetch(preview.url)[0] == 500
    assert fetch(preview.url + "p/regional-partner")[0] == 200  # the rest still serves
    assert capfd.readouterr() == ("", "")
