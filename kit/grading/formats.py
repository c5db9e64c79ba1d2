"""A grade as data, and the four files ``kata grade`` writes from it.

- ``json``: the plain summary, the score per kata (this kit's own format);
- ``exercism``: Exercism's test-runner ``results.json``, version 3
  (https://exercism.org/docs/building/tooling/test-runners/interface): ``status``
  pass/fail, or ``error`` only when every test errored (nothing could run), ``message``
  then, and ``tests[]`` in the order of the spec's files with ``name``, ``status``, ``message``,
  ``output`` (at most 500 characters, cut with the interface's notice), ``test_code`` (the test's
  own source) and ``task_id`` (the kata's number); the interface is vendored in ``tests/vendor/``;
- ``classroom``: GitHub Classroom's autograding result, base64-encoded JSON, as the
  ``classroom-resources/autograding-grading-reporter`` action reads it: for each runner id
  listed in its ``runners`` input it base64-decodes the environment variable
  ``<RUNNER>_RESULTS`` and parses ``{"version": 1, "status": …, "max_score": N, "tests":
  [{"name", "status", "score", "message", "test_code", "filename", "line_no",
  "duration"}]}``; the points it posts are the sum of the tests' ``score`` out of the sum
  of ``max_score`` (its src/main.js and src/notify-classroom.js; the single-test payload
  is the one autograding-command-grader writes). One entry per kata here, scored with
  the kata's points, so the Classroom total is the kit's total. The reporter adds the scores as
  JavaScript numbers, so each is a whole number of quarter points (exact in binary floating
  point): 4.75 + 2.25 is 7, never 7.0000000000000001;
- ``junit``: JUnit XML, one ``testsuite`` per kata, one ``testcase`` per spec test, valid against the
  Jenkins xunit plugin's ``junit-10.xsd`` (vendored in ``tests/vendor/``).

Every format is sorted and carries no timings, so grading the same submission again
gives the same bytes.
"""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

FORMATS = ("json", "exercism", "classroom", "junit")
#: Exercism's limit on a test's ``output``.
EXERCISM_OUTPUT = 500
#: Exercism's notice for output cut at :data:`EXERCISM_OUTPUT` characters (its interface's words).
TRUNCATED = "Output was truncated. Please limit to 500 chars"
#: Characters of the first failure quoted in a Classroom entry's message.
CLASSROOM_MESSAGE = 300
#: What no format can carry: lone surrogates (not UTF-8) and the characters XML 1.0 forbids.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Scores are whole multiples of 1/STEPS points: quarter points add up exactly in floating point.
STEPS = 4


@dataclass
class TestResult:
    """One graded spec test."""

    nodeid: str
    name: str  # the property in words (the test's docstring), plus the parameters when parametrized
    status: str  # pass, fail, error (it could not run to the end: killed, crashed, not trusted) or skip
    message: str = ""
    output: str = ""
    not_implemented: bool = False
    code: str = ""  # the test's own source (its body), for Exercism's test_code

    @property
    def function(self) -> str:
        return self.nodeid.split("::")[-1]

    @property
    def module(self) -> str:
        return self.nodeid.split("::")[0].removesuffix(".py").replace("/", ".")


@dataclass
class KataGrade:
    """One kata's grade."""

    number: int
    title: str
    points: int
    tests: list[TestResult] = field(default_factory=list)
    problem: str = ""  # why the kata could not be graded normally (killed, crashed, tampering), else empty
    tampered: bool = False

    @property
    def graded(self) -> list[TestResult]:
        return [test for test in self.tests if test.status != "skip"]

    @property
    def passed(self) -> int:
        return sum(test.status == "pass" for test in self.graded)

    @property
    def total(self) -> int:
        return len(self.graded)

    @property
    def steps(self) -> int:
        """The score in quarter points: points × passed ÷ total, rounded down (0 when tampered or nothing graded).

        Rounded down, so that full points mean every test passed.
        """
        if self.tampered or not self.total:
            return 0
        return self.points * self.passed * STEPS // self.total

    @property
    def score(self) -> float:
        return self.steps / STEPS

    @property
    def status(self) -> str:
        if self.problem:
            return "error"
        return "pass" if self.total and self.passed == self.total else "fail"


@dataclass
class Grade:
    """A whole grading: the submission, the limits it ran under, and every kata's grade."""

    implementation: str
    katas: list[KataGrade]
    limits: dict[str, float]
    notes: list[str]
    isolation: str = "in-process"

    @property
    def score(self) -> float:
        return sum(kata.steps for kata in self.katas) / STEPS

    @property
    def max_score(self) -> int:
        return sum(kata.points for kata in self.katas)

    @property
    def status(self) -> str:
        if any(kata.status == "error" for kata in self.katas):
            return "error"
        return "pass" if all(kata.status == "pass" for kata in self.katas) else "fail"

    @property
    def exercism_status(self) -> str:
        """``error`` only when every test errored (none could run), as Exercism's interface asks."""
        tests = [test for kata in self.katas for test in kata.graded]
        if tests and all(test.status == "error" for test in tests):
            return "error"
        return "pass" if self.status == "pass" else "fail"

    def problems(self) -> list[str]:
        return [f"kata {kata.number:02d}: {kata.problem}" for kata in self.katas if kata.problem]


def _number(value: float) -> float | int:
    """5.0 → 5, 4.76 → 4.76: the same number, written the same way every time."""
    return int(value) if float(value).is_integer() else value


def writable(text: str) -> str:
    """``text`` with what no format can carry replaced by U+FFFD (the grader cleans messages; this is the last net)."""
    return _UNWRITABLE.sub("\ufffd", text)


def to_json(grade: Grade) -> str:
    data = {
        "format": "nn-katas-grade",
        "version": 1,
        "implementation": grade.implementation,
        "isolation": grade.isolation,
        "status": grade.status,
        "score": _number(grade.score),
        "max_score": grade.max_score,
        "scoring": "per kata: points × passed ÷ graded tests, rounded down to a quarter point; "
        "0 for a kata whose run was tampered with or whose source was refused; a skip is not a pass",
        "limits": grade.limits,
        "notes": grade.notes,
        "katas": [
            {
                "kata": kata.number,
                "title": kata.title,
                "status": kata.status,
                "points": kata.points,
                "score": _number(kata.score),
                "passed": kata.passed,
                "total": kata.total,
                "not_implemented": sum(test.not_implemented for test in kata.graded),
                "problem": kata.problem,
                "failures": [
                    {"test": test.nodeid, "status": test.status, "message": test.message}
                    for test in kata.graded
                    if test.status != "pass"
                ],
            }
            for kata in grade.katas
        ],
    }
    return writable(json.dumps(data, indent=1, sort_keys=False, ensure_ascii=False)) + "\n"


def to_exercism(grade: Grade) -> str:
    tests = []
    for kata in grade.katas:
        for test in kata.tests:
            if test.status == "skip":
                continue
            entry: dict[str, object] = {
                "name": test.name,
                "status": test.status,
                "test_code": test.code,
                "task_id": kata.number,
            }
            if test.status != "pass":
                entry["message"] = test.message
            if test.output:
                entry["output"] = exercism_output(test.output)
            tests.append(entry)
    data: dict[str, object] = {"version": 3, "status": grade.exercism_status}
    if grade.exercism_status == "error":
        data["message"] = "; ".join(grade.problems())
    data["tests"] = tests
    return writable(json.dumps(data, indent=1, ensure_ascii=False)) + "\n"


def exercism_output(output: str) -> str:
    """At most :data:`EXERCISM_OUTPUT` characters, ending with :data:`TRUNCATED` when cut."""
    if len(output) <= EXERCISM_OUTPUT:
        return output
    return output[: EXERCISM_OUTPUT - len(TRUNCATED) - 1] + "\n" + TRUNCATED


def classroom_payload(grade: Grade) -> dict[str, object]:
    tests = []
    for kata in grade.katas:
        failing = [test for test in kata.graded if test.status != "pass"]
        message = f"{kata.passed}/{kata.total} tests pass, {_number(kata.score)}/{kata.points} points"
        if kata.problem:
            message += f"; kata {kata.number:02d} ({kata.title}) did not run normally: {kata.problem}"
        elif failing:
            message += f"; first failure: {failing[0].name}: {failing[0].message}"[:CLASSROOM_MESSAGE]
        tests.append(
            {
                "name": f"kata {kata.number:02d} · {kata.title}",
                "status": kata.status,
                "score": _number(kata.score),
                "message": message,
                "test_code": f"kata grade --kata {kata.number}",
                "filename": "",
                "line_no": 0,
                "duration": 0,
            }
        )
    return {"version": 1, "status": grade.status, "max_score": grade.max_score, "tests": tests}


def to_classroom(grade: Grade) -> str:
    payload = writable(json.dumps(classroom_payload(grade), ensure_ascii=False, separators=(",", ":")))
    return base64.b64encode(payload.encode("utf-8")).decode("ascii") + "\n"


def to_junit(grade: Grade) -> str:
    def counts(tests: list[TestResult]) -> dict[str, str]:
        return {
            "tests": str(len(tests)),
            "failures": str(sum(t.status == "fail" for t in tests)),
            "errors": str(sum(t.status == "error" for t in tests)),
        }

    everything = [test for kata in grade.katas for test in kata.tests]
    root = ET.Element("testsuites", {"name": f"nn-katas · {grade.implementation}", **counts(everything)})
    for kata in grade.katas:
        skipped = str(sum(t.status == "skip" for t in kata.tests))  # junit-10.xsd: on testsuite, not testsuites
        suite = ET.SubElement(
            root,
            "testsuite",
            {"name": f"kata{kata.number:02d} · {kata.title}", **counts(kata.tests), "skipped": skipped},
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("points", kata.points),
            ("score", _number(kata.score)),
            ("problem", kata.problem),
            ("isolation", grade.isolation),
        ):
            ET.SubElement(properties, "property", {"name": name, "value": str(value)})
        for test in kata.tests:
            case = ET.SubElement(suite, "testcase", {"classname": test.module, "name": test.function})
            if test.status in ("fail", "error"):
                tag = "failure" if test.status == "fail" else "error"
                ET.SubElement(case, tag, {"message": test.message[:500]}).text = f"{test.name}\n{test.message}"
            elif test.status == "skip":
                ET.SubElement(case, "skipped", {"message": test.message[:500]})
            if test.output:
                ET.SubElement(case, "system-out").text = exercism_output(test.output)
    for element in root.iter():
        element.text = writable(element.text) if element.text else element.text
        for name, value in element.attrib.items():
            element.set(name, writable(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


WRITERS = {"json": to_json, "exercism": to_exercism, "classroom": to_classroom, "junit": to_junit}
