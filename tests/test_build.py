"""The acceptance test (both published pages, byte for byte) and the build command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOLDEN, PAGES, REPO, snapshot, write_tree


@pytest.mark.parametrize("name", PAGES)
def test_build_reproduces_published_page_byte_for_byte(run, shipped: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / "fresh"
    result = run("-C", shipped, "build", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert (out / name).read_bytes() == (GOLDEN / name).read_bytes()


def test_golden_copies_match_the_shared_pages_when_present() -> None:
    shared = REPO.parent / "shared" / "pages"
    if not shared.is_dir():
        pytest.skip("../shared/pages is not beside this checkout")
    for name in PAGES:
        assert (GOLDEN / name).read_bytes() == (shared / name).read_bytes()


def test_committed_out_is_in_sync_with_the_sources(run) -> None:
    result = run("-C", REPO, "build", "--check")
    assert result.exit_code == 0, result.stderr
    for name in PAGES:
        assert (REPO / "out" / name).read_bytes() == (GOLDEN / name).read_bytes()


def test_second_build_changes_nothing(run, shipped: Path) -> None:
    assert run("-C", shipped, "build").exit_code == 0
    before = snapshot(shipped / "out")
    result = run("-C", shipped, "build")
    assert result.exit_code == 0
    assert "0 changed, 2 unchanged" in result.stderr
    assert snapshot(shipped / "out") == before


def test_python_dash_m_and_version(shipped: Path, tmp_path: Path) -> None:
    version = subprocess.run([sys.executable, "-m", "variants", "--version"], capture_output=True, text=True)
    assert version.returncode == 0
    assert re.match(r"variants, version \d+\.\d+\.\d+\nPython 3\.", version.stdout)
    out = tmp_path / "m"
    built = subprocess.run(
        [sys.executable, "-m", "variants", "-C", str(shipped), "build", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    assert sorted(p.name for p in out.glob("*.md")) == sorted(PAGES)


def test_default_project_is_the_current_folder(run, shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shipped)
    (shipped / "out" / PAGES[0]).unlink()
    result = run("build")
    assert result.exit_code == 0
    assert (shipped / "out" / PAGES[0]).read_bytes() == (GOLDEN / PAGES[0]).read_bytes()


def test_no_code_path_names_a_program() -> None:
    source = "\n".join(p.read_text() for p in (REPO / "variants").glob("*.py")).lower()
    for word in ("regional", "professional", "plp", "partner", "facilitators", "budget"):
        assert word not in source, word


def test_overrides_hold_no_shared_content() -> None:
    base = (REPO / "base" / "content.yml").read_text()
    for override in (REPO / "overrides").glob("*.yml"):
        for line in override.read_text().splitlines():
            text = line.strip().removeprefix("- ").strip()
            if len(text) > 30 and not text.startswith("#"):
                assert text not in base, f"{override.name} repeats base content: {text}"


def test_output_name_defaults_to_the_settings_pattern(run, shipped: Path, tmp_path: Path) -> None:
    (shipped / "overrides" / "regional-partner.yml").rename(shipped / "overrides" / "rp.yml")
    out = tmp_path / "o"
    assert run("-C", shipped, "build", "--out", out).exit_code == 0
    assert (out / "rp-faq.md").read_bytes() == (GOLDEN / "regional-partner-faq.md").read_bytes()


def test_output_key_names_the_file(run, shipped: Path, tmp_path: Path) -> None:
    path = shipped / "overrides" / "regional-partner.yml"
    path.write_text(path.read_text() + "output: rp/index.md\n")
    out = tmp_path / "o"
    assert run("-C", shipped, "build", "--out", out).exit_code == 0
    assert (out / "rp" / "index.md").read_bytes() == (GOLDEN / "regional-partner-faq.md").read_bytes()


# Errors that stop a build: one line naming file and line, exit 1, nothing written.

BAD_OVERRIDES = {
    "yaml-syntax": ("program:\n  name: [unclosed\n  nav: x\n", r"^overrides/bad\.yml:3:\d+: YAML syntax error: .+$"),
    "unknown-key": (
        "program:\n  name: X\n  nav: x\nsectoins: []\n",
        r"^overrides/bad\.yml:4:1: unknown key 'sectoins' \(did you mean 'sections'\?\)$",
    ),
    "undefined-variable": (
        "program:\n  name: X\n  nav: x\ntitle: 'About {{ nmae }}'\n",
        r"^overrides/bad\.yml:4:18: undefined variable 'nmae' \(did you mean 'name'\?\)$",
    ),
    "missing-variable": ("program:\n  name: X\n", r"^overrides/bad\.yml:2:3: missing required program variable 'nav'$"),
}


@pytest.mark.parametrize("case", sorted(BAD_OVERRIDES))
def test_bad_override_gives_one_line_and_writes_nothing(run, shipped: Path, case: str) -> None:
    text, pattern = BAD_OVERRIDES[case]
    (shipped / "out" / PAGES[1]).write_text("old page\n")  # stale, so a build would rewrite it
    before = snapshot(shipped / "out")
    write_tree(shipped, {"overrides/bad.yml": text})
    result = run("-C", shipped, "build")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.match(pattern, lines[0]), lines[0]
    assert "Traceback" not in result.output
    assert snapshot(shipped / "out") == before


def test_missing_base_folder(run, tmp_path: Path) -> None:
    (tmp_path / "overrides").mkdir()
    result = run("-C", tmp_path, "build")
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path}/base: no base/ folder here (use -C to name the project)\n"
    assert not (tmp_path / "out").exists()


def test_undefined_variable_in_page_template_names_template_line(run, shipped: Path, tmp_path: Path) -> None:
    template = shipped / "base" / "page.md.j2"
    template.write_text(template.read_text().replace("# {{ title }}", "# {{ titel }}"))
    result = run("-C", shipped, "build", "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert result.stderr == "base/page.md.j2:5: template error: 'titel' is undefined\n"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("rp", "plp", "message"),
    [
        (
            "same.md",
            "./same.md",
            "overrides/professional-learning-partner.yml:17:9: output name './same.md' is not a plain relative file name",
        ),
        (
            "a//b.md",
            "c.md",
            "overrides/regional-partner.yml:23:9: output name 'a//b.md' is not a plain relative file name",
        ),
        (
            "sub",
            "sub/x.md",
            "overrides/regional-partner.yml:23:9: output 'sub' is a folder of another program's output",
        ),
    ],
)
def test_output_names_that_would_collide_on_disk(run, shipped: Path, rp: str, plp: str, message: str) -> None:
    for name, output in (("regional-partner", rp), ("professional-learning-partner", plp)):
        path = shipped / "overrides" / f"{name}.yml"
        path.write_text(path.read_text() + f"output: '{output}'\n")
    before = snapshot(shipped / "out")
    result = run("-C", shipped, "build")
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert snapshot(shipped / "out") == before


def test_diff_made_in_workers_has_the_same_bytes(run, shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import variants.pipeline.pool

    for i in range(4):
        text = (shipped / "overrides" / "regional-partner.yml").read_text()
        (shipped / "overrides" / f"extra-{i}.yml").write_text(text.replace("Regional Partner", f"Program {i}"))
    serial = {fmt: run("-C", shipped, "diff", "--format", fmt).stdout for fmt in ("json", "text", "html")}
    monkeypatch.setattr(variants.pipeline.pool, "PARALLEL_FROM", 2)
    for fmt, expected in serial.items():
        assert run("-C", shipped, "diff", "--format", fmt).stdout == expected
