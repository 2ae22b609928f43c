"""Benchmark: variants' commands on synthetic projects, against a floor of PyYAML + Jinja2 alone.

    python benchmarks/bench.py                  # the default run, within a time budget
    python benchmarks/bench.py --quick          # the smallest size once (a smoke test)
    python benchmarks/bench.py --sizes 1000x10 --repeat 5 --json /tmp/bench.json

For each size (N programs of M questions) it writes a synthetic project into a
temporary folder (see synthetic.py), then times, as whole processes and
interleaved round by round, ``variants build`` (into an empty out/),
``build --check``, ``diff --format json``, ``check`` and the floor (floor.py:
read the N overrides, render one flat Jinja2 page N times, write N files).
It reports medians, pages per second, each command's throughput as a fraction
of the floor's, and each process's peak memory (ru_maxrss from wait4). It also
times start-up: ``variants build`` on the shipped project against
``python -c "import click, jinja2, yaml"``. Its extract part (extracting.py, in
this Python's variants) measures how compact extracted sources are against a
line-diff encoding of the pages, on real and synthetic families, and how
extract's time grows with page size. Before each process the file system
is synced (untimed), so no process pays for writing out its predecessor's files.

A command the installed variants does not have yet (exit 2, "No such command")
is reported as n/a, never estimated. Sizes run in order of importance to the
targets; a size, a command or a further round whose estimated cost no longer
fits the time budget is skipped and the reason printed. Results go to stdout
(a table and the target checks) and to a JSON file (default
benchmarks/results/latest.json, git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import extracting
import synthetic

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FLOOR = HERE / "floor.py"
DEFAULT_JSON = HERE / "results" / "latest.json"

# Sizes in the order they run: those the targets need first (N=100 and N=1000 at
# M=10 for build speed and diff linearity, N=10000 at M=10 for memory), M=100 after.
DEFAULT_SIZES = [(2, 10), (100, 10), (1000, 10), (10000, 10), (2, 100), (100, 100), (1000, 100), (10000, 100)]
DEFAULT_BUDGET = 160.0  # seconds for the whole run: the issue asks for 3 minutes on 2 cores
MIN_RUN = 0.15  # seconds: no run is expected to take less (Python start-up and imports)
PER_PAGE_GUESS = 0.01  # seconds per page at M=10, before two sizes give a slope
SAFETY = 1.2  # estimates are multiplied by this before they are compared with the time left
GRACE = 8.0  # a process still running this long after the budget is spent is killed
STARTUP_REPEAT = 15

# label -> arguments after ``variants -C PROJECT``; build runs into an empty out/,
# build --check on the out/ that build just wrote.
COMMANDS: dict[str, list[str]] = {
    "build": ["build"],
    "build --check": ["build", "--check"],
    "diff --format json": ["diff", "--format", "json"],
    "check": ["check"],
}
FLOOR_LABEL = "floor"
# Exit codes that still mean "the command did its work": 1 is a finding for diff and check.
ACCEPTED_EXIT = {"build": {0}, "build --check": {0}, "diff --format json": {0, 1}, "check": {0, 1}, FLOOR_LABEL: {0}}

TARGETS = {
    "build_vs_floor": 0.6,  # fraction of the floor's throughput at N=1000, M=10 (aim 0.8)
    "build_vs_floor_aim": 0.8,
    "startup_ratio": 1.3,  # variants build on the shipped project / bare import line
    "diff_vs_build": 3.0,  # diff --format json / build at N=1000
    "diff_growth": 12.0,  # diff at N=1000 / diff at N=100
    "peak_rss_mb": 400.0,  # at N=10000, M=10
}


@dataclass
class Run:
    """One timed process."""

    seconds: float
    rss_mb: float
    exit_code: int
    stderr: str
    stdout_bytes: int = 0


@dataclass
class Series:
    """Every run of one command at one size."""

    label: str
    runs: list[Run] = field(default_factory=list)
    status: str = "ok"  # ok | n/a | failed | timeout | skipped
    reason: str = ""

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.runs and self.status == "ok" else None

    @property
    def peak_mb(self) -> float | None:
        return max(r.rss_mb for r in self.runs) if self.runs and self.status == "ok" else None


# Children run as on a user's machine: Python caches compiled modules. (Some
# sandboxes set PYTHONDONTWRITEBYTECODE, which makes every start recompile the
# package from source and would put that cost on variants alone.)
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_process(argv: list[str], cwd: Path, timeout: float, stdout_path: Path | None = None) -> Run:
    """Run ``argv`` as one process; wall time from spawn to exit, peak RSS of that process.

    Dirty pages are flushed first (outside the timing), so no process pays for
    writing out what the one before it wrote.
    """
    if hasattr(os, "sync"):
        os.sync()
    with tempfile.TemporaryFile() as err, open(stdout_path or os.devnull, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=CHILD_ENV)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code == -9 and seconds >= timeout:
        code = -1
        stderr = f"killed after {seconds:.0f} s, at the end of the time budget\n" + stderr
    size = stdout_path.stat().st_size if stdout_path and stdout_path.exists() else 0
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    rss_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Run(seconds, rss_mb, code, stderr, size)


def record(series: Series, run: Run, accepted: set[int]) -> None:
    """Add ``run`` to ``series``, or mark the series n/a / failed."""
    if run.exit_code == 2 and ("No such command" in run.stderr or "No such option" in run.stderr):
        series.status = "n/a"
        series.reason = _last_line(run.stderr)
        return
    if run.exit_code == -1:
        series.status = "timeout"
        series.reason = _last_line(run.stderr)
        return
    if run.exit_code not in accepted:
        series.status = "failed"
        series.reason = f"exit {run.exit_code}: {_last_line(run.stderr)}"
        return
    series.runs.append(run)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def variants_command(spec: str | None) -> list[str]:
    """The variants command line: --variants, else the console script beside this Python, else -m."""
    if spec:
        return shlex.split(spec)
    script = Path(sys.executable).parent / "variants"
    return [str(script)] if script.exists() else [sys.executable, "-m", "variants"]


# --------------------------------------------------------------------------- start-up


def measure_startup(variants: list[str], work: Path, repeat: int, timeout: float, keep: bool = False) -> dict[str, Any]:
    """``variants build`` on a copy of the shipped project against the bare import line, interleaved."""
    project = work / "shipped"
    for folder in ("base", "overrides", "out"):
        shutil.copytree(REPO / folder, project / folder)
    pairs = {
        "variants build (shipped project)": ([*variants, "-C", str(project), "build"], {0}),
        'python -c "import click, jinja2, yaml"': ([sys.executable, "-c", "import click, jinja2, yaml"], {0}),
    }
    series = {label: Series(label) for label in pairs}
    for argv, _ in pairs.values():  # warm-up: byte-code caches, file cache
        run_process(argv, work, timeout)
    for i in range(repeat):
        order = list(pairs.items()) if i % 2 == 0 else list(reversed(pairs.items()))
        for label, (argv, accepted) in order:
            if series[label].status == "ok":
                record(series[label], run_process(argv, work, timeout), accepted)
    if not keep:
        shutil.rmtree(project)
    variants_s, bare_s = series.values()
    ratio = variants_s.median / bare_s.median if variants_s.median and bare_s.median else None
    return {
        "repeat": repeat,
        "commands": {s.label: _series_json(s) for s in series.values()},
        "ratio": ratio,
    }


# --------------------------------------------------------------------------- sizes


@dataclass
class SizeResult:
    n: int
    m: int
    rounds: int
    series: dict[str, Series]
    pages_built: int
    page_bytes: dict[str, float]
    generate_s: float
    elapsed_s: float


def set_aside(folder: Path) -> None:
    """Move ``folder`` out of the way (to ``folder.N`` beside it), if it exists."""
    if folder.exists():
        k = 1
        while folder.with_name(f"{folder.name}.{k}").exists():
            k += 1
        folder.rename(folder.with_name(f"{folder.name}.{k}"))


def count_pages(folder: Path) -> tuple[int, float]:
    """How many .md files ``folder`` holds, and their mean size in bytes."""
    sizes = (
        [entry.stat().st_size for entry in os.scandir(folder) if entry.name.endswith(".md")] if folder.is_dir() else []
    )
    return len(sizes), (sum(sizes) / len(sizes) if sizes else 0.0)


def measure_size(
    variants: list[str],
    root: Path,
    n: int,
    m: int,
    rounds: int,
    warmup: bool,
    deadline: float,
    estimates: dict[str, float | None],
) -> SizeResult:
    """Generate the project, then time every command and the floor in up to ``rounds`` interleaved rounds.

    A command whose first run is not expected to fit before ``deadline`` is
    skipped; a process still running at the deadline (plus a grace) is killed;
    a further round is only started when the last one would fit again.

    Build and the floor write into an empty folder each time; the last one's
    files are moved aside, not deleted: deleting thousands of files just
    before a timed run slows down the file creations in it (seen on ext4
    with online discard). Everything is deleted once the whole run is over.
    """
    started = time.perf_counter()
    project = root / f"n{n}-m{m}"
    synthetic.make_project(project, n, m)
    generate_s = time.perf_counter() - started
    out, floor_out = project / "out", project / "floor-out"
    diff_out = root / f"n{n}-m{m}.diff.json"
    labels = [FLOOR_LABEL, *COMMANDS]
    series = {label: Series(label) for label in labels}
    pages_built, page_bytes = 0, {"build": 0.0, "floor": 0.0}

    def left() -> float:
        return deadline - time.perf_counter()

    def argv(label: str) -> list[str]:
        if label == FLOOR_LABEL:
            return [sys.executable, str(FLOOR), str(project), str(floor_out)]
        return [*variants, "-C", str(project), *COMMANDS[label]]

    def one(label: str, timed: bool) -> None:
        nonlocal pages_built
        current = series[label]
        if current.status != "ok":
            return
        if label != "build" and label != FLOOR_LABEL and series["build"].status != "ok":
            current.status, current.reason = "skipped", "needs the pages build writes"
            return
        estimate = estimates.get(label)
        if timed and not current.runs and (left() <= 0 or (estimate is not None and estimate * SAFETY > left())):
            current.status = "skipped"
            current.reason = f"budget: one run estimated at {estimate or 0:.0f} s, {max(0.0, left()):.0f} s left"
            return
        if label in ("build", FLOOR_LABEL):
            set_aside(out if label == "build" else floor_out)
        stdout = diff_out if label.startswith("diff") else None
        run = run_process(argv(label), project, max(5.0, left() + GRACE), stdout)
        if label == "build" and not pages_built:
            pages_built, page_bytes["build"] = count_pages(out)
            if run.exit_code == 0 and pages_built != n:
                run.exit_code = -2
                run.stderr += f"\nbuilt {pages_built} pages, expected {n}"
        if label == FLOOR_LABEL and not page_bytes["floor"]:
            _, page_bytes["floor"] = count_pages(floor_out)
        if timed or run.exit_code not in ACCEPTED_EXIT[label]:
            record(current, run, ACCEPTED_EXIT[label])  # untimed: only n/a or failed, found while warming up

    if warmup:
        for label in labels:
            one(label, timed=False)
    done = 0
    last_round = 0.0
    for i in range(rounds):
        if i and last_round > left():
            print(f"N={n} M={m}: stopping after {i} round(s) to stay in the budget", file=sys.stderr)
            break
        round_start = time.perf_counter()
        # The floor goes first in even rounds and right after build in odd ones.
        order = labels if i % 2 == 0 else ["build", FLOOR_LABEL, *labels[2:]]
        for label in order:
            one(label, timed=True)
        last_round = time.perf_counter() - round_start
        done += 1
    return SizeResult(n, m, done, series, pages_built, page_bytes, generate_s, time.perf_counter() - started)


def predict(results: list[SizeResult], label: str, n: int, m: int) -> float | None:
    """Estimated seconds of one run of ``label`` at N=n, M=m: a line a + b*N through the sizes done.

    The slope comes from the two measured sizes nearest in N at the same M, else
    from another M scaled by the number of questions (generous: a page's cost
    grows more slowly than M); with a single size measured, its time per page
    (start-up included, so generous), at most PER_PAGE_GUESS.
    Never less than MIN_RUN, about what starting Python and the imports take.
    """
    points: dict[int, list[tuple[int, float]]] = {}
    for r in results:
        median = r.series[label].median
        if median:
            points.setdefault(r.m, []).append((r.n, median))
    if not points:
        return None
    for pts in points.values():
        pts.sort()

    def slope(pts: list[tuple[int, float]]) -> float | None:
        if len(pts) < 2:
            return None
        upper = next((k for k, (pn, _) in enumerate(pts) if pn >= n), len(pts) - 1)
        (n1, t1), (n2, t2) = pts[max(0, upper - 1)], pts[max(1, upper)]
        return max(0.0, (t2 - t1) / (n2 - n1)) if n2 != n1 else None

    own = points.get(m)
    b = slope(own) if own else None
    if b is None:
        others = [(om, slope(pts)) for om, pts in points.items() if om != m]
        others = [(om, sl) for om, sl in others if sl is not None]
        if others:
            om, sl = max(others)
            b = sl * max(1.0, m / om)
    if own is None:
        om = max(points)
        n0, t0 = points[om][0]
        t0 *= 1.0 if b is not None else max(1.0, m / om)
    else:
        n0, t0 = own[0]
    if b is None:  # a single size measured, at this M or not: its time per page, at most the guess
        b = min(PER_PAGE_GUESS * max(1.0, m / 10), t0 / n0)
    return max(MIN_RUN, t0 + b * (n - n0))


def default_rounds(n: int) -> int:
    return 5 if n <= 100 else 3 if n <= 1000 else 1


# --------------------------------------------------------------------------- report


def _series_json(series: Series) -> dict[str, Any]:
    return {
        "status": series.status,
        "reason": series.reason,
        "median_s": series.median,
        "runs_s": [round(t, 4) for t in series.times],
        "peak_rss_mb": round(series.peak_mb, 1) if series.peak_mb is not None else None,
        "exit_codes": sorted({r.exit_code for r in series.runs}),
        "stdout_bytes": series.runs[-1].stdout_bytes if series.runs else 0,
    }


def size_json(result: SizeResult) -> dict[str, Any]:
    floor = result.series[FLOOR_LABEL].median
    commands: dict[str, Any] = {}
    for label, series in result.series.items():
        entry = _series_json(series)
        median = series.median
        entry["pages_per_s"] = result.n / median if median else None
        entry["ratio_to_floor"] = floor / median if median and floor and label != FLOOR_LABEL else None
        commands[label] = entry
    return {
        "n": result.n,
        "m": result.m,
        "rounds": result.rounds,
        "pages_built": result.pages_built,
        "page_bytes": {k: round(v) for k, v in result.page_bytes.items()},
        "generate_s": round(result.generate_s, 3),
        "elapsed_s": round(result.elapsed_s, 3),
        "commands": commands,
    }


def _find(sizes: list[dict[str, Any]], n: int, m: int) -> dict[str, Any] | None:
    return next((s for s in sizes if s["n"] == n and s["m"] == m), None)


def _median(sizes: list[dict[str, Any]], n: int, m: int, label: str) -> float | None:
    size = _find(sizes, n, m)
    return size["commands"][label]["median_s"] if size else None


def check_targets(sizes: list[dict[str, Any]], startup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The issue's targets: measured value, target, pass / miss / n/a."""

    def target(
        name: str, measured: float | None, limit: float, better: str, unit: str, why: str = ""
    ) -> dict[str, Any]:
        if measured is None:
            status = "n/a"
        elif better == "higher":
            status = "pass" if measured >= limit else "miss"
        else:
            status = "pass" if measured <= limit else "miss"
        op = ">=" if better == "higher" else "<="
        return {
            "target": name,
            "measured": round(measured, 3) if measured is not None else None,
            "limit": f"{op} {limit:g}{unit}",
            "status": status,
            "note": why,
        }

    out: list[dict[str, Any]] = []
    size = _find(sizes, 1000, 10)
    ratio = size["commands"]["build"]["ratio_to_floor"] if size else None
    out.append(
        target(
            "build throughput / floor's, N=1000 M=10 (aim 0.8)",
            ratio,
            TARGETS["build_vs_floor"],
            "higher",
            "x",
            "" if size else "size not measured",
        )
    )
    startup_ratio = startup.get("ratio") if startup else None
    out.append(
        target(
            "build start-up / bare import, shipped project",
            startup_ratio,
            TARGETS["startup_ratio"],
            "lower",
            "x",
            "" if startup else "start-up not measured",
        )
    )
    diff_1000 = _median(sizes, 1000, 10, "diff --format json")
    build_1000 = _median(sizes, 1000, 10, "build")
    out.append(
        target(
            "diff --format json / build, N=1000 M=10",
            diff_1000 / build_1000 if diff_1000 and build_1000 else None,
            TARGETS["diff_vs_build"],
            "lower",
            "x",
            "" if diff_1000 else "diff not measured (n/a or size skipped)",
        )
    )
    diff_100 = _median(sizes, 100, 10, "diff --format json")
    out.append(
        target(
            "diff time N=1000 / N=100, M=10",
            diff_1000 / diff_100 if diff_1000 and diff_100 else None,
            TARGETS["diff_growth"],
            "lower",
            "x",
            "" if diff_1000 and diff_100 else "diff not measured at both sizes",
        )
    )
    size = _find(sizes, 10000, 10)
    peaks = (
        {
            label: c["peak_rss_mb"]
            for label, c in size["commands"].items()
            if c["peak_rss_mb"] is not None and label != FLOOR_LABEL
        }
        if size
        else {}
    )
    worst = max(peaks, key=lambda k: peaks[k]) if peaks else None
    unmeasured = [label for label in COMMANDS if label not in peaks] if size else []
    note = f"{worst}" if worst else "size not measured"
    if worst and unmeasured:
        note += f" ({', '.join(unmeasured)} not measured)"
    out.append(
        target(
            "peak RSS, N=10000 M=10 (largest command)",
            peaks[worst] if worst else None,
            TARGETS["peak_rss_mb"],
            "lower",
            " MB",
            note,
        )
    )
    return out


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def print_report(report: dict[str, Any]) -> None:
    rows = [("command", "N", "M", "median s", "pages/s", "x floor", "peak MB", "runs", "note")]
    for size in sorted(report["sizes"], key=lambda s: (s["n"], s["m"])):
        for label, c in size["commands"].items():
            note = "" if c["status"] == "ok" else f"{c['status']}: {c['reason']}"
            if c["status"] == "ok" and c["exit_codes"] != [0]:
                note = f"exit {c['exit_codes']}"
            rows.append(
                (
                    label,
                    str(size["n"]),
                    str(size["m"]),
                    _fmt(c["median_s"], ".3f"),
                    _fmt(c["pages_per_s"], ",.0f"),
                    "" if label == FLOOR_LABEL else _fmt(c["ratio_to_floor"], ".2f"),
                    _fmt(c["peak_rss_mb"], ".0f"),
                    str(len(c["runs_s"])),
                    note[:70],
                )
            )
    _table(rows)
    startup = report.get("startup")
    if startup:
        print()
        _table(
            [("start-up", "median s", "peak MB", "runs")]
            + [
                (label, _fmt(c["median_s"], ".3f"), _fmt(c["peak_rss_mb"], ".0f"), str(len(c["runs_s"])))
                for label, c in startup["commands"].items()
            ]
        )
    for skipped in report["skipped"]:
        print(f"skipped N={skipped['n']} M={skipped['m']}: {skipped['reason']}")
    print()
    _table(
        [("target", "measured", "limit", "status", "note")]
        + [(t["target"], _fmt(t["measured"], ".2f"), t["limit"], t["status"], t["note"]) for t in report["targets"]]
    )
    if report.get("extract"):
        extracting.print_part(report["extract"])
    print(
        f"\n{report['machine']['cpus']} cores, {report['machine']['memory_gib']} GiB, "
        f"projects on {report['machine'].get('workdir_fs') or 'an unknown file system'}; "
        f"{report['elapsed_s']:.0f} s in all; JSON in {report['json']}"
    )


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(w) if _numeric(cell) or (cell == "n/a" and i < len(row) - 1 and i) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _numeric(cell: str) -> bool:
    return cell.replace(",", "").replace(".", "").isdigit()


def filesystem(path: Path) -> str:
    """The type of the file system ``path`` is on (from /proc/mounts; "" where unknown)."""
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    best, kind = "", ""
    resolved = str(path.resolve())
    for line in mounts:
        fields = line.split()
        inside = len(fields) >= 3 and (resolved == fields[1] or resolved.startswith(fields[1].rstrip("/") + "/"))
        if inside and len(fields[1]) >= len(best):
            best, kind = fields[1], fields[2]
    return kind


def machine(variants: list[str]) -> dict[str, Any]:
    import jinja2
    import yaml

    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        mem = 0.0
    version = subprocess.run([*variants, "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "jinja2": jinja2.__version__,
        "pyyaml": yaml.__version__,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "variants": version,
        "variants_command": variants,
    }


# --------------------------------------------------------------------------- main


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        n, _, m = part.strip().lower().partition("x")
        if not n.isdigit() or not m.isdigit() or int(n) < 1 or int(m) < 1:
            raise argparse.ArgumentTypeError(f"size {part!r} is not NxM (e.g. 1000x10)")
        sizes.append((int(n), int(m)))
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=None,
        help="comma-separated NxM sizes, run in this order (default: all of N 2,100,1000,10000 x M 10,100)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="rounds per size and start-up runs (default: 5 up to N=100, 3 at N=1000, 1 above; 15 for start-up)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_BUDGET,
        help=f"seconds for the whole run; sizes that would not fit are skipped (default {DEFAULT_BUDGET:g})",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        help=f"where to write the results (default {DEFAULT_JSON.relative_to(REPO)})",
    )
    parser.add_argument("--quick", action="store_true", help="the smallest size (N=2, M=10) once, and start-up once")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    parser.add_argument(
        "--variants", default=None, help="the variants command (default: the console script beside this Python)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="make the temporary projects in this folder (default: the system's temporary folder; "
        "e.g. /dev/shm to leave the disk out)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the synthetic projects (their folder is printed)")
    parser.add_argument(
        "--no-extract", action="store_true", help="skip the extract part (compactness of extracted sources, its time)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or [(2, 10)]
        args.repeat = args.repeat or 1
    sizes = args.sizes or DEFAULT_SIZES
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")

    started = time.perf_counter()
    deadline = started + args.budget
    variants = variants_command(args.variants)
    info = machine(variants)
    print(
        f"variants: {info['variants'] or variants}; {info['cpus']} cores, {info['memory_gib']} GiB; budget {args.budget:g} s",
        file=sys.stderr,
    )

    def left() -> float:
        return deadline - time.perf_counter()

    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="variants-bench-", dir=args.workdir) as tmp:
        work = Path(tempfile.mkdtemp(prefix="variants-bench-", dir=args.workdir)) if args.keep else Path(tmp)
        info["workdir"] = str(work)
        info["workdir_fs"] = filesystem(work)
        startup = None
        if not args.no_startup:
            repeat = args.repeat or STARTUP_REPEAT
            print(f"start-up: {repeat} runs each ...", file=sys.stderr)
            startup = measure_startup(variants, work, repeat, timeout=max(5.0, left() + GRACE), keep=args.keep)
        results: list[SizeResult] = []
        skipped: list[dict[str, Any]] = []
        if args.keep:
            print(f"projects in {work}", file=sys.stderr)
        for n, m in sizes:
            rounds = args.repeat or default_rounds(n)
            estimates = {label: predict(results, label, n, m) for label in [FLOOR_LABEL, *COMMANDS]}
            known = [e for e in estimates.values() if e is not None]
            round_estimate = sum(known) if known else None
            needed = (
                SAFETY * ((estimates[FLOOR_LABEL] or 0) + (estimates["build"] or 0)) + 0.0005 * n
            )  # and writing the project
            if round_estimate is not None and not args.quick:
                if needed > left():
                    reason = (
                        f"the floor and build alone would take about {needed:.0f} s; "
                        f"{max(0.0, left()):.0f} s of the {args.budget:g} s budget are left"
                    )
                    print(f"N={n} M={m}: skipped, {reason}", file=sys.stderr)
                    skipped.append({"n": n, "m": m, "reason": reason})
                    continue
                fits = max(1, int(left() // (round_estimate * SAFETY)))
                if fits < rounds:
                    print(f"N={n} M={m}: {fits} round(s) instead of {rounds} to stay in the budget", file=sys.stderr)
                    rounds = fits
            warmup = not args.quick and n <= 100 and (round_estimate or 0) < 3.0
            print(
                f"N={n} M={m}: {rounds} round(s)"
                + (f", about {round_estimate * rounds:.0f} s" if round_estimate else "")
                + " ...",
                file=sys.stderr,
            )
            result = measure_size(variants, work, n, m, rounds, warmup, deadline, estimates)
            results.append(result)
            print(f"N={n} M={m}: done in {result.elapsed_s:.1f} s", file=sys.stderr)

    report: dict[str, Any] = {
        "version": 1,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": info,
        "options": {
            "sizes": [list(s) for s in sizes],
            "repeat": args.repeat,
            "budget_s": args.budget,
            "quick": args.quick,
        },
        "startup": startup,
        "sizes": [size_json(r) for r in results],
        "skipped": skipped,
        "targets_spec": TARGETS,
    }
    report["targets"] = check_targets(report["sizes"], startup)
    if not args.no_extract:
        print("extract: real and synthetic families, and two growing pages ...", file=sys.stderr)
        report["extract"] = extracting.run(args.quick)
    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    report["json"] = str(args.json)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
