"""``kata grade``: the verdict is made in a process that never runs the submission (the split).

Each hostile submission here is a copy of the reference with a wrong addition (kata 01 then
scores what that bug earns) plus an attack that, run next to the spec, could raise the score (each did, before the
split): reaching the spec's frames by names built at run time, changing the spec's helpers'
defaults, Hypothesis's settings or NumPy's internals, returning floats that say they equal anything.
Each is graded in both isolations and must score exactly what the bug alone scores. An honest
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


def score(results: dict) -> tuple[int, int]:
    kata = only_kata(results)
    return kata["passed"], kata["total"]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, int]]:
    """What the wrong addition alone scores on kata 01, split, in each isolation."""
    found = {}
    for mode in [isolation.NAMESPACES, isolation.IN_PROCESS] if isolation.bwrap() else [isolation.IN_PROCESS]:
        folder = hostile.build(hostile.WRONG_ADD, tmp_path_factory.mktemp(f"baseline-{mode}"))
        found[mode] = score(graded(folder, *SMALL, "--isolation", mode, seconds=240))
    return found


@BOTH
@pytest.mark.parametrize("attack", hostile.VERDICT, ids=[attack.name for attack in hostile.VERDICT])
def test_an_attack_on_the_verdict_from_the_worker_changes_nothing(
    attack: Hostile, mode: str, tmp_path: Path, baseline: dict[str, tuple[int, int]]
) -> None:
    results = graded(hostile.build(attack, tmp_path), *SMALL, "--isolation", mode, seconds=240)
    passed, total = score(results)
    assert (passed, total) == baseline[mode], f"{attack.name}: {passed}/{total}, the bug alone {baseline[mode]}"
    assert 0 < passed < total


@BOTH
def test_honest_code_that_the_static_check_dislikes_scores_what_it_earns_with_a_note(mode: str, tmp_path: Path) -> None:
    results = graded(hostile.build(hostile.USES_VARS, tmp_path), *SMALL, "--isolation", mode, seconds=240)
    passed, total = score(results)
    assert passed == total
    assert any(note.startswith("advice: the static check found") and "vars" in note for note in results["notes"])


@BOTH
def test_a_host_file_never_reaches_a_message(mode: str, tmp_path: Path) -> None:
    """The worker reads ``/etc/shadow`` into its error: it runs as an unprivileged user, so it cannot."""
    results = graded(hostile.build(hostile.READS_SHADOW, tmp_path), *SMALL, "--isolation", mode, seconds=240)
    text = json.dumps(results)
    shadow = Path("/etc/shadow")
    secret = shadow.read_text(encoding="utf-8") if shadow.exists() and shadow.stat().st_mode & 0o004 == 0 else ""
    first = next((line for line in secret.splitlines() if line.strip()), "")
    assert "PermissionError" in text or not secret, "the worker could read /etc/shadow"
    assert not first or first not in text


def test_a_compiled_module_is_refused(tmp_path: Path) -> None:
    folder = hostile.build(hostile.WRONG_ADD, tmp_path)
    (folder / "fast.so").write_bytes(b"\x7fELF")
    results = graded(folder, *SMALL, "--isolation", isolation.IN_PROCESS, seconds=120)
    kata = only_kata(results)
    assert kata["passed"] == 0
    assert "compiled module" in kata["problem"]


def test_the_reference_scores_full_marks_on_a_kata_of_each_kind(tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(KIT_ROOT / "reference", folder, ignore=shutil.ignore_patterns("__pycache__"))
    results = graded(folder, "--kata", "1", "--kata", "11", "--kata", "13", seconds=300, kit_root=kit())
    assert [k["passed"] == k["total"] for k in results["katas"]] == [True, True, True]
    assert any(note.startswith("split: the spec judged in its own process") for note in results["notes"])


def test_kata_check_says_what_kata_grade_would_hold_against_the_package(tmp_path: Path) -> None:
    from rich.console import Console

    from kit.learner.cli import warn_before_grading

    folder = hostile.build(hostile.USES_VARS, tmp_path)
    (folder / "fast.so").write_bytes(b"\x7fELF")
    out = Console(record=True, width=200)
    warn_before_grading(out, folder)
    text = out.export_text()
    assert "kata grade will refuse this package" in text
    assert "fast.so" in text
    assert "kata grade shows your instructor this place (no points lost)" in text
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
    results = graded(folder, *SMALL, "--isolation", isolation.IN_PROCESS, seconds=240)
    assert only_kata(results)["total"] > 0
    assert processes_naming(token) == [], "an orphan of the submission outlived its grading"


def test_the_whole_grading_has_a_time_limit(tmp_path: Path) -> None:
    """--total-timeout: a kata still running then is cut, and one not started is not graded; the grade arrives."""
    add = '        return Value(self.data + other.data, (self, other), "+")'
    slow = Hostile("slow-add", "autograd/value.py", add, "        __import__('time').sleep(2)\n" + add)
    folder = hostile.build(slow, tmp_path)  # kata 01 alone takes minutes: 2 s for each addition
    args = ("--kata", "1", "--kata", "2", "--timeout", "60", "--jobs", "1", "--total-timeout", "25")
    results = graded(folder, *args, "--isolation", isolation.IN_PROCESS, seconds=90)
    first, second = results["katas"]
    assert first["problem"].startswith("cut at the grading's time limit (--total-timeout: 25 s in all) during ")
    assert second["problem"].startswith("not graded: the grading's time limit (--total-timeout) ran out")
    assert results["limits"]["total_seconds"] == 25
