"""What each kata's tests reach in the implementation package, measured while the spec runs: a pytest plugin.

The ``kata`` command remembers a kata's result with a fingerprint of the files its tests can reach
(:mod:`kit.learner.state`), so that a change re-checks exactly the katas that can see it. Which files
those are is not guessed from folders: the command runs the spec with this plugin,

    pytest spec_tests --impl NAME -p kit.learner.reach --reach-file PATH

and the plugin writes to ``PATH``, per kata marker, the files of the package (relative to its folder)
that the kata's tests reached. A plain ``pytest spec_tests`` never loads it; loaded without
``--reach-file`` it does nothing.

What counts as reached, while a test of kata N runs (its setup, call and teardown):

- every module of the package that is *asked for*: by an ``import`` statement (``builtins.__import__``),
  by ``importlib.import_module`` (the spec's door, ``spec_tests/api.py``, which resolves each name
  afresh in every test: the plugin empties its cache before each one), or by the import system
  itself (a finder placed first on ``sys.meta_path`` that only takes note and finds nothing). A name
  asked for counts whether its import succeeds, fails or finds no module: ``pkg.a.b`` stands for
  ``a/b.py`` and ``a/b/__init__.py``, so that fixing the module, or creating it, changes the fingerprint;
- every file under the package's folder opened for reading (an audit hook on ``open``), but compiled
  caches (``__pycache__``);
- and, from each module reached, whatever its own code asks for or opens, whenever it runs (its
  import, usually earlier in the run, for another kata or at collection): the plugin keeps, per
  module, what it asked for, and kata N reaches the closure. The parents of a module (their
  ``__init__.py``) count too.

What is asked for outside any test (collection, the report's header) counts for every kata. As the
spec reaches the package only through ``spec_tests/api.py`` and the objects it hands back, and keeps
none of them from one test to the next, the result is never smaller than what the kata's tests can
reach, only sometimes larger (a module that imports another reaches it even if the kata never calls
the code that uses it): a kata re-runs for a change it could not see, never stays stale after one it
could. Files outside the package's folder are not followed (nor were they before).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Generator, Iterable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

#: The option that turns the plugin on: where to write what each kata reached.
OPTION = "--reach-file"

#: Where requests outside any kata's test are kept: they count for every kata.
_ANY = ""


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's own option, :data:`OPTION` (the spec's conftest knows nothing of it)."""
    parser.getgroup("nn-katas kata command").addoption(
        OPTION,
        default=None,
        metavar="PATH",
        help="write to PATH, per kata, the files of the implementation package its tests reached (the kata command)",
    )


@pytest.hookimpl(trylast=True)  # after the spec's conftest has chosen the implementation
def pytest_configure(config: pytest.Config) -> None:
    """With ``--reach-file``: start taking note, for the package the spec checks (none if it cannot be found)."""
    path = config.getoption(OPTION, None)
    if not path:
        return
    try:  # the spec's door and markers: without them nothing can be attributed, and no reach is written
        from spec_tests import api, report

        from .runner import package_folder
    except ImportError:
        return
    package = api.implementation()
    folder = package_folder(package)
    if folder is None:
        return
    recorder = Recorder(package, folder, forget=lambda: api.select(api.implementation()), marker=report.kata_marker)
    recorder.install()
    config.pluginmanager.register(ReachPlugin(recorder, Path(path)), "nn-katas-reach")


class Recorder:
    """Takes note of what the code running now asks for in the package ``package`` (whose folder is ``folder``).

    ``forget`` empties the spec's cache of resolved names (so each test asks again for what it
    uses); ``marker`` gives a test's kata marker.
    """

    def __init__(
        self,
        package: str,
        folder: Path,
        forget: Callable[[], None],
        marker: Callable[[pytest.Item], str | None],
    ) -> None:
        self.package = package
        self.folder = folder
        self.forget = forget
        self.marker = marker
        self.prefixes = tuple({os.path.join(os.path.abspath(folder), ""), os.path.join(folder.resolve(), "")})
        self.kata = _ANY  # the marker of the test running, _ANY outside tests
        self.importers: list[str | None] = []  # the package module whose import statement runs, innermost last
        self.names: dict[str, set[str]] = {}  # per kata marker, and per package module: module names asked for
        self.files: dict[str, set[str]] = {}  # the same: files opened, relative to the folder
        self.katas: set[str] = set()  # the markers of the tests that ran
        self.active = False
        self._saved: tuple[Any, Any] | None = None
        self._finder = _NoteTaker(self)

    # ----------------------------------------------------------------- taking note

    def install(self) -> None:
        """Start: wrap ``__import__`` and ``importlib.import_module``, put the finder first, hook ``open``."""
        self._saved = (builtins.__import__, importlib.import_module)
        original_import, original_import_module = self._saved
        top, below = self.package, self.package + "."

        def recording_import(
            name: str,
            globals: dict[str, Any] | None = None,  # noqa: A002 - the builtin's own names
            locals: Any = None,  # noqa: A002
            fromlist: Sequence[str] | None = (),
            level: int = 0,
        ) -> ModuleType:
            # The quick way out first: Hypothesis imports in its hot paths, a hundred thousand times a run.
            if (level == 0 and name != top and not name.startswith(below)) or not self.active:
                return original_import(name, globals, locals, fromlist, level)
            importer = self._module_of(globals)
            absolute = _absolute(name, globals, level)
            if absolute is not None:
                self.note_name(absolute, importer)
            self.importers.append(importer)
            try:
                module = original_import(name, globals, locals, fromlist, level)
            finally:
                self.importers.pop()
            if absolute is not None and fromlist and self._inside(absolute):
                for item in fromlist:  # `from . import x`: x is a submodule when the import made it one
                    if item != "*" and f"{absolute}.{item}" in sys.modules:
                        self.note_name(f"{absolute}.{item}", importer)
            return module

        def import_module(name: str, package: str | None = None) -> ModuleType:
            if not self.active:
                return original_import_module(name, package)
            importer = self._module_of(sys._getframe(1).f_globals)
            try:
                absolute = importlib.util.resolve_name(name, package)
            except (ImportError, ValueError):
                absolute = None
            if absolute is not None:
                self.note_name(absolute, importer)
            self.importers.append(importer)
            try:
                return original_import_module(name, package)
            finally:
                self.importers.pop()

        builtins.__import__ = recording_import
        importlib.import_module = import_module
        sys.meta_path.insert(0, self._finder)
        sys.addaudithook(self._audit)  # it cannot be removed: ``active`` turns it off
        self.active = True
        for name in [n for n in sys.modules if self._inside(n)]:  # imported before we looked: every kata's
            self.note_name(name, None)

    def uninstall(self) -> None:
        """Stop taking note and put everything back as it was."""
        self.active = False
        if self._saved is not None:
            builtins.__import__, importlib.import_module = self._saved
            self._saved = None
        if self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)

    def note_name(self, name: str, importer: str | None) -> None:
        """``name`` was asked for: by the test running, and by the package module ``importer`` (if any)."""
        if not self._inside(name):
            return
        self.names.setdefault(self.kata, set()).add(name)
        if importer is not None and importer != name:
            self.names.setdefault(importer, set()).add(name)

    def note_file(self, rel: str) -> None:
        """The file ``rel`` (relative to the folder) was opened: by the test running, and the importing module."""
        self.files.setdefault(self.kata, set()).add(rel)
        importer = self.importers[-1] if self.importers else None
        if importer is not None:
            self.files.setdefault(importer, set()).add(rel)

    def running(self, item: pytest.Item) -> None:
        """A test starts: what is asked for from now on is its kata's; the spec asks afresh for every name."""
        self.kata = self.marker(item) or _ANY
        if self.kata != _ANY:
            self.katas.add(self.kata)
        self.forget()

    def idle(self) -> None:
        """No test runs (between tests, at collection, at the end): what is asked for now is every kata's."""
        self.kata = _ANY

    def _inside(self, name: str) -> bool:
        return name == self.package or name.startswith(self.package + ".")

    def _module_of(self, globals_: dict[str, Any] | None) -> str | None:
        """The package module whose code has these globals (``None``: code of the spec, of a library, …)."""
        name = globals_.get("__name__") if globals_ else None
        return name if isinstance(name, str) and self._inside(name) else None

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not self.active:
            return
        try:
            path, mode, flags = args
            if isinstance(path, int) or not _reads(mode, flags):
                return
            where = os.path.abspath(os.fsdecode(path))
            prefix = next((p for p in self.prefixes if where.startswith(p)), None)
            if prefix is None or "__pycache__" in where or where.endswith(".pyc"):
                return
            self.note_file(Path(where[len(prefix) :]).as_posix())
        except Exception:  # an audit hook must never break the code it watches
            pass

    # ----------------------------------------------------------------- the result

    def reach(self, kata: str) -> list[str]:
        """The files kata ``kata`` reached, relative to the folder: see the module's docs."""
        seen: set[str] = set()
        todo = [*self.names.get(kata, ()), *self.names.get(_ANY, ())]
        files = {*self.files.get(kata, ()), *self.files.get(_ANY, ())}
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            parent = name.rpartition(".")[0]
            todo.extend(self.names.get(name, ()))
            if self._inside(parent):
                todo.append(parent)
            files.update(self.files.get(name, ()))
            files.update(self._files_of(name))
        return sorted(files)

    def _files_of(self, name: str) -> Iterable[str]:
        """Where the module ``name`` is, or would be if it were created."""
        if name == self.package:
            yield "__init__.py"
        else:
            rel = name[len(self.package) + 1 :].replace(".", "/")
            yield f"{rel}.py"
            yield f"{rel}/__init__.py"
        where = getattr(sys.modules.get(name), "__file__", None)
        if isinstance(where, str):
            absolute = os.path.abspath(where)
            for prefix in self.prefixes:
                if absolute.startswith(prefix):
                    yield Path(absolute[len(prefix) :]).as_posix()
                    break

    def write(self, path: Path) -> None:
        """Write, per kata whose tests ran, what they reached (JSON: package, folder and katas)."""
        result = {
            "package": self.package,
            "folder": str(self.folder),
            "katas": {kata: self.reach(kata) for kata in sorted(self.katas)},
        }
        path.write_text(json.dumps(result, indent=1), encoding="utf-8")


class _NoteTaker:
    """A finder placed first on ``sys.meta_path`` that finds nothing: it notes the package modules asked for,
    the ones no other finder will find included."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        recorder = self.recorder
        if recorder.active:
            recorder.note_name(fullname, recorder.importers[-1] if recorder.importers else None)
        return None


class ReachPlugin:
    """Sets the kata of the test running around each test, and writes what each kata reached at the end."""

    def __init__(self, recorder: Recorder, path: Path) -> None:
        self.recorder = recorder
        self.path = path

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        self.recorder.running(item)
        try:
            yield
        finally:
            self.recorder.idle()

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self) -> None:
        self.recorder.write(self.path)

    def pytest_unconfigure(self) -> None:
        self.recorder.uninstall()


def _absolute(name: str, globals_: dict[str, Any] | None, level: int) -> str | None:
    """The absolute module name an ``import`` statement asks for (``None`` when it cannot be known)."""
    if level == 0:
        return name
    try:
        package = globals_.get("__package__") if globals_ else None
        if package is None and globals_:
            spec = globals_.get("__spec__")
            module = globals_.get("__name__", "")
            if spec is not None:
                package = spec.parent
            else:
                package = module if "__path__" in globals_ else module.rpartition(".")[0]
        if not package:
            return None
        bits = package.rsplit(".", level - 1)
        if len(bits) < level:
            return None
        return f"{bits[0]}.{name}" if name else bits[0]
    except Exception:  # the import itself then says what is wrong
        return None


def _reads(mode: object, flags: object) -> bool:
    """Whether an ``open`` audit event's mode (``open``) or flags (``os.open``) read the file."""
    if isinstance(mode, str):
        return "r" in mode or "+" in mode
    if isinstance(flags, int):
        return flags & getattr(os, "O_ACCMODE", 3) in (os.O_RDONLY, os.O_RDWR)
    return True
