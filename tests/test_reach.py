"""What each kata's tests reach, measured (``kit/learner/reach.py``), and the fingerprints built on it.

One ``kata status`` on a copy of the reference (named ``reached``, light profile) records every
kata with the files its tests reached. Each test copies that package and that state (a reach is
relative to the package's folder, so the records hold for the copy), marks every record with a
made-up count (7 passed) that only a kata run again can replace, changes a file, and runs
``kata status``: the rows still at 7 are the katas that were not run again.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from katas import catalogue
from kit.learner import runner, warm
from tests.spec_runner import ROOT, copy_package, light_kit, put_first_on_path
from tests.test_cli import Recorded, kata, kata_env, recorded_run, table_row

NAME = "reached"
READY = [k.number for k in catalogue.load() if k.ready]
FAKE = 7  # a made-up count of passing tests: a kata run again shows its real one


@pytest.fixture
def reached_status(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """``kata status`` on a copy of the reference named ``reached``, from a fresh state (every kata runs)."""
    return recorded_run(tmp_path_factory, "reach", "status", "--impl", NAME, package=ROOT / "reference", renamed=NAME)


def records_of(state: Path) -> dict[int, dict]:
    return {int(n): r for n, r in json.loads(state.read_text(encoding="utf-8"))["impls"][NAME]["records"].items()}


def prepared(recorded: Recorded, tmp_path: Path, old_records: bool = False) -> tuple[Path, Path]:
    """A copy of the recorded package in ``tmp_path`` and a state whose records all show :data:`FAKE` passed.

    ``old_records``: records as an older kit wrote them, with no reach and the older guess's fingerprint.
    """
    package = copy_package(recorded.folder / NAME, tmp_path, NAME)
    records = records_of(recorded.state)
    if old_records:
        guesses = guessed_fingerprints(tmp_path, tmp_path / "unused.json")
        for number, found in records.items():
            del found["reach"]
            found["fingerprint"] = guesses[number]
    for found in records.values():
        found["passed"] = FAKE
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"impls": {NAME: {"records": records, "start": 1}}}), encoding="utf-8")
    return package, state


def mark(state: Path) -> None:
    """Show :data:`FAKE` passed in every record of ``state`` again (the next status's re-runs replace it)."""
    data = json.loads(state.read_text(encoding="utf-8"))
    for found in data["impls"][NAME]["records"].values():
        found["passed"] = FAKE
    state.write_text(json.dumps(data), encoding="utf-8")


def guessed_fingerprints(parent: Path, state: Path) -> dict[int, str]:
    """The older guess's fingerprints of the package in ``parent``, as the light kit computes them."""
    code = (
        "import json; from kit.learner import runner, state; "
        f"print(json.dumps(state.fingerprints(runner.package_folder({NAME!r}))))"
    )
    env = kata_env(parent, state)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=light_kit(), env=env, capture_output=True, text=True, check=True
    )
    return {int(n): fingerprint for n, fingerprint in json.loads(done.stdout).items()}


def rerun(parent: Path, state: Path) -> set[int]:
    """``kata status`` on the package in ``parent``; the katas it ran again (their rows no longer show FAKE)."""
    done = kata("status", "--impl", NAME, path=parent, state=state, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return {n for n in READY if not re.search(rf"\b{FAKE}/\d+", table_row(done.stdout, n))}


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_each_kata_reaches_the_files_its_tests_load_and_no_others(reached_status: Recorded) -> None:
    assert reached_status.done.returncode == 0, reached_status.done.stdout[-2000:]
    reach = {n: set(found["reach"]) for n, found in records_of(reached_status.state).items()}
    assert set(reach) == set(READY)
    for number in (1, 2, 3):  # the autograd katas: value.py imports graph.py
        assert {"__init__.py", "autograd/__init__.py", "autograd/value.py", "autograd/graph.py"} <= reach[number]
        assert not any(rel.startswith(("nn/", "vectorized/", "data/")) for rel in reach[number]), reach[number]
    for number in (13, 14, 15, 16):  # the NumPy track never imports nn/ (nor autograd/)
        assert not any(rel.startswith(("nn/", "autograd/")) for rel in reach[number]), reach[number]
    for number in (14, 15):  # their tests load the digit sample through data/mnist.py
        assert "data/mnist.py" in reach[number], reach[number]
    assert "vectorized/two_layer.py" in reach[14]
    assert "vectorized/modules.py" in reach[15], "network.py imports it, though kata 13 imported it first"
    assert "nn/dataloader.py" in reach[9]
    assert "nn/module.py" in reach[4]


def test_an_edit_under_nn_reruns_only_the_katas_that_import_it(reached_status: Recorded, tmp_path: Path) -> None:
    package, state = prepared(reached_status, tmp_path)
    assert rerun(tmp_path, state) == set(), "nothing changed: every kata answers from its record"
    append(package / "nn" / "dataloader.py", "\n# an edit\n")  # kata 09's file: its tests alone import it
    assert rerun(tmp_path, state) == {9}
    assert "✓" in table_row(kata("status", "--impl", NAME, path=tmp_path, state=state).stdout, 9)


def test_an_edit_to_the_mnist_loader_reruns_the_katas_that_load_data_through_it(
    reached_status: Recorded, tmp_path: Path
) -> None:
    package, state = prepared(reached_status, tmp_path)
    append(package / "data" / "mnist.py", "\n# an edit\n")
    again = rerun(tmp_path, state)
    assert {14, 15, 16} <= again, again
    assert again <= {13, 14, 15, 16}, again


def test_a_module_that_was_missing_or_failed_to_import_reruns_its_kata_once_it_is_there(
    reached_status: Recorded, tmp_path: Path
) -> None:
    package, state = prepared(reached_status, tmp_path)
    network = package / "vectorized" / "network.py"
    append(network, f"\nfrom {NAME}.vectorized import helpers  # a module not written yet\n")
    assert rerun(tmp_path, state) == {15}
    assert "✓" not in table_row(kata("status", "--impl", NAME, path=tmp_path, state=state).stdout, 15)
    assert "vectorized/helpers.py" in records_of(state)[15]["reach"], "a module asked for but not found counts"
    mark(state)
    (package / "vectorized" / "helpers.py").write_text("SCALE = 1\n", encoding="utf-8")
    assert rerun(tmp_path, state) == {15}, "creating the missing module re-checks the kata that asked for it"
    fixed = kata("status", "--impl", NAME, path=tmp_path, state=state).stdout
    assert "✓" in table_row(fixed, 15), table_row(fixed, 15)


def test_a_record_of_an_older_kit_without_a_reach_keeps_the_guess_until_its_kata_runs_again(
    reached_status: Recorded, tmp_path: Path
) -> None:
    package, state = prepared(reached_status, tmp_path, old_records=True)
    assert rerun(tmp_path, state) == set(), "an older record of unchanged files is still good"
    append(package / "vectorized" / "two_layer.py", "\n# an edit\n")  # the guess: katas 14 and later
    assert rerun(tmp_path, state) == {14, 15, 16}
    records = records_of(state)
    assert "vectorized/two_layer.py" in records[14]["reach"], "run again, the kata now has its measured reach"
    assert all(records[n].get("reach") is None for n in READY if n < 14), "the others keep their older record"
    mark(state)
    append(package / "vectorized" / "two_layer.py", "\n# another edit\n")
    assert rerun(tmp_path, state) == {14}, "from then on, only what the kata's tests reach"


@pytest.mark.parametrize("how", ["cold", "warm"])
def test_a_cold_and_a_warm_spec_run_both_measure_the_reach(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Subprocesses (``kata status``, ``kata check``) and forks of the warm server (``kata watch``) load the plugin."""
    copy_package(ROOT / "reference", tmp_path, NAME)
    environ = dict(os.environ)
    put_first_on_path(environ, tmp_path)
    monkeypatch.setenv("PYTHONPATH", environ["PYTHONPATH"])  # the runs inherit this process's environment
    monkeypatch.syspath_prepend(str(tmp_path))  # and this process finds the package where they do
    if how == "warm":
        monkeypatch.setitem(runner._SERVER, "context", warm.server())
    run = runner.run_spec(NAME, [9])
    assert run.outcomes[9].complete, run.outcomes[9]
    assert "nn/dataloader.py" in run.reach[9], run.reach
    assert not any(rel.startswith(("vectorized/", "data/")) for rel in run.reach[9]), run.reach
