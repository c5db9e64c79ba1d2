"""Spec runs as forks of a warm process: a second less to wait for each check that ``kata watch`` runs.

A cold ``python -m pytest spec_tests …`` spends about half a second of its start importing pytest,
Hypothesis, NumPy and the spec's helpers. ``kata watch`` checks again every time a file changes, so
it starts, once, a multiprocessing *forkserver*: a clean, single-threaded process that imports those
modules and nothing else, and each check is a fresh fork of it that runs pytest. Each fork is a new
process, as a cold run is, with the same environment, folder, import path and output file; what a
run does never reaches the server or the next run.

The learner's package is never imported by the server, only in the forks, so every check sees the
files as they are now. Nor are the spec's test modules and ``conftest.py``: pytest imports them in
each run and rewrites their asserts, as in a cold run. (The kit's own files are read once, when the
watch starts: after updating the kit, start ``kata watch`` again.) Where there is no forkserver
(Windows), :func:`server` returns ``None`` and every run is a cold process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.context import BaseContext
from typing import Any

from katas.catalogue import KIT_ROOT

#: What the server imports: what a spec run imports before its first test, but the spec's test modules and
#: conftest.py. ``spec_tests`` first: it sets the BLAS thread count before NumPy is imported.
PRELOAD = [
    "spec_tests",
    "pytest",
    "hypothesis",
    "numpy",
    *(
        f"spec_tests.{path.stem}"
        for path in sorted((KIT_ROOT / "spec_tests").glob("*.py"))
        if not path.stem.startswith("test_") and path.stem not in ("conftest", "__init__")
    ),
]


def server() -> BaseContext | None:
    """The forkserver context whose server preloads :data:`PRELOAD` (started at its first fork), or ``None``."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def pytest_in_fork(arguments: list[str], environ: dict[str, str], cwd: str, stdout: str, stderr: str) -> None:
    """In the fork: ``python -m pytest ARGUMENTS`` as started in ``cwd`` with ``environ`` would run, its output
    in the files ``stdout`` and ``stderr`` (they may be one file); ends the process with pytest's exit code."""
    import pytest

    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)
    sys.path[:0] = [cwd, *filter(None, environ.get("PYTHONPATH", "").split(os.pathsep))]
    out = os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = out if stderr == stdout else os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - fd 1 outlives this function
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - and so does fd 2
    # The server imported Hypothesis (a pytest plugin) before pytest could mark it for assertion rewriting;
    # pytest warns of that in every run. The spec's own asserts are rewritten as in a cold run.
    code = pytest.main(["-W", "ignore::pytest.PytestAssertRewriteWarning", *arguments])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


class Forked:
    """A forked run seen through what the ``kata`` command asks of a ``subprocess.Popen``: ``poll`` and
    ``returncode``."""

    def __init__(self, process: Any) -> None:
        self.process = process

    def poll(self) -> int | None:
        return self.process.exitcode

    @property
    def returncode(self) -> int | None:
        return self.process.exitcode
