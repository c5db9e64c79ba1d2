"""Run the spec in a subprocess against an implementation package, as a learner or CI would."""

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


def run_spec(
    impl: str | None,
    *args: str,
    path: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    spec: str | None = "spec_tests",
) -> subprocess.CompletedProcess[str]:
    """``pytest spec_tests --impl IMPL ARGS`` with ``path`` first on PYTHONPATH; ci profile, no colour.

    With ``impl=None`` no ``--impl`` is passed (``SPEC_IMPL`` in ``env`` or the default applies).
    With ``spec=None`` the whole folder is not named: ``args`` name the tests (node ids) to run.
    """
    dropped = ("SPEC_IMPL", "FORCE_COLOR", "PY_COLORS")
    environ = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PYTEST_")}
    environ.update(NO_COLOR="1", SPEC_PROFILE="ci", COLUMNS="120", **(env or {}))
    put_first_on_path(environ, path)
    chosen = ["--impl", impl] if impl is not None else []
    command = [sys.executable, "-m", "pytest", *([str(ROOT / spec)] if spec else []), *chosen, *args]
    return subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=timeout, check=False)


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
        conftest = folder / "spec_tests" / "conftest.py"
        text = conftest.read_text(encoding="utf-8")
        for profile, examples in (("ci", 200), ("dev", 50)):
            line = f'settings.register_profile("{profile}", max_examples={examples},'
            assert text.count(line) == 1, f"the spec's {profile} profile is no longer registered as copy_kit expects"
            text = text.replace(line, line.replace(str(examples), str(LIGHT_EXAMPLES)))
        conftest.write_text(text, encoding="utf-8")
    return folder
