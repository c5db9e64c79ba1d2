"""The grader's two processes around a submission: the spec's (trusted), and the worker's boot.

``kata grade`` splits each kata's run (:mod:`spec_tests.remote`):

- the **spec's process** runs ``python -c "…; from kit.grading.trusted import main; main()" CONFIG --
  PYTEST-ARGS`` outside the sandbox. It imports the spec, pytest and Hypothesis, never the submission:
  :func:`main` reads a fresh random key from its standard input (which then ends), and runs pytest with
  :class:`ReportPlugin`, which writes one line per event (the spec collected, a test started, a test's
  result, the end of the run) to the events file, each line signed with the key (HMAC-SHA256). The
  grader trusts only lines whose signature holds: a worker that writes its own "all passed" lines
  into that file (it cannot, when it runs as another user or in namespaces) gains nothing;
- the **worker** (:func:`worker_main`), started by the spec's process when a test first reaches the
  implementation, inside the sandbox where there is one and as an unprivileged user when the grader
  is root (:mod:`kit.grading.launch`), imports the submission and serves the spec's requests
  (:mod:`spec_tests.worker`). What it answers is plain data, which the spec's process rebuilds and judges.

Nothing the worker does reaches the spec's memory: its objects, its tolerances, its report, its key.
What remains outside this boundary is written down in DECISIONS.md ("Grading", where the line is).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from . import reaper

#: Captured output kept per test (characters); the formats cut it further.
OUTPUT_KEEP = 2000
#: Names the submission's package may not take: the kit's own packages.
RESERVED = frozenset({"spec_tests", "katas", "kit", "tests", "pytest", "_pytest", "hypothesis", "numpy"})


class ReferenceImportError(ImportError):
    """The submission tried to import the kit's reference implementation."""


# ------------------------------------------------------------------ imports


class PinningFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: pins some top-level names to folders and refuses others."""

    def __init__(self, pinned: dict[str, str], blocked: Sequence[str]) -> None:
        self.pinned = dict(pinned)
        self.blocked = frozenset(blocked)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top in self.blocked:
            raise ReferenceImportError(
                f"the submission tried to import the reference implementation ({fullname!r}); "
                "graded code may not use the kit's reference"
            )
        if fullname in self.pinned:
            return importlib.machinery.PathFinder.find_spec(fullname, [self.pinned[fullname]])
        return None


class NeverImport(importlib.abc.MetaPathFinder):
    """The spec's process never imports the submission: an import of its name fails, saying so."""

    def __init__(self, impl: str) -> None:
        self.impl = impl

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] == self.impl:
            raise ImportError(f"the spec's process does not import the submission ({fullname!r}): its worker does")
        return None


# -------------------------------------------------------------- the events


class Events:
    """Signed JSON lines appended to the events file; the parent checks each line's HMAC."""

    def __init__(self, path: str, key: bytes) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._key = key
        self._write = os.write  # kept: a submission that replaces os.write does not silence us

    def emit(self, kind: str, **data: Any) -> None:
        body = json.dumps({"event": kind, **data}, sort_keys=True, ensure_ascii=True)
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()
        with contextlib.suppress(OSError):  # the submission closed or filled our file: missing lines grade it
            self._write(self._fd, f"{mac} {body}\n".encode())


def verify_lines(text: str, key: bytes) -> Iterator[dict[str, Any]]:
    """The events of ``text`` whose signature holds (the parent side of :class:`Events`)."""
    for line in text.splitlines():
        mac, _, body = line.partition(" ")
        expected = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
        if len(mac) == len(expected) and hmac.compare_digest(mac, expected):
            try:
                yield json.loads(body)
            except ValueError:
                continue


# ------------------------------------------------------------ pytest plugin


class ReportPlugin:
    """Reports the collected spec and each test's outcome as signed events."""

    def __init__(self, events: Events) -> None:
        self.events = events
        self.current: str | None = None
        self.outcome: dict[str, Any] = {}

    def pytest_sessionstart(self, session: Any) -> None:
        """Say, once, that a worker booted: before that no code of the submission can have run, so a run without
        this event failed for the kit's or the machine's reasons (:func:`kit.grading.grade.could_not_start`)."""
        from spec_tests import remote

        with contextlib.suppress(RuntimeError):  # the trusted collection is not split: no worker
            conn = remote.connection()

            def ready() -> None:
                if conn.ready == 1:
                    self.events.emit("worker_ready")

            conn.on_ready.append(ready)

    def pytest_collection_finish(self, session: Any) -> None:
        from spec_tests.report import kata_marker

        self.events.emit("collected", tests=[describe_item(item, kata_marker(item)) for item in session.items])

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.current = nodeid
        self.outcome = {"status": "pass", "output": ""}
        self.events.emit("start", nodeid=nodeid)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.skipped and self.outcome["status"] == "pass":
            self.outcome["status"] = "skip"  # the parent decides whether a skip is one it trusts
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else "xfail"
            self.outcome["problem"] = _short(str(reason))
        elif report.failed:
            self.outcome["status"] = "fail" if report.when == "call" else "error"
            if not self.outcome.get("problem"):
                self.outcome["problem"] = _short(_last_line(getattr(report, "longreprtext", "") or ""))
        output = report.capstdout + report.capstderr
        if len(output) > len(self.outcome["output"]):
            self.outcome["output"] = output[:OUTPUT_KEEP]

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        detail = _failure_of(nodeid)
        record = dict(self.outcome)
        if detail is not None and record["status"] not in ("pass", "skip"):
            record.update(
                problem=_short(detail.problem),
                example=_short(detail.example),
                where=_short(detail.where),
                group=_short(detail.group),
            )
        self.events.emit("result", nodeid=nodeid, **record)
        self.current = None

    def pytest_internalerror(self, excrepr: Any, excinfo: Any) -> None:
        self.events.emit("internal", problem=_short(_last_line(str(excinfo.exconly()) if excinfo else str(excrepr))))


def describe_item(item: Any, marker: str | None) -> list[Any]:
    """``[nodeid, kata marker, property]``: the property is the test's docstring's first paragraph."""
    doc = getattr(getattr(item, "function", None), "__doc__", None) or item.name
    prop = " ".join(doc.strip().split("\n\n")[0].split())
    return [item.nodeid, marker, prop]


class _Collector:
    def __init__(self) -> None:
        self.tests: list[list[Any]] = []

    def pytest_collection_finish(self, session: Any) -> None:
        from spec_tests.report import kata_marker

        self.tests = [[*describe_item(item, kata_marker(item)), test_source(item)] for item in session.items]


def test_source(item: Any) -> str:
    """The body of the test's function, without its docstring: what Exercism shows as ``test_code``."""
    import ast
    import inspect
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(item.function))
        function = ast.parse(source).body[0]
    except (AttributeError, OSError, TypeError, SyntaxError, IndexError):
        return ""
    body = getattr(function, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    if not body:
        return ""
    lines = source.splitlines()[body[0].lineno - 1 : body[-1].end_lineno]
    return textwrap.dedent("\n".join(lines))


def collect_main() -> None:
    """The grader's trusted collection of the spec: ``sys.argv[1]`` is the output file, pytest's arguments follow."""
    out = sys.argv[1]
    collector = _Collector()
    import pytest

    status = int(pytest.main(["--collect-only", "-q", *sys.argv[2:]], plugins=[collector]))
    modules = sorted({name.partition(".")[0] for name in sys.modules})  # what the spec imports before a submission
    warm_hypothesis_storage()
    Path(out).write_text(json.dumps({"status": status, "tests": collector.tests, "modules": modules}), encoding="utf-8")


def warm_hypothesis_storage() -> None:
    """Fill Hypothesis's storage ($HYPOTHESIS_STORAGE_DIRECTORY) with its Unicode tables, once per grading.

    Text strategies (``st.text()``, ``st.characters()``) need a table of the characters a codec can
    encode, which Hypothesis builds by trying all 1.1 million code points (about 2 s) unless it finds
    the table in its storage. A graded child starts with nothing of its own, so every kata whose spec
    draws text paid those seconds again; the trusted collection builds the tables here, and the children
    read them from the grading's copy of the kit, which they cannot write.
    """
    from hypothesis import find
    from hypothesis import strategies as st

    find(st.text(min_size=1), bool)  # validating the strategy builds (and stores) the tables it needs


def _failure_of(nodeid: str) -> Any:
    """The spec report's description of ``nodeid``'s failure, if it recorded one."""
    report = sys.modules.get("spec_tests.report")
    plugin = _PLUGINS.get("report")
    if report is None or plugin is None:
        return None
    for result in plugin.results.values():
        for failure in reversed(result.failures):
            if failure.nodeid == nodeid:
                return failure
    return None


_PLUGINS: dict[str, Any] = {}


def _text_of(exc: BaseException) -> str:
    """``str(exc)``, or a note when its ``__str__`` raises (one bad exception must not stop the run)."""
    try:
        return str(exc)
    except Exception:  # whatever the submission's __str__ raises
        return f"<{type(exc).__name__}.__str__ raised>"


def _short(text: Any) -> Any:
    """At most :data:`OUTPUT_KEEP` characters of a message (``None`` stays ``None``): events stay small."""
    return text[:OUTPUT_KEEP] if isinstance(text, str) else text


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


class _ReportFinder:
    """Finds the spec's report plugin once pytest has configured it."""

    @staticmethod
    def pytest_configure(config: Any) -> None:
        _PLUGINS["report"] = config.pluginmanager.get_plugin("nn-katas-report")


# -------------------------------------------------------------------- main


def main() -> None:
    """The spec's process: ``sys.argv[1]`` is the JSON config (``events``, ``worker``), pytest's arguments follow
    ``--``. It never imports the submission: the spec reaches it through the worker ``config["worker"]`` describes."""
    config = json.loads(sys.argv[1])
    pytest_args = sys.argv[sys.argv.index("--") + 1 :]
    key = sys.stdin.buffer.read(32)  # the parent writes the key and closes our standard input
    events = Events(config["events"], key)
    del key
    plugin = ReportPlugin(events)
    sys.meta_path.insert(0, NeverImport(config["impl"]))
    reaper.adopt_orphans()  # what the worker leaves behind comes to this process, which ends it

    import pytest

    try:
        status = int(pytest.main([*pytest_args, "--worker", config["worker"]], plugins=[_ReportFinder(), plugin]))
    except BaseException as exc:
        events.emit("internal", problem=_short(f"{type(exc).__name__}: {_text_of(exc)}"))
        status = 3
    reaper.end_descendants()
    events.emit("end", status=status)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if status in (0, 1) else status)


_WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_NETWORK = frozenset(
    {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname"}
)


def _worker_hook(kit: str, writable: list[str]) -> Any:
    """An audit hook for an in-process worker: opening a file under the kit's ``reference/`` or ``tests/``,
    opening for writing outside ``writable`` (its home, the spec's temporary folders), or reaching the network
    raises PermissionError (namespaces have no network at all)."""
    secret = tuple(os.path.join(os.path.realpath(kit), part) + os.sep for part in ("reference", "tests"))
    allowed = tuple(os.path.realpath(folder) + os.sep for folder in writable)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in _NETWORK:
            raise PermissionError("network access is blocked while grading")
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            name = os.path.realpath(os.fsdecode(args[0]))
            if name.startswith(secret):
                raise PermissionError(f"graded code may not read the kit's reference or tests ({name})")
            mode, flags = (*args, None, None)[1:3]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITES
            )
            if writes and name != os.devnull and not name.startswith(allowed):
                raise PermissionError(f"graded code writes only in its own folders ({name})")

    return hook


def worker_main() -> None:
    """The worker's boot, inside the sandbox: ``sys.argv[1]`` is the folder that holds the submission's package;
    in-process only, ``sys.argv[2]`` the kit's own folder and the rest the folders it may write in.

    The submission's package resolves to that folder and the kit's parts to the grading's copy (already on
    ``sys.path``); ``reference`` and the kit's ``tests`` cannot be imported (in namespaces they are not there
    at all), and in-process an audit hook refuses to open a file of the kit's ``reference/`` or ``tests/``, or
    to write outside its own folders: a speed bump, not a boundary (namespaces are: the results say so). Then it serves
    the spec (:func:`spec_tests.worker.main`) until the spec's process is done.
    """
    impl, parent = os.environ["SPEC_IMPL"], sys.argv[1]
    if len(sys.argv) > 3:
        sys.addaudithook(_worker_hook(sys.argv[2], [os.getcwd(), *sys.argv[3:]]))
    kit = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    blocked = ["tests"] if impl == "reference" else ["reference", "tests"]  # tests: the kit's own (alt_engine)
    pinned = {impl: parent, "spec_tests": kit, "katas": kit, "kit": kit}
    sys.meta_path.insert(0, PinningFinder(pinned, blocked))
    for name in list(sys.modules):
        if name.partition(".")[0] in blocked:
            del sys.modules[name]
    from spec_tests import worker

    worker.main()
