"""A static check of the submission's source, before any of it runs: what a human should look at.

The spec judges in a process the submission never runs in (:mod:`kit.grading.trusted`), so no source
can reach the verdict, and nothing found here costs a point: the findings go into the results as one
note (:func:`advice`), ``file:line`` for each place, for the instructor to read, and ``kata check``
shows them to the learner before handing in. They are the constructs that, next to a spec, would
reach into it (frames, ``gc``, ``ctypes``, pytest's internals, code built at run time). A neural-network
library rarely needs them; honest code sometimes does (``vars(self)``), which is why this is advice.

Noted (:func:`check_source`):

- importing :data:`BANNED_MODULES` (``gc``, ``ctypes``, ``inspect``, pytest and Hypothesis
  internals, the kit's own packages, …), or names in :data:`BANNED_FROM` (``sys._getframe``, …);
- calling :data:`BANNED_CALLS` by name (``exec``, ``eval``, ``compile``, ``__import__``, ``vars``, …);
- reaching :data:`BANNED_ATTRIBUTES` (``f_back``, ``tb_frame``, ``__globals__``, ``__subclasses__``, …),
  also as a literal second argument of ``getattr``/``setattr``/``delattr``, and ``sys.modules``;
- a ``dir_fd=`` argument (opening relative to a folder descriptor).

Refused (:func:`refusal`): compiled modules (``.so``, ``.pyc`` … outside ``__pycache__``): they cannot
be read, so they are not run.

An attribute name built at run time (``getattr(x, "f_" + "back")``) is not seen: the check is
advice for a reader, not a boundary (DECISIONS.md, "Grading").
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BANNED_MODULES = frozenset(
    {
        "gc",
        "ctypes",
        "_ctypes",
        "_posixsubprocess",
        "posix",
        "nt",
        "inspect",
        "traceback",
        "marshal",
        "code",
        "codeop",
        "runpy",
        "pickle",
        "_pickle",
        "dill",
        "cloudpickle",
        "threading",
        "_thread",
        "multiprocessing",
        "signal",
        "faulthandler",
        "mmap",
        "builtins",
        "atexit",
        "site",
        "sysconfig",
        "zipimport",
        "pytest",
        "_pytest",
        "pluggy",
        "hypothesis",
        "spec_tests",
        "katas",
        "kit",
        "tests",
        "reference",
        "conftest",
    }
)
BANNED_FROM = {
    "sys": frozenset({"_getframe", "modules", "settrace", "setprofile", "_current_frames", "exc_info", "exception"}),
    "os": frozenset({"fork", "forkpty", "kill", "killpg", "setsid", "system", "posix_spawn", "posix_spawnp"}),
    "importlib": frozenset({"import_module", "reload", "_bootstrap", "_bootstrap_external"}),
    "types": frozenset({"CodeType", "FunctionType", "FrameType", "TracebackType"}),
}
BANNED_CALLS = frozenset(
    {"exec", "eval", "compile", "__import__", "globals", "locals", "vars", "breakpoint", "__build_class__"}
)
BANNED_ATTRIBUTES = frozenset(
    {
        "f_back",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_code",
        "f_trace",
        "tb_frame",
        "tb_next",
        "gi_frame",
        "cr_frame",
        "ag_frame",
        "gi_code",
        "__traceback__",
        "__globals__",
        "__code__",
        "__closure__",
        "__builtins__",
        "__subclasses__",
        "__getattribute__",
        "__loader__",
        "__spec__",
        "_getframe",
        "settrace",
        "setprofile",
        "_current_frames",
        "ctypeslib",
        "import_module",
        "exec_module",
        "load_module",
        "spec_from_file_location",
        "fork",
        "forkpty",
        "setsid",
        "kill",
        "killpg",
    }
)
_ATTRIBUTE_FUNCTIONS = frozenset({"getattr", "setattr", "delattr", "hasattr"})
#: Largest source file read (bytes); a bigger one is refused rather than parsed.
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True, order=True)
class Finding:
    """One construct found: where, and what."""

    file: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.what}"

    @property
    def compiled(self) -> bool:
        """A compiled module: code that cannot be read, the one finding that is refused."""
        return self.what == COMPILED_MODULE


COMPILED_MODULE = "a compiled module: only Python source is graded"


def check_source(source: str, file: str) -> list[Finding]:
    """The constructs found in one module's ``source`` (``file`` names it in the findings)."""
    try:
        tree = ast.parse(source, filename=file)
    except SyntaxError:
        return []  # the spec reports the syntax error as a failure, test by test
    found: list[Finding] = []
    modules: dict[str, str] = {}  # local name → the module it is bound to (import sys as s: s → sys)

    def refuse(node: ast.AST, what: str) -> None:
        found.append(Finding(file, getattr(node, "lineno", 0), what))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.partition(".")[0]
                if top in BANNED_MODULES:
                    refuse(node, f"imports {alias.name}")
                modules[(alias.asname or alias.name).partition(".")[0]] = top if alias.asname is None else alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.partition(".")[0]
            if top in BANNED_MODULES:
                refuse(node, f"imports from {node.module}")
            for alias in node.names:
                if alias.name in BANNED_FROM.get(node.module, ()) or alias.name in BANNED_ATTRIBUTES:
                    refuse(node, f"imports {node.module}.{alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value.id if isinstance(node.value, ast.Name) else None
            if node.attr in BANNED_ATTRIBUTES:
                refuse(node, f"reaches .{node.attr}")
            elif base is not None and node.attr in BANNED_FROM.get(modules.get(base, ""), ()):
                refuse(node, f"reaches {modules[base]}.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in BANNED_CALLS | {"__builtins__"}:
            refuse(node, f"uses {node.id}")
        elif isinstance(node, ast.Call):
            _check_call(node, refuse)
    return sorted(set(found))


def _check_call(node: ast.Call, refuse: Callable[[ast.AST, str], None]) -> None:
    for keyword in node.keywords:
        if keyword.arg == "dir_fd":
            refuse(node, "opens a file relative to a folder descriptor (dir_fd=)")
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name in _ATTRIBUTE_FUNCTIONS and len(node.args) >= 2:
        attribute = node.args[1]
        if isinstance(attribute, ast.Constant) and attribute.value in BANNED_ATTRIBUTES:
            refuse(node, f"reaches .{attribute.value} through {name}()")


#: Files Python would import that are not source: the check cannot read them, so they are refused.
COMPILED = (".so", ".pyd", ".dylib", ".pyc", ".pyo")


def check_package(folder: Path) -> list[Finding]:
    """The constructs found in every ``.py`` file under ``folder`` (paths relative to it, with its name),
    and any compiled module outside ``__pycache__`` (which the grader never reads)."""
    found: list[Finding] = []
    for path in sorted(folder.rglob("*")):
        name = f"{folder.name}/{path.relative_to(folder).as_posix()}"
        if path.name.endswith(COMPILED) and "__pycache__" not in path.parts:
            found.append(Finding(name, 0, COMPILED_MODULE))
        if path.suffix != ".py" or path.is_symlink() or not path.is_file():
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            found.append(Finding(name, 0, f"a source file over {MAX_FILE_BYTES:,} bytes"))
            continue
        found += check_source(path.read_bytes().decode("utf-8", errors="replace"), name)
    return found


def _places(findings: list[Finding], shown: int) -> str:
    """The first ``shown`` findings, ``file:line: what`` each, and how many more."""
    places = "; ".join(str(finding) for finding in findings[:shown])
    return places + (f" (and {len(findings) - shown} more)" if len(findings) > shown else "")


def advice(findings: list[Finding], shown: int = 10) -> str:
    """The note a grade carries: what the check found, for a human to read."""
    return (
        "advice: the static check found code that reaches for frames, gc, ctypes, pytest internals or dynamic code "
        f"(not refused: the spec judged where the submission cannot reach; worth a look): {_places(findings, shown)}"
    )


def refusal(findings: list[Finding], shown: int = 10) -> str:
    """The message of a refused submission (compiled modules): what was found, where (the first ``shown``)."""
    return f"refused before running: only Python source is graded: {_places(findings, shown)}"
