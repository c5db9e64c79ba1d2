"""The learner's loop, timed: what the ``kata`` command adds on top of the spec, side by side in one run.

    python benchmarks/learner_loop.py                 # katas 1, 4 and 16, 3 rounds
    python benchmarks/learner_loop.py --katas 2 --rounds 5

For each kata N, on the reference (a finished kata), each round runs back to back:

- ``pytest spec_tests --impl reference --kata N``: the bare spec, the floor;
- ``kata check N --impl reference``: the command, its state already holding every kata
  (primed once before the rounds), nothing edited since, so only kata N runs.

- ``kata watch N --manual --impl reference``: from Enter to the next prompt, the re-checks of
  one watch session (each a fork of its warm server, ``kit/learner/warm.py``; the first check,
  which starts the server, is not counted).

Then, per round, ``kata status`` after those checks with nothing edited (answered from the
recorded results) against ``kata check 1``. The issue's targets: check ≤ 1.5 × bare pytest;
status ≤ check 1. Every figure is wall-clock seconds as median (min–max) over the rounds,
with the one-minute load average before and after: on a shared machine, read them with it.
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


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run of ``command`` from the kit's root (it must succeed)."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {result.returncode}):\n{result.stdout[-2000:]}")
    return seconds


def watch_rechecks(command: list[str], env: dict[str, str], count: int) -> list[float]:
    """Wall-clock seconds from Enter to the next prompt, ``count`` times, in one ``kata watch --manual`` session."""
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None
    assert child.stdout is not None

    def prompt() -> None:
        for line in child.stdout:
            if "press Enter to check again" in line:
                return
        raise SystemExit(f"{' '.join(command)} ended without its prompt (exit {child.wait()})")

    prompt()  # the first check: it starts the warm server
    seconds = []
    for _ in range(count):
        start = time.perf_counter()
        child.stdin.write("\n")
        child.stdin.flush()
        prompt()
        seconds.append(time.perf_counter() - start)
    child.stdin.close()
    child.wait()
    return seconds


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--katas", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="kata-bench-")) / "state.json"
    env = {**os.environ, "NO_COLOR": "1", "KATA_STATE": str(state), "PYTHONPATH": str(ROOT)}
    kata = [sys.executable, "-m", "kit.learner.cli"]
    pytest = [sys.executable, "-m", "pytest", "spec_tests", "--impl", "reference", "-q", "-p", "no:cacheprovider"]
    load_before = os.getloadavg()[0]
    timed([*kata, "status", "--impl", "reference"], env)  # prime: every kata recorded
    rows = []
    for number in args.katas:
        bare, check, watch = [], [], []
        for _ in range(args.rounds):
            bare.append(timed([*pytest, "--kata", str(number)], env))
            check.append(timed([*kata, "check", str(number), "--impl", "reference"], env))
            watch += watch_rechecks([*kata, "watch", str(number), "--manual", "--impl", "reference"], env, 3)
        ratio = statistics.median(check) / statistics.median(bare)
        rows.append(f"kata {number:02d}: bare pytest {spread(bare)} · kata check {spread(check)} · ratio {ratio:.2f}")
        ratio = statistics.median(watch) / statistics.median(bare)
        rows.append(f"         kata watch re-check {spread(watch)} (3 a round) · ratio to bare pytest {ratio:.2f}")
    status, check_1 = [], []
    for _ in range(args.rounds):
        check_1.append(timed([*kata, "check", "1", "--impl", "reference"], env))
        status.append(timed([*kata, "status", "--impl", "reference"], env))
    load_after = os.getloadavg()[0]
    print(
        f"learner loop · {os.cpu_count()} cores · load average (1 min) {load_before:.2f} before, {load_after:.2f} after"
    )
    print(f"{args.rounds} rounds, median (min–max) wall-clock seconds")
    for row in rows:
        print(row)
    ratio = statistics.median(status) / statistics.median(check_1)
    print(f"status, nothing edited: {spread(status)} · kata check 1 {spread(check_1)} · ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
