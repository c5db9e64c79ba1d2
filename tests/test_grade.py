"""``kata grade``: right grades, in every format, the same every time, whatever the submission does.

The hostile submissions (tests/hostile/) are graded on kata 01 only, with small limits, and
each must be graded within a bounded time as what it is.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from katas import catalogue
from kit.grading.formats import WRITERS
from kit.grading.grade import locate
from tests import hostile
from tests.spec_runner import ROOT, copy_kit, copy_package, kit_copy, light_kit

#: Limits for the hostile runs: small, so that a hang costs seconds, not minutes.
SMALL = ("--kata", "1", "--timeout", "10", "--kata-timeout", "60", "--memory", "1024")


def modes() -> list[str]:
    """Both isolations where bubblewrap works here, else the in-process one alone."""
    from kit.grading import isolation

    return [isolation.NAMESPACES, isolation.IN_PROCESS] if isolation.bwrap() else [isolation.IN_PROCESS]


BOTH = pytest.mark.parametrize("mode", modes())


kit = light_kit  # the light copy: 10 examples a property (see copy_kit)


def processes_naming(text: str) -> list[int]:
    """The ids of running processes whose command line mentions ``text`` (Linux; elsewhere none are seen)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def kata_grade(
    *args: str, cwd: Path, timeout: float = 600, kit_root: Path | None = None, tmpdir: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """``python -m kit.learner.cli grade ARGS`` as CI runs it; returns the process and its wall-clock seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPEC_", "KATA_GRADE_"))}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kit.learner.cli", "grade", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(kit_root or kit()), **({"TMPDIR": str(tmpdir)} if tmpdir else {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done, time.monotonic() - started


def graded(folder: Path, *args: str, seconds: float, kit_root: Path | None = None) -> dict:
    """Grade the package in ``folder`` (json format); check exit 0, the time bound, and that no process
    and no file of the grading is left behind; return the results."""
    out = folder.parent / f"{folder.name}.json"
    scratch = folder.parent / f"{folder.name}-tmp"
    scratch.mkdir()
    done, took = kata_grade(
        "--path", str(folder), "--out", str(out), *args, cwd=folder.parent, kit_root=kit_root, tmpdir=scratch
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert took < seconds, f"grading took {took:.1f} s (bound {seconds} s)"
    assert list(scratch.iterdir()) == [], "the grading left files behind"
    # Paths unique to this run: the command's --path, and its TMPDIR, under which the grading copies the kit and the
    # submission its children name. (The package's name is not: both isolations grade a hostile kind at once.)
    marks = [str(scratch), str(folder)]
    assert [pid for mark in marks for pid in processes_naming(mark)] == [], "a process outlived its grading"
    assert out.is_file(), "the results are a regular file"
    assert not out.is_symlink()
    return json.loads(out.read_text(encoding="utf-8"))


def only_kata(results: dict) -> dict:
    (kata,) = results["katas"]
    return kata


def messages(kata: dict) -> list[str]:
    return [failure["message"] for failure in kata["failures"]]


# ------------------------------------------------------------------ the two ends


@pytest.mark.slow
def test_the_reference_scores_full_marks(tmp_path: Path) -> None:
    """The whole spec, once, with the real ci profile: every ready kata, every graded test, 100 %."""
    out = tmp_path / "grade.json"
    done, _ = kata_grade("--impl", "reference", "--out", str(out), cwd=tmp_path, kit_root=kit_copy())
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    ready = [kata for kata in catalogue.load() if kata.ready]
    assert [kata["kata"] for kata in results["katas"]] == [kata.number for kata in ready]
    lost = [
        (k["kata"], k["passed"], k["total"], k["problem"], messages(k)[:2]) for k in results["katas"] if k["failures"]
    ]
    assert results["score"] == results["max_score"] == sum(kata.points for kata in ready), lost
    assert results["status"] == "pass"
    for kata in results["katas"]:
        assert kata["passed"] == kata["total"] > 0, kata
        assert kata["problem"] == ""
    assert any("`given`" in note for note in results["notes"])
    assert "`given`" in done.stderr, "the console says the given tests are not graded"


@pytest.mark.slow
def test_the_skeleton_scores_zero_and_every_test_is_not_implemented(tmp_path: Path) -> None:
    out = tmp_path / "grade.json"
    done, _ = kata_grade("--impl", "student", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["score"] == 0
    assert results["status"] == "fail"
    for kata in results["katas"]:
        assert kata["passed"] == 0 < kata["total"], kata["kata"]
        assert kata["not_implemented"] == kata["total"] == len(kata["failures"])
        assert all(message.startswith("not implemented yet: ") for message in messages(kata)), kata["kata"]
    # kata 16's tests marked `given` (the MNIST reader the kit hands out) pass on the skeleton: they were left out
    assert next(kata for kata in results["katas"] if kata["kata"] == 16)["passed"] == 0


# ---------------------------------------------------------------- hostile submissions


@pytest.fixture
def build(tmp_path: Path):
    return lambda kind: hostile.build(kind, tmp_path)


def hog_files() -> list[Path]:
    return sorted(Path("/tmp").glob("nn-katas-hostile-hog-*"))


def full_marks(kata: dict, results: dict, mode: str) -> None:
    assert kata["passed"] == kata["total"], messages(kata)[:3]
    assert kata["problem"] == ""


def nothing_passes(kata: dict, results: dict, mode: str) -> None:
    assert kata["passed"] == 0, messages(kata)[:3]
    assert kata["score"] == 0


def said_by_every_test(text: str) -> Callable[[dict, dict, str], None]:
    def check(kata: dict, results: dict, mode: str) -> None:
        nothing_passes(kata, results, mode)
        assert all(text in m for m in messages(kata)), messages(kata)[:3]

    return check


def noted(*findings: str) -> Callable[[dict, dict, str], None]:
    """Full marks (the code is the reference's): what the static check found is a note, never a refusal."""

    def check(kata: dict, results: dict, mode: str) -> None:
        full_marks(kata, results, mode)
        (advice,) = [note for note in results["notes"] if note.startswith("advice: the static check found")]
        assert all(finding in advice for finding in findings), advice

    return check


def one_bad_message(said: str) -> Callable[[dict, dict, str], None]:
    """A message that cannot be printed, encoded or held fails its own tests and nothing else."""

    def check(kata: dict, results: dict, mode: str) -> None:
        assert kata["problem"] == "", "one bad message must not stop the kata"
        assert 0 < kata["passed"] < kata["total"]
        assert any(m.startswith(said) for m in messages(kata)), messages(kata)[:3]
        assert all(len(m) <= 2100 for m in messages(kata))
        assert len(json.dumps(results, ensure_ascii=False).encode("utf-8", errors="strict")) < 300_000

    return check


def os_exit_fails_its_own_tests(kata: dict, results: dict, mode: str) -> None:
    """The worker ends; the spec's process does not: the tests that added fail, the rest pass on a new worker."""
    assert kata["problem"] == ""
    assert 0 < kata["passed"] < kata["total"]
    assert any("the implementation's process ended" in m and "status 7" in m for m in messages(kata)), messages(kata)


def reads_nothing(kata: dict, results: dict, mode: str) -> None:
    nothing_passes(kata, results, mode)
    said = "may not read the kit's reference" if mode == "in-process" else "No such file or directory"
    assert all(said in m for m in messages(kata)), messages(kata)[:3]


def writes_nothing_into_the_kit(kata: dict, results: dict, mode: str) -> None:
    nothing_passes(kata, results, mode)
    assert not (kit() / "spec_tests" / "zz_planted_by_hostile.py").exists(), "the worker wrote into the kit"


def no_network(kata: dict, results: dict, mode: str) -> None:
    nothing_passes(kata, results, mode)
    if mode == "in-process":  # in namespaces there is no network to refuse: the connection itself fails
        assert all("network access is blocked while grading" in m for m in messages(kata)), messages(kata)[:3]


def a_skip_is_not_a_pass(kata: dict, results: dict, mode: str) -> None:
    assert 0 < kata["passed"] < kata["total"]
    assert all(failure["status"] != "skip" for failure in kata["failures"])
    assert any("not written yet" in m for m in messages(kata)), messages(kata)[:3]


def loses_the_looping_tests(kata: dict, results: dict, mode: str) -> None:
    assert 0 < kata["passed"] < kata["total"]
    assert any("timed out after 10 s" in m for m in messages(kata)), messages(kata)[:3]


def grade_arrives(kata: dict, results: dict, mode: str) -> None:
    assert kata["total"] > 0  # graded() checked the rest: exit 0, a results file, nothing left behind


def memory_errors(kata: dict, results: dict, mode: str) -> None:
    assert kata["passed"] < kata["total"]
    assert any(m.startswith("MemoryError") for m in messages(kata)), messages(kata)[:3]


def no_file_outside(kata: dict, results: dict, mode: str) -> None:
    full_marks(kata, results, mode)
    assert hog_files() == [], "a file was written outside the grading's folders"


#: What each hostile kind earns, graded on kata 01 in each isolation. Each is the reference plus the hostile
#: change, so an attack that changes nothing scores full marks, and one that breaks the package scores 0.
EXPECTED_OF = {
    hostile.LOOPS_FOREVER: loses_the_looping_tests,
    hostile.RAISES_AT_IMPORT: said_by_every_test("raised RuntimeError: hostile: broken at import"),
    hostile.SYS_EXIT_AT_IMPORT: said_by_every_test("SystemExit: 3"),
    hostile.OS_EXIT_IN_A_TEST: os_exit_fails_its_own_tests,
    hostile.FLOODS_STDOUT: full_marks,
    hostile.FLOODS_AT_IMPORT: full_marks,
    hostile.FLOODS_THE_LOG: full_marks,
    hostile.ALLOCATES_WITHOUT_BOUND: memory_errors,
    hostile.IMPORTS_REFERENCE: said_by_every_test("tried to import the reference implementation"),
    hostile.READS_REFERENCE: reads_nothing,
    hostile.PATCHES_ORACLE_AT_IMPORT: full_marks,  # the worker's own copy of the oracle: the spec never uses it
    hostile.PATCHES_PYTEST_IN_A_TEST: full_marks,
    hostile.FORGES_RESULTS: nothing_passes,  # the worker ends at import: no test gets an answer
    hostile.WRITES_INTO_THE_KIT: writes_nothing_into_the_kit,
    hostile.USES_THE_NETWORK: no_network,
    hostile.STARTS_A_PROCESS: full_marks,  # bounded by the process limit, and ended with the grading
    hostile.SKIPS_INSTEAD_OF_FAILING: a_skip_is_not_a_pass,
    hostile.OPENS_WITH_DIR_FD: noted("opens a file relative to a folder descriptor (dir_fd=)"),
    hostile.OPENS_WITH_CTYPES: noted("imports ctypes"),
    hostile.IMPORTS_THE_ALT_ENGINE: nothing_passes,
    hostile.WALKS_FRAMES_TO_PYTEST: noted("reaches ._getframe", "reaches .f_back"),
    hostile.FINDS_THE_REPORTER_WITH_GC: noted("imports gc"),
    hostile.EXECS_HIDDEN_CODE: noted("uses exec"),
    hostile.FORKS_AND_ESCAPES: grade_arrives,
    hostile.KILLS_THE_GRADER: grade_arrives,
    hostile.FILLS_THE_DISK: no_file_outside,
    hostile.MAKES_A_DIRECTORY_AT_OUT: full_marks,
    hostile.MAKES_A_FIFO_AT_OUT: full_marks,
    hostile.RAISES_A_LONE_SURROGATE: one_bad_message("ValueError: bad \\udc80 value"),
    hostile.RAISES_AN_UNPRINTABLE_ERROR: one_bad_message("Unprintable: <Unprintable whose __str__ raised"),
    hostile.RAISES_5_MB_MESSAGES: one_bad_message("ValueError: xxxxxxxxxx"),
    hostile.POISONS_THE_PYCACHE: full_marks,
}


@BOTH
@pytest.mark.parametrize("kind", list(EXPECTED_OF), ids=[kind.name for kind in EXPECTED_OF])
def test_whatever_the_submission_does_the_grade_arrives_and_says_what_it_earned(
    kind: hostile.Hostile, mode: str, tmp_path: Path
) -> None:
    """Exit 0, a results file, nothing left behind, in bounded time (``graded``), and the score its code earns."""
    assert hog_files() == [], "left over from an earlier run"
    results = graded(hostile.build(kind, tmp_path), *SMALL, "--isolation", mode, seconds=150)
    EXPECTED_OF[kind](only_kata(results), results, mode)


def test_every_hostile_kind_is_graded() -> None:
    """Each kind in ``hostile.ALL`` here; the attacks on the verdict, the honest ``vars`` and the shadow reader in
    tests/test_grade_split.py."""
    assert set(EXPECTED_OF) | {hostile.LOOPS_AT_IMPORT} == set(hostile.ALL)
    elsewhere = {*hostile.VERDICT, hostile.WRONG_ADD, hostile.USES_VARS, hostile.READS_SHADOW}
    every = {value for value in vars(hostile).values() if isinstance(value, hostile.Hostile)}
    assert every == set(hostile.ALL) | elsewhere
    split_tests = (Path(__file__).parent / "test_grade_split.py").read_text(encoding="utf-8")
    assert all(f"hostile.{name}" in split_tests for name in ("VERDICT", "WRONG_ADD", "USES_VARS", "READS_SHADOW"))


def test_an_infinite_loop_is_stopped_per_test_and_per_kata(build) -> None:
    folder = build(hostile.LOOPS_FOREVER)
    results = graded(folder, "--kata", "1", "--timeout", "1", "--kata-timeout", "30", seconds=120)
    kata = only_kata(results)
    assert kata["passed"] < kata["total"]
    # A loop costs one time limit: the first test stops at 1 s, and every later test that reaches the
    # same function is reported at once, so the kata ends inside its own limit (30 s: were each of its
    # 44 tests to wait out its own second, the kata would be killed). The kata limit itself is checked
    # by test_an_infinite_loop_at_import_is_killed_at_the_kata_limit.
    assert kata["problem"] == "", kata["problem"]
    assert any("timed out after 1 s — is there an infinite loop in __add__?" in m for m in messages(kata))
    assert any("not run: " in m and "__add__ timed out in" in m for m in messages(kata)), messages(kata)


@BOTH
def test_an_infinite_loop_at_import_is_killed_at_the_kata_limit(build, mode: str) -> None:
    folder = build(hostile.LOOPS_AT_IMPORT)
    kata = only_kata(graded(folder, "--kata", "1", "--kata-timeout", "8", "--isolation", mode, seconds=60))
    assert kata["score"] == 0
    # the package is first imported by the first test (pytest -q prints no header, which imported it before)
    assert kata["problem"] == f"killed after 8 s (the kata's time limit) during {kata['failures'][0]['test']}"
    assert all(f["status"] == "error" for f in kata["failures"])
    assert len(kata["failures"]) == kata["total"]


def test_flooding_stdout_is_captured_capped_and_not_held_against_a_correct_submission(build, tmp_path: Path) -> None:
    results = graded(build(hostile.FLOODS_STDOUT), *SMALL, "--format", "exercism", seconds=120)
    assert results["status"] == "pass", results.get("message")
    outputs = [test.get("output", "") for test in results["tests"]]
    assert any(outputs)
    assert all(len(output) <= 500 for output in outputs)
    assert (tmp_path / "hostile_floods_stdout.json").stat().st_size < 2_000_000


# ------------------------------------------------------------- formats, reproducibility


@pytest.fixture(scope="module")
def buggy(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A copy of the reference whose subtraction is wrong and whose addition prints: failures and output."""
    parent = tmp_path_factory.mktemp("buggy")
    package = copy_package(ROOT / "reference", parent, "buggy")
    value = package / "autograd" / "value.py"
    text = value.read_text(encoding="utf-8")
    find = '        return Value(self.data + other.data, (self, other), "+")'
    assert text.count(find) == 1
    text = text.replace(find, '        print("adding", self.data, other.data)\n' + find)
    find = "self.data - other.data"
    assert text.count(find) == 1
    value.write_text(text.replace(find, "self.data - other.data * 1.5"), encoding="utf-8")
    return "buggy", parent


_RENDER_ALL = """
import json, sys
from pathlib import Path
from kit.grading.formats import WRITERS
from kit.grading import isolation
from kit.grading.grade import grade
from kit.grading.sandbox import Limits
limits = Limits(test_seconds=30, kata_seconds=300)
result = grade(sys.argv[1], Path(sys.argv[2]), [1], limits, progress=lambda _: None, mode=isolation.choose())
print(json.dumps({name: write(result) for name, write in WRITERS.items()}))
"""


def render_all(impl: str, parent: Path) -> dict[str, str]:
    """Grade kata 01 once (with the kit's copy) and write the result in every format."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPEC_"))}
    done = subprocess.run(
        [sys.executable, "-c", _RENDER_ALL, impl, str(parent)],
        cwd=parent,
        env={**env, "PYTHONPATH": str(kit())},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.slow
def test_five_gradings_give_the_same_bytes_in_every_format(buggy: tuple[str, Path]) -> None:
    first = render_all(*buggy)
    for _ in range(4):
        assert render_all(*buggy) == first
    data = json.loads(first["json"])
    kata = only_kata(data)
    assert 0 < kata["passed"] < kata["total"]
    assert str(buggy[1]) not in "".join(first.values()), "no run-specific paths in the results"
    assert set(first) == set(WRITERS)


def test_the_formats_say_the_same_thing(buggy: tuple[str, Path]) -> None:
    files = render_all(*buggy)
    summary = only_kata(json.loads(files["json"]))
    points = catalogue.by_number(1).points
    assert summary["score"] == points * summary["passed"] * 4 // summary["total"] / 4, "rounded down to quarters"

    exercism = json.loads(files["exercism"])
    assert exercism["version"] == 3
    assert exercism["status"] == "fail"
    assert len(exercism["tests"]) == summary["total"]
    assert {test["task_id"] for test in exercism["tests"]} == {1}
    assert sum(test["status"] == "pass" for test in exercism["tests"]) == summary["passed"]
    for test in exercism["tests"]:
        assert set(test) <= {"name", "status", "message", "output", "test_code", "task_id"}
        assert len(test.get("output", "")) <= 500
        assert test["status"] == "pass" or test["message"]
    assert any("adding" in test.get("output", "") for test in exercism["tests"]), "captured output per test"
    assert len({test["name"] for test in exercism["tests"]}) == len(exercism["tests"]), "test names are unique"

    classroom = json.loads(base64.b64decode(files["classroom"]))
    assert classroom["max_score"] == points
    assert [test["score"] for test in classroom["tests"]] == [summary["score"]]
    assert classroom["status"] == "fail"
    assert classroom["tests"][0]["status"] == "fail"

    junit = ET.fromstring(files["junit"])
    assert junit.tag == "testsuites"
    assert int(junit.get("tests")) == summary["total"]
    assert int(junit.get("failures")) == summary["total"] - summary["passed"]
    (suite,) = junit.findall("testsuite")
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["score"] == str(summary["score"])


# ------------------------------------------------------------------- the command


def test_bad_arguments_exit_2_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "grade.json"
    done, _ = kata_grade("--path", str(tmp_path / "missing"), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 2
    assert "no such folder" in done.stderr
    done, _ = kata_grade("--impl", "no_such_package_here", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 2
    assert "no importable package" in done.stderr
    assert not out.exists()


def test_a_package_cannot_take_the_name_of_the_spec(tmp_path: Path) -> None:
    (tmp_path / "spec_tests").mkdir()
    with pytest.raises(RuntimeError, match="not one of the kit's"):
        locate(None, str(tmp_path / "spec_tests"))


def test_a_submission_with_its_own_spec_copy_is_graded_by_the_kits_spec(tmp_path: Path) -> None:
    """A learner's repository holds a (doctored) spec_tests/ next to student/: the kit's spec is used."""
    repo = tmp_path / "repo"
    repo.mkdir()
    copy_package(ROOT / "student", repo, "student")
    fake = repo / "spec_tests"
    fake.mkdir()
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / "oracle.py").write_text("def assert_close(*args, **kwargs):\n    pass\n", encoding="utf-8")
    results = graded(repo / "student", "--kata", "2", seconds=120)
    kata = only_kata(results)
    assert kata["passed"] == 0
    assert kata["problem"] == ""
    assert all(m.startswith("not implemented yet: ") for m in messages(kata))


def test_the_learner_repository_workflow_grades_student_for_classroom() -> None:
    workflow = (ROOT / "templates" / "learner-repo" / ".github" / "workflows" / "grade.yml").read_text(encoding="utf-8")
    line = next(line.strip() for line in workflow.splitlines() if line.strip().startswith("kata grade "))
    assert "--path" in line
    assert "--format classroom" in line
    assert "autograding-grading-reporter" in workflow
    assert "GRADE_RESULTS" in workflow
    assert "runners: grade" in workflow
    args = line.replace('"$GITHUB_WORKSPACE/submission/student"', "student").split()[1:]
    from kit.learner.cli import build_parser

    parsed = build_parser().parse_args(args)
    assert (parsed.command, parsed.path, parsed.format) == ("grade", "student", "classroom")


# ------------------------------------------------- issue 11: isolation, trust, delivery


def test_the_results_and_the_console_say_which_isolation_was_used(build) -> None:
    folder = build(hostile.RAISES_AT_IMPORT)  # fast: every test fails at import
    for mode in modes():
        out = folder.parent / f"{mode}.json"
        done, _ = kata_grade("--path", str(folder), "--out", str(out), *SMALL, "--isolation", mode, cwd=folder.parent)
        assert done.returncode == 0, done.stderr[-3000:]
        assert json.loads(out.read_text(encoding="utf-8"))["isolation"] == mode
        assert f"isolation: {mode}" in done.stderr


def test_the_environment_variable_forces_in_process_grading(build, monkeypatch: pytest.MonkeyPatch) -> None:
    from kit.grading import isolation

    monkeypatch.setenv(isolation.ENV, "in-process")
    assert isolation.choose("auto") == "in-process"
    monkeypatch.setenv(isolation.ENV, "namespaces")
    if isolation.bwrap():
        assert isolation.choose("auto") == "namespaces"
        assert isolation.choose("in-process") == "in-process", "the flag wins over the variable"
    else:
        with pytest.raises(isolation.IsolationError, match="bubblewrap"):
            isolation.choose("auto")
    monkeypatch.setenv(isolation.ENV, "sideways")
    with pytest.raises(isolation.IsolationError, match="sideways"):
        isolation.choose("auto")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="namespaces are Linux only")
def test_the_sandbox_hides_the_reference_and_ends_every_process_the_worker_started(tmp_path: Path) -> None:
    """Straight through bubblewrap, no hook: what the operating system itself enforces. The worker sees the
    grading's copy of the kit's graded parts, and nothing of the kit's own folder; a process it started in a new
    session ends with it. Its writable folder is a host folder (as the spec's temporary folders are), so the
    orphan's marker would be seen here had the orphan lived."""
    from kit.grading import isolation
    from kit.grading.grade import stage_kit

    if isolation.bwrap() is None:
        pytest.skip("bubblewrap cannot make namespaces on this machine (the in-process tests cover it)")
    submission, shared, staged = tmp_path / "submission", tmp_path / "shared", stage_kit(tmp_path / "kit")
    submission.mkdir()
    shared.mkdir()
    seen_file, marker = shared / "seen.txt", shared / "orphan-was-here"
    names = ("reference", "tests", ".git", "spec_tests", "kit", "pyproject.toml")
    child = f"""
import os, subprocess, sys, time
seen = {{where: [name for name in {names!r} if os.path.exists(os.path.join(kit, name))]
        for where, kit in (("kit", {str(ROOT)!r}), ("copy", {str(staged)!r}))}}
open({str(seen_file)!r}, "w").write(repr(seen))
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3); open({str(marker)!r}, 'w')"],
                 start_new_session=True)
open({str(shared / "started")!r}, "w")
try:
    open("/outside", "w")
except OSError as exc:
    print("root read-only:", exc.errno)
"""
    command = isolation.bwrap_command(staged, submission, tmp_mb=16, hidden=ROOT, writable=[shared])
    done = subprocess.run([*command, sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert (shared / "started").exists(), done.stderr  # the orphan was started, and could write here
    seen = seen_file.read_text(encoding="utf-8")
    assert seen == "{'kit': [], 'copy': ['spec_tests', 'kit']}", (seen, done.stderr)
    assert "root read-only: 30" in done.stdout, done.stdout + done.stderr  # EROFS
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline and not marker.exists():
        time.sleep(0.2)
    assert not marker.exists(), "a setsid orphan outlived the sandbox"


def test_the_sandbox_binds_a_virtual_environment_inside_the_kit_but_nothing_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tox`` and ``python -m venv .venv`` put Python inside the kit's folder: the sandbox needs it, and still
    shows neither the kit's root nor its reference, tests or history."""
    from kit.grading import isolation

    kit, staged = tmp_path / "kit", tmp_path / "grading" / "kit"
    folders = {name: kit / name for name in (".venv/lib/site-packages", "reference", "tests/alt_engine", ".git")}
    for folder in [*folders.values(), staged]:
        folder.mkdir(parents=True)
    candidates = [str(kit), str(tmp_path), *map(str, folders.values())]
    bound = isolation.visible_folders(candidates, staged, hidden=kit)
    assert bound == [str(folders[".venv/lib/site-packages"].resolve())]


def test_the_sandbox_binds_an_installed_kits_site_packages_and_the_interpreter_wherever_it_lives(
    tmp_path: Path,
) -> None:
    """Installed, the kit's root is an installation's site-packages (in a venv or not): it holds nothing secret,
    and the interpreter above it must be seen, or no graded child can start (issue 21: every kata scored 0)."""
    from kit.grading import isolation

    prefix = tmp_path / "python"
    site = prefix / "lib" / "python3.x" / "site-packages"
    (site / "kit").mkdir(parents=True)
    (site / "spec_tests").mkdir()
    staged = tmp_path / "grading" / "kit"
    staged.mkdir(parents=True)
    assert not isolation.is_checkout(site)
    assert isolation.visible_folders([str(prefix), str(site)], staged, hidden=site) == [str(prefix.resolve())]
    assert isolation.is_checkout(ROOT), "the kit's clone holds the reference"
    assert str(ROOT.resolve()) not in isolation.visible_folders([str(ROOT), *map(str, ROOT.parents)], staged, ROOT)
    needed = isolation.visible_folders(isolation.interpreter_folders(), staged, ROOT)
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    assert all(any(p == b or p.startswith(b + "/") or p.startswith("/usr/") for b in needed) for p in prefixes)


@BOTH
def test_a_poisoned_pycache_never_reaches_the_next_submission(build, tmp_path: Path, mode: str) -> None:
    """Writing a .pyc into the kit fails; one planted there anyway (hash-valid: every test reported passed)
    is never loaded: the innocent skeleton graded next still scores 0."""
    private = copy_kit(Path(tempfile.mkdtemp(prefix="nn-katas-poisoned-kit-")), light=True)
    try:
        graded(build(hostile.POISONS_THE_PYCACHE), *SMALL, "--isolation", mode, seconds=120, kit_root=private)
        assert not (private / "spec_tests" / "__pycache__" / f"report.{sys.implementation.cache_tag}.pyc").exists()
        planted = hostile.poisoned_report_pyc(private)
        probe = "import spec_tests.report as r; print(r.LearnerReport.pytest_runtest_makereport.__name__)"
        loaded = subprocess.run(
            [sys.executable, "-c", probe],
            env={"PATH": os.environ["PATH"], "PYTHONPATH": str(private)},
            cwd=tmp_path,  # not the working tree: `python -c` imports from its folder first
            capture_output=True,
            text=True,
            check=True,
        )
        assert loaded.stdout.strip() == "_every_report_passes", "the planted .pyc is live for a plain import"
        assert planted.is_file()
        skeleton = copy_package(private / "student", tmp_path, "innocent")
        kata = only_kata(graded(skeleton, *SMALL, "--isolation", mode, seconds=120, kit_root=private))
        assert kata["score"] == 0
        assert kata["passed"] == 0 < kata["total"]
    finally:
        shutil.rmtree(private, ignore_errors=True)


@BOTH
def test_bytecode_beside_the_submissions_sources_is_never_loaded(tmp_path: Path, mode: str) -> None:
    """The static check reads a submission's sources; the grade runs those sources, never a ``.pyc`` put beside
    them (here the reference's ``Value``, hash-valid for the skeleton's ``value.py``): the skeleton scores 0."""
    package = copy_package(ROOT / "student", tmp_path, "hostile_hides_bytecode")
    hostile.planted_pyc(package / "autograd" / "value.py", (ROOT / "reference" / "autograd" / "value.py").read_text())
    probe = "from hostile_hides_bytecode.autograd.value import Value; print((Value(2.0) * 3).data)"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], env={"PATH": os.environ["PATH"]}, cwd=tmp_path, capture_output=True, text=True
    )
    assert loaded.stdout.strip() == "6.0", "the planted .pyc is live for a plain import"
    kata = only_kata(graded(package, *SMALL, "--isolation", mode, seconds=120))
    assert kata["score"] == 0
    assert kata["passed"] == 0 < kata["total"]
    assert all(m.startswith("not implemented yet: ") for m in messages(kata)), messages(kata)[:3]


def test_a_directory_at_out_is_refused_before_grading(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    out.mkdir()
    done, _ = kata_grade("--impl", "reference", "--kata", "1", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 2
    assert "is a directory" in done.stderr
    assert out.is_dir()
    assert not any(out.iterdir())


# ------------------------------------------------------- the static check, line by line


@pytest.mark.parametrize("package", ["reference", "student", "tests/alt_engine"])
def test_the_static_check_passes_the_kits_own_implementations(package: str) -> None:
    from kit.grading.screen import check_package

    assert check_package(ROOT / package) == []


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("import gc", "imports gc"),
        ("import ctypes.util as u", "imports ctypes.util"),
        ("from _pytest import config", "imports from _pytest"),
        ("import pluggy", "imports pluggy"),
        ("from hypothesis import strategies", "imports from hypothesis"),
        ("import inspect", "imports inspect"),
        ("from sys import _getframe", "imports sys._getframe"),
        ("import sys as s\nm = s.modules", "reaches sys.modules"),
        ("def f(e):\n    return e.__traceback__.tb_frame", "reaches .__traceback__"),
        ("f = lambda: 0\ng = f.__globals__", "reaches .__globals__"),
        ("x = object.__subclasses__()", "reaches .__subclasses__"),
        ("x = getattr(object, '__subclasses__')", "reaches .__subclasses__ through getattr()"),
        ("eval('1')", "uses eval"),
        ("__import__('gc')", "uses __import__"),
        ("import importlib\nimportlib.import_module('gc')", "reaches .import_module"),
        ("import os\nos.open('x', 0, dir_fd=3)", "opens a file relative to a folder descriptor (dir_fd=)"),
        ("import os\nos.fork()", "reaches .fork"),
    ],
)
def test_the_static_check_refuses_reaching_into_the_grader(source: str, said: str) -> None:
    from kit.grading.screen import check_source

    found = check_source("x = 1\n" + source, "pkg/mod.py")
    assert [str(f) for f in found if f.what == said], [str(f) for f in found]
    assert all(f.file == "pkg/mod.py" and f.line >= 2 for f in found)


@pytest.mark.parametrize(
    "source",
    [
        "import math, random, numpy as np\nfrom pathlib import Path",
        "class M:\n    def eval(self):\n        return self\nM().eval()",
        "import sys\nsys.stdout.write('x')",
        "import importlib.util\nimportlib.util.find_spec('mlxtend')",
        "def f(self, name):\n    return getattr(self, name)",
        "def broken(:\n",  # a syntax error is the spec's to report, test by test
    ],
)
def test_the_static_check_lets_ordinary_library_code_through(source: str) -> None:
    from kit.grading.screen import check_source

    assert check_source(source, "pkg/mod.py") == []


def test_the_static_check_line_an_attribute_name_built_at_run_time_is_not_seen() -> None:
    """Where the line is (DECISIONS.md): a name the source spells is refused, one it computes is not."""
    from kit.grading.screen import check_source

    assert check_source("def f(e):\n    return getattr(e, 'tb_frame')", "m.py")
    assert check_source("def f(e):\n    return getattr(e, 'tb_' + 'frame')", "m.py") == []


# ----------------------------------------------------------- judging, without a child


def fake_run(*events: dict, unsigned: int = 0) -> object:
    from kit.grading.sandbox import ChildRun

    return ChildRun(list(events), 0, False, 1.0, "", "", unsigned)


EXPECTED = [
    ["spec_tests/test_kata01_values.py::test_a", "kata01", "A holds.", "assert a()"],
    ["spec_tests/test_kata01_values.py::test_b", "kata01", "B holds.", "assert b()"],
]


def judged(*events: dict) -> object:
    from kit.grading.judging import build_kata_grade
    from kit.grading.sandbox import Limits

    return build_kata_grade(catalogue.by_number(1), EXPECTED, fake_run(*events), Limits(), lambda text: text)


def test_a_skip_counts_as_failed_unless_the_parent_trusts_it() -> None:
    a, b = (entry[0] for entry in EXPECTED)
    grade = judged(
        {"event": "result", "nodeid": a, "status": "skip", "problem": "Skipped: later"},
        {"event": "result", "nodeid": b, "status": "pass"},
        {"event": "end"},
    )
    assert [t.status for t in grade.tests] == ["fail", "pass"]
    assert grade.tests[0].message == "skipped (later): not a pass"
    assert grade.score == 2.5
    trusted = judged(
        {"event": "result", "nodeid": a, "status": "skip", "problem": "Skipped: needs the full MNIST in $MNIST_DIR"},
        {"event": "result", "nodeid": b, "status": "pass"},
        {"event": "end"},
    )
    assert [t.status for t in trusted.tests] == ["skip", "pass"]
    assert trusted.score == 5


def test_tests_keep_the_spec_files_order_and_their_source() -> None:
    grade = judged({"event": "end"})
    assert [t.nodeid for t in grade.tests] == [entry[0] for entry in EXPECTED]
    assert [t.code for t in grade.tests] == ["assert a()", "assert b()"]
    assert all(t.status == "error" for t in grade.tests)


def test_an_unknown_status_is_an_error_not_a_pass() -> None:
    grade = judged(*({"event": "result", "nodeid": e[0], "status": "passed!"} for e in EXPECTED), {"event": "end"})
    assert grade.passed == 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=5000))
def test_every_cleaned_message_is_short_and_encodable(text: str) -> None:
    from kit.grading.judging import MESSAGE_LIMIT, make_cleaner

    clean = make_cleaner([(Path("/tmp/kata-grade-x"), "<tmp>")])(text)
    clean.encode("utf-8")  # strict: no lone surrogates left
    json.dumps(clean, ensure_ascii=False).encode("utf-8")
    assert len(clean) <= MESSAGE_LIMIT + 40
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in clean)
    if len(text) <= MESSAGE_LIMIT and all(c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert clean == text.replace("/tmp/kata-grade-x", "<tmp>") or "0x" in text


# ------------------------------------------------------- formats, checked by their consumers


def sample_grade(points_passed_total: list[tuple[int, int, int]], statuses: str = "pass", problem: str = "") -> object:
    from kit.grading.formats import Grade, KataGrade, TestResult

    katas = []
    for number, (points, passed, total) in enumerate(points_passed_total, 1):
        kata = KataGrade(number, f"kata {number}", points, problem=problem)
        for index in range(total):
            status = "pass" if index < passed else ("error" if statuses == "error" else "fail")
            kata.tests.append(
                TestResult(
                    f"spec_tests/test_kata{number:02d}_x.py::test_{index}",
                    f"property {index}",
                    status,
                    "" if status == "pass" else "broke\udc80" + "y" * 3000,
                    "out" * 400,
                    code=f"assert f({index})",
                )
            )
        katas.append(kata)
    return Grade("learner", katas, {"test_seconds": 1.0}, ["a note"], "namespaces")


kata_counts = st.tuples(st.integers(1, 20), st.integers(1, 60)).flatmap(
    lambda pt: st.tuples(st.just(pt[0]), st.integers(0, pt[1]), st.just(pt[1]))
)


@given(st.lists(kata_counts, min_size=1, max_size=16))
def test_classroom_scores_add_up_without_float_artefacts(counts: list[tuple[int, int, int]]) -> None:
    """The reporter adds the scores as JavaScript (IEEE double) numbers, left to right: that sum is exact."""
    import math

    from kit.grading.formats import classroom_payload

    grade = sample_grade(counts)
    scores = [test["score"] for test in classroom_payload(grade)["tests"]]
    running = 0.0
    for score in scores:
        running += score
    assert running == math.fsum(scores) == grade.score
    for (points, passed, total), score in zip(counts, scores, strict=True):
        assert score * 4 == int(score * 4)
        assert points * passed / total - 0.25 < score <= points * passed / total
        assert (score == points) == (passed == total)


def test_a_classroom_message_names_the_kata_that_errored() -> None:
    from kit.grading.formats import classroom_payload

    (entry,) = classroom_payload(sample_grade([(5, 0, 2)], "error", "killed after 8 s"))["tests"]
    assert "kata 01 (kata 1) did not run normally: killed after 8 s" in entry["message"]


@given(st.text(max_size=2000))
def test_exercism_output_is_cut_with_the_interfaces_notice(output: str) -> None:
    from kit.grading.formats import TRUNCATED, exercism_output

    cut = exercism_output(output)
    assert len(cut) <= 500
    assert cut.endswith(TRUNCATED) == (len(output) > 500) or output.endswith(TRUNCATED)
    assert output.startswith(cut.removesuffix("\n" + TRUNCATED))


def exercism_interface_problems(data: dict) -> list[str]:
    """The rules of tests/vendor/exercism-test-runner-interface.md, version 3, as checks."""
    problems = []
    if data.get("version") != 3:
        problems.append("version must be 3")
    if data.get("status") not in ("pass", "fail", "error"):
        problems.append("status must be pass, fail or error")
    tests = data.get("tests", [])
    if data.get("status") == "error":
        if not data.get("message"):
            problems.append("message is required when status is error")
        if tests and not all(test["status"] == "error" for test in tests):
            problems.append("error only if all of the tests errored")
    elif data.get("message") is not None:
        problems.append("message must be null or absent unless status is error")
    if data.get("status") in ("pass", "fail") and "tests" not in data:
        problems.append("tests are required when status is pass or fail")
    if data.get("status") == "pass" and any(test["status"] != "pass" for test in tests):
        problems.append("pass means all tests passed")
    for test in tests:
        if not isinstance(test.get("name"), str) or test.get("status") not in ("pass", "fail", "error"):
            problems.append(f"bad test entry {test.get('name')!r}")
        if test.get("status") in ("fail", "error") and not test.get("message"):
            problems.append(f"{test.get('name')}: message required for fail or error")
        if len(test.get("output", "")) > 500:
            problems.append(f"{test.get('name')}: output over 500 characters")
        if "task_id" in test and not isinstance(test["task_id"], int):
            problems.append(f"{test.get('name')}: task_id must be a number")
        if not isinstance(test.get("test_code", ""), str):
            problems.append(f"{test.get('name')}: test_code must be a string")
    return problems


def test_the_vendored_exercism_interface_still_says_what_the_checks_check() -> None:
    text = (ROOT / "tests" / "vendor" / "exercism-test-runner-interface.md").read_text(encoding="utf-8")
    for rule in (
        "The `error` status should _only_ be used if **all of the tests errored**.",
        "The tests **MUST** be returned in the order they are specified in the tests file.",
        '"Output was truncated. Please limit to 500 chars"',
        "This is the body of the command that is being tested.",
    ):
        assert rule in text


@pytest.mark.parametrize(
    ("counts", "statuses", "problem", "status"),
    [
        ([(5, 2, 2), (10, 3, 3)], "pass", "", "pass"),
        ([(5, 1, 2), (10, 3, 3)], "fail", "", "fail"),
        ([(5, 0, 2), (10, 0, 3)], "error", "killed", "error"),
        ([(5, 1, 2), (10, 0, 3)], "error", "killed", "fail"),
    ],
)
def test_exercism_results_follow_the_interface(counts: list, statuses: str, problem: str, status: str) -> None:
    from kit.grading.formats import to_exercism

    data = json.loads(to_exercism(sample_grade(counts, statuses, problem)))
    assert exercism_interface_problems(data) == []
    assert data["status"] == status
    assert [t["test_code"] for t in data["tests"]][:2] == ["assert f(0)", "assert f(1)"]


@pytest.mark.parametrize("statuses", ["pass", "fail", "error"])
def test_junit_is_valid_for_jenkins_and_junitparser(statuses: str, tmp_path: Path) -> None:
    import junitparser
    import xmlschema

    from kit.grading.formats import to_junit

    grade = sample_grade([(5, 1, 3), (10, 3, 3)], statuses, "killed" if statuses == "error" else "")
    grade.katas[0].tests[2].status = "skip"
    text = to_junit(grade)
    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "vendor" / "junit-10.xsd"))
    schema.validate(text)
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    suites = list(junitparser.JUnitXml.fromfile(str(path)))
    assert [suite.tests for suite in suites] == [3, 3]
    assert sum(1 for case in suites[0] if case.is_skipped) == 1


def test_the_old_junit_root_skipped_attribute_is_what_jenkins_rejects() -> None:
    import xmlschema

    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "vendor" / "junit-10.xsd"))
    assert not schema.is_valid('<testsuites skipped="0"/>')
    assert schema.is_valid("<testsuites/>")


# ------------------------------------------------------------------ the results file


def test_the_results_replace_a_link_or_fifo_and_never_follow_it(tmp_path: Path) -> None:
    from kit.grading.output import unwritable, write_atomically

    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(elsewhere)
    write_atomically(link, "{}\n")
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8") == "{}\n"
    assert elsewhere.read_text(encoding="utf-8") == "keep me"
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.json"
        os.mkfifo(fifo)
        write_atomically(fifo, "{}\n")  # a FIFO would block an open() for writing forever
        assert fifo.is_file()
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert "is a directory" in unwritable(folder)
    assert unwritable(tmp_path / "missing" / "x.json").endswith("is not a folder")
    assert unwritable(tmp_path / "new.json") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["elsewhere.txt", "link.json", "folder.json", *(["fifo.json"] if hasattr(os, "mkfifo") else [])]
    ), "no temporary file left behind"


def test_the_learner_repository_workflow_is_hardened() -> None:
    import re

    template = ROOT / "templates" / "learner-repo"
    workflow = (template / ".github" / "workflows" / "grade.yml").read_text(encoding="utf-8")
    uses = re.findall(r"^\s*(?:- )?uses: (\S+)", workflow, flags=re.MULTILINE)
    assert len(uses) == 4
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action) for action in uses), uses
    assert "persist-credentials: false" in workflow
    permissions = workflow[workflow.index("permissions:") : workflow.index("env:")]
    assert permissions.split() == ["permissions:", "contents:", "read"]
    assert re.search(r'KIT: "nn-katas @ git\+https://\S+@v[\d.]+"', workflow)
    assert 'pip install "${KIT}"' in workflow
    assert "bubblewrap" in workflow
    readme = (template / "README.md").read_text(encoding="utf-8")
    assert "`.github/**`" in readme
    assert "protected paths" in readme


def test_a_compiled_module_in_the_submission_is_refused(tmp_path: Path) -> None:
    from kit.grading.screen import check_package

    package = copy_package(ROOT / "student", tmp_path, "learner")
    (package / "autograd" / "value.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF")
    (package / "autograd" / "__pycache__").mkdir(exist_ok=True)
    (package / "autograd" / "__pycache__" / "graph.cpython-311.pyc").write_bytes(b"ignored: never read")
    found = [str(f) for f in check_package(package)]
    assert found == [
        "learner/autograd/value.cpython-311-x86_64-linux-gnu.so:0: a compiled module: only Python source is graded"
    ]


@pytest.mark.parametrize("name", ["reference.autograd.value", "tests.alt_engine.autograd.value", "tests"])
def test_the_child_import_finder_refuses_the_reference_and_the_kits_tests(name: str) -> None:
    """Behind the static check (a name built at run time gets past it): the kit's tests hold a whole engine."""
    from kit.grading.trusted import PinningFinder, ReferenceImportError

    with pytest.raises(ReferenceImportError, match="tried to import"):
        PinningFinder({}, ["reference", "tests"]).find_spec(name)


# ------------------------------------------------- issue 21: when grading cannot run, nobody gets a 0


@pytest.mark.parametrize(
    "broken",
    ["the sandbox finds no Python", "the worker dies as it boots", "the spec's process dies before collecting"],
)
def test_grading_that_cannot_run_exits_2_says_why_and_writes_no_results(
    broken: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A complete package is never reported as a 0 it earned when the kit or the machine failed."""
    from kit.grading import grade, isolation, sandbox

    if broken == "the sandbox finds no Python":
        if isolation.bwrap() is None:
            pytest.skip("bubblewrap cannot make namespaces on this machine")
        monkeypatch.setattr(isolation, "interpreter_folders", lambda: ())  # what the installed kit once bound
        mode, said_then = isolation.NAMESPACES, "no worker could boot to run the submission"
    elif broken == "the worker dies as it boots":
        monkeypatch.setattr(sandbox, "_WORKER_BOOT", "import sys; sys.exit(1)")
        mode, said_then = isolation.IN_PROCESS, "no worker could boot to run the submission"
    else:
        monkeypatch.setattr(sandbox, "_SPLIT_BOOT", "import sys; sys.exit(1)")
        mode, said_then = (
            isolation.IN_PROCESS,
            "the spec's process ended with exit code 1 before the spec was collected",
        )
    package = copy_package(ROOT / "reference", tmp_path, "complete")
    out = tmp_path / "results.json"
    code = grade.main(["--path", str(package), "--kata", "1", "--isolation", mode, "--out", str(out)])
    said = capsys.readouterr().err
    assert code == 2, said
    assert not out.exists(), "no results may be written when nothing was graded"
    assert f"grading cannot run here: kata 01: {said_then}" in said, said
    assert said.rstrip().endswith(grade.NOTHING_GRADED), said
