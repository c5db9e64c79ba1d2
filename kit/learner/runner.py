"""Run the spec in subprocesses and read back what it found, kata by kata, while it runs.

The ``kata`` command never imports the learner's code itself: it runs
``pytest spec_tests --impl NAME --results-json FILE --progress-file FILE`` in child
processes (so code that loops, crashes or calls ``sys.exit`` cannot take the command
down). Several groups of katas run side by side, one process each; each group's
outcome is handed back as soon as its process ends, and every test's start and end is
passed to a callback as it happens, so the learner sees progress and a first timeout
at once. Each process also loads the kit's plugin :mod:`kit.learner.reach`
(``-p kit.learner.reach --reach-file FILE``), which measures the files of the package
each kata's tests reach: the run hands them back with the outcomes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from katas import catalogue
from katas.catalogue import KIT_ROOT
from kit.grading.grade import SPEC_INI

from . import warm, workspace

#: Seconds one spec test may run before it fails as "timed out": far above what a correct
#: implementation needs (the slowest reference test takes about two seconds), short enough
#: that an infinite loop is named quickly. A loop costs this once per run: the function
#: that looped is not called again (spec_tests/timelimit.py).
DEFAULT_TIMEOUT = 30.0

#: Spec processes side by side for a status run (one per core of a small machine).
PROCESSES = 2

#: Set by :func:`keep_warm`: spec runs are then forks of a warm server (:mod:`kit.learner.warm`).
_SERVER: dict[str, Any] = {}


def keep_warm() -> None:
    """From now on start every spec run as a fork of a warm server (``kata watch``: many checks, one start).

    Nothing changes where there is no forkserver (Windows): runs stay cold processes.
    """
    _SERVER["context"] = warm.server()


#: A spec test's event, as the spec's report writes it (``spec_tests/report.py``'s ``Progress``).
Event = dict[str, object]


@dataclass
class KataOutcome:
    """One kata's share of a spec run."""

    kata: catalogue.Kata
    passed: int = 0
    total: int = 0
    failures: list[dict[str, object]] = field(default_factory=list)
    own_passed: int = 0  # passing tests of the learner's code (not of code the kit gives)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.passed == self.total

    @property
    def started(self) -> bool:
        """Some test of the learner's own code passes: the kata is being worked on."""
        return self.own_passed > 0


@dataclass
class SpecRun:
    """The outcome of one spec process: per kata, and anything that stopped the run itself."""

    implementation: str
    outcomes: dict[int, KataOutcome]
    problems: list[str]
    #: Per kata, the files of the package (relative to its folder) its tests reached, as measured by
    #: :mod:`kit.learner.reach`; a kata is missing when it was not measured.
    reach: dict[int, list[str]] = field(default_factory=dict)
    #: What pytest printed (with ``detail``, its full tracebacks).
    output: str = ""


def run_groups(
    impl: str,
    groups: list[list[int]],
    timeout: float = DEFAULT_TIMEOUT,
    profile: str = "dev",
    on_event: Callable[[Event], None] | None = None,
    detail: bool = False,
) -> Iterator[SpecRun]:
    """Run each group of katas in its own pytest process, all at once; yield each run as it ends.

    ``on_event`` receives every progress event of every process while they run; with ``detail``
    each run's output holds pytest's full tracebacks (the spec's ``--detail``).
    """
    with tempfile.TemporaryDirectory(prefix="kata-") as tmp:
        running = {
            i: _start(impl, group, timeout, profile, Path(tmp) / f"run-{i}", detail)
            for i, group in enumerate(groups)
            if group
        }
        offsets = dict.fromkeys(running, 0)
        while running:
            for i, (child, folder) in list(running.items()):
                ended = child.poll() is not None  # asked first: every event it wrote is then on disk
                offsets[i] = _read_events(folder / "progress.jsonl", offsets[i], on_event)
                if ended:
                    del running[i]
                    yield _results_of(child, folder)
            time.sleep(0.05)


def run_spec(
    impl: str, katas: list[int] | None = None, timeout: float = DEFAULT_TIMEOUT, profile: str = "dev"
) -> SpecRun:
    """Every ready kata (or ``katas``) against ``impl``, split between :data:`PROCESSES` processes; one run."""
    chosen = katas or [kata.number for kata in catalogue.load() if kata.ready]
    return merge(impl, run_groups(impl, [chosen[i::PROCESSES] for i in range(PROCESSES)], timeout, profile))


def merge(impl: str, runs: Iterator[SpecRun] | list[SpecRun]) -> SpecRun:
    """Several runs as one."""
    outcomes: dict[int, KataOutcome] = {}
    problems: set[str] = set()
    reach: dict[int, list[str]] = {}
    for run in runs:
        outcomes.update(run.outcomes)
        problems.update(run.problems)
        reach.update(run.reach)
    return SpecRun(impl, dict(sorted(outcomes.items())), sorted(problems), dict(sorted(reach.items())))


def _start(
    impl: str, katas: list[int], timeout: float, profile: str, folder: Path, detail: bool = False
) -> tuple[subprocess.Popen | warm.Forked, Path]:
    folder.mkdir()
    # Only these katas' spec modules: collecting the others cost a learner about 0.2 s a check. The whole
    # folder when a kata has none (its kata then shows 0 tests, as before).
    modules = [catalogue.by_number(number).spec_files() for number in katas]
    where = [str(path) for found in modules for path in found] if all(modules) else [str(KIT_ROOT / "spec_tests")]
    arguments = [
        *where,
        "--impl",
        impl,
        "--results-json",
        str(folder / "results.json"),
        "--progress-file",
        str(folder / "progress.jsonl"),
        "--hypothesis-profile",
        profile,
        f"--time-limit={timeout:g}",
        "-c",
        str(KIT_ROOT / SPEC_INI),  # the spec's settings, in a clone and installed alike
        "--rootdir",
        str(KIT_ROOT),
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "kit.learner.reach",  # what each kata's tests reach, for the fingerprints (kit/learner/reach.py)
        "--reach-file",
        str(folder / "reach.json"),
        *(arg for number in katas for arg in ("--kata", str(number))),
        *(["--detail"] if detail else []),
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    # Started in the workspace when there is one: pytest puts its folder first on the import path, and an
    # editable install's clone there would shadow the workspace's student/ with its own.
    here = str(workspace.find() or KIT_ROOT)
    context = _SERVER.get("context")
    if context is not None:
        output = str(folder / "output.txt")
        process = context.Process(target=warm.pytest_in_fork, args=(arguments, env, here, output, output))
        process.start()
        return warm.Forked(process), folder
    with open(folder / "output.txt", "w", encoding="utf-8") as output:
        command = [sys.executable, "-m", "pytest", *arguments]
        child = subprocess.Popen(command, cwd=here, env=env, stdout=output, stderr=subprocess.STDOUT)
    return child, folder


def _read_events(path: Path, offset: int, on_event: Callable[[Event], None] | None) -> int:
    """Pass the complete lines of ``path`` after ``offset`` to ``on_event``; return the new offset."""
    if on_event is None or not path.is_file():
        return offset
    with open(path, "rb") as file:
        file.seek(offset)
        chunk = file.read()
    complete = chunk[: chunk.rfind(b"\n") + 1]
    for line in complete.splitlines():
        on_event(json.loads(line))
    return offset + len(complete)


def _results_of(child: subprocess.Popen | warm.Forked, folder: Path) -> SpecRun:
    """Read one finished spec process's results file (RuntimeError if it stopped before writing it)."""
    results = folder / "results.json"
    if not results.is_file():
        tail = (folder / "output.txt").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
        raise RuntimeError(f"the spec run stopped before reporting (exit {child.returncode}):\n" + "\n".join(tail))
    data = json.loads(results.read_text(encoding="utf-8"))
    outcomes = {
        kata.number: KataOutcome(kata, **data["katas"][kata.marker])
        for kata in catalogue.load()
        if kata.marker in data["katas"]
    }
    output = (folder / "output.txt").read_text(encoding="utf-8", errors="replace")
    return SpecRun(
        data["implementation"],
        outcomes,
        sorted(set(data["collection_errors"])),
        _reach_of(folder / "reach.json"),
        output,
    )


def _reach_of(path: Path) -> dict[int, list[str]]:
    """Per kata, the package files its tests reached, from the plugin's file (:mod:`kit.learner.reach`).

    Empty when there is none, or when the spec process found the package in another folder than this
    process does: relative paths are only good in the folder they are relative to.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    here = package_folder(data["package"])
    if here is None or here.resolve() != Path(data["folder"]).resolve():
        return {}
    return {kata.number: list(data["katas"][kata.marker]) for kata in catalogue.load() if kata.marker in data["katas"]}


def package_folder(impl: str) -> Path | None:
    """Where the package ``impl`` lives, without importing it (``None`` if it cannot be found)."""
    try:
        spec = importlib.util.find_spec(impl)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
