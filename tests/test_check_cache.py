"""``check`` through the page cache: the same findings as a check without it, parsing only what changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from variants.cache.check import cached_check
from variants.cache.store import CACHE_DIR, Entry, Store
from variants.lint import check_project

RP = "overrides/regional-partner.yml"


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages each check parses."""
    from variants.lint import check as linting

    paths: list[str] = []
    real = linting.lint_page

    def counting(text: str, path: str, *args: object, **kwargs: object) -> list:
        paths.append(path)
        return real(text, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(linting, "lint_page", counting)
    return paths


def test_a_check_gives_what_a_check_without_the_cache_gives(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _parsed(monkeypatch)
    first = cached_check(shipped)
    assert first == check_project(shipped) and len(parsed) == 4  # the cached check and the plain one
    parsed.clear()
    assert cached_check(shipped) == first and parsed == []  # nothing changed: nothing parsed
    override = shipped / RP
    text = override.read_text()
    override.write_text(text.replace("name: Regional Partner\n", "name: Regional Partners\n"))
    edited = cached_check(shipped)
    assert parsed == ["out/regional-partner-faq.md"]  # the other page's findings come from the cache
    parsed.clear()
    assert edited == check_project(shipped)
    override.write_text(text)
    assert cached_check(shipped) == first


def test_findings_of_every_level_are_given_on_every_check(run, shipped: Path) -> None:
    override = shipped / RP
    override.write_text(override.read_text().replace("name: Regional Partner\n", "name: '{{ nope }}'\n"))
    results = [run("-C", shipped, "check") for _ in range(2)] + [run("-C", shipped, "check", "--no-cache")]
    assert [r.exit_code for r in results] == [1, 1, 1]
    assert results[0].stdout == results[1].stdout == results[2].stdout and "nope" in results[0].stdout


def test_a_damaged_entry_is_checked_again(shipped: Path) -> None:
    good = cached_check(shipped)
    for entry in (p for p in (shipped / CACHE_DIR / "pages").rglob("*") if p.is_file()):
        record = json.loads(entry.read_bytes())
        if record["name"] == "check":
            record["text"] = record["text"].replace("warning", "error")  # its digest no longer matches
            entry.write_text(json.dumps(record))
    assert cached_check(shipped) == good


@pytest.mark.parametrize("text", ["{not json", '[["a", "b"]]', '{"a": 1}', "[[[1, 2, 3], 4, 5, 6]]"])
def test_a_sound_entry_that_holds_no_findings_is_checked_again(shipped: Path, text: str) -> None:
    good = cached_check(shipped)
    store = Store(shipped)
    for entry in (p for p in (shipped / CACHE_DIR / "pages").rglob("*") if p.is_file()):
        record = json.loads(entry.read_bytes())
        if record["name"] == "check":
            store.put(record["key"], Entry("check", text))  # its digest matches: only its findings are wrong
    assert cached_check(shipped) == good == check_project(shipped)


def test_a_check_with_everything_cached_parses_nothing(shipped: Path) -> None:
    code = (
        "import sys\nfrom variants.cli import main\n"
        f"try:\n    main(['-C', {str(shipped)!r}, 'check'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('jinja2', 'yaml', 'markdown_it', 'markdown_it_pyrs') if m in sys.modules))"
    )
    for expected in ("['jinja2', 'markdown_it_pyrs', 'yaml']", "[]"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.splitlines()[-1] == expected, out.stderr


def test_a_new_version_of_a_parser_is_a_new_check(
    shipped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from variants.cache.versions import environment

    parsed = _parsed(monkeypatch)
    cached_check(shipped)
    parsed.clear()
    newer = tmp_path / "site" / "markdown_it_pyrs-9.9.dist-info"  # a release installed ahead on the path
    newer.mkdir(parents=True)
    (newer / "METADATA").write_text("Metadata-Version: 2.1\nName: markdown-it-pyrs\nVersion: 9.9\n")
    monkeypatch.syspath_prepend(str(newer.parent))
    environment.cache_clear()
    try:
        assert cached_check(shipped) == check_project(shipped)
        assert len(parsed) == 4  # both pages parsed again by the cached check, and by the plain one
    finally:
        environment.cache_clear()


@pytest.mark.parametrize("made", [False, True], ids=["missing folder", "folder with no base"])
def test_a_check_of_no_project_writes_nothing(run, tmp_path: Path, made: bool) -> None:
    folder = tmp_path / "nothing"
    if made:
        folder.mkdir()
        (folder / "notes.md").write_text("# Notes\n")
    result = run("-C", folder, "check")
    assert result.exit_code == 1 and "no base/ folder here" in result.stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) == (["notes.md", "nothing"] if made else [])
