"""``kata grade-class`` on a class of 40: two at a time against one, the cost per learner, a rerun with no change.

    python benchmarks/grade_class.py [--size 40] [--repeat 3] [--kata 1 …] [--jobs 2 --jobs 1]
                                     [--screenshot docs/class-report.png]

The class is the reference (one full-marks learner) and the first ``size - 1`` bugs of the zoo
(``tests/zoo``), each a copy of the reference with one realistic mistake, as learner folders.
Each repeat, in one run: one plain ``kata grade`` of the reference with the same kata selection
(what grading one learner costs), the class graded with ``--jobs 2`` and then ``--jobs 1``
(fresh output folders; ``--jobs`` chooses which), and a rerun of the first with nothing changed.
Grading every kata costs about a minute per learner, so the katas are chosen (default: kata 01)
and printed. The load average is printed before every measurement; the summary gives the best,
median and spread (max − min) of each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.spec_runner import copy_package  # noqa: E402
from tests.test_bug_zoo import mutate  # noqa: E402
from tests.zoo import BUGS  # noqa: E402


def build_class(folder: Path, size: int) -> None:
    copy_package(ROOT / "reference", folder / "reference-learner", "student")
    for bug in BUGS[: size - 1]:
        mutate(bug, folder)


def kata(*args: str, cwd: Path) -> float:
    """Seconds ``python -m kit.learner.cli ARGS`` takes (it must succeed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPEC_"))}
    env["PYTHONPATH"] = str(ROOT)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kit.learner.cli", *args], cwd=cwd, env=env, capture_output=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"kata {' '.join(args)} failed:\n{done.stderr.decode()[-3000:]}")
    return took


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def screenshot(report: Path, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=arguments)
        page = browser.new_page(viewport={"width": 1200, "height": 1500})
        page.goto(report.as_uri())
        page.screenshot(path=str(target))
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kata", type=int, action="append", default=[])
    parser.add_argument("--jobs", type=int, action="append", default=[], help="grade-class --jobs (default: 2, 1)")
    parser.add_argument("--screenshot", type=Path, default=None, help="save the first report's screenshot here")
    args = parser.parse_args()
    selection = [f"--kata={n}" for n in args.kata or [1]]
    counts = args.jobs or [2, 1]
    times: dict[str, list[float]] = {**{f"jobs {n}": [] for n in counts}, "rerun": [], "single": []}
    print(f"class of {args.size}: the reference and {args.size - 1} zoo bugs; katas {' '.join(selection)}; ", end="")
    print(f"{os.cpu_count()} cores; {args.repeat} repeats", flush=True)
    with tempfile.TemporaryDirectory(prefix="grade-class-bench-") as scratch:
        work = Path(scratch)
        build_class(work / "class", args.size)
        for repeat in range(1, args.repeat + 1):
            before = load()
            took = kata("grade", "--path", str(work / "class" / "reference-learner" / "student"), *selection, cwd=work)
            times["single"].append(took)
            print(f"repeat {repeat}: one kata grade: {took:6.1f} s  (load before: {before})", flush=True)
            for jobs in counts:
                out = work / f"out-{jobs}"
                shutil.rmtree(out, ignore_errors=True)
                before = load()
                took = kata(
                    "grade-class", str(work / "class"), "--out", str(out), f"--jobs={jobs}", *selection, cwd=work
                )
                times[f"jobs {jobs}"].append(took)
                print(f"repeat {repeat}: --jobs {jobs}: {took:7.1f} s  (load before: {before})", flush=True)
                if jobs == counts[0]:
                    before = load()
                    took = kata(
                        "grade-class", str(work / "class"), "--out", str(out), f"--jobs={jobs}", *selection, cwd=work
                    )
                    times["rerun"].append(took)
                    print(
                        f"repeat {repeat}: rerun, nothing changed: {took:5.2f} s  (load before: {before})", flush=True
                    )
                if jobs == counts[0] and repeat == 1 and args.screenshot is not None:
                    screenshot(out / "report.html", args.screenshot)
                    print(f"screenshot of the class report → {args.screenshot}", flush=True)
    print(f"\nsummary over {args.repeat} repeats (best / median / spread = max − min), load now: {load()}")
    for name, values in times.items():
        print(
            f"  {name:7} {min(values):8.2f} s / {statistics.median(values):8.2f} s / {max(values) - min(values):6.2f} s"
        )
    single = statistics.median(times["single"])
    if {1, 2} <= set(counts):
        one, two = statistics.median(times["jobs 1"]), statistics.median(times["jobs 2"])
        print(f"  speed-up --jobs 2 over --jobs 1 (medians): {one / two:.2f}×")
    each = ", ".join(f"--jobs {n} {statistics.median(times[f'jobs {n}']) / args.size:.1f} s" for n in counts)
    print(f"  per learner: {each}; one kata grade {single:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
