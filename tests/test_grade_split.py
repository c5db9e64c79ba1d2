"""``kata grade --split``: the verdict is made in a process that never runs the submission.

Each hostile submission here is a copy of the reference with a wrong addition (kata 01 then
scores what that bug earns) plus an attack that, run next to the spec, could raise the score:
reaching the spec's frames by names built at run time, changing the spec's helpers' defaults,
Hypothesis's settings or NumPy's internals, returning floats that say they equal anything. Split,
each is graded in both isolations and must score exactly what the bug alone scores. An honest
submission that writes ``vars(self)`` scores full marks, with the static check's finding as a note.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from katas.catalogue import KIT_ROOT
from kit.grading import isolation
from tests import hostile
from tests.hostile import Hostile
from tests.test_grade import BOTH, SMALL, graded, kit, only_kata, processes_naming

_ADD = '        return Value(self.data + other.data, (self, other), "+")'
_WRONG = '        return Value(self.data + other.data + 1.0, (self, other), "+")'


BASELINE = Hostile("wrong-add", "autograd/value.py", _ADD, _WRONG)
ATTACKS = {
    # the frames above the submission's code, walked by names built at run time, to pytest's config
    "frames-by-built-names": (
        "import sys as _s\n"
        "_f = getattr(_s, '_get' + 'frame')()\n"
        "while _f is not None:\n"
        "    _c = _f.f_locals.get('config')\n"
        "    if _c is not None and hasattr(_c, 'pluginmanager'):\n"
        "        class _Pass:\n"
        "            def pytest_runtest_logreport(self, report):\n"
        "                report.outcome = 'passed'\n"
        "        _c.pluginmanager.register(_Pass())\n"
        "    _f = getattr(_f, 'f_' + 'back')\n"
    ),
    # the spec's comparison helper made lenient through its keyword defaults
    "helper-defaults": (
        "import importlib as _il\n"
        "_o = _il.import_module('spec_' + 'tests.oracle')\n"
        "_o.assert_close.__kwdefaults__ = {'abs': 1e300, 'what': 'value'}\n"
    ),
    # Hypothesis's settings, reached through sys.__dict__
    "settings-through-sys-dict": (
        "import sys as _s\n"
        "_h = __import__('hypo' + 'thesis')\n"
        "_s.__dict__['modules']['hypothesis'].settings.register_profile('ci', max_examples=1)\n"
        "_h.settings.load_profile('ci')\n"
    ),
    # NumPy's private reduction replaced: every sum is 0
    "numpy-internals": "import numpy as _np\n_np.core._methods._sum = lambda *a, **k: 0.0\n",
}
LIAR = (
    "\n\nclass _Liar(float):\n"
    "    def __eq__(self, other):\n        return True\n\n"
    "    def __ne__(self, other):\n        return False\n\n"
    "    __hash__ = float.__hash__\n"
)


def build_attack(name: str, parent: Path) -> Path:
    """The wrong addition, and the attack ``name`` run when the package is imported."""
    folder = hostile.build(Hostile(f"attack-{name}", "autograd/value.py", _ADD, _WRONG), parent)
    init = folder / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "\n" + ATTACKS[name], encoding="utf-8")
    return folder


def score(results: dict) -> tuple[int, int]:
    kata = only_kata(results)
    return kata["passed"], kata["total"]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, int]]:
    """What the wrong addition alone scores on kata 01, split, in each isolation."""
    found = {}
    for mode in [isolation.NAMESPACES, isolation.IN_PROCESS] if isolation.bwrap() else [isolation.IN_PROCESS]:
        folder = hostile.build(BASELINE, tmp_path_factory.mktemp(f"baseline-{mode}"))
        found[mode] = score(graded(folder, *SMALL, "--split", "--isolation", mode, seconds=240))
    return found


@BOTH
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_attack_on_the_spec_from_the_worker_changes_nothing(
    attack: str, mode: str, tmp_path: Path, baseline: dict[str, tuple[int, int]]
) -> None:
    results = graded(build_attack(attack, tmp_path), *SMALL, "--split", "--isolation", mode, seconds=240)
    passed, total = score(results)
    assert (passed, total) == baseline[mode], f"{attack}: {passed}/{total}, the bug alone {baseline[mode]}"
    assert 0 < passed < total


@BOTH
def test_a_float_that_says_it_equals_anything_is_judged_by_its_number(
    mode: str, tmp_path: Path, baseline: dict[str, tuple[int, int]]
) -> None:
    liar = Hostile(
        "lying-float", "autograd/value.py", _ADD,
        '        return Value(_Liar(self.data + other.data + 1.0), (self, other), "+")', append=LIAR,
    )  # fmt: skip
    results = graded(hostile.build(liar, tmp_path), *SMALL, "--split", "--isolation", mode, seconds=240)
    assert score(results) == baseline[mode]


@BOTH
def test_honest_code_that_the_static_check_dislikes_scores_what_it_earns_with_a_note(mode: str, tmp_path: Path) -> None:
    honest = Hostile(
        "uses-vars", "autograd/value.py", "", "\n\ndef _fields(obj):\n    return vars(obj)\n"
    )  # fmt: skip
    results = graded(hostile.build(honest, tmp_path), *SMALL, "--split", "--isolation", mode, seconds=240)
    passed, total = score(results)
    assert passed == total
    assert any(note.startswith("advice: the static check found") and "vars" in note for note in results["notes"])
    guarded = graded(hostile.build(honest, tmp_path / "guarded"), *SMALL, "--isolation", mode, seconds=240)
    assert score(guarded)[0] == 0, "the guarded grade refuses it (why --split exists)"


@BOTH
def test_a_host_file_never_reaches_a_message(mode: str, tmp_path: Path) -> None:
    """The worker reads ``/etc/shadow`` into its error: it runs as an unprivileged user, so it cannot."""
    reader = Hostile(
        "reads-shadow", "autograd/value.py", _ADD,
        "        raise ValueError(open('/etc/shadow').read())\n" + _ADD,
    )  # fmt: skip
    results = graded(hostile.build(reader, tmp_path), *SMALL, "--split", "--isolation", mode, seconds=240)
    text = json.dumps(results)
    shadow = Path("/etc/shadow")
    secret = shadow.read_text(encoding="utf-8") if shadow.exists() and shadow.stat().st_mode & 0o004 == 0 else ""
    first = next((line for line in secret.splitlines() if line.strip()), "")
    assert "PermissionError" in text or not secret, "the worker could read /etc/shadow"
    assert not first or first not in text


def test_a_compiled_module_is_refused_split_too(tmp_path: Path) -> None:
    folder = hostile.build(BASELINE, tmp_path)
    (folder / "fast.so").write_bytes(b"\x7fELF")
    results = graded(folder, *SMALL, "--split", "--isolation", isolation.IN_PROCESS, seconds=120)
    kata = only_kata(results)
    assert kata["passed"] == 0
    assert "compiled module" in kata["problem"]


def test_the_reference_scores_full_marks_split(tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(KIT_ROOT / "reference", folder, ignore=shutil.ignore_patterns("__pycache__"))
    results = graded(folder, "--kata", "1", "--kata", "11", "--kata", "13", "--split", seconds=300, kit_root=kit())
    assert [k["passed"] == k["total"] for k in results["katas"]] == [True, True, True]
    assert any(note.startswith("split: the spec judged in its own process") for note in results["notes"])


def test_kata_check_says_what_kata_grade_would_hold_against_the_package(tmp_path: Path) -> None:
    from rich.console import Console

    from kit.learner.cli import warn_before_grading

    folder = hostile.build(
        Hostile("uses-vars", "autograd/value.py", "", "\n\ndef _f(o):\n    return vars(o)\n"), tmp_path
    )
    (folder / "fast.so").write_bytes(b"\x7fELF")
    out = Console(record=True, width=200)
    warn_before_grading(out, folder)
    text = out.export_text()
    assert "kata grade will refuse this package" in text
    assert "fast.so" in text
    assert "kata grade --split notes it" in text
    assert "uses vars" in text


def test_no_process_of_the_submission_outlives_its_grading_in_process(tmp_path: Path) -> None:
    """A double fork with ``setsid`` leaves the worker's session: the grader adopts it and ends it."""
    token = f"nn-katas-orphan-{os.getpid()}-{tmp_path.name}"
    escape = (
        "import os as _os, sys as _sys\n"
        "if _os.fork() == 0:\n"
        "    _os.setsid()\n"
        "    if _os.fork() == 0:\n"
        f"        _os.execv(_sys.executable, [_sys.executable, '-c', 'import time; time.sleep(120)', {token!r}])\n"
        "    _os._exit(0)\n"
    )
    folder = hostile.build(Hostile("escapes", "__init__.py", "", escape), tmp_path)
    results = graded(folder, *SMALL, "--split", "--isolation", isolation.IN_PROCESS, seconds=240)
    assert only_kata(results)["total"] > 0
    assert processes_naming(token) == [], "an orphan of the submission outlived its grading"


def test_the_whole_grading_has_a_time_limit(tmp_path: Path) -> None:
    """--total-timeout: a kata still running then is cut, and one not started is not graded; the grade arrives."""
    slow = Hostile("slow-add", "autograd/value.py", _ADD, "        __import__('time').sleep(2)\n" + _ADD)
    folder = hostile.build(slow, tmp_path)  # kata 01 alone takes minutes: 2 s for each addition
    args = ("--kata", "1", "--kata", "2", "--timeout", "60", "--jobs", "1", "--total-timeout", "25", "--split")
    results = graded(folder, *args, "--isolation", isolation.IN_PROCESS, seconds=90)
    first, second = results["katas"]
    assert first["problem"].startswith("cut at the grading's time limit (--total-timeout: 25 s in all) during ")
    assert second["problem"].startswith("not graded: the grading's time limit (--total-timeout) ran out")
    assert results["limits"]["total_seconds"] == 25


#: The hostile kinds of tests/hostile/ that act where a split run's submission runs (its worker); the rest
#: reach for the guarded child's own objects (its argv, the guard, the kit's bytecode), which a worker has not.
WORKER_KINDS = [
    hostile.LOOPS_FOREVER,
    hostile.LOOPS_AT_IMPORT,
    hostile.RAISES_AT_IMPORT,
    hostile.SYS_EXIT_AT_IMPORT,
    hostile.OS_EXIT_IN_A_TEST,
    hostile.FLOODS_STDOUT,
    hostile.FLOODS_AT_IMPORT,
    hostile.ALLOCATES_WITHOUT_BOUND,
    hostile.IMPORTS_REFERENCE,
    hostile.SKIPS_INSTEAD_OF_FAILING,
    hostile.FORKS_AND_ESCAPES,
    hostile.KILLS_THE_GRADER,
    hostile.FILLS_THE_DISK,
    hostile.RAISES_A_LONE_SURROGATE,
    hostile.RAISES_AN_UNPRINTABLE_ERROR,
    hostile.RAISES_5_MB_MESSAGES,
]


@BOTH
@pytest.mark.parametrize("kind", WORKER_KINDS, ids=[kind.name for kind in WORKER_KINDS])
def test_whatever_the_worker_does_the_grade_arrives(kind: Hostile, mode: str, tmp_path: Path) -> None:
    """Exit 0, a results file, nothing left behind, in bounded time (tests/test_grade.py's ``graded`` checks)."""
    hogs = sorted(Path("/tmp").glob("nn-katas-hostile-hog-*"))  # what FILLS_THE_DISK would write outside
    results = graded(hostile.build(kind, tmp_path), *SMALL, "--split", "--isolation", mode, seconds=120)
    kata = only_kata(results)
    assert kata["total"] > 0
    assert sorted(Path("/tmp").glob("nn-katas-hostile-hog-*")) == hogs, "the worker wrote outside its folders"
    if kind in (hostile.IMPORTS_REFERENCE, hostile.LOOPS_AT_IMPORT):
        assert kata["passed"] == 0, "the reference cannot be imported, and a loop at import runs no test"
    if kind == hostile.SKIPS_INSTEAD_OF_FAILING:  # a skip raised in the worker fails its test here
        assert kata["passed"] < kata["total"]
        assert all(failure["status"] != "skip" for failure in kata["failures"])


def test_in_process_the_worker_cannot_simply_open_the_reference(tmp_path: Path) -> None:
    reader = Hostile(
        "opens-reference", "autograd/value.py", _ADD,
        f"        open({str(kit() / 'reference' / 'autograd' / 'value.py')!r}).read()\n" + _ADD,
    )  # fmt: skip
    results = graded(hostile.build(reader, tmp_path), *SMALL, "--split", "--isolation", "in-process", seconds=120)
    kata = only_kata(results)
    assert kata["passed"] < kata["total"]
    assert any("may not read the kit's reference" in failure["message"] for failure in kata["failures"])
