"""Where users already work, in the shell: completion, --version, pre-commit hooks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from variants.cli.version import dependency_versions

BIN = Path(sys.executable).parent
VARIANTS = BIN / "variants"
FAMILY = REPO / "examples" / "partner-faq"


def complete(words: str, cwd: Path = REPO) -> list[str]:
    """What click's bash completion offers for ``words`` (the last word is the one being typed)."""
    parts = words.split(" ")
    env = {**os.environ, "_VARIANTS_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)}
    result = subprocess.run([str(VARIANTS)], env=env, cwd=cwd, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_diff_completes_program_names_from_overrides() -> None:
    assert complete("variants diff re") == ["regional-partner"]
    assert complete("variants diff ") == ["professional-learning-partner", "regional-partner"]
    # the second program: the first is not offered again
    assert complete("variants diff regional-partner ") == ["professional-learning-partner"]


def test_blame_and_adopt_complete_a_program_or_a_page_path() -> None:
    assert complete("variants blame re") == ["regional-partner"]
    assert complete("variants adopt regional-partner pro") == ["professional-learning-partner"]
    env = {
        **os.environ,
        "_VARIANTS_COMPLETE": "bash_complete",
        "COMP_WORDS": "variants blame out/re",
        "COMP_CWORD": "2",
    }
    result = subprocess.run([str(VARIANTS)], env=env, cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.stdout.splitlines() == ["file,out/re"]  # a path: the shell completes file names


def test_completion_reads_the_project_that_dash_c_names(tmp_path: Path) -> None:
    assert complete(f"variants -C {FAMILY} new X --extends plp-") == ["plp-faq-2018", "plp-playbook-faq"]
    assert complete(f"variants -C {FAMILY} new X --component pl") == ["playbook"]
    assert complete("variants diff ", cwd=tmp_path) == []  # no project here: nothing, and no error


def test_completion_of_commands_and_options() -> None:
    commands = {"adopt", "blame", "build", "cache", "check", "coverage", "diff", "extract", "new", "schema", "serve"}
    assert commands <= set(complete("variants "))
    assert {"--port", "--host", "--allow-remote"} <= set(complete("variants serve --"))
    assert {"--check", "--diff", "--force", "--out", "--quiet", "--no-cache"} <= set(complete("variants build --"))


def test_bash_completes_through_clicks_script() -> None:
    """The script README tells bash users to load, run by bash itself."""
    if shutil.which("bash") is None:
        pytest.skip("no bash here")
    script = (
        'eval "$(_VARIANTS_COMPLETE=bash_source variants)"; '
        "COMP_WORDS=(variants diff re); COMP_CWORD=2; _variants_completion variants 2>/dev/null; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(["bash", "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.stdout.split() == ["regional-partner"], result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_a_completion_script(shell: str) -> None:
    env = {**os.environ, "_VARIANTS_COMPLETE": f"{shell}_source"}
    result = subprocess.run([str(VARIANTS)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "_variants_completion" in result.stdout


def test_version_names_the_main_dependencies(run) -> None:
    result = run("--version")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and lines[0].startswith("variants, version ")
    assert lines[1].startswith("Python 3.")
    named = {line.split(" ")[0] for line in lines[2:]}
    assert {"click", "jinja2", "pyyaml", "deepdiff", "markdown-it-py", "watchfiles"} <= named
    assert dict(dependency_versions())["click"][0].isdigit()


HEAVY = ("jinja2", "yaml", "deepdiff", "markdown_it", "watchfiles")
PROBE = """\
import sys
from variants.cli import main
try:
    main(["--version"])
except SystemExit:
    pass
print(sorted(m for m in %r if m in sys.modules))
"""


def test_version_imports_nothing_heavy() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def try_repo(project: Path, home: Path, *hook: str) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo`` of this repository's hooks (all, or the one named) in ``project``.

    try-repo takes this checkout's committed and staged files (new files must be
    added to git first); it installs variants into an environment of its own in ``home``."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    command = [str(BIN / "pre-commit"), "try-repo", str(REPO), *hook, "--all-files"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.timeout(1500)  # two try-repo runs of up to 600 s each: a cold machine installs variants for pre-commit
def test_pre_commit_hooks_pass_clean_and_fail_on_a_stale_page(shipped: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs git and a git checkout of variants")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=shipped, check=True)
    subprocess.run([*git, "add", "."], cwd=shipped, check=True)
    subprocess.run([*git, "commit", "-qm", "the shipped project"], cwd=shipped, check=True)

    clean = try_repo(shipped, tmp_path / "pre-commit")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for hook in ("variants build --check", "variants check", "variants build "):
        assert re.search(re.escape(hook) + r".*\.Passed$", clean.stdout, re.MULTILINE), clean.stdout

    override = shipped / "overrides" / "regional-partner.yml"
    override.write_text(override.read_text().replace("name: Regional Partner\n", "name: Regional Partners\n"))
    stale = try_repo(shipped, tmp_path / "pre-commit", "variants-build-check")
    assert stale.returncode == 1
    assert re.search(r"variants build --check.*\.Failed$", stale.stdout, re.MULTILINE), stale.stdout
    assert "out/regional-partner-faq.md: stale" in stale.stdout
