"""The ``kata`` command, driven through a subprocess as a learner would run it.

Implementations: the skeleton (``student``), the ``reference``, a partly solved package
built here (katas 01–03 done, half of kata 04's functions written), the NumPy track's
learner (katas 13–15 only) and copies of the reference with one thing broken.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from katas import catalogue
from kit.authoring import skeleton
from tests.run_once import run_once
from tests.spec_runner import ROOT, copy_package, light_kit, put_first_on_path

kit = light_kit  # the light copy: 10 examples a property (see copy_kit)


def kata(*args: str, path: Path | None = None, state: Path, stdin: str = "", timeout: float = 300):
    """``python -m kit.learner.cli ARGS`` with its state in ``state``, no colour, ``path`` first on PYTHONPATH."""
    command = [sys.executable, "-m", "kit.learner.cli", *args]
    env = kata_env(path, state)
    return subprocess.run(
        command, cwd=path or kit(), env=env, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )


def kata_env(path: Path | None, state: Path) -> dict[str, str]:
    """The environment of a ``kata`` run: no colour, its state in ``state``, ``path`` then the kit on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")}
    env.update(NO_COLOR="1", KATA_STATE=str(state))
    put_first_on_path(env, kit())
    put_first_on_path(env, path)
    return env


def half_of_kata_4() -> set[str]:
    names = catalogue.by_number(4).names
    return set(names[len(names) // 2 :])


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state.json"


@pytest.fixture(scope="module")
def partial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package ``partial``: katas 01–03 solved, kata 04 half solved, the rest as in the skeleton."""
    parent = tmp_path_factory.mktemp("partial")
    unwritten = half_of_kata_4()
    files = skeleton.generate(stub=lambda body: body.kata > 4 or (body.kata == 4 and body.qualname in unwritten))
    for rel, text in files.items():
        target = parent / "partial" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return parent


def table_row(out: str, number: int) -> str:
    return next(line for line in out.splitlines() if re.match(rf"\W*{number:02d} ", line.strip("│ ") + " "))


class Recorded(NamedTuple):
    """A ``kata`` run made once for the session (:mod:`tests.run_once`): what it printed, the state it
    recorded (tests copy it before they change it), and its folder (which holds the package it ran on)."""

    done: subprocess.CompletedProcess[str]
    state: Path
    folder: Path


def recorded_run(
    factory: pytest.TempPathFactory, name: str, *args: str, package: Path | None = None, renamed: str = ""
) -> Recorded:
    """``kata ARGS`` from a fresh state, run once per session; with ``package``, on a copy of that package
    folder (named ``renamed`` if given) in the run's own folder, first on the import path."""

    def make(folder: Path) -> subprocess.CompletedProcess[str]:
        if package is not None:
            copy_package(package, folder, renamed or package.name)
        return kata(*args, path=folder if package else None, state=folder / "state.json", timeout=900)

    done, folder = run_once(factory, name, make)
    return Recorded(done, folder / "state.json", folder)


@pytest.fixture
def skeleton_status(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """``kata status`` on the skeleton from a fresh state."""
    return recorded_run(tmp_path_factory, "skeleton-status", "status")


@pytest.fixture
def reference_status(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """``kata status`` on a copy of the reference named ``recorded``, from a fresh state (every kata runs)."""
    args = ("status", "--impl", "recorded")
    return recorded_run(tmp_path_factory, "reference", *args, package=ROOT / "reference", renamed="recorded")


@pytest.fixture
def partial_status(partial: Path, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """``kata status`` on the partly solved package from a fresh state."""
    return recorded_run(tmp_path_factory, "partial-status", "status", "--impl", "partial", package=partial / "partial")


def state_copy(recorded: Path, state: Path) -> Path:
    """A test's own copy of a state file a fixture recorded (the test may change it)."""
    shutil.copy2(recorded, state)
    return state


def test_status_on_the_skeleton_shows_every_kata_with_nothing_passing(
    skeleton_status: Recorded,
) -> None:
    result = skeleton_status.done
    assert result.returncode == 0, result.stderr
    for k in catalogue.load():
        row = table_row(result.stdout, k.number)
        assert k.title in row
        assert ("planned" in row) != k.ready, row
        if k.ready:
            passed, total = map(int, re.search(r"(\d+)/(\d+)", row).groups())
            assert passed < total, row  # only tests of given code (marked given) can pass on the skeleton
    assert re.search(r"\b0/\d+", table_row(result.stdout, 1))
    assert "Current: kata 01 · Values: forward arithmetic — read katas/01-values/README.md" in result.stdout
    assert "Next: kata check" in result.stdout


def test_no_argument_is_status(skeleton_status: Recorded, state: Path) -> None:
    state_copy(skeleton_status.state, state)  # both answer from the same records
    result = kata(state=state)
    assert "Current: kata 01" in result.stdout
    assert result.stdout == kata("status", state=state).stdout


@pytest.mark.slow
def test_status_on_the_reference_marks_every_ready_kata_complete(
    reference_status: Recorded,
) -> None:
    result = reference_status.done  # every kata runs: slow on a busy machine
    for k in catalogue.load():
        if k.ready:
            assert "✓" in table_row(result.stdout, k.number)
    assert "Every kata passes" in result.stdout


def test_status_on_a_partly_solved_package_points_at_the_first_unfinished_kata(
    partial_status: Recorded,
) -> None:
    result = partial_status.done
    for number in (1, 2, 3):
        assert "✓" in table_row(result.stdout, number)
    if catalogue.by_number(4).ready:
        row = table_row(result.stdout, 4)
        passed, total = map(int, re.search(r"(\d+)/(\d+)", row).groups())
        assert 0 < passed < total or passed == 0, row
        assert "Current: kata 04" in result.stdout


@pytest.mark.slow
def test_check_without_a_number_checks_the_current_kata(partial: Path, state: Path) -> None:
    result = kata("check", "--impl", "partial", path=partial, state=state)
    if catalogue.by_number(4).ready:
        assert result.returncode == 1
        assert re.search(r"kata 04 · .* — \d+/\d+ passing", result.stdout), result.stdout[-2000:]
        waiting = set(re.findall(r"not written yet: (\S+) \(kata 04", result.stdout))
        assert waiting, result.stdout[-2000:]
        assert waiting <= half_of_kata_4(), "only the unwritten half is reported as not written"
        assert "stuck? kata hint 4" in result.stdout


def test_a_passing_kata_says_what_was_built_and_what_comes_next(partial: Path, state: Path) -> None:
    result = kata("check", "3", "--impl", "partial", path=partial, state=state)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "✓ kata 03" in result.stdout
    assert f"You built {catalogue.by_number(3).built}." in result.stdout
    assert "Next: kata 04 · " in result.stdout


@pytest.mark.slow
def test_a_broken_earlier_kata_is_named_as_a_regression(partial: Path, tmp_path: Path, state: Path) -> None:
    copy_package(partial / "partial", tmp_path, "regressed")
    assert kata("check", "2", "--impl", "regressed", path=tmp_path, state=state).returncode == 0  # remembered
    assert kata("check", "3", "--impl", "regressed", path=tmp_path, state=state).returncode == 0
    graph = tmp_path / "regressed" / "autograd" / "graph.py"  # to_dot forgets the gradients: kata 02 only
    graph.write_text(graph.read_text(encoding="utf-8").replace(', f"grad {node.grad:.4f}"]', "]"))
    result = kata("check", "3", "--impl", "regressed", path=tmp_path, state=state)
    assert result.returncode == 1
    assert "regression: kata 02 · Backprop" in result.stdout
    assert "(it passed on an earlier check)" in result.stdout
    assert "A change broke kata 02" in result.stdout
    assert "✓ kata 03" in result.stdout


@pytest.mark.slow
def test_check_runs_the_kata_first_and_rechecks_only_earlier_katas_whose_files_changed(
    partial: Path, tmp_path: Path, state: Path
) -> None:
    package = copy_package(partial / "partial", tmp_path, "edited")
    for number in (1, 2, 3):
        assert kata("check", str(number), "--impl", "edited", path=tmp_path, state=state).returncode == 0
    unchanged = kata("check", "3", "--impl", "edited", path=tmp_path, state=state).stdout
    assert "✓ kata 03" in unchanged
    assert "re-check" not in unchanged, "nothing changed: no earlier kata runs again"
    module = package / "nn" / "module.py"  # a kata 04 file: no test of katas 01–03 reaches nn/ (kit/learner/reach.py)
    module.write_text(module.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "re-check" not in kata("check", "3", "--impl", "edited", path=tmp_path, state=state).stdout
    graph = package / "autograd" / "graph.py"  # value.py imports it: the tests of katas 01 and 02 reach it
    graph.write_text(graph.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    edited = kata("check", "3", "--impl", "edited", path=tmp_path, state=state)
    assert edited.returncode == 0
    assert edited.stdout.index("✓ kata 03") < edited.stdout.index("re-checking 2 earlier kata(s)"), edited.stdout
    assert "earlier katas re-checked, passing: 01, 02" in edited.stdout
    everything = kata("check", "3", "--all", "--impl", "edited", path=tmp_path, state=state).stdout
    assert "earlier katas re-checked, passing: 01, 02" in everything


@pytest.mark.slow
def test_status_answers_from_recorded_results_for_unchanged_files(reference_status: Recorded, state: Path) -> None:
    recorded, parent = reference_status.state, reference_status.folder
    records = json.loads(recorded.read_text(encoding="utf-8"))["impls"]["recorded"]["records"]
    for number in ("1", "6"):  # a made-up count: only a status that reads the records can show it
        records[number]["passed"] = 7
    state.write_text(json.dumps({"impls": {"recorded": {"records": records, "start": 1}}}), encoding="utf-8")
    assert "7/" in table_row(kata("status", "--impl", "recorded", path=parent, state=state).stdout, 6)
    loss = parent / "recorded" / "nn" / "loss.py"  # the katas whose tests reach it (06 …) run again, 01 does not
    original = loss.read_text(encoding="utf-8")
    try:
        loss.write_text(original + "\n", encoding="utf-8")
        out = kata("status", "--impl", "recorded", path=parent, state=state, timeout=900).stdout
    finally:
        loss.write_text(original, encoding="utf-8")  # the fixture's copy, as the other tests of its group find it
    assert re.search(r"\b7/\d+", table_row(out, 1)), table_row(out, 1)
    assert "✓" in table_row(out, 6), table_row(out, 6)


@pytest.mark.slow
def test_a_learner_who_starts_at_kata_13_sees_no_regressions_and_honest_exit_codes(tmp_path: Path, state: Path) -> None:
    """Katas 01–12 unwritten, 13–15 solved, 16 unwritten: the NumPy track's learner."""
    files = skeleton.generate(stub=lambda body: body.kata < 13 or body.kata == 16)
    for rel, text in files.items():
        (tmp_path / "numpy_track" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "numpy_track" / rel).write_text(text, encoding="utf-8")
    first = kata("check", "13", "--impl", "numpy_track", path=tmp_path, state=state)
    assert first.returncode == 0, first.stdout[-2000:]
    assert "✓ kata 13" in first.stdout
    assert "regression" not in first.stdout
    second = kata("check", "14", "--impl", "numpy_track", path=tmp_path, state=state)
    assert second.returncode == 0, second.stdout[-2000:]
    assert "regression" not in second.stdout
    following = kata("check", "--impl", "numpy_track", path=tmp_path, state=state)
    assert following.returncode == 1, "kata 16 is not written: what was checked does not pass"
    assert re.search(r"kata 16 · .* — \d+/\d+ passing", following.stdout), "the current kata follows the learner"
    assert "regression" not in following.stdout
    assert "kata 01" not in following.stdout
    assert "Current: kata 16" in kata("status", "--impl", "numpy_track", path=tmp_path, state=state).stdout
    listing = kata("list", "--impl", "numpy_track", path=tmp_path, state=state).stdout
    assert "done" in table_row(listing, 15)
    assert "not started" in table_row(listing, 1)


def test_kata_start_moves_the_current_kata(state: Path) -> None:
    started = kata("start", "13", state=state)
    assert started.returncode == 0
    assert "Starting at kata 13" in started.stdout
    checked = kata("check", state=state)
    assert checked.returncode == 1
    assert re.search(r"kata 13 · .* — \d+/\d+ passing", checked.stdout), checked.stdout[-2000:]
    assert "kata 01" not in checked.stdout


def test_list_shows_done_in_progress_and_not_started(partial_status: Recorded, state: Path) -> None:
    state_copy(partial_status.state, state)  # its records are of the copy in the run's folder
    out = kata("list", "--impl", "partial", path=partial_status.folder, state=state).stdout
    assert "done" in table_row(out, 3)
    assert "in progress" in table_row(out, 4)
    assert "not started" in table_row(out, 5)


def test_progress_is_shown_on_a_terminal_while_the_spec_runs(state: Path) -> None:
    env = {**kata_env(None, state), "FORCE_COLOR": "1", "COLUMNS": "120"}
    env.pop("NO_COLOR")
    command = [sys.executable, "-m", "kit.learner.cli", "check", "1", "--impl", "reference"]
    shown = subprocess.run(command, cwd=kit(), env=env, capture_output=True, text=True, timeout=300, check=False)
    assert "running the spec" in shown.stdout or " s of 30)" in shown.stdout, shown.stdout[-2000:]
    plain = kata("check", "1", "--impl", "reference", state=state).stdout
    assert "running the spec" not in plain
    assert " s of 30)" not in plain


def test_a_failure_shows_the_property_input_values_table_file_and_reproduction(tmp_path: Path, state: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "mulbug")
    value = package / "autograd" / "value.py"
    value.write_text(value.read_text(encoding="utf-8").replace("return (b.data, a.data)", "return (a.data, b.data)"))
    out = kata("check", "2", "--impl", "mulbug", path=tmp_path, state=state).stdout
    block = out[out.index("✗ ∂(a·b)/∂a = b and ∂(a·b)/∂b = a.") :]
    assert "smallest failing input: x=" in block
    assert re.search(r"expected .*, got .* \(relative error", block)
    assert re.search(r"x0\s+\S+\s+\S+\s+✗ differs", block), block[:800]
    assert "look at: mulbug/autograd/value.py" in block
    line = re.search(r"reproduce: (.*)", block).group(1)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    again = subprocess.run([sys.executable, "-c", line], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 1
    assert "GradientMismatchError: ∂f/∂x0" in again.stderr


def test_an_infinite_loop_times_out_names_the_function_and_the_run_goes_on(tmp_path: Path, state: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "loopy")
    graph = package / "autograd" / "graph.py"
    loop = "    order: list[Value] = []\n    while root._op == '*':\n        pass\n"
    graph.write_text(graph.read_text(encoding="utf-8").replace("    order: list[Value] = []\n", loop, 1))
    result = kata("check", "2", "--impl", "loopy", "--timeout", "1", path=tmp_path, state=state, timeout=600)
    assert "timed out after 1 s — is there an infinite loop in topological_order?" in result.stdout
    assert "look at: loopy/autograd/graph.py:" in result.stdout
    passing = re.search(r"kata 02 · .* — (\d+)/(\d+) passing", result.stdout)
    assert passing, result.stdout[-2000:]
    assert int(passing.group(1)) > 0, "the other tests still ran"
    blocks = re.findall(
        r"^ +timed out after 1 s — is there an infinite loop in topological_order\?", result.stdout, re.M
    )
    assert len(blocks) == 1, "a loop costs one time limit"
    first = re.search(r"⏱ (\w+): timed out after 1 s", result.stdout)
    assert first, result.stdout[-2000:]
    assert result.stdout.index(first.group(0)) < passing.start(), "the timeout is shown while the run goes on"
    assert f"not run: topological_order timed out in test {first.group(1)}" in result.stdout


def test_look_at_names_the_function_under_check_before_the_earlier_katas_function(tmp_path: Path, state: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "unshifted")
    functional = package / "nn" / "functional.py"  # a softmax without the max shift overflows inside exp
    functional.write_text(
        functional.read_text(encoding="utf-8").replace("[(v - m).exp() for v in z]", "[v.exp() for v in z]")
    )
    out = kata("check", "6", "--impl", "unshifted", path=tmp_path, state=state).stdout
    assert re.search(
        r"look at: unshifted/nn/functional\.py:\d+ in softmax \(it called unshifted/autograd/value\.py:\d+ in exp",
        out,
    ), out[-3000:]


def test_hints_come_one_level_at_a_time_and_are_remembered(state: Path) -> None:
    first = kata("hint", "2", state=state).stdout
    assert "kata 02 · hint 1 of" in first
    assert "kata hint 2 shows hint 2" in first
    second = kata("hint", "2", state=state).stdout
    assert "kata 02 · hint 2 of" in second
    again = kata("hint", "2", "--level", "1", state=state).stdout
    assert "kata 02 · hint 1 of" in again
    third = kata("hint", "2", state=state).stdout
    assert "kata 02 · hint 3 of 3" in third
    assert "_DERIVATIVES[node._op](node)" in third, "hint text is printed verbatim, brackets included"
    past = kata("hint", "2", state=state).stdout
    assert "there is no hint 4" in past, "past the last level it says so"
    assert "hint 3 of" not in past, "past the last level it does not repeat the last hint"


def test_a_planned_or_unknown_kata_is_refused_politely(state: Path) -> None:
    unknown = kata("hint", "99", state=state)
    assert unknown.returncode == 2
    assert "there is no kata 99" in unknown.stdout


def test_list_shows_all_sixteen_katas(state: Path) -> None:
    out = kata("list", state=state).stdout
    for k in catalogue.load():
        assert k.title[:20] in table_row(out, k.number)
        assert ("not started" if k.ready else "planned") in table_row(out, k.number), "nothing checked yet"
    assert "katas/01-values/README.md" in out


def test_demo_lists_the_demos_and_refuses_an_unknown_one(state: Path) -> None:
    listing = kata("demo", state=state)
    assert listing.returncode == 0
    assert listing.stdout.startswith("demos: ")
    unknown = kata("demo", "no-such-demo", state=state)
    assert unknown.returncode == 2
    assert "there is no demo 'no-such-demo'" in unknown.stdout


def test_reset_restores_one_katas_bodies_and_keeps_a_backup(partial: Path, tmp_path: Path, state: Path) -> None:
    package = copy_package(partial / "partial", tmp_path, "resettable")
    value = package / "autograd" / "value.py"
    solved = value.read_text(encoding="utf-8")
    refused = kata("reset", "3", "--impl", "resettable", path=tmp_path, state=state, stdin="n\n")
    assert refused.returncode == 1
    assert value.read_text(encoding="utf-8") == solved
    result = kata("reset", "3", "--impl", "resettable", path=tmp_path, state=state, stdin="y\n")
    assert result.returncode == 0, result.stdout + result.stderr
    now = value.read_text(encoding="utf-8")
    assert 'raise NotImplementedError("kata 03 · Value.tanh — see katas/03-activations/README.md")' in now
    assert "return Value(math.tanh(self.data)" not in now
    assert "return (b.data, a.data)" in now, "kata 02's solution is untouched"
    backups = list(value.parent.glob("value.py.*.bak"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == solved
    check = kata("check", "3", "--impl", "resettable", path=tmp_path, state=state)
    assert "not written yet: Value.tanh (kata 03" in check.stdout
    assert check.returncode == 1
    in_kit = f"student/autograd/{backups[0].name}"  # the same name inside the kit's tree
    ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", in_kit], cwd=ROOT, check=False)
    assert ignored.returncode == 0, "git add . must not pick up the backup"
    undone = kata("reset", "3", "--undo", "--impl", "resettable", path=tmp_path, state=state)
    assert undone.returncode == 0, undone.stdout
    assert value.read_text(encoding="utf-8") == solved
    assert not list(value.parent.glob("value.py.*.bak")), "the backup put back is gone"
    assert kata("reset", "3", "--undo", "--impl", "resettable", path=tmp_path, state=state).returncode == 1
    assert kata("check", "3", "--impl", "resettable", path=tmp_path, state=state).returncode == 0


@pytest.mark.slow
def test_watch_manual_checks_again_on_enter_and_stops_at_end_of_input(state: Path) -> None:
    result = kata("watch", "--manual", "--impl", "reference", state=state, stdin="\n")
    assert result.returncode == 0
    assert result.stdout.count("kata watch · reference") == 2


def test_a_warm_check_reports_what_a_cold_check_reports(partial: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``kata watch`` runs each check as a fork of a warm server (kit/learner/warm.py): kata by kata, the same
    outcome as a cold process, the learner's package imported afresh in each fork, never by the server."""
    from kit.learner import runner, warm

    environ = dict(os.environ)
    put_first_on_path(environ, partial)
    monkeypatch.setenv("PYTHONPATH", environ["PYTHONPATH"])  # the runs inherit this process's environment

    def outcomes() -> dict[int, tuple]:
        run = runner.run_spec("partial", [3, 4], profile="ci")
        return {n: (o.passed, o.total, o.own_passed, [(f["nodeid"], f["problem"]) for f in o.failures])
                for n, o in run.outcomes.items()}  # fmt: skip

    cold = outcomes()
    monkeypatch.setitem(runner._SERVER, "context", warm.server())
    assert "partial" not in sys.modules
    assert outcomes() == cold
    assert cold[3][0] == cold[3][1] > 0, cold  # kata 03 solved
    assert cold[4][0] < cold[4][1], cold  # kata 04 half solved: failures to compare


def test_watch_takes_the_kata_to_check(state: Path) -> None:
    result = kata("watch", "3", "--manual", "--impl", "reference", state=state, stdin="\n")
    assert result.returncode == 0
    assert result.stdout.count("✓ kata 03") == 2, result.stdout[-2000:]


@pytest.mark.slow
def test_watch_checks_again_when_a_file_changes(partial: Path, tmp_path: Path, state: Path) -> None:
    """No fixed sleep for the watcher to start: the file is changed again every half second until a second check
    comes (a change made before the watcher watched is simply missed), within a deadline."""
    package = copy_package(partial / "partial", tmp_path, "watched")
    graph = package / "autograd" / "graph.py"
    env = kata_env(tmp_path, state)
    command = [sys.executable, "-m", "kit.learner.cli", "watch", "--impl", "watched"]
    with subprocess.Popen(command, cwd=kit(), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as p:
        try:
            lines = Lines(p)
            first = lines.until("(Enter checks again)", limit=120)
            assert "kata watch · watched" in first
            after_first, deadline = len(lines.read), time.monotonic() + 60
            while time.monotonic() < deadline:
                graph.write_text(graph.read_text(encoding="utf-8") + "\n", encoding="utf-8")
                if lines.until("(Enter checks again)", limit=0.5, missing_ok=True):
                    break
            again = "".join(lines.read[after_first:])
            assert "(Enter checks again)" in again, "no second check within 60 s of changing a file"
            assert "kata watch · watched" in again
        finally:
            p.kill()


class Lines:
    """A process's output lines, read by a thread, so that a wait for one can end at a deadline."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.read: list[str] = []

        def pump() -> None:
            for line in process.stdout:
                self.queue.put(line)
            self.queue.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def until(self, marker: str, limit: float, missing_ok: bool = False) -> str:
        """The lines up to one containing ``marker`` (``""`` when ``missing_ok`` and it has not come in ``limit`` s)."""
        start, deadline = len(self.read), time.monotonic() + limit
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.read.append(line)
            if marker in line:
                return "".join(self.read[start:])
        if missing_ok:
            return ""
        raise AssertionError(f"no {marker!r} in: {''.join(self.read[start:])[-2000:]}")


def test_plain_output_has_no_colour_codes(skeleton_status: Recorded) -> None:
    out = skeleton_status.done.stdout
    assert "\x1b[" not in out
