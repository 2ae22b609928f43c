"""The page cache: a cached build is byte for byte a full build, whatever happened to the sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from variants.cache import build as cached
from variants.cache import versions
from variants.cache.build import cached_outputs
from variants.cache.store import CACHE_DIR
from variants.cache.versions import environment
from variants.cli.app import main
from variants.pipeline.build import render_project
from variants.problems import VariantsError

RP = "overrides/regional-partner.yml"
PLP = "overrides/professional-learning-partner.yml"


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / CACHE_DIR / "pages").rglob("*") if p.is_file())


def _same(root: Path) -> None:
    """The cached build and a full build give the same pages, or the same problems; and a build
    through the stamp of out/ (which takes unchanged pages as out/ holds them) leaves out/ holding
    exactly the full build's pages, or fails and leaves it as it was."""
    try:
        full: list | str = render_project(root)
    except VariantsError as exc:
        full = str(exc)
    try:
        made: list | str = cached_outputs(root)
    except VariantsError as exc:
        made = str(exc)
    assert made == full
    out = root / "out"
    before = _files(out)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--quiet"])
    if isinstance(full, str):
        assert result.exit_code == 1 and _files(out) == before
    else:
        assert result.exit_code == 0, result.output
        assert _files(out) == {o.name: o.text for o in full}


def _files(out: Path) -> dict[str, str]:
    """The pages in ``out`` (not the manifest)."""
    if not out.is_dir():
        return {}
    return {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file() and p.name[0] != "."}


def _count_renders(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str] | None]:
    """Record which programs each partial build renders."""
    from variants.pipeline import build as pipeline

    asked: list[frozenset[str] | None] = []
    real = pipeline.build

    def counting(*args, **kwargs):
        asked.append(kwargs.get("only"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build", counting)
    return asked


def test_only_changed_pages_are_rendered(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _count_renders(monkeypatch)
    first = cached_outputs(shipped)
    assert asked == [frozenset({"regional-partner", "professional-learning-partner"})]
    assert first == render_project(shipped)
    asked.clear()
    assert cached_outputs(shipped) == first
    assert asked == []  # nothing changed: nothing built
    text = (shipped / RP).read_text()
    (shipped / RP).write_text(text.replace("name: Regional Partner", "name: Regional Partners"))
    second = cached_outputs(shipped)
    assert asked == [frozenset({"regional-partner"})]
    assert second == render_project(shipped) and second != first
    (shipped / RP).write_text(text)  # reverted: the first page's entry serves again
    asked.clear()
    assert cached_outputs(shipped) == first
    assert asked == []


def test_a_build_with_everything_cached_imports_neither_yaml_nor_jinja(shipped: Path) -> None:
    code = (
        "import sys\nfrom variants.cli import main\n"
        f"try:\n    main(['-C', {str(shipped)!r}, 'build'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('jinja2', 'yaml', 'markdown_it') if m in sys.modules))"
    )
    for expected in ("['jinja2', 'yaml']", "[]"):  # the first build renders; the second finds it all cached
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected, out.stderr


def test_a_new_version_of_a_library_is_a_new_key(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached_outputs(shipped)
    before = {p.name for p in _entries(shipped)}
    asked = _count_renders(monkeypatch)
    environment.cache_clear()
    monkeypatch.setattr(cached, "environment", lambda: "variants 0.1.0; python 3.11; jinja2 9.9")
    made = cached_outputs(shipped)
    assert asked == [frozenset({"regional-partner", "professional-learning-partner"})]
    assert made == render_project(shipped)
    after = {p.name for p in _entries(shipped)}
    assert before < after and len(after - before) == 3  # two pages and the base's marker


def test_versions_are_read_as_importlib_metadata_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile
    from importlib.metadata import version

    names = ("jinja2", "MarkupSafe", "PyYAML", "pyyaml", "markdown_it_py", "click", "deepdiff")
    expected = {name: version(name) for name in names}
    with monkeypatch.context() as patched:  # the folder listings answer alone
        patched.setattr(versions, "_metadata_versions", lambda names: pytest.fail("importlib.metadata was asked"))
        assert versions.installed_versions(names) == expected
    egg = tmp_path / "eggs" / "Jinja2-0.1-py3.11.egg-info"  # an egg-info ahead on the path
    egg.mkdir(parents=True)
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: Jinja2\nVersion: 0.1\n")
    archive = tmp_path / "site.zip"  # and a zip ahead of it, which no folder listing reads
    with zipfile.ZipFile(archive, "w") as made:
        made.writestr("jinja2-0.2.dist-info/METADATA", "Metadata-Version: 2.1\nName: jinja2\nVersion: 0.2\n")
    for ahead, jinja in ((egg.parent, "0.1"), (archive, "0.2")):
        monkeypatch.syspath_prepend(str(ahead))
        assert versions.installed_versions(("jinja2", "pyyaml")) == {"jinja2": jinja, "pyyaml": version("pyyaml")}
    assert versions.installed_versions(("jinja2", "no-such-distribution")) == {
        "jinja2": "0.2",
        "no-such-distribution": None,
    }


@pytest.mark.parametrize("damage", ["truncated", "other text", "a folder", "wrong key"])
def test_a_damaged_cache_entry_is_never_trusted(shipped: Path, damage: str) -> None:
    good = cached_outputs(shipped)
    for entry in _entries(shipped):
        data = entry.read_bytes()
        if damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "other text":
            record = json.loads(data)
            record["text"] = record["text"].replace("FAQ", "FAQ!")
            entry.write_text(json.dumps(record))
        elif damage == "a folder":
            entry.unlink()
            entry.mkdir()
        else:
            record = json.loads(data)
            record["key"] = "0" * 64
            entry.write_text(json.dumps(record))
    assert cached_outputs(shipped) == good


def test_problems_are_never_cached_away(shipped: Path) -> None:
    cached_outputs(shipped)
    text = (shipped / RP).read_text()
    (shipped / RP).write_text(text.replace("program:", "progam:", 1))
    for _ in range(2):
        with pytest.raises(VariantsError, match="unknown key 'progam'"):
            cached_outputs(shipped)
    (shipped / RP).write_text(text)
    assert cached_outputs(shipped) == render_project(shipped)


def test_the_cache_is_not_used_through_a_link(shipped: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (shipped / CACHE_DIR).symlink_to(elsewhere)
    assert cached_outputs(shipped) == render_project(shipped)
    assert list(elsewhere.iterdir()) == []


def test_no_entry_is_written_through_a_linked_folder_inside_the_cache(shipped: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pages = shipped / CACHE_DIR / "pages"
    pages.mkdir(parents=True)
    for prefix in (f"{n:02x}" for n in range(256)):  # every folder an entry could go in
        (pages / prefix).symlink_to(elsewhere)
    assert cached_outputs(shipped) == render_project(shipped)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("linked", ["base/layouts/standard.md.j2", "base/layouts", "overrides/regional-partner.yml"])
def test_sources_reached_through_a_link_are_never_cached(shipped: Path, tmp_path: Path, linked: str) -> None:
    """What a link leads to is not in the index: the build decides, every time, as without the cache."""
    target = tmp_path / "elsewhere" / Path(linked).name
    target.parent.mkdir()
    (shipped / linked).rename(target)
    (shipped / linked).symlink_to(target)
    _same(shipped)
    for path in [target, *target.glob("*")]:
        if path.is_file():
            path.write_text(path.read_text().replace("Back to the top", "Back to top").replace("Regional", "Local"))
    _same(shipped)
    assert not _entries(shipped)


def test_no_cache_and_cache_clear(run, shipped: Path) -> None:
    result = run("-C", shipped, "build", "--no-cache")
    assert result.exit_code == 0 and not (shipped / CACHE_DIR).exists()
    assert run("-C", shipped, "build").exit_code == 0
    assert (shipped / CACHE_DIR / ".gitignore").read_text().endswith("*\n")
    cleared = run("-C", shipped, "cache", "clear")
    assert cleared.exit_code == 0 and cleared.stderr == "removed 3 cached pages\n"
    assert not (shipped / CACHE_DIR).exists()


def test_concurrent_builds_share_one_cache(shipped: Path) -> None:
    """Several processes building at once (each into its own folder): every page right, cache sound."""
    command = [sys.executable, "-m", "variants", "-C", str(shipped), "build", "--out"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [subprocess.Popen([*command, str(shipped / f"out{n}")], env=env, stderr=subprocess.PIPE) for n in range(4)]
    for process in runs:
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    expected = {o.name: o.text for o in render_project(shipped)}
    for n in range(4):
        assert {name: (shipped / f"out{n}" / name).read_text() for name in expected} == expected
    assert cached_outputs(shipped) == render_project(shipped)


# The equivalence property: any sequence of edits, deletions, renames and reverts.
EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("name"), st.sampled_from([RP, PLP]), st.sampled_from(["A", "B", "Regional Partner"])),
        st.tuples(st.just("answer"), st.just("base/content.yml"), st.sampled_from(["one", "two", "Of course!"])),
        st.tuples(st.just("copy"), st.sampled_from([RP, PLP]), st.sampled_from(["a", "b"])),
        st.tuples(st.just("delete"), st.sampled_from(["overrides/a.yml", "overrides/b.yml"]), st.just("")),
        st.tuples(
            st.just("rename"), st.sampled_from(["overrides/a.yml", "overrides/b.yml"]), st.sampled_from(["c", "d"])
        ),
        st.tuples(st.just("break"), st.sampled_from([RP, "base/content.yml"]), st.just("")),
        st.tuples(st.just("revert"), st.sampled_from([RP, PLP, "base/content.yml"]), st.just("")),
        st.tuples(st.just("component"), st.sampled_from([RP, PLP]), st.just("")),
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_a_cached_build_is_always_a_full_build(tmp_path_factory: pytest.TempPathFactory, edits: list) -> None:
    import shutil

    root = tmp_path_factory.mktemp("cached")
    for folder in ("base", "overrides"):
        shutil.copytree(REPO / folder, root / folder)
    original = {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*.yml")}
    _same(root)
    for kind, rel, value in edits:
        path = root / rel
        if kind == "name" and path.exists():
            text = path.read_text()
            path.write_text(text.replace(text.split("name: ", 1)[1].split("\n", 1)[0], value, 1))
        elif kind == "answer":
            path.write_text(path.read_text().replace("Of course!", value, 1))
        elif kind == "copy" and path.exists():
            (root / f"overrides/{value}.yml").write_text(
                path.read_text().replace("nav: ", f"output: {value}.md\n  nav: ", 1)
            )
        elif kind == "delete":
            path.unlink(missing_ok=True)
        elif kind == "rename" and path.exists():
            path.rename(root / f"overrides/{value}.yml")
        elif kind == "break" and path.exists():
            path.write_text(path.read_text() + "\n  - id: [broken\n")
        elif kind == "revert":
            path.write_text(original[rel])
        elif kind == "component" and path.exists():
            (root / "base/components").mkdir(exist_ok=True)
            (root / "base/components/extra.yml").write_text("intro: From a component.\n")
            if "components:" not in path.read_text():
                path.write_text("components: [extra]\n" + path.read_text())
        _same(root)


def test_a_process_that_builds_again_reads_no_entry_twice(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from variants.cache.build import Memory
    from variants.cache.store import Store

    memory = Memory()
    assert cached_outputs(shipped, memory=memory) == render_project(shipped)
    read: list[str] = []
    real = Store.get

    def counting(self: Store, key: str):  # type: ignore[no-untyped-def]
        read.append(key)
        return real(self, key)

    monkeypatch.setattr(Store, "get", counting)
    text = (shipped / RP).read_text()
    (shipped / RP).write_text(text.replace("name: Regional Partner", "name: Regional Partners"))
    assert cached_outputs(shipped, memory=memory) == render_project(shipped)
    assert read == []  # the other page and the base's marker were in memory; the edited one was built
    (shipped / RP).write_text(text)
    assert cached_outputs(shipped, memory=memory) == render_project(shipped)
    assert len(read) == 1  # the reverted page's entry, which the last build did not use, from the disk
    read.clear()
    assert cached_outputs(shipped, memory=memory) == render_project(shipped)
    assert read == []  # nothing changed: everything from memory
    assert cached_outputs(shipped) == render_project(shipped)
    assert len(read) == 3  # without the memory: both pages and the marker read from the disk


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages and cache entries a build reads."""
    from variants.cache.store import Store
    from variants.output import plan as planning

    read: list[str] = []
    real_page, real_get = planning.read_page, Store.get
    monkeypatch.setattr(planning, "read_page", lambda path, display: read.append(display) or real_page(path, display))
    monkeypatch.setattr(Store, "get", lambda self, key: read.append(key) or real_get(self, key))
    return read


def test_a_build_with_nothing_to_do_reads_no_page(run, shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("-C", shipped, "build").exit_code == 0
    read = _reads(monkeypatch)
    for args, said in (
        (["build"], "2 pages built: 0 changed, 2 unchanged\n"),
        (["build", "--check"], "2 pages up to date\n"),
    ):
        result = run("-C", shipped, *args)
        assert result.exit_code == 0 and result.stderr == said
    assert read == []  # the stamp of the last build said it all


@pytest.mark.parametrize(
    "change", ["hand edit", "deleted page", "source edit", "other output folder", "manifest", "left by a killed run"]
)
def test_the_stamp_never_hides_a_change(run, shipped: Path, change: str) -> None:
    assert run("-C", shipped, "build").exit_code == 0
    page = shipped / "out" / "regional-partner-faq.md"
    before = page.read_bytes()
    out = []
    if change == "hand edit":
        page.write_bytes(before.replace(b"FAQ", b"FAX", 1))  # the same size, at once: the racy case
    elif change == "deleted page":
        page.unlink()
    elif change == "source edit":
        override = shipped / RP
        override.write_text(override.read_text().replace("name: Regional Partner\n", "name: Regional Partnerz\n"))
    elif change == "other output folder":
        out = ["--out", str(shipped / "elsewhere")]
    elif change == "left by a killed run":
        (shipped / "out" / ".regional-partner-faq.md.0123456789abcdef.variants-tmp").write_text("half")
    else:
        (shipped / "out" / ".variants-manifest.json").unlink()
    checked = run("-C", shipped, "build", "--check", *out)
    if change == "manifest":  # the pages are as built: only the manifest is written again
        assert checked.exit_code == 0 and run("-C", shipped, "build").exit_code == 0
        assert (shipped / "out" / ".variants-manifest.json").is_file()
        return
    assert checked.exit_code == 1 and "regional-partner-faq.md" in checked.stderr
    built = run("-C", shipped, "build", "--force", *out)
    assert built.exit_code == 0 and ("0 changed" not in built.stderr or change == "left by a killed run")
    assert not list((shipped / "out").glob(".*.variants-tmp"))
    assert run("-C", shipped, "build", "--check", *out).exit_code == 0


def test_a_build_after_one_edit_reads_only_that_page(run, shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from variants.cache import stamp

    monkeypatch.setattr(stamp, "RACY_NS", 0)  # as if the last build were long ago: every stat is trusted
    assert run("-C", shipped, "build").exit_code == 0
    read = _reads(monkeypatch)
    override = shipped / RP
    override.write_text(override.read_text().replace("name: Regional Partner\n", "name: Regional Partners\n"))
    built = run("-C", shipped, "build")
    assert built.exit_code == 0 and "1 changed" in built.stderr
    assert [r for r in read if r.endswith(".md")] == [f"{shipped / 'out'}/regional-partner-faq.md"]
    # of the cache, only the base's marker: the unchanged page's entry is not read, since the stamp
    # vouches that out/ holds the page its key makes (the edited override has no key before it is read)
    assert len([r for r in read if not r.endswith(".md")]) == 1
    assert run("-C", shipped, "build", "--check", "--no-cache").exit_code == 0  # and the pages are right


@pytest.mark.parametrize("entries", ["kept", "damaged", "gone"])
def test_a_page_out_holds_comes_without_its_text_until_asked(run, shipped: Path, entries: str) -> None:
    from variants.cache.stamp import Stamp
    from variants.output.plan import plan

    assert run("-C", shipped, "build").exit_code == 0
    stamp = Stamp(shipped, shipped / "out")
    outputs = cached_outputs(shipped, stamp=stamp)
    assert [o.digest is not None for o in outputs] == [True, True]  # both held: name and digest only
    for path in _entries(shipped):
        if entries == "damaged":
            path.write_text(path.read_text().replace("FAQ", "FAX"))
        elif entries == "gone":
            path.unlink()
    page = shipped / "out" / "regional-partner-faq.md"
    page.write_text(page.read_text().replace("FAQ", "FAX", 1))  # a hand edit after the stamp vouched for it
    result = plan(shipped / "out", outputs)  # every page read and compared: every text asked for
    assert [c.name for c in result.pending] == ["regional-partner-faq.md"]
    assert [p.rule for p in result.conflicts] == ["hand-edit"]
    assert outputs == render_project(shipped)  # the texts, from the entries or built again, are the pages


def test_pages_that_claim_one_name_are_an_error_and_nothing_is_stored(shipped: Path) -> None:
    cached_outputs(shipped)
    before = _entries(shipped)
    path = shipped / RP  # the one page built again now claims the other page's name, which comes cached
    path.write_text(path.read_text() + "\noutput: professional-learning-partner-faq.md\n")
    for _ in range(2):  # and again: the problem is never cached away
        with pytest.raises(VariantsError, match=r"professional-learning-partner-faq\.md"):
            cached_outputs(shipped)
    assert _entries(shipped) == before


def test_a_page_asked_for_after_its_override_went_away_is_an_error(run, shipped: Path) -> None:
    from variants.cache.stamp import Stamp

    assert run("-C", shipped, "build").exit_code == 0
    outputs = cached_outputs(shipped, stamp=Stamp(shipped, shipped / "out"))
    for path in _entries(shipped):
        path.unlink()
    (shipped / RP).unlink()  # while the build runs: its text can be neither read nor built
    rp = next(o for o in outputs if o.source == RP)
    with pytest.raises(VariantsError, match=r"regional-partner\.yml: changed while building; run the build again"):
        assert rp.text is None  # never reached: asking for the text raises
