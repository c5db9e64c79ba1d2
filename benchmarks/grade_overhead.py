"""What grading costs over running the spec: ``kata grade`` against plain pytest, same submission, same run.

    python benchmarks/grade_overhead.py                       # reference, every ready kata, 3 rounds
    python benchmarks/grade_overhead.py --impl student --runs 5 --kata 1 --kata 2
    python benchmarks/grade_overhead.py --isolation in-process --jobs 1

Each round runs, one after the other on the same machine, (a) ``pytest spec_tests --impl IMPL
--hypothesis-profile ci`` and (b) ``kata grade --impl IMPL`` (per kata the spec's process and the
submission's worker, the trusted collection, the static check, the results file), alternating
which goes first, and prints both wall-clock times, the ratio, and the 1-minute load average
before each run: a figure from a busy machine says so. The summary gives the median ratio and its
spread. Nothing here is asserted; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall-clock seconds, 1-minute load average just before) of one run of ``command``."""
    load = os.getloadavg()[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # pytest exits 1 when a test fails: still a full run
        sys.exit(f"{' '.join(command[:6])} … exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", default="reference")
    parser.add_argument("--kata", type=int, action="append", default=[], help="only kata N (repeatable)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--isolation", default="auto", choices=("auto", "namespaces", "in-process"))
    parser.add_argument("--jobs", type=int, default=None, help="kata grade --jobs (default: its own)")
    args = parser.parse_args()
    katas = [part for number in args.kata for part in ("--kata", str(number))]
    with tempfile.TemporaryDirectory(prefix="grade-overhead-") as tmp:
        folder = Path(tmp)
        plain = [sys.executable, "-m", "pytest", str(ROOT / "spec_tests"), "--impl", args.impl]
        plain += ["--hypothesis-profile", "ci", "-q", "-p", "no:cacheprovider", "-m", "not given", *katas]
        grade = [sys.executable, "-m", "kit.learner.cli", "grade", "--impl", args.impl, *katas]
        grade += ["--isolation", args.isolation, "--out", str(folder / "grade.json")]
        grade += ["--jobs", str(args.jobs)] if args.jobs else []
        rows = []
        for round_ in range(args.runs):
            pair = [("pytest", plain), ("grade", grade)]
            if round_ % 2:
                pair.reverse()
            rows.append({name: timed(command, folder) for name, command in pair})
    from kit.grading import isolation

    used = isolation.choose(args.isolation)
    jobs = args.jobs or min(4, os.cpu_count() or 1)
    print(
        f"kata grade (--jobs {jobs}) vs plain pytest, --impl {args.impl}, katas {args.kata or 'all ready'}, "
        f"isolation {used}"
    )
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    names = ["grade"]
    head = "".join(f"  {name + ' s':>8}  {'load':>5}  {'ratio':>6}" for name in names)
    print(f"{'round':>5}  {'pytest s':>9}  {'load':>5}{head}")
    for number, row in enumerate(rows, 1):
        p, p_load = row["pytest"]
        cells = "".join(f"  {row[n][0]:>8.1f}  {row[n][1]:>5.2f}  {row[n][0] / p:>5.2f}×" for n in names)
        print(f"{number:>5}  {p:>9.1f}  {p_load:>5.2f}{cells}")
    for name in names:
        ratios = [row[name][0] / row["pytest"][0] for row in rows]
        print(
            f"{name} / pytest: median {statistics.median(ratios):.2f}×, min {min(ratios):.2f}×, "
            f"max {max(ratios):.2f}× over {len(rows)} rounds"
        )


if __name__ == "__main__":
    main()
