"""Issue 16 for the commands that came later: the page cache, adopt, watch, blame.

The same promises as everywhere: no FIFO hangs a run, nothing is written or
removed through a link out of the place asked for, and a run's writes are its
own (random temporary names, the output folder's lock).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_hostile_paths import RP, one_line, temps, variants

from conftest import snapshot
from variants.cache.store import CACHE_DIR, Store
from variants.output import paths
from variants.output.manifest import MANIFEST
from variants.output.paths import replace_all


@pytest.mark.parametrize("where", ["index.json", "pages"])
def test_a_fifo_in_the_page_cache_is_no_hang(shipped: Path, where: str) -> None:
    assert variants("-C", shipped, "build").returncode == 0  # fills the cache
    cache = shipped / CACHE_DIR
    if where == "pages":
        entry = next(p for p in (cache / "pages").rglob("*") if p.is_file())
        entry.unlink()
        os.mkfifo(entry)
    else:
        (cache / where).unlink()
        os.mkfifo(cache / where)
    (shipped / "out" / RP).unlink()  # so the build has something to do
    result = variants("-C", shipped, "build")
    assert result.returncode == 0, result.stderr
    assert f"created {shipped}/out/{RP}" in result.stderr


def test_pruning_the_cache_removes_nothing_through_a_link(shipped: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for n in range(100):
        (elsewhere / (f"{n:02x}" * 2)).write_text("not the cache's")
    pages = shipped / CACHE_DIR / "pages"
    pages.mkdir(parents=True)
    (pages / "zz").symlink_to(elsewhere)
    Store(shipped).prune(set())
    assert len(list(elsewhere.iterdir())) == 100


def test_a_cache_entry_is_not_written_through_a_link(run, shipped: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("-C", shipped, "build").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pages = shipped / CACHE_DIR / "pages"
    for folder in list(pages.iterdir()):
        for entry in folder.iterdir():
            entry.unlink()
        folder.rmdir()
        folder.symlink_to(elsewhere)
    (shipped / "out" / RP).unlink()
    assert run("-C", shipped, "build").exit_code == 0
    assert list(elsewhere.iterdir()) == []


def test_cache_clear_with_a_file_among_its_folders(run, shipped: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("-C", shipped, "build").exit_code == 0
    (shipped / CACHE_DIR / "pages" / "stray").write_text("a file where a folder of entries goes")
    result = run("-C", shipped, "cache", "clear")
    assert result.exit_code == 0, result.stderr
    assert not (shipped / CACHE_DIR).exists()


def test_adopt_with_a_fifo_in_base_is_no_hang(shipped: Path) -> None:
    page = shipped / "out" / RP
    page.write_text(page.read_text().replace("Of course!", "Certainly!"))
    os.mkfifo(shipped / "base" / "notes.txt")  # no source, but a copy of base/ must not open it
    result = variants("-C", shipped, "adopt", f"out/{RP}", cwd=shipped)
    assert result.returncode == 0, result.stderr
    assert "Certainly!" in (shipped / "overrides" / "regional-partner.yml").read_text()
    assert temps(shipped) == []


def test_adopt_waits_for_the_output_folders_lock(run, shipped: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import fcntl

    monkeypatch.setattr(paths, "LOCK_WAIT", 0.3)
    page = shipped / "out" / RP
    page.write_text(page.read_text().replace("Of course!", "Certainly!"))
    before = snapshot(shipped)
    handle = os.open(shipped / "out", os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        result = run("-C", shipped, "adopt", "regional-partner")
    finally:
        os.close(handle)
    assert (result.exit_code, one_line(result.stderr)) == (
        1,
        f"{shipped}/out: another run of variants has been writing here for 0.3 seconds; try again later",
    )
    assert snapshot(shipped) == before


def test_files_written_together_put_back_what_they_replaced(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    one, two = tmp_path / "one.yml", tmp_path / "two.yml"
    one.write_text("old one")
    two.write_text("old two")
    real = os.replace
    calls = []

    def failing(src, dst):  # type: ignore[no-untyped-def]
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(src))
        real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    from variants.problems import VariantsError

    with pytest.raises(VariantsError, match=r"two\.yml: cannot write: No space left on device; nothing was changed"):
        replace_all({one: b"new one", two: b"new two"})
    monkeypatch.setattr(os, "replace", real)
    assert (one.read_text(), two.read_text()) == ("old one", "old two")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.yml", "two.yml"]


def test_files_written_together_never_through_a_link(tmp_path: Path) -> None:
    from variants.problems import VariantsError

    real = tmp_path / "real.yml"
    real.write_text("kept")
    (tmp_path / "link.yml").symlink_to(real)
    with pytest.raises(VariantsError, match="refusing to write: not a regular file"):
        replace_all({tmp_path / "link.yml": b"through"})
    assert real.read_text() == "kept"


@pytest.mark.parametrize("name", [RP, MANIFEST])
def test_blame_of_a_fifo_in_the_output_folder_is_no_hang(shipped: Path, name: str) -> None:
    where = shipped / "out" / name
    where.unlink()
    os.mkfifo(where)
    result = variants("-C", shipped, "blame", f"out/{RP}", cwd=shipped)
    assert result.returncode in (0, 1)
    if result.returncode == 1:
        assert "is not a regular file" in one_line(result.stderr)


def test_watch_refuses_a_report_over_a_page(shipped: Path) -> None:
    result = variants("-C", shipped, "watch", "--diff", f"out/{RP}", cwd=shipped)
    assert result.returncode == 1
    assert "is in the output folder" in one_line(result.stderr)
