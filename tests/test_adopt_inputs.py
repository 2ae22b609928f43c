"""Adopt on odd and hostile input: pages and sources that are not what they seem, runs that collide.

Every refusal is one line naming the page (or file) and line, exit 1, and
leaves every file of the project as it was.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from conftest import REPO, adopt_refused, snapshot, write_tree
from variants.authoring.commit import hold

RP, PLP = "regional-partner-faq.md", "professional-learning-partner-faq.md"
JOINT, MANY = "some of our current partners", "many of our current partners"


def _edit(root: Path, name: str, old: str | bytes, new: str | bytes) -> bytes:
    page = root / "out" / name
    raw = page.read_bytes()
    old_bytes = old.encode() if isinstance(old, str) else old
    assert old_bytes in raw, old
    edited = raw.replace(old_bytes, new.encode() if isinstance(new, str) else new, 1)
    page.write_bytes(edited)
    return edited


def test_a_page_that_is_not_utf8_is_refused_at_its_byte(run, shipped: Path) -> None:
    _edit(shipped, RP, JOINT, b"s\xe9me of our current partners")
    assert adopt_refused(run, shipped, "regional-partner") == (
        f"{shipped}/out/{RP}:71:7: invalid UTF-8 at byte offset 2785 (0xe9); adopt reads pages as UTF-8\n"
    )


def test_a_page_with_crlf_line_breaks_is_refused_in_one_line(run, shipped: Path) -> None:
    page = shipped / "out" / RP
    page.write_bytes(page.read_bytes().replace(JOINT.encode(), MANY.encode()).replace(b"\n", b"\r\n"))
    assert adopt_refused(run, shipped, "regional-partner") == (
        f"{shipped}/out/{RP}:1: cannot adopt: the page's line breaks are \\r\\n (CRLF), the sources' \\n;"
        " save it with \\n\n"
    )


@pytest.mark.parametrize("kind", ["a link out", "a FIFO", "a folder"])
def test_a_page_that_is_not_a_regular_file_isadopt_refused(run, shipped: Path, tmp_path: Path, kind: str) -> None:
    page = shipped / "out" / RP
    outside = tmp_path / "outside.md"
    outside.write_bytes(page.read_bytes().replace(JOINT.encode(), MANY.encode()))
    page.unlink()
    if kind == "a link out":
        page.symlink_to(outside)
    elif kind == "a FIFO":
        os.mkfifo(page)
    else:
        page.mkdir()
    why = {
        "a link out": "refusing to write through a symbolic link",
        "a FIFO": "is not a regular file, expected a page",
        "a folder": "is a folder, expected a page",
    }[kind]
    assert adopt_refused(run, shipped, "regional-partner") == f"{shipped}/out/{RP}: {why}\n"
    assert MANY in outside.read_text()


def test_a_huge_page_is_refused_and_a_long_rewrite_stays_fast(run, shipped: Path) -> None:
    _edit(shipped, RP, JOINT, "word " * 250_000)
    assert adopt_refused(run, shipped, "regional-partner") == (
        f"{shipped}/out/{RP}: the page is more than 1048576 bytes larger than the sources make it; adopt it by hand\n"
    )
    page = shipped / "out" / RP
    text = (REPO / "out" / RP).read_text(encoding="utf-8")
    page.write_text("".join(f"{line[::-1]}x\n" for line in text.split("\n") * 20), encoding="utf-8")
    lines = adopt_refused(
        run, shipped, "regional-partner"
    ).splitlines()  # every line rewritten: quadratic unless bounded
    assert lines and all(line.startswith(f"{shipped}/out/{RP}:") and ": cannot adopt: " in line for line in lines)


def test_a_source_that_is_a_link_or_read_only_is_not_written(run, shipped: Path, tmp_path: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    elsewhere = tmp_path / "elsewhere.yml"
    shutil.move(override, elsewhere)
    override.symlink_to(elsewhere)
    _edit(shipped, RP, JOINT, MANY)
    kept = elsewhere.read_bytes()
    assert adopt_refused(run, shipped, "regional-partner") == (
        f"{override}: refusing to write through a symbolic link; nothing was changed\n"
    )
    assert elsewhere.read_bytes() == kept
    override.unlink()
    shutil.copy(elsewhere, override)
    override.chmod(0o444)
    assert adopt_refused(run, shipped, "regional-partner") == f"{override}: is read-only; nothing was changed\n"
    override.chmod(0o644)
    folder = shipped / "overrides"
    shutil.move(folder, tmp_path / "overrides")
    folder.symlink_to(tmp_path / "overrides")
    assert adopt_refused(run, shipped, "regional-partner") == (
        f"{override}: refusing to write through a symbolic link; nothing was changed\n"
    )


def test_special_files_in_the_sources_do_not_stop_adopt(run, shipped: Path) -> None:
    """The scratch copy leaves out what is not a file: a FIFO in base/ would block a plain copy."""
    os.mkfifo(shipped / "base" / "notes")
    (shipped / "base" / "dangling").symlink_to(shipped / "nowhere")
    _edit(shipped, RP, JOINT, MANY)
    result = run("-C", shipped, "adopt", "regional-partner")
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO((shipped / "base" / "notes").stat().st_mode)


def test_one_adopt_at_a_time(run, shipped: Path) -> None:
    _edit(shipped, RP, JOINT, MANY)
    with hold(shipped):  # another run holds the project
        assert adopt_refused(run, shipped, "regional-partner") == (
            f"{shipped}: another run is changing this project's sources; nothing was changed,"
            " try again once it is done\n"
        )
    assert run("-C", shipped, "adopt", "regional-partner").exit_code == 0


def test_a_source_changed_while_adopting_is_not_overwritten(run, shipped: Path, monkeypatch) -> None:
    _edit(shipped, RP, JOINT, MANY)
    override = shipped / "overrides" / "regional-partner.yml"
    real = shutil.copytree

    def copy_then_save(source: Path, destination: Path, *args: object, **options: object) -> object:
        done = real(source, destination, *args, **options)  # type: ignore[arg-type]
        if Path(source).name == "overrides":  # an editor saves the override meanwhile
            override.write_text(override.read_text(encoding="utf-8") + "# saved\n", encoding="utf-8")
        return done

    monkeypatch.setattr(shutil, "copytree", copy_then_save)
    before = snapshot(shipped)
    result = run("-C", shipped, "adopt", "regional-partner")
    assert result.exit_code == 1
    assert result.stderr == f"{override}: changed while adopting; nothing was changed, adopt again\n"
    after = snapshot(shipped)
    assert {k: v for k, v in after.items() if "regional-partner.yml" not in k} == {
        k: v for k, v in before.items() if "regional-partner.yml" not in k
    }
    assert override.read_text(encoding="utf-8").endswith("# saved\n")


def test_several_pages_are_adopted_all_or_none(run, shipped: Path) -> None:
    _edit(shipped, RP, JOINT, MANY)
    _edit(shipped, PLP, "<br/><br/>\n", "<br/>\n")
    assert adopt_refused(run, shipped, "regional-partner", "professional-learning-partner") == (
        f"{shipped}/out/{PLP}:11: cannot adopt: the text is written by base/page.md.j2:9, which every program"
        " shares (adopt it for every program with --to-base)\n"
    )
    _edit(shipped, PLP, "<br/>\n**General", "<br/><br/>\n**General")
    _edit(shipped, PLP, "to see an example budget", "to see a sample budget")
    result = run("-C", shipped, "adopt", f"out/{RP}", PLP)
    assert result.exit_code == 0, result.stderr
    assert run("-C", shipped, "build", "--check").exit_code == 0


def test_adopt_on_a_project_that_does_not_build_names_its_problems(run, shipped: Path) -> None:
    _edit(shipped, RP, JOINT, MANY)
    write_tree(shipped, {"overrides/broken.yml": "program: {name: B, nav: b}\nbogus: 1\n"})
    assert adopt_refused(run, shipped, "regional-partner") == "overrides/broken.yml:2:1: unknown key 'bogus'\n"


def test_adopt_gives_the_same_bytes_every_time(run, tmp_path: Path) -> None:
    results = []
    for n in range(2):
        root = tmp_path / f"copy{n}"
        for folder in ("base", "overrides", "out"):
            shutil.copytree(REPO / folder, root / folder)
        _edit(root, RP, JOINT, MANY)
        _edit(root, RP, "necessary to successfully support", "necessary to support")
        result = run("-C", root, "adopt", "--to-base", "regional-partner")
        assert result.exit_code == 0, result.stderr
        results.append((result.stdout, {k: v[0] for k, v in snapshot(root).items()}))
    assert results[0] == results[1]


def test_sources_keep_their_line_breaks_and_byte_order_mark(run, shipped: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_bytes(override.read_bytes().replace(b"\n", b"\r\n"))
    layout = shipped / "base" / "layouts" / "standard.md.j2"
    layout.write_bytes(b"\xef\xbb\xbf" + layout.read_bytes())
    _edit(shipped, RP, JOINT, MANY)
    assert run("-C", shipped, "adopt", "regional-partner").exit_code == 0
    text = override.read_bytes()
    assert text.count(b"\n") == text.count(b"\r\n") and b"answer: {replace: some, with: many}\r\n" in text
    page = shipped / "out" / RP
    page.write_bytes(page.read_bytes().replace(b"[**Back to the top**]", b"[**Back to top**]"))
    assert run("-C", shipped, "adopt", "--to-base", "regional-partner").exit_code == 0
    assert layout.read_bytes().startswith(b"\xef\xbb\xbf<br/>\n") and b"[**Back to top**]" in layout.read_bytes()


def test_a_page_in_a_subfolder_is_adopted_by_any_of_its_names(run, shipped: Path) -> None:
    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text("output: faq/rp.md\n" + override.read_text(encoding="utf-8"))
    assert run("-C", shipped, "build").exit_code == 0
    page = shipped / "out" / "faq" / "rp.md"
    for name, old, new in (("out/faq/rp.md", "some", "many"), ("faq/rp.md", "many", "all"), ("rp.md", "all", "most")):
        page.write_text(page.read_text(encoding="utf-8").replace(f"{old} of our current", f"{new} of our current"))
        os.chdir(shipped / "out" / "faq" if name == "rp.md" else shipped)  # a bare name: a file here, in out/
        result = run("-C", shipped, "adopt", name)
        assert result.exit_code == 0, (name, result.stderr)
        assert result.stderr == f"adopted {shipped}/out/faq/rp.md\n"
        assert run("-C", shipped, "build", "--check").exit_code == 0
