"""``kata grade``: grade a submission, kata by kata, judged where the submission's code never runs.

    kata grade --impl NAME            an importable package (default: student)
    kata grade --path DIR             the package in folder DIR (e.g. a learner repository's student/)
    kata grade --out FILE --format exercism|classroom|junit|json
    kata grade --kata 3 --kata 4      only these katas
    kata grade --timeout 30 --kata-timeout 600 --memory 2048   the limits (per test, per kata, MB)

Each kata's spec runs in its own process, which never imports the submission: it reaches the
submission through a worker process that holds it (:func:`kit.grading.sandbox.run_split`), started
with limits, as an unprivileged user when the grader is root, and in namespaces where they work
(:mod:`kit.grading.isolation`). Only plain data crosses back, so nothing the submission does can
reach the spec's assertions, its oracle, Hypothesis or the report. The spec is always the kit's own
``spec_tests`` (the folder next to this package), never a copy in the submission; with the
derandomized ``ci`` Hypothesis profile; without the tests marked ``given`` (they check code the
kit hands out, which passes on the skeleton). The static check (:mod:`kit.grading.screen`) is
advice in the results, except for compiled modules, which are refused. The grade is written
whatever the submission does: the command exits 0 when grading worked, and 2 only when it could
not grade at all (bad arguments, the kit itself broken).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib.util
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from katas import catalogue
from katas.catalogue import KIT_ROOT as KIT

from . import isolation, reaper, screen
from .formats import FORMATS, WRITERS, Grade, KataGrade
from .judging import build_kata_grade, make_cleaner, refused_grade
from .output import unwritable, write_atomically
from .sandbox import ChildRun, Limits, child_environment, read_tail, run_split
from .staging import copy_submission
from .trusted import RESERVED

SPEC = KIT / "spec_tests"
#: The spec's pytest settings, relative to the kit's root (shipped in the wheel; a clone's pyproject.toml agrees).
SPEC_INI = "spec_tests/spec.ini"
GIVEN_NOTE = (
    "tests marked `given` are not graded: they check code the kit gives the learner, which passes on the skeleton"
)


#: Where the CPUs of this grading's katas start (``kata grade-class`` gives each grader it runs at once its own).
FIRST_CPU = "KATA_GRADE_FIRST_CPU"
#: The last line of ``kata grade`` when it could not grade (exit 2): no results file is written.
NOTHING_GRADED = "nothing was graded and no results were written (exit 2): the kit or this machine failed, not the code"


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


def spec_files(number: int, kit: Path = KIT) -> list[Path]:
    """The spec file(s) of kata ``number`` in ``kit`` (the kit, or a grading's copy of it)."""
    files = catalogue.by_number(number).spec_files(kit)
    if not files:
        raise GradingError(f"the kit has no spec for kata {number} in {kit / 'spec_tests'}")
    return files


def common_pytest_args(limits: Limits, kit: Path) -> list[str]:
    """pytest's options for a graded run of the kit (the grading's copy) ``kit``."""
    args = [
        "--rootdir",
        str(kit),
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
        "--no-header",  # the header imports the submission: its failures belong to the tests
        "-c",
        str(kit / SPEC_INI),  # the spec's settings, the same in a clone and in an installed kit
    ]
    return args


def stage_kit(folder: Path) -> Path:
    """A copy of the kit's graded parts (:data:`isolation.KIT_PARTS`: spec, catalogue, grader) in ``folder``,
    sources only: every graded child runs the kit from this copy, never from the kit's own folder, so a
    ``.pyc`` planted in that folder's ``__pycache__`` (or a file put beside the spec) never reaches a grade."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
    for part in isolation.KIT_PARTS:
        source = KIT / part
        if source.is_dir():
            shutil.copytree(source, folder / part, ignore=ignore)
        elif source.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / part)
    return folder


def stage_submission(parent: Path, impl: str, folder: Path) -> tuple[Path, list[str]]:
    """A copy of the submission's sources alone (no ``__pycache__``: its bytecode is never loaded) in
    ``folder``: (``folder``, the parent folder to grade the copy from; what was skipped and why: special
    files, links out of the package, huge files, :mod:`kit.grading.staging`)."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder, copy_submission(parent / impl, folder / impl)


def collect(numbers: list[int], workdir: Path, kit: Path, impl: str | None = None) -> dict[int, list[list[Any]]]:
    """The graded tests of each kata in the spec's order, by a trusted collection (no submission) of the
    kit's copy ``kit`` (:func:`stage_kit`).

    It also compiles the copy's bytecode (the spec, the catalogue, the grader), which the graded
    children then read and cannot write. A submission named ``impl`` after a module the spec itself
    imports (``rich``, ``pluggy``, …) is refused here: it would be run in the spec's place.
    """
    workdir, kit = workdir.resolve(), kit.resolve()  # the child runs in workdir: no path may stay relative
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "collected.json"
    files = [str(f) for n in numbers for f in spec_files(n, kit)]
    boot = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); from kit.grading.trusted import collect_main; collect_main()"
    )
    command = [sys.executable, "-c", boot, str(kit), str(out), *files, *common_pytest_args(Limits(), kit)]
    command += ["--basetemp", str(workdir / "tmp"), "--impl", "reference"]
    env = child_environment(workdir, "reference", kit)
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, check=False, timeout=600)
    if not out.is_file() or json.loads(out.read_text(encoding="utf-8"))["status"] != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise GradingError("the kit's spec could not be collected:\n" + "\n".join(tail))
    collected = json.loads(out.read_text(encoding="utf-8"))
    if impl in collected["modules"]:
        raise GradingError(f"cannot grade a package named {impl!r}: the spec itself imports a module of that name")
    tests = collected["tests"]
    found: dict[int, list[list[Any]]] = {n: [] for n in numbers}
    for entry in tests:  # [nodeid, kata marker, property, source]
        marker = entry[1]
        if marker is not None and catalogue.by_marker(marker).number in found:
            found[catalogue.by_marker(marker).number].append(entry)
    for number, entries in found.items():
        if not entries:
            raise GradingError(f"the kit's spec has no graded tests for kata {number}")
    return found


# ---------------------------------------------------------------- grading


def grade_kata(
    kata: catalogue.Kata,
    impl: str,
    parent: Path,
    expected: list[list[Any]],
    limits: Limits,
    workdir: Path,
    mode: str = isolation.IN_PROCESS,
    kit: Path = KIT,
    deadline: float | None = None,
    cpus: queue.Queue[int] | None = None,
) -> tuple[KataGrade, ChildRun | None]:
    """Run kata ``kata``'s spec from ``kit`` (the grading's copy of the kit) against the copy of the submission
    in ``parent`` (the spec's process and the submission's worker, :func:`kit.grading.sandbox.run_split`),
    and turn what the spec's process reported into a grade.

    ``deadline`` (``time.monotonic()``) ends the whole grading: a kata that starts after it is not graded
    (no run), and one that starts before it runs at most until then. ``cpus``: the CPUs free for a kata
    (katas graded at the same time each take one, and give it back)."""
    if deadline is not None:
        left = deadline - time.monotonic()
        if left < 1.0:
            return refused_grade(kata, expected, OUT_OF_TIME), None
        if left < limits.kata_seconds:
            limits = dataclasses.replace(limits, kata_seconds=left, cut_by_total=True)
    args = [str(f) for f in spec_files(kata.number, kit)]
    args += common_pytest_args(limits, kit)
    args += ["--impl", impl, "--kata", str(kata.number)]
    cpu = cpus.get() if cpus is not None else None
    try:
        run = run_split(kit, impl, parent, args, workdir, limits, mode, KIT, workdir.parent, cpu)
    finally:
        if cpus is not None and cpu is not None:
            cpus.put(cpu)
    clean = make_cleaner(
        [
            (workdir, "<tmp>"),
            (isolation.WORKDIR, "<tmp>"),
            (parent, "<submission>"),
            (isolation.SUBMISSION, "<submission>"),
            (kit, "<kit>"),
            (KIT, "<kit>"),
        ]
    )
    return build_kata_grade(kata, expected, run, limits, clean), run


def grade(
    impl: str,
    parent: Path,
    numbers: list[int],
    limits: Limits,
    progress: Callable[[str], None] = print,
    mode: str = isolation.IN_PROCESS,
    jobs: int = 1,
) -> Grade:
    """Grade the package ``impl`` (in folder ``parent``) on katas ``numbers``, isolated by ``mode``.

    The kit and the submission are copied first (:func:`stage_kit`, :func:`stage_submission`): every
    kata is graded from these copies. ``jobs`` katas run at the same time, each in its own pair of
    processes; the grades come out in kata order and do not depend on ``jobs``.
    """
    katas = [catalogue.by_number(n) for n in numbers]
    deadline = time.monotonic() + limits.total_seconds if limits.total_seconds else None
    with tempfile.TemporaryDirectory(prefix="kata-grade-", dir=isolation.grading_parent()) as tmp:
        root = Path(tmp)
        started = time.monotonic()
        kit = stage_kit(root / "kit")
        expected = collect(numbers, root / "collect", kit, impl)
        progress(f"collected the kit's spec in {time.monotonic() - started:.1f} s")
        submission, skipped = stage_submission(parent, impl, root / "submission")
        if skipped:
            progress(f"skipped before grading: {'; '.join(skipped[:5])}")
        findings = screen.check_package(submission / impl)
        # the spec cannot be reached from the worker: what the check finds is advice, and only what must not run
        # at all (a compiled module) is refused
        advice = [screen.advice(findings)] if any(not f.compiled for f in findings) else []
        findings = [finding for finding in findings if finding.compiled]
        if findings:
            progress(screen.refusal(findings))
            grades = [refused_grade(kata, expected[kata.number], screen.refusal(findings)) for kata in katas]
        else:
            pristine = kit_digest(kit)  # before any child starts
            cpus: queue.Queue[int] = queue.Queue()
            first = os.environ.get(FIRST_CPU, "")
            offset = int(first) if first.isdigit() else 0
            for index in range(max(1, jobs)):
                cpus.put(offset + index)
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                runs = [
                    pool.submit(grade_kata, kata, impl, submission, expected[kata.number], limits,
                                root / f"kata{kata.number:02d}", mode, kit, deadline, cpus)
                    for kata in katas
                ]  # fmt: skip
                grades = gather(katas, runs, expected, lambda: kit_digest(kit) == pristine, progress, deadline)
    limits_record = {
        "test_seconds": limits.test_seconds,
        "kata_seconds": limits.kata_seconds,
        "memory_mb": limits.memory_mb,
        "file_mb": limits.file_mb,
        "tmp_mb": limits.tmp_mb,
        **({"total_seconds": limits.total_seconds} if limits.total_seconds else {}),
    }
    notes = [GIVEN_NOTE, "hypothesis profile: ci (derandomized); PYTHONHASHSEED=0", ISOLATION_NOTES[mode]]
    if skipped:
        shown = "; ".join(skipped[:10]) + (f" (and {len(skipped) - 10} more)" if len(skipped) > 10 else "")
        notes.append(f"skipped before grading (never copied, never read): {shown}")
    user = isolation.worker_user()
    where = (" in namespaces" if mode == isolation.NAMESPACES else "") + (f" as {user[0]!r}" if user else "")
    notes.append(SPLIT_NOTE.format(where=where))
    notes += [note for note in (isolation.worker_user_note(), *advice) if note]
    if mode == isolation.IN_PROCESS and isolation.is_checkout(KIT):
        notes.append(
            "in-process: this kit is a checkout whose reference/ the worker's user may be able to read "
            "(a hook refuses it, which determined code can get around): grade with namespaces to hide it"
        )
    return Grade(impl, grades, limits_record, notes, mode)


def gather(
    katas: list[catalogue.Kata],
    runs: list[Future[tuple[KataGrade, ChildRun | None]]],
    expected: dict[int, list[list[Any]]],
    unchanged: Callable[[], bool],
    progress: Callable[[str], None],
    deadline: float | None = None,
) -> list[KataGrade]:
    """The katas' grades in order, as their runs finish; once ``unchanged()`` says the kit's files differ
    from what they were before any child started, no later kata is trusted."""
    grades: list[KataGrade] = []
    changed_in: int | None = None
    for kata, future in zip(katas, runs, strict=True):
        if changed_in is not None:
            future.cancel()
            reason = f"not graded: the kit's files were changed on disk while kata {changed_in:02d} was graded"
            grades.append(refused_grade(kata, expected[kata.number], reason))
            continue
        kata_grade, run = future.result()
        if run is None:  # not run: the grading's time ran out
            grades.append(kata_grade)
            progress(f"kata {kata.number:02d}: {OUT_OF_TIME}")
            continue
        said = {event.get("event") for event in run.events}
        if not {"collected", "worker_ready"} <= said:  # no submission code can have run yet: not the learner's 0
            if run.timed_out and deadline is not None and time.monotonic() >= deadline - 1.0:
                grades.append(refused_grade(kata, expected[kata.number], OUT_OF_TIME))  # cut by the total limit
                continue
            raise GradingError(could_not_start(kata, run))
        if not unchanged():  # the worker's user, the read-only copies and the sandbox forbid it; this makes sure
            kata_grade.tampered, kata_grade.problem, changed_in = True, KIT_CHANGED, kata.number
        grades.append(kata_grade)
        state = kata_grade.problem or ("all pass" if kata_grade.status == "pass" else "")
        progress(
            f"kata {kata.number:02d}: {kata_grade.passed}/{kata_grade.total} tests, "
            f"{kata_grade.score:g}/{kata.points} points, {run.seconds:.1f} s" + (f" — {state}" if state else "")
        )
    return grades


def could_not_start(kata: catalogue.Kata, run: ChildRun) -> str:
    """Why grading cannot run here: kata ``kata``'s spec was not collected, or no worker ever booted.

    A submission's code runs only in a worker that has booted (it says so before importing the submission),
    once the spec is collected and a test asks for it, so a run that never got that far failed for the kit's or
    the machine's reasons (the sandbox could not start Python, the kit's spec did not import): the grader says
    so instead of scoring a 0 nobody earned.
    """
    how = "was killed at the kata's time limit" if run.timed_out else f"ended with exit code {run.returncode}"
    if any(event.get("event") == "collected" for event in run.events):
        what = f"no worker could boot to run the submission (the spec's process {how})"
    else:
        what = f"the spec's process {how} before the spec was collected"
    tail = "\n".join((run.stderr_tail or run.stdout_tail).strip().splitlines()[-12:])
    return (
        f"grading cannot run here: kata {kata.number:02d}: {what}, before any of the submission's code ran "
        f"(nothing was graded):\n{tail}"
    )


OUT_OF_TIME = "not graded: the grading's time limit (--total-timeout) ran out before this kata could run"
KIT_CHANGED = (
    "the kit's own files changed on disk while this kata was graded (by the submission, or by "
    "someone editing the kit): its results cannot be trusted, so it scores 0"
)
ISOLATION_NOTES = {
    isolation.NAMESPACES: "isolation: namespaces (bubblewrap: no network, no reference, read-only kit and submission)",
    isolation.IN_PROCESS: "isolation: in-process (namespaces unavailable or not asked for: the worker is a plain "
    "process, with limits, and another user only when the grader is root)",
}
SPLIT_NOTE = (
    "split: the spec judged in its own process, which never ran the submission; the submission ran in a worker "
    "process{where}, and only plain data crossed between them"
)


def kit_digest(*kits: Path) -> str:
    """A hash of the spec and grader files of the kit and of ``kits`` (a grading's copies of it): none
    of them may change while a submission is graded."""
    digest = hashlib.sha256()
    for root in (KIT, *kits):
        files = [*(root / "spec_tests").glob("*.py"), *(root / "katas").glob("*.py"), *(root / "kit").rglob("*.py")]
        files += [root / catalogue.CATALOGUE_FILE.relative_to(KIT), root / SPEC_INI]
        for path in sorted(files):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# -------------------------------------------------------------- command


def add_arguments(command: argparse.ArgumentParser) -> None:
    """``kata grade``'s own options (``--impl`` and ``--timeout`` come from the common parser)."""
    command.add_argument("--path", help="grade the package in this folder (e.g. a learner repository's student/)")
    command.add_argument("--out", default=None, help="write the results here (default: grade-results.<ext>)")
    command.add_argument("--format", choices=FORMATS, default="json", help="results format (default: json)")
    command.add_argument("--kata", type=int, action="append", default=[], help="grade only kata N (repeatable)")
    command.add_argument("--kata-timeout", type=float, default=600.0, help="seconds per kata, all tests (default 600)")
    command.add_argument(
        "--total-timeout",
        type=float,
        default=None,
        help="seconds for the whole grading: katas not done by then are not graded (default: no such limit)",
    )
    command.add_argument(
        "--memory", type=int, default=2048, help="address-space limit in MB, POSIX only (default 2048)"
    )
    command.add_argument(
        "--jobs",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="katas graded at the same time, each in its own processes (default: the CPUs, at most 4)",
    )
    command.add_argument(
        "--isolation",
        choices=isolation.CHOICES,
        default="auto",
        help=f"namespaces (bubblewrap), in-process (a plain worker), or auto: ${isolation.ENV}, else namespaces "
        "when they work here (default auto)",
    )


def say(text: str) -> None:
    """Progress goes to standard error: standard output stays clean for pipes."""
    print(text, file=sys.stderr, flush=True)


def cmd_grade(args: argparse.Namespace) -> int:
    """``kata grade``: 0 when the grade was written, 2 when grading could not run."""
    extension = {"json": "json", "exercism": "json", "classroom": "b64", "junit": "xml"}[args.format]
    out = Path(args.out or f"grade-results.{extension}").absolute()
    try:
        numbers = sorted(set(args.kata)) or [k.number for k in catalogue.load() if k.ready]
        for number in numbers:
            if not catalogue.by_number(number).ready:
                raise GradingError(f"kata {number} is planned, not ready: nothing to grade")
        impl, parent = locate(None if args.path else args.impl, args.path)
        problem = unwritable(out)
        if problem:
            raise GradingError(f"--out: {problem}")
        mode = isolation.choose(getattr(args, "isolation", "auto"))
        limits = Limits(
            test_seconds=args.timeout,
            kata_seconds=args.kata_timeout,
            memory_mb=args.memory,
            total_seconds=getattr(args, "total_timeout", None),
        )
        say(f"grading {impl!r} from {parent} with the kit's spec in {SPEC}")
        say(f"isolation: {mode}")
        say(f"note: {GIVEN_NOTE}")
        started = time.monotonic()
        with reaper.Adoption() as adoption:  # a process a submission left behind comes to us, and ends here
            result = grade(impl, parent, numbers, limits, progress=say, mode=mode, jobs=getattr(args, "jobs", 1))
            orphans = adoption.end()
    except (GradingError, isolation.IsolationError, KeyError) as exc:
        say(f"kata grade: {exc.args[0] if exc.args else exc}")
        say(f"kata grade: {NOTHING_GRADED}")
        return 2
    if orphans:
        say(f"kata grade: ended {orphans} process(es) the submission left behind")
    try:
        write_atomically(out, WRITERS[args.format](result))
    except OSError as exc:
        say(f"kata grade: cannot write {out}: {exc}")
        return 2
    say(
        f"score {result.score:g}/{result.max_score} ({result.status}) in {time.monotonic() - started:.1f} s, "
        f"isolation {mode} → {out}"
    )
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
