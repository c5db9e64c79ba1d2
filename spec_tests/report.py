"""What a learner sees at the end of a spec run: one table of katas, one short block per failure.

Each failure block says, in this order: the property in plain words (the test's
docstring), the smallest failing input Hypothesis found, what went wrong
(expected against got, or the exception), and where to look in the
implementation. ``--detail`` brings pytest's tracebacks back.
"""

from __future__ import annotations

import io
import json
import re
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings
from rich.console import Console
from rich.table import Table
from rich.text import Text

from katas import catalogue

from . import api
from .timelimit import SpecTimeout

_NOT_WRITTEN = re.compile(r"kata (\d+) · (\S+) — see (\S+)")


def kata_marker(item: pytest.Item) -> str | None:
    """The ``kataNN`` marker of a spec test, if it has one."""
    for mark in item.iter_markers():
        if re.fullmatch(r"kata\d\d", mark.name):
            return mark.name
    return None


@dataclass
class Failure:
    """One failed test, boiled down to what a learner needs."""

    nodeid: str
    prop: str
    example: str | None
    problem: str
    where: str
    group: str | None = None  # failures sharing one cause (a name not written, a missing module) are listed together
    repro: str | None = None  # one line to paste into a Python prompt, run from the kit's root
    table: list[tuple[str, float, float, bool]] | None = None  # gradients: (parameter, analytic, numeric, agrees)


@dataclass
class KataResult:
    passed: int = 0
    total: int = 0
    failures: list[Failure] = field(default_factory=list)


class LearnerReport:
    """A pytest plugin: collects outcomes per kata and prints the learner summary."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, KataResult] = {}
        self.broken: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.broken.append(f"{report.nodeid}: {report.longreprtext.strip().splitlines()[-1]}")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):  # noqa: ANN201
        yield
        # Hypothesis would turn this into a patch file in .hypothesis/ and a "git
        # apply" hint: noise in a learner's tree. The summary shows the example.
        item.__dict__.pop("_hypothesis_failing_examples", None)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):  # noqa: ANN201
        outcome = yield
        rep = outcome.get_result()
        marker = kata_marker(item)
        if marker is None:
            return
        result = self.results.setdefault(marker, KataResult())
        if rep.when == "setup":
            result.total += 1
        if rep.skipped:  # the one allowed skip (no $MNIST_DIR) is not a test left to pass
            result.total -= 1
        if rep.failed or (rep.when == "call" and rep.passed):
            if rep.passed:
                result.passed += 1
            elif call.excinfo is not None:
                result.failures.append(_describe(item, call.excinfo, catalogue.by_marker(marker)))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.config.getoption("--results-json")
        if path:
            Path(path).write_text(json.dumps(self.as_json(), indent=1, ensure_ascii=False), encoding="utf-8")

    def as_json(self) -> dict[str, object]:
        """The run as data: the implementation, the profile, and per kata its counts and failures."""
        return {
            "implementation": api.implementation(),
            "profile": settings.get_current_profile_name(),
            "collection_errors": self.broken,
            "katas": {
                marker: {"passed": r.passed, "total": r.total, "failures": [asdict(f) for f in r.failures]}
                for marker, r in self.results.items()
            },
        }

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for problem in self.broken:
            terminalreporter.write_line(f"could not collect {problem}", red=True)
        if not self.results:
            return
        tw = terminalreporter._tw
        buffer = io.StringIO()
        console = Console(
            file=buffer, force_terminal=tw.hasmarkup, width=max(60, tw.fullwidth), highlight=False, soft_wrap=True
        )
        self._render(console)
        terminalreporter.write(buffer.getvalue())

    def _render(self, console: Console) -> None:
        katas = [k for k in catalogue.load() if k.marker in self.results]
        current = next((k for k in katas if self.results[k.marker].passed < self.results[k.marker].total), None)
        # Without --kata, failures are shown up to the current kata (earlier ones are
        # regressions); the katas after it are waiting, and listing hundreds of their
        # tests would bury what to do now. --kata N shows every kata asked for.
        chosen = bool(self.config.getoption("--kata"))
        later = [k for k in katas if current and k.number > current.number and self.results[k.marker].failures]
        for kata in katas:
            failures = self.results[kata.marker].failures
            if failures and (chosen or kata not in later):
                console.rule(f"kata {kata.number:02d} · {kata.title} — {len(failures)} failing", style="red")
                render_failures(console, failures)
        if later and not chosen:
            waiting = sum(len(self.results[k.marker].failures) for k in later)
            console.print(
                f"Katas {later[0].number:02d}–{later[-1].number:02d}: {waiting} more failing tests, not shown "
                "until you get there (--kata N shows kata N's)."
            )
        table = Table(title=f"nn-katas · implementation {api.implementation()!r}", title_justify="left")
        table.add_column("kata", justify="right")
        table.add_column("title")
        table.add_column("passed", justify="right")
        table.add_column("", justify="center")
        for kata in katas:
            result = self.results[kata.marker]
            done = result.total > 0 and result.passed == result.total
            table.add_row(
                f"{kata.number:02d}",
                kata.title,
                f"{result.passed}/{result.total}",
                Text("✓", style="green") if done else "",
            )
        console.print(table)
        if current is None:
            console.print("[green]Every kata in this run passes.[/green]")
        else:
            console.print(
                f"Next: kata {current.number:02d} · {current.title} — read {current.page}\n"
                f"Check only this kata: tox -e student -- --kata {current.number}"
                f"   (or: pytest spec_tests --impl {api.implementation()} --kata {current.number})"
            )


def render_failures(console: Console, failures: list[Failure]) -> None:
    """One block per failing test; the cases of a parametrized test share the first case's block.

    Tests that only hit a NotImplementedError are grouped under the name to write.
    """
    waiting: dict[str, list[str]] = {}
    cases: dict[str, list[Failure]] = {}
    for failure in failures:
        if failure.group:
            props = waiting.setdefault(failure.group, [])
            if failure.prop not in props:  # parametrized cases share one line
                props.append(failure.prop)
        else:
            cases.setdefault(failure.nodeid.split("[")[0], []).append(failure)
    for same_test in cases.values():
        _render_failure(console, same_test[0])
        others = [f.nodeid[f.nodeid.find("[") :] for f in same_test[1:]]
        if others:
            console.print(Text(f"    fails the same way for {', '.join(others)}", style="dim"))
    for cause, props in waiting.items():
        console.print(Text(cause, style="yellow"))
        for prop in props:
            console.print(Text("  ✗ ", style="red") + Text(prop))


def _render_failure(console: Console, failure: Failure) -> None:
    console.print(Text("✗ ", style="red") + Text(failure.prop, style="bold"))
    if failure.example:
        console.print(Text(f"    smallest failing input: {failure.example}"))
    console.print(Text(f"    {failure.problem}"))
    if failure.table:
        console.print(gradient_table(failure.table), style="dim")
    console.print(Text(f"    look at: {failure.where}"))
    if failure.repro:
        console.print(Text(f"    reproduce: {failure.repro}", style="dim"))
    console.print(Text(f"    test: {failure.nodeid}", style="dim"))


def gradient_table(rows: list[tuple[str, float, float, bool]]) -> Table:
    """Analytic against numeric gradient per parameter, the disagreeing ones marked."""
    table = Table(box=None, padding=(0, 2), pad_edge=False, show_edge=False)
    for title in ("    parameter", "analytic", "numeric", ""):
        table.add_column(title, justify="left" if not title or "param" in title else "right")
    for name, analytic, numeric, agrees in rows:
        mark = Text("ok", style="green") if agrees else Text("✗ differs", style="red")
        table.add_row(f"    {name}", f"{analytic:.6g}", f"{numeric:.6g}", mark)
    return table


def safe_text(value: object, limit: int = 2000) -> str:
    """``str(value)`` that never raises (a learner's ``__str__`` may), encodable, at most ``limit`` characters."""
    try:
        text = str(value)
    except Exception as exc:  # one bad __str__ fails its own test, not the whole run
        text = f"<{type(value).__name__} whose __str__ raised {type(exc).__name__}>"
    text = text[: limit * 2].encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "…"


def _describe(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException], kata: catalogue.Kata) -> Failure:
    exc = excinfo.value
    doc = getattr(getattr(item, "function", None), "__doc__", None) or item.name
    prop = " ".join(doc.strip().split("\n\n")[0].split())
    message = safe_text(exc).strip()
    problem = message.splitlines()[0] if message else ""
    group = None
    if isinstance(exc, NotImplementedError) and (match := _NOT_WRITTEN.search(message)):
        group = f"not written yet: {match.group(2)} (kata {match.group(1)}, {match.group(3)})"
    elif isinstance(exc, pytest.fail.Exception) and api.is_missing_message(problem):
        group = problem
    if not isinstance(exc, (AssertionError, pytest.fail.Exception)):
        problem = f"{type(exc).__name__}: {problem}" if problem else type(exc).__name__
    impl = api.implementation().replace(".", "/")
    frame = _implementation_frame(exc)
    where = frame or ", ".join(f"{impl}/{file}" for file in kata.files)
    if isinstance(exc, SpecTimeout):
        suspect = frame.split(" in ")[-1] if frame else "your code"
        problem = f"{message} — is there an infinite loop in {suspect}?"
    example = _falsifying_example(exc)
    rows = getattr(exc, "rows", None)
    return Failure(item.nodeid, prop, example, problem, where, group, _reproduction(item, example), rows)


def _reproduction(item: pytest.Item, example: str | None) -> str | None:
    """A line that reruns one failing case in a Python prompt, or ``None`` when there is no such line.

    Hypothesis tests rerun their smallest failing input through ``.hypothesis.inner_test``
    (its note names every argument, parametrized ones included); plain tests are called
    with their parameters when these are plain literals. Tests that need fixtures
    (``tmp_path``, …) need pytest: the learner reruns them with the test id the summary shows.
    """
    function = getattr(item, "function", None)
    if function is None:
        return None
    params = getattr(getattr(item, "callspec", None), "params", {})
    if hasattr(function, "hypothesis"):
        if example is None or not all(f"{name}=" in example for name in params):
            return None
        call = f"t.hypothesis.inner_test({example})"
    else:
        if set(getattr(item, "fixturenames", ())) - set(params) or not all(map(_is_literal, params.values())):
            return None
        call = f"t({', '.join(f'{name}={value!r}' for name, value in params.items())})"
    numpy = "import numpy as np; " if example and "np." in example else ""
    return (
        f"{numpy}from spec_tests import api; api.select({api.implementation()!r}); "
        f"from {function.__module__} import {function.__name__} as t; {call}"
    )


def _is_literal(value: object) -> bool:
    """Whether ``repr(value)`` reads back as the same value (numbers, strings and containers of them)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (tuple, list)):
        return all(map(_is_literal, value))
    return False


def _falsifying_example(exc: BaseException) -> str | None:
    """Hypothesis's 'Falsifying example: test(x=…)' note (newer versions: 'Failing test case:'), on one line."""
    notes = "\n".join(getattr(exc, "__notes__", []))
    pattern = r"(?:Falsifying (?:explicit )?example|Failing test case): \w+\((.*?)\)\s*$"
    match = re.search(pattern, notes, re.S | re.M)
    if match is None:
        return None
    return " ".join(match.group(1).replace(",\n", ", ").split()).rstrip(",")


def _implementation_frame(exc: BaseException) -> str | None:
    """``file:line in function`` of the deepest traceback frame inside the implementation."""
    impl = api.implementation().split(".")[0]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        parts = Path(frame.filename).parts
        if impl in parts:
            rel = Path(*parts[parts.index(impl) :]).as_posix()
            return f"{rel}:{frame.lineno} in {frame.name}"
    return None
