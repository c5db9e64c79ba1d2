"""From the grader's JSON to what an instructor needs: flags for the gradebook, files to hand back.

``kata grade --format json`` is the one file the class run asks the grader for. It lists each
kata's score and its failing tests; the kit's own collection (run once per class, trusted)
lists every graded test with its property in words. Together they rebuild the
:class:`~kit.grading.formats.Grade`, which :mod:`kit.grading.formats` writes in the other three
formats, so a learner gets exercism, Classroom or JUnit results without being graded twice.
"""

from __future__ import annotations

import re
from typing import Any

from kit.grading.formats import WRITERS, Grade, KataGrade, TestResult

#: Flag → words in a kata's problem (or a test's message, for timeouts) that raise it, lower case.
FLAG_WORDS: dict[str, tuple[str, ...]] = {
    "refused by the source check": ("source check", "refused"),
    "timed out": ("timed out", "time limit"),
    "tampering": ("tamper", "changed on disk", "not trusted"),
    "out of memory": ("out of memory", "memoryerror"),
    "crashed": ("killed by", "exit code", "os._exit", "the run stopped", "ended before"),
}
EXTENSIONS = {"json": "json", "exercism": "json", "classroom": "b64", "junit": "xml"}
_EXAMPLE = re.compile(r"smallest failing input: (.*?)(?: — look at: |$)", re.S)


def flags(data: dict[str, Any]) -> list[str]:
    """What an instructor should look at in one grade, in words, in a fixed order."""
    texts = [str(data.get(key) or "") for key in ("problem", "message", "refused", "source_check")]
    for kata in data.get("katas", []):
        texts.append(kata.get("problem") or "")
        texts += [f"{failure.get('message', '')[:40]}" for failure in kata.get("failures", [])]
    lowered = " \n".join(texts).lower()
    return [flag for flag, words in FLAG_WORDS.items() if any(word in lowered for word in words)]


def counterexample(message: str) -> str:
    """The shrunk input quoted in a failure message, or empty.

    >>> counterexample("expected 3.0, got -3.0 — smallest failing input: a=1.0, b=2.0 — look at: value.py:12")
    'a=1.0, b=2.0'
    """
    found = _EXAMPLE.search(message)
    return found.group(1).strip() if found else ""


def property_name(nodeid: str, text: str) -> str:
    """The test's name as the grader writes it: its property in words, plus the parameters if any."""
    last = nodeid.split("::")[-1]
    return text + (" " + last[last.index("[") :] if "[" in last else "")


def to_grade(data: dict[str, Any], properties: dict[str, dict[str, Any]]) -> Grade:
    """Rebuild the grade from the grader's JSON and the collected properties (nodeid → kata, text)."""
    katas = []
    for kata in data["katas"]:
        failing = {failure["test"]: failure for failure in kata["failures"]}
        # In the spec's order, as the grader writes them (the collection keeps it), then any test it did not list.
        listed = [n for n, p in properties.items() if p["kata"] == kata["kata"]]
        nodeids = listed + sorted(set(failing) - set(listed))
        grade = KataGrade(kata["kata"], kata["title"], kata["points"], problem=kata.get("problem", ""))
        for nodeid in nodeids:
            text = properties.get(nodeid, {}).get("text") or nodeid.split("::")[-1]
            code = properties.get(nodeid, {}).get("code", "")
            failure = failing.get(nodeid)
            if failure is None:
                grade.tests.append(TestResult(nodeid, property_name(nodeid, text), "pass", code=code))
                continue
            message = failure.get("message", "")
            grade.tests.append(
                TestResult(
                    nodeid,
                    property_name(nodeid, text),
                    failure["status"],
                    message,
                    not_implemented=message.startswith("not implemented yet"),
                    code=code,
                )
            )
        if (grade.passed, grade.total) != (kata["passed"], kata["total"]):
            raise ValueError(
                f"kata {kata['kata']}: the grade lists {kata['passed']}/{kata['total']} passing but the kit's "
                f"collection gives {grade.passed}/{grade.total}: was it graded by another version of the kit?"
            )
        grade.tampered = grade.score != kata["score"] and kata["score"] == 0
        katas.append(grade)
    isolation = data.get("isolation", "in-process")
    return Grade(data["implementation"], katas, data.get("limits", {}), data.get("notes", []), isolation)


def render(data: dict[str, Any], fmt: str, properties: dict[str, dict[str, Any]], original: str) -> str:
    """The learner's results file in ``fmt``; the grader's own bytes for ``json``."""
    if fmt == "json":
        return original
    return WRITERS[fmt](to_grade(data, properties))
