"""Run the spec in a subprocess and read back what it found, kata by kata.

The ``kata`` command never imports the learner's code itself: it runs
``pytest spec_tests --impl NAME --results-json FILE`` in a child process (so code that
loops, crashes or calls ``sys.exit`` cannot take the command down) and reads the
results file that the spec's report writes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from katas import catalogue
from katas.catalogue import KIT_ROOT

#: Seconds one spec test may run before it fails as "timed out": far above what a correct
#: implementation needs (the slowest reference test takes about two seconds), short enough
#: that an infinite loop is named quickly.
DEFAULT_TIMEOUT = 30.0


@dataclass
class KataOutcome:
    """One kata's share of a spec run."""

    kata: catalogue.Kata
    passed: int = 0
    total: int = 0
    failures: list[dict[str, object]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.passed == self.total


@dataclass
class SpecRun:
    """The outcome of one spec run: per kata, and anything that stopped the run itself."""

    implementation: str
    outcomes: dict[int, KataOutcome]
    problems: list[str]

    def current(self) -> catalogue.Kata | None:
        """The first ready kata that is not complete: the one to work on."""
        return next((o.kata for o in self.outcomes.values() if not o.complete), None)


def run_spec(
    impl: str, katas: list[int] | None = None, timeout: float = DEFAULT_TIMEOUT, profile: str = "dev"
) -> SpecRun:
    """Run the spec for ``katas`` (default: every ready kata) against the package ``impl``.

    The katas are split between two pytest processes that run side by side (one per
    core of a small machine): a learner's ``kata status`` answers in half the time.
    """
    chosen = katas or [kata.number for kata in catalogue.load() if kata.ready]
    shares = [chosen[i::PROCESSES] for i in range(PROCESSES) if chosen[i::PROCESSES]]
    with tempfile.TemporaryDirectory(prefix="kata-") as tmp:
        runs = []
        for i, share in enumerate(shares):
            results = Path(tmp) / f"results-{i}.json"
            command = [
                sys.executable,
                "-m",
                "pytest",
                str(KIT_ROOT / "spec_tests"),
                "--impl",
                impl,
                "--results-json",
                str(results),
                "--hypothesis-profile",
                profile,
                f"--time-limit={timeout:g}",
                "-q",
                "-p",
                "no:cacheprovider",
                *(arg for number in share for arg in ("--kata", str(number))),
            ]
            env = {**os.environ, "NO_COLOR": "1"}
            child = subprocess.Popen(
                command, cwd=KIT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            runs.append((child, results))
        data = [_results_of(child, results) for child, results in runs]
    found = {marker: outcome for part in data for marker, outcome in part["katas"].items()}
    outcomes = {
        kata.number: KataOutcome(kata, *(found[kata.marker][key] for key in ("passed", "total", "failures")))
        for kata in catalogue.load()
        if kata.marker in found
    }
    problems = [problem for part in data for problem in part["collection_errors"]]
    return SpecRun(data[0]["implementation"], outcomes, sorted(set(problems)))


#: Spec processes run side by side by :func:`run_spec`.
PROCESSES = 2


def _results_of(child: subprocess.Popen[str], results: Path) -> dict:
    """Wait for one spec process and read its results file (RuntimeError if it stopped before writing it)."""
    output, _ = child.communicate()
    if not results.is_file():
        tail = output.strip().splitlines()[-15:]
        raise RuntimeError(f"the spec run stopped before reporting (exit {child.returncode}):\n" + "\n".join(tail))
    return json.loads(results.read_text(encoding="utf-8"))


def package_folder(impl: str) -> Path | None:
    """Where the package ``impl`` lives, without importing it (``None`` if it cannot be found)."""
    try:
        spec = importlib.util.find_spec(impl)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
