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
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings
from rich.console import Console
from rich.table import Table
from rich.text import Text

from katas import catalogue

from . import api, loops
from .loops import NotRun, SpecTimeout

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
    own_passed: int = 0  # passing tests of the learner's own code (not marked ``given``): the kata has been started


class Progress:
    """Test by test, as JSON lines in ``--progress-file``: what the ``kata`` command shows while the spec runs.

    ``{"event": "collected", "count": N}`` once, then per test ``{"event": "start", "nodeid": …}``
    and ``{"event": "done", "nodeid": …, "kata": "kata02", "outcome": "failed", "problem": …}``.
    """

    def __init__(self, path: str | None) -> None:
        self.file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115 - open for the whole run

    def write(self, **event: object) -> None:
        if self.file is not None:
            self.file.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class LearnerReport:
    """A pytest plugin: collects outcomes per kata and prints the learner summary."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, KataResult] = {}
        self.broken: list[str] = []
        self.progress = Progress(config.getoption("--progress-file"))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.progress.write(event="collected", count=len(session.items))

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.progress.write(event="start", nodeid=nodeid)

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
            problem = None
            if rep.passed:
                result.passed += 1
                result.own_passed += item.get_closest_marker("given") is None
            elif call.excinfo is not None:
                failure = _describe(item, call.excinfo, catalogue.by_marker(marker))
                result.failures.append(failure)
                problem = failure.group or failure.problem
            self.progress.write(event="done", nodeid=item.nodeid, kata=marker, outcome=rep.outcome, problem=problem)
        elif rep.skipped:
            self.progress.write(event="done", nodeid=item.nodeid, kata=marker, outcome="skipped", problem=None)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.progress.close()
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
                marker: {
                    "passed": r.passed,
                    "total": r.total,
                    "own_passed": r.own_passed,
                    "failures": [asdict(f) for f in r.failures],
                }
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
        """The failures worth showing now, the table of katas, and what to do next."""
        katas = [k for k in catalogue.load() if k.marker in self.results]
        current = next((k for k in katas if self.results[k.marker].passed < self.results[k.marker].total), None)
        self._render_failures(console, katas, current)
        console.print(self._table(katas))
        self._render_next(console, current)

    def _render_failures(self, console: Console, katas: list[catalogue.Kata], current: catalogue.Kata | None) -> None:
        """Each kata's failures up to the current kata (all of them with ``--kata``), later ones counted only.

        Without --kata, the katas after the current one are waiting, and listing hundreds of
        their tests would bury what to do now. --kata N shows every kata asked for.
        """
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
                f"until you get there ({'--kata N' if in_clone() else 'kata check N'} shows kata N's)."
            )

    def _table(self, katas: list[catalogue.Kata]) -> Table:
        """Number, title, passed/total and a tick per kata of the run."""
        table = Table(title=f"nn-katas · implementation {api.implementation()!r}", title_justify="left")
        table.add_column("kata", justify="right")
        table.add_column("title")
        table.add_column("passed", justify="right")
        table.add_column("", justify="center")
        for kata in katas:
            result = self.results[kata.marker]
            done = result.total > 0 and result.passed == result.total
            mark = Text("✓", style="green") if done else ""
            table.add_row(f"{kata.number:02d}", kata.title, f"{result.passed}/{result.total}", mark)
        return table

    def _render_next(self, console: Console, current: catalogue.Kata | None) -> None:
        if current is None:
            console.print("[green]Every kata in this run passes.[/green]")
            return
        console.print(
            f"Next: kata {current.number:02d} · {current.title} — read {current.page}\n"
            f"Check only this kata: {check_only(current.number, api.implementation())}"
        )


def in_clone() -> bool:
    """Whether the spec runs from a clone of the kit's repository (with its tox.ini), not an installed kit."""
    return (catalogue.KIT_ROOT / "tox.ini").is_file()


def check_only(number: int, impl: str) -> str:
    """The command that checks kata ``number`` alone, where the learner is: ``kata check N`` with an
    installed kit (a workspace made by ``kata init``), tox or pytest in a clone of the kit."""
    if in_clone():
        return f"tox -e student -- --kata {number}   (or: pytest spec_tests --impl {impl} --kata {number})"
    return f"kata check {number}" + ("" if impl == "student" else f" --impl {impl}")


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
    elif isinstance(exc, NotRun) or (isinstance(exc, pytest.fail.Exception) and api.is_missing_message(problem)):
        group = problem  # a name or module missing, or a function that timed out earlier: listed together
    if not isinstance(exc, (AssertionError, pytest.fail.Exception)):
        problem = f"{type(exc).__name__}: {problem}" if problem else type(exc).__name__
    frames = _implementation_frames(exc)
    where = _where(frames, kata)
    if isinstance(exc, SpecTimeout):
        suspect = frames[-1].split(" in ")[-1] if frames else "your code"
        problem = f"{message} — is there an infinite loop in {suspect}?"
    example = _falsifying_example(exc)
    rows = getattr(exc, "rows", None)
    repro = _reproduction(item, example, _blob(exc))
    return Failure(item.nodeid, prop, example, problem, where, group, repro, rows)


def _where(frames: list[str], kata: catalogue.Kata) -> str:
    """Where to look: the function under check first.

    When the failing value came from an earlier kata's function (a softmax without the
    max shift overflows inside ``exp``), the deepest frame in this kata's files is named,
    with the frame that raised after it.
    """
    impl = api.implementation().replace(".", "/")
    if not frames:
        return ", ".join(f"{impl}/{file}" for file in kata.files)
    own = [f for f in frames if any(f.startswith(f"{impl}/{file}:") for file in kata.files)]
    if own and own[-1] != frames[-1]:
        return f"{own[-1]} (it called {frames[-1]}, where it failed)"
    return frames[-1]


def _reproduction(item: pytest.Item, example: str | None, blob: tuple[str, str] | None) -> str | None:
    """One line of Python that reruns the failing case, pasted into a prompt at the kit's root or a workspace's.

    Where the case is plain values (numbers, strings, lists of them), the test function
    is called on it directly (a Hypothesis test through ``.hypothesis.inner_test``), so
    the error shows with its traceback. Where it holds objects or arrays (whose repr does
    not read back exactly), the line reruns the test by its id under pytest, and for a
    Hypothesis test first applies Hypothesis's ``reproduce_failure`` blob, which replays
    exactly the failing case.
    """
    function = getattr(item, "function", None)
    if function is None:
        return None
    params = getattr(getattr(item, "callspec", None), "params", {})
    impl = api.implementation()
    head = (
        f"from spec_tests import api; api.select({impl!r}); from {function.__module__} import {function.__name__} as t"
    )
    if hasattr(function, "hypothesis"):
        if example is not None and all(f"{name}=" in example for name in params) and _reads_back(example):
            return f"{head}; t.hypothesis.inner_test({example})"
    elif not set(getattr(item, "fixturenames", ())) - set(params) and all(map(_is_literal, params.values())):
        return f"{head}; t({', '.join(f'{name}={value!r}' for name, value in params.items())})"
    # the test by its file's full path (the installed kit's, in a workspace) and the spec's own settings:
    # the line works from a clone's root and from a workspace alike
    test = str(item.path) + item.nodeid[item.nodeid.find("::") :]
    settings_file = str(Path(__file__).with_name("spec.ini"))
    run = f"raise SystemExit(pytest.main([{test!r}, '-c', {settings_file!r}, '--impl', {impl!r}, '-q']))"
    if hasattr(function, "hypothesis") and blob is not None:
        version, data = blob
        replay = f"from hypothesis import reproduce_failure; reproduce_failure({version}, {data})(t)"
        return f"import pytest; {head}; {replay}; {run}"
    return f"import pytest; {run}"


def _reads_back(arguments: str) -> bool:
    """Whether ``arguments`` (``x=1.0, y=[2, 3]``) are Python literals that read back as the very values."""
    if "..." in arguments or "array(" in arguments:  # numpy shortens and rounds what it prints
        return False
    namespace = {"__builtins__": {}, "dict": dict, "inf": float("inf"), "nan": float("nan")}
    try:
        eval(f"dict({arguments})", namespace)  # literals only: no builtins, no names but these
    except Exception:
        return False
    return True


def _is_literal(value: object) -> bool:
    """Whether ``repr(value)`` reads back as the same value (numbers, strings and containers of them)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (tuple, list)):
        return all(map(_is_literal, value))
    return False


def _notes(exc: BaseException) -> str:
    return "\n".join(getattr(exc, "__notes__", []))


def _falsifying_example(exc: BaseException) -> str | None:
    """Hypothesis's 'Falsifying example: test(x=…)' note (newer versions: 'Failing test case:'), on one line."""
    pattern = r"(?:Falsifying (?:explicit )?example|Failing test case): \w+\((.*?)\)\s*$"
    match = re.search(pattern, _notes(exc), re.S | re.M)
    if match is None:
        return None
    return " ".join(match.group(1).replace(",\n", ", ").split()).rstrip(",")


def _blob(exc: BaseException) -> tuple[str, str] | None:
    """The arguments of the ``@reproduce_failure(version, blob)`` that Hypothesis notes (``print_blob``)."""
    match = re.search(r"@reproduce_failure\(('[^']+'), (b'[^']*')\)", _notes(exc))
    return (match.group(1), match.group(2)) if match else None


def _implementation_frames(exc: BaseException) -> list[str]:
    """``file:line in function`` of every traceback frame inside the implementation, outermost first: those an
    exception raised in a worker brought with it (``impl_frames``), else those of its traceback here."""
    carried = getattr(exc, "impl_frames", None)
    if isinstance(carried, list):
        return carried
    return loops.implementation_frames(exc, api.implementation())
