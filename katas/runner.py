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

from . import catalogue

ROOT = catalogue.KATAS_DIR.parent

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
    """Run the spec for ``katas`` (default: every ready kata) against the package ``impl``."""
    with tempfile.TemporaryDirectory(prefix="kata-") as tmp:
        results = Path(tmp) / "results.json"
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "spec_tests"),
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
        ]
        for number in katas or []:
            command += ["--kata", str(number)]
        env = {**os.environ, "NO_COLOR": "1"}
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if not results.is_file():
            tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
            raise RuntimeError(f"the spec run stopped before reporting (exit {done.returncode}):\n" + "\n".join(tail))
        data = json.loads(results.read_text(encoding="utf-8"))
    outcomes = {}
    for kata in catalogue.load():
        found = data["katas"].get(kata.marker)
        if found is not None:
            outcomes[kata.number] = KataOutcome(kata, found["passed"], found["total"], found["failures"])
    return SpecRun(data["implementation"], outcomes, list(data["collection_errors"]))


def package_folder(impl: str) -> Path | None:
    """Where the package ``impl`` lives, without importing it (``None`` if it cannot be found)."""
    try:
        spec = importlib.util.find_spec(impl)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
