"""What runs inside a graded child process, around the spec, before the submission can run.

``kata grade`` starts one child per kata (see :mod:`kit.grading.sandbox`) as
``python -c "…; from kit.grading.guard import main; main()" CONFIG -- PYTEST-ARGS``. Before pytest
starts, and so before any line of the submission runs, :func:`main`:

1. reads a fresh random key from its standard input, which then ends (the key is never in
   the environment, the command line or a file, so the submission cannot read it there);
2. installs an import finder first on ``sys.meta_path`` that resolves the submission's
   package to the submission's own folder, ``spec_tests`` and ``katas`` to the kit's
   pristine copies, and refuses ``reference`` and ``reference.*`` with an ``ImportError``
   that says the submission tried to import the reference;
3. installs an audit hook (it cannot be removed) that refuses network connections and name
   look-ups, starting processes, signalling other processes, opening files inside the
   kit's ``reference/`` folder, and writing anywhere but the kata's work folder;
4. imports pytest, Hypothesis, NumPy's testing helpers and the spec's helper modules, and
   takes a :class:`Snapshot` of them: every function, class, method and code object, and
   the spec helpers' constants (tolerances);
5. runs pytest in this process with :class:`GuardPlugin`, which writes one line per event
   (test started, test result, tampering found, end of the run) to the events file, each
   line signed with the key (HMAC-SHA256). The parent trusts only lines whose signature
   holds, so a submission that writes its own "all passed" file gains nothing.

After every test, and at the end, the plugin compares the snapshot with what is there
now: a submission that replaced ``spec_tests.oracle.assert_close``, ``pytest.approx``,
``pytest.fail``, ``math.isclose`` or a tolerance, or a method of one of their classes,
is reported as tampering and its kata scores 0.

What this cannot do: code that runs in the same process can, with enough effort, reach
anything there (the key in memory, the plugin's own state). That is why the parent reads the
submission's source first and refuses what reaches for frames, ``gc``, ``ctypes`` and the like
(:mod:`kit.grading.screen`), and, where it can, runs this child in namespaces that hold no
reference and end every process it starts (:mod:`kit.grading.isolation`). What remains is
written down in DECISIONS.md ("Grading", where the line is).
"""

from __future__ import annotations

import builtins
import hmac
import importlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pluggy import HookimplMarker

from .trusted import Events, PinningFinder, ReportPlugin, _ReportFinder, _short, _text_of

hookimpl = HookimplMarker("pytest")


_NETWORK_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.bind",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
    }
)
_PROCESS_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "pty.spawn",
        "os.startfile",
    }
)


# -------------------------------------------------------------- audit hook


_CHANGE_EVENTS = frozenset(
    {
        "os.remove",
        "os.rename",
        "os.rmdir",
        "os.mkdir",
        "os.truncate",
        "os.symlink",
        "os.link",
        "os.chmod",
        "os.chown",
        "os.utime",
        "shutil.rmtree",
        "shutil.copyfile",
        "shutil.copymode",
        "shutil.copystat",
        "shutil.move",
    }
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return name.startswith(prefixes) or os.path.realpath(name).startswith(prefixes)


def _folder(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(path).rstrip(os.sep) + os.sep


def make_audit_hook(reference_dir: str | None, protected: Sequence[str], writable: str | None = None) -> Any:
    """An audit hook: no network, no new processes, no signals to others, no reading of ``reference_dir``,
    no writing under the ``protected`` folders (the kit, the Python installation and its site-packages),
    and, given ``writable``, no writing anywhere but there (and ``/dev/null``)."""
    own_pid = os.getpid()
    secret = (_folder(reference_dir),) if reference_dir else ()
    guarded = tuple(_folder(path) for path in protected)
    allowed = (_folder(writable),) if writable else ()

    def outside(name: str) -> bool:
        return bool(allowed) and name != os.devnull and not _folder(name).startswith(allowed)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in _NETWORK_EVENTS:
            raise PermissionError(f"network access is blocked while grading ({event})")
        if event in _PROCESS_EVENTS:
            raise PermissionError(f"starting processes is blocked while grading ({event})")
        if event in ("os.kill", "os.killpg") and args and args[0] not in (own_pid, 0):
            raise PermissionError(f"signalling other processes is blocked while grading ({event})")
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            name = os.fsdecode(args[0])
            if secret and _under(name, secret):
                raise PermissionError(
                    f"the submission tried to read the reference implementation ({name}); "
                    "graded code may not use the kit's reference"
                )
            mode, flags = (*args, None, None)[1:3]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writes and _under(name, guarded):
                raise PermissionError(f"writing inside the kit or the Python installation is blocked ({name})")
            if writes and outside(name):
                raise PermissionError(f"writing outside the grading's work folder is blocked ({name})")
        elif event in _CHANGE_EVENTS:
            for arg in args:
                if isinstance(arg, (str, bytes, os.PathLike)) and _under(os.fsdecode(arg), guarded):
                    raise PermissionError(f"changing the kit or the Python installation is blocked ({event})")
                if isinstance(arg, (str, bytes, os.PathLike)) and outside(os.fsdecode(arg)):
                    raise PermissionError(f"changing files outside the grading's work folder is blocked ({event})")

    return hook


def protected_folders(kit: Path) -> list[str]:
    """Where a graded child may not write: the kit, and everything Python imports from (but its work folder)."""
    import site

    folders = {str(kit), sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}
    folders.update(site.getsitepackages())
    folders.update(path for path in sys.path if path and os.path.isdir(path))
    work = os.path.realpath(os.getcwd())
    return sorted(f for f in folders if not work.startswith(_folder(f)))


# ---------------------------------------------------------------- snapshot

_CONSTANT_TYPES = (int, float, complex, str, bytes, bool, type(None), tuple, frozenset)


class Snapshot:
    """What the spec relies on, by identity: functions, classes, methods, code objects, constants.

    ``strict`` modules (the spec's helpers and test modules) are watched whole: every name,
    constants by value, other objects by identity. ``loose`` modules (pytest, Hypothesis,
    NumPy's testing helpers, ``math``, ``builtins``, the import machinery) only by their
    public functions and classes and the members of those classes, because their private
    globals change while they run.
    """

    def __init__(self) -> None:
        self.entries: list[tuple[Any, str, Any, str]] = []  # (namespace, name, original object, label)
        self.codes: list[tuple[types.FunctionType, types.CodeType, str]] = []
        self.seen: set[int] = set()

    def add_module(self, module: types.ModuleType, strict: bool) -> None:
        if id(module) in self.seen:
            return
        self.seen.add(id(module))
        label = module.__name__
        for name, obj in list(vars(module).items()):
            if not strict and (name.startswith("_") or not (_is_code_like(obj) or callable(obj))):
                continue
            if strict and name.startswith("__") and name not in ("__getattr__",):
                continue
            if isinstance(obj, types.ModuleType):
                continue
            self.entries.append((vars(module), name, obj, f"{label}.{name}"))
            self._add_code(obj, f"{label}.{name}")
            if isinstance(obj, type) and obj.__module__ == label:
                self._add_class(obj, f"{label}.{name}")

    def _add_class(self, cls: type, label: str) -> None:
        if id(cls) in self.seen:
            return
        self.seen.add(id(cls))
        for name, member in list(vars(cls).items()):
            if name in ("__dict__", "__weakref__", "__doc__", "__annotations__", "__parameters__"):
                continue
            if _is_code_like(member) or isinstance(member, (staticmethod, classmethod, property)):
                self.entries.append((vars(cls), name, member, f"{label}.{name}"))
                self._add_code(member, f"{label}.{name}")

    def _add_code(self, obj: Any, label: str) -> None:
        function = getattr(obj, "__func__", obj)
        if isinstance(function, types.FunctionType):
            self.codes.append((function, function.__code__, label))

    def changed(self) -> list[str]:
        """Names whose object (or code) is no longer the one snapshotted; empty when nothing changed."""
        found = []
        for namespace, name, original, label in self.entries:
            now = namespace.get(name, _GONE)
            if now is original:
                continue
            if isinstance(original, _CONSTANT_TYPES) and type(now) is type(original) and now == original:
                continue
            found.append(label)
        found += [label for function, code, label in self.codes if function.__code__ is not code]
        return sorted(set(found))


_GONE = object()


def _is_code_like(obj: Any) -> bool:
    return isinstance(
        obj,
        (
            type,
            types.FunctionType,
            types.BuiltinFunctionType,
            types.MethodType,
            types.WrapperDescriptorType,
            types.MethodDescriptorType,
            staticmethod,
            classmethod,
        ),
    ) or type(obj).__name__ in ("cython_function_or_method", "_ArrayFunctionDispatcher", "ufunc")


def watched_modules(kit: Path) -> tuple[list[types.ModuleType], list[types.ModuleType]]:
    """(strict, loose) modules to snapshot, importing them first: the spec's helpers, pytest, Hypothesis, …"""
    import math

    import hypothesis
    import numpy
    import numpy.testing
    import pytest

    strict = []
    importlib.import_module("spec_tests")
    for path in sorted((kit / "spec_tests").glob("*.py")):
        if path.stem.startswith("test_") or path.stem in ("conftest", "__init__"):
            continue  # test modules and conftest are imported (and assert-rewritten) by pytest: watched later
        strict.append(importlib.import_module(f"spec_tests.{path.stem}"))
    loose: list[types.ModuleType] = [builtins, math, numpy, numpy.testing, pytest, hypothesis, hmac, json, os]
    prefixes = ("_pytest.", "hypothesis.", "importlib.", "numpy.testing.")
    loose += [m for n, m in sorted(sys.modules.items()) if n.startswith(prefixes) and isinstance(m, types.ModuleType)]
    loose += [sys.modules["importlib._bootstrap"], sys.modules["importlib._bootstrap_external"], importlib]
    return strict, loose


# ------------------------------------------------------------ pytest plugin


class GuardPlugin(ReportPlugin):
    """Reports each test's outcome as a signed event (:class:`ReportPlugin`) and checks the snapshot after each test."""

    def __init__(self, events: Events, snapshot: Snapshot, finder: PinningFinder, kit: Path) -> None:
        super().__init__(events)
        self.kit = kit
        self.snapshot = snapshot
        self.finder = finder
        self.tampered = False
        self.meta_path: list[Any] = []

    def __call__(self, kit: Path) -> None:
        """Snapshot what the spec relies on; called when pytest and its plugins are configured, before the header."""
        strict, loose = watched_modules(kit)
        for module in strict:
            self.snapshot.add_module(module, strict=True)
        for module in loose:
            self.snapshot.add_module(module, strict=False)

    @hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: Any) -> None:
        # Runs first (tryfirst, below): plugins have patched what they patch when configured, and the
        # terminal reporter has not yet printed its header, which is where the submission is first imported.
        if self.finder in sys.meta_path:  # pytest's assertion rewriter put itself first on sys.meta_path
            sys.meta_path.remove(self.finder)
        sys.meta_path.insert(0, self.finder)
        self(self.kit)

    def pytest_collection_finish(self, session: Any) -> None:
        modules = {id(item.module): item.module for item in session.items if getattr(item, "module", None)}
        for module in modules.values():
            self.snapshot.add_module(module, strict=True)
        self.meta_path = list(sys.meta_path)
        super().pytest_collection_finish(session)
        self._check("while the spec was being collected")

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        super().pytest_runtest_logfinish(nodeid)
        self._check(f"during {nodeid}")

    @staticmethod
    def _meta_path_problem(before: list[Any]) -> list[str]:
        if [id(f) for f in sys.meta_path] != [id(f) for f in before]:
            return ["sys.meta_path"]
        return []

    def _check(self, when: str) -> None:
        if self.tampered:
            return
        changed = self.snapshot.changed()
        if self.meta_path:
            changed += self._meta_path_problem(self.meta_path)
        if builtins.__import__ is not _ORIGINAL_IMPORT:
            changed.append("builtins.__import__")
        if changed:
            self.tampered = True
            self.events.emit("tampered", when=when, changed=changed[:20])

    def pytest_sessionfinish(self) -> None:
        self._check("at the end of the run")


_ORIGINAL_IMPORT = builtins.__import__


# -------------------------------------------------------------------- main


def main() -> None:
    """The child's entry point: ``sys.argv[1]`` is the JSON config, pytest's arguments follow ``--``."""
    config = json.loads(sys.argv[1])
    pytest_args = sys.argv[sys.argv.index("--") + 1 :]
    key = sys.stdin.buffer.read(32)  # the parent writes the key and closes our standard input
    kit = Path(config["kit"])
    impl = config["impl"]
    blocked = ["tests"] if impl == "reference" else ["reference", "tests"]  # tests: the kit's own (alt_engine)
    pinned = {impl: config["impl_parent"], "spec_tests": str(kit), "katas": str(kit), "kit": str(kit)}
    finder = PinningFinder(pinned, blocked)
    sys.meta_path.insert(0, finder)
    for name in list(sys.modules):  # nothing of the kit's reference may already sit in the module cache
        if name.partition(".")[0] in blocked:
            del sys.modules[name]
    reference = None if impl == "reference" else config["reference"]
    protected = [*protected_folders(kit), config["hidden"]]  # the kit's copy, and the kit itself
    events = Events(config["events"], key)  # opened before the hook: it may lie outside the work folder
    sys.addaudithook(make_audit_hook(reference, protected, config.get("workdir")))
    del key

    real_exit = os._exit

    def noted_exit(code: int) -> None:
        events.emit("os_exit", code=int(code), nodeid=plugin.current)
        real_exit(code)

    os._exit = noted_exit
    watched_modules(kit)  # import the spec's helpers, pytest and Hypothesis now, before the submission can run
    plugin = GuardPlugin(events, Snapshot(), finder, kit)

    import pytest

    try:
        status = int(pytest.main(pytest_args, plugins=[_ReportFinder(), plugin]))
    except BaseException as exc:
        events.emit("internal", problem=_short(f"{type(exc).__name__}: {_text_of(exc)}"))
        status = 3
    events.emit("end", status=status)
    sys.stdout.flush()
    sys.stderr.flush()
    real_exit(0 if status in (0, 1) else status)  # no atexit handlers or lingering threads of the submission
