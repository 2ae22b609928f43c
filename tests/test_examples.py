"""examples/partner-faq: the six pages of the family from one source, byte for byte, and compact."""

from __future__ import annotations

import shutil
from pathlib import Path

import compactness  # the benchmark's measure, one definition for both
import pytest

from conftest import GOLDEN, REPO, snapshot

EXAMPLE = REPO / "examples" / "partner-faq"
FAMILY = GOLDEN / "partner-faq"
PAGES = sorted(p.name for p in FAMILY.glob("*.md"))


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "partner-faq"
    shutil.copytree(EXAMPLE, root)
    return root


def test_the_golden_copies_are_the_shared_pages_when_present() -> None:
    shared = REPO.parent / "shared" / "pages"
    if not shared.is_dir():
        pytest.skip("../shared/pages is not beside this checkout")
    assert len(PAGES) == 6
    for name in PAGES:
        page = shared / name if (shared / name).exists() else shared / "family" / name
        assert (FAMILY / name).read_bytes() == page.read_bytes(), name


@pytest.mark.parametrize("name", PAGES)
def test_every_page_of_the_family_is_rebuilt_byte_for_byte(run, example: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / "fresh"
    result = run("-C", example, "build", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert (out / name).read_bytes() == (FAMILY / name).read_bytes()


def test_one_override_per_page_named_after_it_and_out_in_sync(run) -> None:
    assert sorted(p.stem + ".md" for p in (EXAMPLE / "overrides").glob("*.yml")) == PAGES
    result = run("-C", EXAMPLE, "build", "--check")
    assert result.exit_code == 0, result.stderr
    for name in PAGES:
        assert (EXAMPLE / "out" / name).read_bytes() == (FAMILY / name).read_bytes()


def test_check_finds_only_the_published_quirks(run, example: Path) -> None:
    result = run("-C", example, "check")
    assert result.exit_code == 0, result.stdout
    assert result.stderr.startswith("0 errors, ")
    rules = {line.rsplit("(", 1)[-1].rstrip(")") for line in result.stdout.splitlines()}
    assert rules == {"mojibake", "toc-link", "toc-body", "anchor-duplicate"}


def test_the_sources_are_compact_and_copy_nothing() -> None:
    measured = compactness.measure(EXAMPLE, [FAMILY / name for name in PAGES])
    assert measured["copies"] == []  # no line of 40 or more characters stands in two files
    assert measured["chars"] <= 11_991  # at most 0.75 of the 15,988 characters of a line-diff encoding
    assert measured["lines"] <= 308
    assert measured["files"]["overrides/plp-faq-2018.yml"]["lines"] <= 12


def test_a_shared_piece_changes_every_page_that_uses_it_and_no_other(run, example: Path) -> None:
    component = example / "base" / "components" / "international.yml"
    component.write_text(component.read_text().replace("Do you accept", "Do you welcome"))
    before = snapshot(example / "out")
    result = run("-C", example, "build")
    assert result.exit_code == 0, result.stderr
    changed = {name for name, (data, _) in snapshot(example / "out").items() if data != before[name][0]}
    changed.discard(".variants-manifest.json")
    assert changed == {"plp-faq-2018.md", "regional-partner-faq.md", "rp-faq-2019.md"}
