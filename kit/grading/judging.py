"""Turn what a kata's spec process reported into a kata's grade, believing only what the parent can check.

The parent knows, before the child starts, which tests the kata has (its own trusted collection,
against the reference). From the child (the spec's process, which never runs the submission) it reads
only lines signed with the key it gave it (:func:`kit.grading.trusted.verify_lines`). Then, step by step
(:func:`build_kata_grade`):

1. :func:`read_events` sorts the signed events: results, the test running when the run stopped,
   internal errors, whether the run reached its end;
2. :func:`run_problem` says in words why the run did not end normally (killed, out of memory, …);
3. :func:`judge_test` grades each expected test: a missing result is an error, and a *skip* is
   not a pass — it counts as failed unless it is one of :data:`TRUSTED_SKIPS`, skips the parent
   knows are right because it set up the child's environment (no ``$MNIST_DIR``).

Every text that reaches the results goes through :func:`make_cleaner`: run-specific paths and
memory addresses replaced (so files repeat), control characters and lone surrogates replaced
(so every format can encode it), and at most :data:`MESSAGE_LIMIT` characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from katas import catalogue

from .formats import KataGrade, TestResult
from .sandbox import ChildRun, Limits, signal_name

#: Characters kept of any one message or output.
MESSAGE_LIMIT = 2000
#: Skips the parent trusts, by message: the child never has ``$MNIST_DIR`` (see ``child_environment``).
TRUSTED_SKIPS = ("needs the full MNIST in $MNIST_DIR",)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")


@dataclass
class RunEvents:
    """The signed events of one child, sorted by kind."""

    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    running: str | None = None  # the test that started and never reported
    internal: list[str] = field(default_factory=list)
    ended: bool = False


def read_events(run: ChildRun) -> RunEvents:
    """Sort ``run``'s events; the first result of a test is the one that counts."""
    seen = RunEvents()
    for event in run.events:
        kind = event.get("event")
        if kind == "result":
            seen.results.setdefault(str(event.get("nodeid")), event)
            seen.running = None
        elif kind == "start":
            seen.running = str(event.get("nodeid"))
        elif kind == "internal":
            seen.internal.append(str(event.get("problem")))
        elif kind == "end":
            seen.ended = True
    return seen


def run_problem(run: ChildRun, limits: Limits, seen: RunEvents) -> str:
    """Why the kata's run did not end normally, in words; empty when it did."""
    running = seen.running
    during = f" during {running}" if running else (" before any test ran" if not seen.results else "")
    if run.timed_out and limits.cut_by_total:
        return f"cut at the grading's time limit (--total-timeout: {limits.total_seconds:g} s in all){during}"
    if run.timed_out:
        return f"killed after {limits.kata_seconds:g} s (the kata's time limit){during}"
    if seen.ended and not seen.internal:
        return ""
    memory = "MemoryError" in run.stderr_tail or "MemoryError" in run.stdout_tail
    if seen.internal:
        reason = seen.internal[0]
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


def test_names(expected: list[list[Any]]) -> list[str]:
    """A unique, readable name per expected test: its property, plus parameters, plus the function if repeated."""
    names: list[str] = []
    counts: dict[str, int] = {}
    for nodeid, _marker, prop, *_code in expected:
        name = prop + (" " + nodeid[nodeid.index("[") :] if "[" in nodeid.split("::")[-1] else "")
        counts[name] = counts.get(name, 0) + 1
        names.append(name if counts[name] == 1 else f"{name} ({nodeid.split('::')[-1]})")
    return names


def judge_test(
    nodeid: str, name: str, found: dict[str, Any] | None, problem: str, limits: Limits, clean: Callable[[str], str]
) -> TestResult:
    """One expected test's result from its signed event (``None``: it never reported)."""
    if found is None:
        reason = problem or "the run ended before this test reported"
        return TestResult(nodeid, name, "error", clean(f"not run to the end: {reason}"))
    status = str(found.get("status"))
    output = clean(str(found.get("output") or ""))
    if status == "pass":
        return TestResult(nodeid, name, "pass", "", output)
    if status == "skip":
        reason = str(found.get("problem") or "")
        if trusted_skip(reason):
            return TestResult(nodeid, name, "skip", clean(reason), output)
        said = reason.removeprefix("Skipped: ") or "no reason given"
        return TestResult(nodeid, name, "fail", clean(f"skipped ({said}): not a pass"), output)
    if status not in ("fail", "error"):
        return TestResult(nodeid, name, "error", clean(f"the run reported an unknown status {status!r}"), output)
    message, not_implemented = failure_message(found)
    if "[Errno 27]" in message:  # EFBIG: RLIMIT_FSIZE
        message += f" — output or a file reached the {limits.file_mb} MB limit"
    return TestResult(nodeid, name, status, clean(message), output, not_implemented)


def trusted_skip(reason: str) -> bool:
    """Whether a skip with this message is one the parent set up (it keeps these variables from the child)."""
    return reason.endswith(TRUSTED_SKIPS)


def failure_message(found: dict[str, Any]) -> tuple[str, bool]:
    """(the message of a failed test's event, whether it says "not implemented yet")."""
    group = str(found.get("group") or "")
    if group.startswith("not written yet: "):
        return "not implemented yet: " + group.removeprefix("not written yet: "), True
    message = str(found.get("problem") or "failed")
    if found.get("example"):
        message += f" — smallest failing input: {found['example']}"
    if found.get("where"):
        message += f" — look at: {found['where']}"
    return message, False


def build_kata_grade(
    kata: catalogue.Kata, expected: list[list[Any]], run: ChildRun, limits: Limits, clean: Callable[[str], str]
) -> KataGrade:
    """The grade of ``kata`` from the child ``run``, its tests in the order of the spec's file."""
    seen = read_events(run)
    problem = run_problem(run, limits, seen)
    grade = KataGrade(kata.number, kata.title, kata.points)
    for (nodeid, _marker, _prop, *code), name in zip(expected, test_names(expected), strict=True):
        test = judge_test(nodeid, name, seen.results.get(nodeid), problem, limits, clean)
        test.code = "".join(code)
        grade.tests.append(test)
    if run.unsigned_lines:
        forged = f"{run.unsigned_lines} line(s) in the results file were not written by the grader and were ignored"
        problem = f"{problem}; {forged}" if problem else forged
    grade.problem = clean(problem)
    return grade


def refused_grade(kata: catalogue.Kata, expected: list[list[Any]], reason: str) -> KataGrade:
    """A kata not run at all (the submission was refused, or the kit changed): every test an error, 0 points."""
    grade = KataGrade(kata.number, kata.title, kata.points, problem=reason, tampered=True)
    grade.tests = [
        TestResult(nodeid, name, "error", reason, code="".join(code))
        for (nodeid, _m, _p, *code), name in zip(expected, test_names(expected), strict=True)
    ]
    return grade


def safe_text(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` with control characters and lone surrogates replaced, cut to ``limit`` characters."""
    text = _CONTROL.sub("�", text)
    if len(text) > limit:
        text = text[:limit] + f"… [{len(text) - limit} more characters cut]"
    return text


def make_cleaner(paths: list[tuple[Path | str, str]]) -> Callable[[str], str]:
    """Replace run-specific text (folders, memory addresses), then make it safe (:func:`safe_text`)."""
    pairs = []
    for path, label in paths:
        for variant in {str(path), str(Path(path).resolve())}:
            pairs.append((variant, label))
    pairs.sort(key=lambda pair: -len(pair[0]))

    def clean(text: str) -> str:
        text = text[: MESSAGE_LIMIT * 4]
        for old, new in pairs:
            text = text.replace(old, new)
        return safe_text(_ADDRESS.sub("0x…", text))

    return clean
