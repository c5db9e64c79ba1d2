"""The spec run in a fork of a warm process: the bug zoo's 150 short runs without 150 cold starts.

A cold ``python -m pytest spec_tests …`` spends about a second and a half starting Python and
importing pytest, Hypothesis, NumPy and the spec's modules before its first test; for the zoo, whose
runs mostly stop at one failing test, that start is most of the cost. Here a multiprocessing
*forkserver* (a clean, single-threaded process started once per test worker) imports all of that
once, and each run is a fresh fork of it that calls ``pytest.main`` — the same spec, the same
options, the same isolation between runs (nothing a run does reaches the server or the next run),
minus the start. Where ``fork`` is not available it falls back to :func:`tests.spec_runner.run_spec`.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from katas.catalogue import KIT_ROOT
from tests.spec_runner import run_spec

#: What the server imports before it forks: everything a spec run imports before its first test.
PRELOAD = [
    "pytest",
    "hypothesis",
    "numpy",
    *(f"spec_tests.{p.stem}" for p in sorted((KIT_ROOT / "spec_tests").glob("*.py"))),
]
_CONTEXT = (
    multiprocessing.get_context("forkserver") if "forkserver" in multiprocessing.get_all_start_methods() else None
)
if _CONTEXT is not None:
    _CONTEXT.set_forkserver_preload(PRELOAD)


def _pytest_in_child(impl: str, args: tuple[str, ...], path: str, output: str, folder: bool) -> None:
    """In the forked child: the environment ``run_spec`` gives, then ``pytest spec_tests --impl IMPL ARGS``."""
    import pytest

    for key in [k for k in os.environ if k.startswith("PYTEST_") or k in ("SPEC_IMPL", "FORCE_COLOR", "PY_COLORS")]:
        del os.environ[key]
    os.environ.update(NO_COLOR="1", SPEC_PROFILE="ci", COLUMNS="120")
    os.chdir(KIT_ROOT)
    sys.path.insert(0, path)
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - fd 1 outlives this function
    sys.stderr = sys.stdout
    code = pytest.main([*(["spec_tests"] if folder else []), "--impl", impl, *args])
    sys.stdout.flush()
    os._exit(int(code))


def run_spec_warm(
    impl: str, *args: str, path: Path, timeout: float = 300, spec: str | None = "spec_tests"
) -> subprocess.CompletedProcess[str]:
    """Like ``run_spec(impl, *args, path=path)`` (ci profile, no colour, ``path`` first on the import path).

    With ``spec=None`` the spec folder is not named: ``args`` name the tests (node ids) to run.
    Returns the exit code and the combined output (as ``stdout``). A run past ``timeout`` is killed
    and raises :class:`subprocess.TimeoutExpired`, as :func:`subprocess.run` would.
    """
    if _CONTEXT is None:
        return run_spec(impl, *args, path=path, timeout=timeout, spec=spec)
    with tempfile.TemporaryDirectory(prefix="warm-spec-") as scratch:
        output = Path(scratch) / "output.txt"
        child = _CONTEXT.Process(target=_pytest_in_child, args=(impl, args, str(path), str(output), spec is not None))
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(["pytest", "spec_tests", "--impl", impl, *args], timeout)
        text = output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""
    return subprocess.CompletedProcess(["pytest", "spec_tests", "--impl", impl, *args], child.exitcode, text, "")
