"""The build never loses work: --check/--diff, atomic all-or-nothing writes, protected hand edits."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from conftest import GOLDEN, PAGES, snapshot, write_tree
from variants.output.apply import write_file
from variants.output.manifest import MANIFEST
from variants.problems import VariantsError

RP = "regional-partner-faq.md"
PLP = "professional-learning-partner-faq.md"


def edit_answer(root: Path) -> None:
    """Change a shared answer, so that both pages become stale."""
    content = root / "base" / "content.yml"
    content.write_text(content.read_text().replace("Of course!", "Certainly!"))


def test_check_passes_when_current_and_writes_nothing(run, shipped: Path) -> None:
    before = snapshot(shipped / "out")
    result = run("-C", shipped, "build", "--check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "2 pages up to date\n"
    assert snapshot(shipped / "out") == before


def test_check_lists_missing_stale_and_extra(run, shipped: Path) -> None:
    run("-C", shipped, "build")
    (shipped / "out" / PLP).unlink()
    (shipped / "overrides" / "regional-partner.yml").rename(shipped / "overrides" / "rp.yml")
    before = snapshot(shipped / "out")
    result = run("-C", shipped, "build", "--check")
    assert result.exit_code == 1
    out = shipped / "out"
    assert result.stderr.splitlines() == [
        f"{out}/{PLP}: missing",
        f"{out}/rp-faq.md: missing",
        f"{out}/{RP}: extra",
        "3 of 3 pages out of date; run 'variants build'",
    ]
    assert snapshot(shipped / "out") == before


def test_check_reports_stale_page(run, shipped: Path) -> None:
    edit_answer(shipped)
    result = run("-C", shipped, "build", "--check")
    assert result.exit_code == 1
    assert f"{shipped}/out/{RP}: stale" in result.stderr.splitlines()


def test_diff_prints_unified_diff_and_writes_nothing(run, shipped: Path) -> None:
    edit_answer(shipped)
    before = snapshot(shipped / "out")
    result = run("-C", shipped, "build", "--diff")
    assert result.exit_code == 0
    out = f"{shipped}/out".lstrip("/")
    assert f"--- a/{out}/{RP}\n+++ b/{out}/{RP}\n" in result.stdout
    assert "\n-Of course! Anyone accepted" in result.stdout
    assert "\n+Certainly! Anyone accepted" in result.stdout
    assert snapshot(shipped / "out") == before


def test_unchanged_pages_are_not_rewritten(run, shipped: Path) -> None:
    page = shipped / "out" / PLP
    os.utime(page, ns=(1_000_000_000, 1_000_000_000))
    edit_answer(shipped)
    content = shipped / "base" / "content.yml"
    # Change only the Regional Partner page.
    rp = shipped / "overrides" / "regional-partner.yml"
    rp.write_text(rp.read_text().replace("United States.", "United States of America."))
    content.write_text(content.read_text().replace("Certainly!", "Of course!"))
    result = run("-C", shipped, "build")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == f"updated {shipped}/out/{RP}"
    assert page.stat().st_mtime_ns == 1_000_000_000


def test_hand_edit_is_protected_until_force(run, shipped: Path) -> None:
    page = shipped / "out" / RP
    page.write_text(page.read_text() + "my notes\n")
    before = snapshot(shipped / "out")
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{shipped}/out/{RP}: was edited by hand since the last build; see 'variants diff', take it into the sources with 'variants adopt', or use --force\n"
    )
    assert snapshot(shipped / "out") == before
    assert run("-C", shipped, "build", "--force").exit_code == 0
    assert page.read_bytes() == (GOLDEN / RP).read_bytes()


def test_file_not_written_by_variants_is_not_overwritten(run, shipped: Path) -> None:
    (shipped / "out" / MANIFEST).unlink()
    (shipped / "out" / RP).write_text("someone else's page\n")
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert "exists and was not written by variants" in result.stderr
    assert (shipped / "out" / RP).read_text() == "someone else's page\n"


def test_foreign_files_are_never_touched(run, shipped: Path) -> None:
    write_tree(shipped, {"out/notes.txt": "keep me\n", "out/sub/other.md": "mine\n"})
    before = {k: v for k, v in snapshot(shipped / "out").items() if not k.endswith(".md") or "/" in k}
    edit_answer(shipped)
    assert run("-C", shipped, "build").exit_code == 0
    after = snapshot(shipped / "out")
    assert after["notes.txt"] == before["notes.txt"]
    assert after["sub/other.md"] == before["sub/other.md"]


def test_page_of_deleted_override_is_removed_and_listed(run, shipped: Path) -> None:
    (shipped / "overrides" / "regional-partner.yml").unlink()
    result = run("-C", shipped, "build")
    assert result.exit_code == 0
    assert f"removed {shipped}/out/{RP}" in result.stderr.splitlines()
    assert not (shipped / "out" / RP).exists()
    assert (shipped / "out" / PLP).exists()
    assert RP not in (shipped / "out" / MANIFEST).read_text()


def test_hand_edited_page_of_deleted_override_is_kept(run, shipped: Path) -> None:
    (shipped / "out" / RP).write_text("edited\n")
    (shipped / "overrides" / "regional-partner.yml").unlink()
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert "use --force to remove it" in result.stderr
    assert (shipped / "out" / RP).read_text() == "edited\n"


def test_full_disk_leaves_nothing_behind(run, shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_answer(shipped)
    before = snapshot(shipped / "out")
    real_write = os.write
    writes = []

    def full(fd: int, data: bytes) -> int:
        """The disk fills up while the second page is written."""
        writes.append(fd)
        if len(writes) == 2:
            real_write(fd, bytes(data)[:100])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    result = run("-C", shipped, "build", "--no-cache")  # the cache's own writes are not counted
    assert result.exit_code == 1
    assert result.stderr.endswith(": cannot write: No space left on device; nothing was changed\n")
    assert len(writes) == 2
    assert snapshot(shipped / "out") == before  # first page staged, then dropped: no partial file, no temp file


def test_read_only_out_folder(run, shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_answer(shipped)
    before = snapshot(shipped / "out")

    real_open = os.open

    def refuse(path: str, flags: int, *args: int, **kwargs: object) -> int:
        """Files can be read, but nothing can be created."""
        if flags & (os.O_WRONLY | os.O_CREAT):
            raise PermissionError(errno.EACCES, "Permission denied", str(shipped / "out"))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr == f"{shipped}/out: cannot write: Permission denied; nothing was changed\n"
    assert snapshot(shipped / "out") == before


def test_unreadable_source(run, shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def guarded(path: str, flags: int, *args: int, **kwargs: object) -> int:
        if os.fspath(path).endswith("content.yml"):  # as root, permissions would not stop the read
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", guarded)
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr == "base/content.yml: cannot read: Permission denied\n"


def test_missing_overrides_folder(run, shipped: Path) -> None:
    import shutil

    shutil.rmtree(shipped / "overrides")
    result = run("-C", shipped, "build")
    assert (result.exit_code, result.stderr) == (
        1,
        f"{shipped}/overrides: no overrides/ folder here (use -C to name the project)\n",
    )


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("/etc/passwd", "output name '/etc/passwd' escapes the output folder"),
        ("../escape.md", "output name '../escape.md' escapes the output folder"),
        ("a/../../escape.md", "output name 'a/../../escape.md' escapes the output folder"),
        ("~/x.md", "output name '~/x.md' escapes the output folder"),
        (".variants-manifest.json", "output name '.variants-manifest.json' is not a plain relative file name"),
    ],
)
def test_output_names_that_escape_are_refused(run, shipped: Path, tmp_path: Path, output: str, message: str) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text(override.read_text() + f"output: '{output}'\n")
    before = snapshot(tmp_path)
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [f"overrides/regional-partner.yml:{len(override.read_text().splitlines())}:9: {message}"]
    assert snapshot(tmp_path) == before


def test_symlink_out_of_the_output_folder_is_refused(run, shipped: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (shipped / "out" / "link").symlink_to(outside)
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text(override.read_text() + "output: link/page.md\n")
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr == f"{shipped}/out/link/page.md: refusing to write through a symbolic link\n"
    assert list(outside.iterdir()) == []


def test_a_folder_turned_into_a_link_after_a_build_is_refused(run, shipped: Path, tmp_path: Path) -> None:
    """The stamp vouches for pages it recorded; a link put in one's folders since is refused all the same."""
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text(override.read_text() + "output: sub/page.md\n")
    assert run("-C", shipped, "build").exit_code == 0
    moved = tmp_path / "elsewhere"
    (shipped / "out" / "sub").rename(moved)
    (shipped / "out" / "sub").symlink_to(moved)
    before = snapshot(moved)
    result = run("-C", shipped, "build")
    assert (result.exit_code, result.stderr) == (
        1,
        f"{shipped}/out/sub/page.md: refusing to write through a symbolic link\n",
    )
    assert snapshot(moved) == before


def test_symlinked_page_is_refused(run, shipped: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.md"
    target.write_text("precious\n")
    (shipped / "out" / RP).unlink()
    (shipped / "out" / RP).symlink_to(target)
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert "refusing to write through a symbolic link" in result.stderr
    assert target.read_text() == "precious\n"


def test_two_programs_claiming_one_output(run, shipped: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text(override.read_text() + f"output: {PLP}\n")
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert f"output '{PLP}' is also written by overrides/professional-learning-partner.yml" in result.stderr


def test_damaged_manifest(run, shipped: Path) -> None:
    (shipped / "out" / MANIFEST).write_text("{not json")
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr == f"{shipped}/out/{MANIFEST}: manifest is damaged; delete it and rebuild with --force\n"


def test_sandbox_blocks_python_internals(run, shipped: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text(
        override.read_text().replace(
            "Do you accept international", "Do you accept {{ ''.__class__.__mro__ }} international"
        )
    )
    before = snapshot(shipped / "out")
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "overrides/regional-partner.yml:19:19: template error: access to attribute '__class__' of 'str' object is unsafe"
    )
    assert snapshot(shipped / "out") == before


def test_variable_values_are_templates_in_the_sandbox(run, shipped: Path, tmp_path: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    text = override.read_text()
    override.write_text(text.replace("name: Regional Partner", "name: \"{{ ''.__class__ }} <b>\""))
    result = run("-C", shipped, "build", "--out", tmp_path / "o")
    assert (result.exit_code, result.stderr) == (
        1,
        "overrides/regional-partner.yml:4:9: template error: access to attribute '__class__' of 'str' object is unsafe.\n",
    )
    assert not (tmp_path / "o").exists()
    # A value may use the other variables, as a default does; never a silent literal '{{'.
    override.write_text(
        text.replace("name: Regional Partner", "name: Regional Partner\n  name_in_text: '{{ name | lower }}'")
    )
    assert run("-C", shipped, "build", "--out", tmp_path / "o").exit_code == 0
    assert "looking for regional partners in regions" in (tmp_path / "o" / RP).read_text()
    cycle = text.replace("name: Regional Partner", "name: '{{ nav }}'").replace(
        "nav: plc_", "nav: '{{ name }}'  # plc_"
    )
    override.write_text(cycle)
    result = run("-C", shipped, "build", "--out", tmp_path / "o2")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "overrides/regional-partner.yml:4:9: program variables use each other in a circle: name → nav → name"
    ]


def test_pages_from_the_golden_copy_are_adopted_without_rewrite(run, shipped: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    for name in PAGES:
        (out / name).write_bytes((GOLDEN / name).read_bytes())
    result = run("-C", shipped, "build", "--out", out)
    assert result.exit_code == 0
    assert result.stderr == "2 pages built: 0 changed, 2 unchanged\n"
    assert (out / MANIFEST).exists()


def test_new_pages_follow_the_umask_and_reuse_a_killed_runs_temp_name(run, shipped: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / f".{RP}.{os.getpid()}.variants-tmp").write_text("left by a killed run")
    old = os.umask(0o027)
    try:
        assert run("-C", shipped, "build", "--out", out).exit_code == 0
    finally:
        os.umask(old)
    assert (out / RP).stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, PLP, RP]


def test_a_report_that_fails_halfway_leaves_the_old_file(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("old report\n")

    def pieces():  # type: ignore[no-untyped-def]
        yield "new start"
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(VariantsError) as info:
        write_file(report, pieces())
    assert [p.one_line() for p in info.value.problems] == [f"{report}: cannot write: No space left on device"]
    assert report.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_diff_output_file_is_written_whole(run, shipped: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = run("-C", shipped, "diff", "--format", "markdown", "--output", target)
    assert result.exit_code == 0
    assert result.stderr == f"wrote {target}\n"
    assert target.read_text() == run("-C", shipped, "diff", "--format", "markdown").stdout


def test_manifest_naming_a_file_outside_the_folder_is_damaged(run, shipped: Path) -> None:
    (shipped / "out" / MANIFEST).write_text('{"version": 1, "files": {"../../etc/x": "00", "a\\u0000b": "00"}}\n')
    result = run("-C", shipped, "build", "--force")
    assert result.exit_code == 1
    assert result.stderr.endswith("manifest is damaged; delete it and rebuild with --force\n")
