"""Run the spec against an implementation package, as a learner or CI would: ``pytest spec_tests --impl NAME``.

A cold ``python -m pytest spec_tests …`` spends about a second starting Python and importing
pytest, Hypothesis, NumPy and the spec's helpers before its first test; the kit's tests run the
spec a few hundred times (the bug zoo alone 150), so on a 2-core machine that start is a good part
of their cost. :func:`run_spec` therefore runs each spec in a fresh fork of a warm process, the one
``kata watch`` uses (:mod:`kit.learner.warm`): a multiprocessing *forkserver*, started once per
test worker, that has imported those modules once. Each run is a new process with the environment,
the working folder, the import path and the exit code a cold run would have, and its own standard
output and error; nothing a run does reaches the server or the next run. The spec's test modules
and its ``conftest.py`` are not preloaded: pytest imports them in each run, assertion rewriting
included, exactly as in a cold run (Hypothesis's own asserts, imported by the server, are the one
thing not rewritten). Where ``fork`` is missing (Windows) the run is a cold subprocess.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from katas.catalogue import KIT_ROOT as ROOT
from kit.learner import warm

_WARM = warm.server()  # the kata watch's warm server (kit/learner/warm.py), one per test worker


def run_spec(
    impl: str | None,
    *args: str,
    path: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    spec: str | None = "spec_tests",
) -> subprocess.CompletedProcess[str]:
    """``pytest spec_tests --impl IMPL ARGS`` in the kit's folder, ``path`` first on the import path; ci profile,
    no colour. A run past ``timeout`` is killed and raises :class:`subprocess.TimeoutExpired`.

    With ``impl=None`` no ``--impl`` is passed (``SPEC_IMPL`` in ``env`` or the default applies).
    With ``spec=None`` the whole folder is not named: ``args`` name the tests (node ids) to run.
    """
    dropped = ("SPEC_IMPL", "FORCE_COLOR", "PY_COLORS")
    environ = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PYTEST_")}
    environ.update(NO_COLOR="1", SPEC_PROFILE="ci", COLUMNS="120", **(env or {}))
    put_first_on_path(environ, path)
    chosen = ["--impl", impl] if impl is not None else []
    arguments = [*([str(ROOT / spec)] if spec else []), *chosen, *args]
    if _WARM is None:
        command = [sys.executable, "-m", "pytest", *arguments]
        return subprocess.run(
            command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=timeout, check=False
        )
    return _run_warm(arguments, environ, timeout)


def _run_warm(arguments: list[str], environ: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    command = ["pytest", *arguments]
    with tempfile.TemporaryDirectory(prefix="warm-spec-") as scratch:
        out, err = Path(scratch) / "stdout.txt", Path(scratch) / "stderr.txt"
        child = _WARM.Process(target=warm.pytest_in_fork, args=(arguments, environ, str(ROOT), str(out), str(err)))
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(command, timeout)
        stdout, stderr = (f.read_text(encoding="utf-8", errors="replace") if f.exists() else "" for f in (out, err))
    return subprocess.CompletedProcess(command, child.exitcode, stdout, stderr)


def put_first_on_path(environ: dict[str, str], path: Path | None) -> None:
    """Put ``path`` (when given) first on ``environ``'s PYTHONPATH, keeping what was there."""
    if path is not None:
        environ["PYTHONPATH"] = os.pathsep.join([str(path), environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)


def copy_package(source: Path, parent: Path, name: str) -> Path:
    """Copy an implementation package under ``parent/name`` (no caches); returns the new folder."""
    target = parent / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


#: The examples per property of the ``ci`` and ``dev`` profiles in a light copy of the kit (the spec's: 200 and 50).
LIGHT_EXAMPLES = 10


@functools.cache
def kit_copy(light: bool = False) -> Path:
    """A private copy of the kit to grade with (see :func:`copy_kit`), made once per test process: edits to
    the working tree during a run change neither grades, nor the kit's hash, nor its version (the
    grader's and the class grader's tests share it)."""
    folder = Path(tempfile.mkdtemp(prefix="nn-katas-kit-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return copy_kit(folder, light=light)


def light_kit() -> Path:
    """The light private copy of the kit (``kit_copy(light=True)``) that the tests of the kit's tools run from."""
    return kit_copy(light=True)


def copy_kit(folder: Path, light: bool = False) -> Path:
    """The kit's graded parts (katas, spec_tests, reference, student, kit, pyproject.toml) copied into ``folder``.

    ``light=True``: the copy's ``ci`` and ``dev`` profiles run :data:`LIGHT_EXAMPLES` examples a
    property instead of 200 and 50 (``ci`` still derandomized). The tests of the kit's tools (the
    grader, the class grader, the ``kata`` command) use it where they check what a tool does with
    the spec's results (a hostile package, the formats, a class, the learner's records), not how
    hard the spec looks: ``tox -e reference`` runs the real profile on the reference, the bug zoo
    checks that the spec catches its bugs with it, and ``test_the_reference_scores_full_marks``
    grades with it.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("katas", "spec_tests", "reference", "student", "kit"):
        shutil.copytree(ROOT / name, folder / name, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", folder / "pyproject.toml")
    if light:
        lighten(folder / "spec_tests")
    return folder


def lighten(spec: Path) -> None:
    """Make the spec in folder ``spec`` (a copy's, or an installed kit's) run :data:`LIGHT_EXAMPLES` examples a
    property in its ``ci`` and ``dev`` profiles instead of 200 and 50 (``ci`` still derandomized)."""
    conftest = spec / "conftest.py"
    text = conftest.read_text(encoding="utf-8")
    for profile, examples in (("ci", 200), ("dev", 50)):
        line = f'settings.register_profile("{profile}", max_examples={examples},'
        assert text.count(line) == 1, f"the spec's {profile} profile is no longer registered as lighten expects"
        text = text.replace(line, line.replace(str(examples), str(LIGHT_EXAMPLES)))
    conftest.write_text(text, encoding="utf-8")
