"""The builds a user actually runs, against Hugo making the same pages and against the floor.

    python benchmarks/versus.py                 # 1,002 programs, 5 interleaved rounds
    python benchmarks/versus.py --programs 200 --rounds 3 --json /tmp/versus.json

One synthetic project (synthetic.py, M=10) and the same pages as a Hugo site
(hugo_site.py). Each round times, as whole processes in one interleaved order,
every case from its own starting state (prepared untimed):

- hugo: ``hugo`` into an empty folder (when ``hugo`` is on PATH; the benchmark
  installs nothing: ``apt-get install hugo`` on Debian);
- floor: PyYAML + Jinja2 alone (floor.py);
- cold: ``variants build`` into an empty out/ with an empty cache (it fills it);
- cold --no-cache: the same, without the cache;
- warm cache: into an empty out/ with the cache as the last build left it;
- no-op: nothing changed since the last build;
- one edit: one override changed since the last build;
- check, cold cache: on the built project, no check before it;
- check: nothing changed since the last check;
- check, one edit: one override changed since the last check;
- diff --format json: on the built project;
- watch: a saved override's new page on disk, inside ``variants watch`` (when
  the command exists), the median of 20 edits.

It prints medians, each case as a ratio to Hugo and to the floor, and the
issue's targets; the JSON goes to benchmarks/results/versus.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import bench
import hugo_site
import synthetic

HERE = Path(__file__).resolve().parent
DEFAULT_JSON = HERE / "results" / "versus.json"
CACHE = ".variants-cache"
# case -> (target as a multiple of Hugo's median, or None)
TARGETS: dict[str, float | None] = {
    "cold": 1.5,
    "cold --no-cache": 1.5,
    "warm cache": 0.6,
    "no-op": 0.4,
    "one edit": 0.5,
    "check": 3.0,
    "check, one edit": 3.0,
    "diff --format json": None,  # against a cold build: at most 2x
}


def _aside(path: Path) -> None:
    if path.exists():
        bench.set_aside(path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=1002)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--variants", default=None, help="the variants command line (default: beside this Python)")
    args = parser.parse_args(argv)
    variants = bench.variants_command(args.variants)
    hugo = shutil.which("hugo")
    with tempfile.TemporaryDirectory(prefix="variants-versus-", dir=args.workdir) as scratch:
        work = Path(scratch)
        project = synthetic.make_project(work / "project", args.programs, 10)
        site = hugo_site.make_site(project, work / "site")
        results = _measure(work, project, site, variants, hugo, args.rounds)
        results["watch"] = _watch(project, variants)
    report = _report(results, args.programs, args.rounds, hugo)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def _measure(
    work: Path, project: Path, site: Path, variants: list[str], hugo: str | None, rounds: int
) -> dict[str, Any]:
    out, cache = project / "out", project / CACHE
    edited = sorted((project / "overrides").glob("*.yml"))[0]
    original = edited.read_text(encoding="utf-8")
    build = [*variants, "-C", str(project), "build"]
    toggle = [0]

    def reset_built() -> None:  # the project built, the cache warm
        edited.write_text(original, encoding="utf-8")
        subprocess.run(build, check=True, capture_output=True)

    def edit() -> None:
        reset_built()
        toggle[0] += 1
        edited.write_text(original.replace("name: Program", f"name: Edited {toggle[0]} Program", 1), encoding="utf-8")

    check = [*variants, "-C", str(project), "check"]

    def checked() -> None:  # the project built and checked: the cache as the last check left it
        reset_built()
        subprocess.run(check, capture_output=True)

    def checked_then_edited() -> None:
        checked()
        toggle[0] += 1
        edited.write_text(original.replace("name: Program", f"name: Checked {toggle[0]} Program", 1), encoding="utf-8")

    def cold() -> None:
        _aside(out)
        shutil.rmtree(cache, ignore_errors=True)

    def warm() -> None:
        reset_built()
        _aside(out)

    cases: dict[str, tuple[Any, list[str]]] = {
        "floor": (
            lambda: _aside(work / "floor-out"),
            [sys.executable, str(bench.FLOOR), str(project), str(work / "floor-out")],
        ),
        "cold": (cold, build),
        "cold --no-cache": (cold, [*build, "--no-cache"]),
        "warm cache": (warm, build),
        "no-op": (reset_built, build),
        "one edit": (edit, build),
        "check, cold cache": (reset_built, check),
        "check": (checked, check),
        "check, one edit": (checked_then_edited, check),
        "diff --format json": (reset_built, [*variants, "-C", str(project), "diff", "--format", "json"]),
    }
    if hugo:
        cases["hugo"] = (
            lambda: _aside(work / "public"),
            [hugo, "--quiet", "-s", str(site), "-d", str(work / "public")],
        )
    times: dict[str, list[float]] = {name: [] for name in cases}
    peaks: dict[str, float] = {}
    for prepare, argv in cases.values():  # warm-up: byte-code and file caches
        prepare()
        subprocess.run(argv, capture_output=True)
    names = list(cases)
    for i in range(rounds):
        order = names if i % 2 == 0 else list(reversed(names))
        for name in order:
            prepare, argv = cases[name]
            prepare()
            run = bench.run_process(argv, project, timeout=600)
            if run.exit_code not in (0, 1):
                raise SystemExit(f"{name}: exit {run.exit_code}: {run.stderr.strip()[-300:]}")
            times[name].append(run.seconds)
            peaks[name] = max(peaks.get(name, 0.0), run.rss_mb)
    edited.write_text(original, encoding="utf-8")
    return {"times": times, "peaks": peaks}


def _watch(project: Path, variants: list[str], edits: int = 20) -> dict[str, Any]:
    """Save an override inside a running ``variants watch``; how long until its new page is on disk."""
    probe = subprocess.run([*variants, "watch", "--help"], capture_output=True)
    if probe.returncode != 0:
        return {"status": "n/a", "reason": "no watch command"}
    override = sorted((project / "overrides").glob("*.yml"))[1]
    page = project / "out" / synthetic.slug(2)
    page = page.with_name(page.name + "-faq.md")
    original = override.read_text(encoding="utf-8")
    process = subprocess.Popen(
        [*variants, "-C", str(project), "watch"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    latencies: list[float] = []
    try:
        time.sleep(2.0)  # its first build
        for n in range(edits):
            marker = f"Watched {n} Program"
            override.write_text(original.replace("name: Program", f"name: {marker}", 1), encoding="utf-8")
            start = time.perf_counter()
            deadline = start + 10
            while time.perf_counter() < deadline:
                try:
                    if marker in page.read_text(encoding="utf-8"):
                        break
                except OSError:
                    pass
                time.sleep(0.002)
            latencies.append(time.perf_counter() - start)
            time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=10)
        override.write_text(original, encoding="utf-8")
    return {"status": "ok", "median_s": statistics.median(latencies), "runs_s": [round(t, 4) for t in latencies]}


def _report(results: dict[str, Any], programs: int, rounds: int, hugo: str | None) -> dict[str, Any]:
    times = results["times"]
    medians = {name: statistics.median(values) for name, values in times.items() if values}
    hugo_s, floor_s, cold_s = medians.get("hugo"), medians.get("floor"), medians.get("cold")
    print(f"{programs} programs, {rounds} rounds, {os.cpu_count()} CPUs; medians in seconds")
    print(f"{'case':<20} {'median':>8} {'x Hugo':>8} {'x floor':>8}  target")
    rows = {}
    for name, median in medians.items():
        vs_hugo = median / hugo_s if hugo_s else None
        vs_floor = median / floor_s if floor_s else None
        target = TARGETS.get(name)
        if name == "diff --format json" and cold_s:
            verdict = f"<= 2x cold: {median / cold_s:.2f} {'met' if median <= 2 * cold_s else 'missed'}"
        elif target is not None and vs_hugo is not None:
            verdict = f"<= {target}x Hugo: {'met' if vs_hugo <= target else 'missed'}"
        else:
            verdict = ""
        shown_hugo = f"{vs_hugo:.2f}" if vs_hugo is not None else "n/a"
        shown_floor = f"{vs_floor:.2f}" if vs_floor is not None else "n/a"
        print(f"{name:<20} {median:>8.3f} {shown_hugo:>8} {shown_floor:>8}  {verdict}")
        rows[name] = {"median_s": median, "runs_s": times[name], "x_hugo": vs_hugo, "x_floor": vs_floor,
                      "peak_rss_mb": results["peaks"].get(name), "target": verdict}  # fmt: skip
    watch = results.get("watch", {})
    if watch.get("status") == "ok":
        met = "met" if watch["median_s"] <= 0.1 else "missed"
        print(f"{'watch (one edit)':<20} {watch['median_s']:>8.3f}  target <= 0.100 s: {met}")
    else:
        print(f"watch: {watch.get('reason', 'n/a')}")
    return {"programs": programs, "rounds": rounds, "hugo": hugo, "cases": rows, "watch": watch,
            "date": time.strftime("%Y-%m-%d")}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
