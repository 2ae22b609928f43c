"""Issue 16, every path a command reads or writes: reports, special files, FIFOs, hand edits,
all-or-nothing writes, concurrent runs, signals, ``new``, closed pipes.

Each case ends in a one-line located error (exit 1 or 2) or a correct result, in seconds,
with nothing lost and nothing written where it was not asked to write.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import GOLDEN, REPO, snapshot, write_tree
from variants.output import paths
from variants.output.manifest import MANIFEST
from variants.output.paths import TEMP_SUFFIX

RP = "regional-partner-faq.md"
PLP = "professional-learning-partner-faq.md"
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def variants(*args: str | Path, timeout: float = 20, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, so that a hang is a failure, not a stuck test run."""
    command = [sys.executable, "-m", "variants", *map(str, args)]
    kwargs.setdefault("cwd", REPO)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)  # type: ignore[call-overload, no-any-return]


def one_line(stderr: str) -> str:
    (line,) = stderr.splitlines()
    return line


def edit_answer(root: Path) -> None:
    content = root / "base" / "content.yml"
    content.write_text(content.read_text().replace("Of course!", "Certainly!"))


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(TEMP_SUFFIX))


# --- reports written with --output --------------------------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (f"out/{RP}", "is in the output folder"),
        (f"out/{MANIFEST}", "is in the output folder"),
        ("out/new-report.html", "is in the output folder"),
        ("base/content.yml", "is a source file of the project in base/"),
        ("base/page.md.j2", "is a source file of the project in base/"),
        ("overrides/regional-partner.yml", "is a source file of the project in overrides/"),
        ("overrides/new.yml", "is a source file of the project in overrides/"),
    ],
)
@pytest.mark.parametrize("command", [("diff", "--output"), ("schema", "--output")])
def test_a_report_is_never_written_over_a_page_or_a_source(
    run, shipped: Path, target: str, message: str, command: tuple[str, str]
) -> None:
    before = snapshot(shipped)
    result = run("-C", shipped, *command, shipped / target)
    assert result.exit_code == 1
    assert one_line(result.stderr) == f"{shipped / target}: {message}" + (
        f" {shipped}/out; write it elsewhere" if "output folder" in message else ""
    )
    assert snapshot(shipped) == before


def test_the_schema_copy_in_base_may_be_written(run, shipped: Path) -> None:
    (shipped / "base" / "override.schema.json").write_text("{}\n")
    result = run("-C", shipped, "schema", "--output", shipped / "base" / "override.schema.json")
    assert result.exit_code == 0
    assert (shipped / "base" / "override.schema.json").read_bytes() == (
        REPO / "base" / "override.schema.json"
    ).read_bytes()


def test_a_report_through_a_link_into_the_output_folder_is_refused(run, shipped: Path, tmp_path: Path) -> None:
    (tmp_path / "report.md").symlink_to(shipped / "out" / RP)
    result = run("-C", shipped, "diff", "--output", tmp_path / "report.md")
    assert result.exit_code == 1
    assert "is in the output folder" in result.stderr
    assert (shipped / "out" / RP).read_bytes() == (GOLDEN / RP).read_bytes()


def test_a_fifo_nobody_reads_is_an_error_not_a_hang_and_stays_a_fifo(shipped: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = variants("-C", shipped, "schema", "--output", fifo)
    assert (result.returncode, one_line(result.stderr)) == (
        1,
        f"{fifo}: is a FIFO that no process is reading; not written",
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_with_a_reader_gets_the_report_as_a_stream(run, shipped: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = variants("-C", shipped, "schema", "--output", fifo)
    reader.join(10)
    assert result.returncode == 0
    assert got == [(REPO / "base" / "override.schema.json").read_bytes()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not ROOT, reason="making device files needs root")
def test_a_device_is_written_to_never_replaced(run, shipped: Path, tmp_path: Path) -> None:
    null, full = tmp_path / "null", tmp_path / "full"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # what /dev/full is
    assert run("-C", shipped, "diff", "--output", null).exit_code == 0
    result = run("-C", shipped, "schema", "--output", full)
    assert (result.exit_code, one_line(result.stderr)) == (1, f"{full}: cannot write: No space left on device")
    assert stat.S_ISCHR(os.lstat(null).st_mode) and stat.S_ISCHR(os.lstat(full).st_mode)
    block = tmp_path / "block"
    os.mknod(block, stat.S_IFBLK | 0o600, os.makedev(7, 200))
    result = run("-C", shipped, "schema", "--output", block)
    assert one_line(result.stderr) == f"{block}: is not a regular file, a FIFO or a terminal; not written"
    assert stat.S_ISBLK(os.lstat(block).st_mode)


def test_dev_stdout_is_this_runs_own_stdout(shipped: Path, tmp_path: Path) -> None:
    with (tmp_path / "captured").open("w") as stdout:
        result = subprocess.run(
            [sys.executable, "-m", "variants", "-C", shipped, "schema", "--output", "/dev/stdout"],
            stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=20, check=False,
        )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "wrote /dev/stdout\n")
    assert (tmp_path / "captured").read_bytes() == (REPO / "base" / "override.schema.json").read_bytes()


def test_a_link_to_a_report_keeps_the_link(run, shipped: Path, tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text("old\n")
    (tmp_path / "real.json").chmod(0o600)
    (tmp_path / "link.json").symlink_to("real.json")
    assert run("-C", shipped, "schema", "--output", tmp_path / "link.json").exit_code == 0
    assert (tmp_path / "link.json").is_symlink()
    assert (tmp_path / "real.json").read_bytes() == (REPO / "base" / "override.schema.json").read_bytes()
    assert stat.S_IMODE((tmp_path / "real.json").stat().st_mode) == 0o600  # its permissions are kept
    assert temps(tmp_path) == []


def test_a_link_to_nothing_is_not_written_through(run, shipped: Path, tmp_path: Path) -> None:
    (tmp_path / "link.json").symlink_to(tmp_path / "elsewhere" / "x.json")
    result = run("-C", shipped, "schema", "--output", tmp_path / "link.json")
    assert one_line(result.stderr) == f"{tmp_path / 'link.json'}: is a symbolic link to nothing; not written"
    assert not (tmp_path / "elsewhere").exists()


def test_kernel_files_are_not_written(run, shipped: Path) -> None:
    result = run("-C", shipped, "schema", "--output", "/proc/self/attr_x")
    assert one_line(result.stderr) == "/proc/self/attr_x: is in a system folder of the kernel; not written"


def test_a_report_with_bytes_that_are_not_utf8_is_written_as_they_are(run, shipped: Path, tmp_path: Path) -> None:
    with (shipped / "out" / RP).open("ab") as page:
        page.write(b"\xff\xfe\n")
    result = run("-C", shipped, "diff", "--format", "json", "--output", tmp_path / "r.json")
    assert result.exit_code == 0, result.stderr
    assert b"edited" in (tmp_path / "r.json").read_bytes()


# --- a page that is not UTF-8 is a hand edit, never a crash ----------------------------


def test_a_page_with_an_invalid_byte_is_a_hand_edit(run, shipped: Path) -> None:
    with (shipped / "out" / RP).open("ab") as page:
        page.write(b"\xff")
    before = snapshot(shipped / "out")
    path = f"{shipped}/out/{RP}"
    built = run("-C", shipped, "build")
    assert (built.exit_code, one_line(built.stderr)) == (
        1,
        f"{path}: was edited by hand since the last build; see 'variants diff', take it into the sources with 'variants adopt', or use --force",
    )
    checked = run("-C", shipped, "build", "--check")
    assert checked.exit_code == 1
    assert checked.stderr.splitlines()[0] == f"{path}: edited by hand"
    shown = run("-C", shipped, "build", "--diff")
    assert shown.exit_code == 0 and "\\ No newline at end of file" in shown.stdout
    report = run("-C", shipped, "diff")
    assert report.exit_code == 0 and "edited by hand" in report.stdout
    assert snapshot(shipped / "out") == before
    assert run("-C", shipped, "build", "--force").exit_code == 0
    assert (shipped / "out" / RP).read_bytes() == (GOLDEN / RP).read_bytes()


# --- FIFOs are never opened for reading -------------------------------------------------

FIFO_CASES = {
    "check-page": ("check", "{fifo}"),
    "extract-page": ("extract", "{fifo}", f"out/{RP}", "--into", "x"),
    "page-in-out": ("build",),
    "manifest": ("build",),
    "override": ("build",),
}


@pytest.mark.parametrize("case", sorted(FIFO_CASES))
def test_a_fifo_where_a_file_is_read_is_an_error_not_a_hang(shipped: Path, case: str) -> None:
    where = {
        "check-page": shipped / "f.md",
        "extract-page": shipped / "f.md",
        "page-in-out": shipped / "out" / RP,
        "manifest": shipped / "out" / MANIFEST,
        "override": shipped / "overrides" / "x.yml",
    }[case]
    where.unlink(missing_ok=True)
    os.mkfifo(where)
    args = [a.format(fifo=where.relative_to(shipped)) for a in FIFO_CASES[case]]
    result = variants("-C", shipped, *args, cwd=shipped)
    assert result.returncode == 1
    said = result.stdout if case == "check-page" else result.stderr  # check lists its findings on stdout
    assert f"{where.relative_to(shipped)}: " in said and "is not a regular file" in said
    assert all(": " in line for line in said.splitlines())


# --- all or nothing -------------------------------------------------------------------------


def test_a_failure_after_the_renames_began_puts_everything_back(run, shipped: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write_tree(shipped, {"overrides/extra.yml": "program:\n  name: Extra\n  nav: extra\n"})
    assert run("-C", shipped, "build").exit_code == 0
    (shipped / "overrides" / "extra.yml").unlink()  # its page is removed by the next build
    edit_answer(shipped)  # and both pages change
    before = snapshot(shipped / "out")
    real = os.replace

    def fails_on_the_manifest(src: str, dst: str) -> None:
        if os.fspath(dst).endswith(MANIFEST):
            raise OSError(errno.EIO, "Input/output error", os.fspath(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", fails_on_the_manifest)
    result = run("-C", shipped, "build")
    assert (result.exit_code, one_line(result.stderr)) == (
        1,
        f"{shipped}/out/{MANIFEST}: cannot write: Input/output error; nothing was changed",
    )
    assert snapshot(shipped / "out") == before  # the same bytes, the same files (mtimes: not rewritten)
    monkeypatch.undo()
    checked = run("-C", shipped, "build", "--check")
    assert f"{shipped}/out/extra-faq.md: extra" in checked.stderr  # the manifest still knows the orphan


def test_a_removal_that_fails_changes_nothing(run, shipped: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write_tree(
        shipped, {"overrides/a.yml": "program: {name: A, nav: a}\n", "overrides/b.yml": "program: {name: B, nav: b}\n"}
    )
    assert run("-C", shipped, "build").exit_code == 0
    (shipped / "overrides" / "a.yml").unlink()
    (shipped / "overrides" / "b.yml").unlink()
    edit_answer(shipped)
    before = snapshot(shipped / "out")
    real, calls = os.rename, []

    def second_fails(src: str, dst: str) -> None:
        calls.append(src)
        if len(calls) == 2:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(src))
        real(src, dst)

    monkeypatch.setattr(os, "rename", second_fails)
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    assert result.stderr.endswith(": cannot write: Permission denied; nothing was changed\n")
    assert snapshot(shipped / "out") == before


@pytest.mark.parametrize(("first", "then"), [("sub", "sub/x.md"), ("sub/x.md", "sub"), ("a/b/c.md", "a")])
def test_an_output_renamed_into_or_out_of_a_folder_of_its_own_name(run, shipped: Path, first: str, then: str) -> None:
    write_tree(shipped, {"overrides/y.yml": f"program: {{name: Y, nav: y}}\noutput: {first}\n"})
    assert run("-C", shipped, "build").exit_code == 0
    write_tree(shipped, {"overrides/y.yml": f"program: {{name: Y, nav: y}}\noutput: {then}\n"})
    result = run("-C", shipped, "build")
    assert result.exit_code == 0, result.stderr
    assert (shipped / "out" / then).is_file()
    assert run("-C", shipped, "build", "--check").exit_code == 0
    assert temps(shipped / "out") == []


def test_a_foreign_file_where_a_folder_is_needed_is_kept(run, shipped: Path) -> None:
    write_tree(shipped, {"out/sub": "mine\n", "overrides/y.yml": "program: {name: Y, nav: y}\noutput: sub/x.md\n"})
    before = snapshot(shipped / "out")
    result = run("-C", shipped, "build")
    assert (result.exit_code, one_line(result.stderr)) == (
        1,
        f"{shipped}/out/sub/x.md: 'sub' is a file where this page needs a folder",
    )
    assert snapshot(shipped / "out") == before


def test_stray_temporary_files_are_reported_then_removed(run, shipped: Path) -> None:
    out = shipped / "out"
    (out / f".{RP}.4242{TEMP_SUFFIX}").write_text("left by a killed run")
    (out / f".variants-trash.0011{TEMP_SUFFIX}").mkdir()
    (out / f".variants-trash.0011{TEMP_SUFFIX}" / "1").write_text("old page")
    linted = run("-C", shipped, "check")
    assert f"out/.{RP}.4242{TEMP_SUFFIX}: [warning] left by an interrupted run of variants" in linted.stdout
    checked = run("-C", shipped, "build", "--check")
    assert checked.exit_code == 1
    assert checked.stderr.splitlines()[-1] == "2 files left by interrupted runs; run 'variants build'"
    built = run("-C", shipped, "build")
    assert built.exit_code == 0
    assert f"removed {out}/.{RP}.4242{TEMP_SUFFIX} (left by an interrupted run)" in built.stderr
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, PLP, RP]


# --- runs at the same time ---------------------------------------------------------------


def test_a_run_waits_for_one_writing_the_same_folder_then_gives_up(run, shipped: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(paths, "LOCK_WAIT", 0.3)
    edit_answer(shipped)
    before = snapshot(shipped / "out")
    handle = os.open(shipped / "out", os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        result = run("-C", shipped, "build")
    finally:
        os.close(handle)
    assert (result.exit_code, one_line(result.stderr)) == (
        1,
        f"{shipped}/out: another run of variants has been writing here for 0.3 seconds; try again later",
    )
    assert snapshot(shipped / "out") == before


def many_programs(root: Path, count: int) -> None:
    write_tree(root, {f"overrides/p{n:03}.yml": f"program: {{name: Program {n}, nav: p{n}}}\n" for n in range(count)})


@pytest.mark.slow
def test_builds_at_the_same_time_in_separate_pid_namespaces(shipped: Path) -> None:
    """Two builds that both see PID 1 (unshare), again and again: each ends well, nothing is left over."""
    many_programs(shipped, 100)
    unshare = ["unshare", "--pid", "--fork", "--mount-proc"] if ROOT and _unshare_works() else []
    for round_ in range(3):
        edit = shipped / "base" / "content.yml"
        edit.write_text(
            edit.read_text().replace(
                "Of course!" if round_ % 2 == 0 else "Certainly!", "Of course!" if round_ % 2 else "Certainly!"
            )
        )
        command = [*unshare, sys.executable, "-m", "variants", "-C", str(shipped), "build"]
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.wait(60), p.stderr.read() if p.stderr else "") for p in runs]
        assert [code for code, _ in results] == [0, 0], results
        assert temps(shipped / "out") == []
        assert variants("-C", shipped, "build", "--check").returncode == 0


def _unshare_works() -> bool:
    try:
        return (
            subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], timeout=10, check=False).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


# --- signals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["sigint", "sigterm"])
def test_a_signal_while_staging_leaves_no_temporary_file(run, shipped: Path, monkeypatch, how: str) -> None:  # type: ignore[no-untyped-def]
    edit_answer(shipped)
    before = snapshot(shipped / "out")
    real, writes = os.write, []

    def interrupted(fd: int, data: bytes) -> int:
        writes.append(fd)
        if len(writes) == 2:  # while the second page is staged
            if how == "sigint":
                raise KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGTERM)
        return real(fd, data)

    monkeypatch.setattr(os, "write", interrupted)
    result = run("-C", shipped, "build")
    assert (result.exit_code, result.stderr) == (
        (130, "variants: interrupted\n") if how == "sigint" else (143, "variants: stopped by signal 15\n")
    )
    assert snapshot(shipped / "out") == before
    assert temps(shipped / "out") == []


@pytest.mark.slow
def test_a_signal_while_pages_are_written_leaves_the_old_pages_or_the_new_ones(shipped: Path) -> None:
    """Real processes, stopped the moment their first temporary file shows (and a little later)."""
    import random
    import time

    many_programs(shipped, 120)
    assert variants("-C", shipped, "build", timeout=60).returncode == 0
    out = shipped / "out"
    old = {name: data for name, (data, _) in snapshot(out).items()}
    edit_answer(shipped)
    command = [sys.executable, "-m", "variants", "-C", str(shipped), "build"]
    seen = {"old": 0, "new": 0}
    for round_ in range(5):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while process.poll() is None and not temps(out):
            time.sleep(0.001)
        time.sleep(random.Random(round_).uniform(0, 0.02))
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        assert temps(out) == []
        now = {name: data for name, (data, _) in snapshot(out).items()}
        if now == old:  # stopped before anything was renamed: the old pages, every one
            seen["old"] += 1
            continue
        seen["new"] += 1  # else it had finished: the new pages, every one
        assert variants("-C", shipped, "build", "--check").returncode == 0
        for name, data in old.items():  # back to the old pages for the next round
            (out / name).write_bytes(data)
        assert sorted(p.name for p in out.iterdir()) == sorted(old)
    assert seen["old"] > 0, seen


# --- variants new ---------------------------------------------------------------------------


def test_new_with_a_very_long_name_makes_a_short_slug(run, shipped: Path) -> None:
    result = run("-C", shipped, "new", "a" * 500)
    assert result.exit_code == 0, result.stderr
    assert (shipped / "overrides" / f"{'a' * 64}.yml").is_file()


def test_new_with_a_very_long_slug_is_refused(run, shipped: Path) -> None:
    before = snapshot(shipped)
    result = run("-C", shipped, "new", "X", "--slug", "a" * 300)
    assert result.exit_code == 1
    assert one_line(result.stderr).endswith(": use at most 64 lower-case letters, digits, '-' and '_'")
    assert snapshot(shipped) == before


def test_new_refuses_a_name_with_control_characters(run, shipped: Path) -> None:
    result = run("-C", shipped, "new", "Bad\x1b[31m")
    assert one_line(result.stderr) == "overrides/: the name 'Bad\\x1b[31m' holds the control character '\\x1b'"


def test_new_refuses_an_output_another_program_writes(run, shipped: Path) -> None:
    write_tree(shipped, {"overrides/y.yml": "program: {name: Y, nav: y}\noutput: x-faq.md\n"})
    result = run("-C", shipped, "new", "X")
    assert one_line(result.stderr) == "overrides/: output 'x-faq.md' is already written by overrides/y.yml; give --slug"
    assert not (shipped / "overrides" / "x.yml").exists()


def test_new_never_writes_through_a_link_to_nothing(run, shipped: Path, tmp_path: Path) -> None:
    schema = shipped / "base" / "override.schema.json"
    schema.unlink()
    schema.symlink_to(tmp_path / "outside.json")
    result = run("-C", shipped, "new", "X")
    assert result.exit_code == 0
    assert not (tmp_path / "outside.json").exists()
    assert schema.is_symlink()


def refuse_creating_in(folder: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """As if ``folder`` were read-only (as root, its mode would not stop anything)."""
    real_open, real_link = os.open, os.link

    def check(path: object) -> None:
        if Path(os.fspath(path)).parent == folder:  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[arg-type]

    def guarded_open(path: str, flags: int, *args: int, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            check(path)
        return real_open(path, flags, *args)

    def guarded_link(src: str, dst: str, **kwargs: object) -> None:
        check(dst)
        real_link(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "link", guarded_link)


@pytest.mark.parametrize("folder", ["overrides", "base"])
def test_new_into_a_read_only_folder_writes_nothing(run, shipped: Path, monkeypatch, folder: str) -> None:  # type: ignore[no-untyped-def]
    (shipped / "base" / "override.schema.json").unlink()  # so new writes it too
    before = snapshot(shipped)
    refuse_creating_in(shipped / folder, monkeypatch)
    result = run("-C", shipped, "new", "X")
    assert (result.exit_code, one_line(result.stderr)) == (
        1,
        f"{folder}/: cannot write: Permission denied; nothing was written",
    )
    assert snapshot(shipped) == before


def test_check_with_an_unreadable_schema_file(run, shipped: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real_open = os.open

    def guarded(path: str, flags: int, *args: int, **kwargs: object) -> int:
        if os.fspath(path).endswith("override.schema.json"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", guarded)
    result = run("-C", shipped, "check")
    assert result.exit_code == 1
    assert "base/override.schema.json: [error] cannot read: Permission denied (syntax)" in result.stdout


# --- closed pipes -------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("diff",), ("schema",), ("check",), ("build", "--diff")])
def test_a_reader_that_goes_away_ends_the_run_quietly(shipped: Path, args: tuple[str, ...]) -> None:
    many_programs(shipped, 40)
    edit_answer(shipped)
    process = subprocess.Popen(
        [sys.executable, "-m", "variants", "-C", str(shipped), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    code = process.wait(60)  # before reading stderr: a run that never ends fails here, never hangs
    stderr = process.stderr.read().decode()
    assert "Traceback" not in stderr and "Exception ignored" not in stderr and "internal error" not in stderr
    assert code in (0, 1)
