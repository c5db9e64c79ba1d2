"""``kata grade``: grade a submission, kata by kata, in guarded child processes.

    kata grade --impl NAME            an importable package (default: student)
    kata grade --path DIR             the package in folder DIR (e.g. a learner repository's student/)
    kata grade --out FILE --format exercism|classroom|junit|json
    kata grade --kata 3 --kata 4      only these katas
    kata grade --timeout 30 --kata-timeout 600 --memory 2048   the limits (per test, per kata, MB)

Each kata's spec runs in its own child process (:mod:`kit.grading.sandbox`, :mod:`kit.grading.guard`),
always from the kit's own ``spec_tests`` (the folder next to this package), never from a
copy in the submission; with the derandomized ``ci`` Hypothesis profile; without the tests
marked ``given`` (they check code the kit hands out, which passes on the skeleton). The
grade is written whatever the submission does: the command exits 0 when grading worked,
and 2 only when it could not grade at all (bad arguments, the kit itself broken).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from katas import catalogue
from katas.catalogue import KIT_ROOT as KIT

from .formats import FORMATS, WRITERS, Grade, KataGrade, TestResult
from .guard import RESERVED
from .sandbox import ChildRun, Limits, child_environment, read_tail, run_child, signal_name

SPEC = KIT / "spec_tests"
GIVEN_NOTE = (
    "tests marked `given` are not graded: they check code the kit gives the learner, which passes on the skeleton"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")


class GradingError(RuntimeError):
    """Grading could not run at all (not: the submission failed)."""


# -------------------------------------------------------------- locating


def locate(impl: str | None, path: str | None) -> tuple[str, Path]:
    """(package name, the folder that holds the package) for ``--impl`` or ``--path``."""
    if path is not None:
        folder = Path(path).resolve()
        if not folder.is_dir():
            raise GradingError(f"--path {path}: no such folder")
        name = folder.name
    else:
        name = impl or "student"
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            raise GradingError(f"--impl {name}: no importable package of that name (use --path DIR for a folder)")
        folder = Path(next(iter(spec.submodule_search_locations))).resolve()
    if not name.isidentifier() or name in RESERVED:
        raise GradingError(
            f"cannot grade a package named {name!r}: the name must be a Python identifier, not one of the kit's"
        )
    return name, folder.parent


def spec_files(number: int) -> list[Path]:
    """The kit's spec file(s) of kata ``number``."""
    files = sorted(SPEC.glob(f"test_kata{number:02d}_*.py"))
    if not files:
        raise GradingError(f"the kit has no spec for kata {number} in {SPEC}")
    return files


def common_pytest_args(limits: Limits, basetemp: Path) -> list[str]:
    args = [
        "--rootdir",
        str(KIT),
        "--hypothesis-profile",
        "ci",
        f"--time-limit={limits.test_seconds:g}",
        "-m",
        "not given",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-q",
        "--basetemp",
        str(basetemp),
    ]
    ini = KIT / "pyproject.toml"
    if ini.is_file():
        args += ["-c", str(ini)]
    return args


def collect(numbers: list[int], workdir: Path) -> dict[int, list[list[Any]]]:
    """The graded tests of each kata, by the kit's own collection (trusted: the reference, no submission)."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "collected.json"
    files = [str(f) for n in numbers for f in spec_files(n)]
    boot = "import sys; sys.path.insert(0, sys.argv.pop(1)); from kit.grading.guard import collect_main; collect_main()"
    limits = Limits()
    command = [sys.executable, "-c", boot, str(KIT), str(out), *files, *common_pytest_args(limits, workdir / "tmp")]
    command += ["--impl", "reference"]
    env = child_environment(workdir, "reference")
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, check=False, timeout=600)
    if not out.is_file() or json.loads(out.read_text(encoding="utf-8"))["status"] != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise GradingError("the kit's spec could not be collected:\n" + "\n".join(tail))
    tests = json.loads(out.read_text(encoding="utf-8"))["tests"]
    found: dict[int, list[list[Any]]] = {n: [] for n in numbers}
    for nodeid, marker, prop in tests:
        if marker is not None and catalogue.by_marker(marker).number in found:
            found[catalogue.by_marker(marker).number].append([nodeid, marker, prop])
    for number, entries in found.items():
        if not entries:
            raise GradingError(f"the kit's spec has no graded tests for kata {number}")
    return found


# ---------------------------------------------------------------- grading


def grade_kata(
    kata: catalogue.Kata, impl: str, parent: Path, expected: list[list[Any]], limits: Limits, workdir: Path
) -> tuple[KataGrade, ChildRun]:
    """Run kata ``kata``'s spec in a guarded child and turn what it reported into a grade."""
    args = [str(f) for f in spec_files(kata.number)]
    args += common_pytest_args(limits, workdir / "tmp")
    args += ["--impl", impl, "--kata", str(kata.number), "--results-json", str(workdir / "spec-results.json")]
    run = run_child(KIT, impl, parent, args, workdir, limits)
    clean = _cleaner([(workdir, "<tmp>"), (parent, "<submission>"), (KIT, "<kit>")])
    return build_kata_grade(kata, expected, run, limits, clean), run


def build_kata_grade(
    kata: catalogue.Kata, expected: list[list[Any]], run: ChildRun, limits: Limits, clean: Callable[[str], str]
) -> KataGrade:
    results: dict[str, dict[str, Any]] = {}
    tampering: list[dict[str, Any]] = []
    exits: list[dict[str, Any]] = []
    internal: list[str] = []
    started: str | None = None
    ended = False
    for event in run.events:
        kind = event.get("event")
        if kind == "result":
            results.setdefault(event["nodeid"], event)
            started = None
        elif kind == "start":
            started = event["nodeid"]
        elif kind == "tampered":
            tampering.append(event)
        elif kind == "os_exit":
            exits.append(event)
        elif kind == "internal":
            internal.append(event["problem"])
        elif kind == "end":
            ended = True
    problem = _problem(run, limits, started, exits, internal, ended, bool(results))
    grade = KataGrade(kata.number, kata.title, kata.points)
    names: dict[str, int] = {}
    for nodeid, _marker, prop in expected:
        name = prop + (" " + nodeid[nodeid.index("[") :] if "[" in nodeid.split("::")[-1] else "")
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            name += f" ({nodeid.split('::')[-1]})"
        found = results.get(nodeid)
        if found is None:
            reason = problem or "the run ended before this test reported"
            grade.tests.append(TestResult(nodeid, name, "error", clean(f"not run to the end: {reason}")))
            continue
        status = found["status"]
        message, not_implemented = _message(found) if status != "pass" else ("", False)
        if "[Errno 27]" in message:  # EFBIG: RLIMIT_FSIZE
            message += f" — output or a file reached the {limits.file_mb} MB limit"
        grade.tests.append(
            TestResult(nodeid, name, status, clean(message), clean(found.get("output") or ""), not_implemented)
        )
    if tampering:
        first = tampering[0]
        grade.tampered = True
        problem = clean(
            f"tampering: the submission changed {', '.join(first['changed'])} ({first['when']}); "
            "the spec's results cannot be trusted, so this kata scores 0"
        )
        for test in grade.tests:
            if test.status == "pass":
                test.status, test.message = "fail", "not trusted: the submission tampered with the spec"
    if run.unsigned_lines:
        forged = f"{run.unsigned_lines} line(s) in the results file were not written by the grader and were ignored"
        problem = f"{problem}; {forged}" if problem else forged
    grade.problem = clean(problem)
    grade.tests.sort(key=lambda test: test.nodeid)
    return grade


def _problem(
    run: ChildRun,
    limits: Limits,
    running: str | None,
    exits: list[dict[str, Any]],
    internal: list[str],
    ended: bool,
    any_result: bool,
) -> str:
    """Why the kata's run did not end normally, in words; empty when it did."""
    during = f" during {running}" if running else (" before any test ran" if not any_result else "")
    if run.timed_out:
        return f"killed after {limits.kata_seconds:g} s (the kata's time limit){during}"
    if exits:
        code, nodeid = exits[0]["code"], exits[0]["nodeid"]
        return f"the submission called os._exit({code})" + (f" during {nodeid}" if nodeid else " outside any test")
    if ended and not internal:
        return ""
    memory = "MemoryError" in run.stderr_tail or "MemoryError" in run.stdout_tail
    if internal:
        reason = internal[0]
        if memory or reason.startswith("MemoryError"):
            return f"ran out of memory (limit {limits.memory_mb} MB){during}: {reason}"
        return f"the run stopped{during}: {reason}"
    if run.returncode is not None and run.returncode < 0:
        name = signal_name(run.returncode)
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"the process was killed by {name}{hint}{during}"
    if memory:
        return f"ran out of memory (limit {limits.memory_mb} MB){during}"
    return f"the process ended with exit code {run.returncode} without reporting{during}"


def _message(found: dict[str, Any]) -> tuple[str, bool]:
    group = found.get("group") or ""
    if group.startswith("not written yet: "):
        return "not implemented yet: " + group.removeprefix("not written yet: "), True
    message = found.get("problem") or "failed"
    if found.get("example"):
        message += f" — smallest failing input: {found['example']}"
    if found.get("where"):
        message += f" — look at: {found['where']}"
    return message, False


def _cleaner(paths: list[tuple[Path, str]]) -> Callable[[str], str]:
    """Replace run-specific text (temporary folders, memory addresses, control characters) so files repeat."""
    pairs = []
    for path, label in paths:
        for variant in {str(path), str(path.resolve())}:
            pairs.append((variant, label))
    pairs.sort(key=lambda pair: -len(pair[0]))

    def clean(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        text = _ADDRESS.sub("0x…", text)
        return _CONTROL.sub("�", text)

    return clean


def grade(
    impl: str, parent: Path, numbers: list[int], limits: Limits, progress: Callable[[str], None] = print
) -> Grade:
    """Grade the package ``impl`` (in folder ``parent``) on katas ``numbers``."""
    katas = [catalogue.by_number(n) for n in numbers]
    with tempfile.TemporaryDirectory(prefix="kata-grade-") as tmp:
        root = Path(tmp)
        started = time.monotonic()
        expected = collect(numbers, root / "collect")
        progress(f"collected the kit's spec in {time.monotonic() - started:.1f} s")
        grades: list[KataGrade] = []
        pristine = kit_digest()
        changed_in: int | None = None
        for kata in katas:
            if changed_in is not None:
                grades.append(not_graded(kata, expected[kata.number], changed_in))
                continue
            kata_grade, run = grade_kata(
                kata, impl, parent, expected[kata.number], limits, root / f"kata{kata.number:02d}"
            )
            if kit_digest() != pristine:  # the audit hook forbids it; this makes sure
                changed_in = kata.number
                kata_grade.tampered = True
                kata_grade.problem = (
                    "the kit's own files changed on disk while this kata was graded (by the submission, or by "
                    "someone editing the kit): its results cannot be trusted, so it scores 0"
                )
            grades.append(kata_grade)
            state = kata_grade.problem or ("all pass" if kata_grade.status == "pass" else "")
            progress(
                f"kata {kata.number:02d}: {kata_grade.passed}/{kata_grade.total} tests, "
                f"{kata_grade.score:g}/{kata.points} points, {run.seconds:.1f} s" + (f" — {state}" if state else "")
            )
    limits_record = {
        "test_seconds": limits.test_seconds,
        "kata_seconds": limits.kata_seconds,
        "memory_mb": limits.memory_mb,
        "file_mb": limits.file_mb,
    }
    notes = [GIVEN_NOTE, "hypothesis profile: ci (derandomized); PYTHONHASHSEED=0"]
    return Grade(impl, grades, limits_record, notes)


def kit_digest() -> str:
    """A hash of the kit's spec and grader files: they must not change while a submission is graded."""
    digest = hashlib.sha256()
    files = [
        *SPEC.glob("*.py"),
        *catalogue.KATAS_DIR.glob("*.py"),
        *(KIT / "kit").rglob("*.py"),
        catalogue.CATALOGUE_FILE,
    ]
    for path in sorted(files):
        digest.update(str(path.relative_to(KIT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def not_graded(kata: catalogue.Kata, expected: list[list[Any]], changed_in: int) -> KataGrade:
    """A kata left ungraded because an earlier one changed the kit: every test an error, 0 points."""
    reason = f"not graded: the kit's files were changed on disk while kata {changed_in:02d} was graded"
    grade = KataGrade(kata.number, kata.title, kata.points, problem=reason, tampered=True)
    grade.tests = sorted(
        (TestResult(nodeid, prop, "error", reason) for nodeid, _marker, prop in expected), key=lambda t: t.nodeid
    )
    return grade


# -------------------------------------------------------------- command


def add_arguments(command: argparse.ArgumentParser) -> None:
    """``kata grade``'s own options (``--impl`` and ``--timeout`` come from the common parser)."""
    command.add_argument("--path", help="grade the package in this folder (e.g. a learner repository's student/)")
    command.add_argument("--out", default=None, help="write the results here (default: grade-results.<ext>)")
    command.add_argument("--format", choices=FORMATS, default="json", help="results format (default: json)")
    command.add_argument("--kata", type=int, action="append", default=[], help="grade only kata N (repeatable)")
    command.add_argument("--kata-timeout", type=float, default=600.0, help="seconds per kata, all tests (default 600)")
    command.add_argument(
        "--memory", type=int, default=2048, help="address-space limit in MB, POSIX only (default 2048)"
    )


def say(text: str) -> None:
    """Progress goes to standard error: standard output stays clean for pipes."""
    print(text, file=sys.stderr, flush=True)


def cmd_grade(args: argparse.Namespace) -> int:
    """``kata grade``: 0 when the grade was written, 2 when grading could not run."""
    try:
        numbers = sorted(set(args.kata)) or [k.number for k in catalogue.load() if k.ready]
        for number in numbers:
            if not catalogue.by_number(number).ready:
                raise GradingError(f"kata {number} is planned, not ready: nothing to grade")
        impl, parent = locate(None if args.path else args.impl, args.path)
        limits = Limits(
            test_seconds=args.timeout,
            kata_seconds=args.kata_timeout,
            memory_mb=args.memory,
        )
        say(f"grading {impl!r} from {parent} with the kit's spec in {SPEC}")
        say(f"note: {GIVEN_NOTE}")
        started = time.monotonic()
        result = grade(impl, parent, numbers, limits, progress=say)
    except (GradingError, KeyError) as exc:
        say(f"kata grade: {exc.args[0] if exc.args else exc}")
        return 2
    extension = {"json": "json", "exercism": "json", "classroom": "b64", "junit": "xml"}[args.format]
    out = Path(args.out or f"grade-results.{extension}")
    try:
        out.write_text(WRITERS[args.format](result), encoding="utf-8", newline="\n")
    except OSError as exc:
        say(f"kata grade: cannot write {out}: {exc}")
        return 2
    say(f"score {result.score:g}/{result.max_score} ({result.status}) in {time.monotonic() - started:.1f} s → {out}")
    for problem in result.problems():
        say(f"  {problem}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kata grade", description=__doc__.splitlines()[0])
    parser.add_argument("--impl", default="student")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per test (default 30)")
    add_arguments(parser)
    return cmd_grade(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["Grade", "GradingError", "cmd_grade", "grade", "locate", "read_tail"]
