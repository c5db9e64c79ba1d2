"""What the spec does about an implementation that loops: the exceptions, and the swap that stops it.

A test that runs past its time limit fails with :class:`SpecTimeout`. It derives from
``BaseException`` (not ``Exception``): Hypothesis catches ordinary failures and reruns the
example to shrink it, straight back into the infinite loop; a ``BaseException`` ends the test
at once, and the rest of the run goes on.

A loop costs one time limit, not one per test: :func:`stop_reaching` swaps the function of the
implementation that the timeout stopped in, for the rest of the run, for one that raises
:class:`NotRun` at once ("not run: topological_order timed out in test_x"). Every later test
that reaches it fails in no time and says why; the tests that never call it run as usual.

This module imports nothing of pytest: the worker process that holds an implementation when
the grader splits a run (:mod:`spec_tests.worker`) uses it too.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import CodeType, FunctionType, TracebackType


class SpecTimeout(BaseException):
    """The test ran past its time limit (probably an infinite loop in the implementation)."""


class NotRun(BaseException):
    """The test reached a function that already timed out in an earlier test: it is not run again."""


def stop_reaching(tb: TracebackType | None, test: str, impl: str) -> str | None:
    """Swap the function of package ``impl`` that the timeout (traceback ``tb``) stopped in for one that
    raises :class:`NotRun`. Returns the function's qualified name (``None`` when the loop was not in ``impl``)."""
    code, globals_ = _implementation_code(tb, impl)
    if code is None:
        return None
    owner, name, function = _function_of(code, globals_)
    if function is None:
        return None

    qualname = getattr(code, "co_qualname", code.co_name)  # co_qualname: Python 3.11+

    @functools.wraps(function)
    def not_run(*args: object, **kwargs: object) -> None:
        raise NotRun(f"not run: {qualname} timed out in test {test}")

    if owner is None:  # a module-level function: replace it wherever the implementation imported it
        for module in list(sys.modules.values()):
            if in_package(getattr(module, "__name__", ""), impl) and getattr(module, name, None) is function:
                setattr(module, name, not_run)
    else:
        setattr(owner, name, not_run)
    return qualname


def in_package(module: str, impl: str) -> bool:
    """Whether the module named ``module`` belongs to the package ``impl``."""
    return module == impl or module.startswith(impl + ".")


def _implementation_code(tb: TracebackType | None, impl: str) -> tuple[CodeType | None, dict]:
    """The code and globals of the deepest traceback frame inside the implementation."""
    found: tuple[CodeType | None, dict] = (None, {})
    while tb is not None:
        if in_package(tb.tb_frame.f_globals.get("__name__", ""), impl):
            found = (tb.tb_frame.f_code, tb.tb_frame.f_globals)
        tb = tb.tb_next
    return found


def _function_of(code: CodeType, globals_: dict) -> tuple[type | None, str, Callable[..., object] | None]:
    """(class or None, attribute name, function) of the function whose code is ``code`` in a module's globals."""
    for name, value in list(globals_.items()):
        if isinstance(value, FunctionType) and value.__code__ is code:
            return None, name, value
        if isinstance(value, type):
            for attr, member in vars(value).items():
                if isinstance(member, FunctionType) and member.__code__ is code:
                    return value, attr, member
    return None, "", None


def implementation_frames(exc: BaseException, impl: str) -> list[str]:
    """``file:line in function`` of every traceback frame inside package ``impl``, outermost first.

    A comprehension's or lambda's frame is named for the function it is written in.
    """
    top = impl.split(".")[0]
    found: list[str] = []
    enclosing = ("", "")
    for frame in traceback.extract_tb(exc.__traceback__):
        parts = Path(frame.filename).parts
        if top in parts:
            rel = Path(*parts[parts.index(top) :]).as_posix()
            name = enclosing[1] if frame.name.startswith("<") and enclosing[0] == rel else frame.name
            enclosing = (rel, name)
            found.append(f"{rel}:{frame.lineno} in {name}")
    return found
