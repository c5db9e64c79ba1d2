"""A time limit per spec test that also stops an infinite loop inside a Hypothesis property.

pytest-timeout's signal method fails a test with ``pytest.fail``, and Hypothesis treats
that like any failure: it catches it and reruns the example to shrink it — straight back
into the infinite loop, this time with no alarm set. :class:`SpecTimeout` derives from
``BaseException`` (not ``Exception``), which Hypothesis does not catch, so the test fails
at once, and the rest of the run goes on.

A loop costs one time limit, not one per test: once a test times out inside a function of
the implementation (say ``topological_order``), that function is swapped, for the rest of
the run, for one that raises :class:`NotRun` at once ("not run: topological_order timed out
in test_x"). Every later test that reaches it fails in no time and says why; the tests
that never call it run as usual.

Where there is no ``SIGALRM`` (Windows) the limit is not enforced here; pytest-timeout's
thread method (``timeout`` in pyproject.toml) remains the last resort there.
"""

from __future__ import annotations

import functools
import signal
import sys
import threading
from collections.abc import Callable, Generator
from types import CodeType, FunctionType, TracebackType

import pytest

from . import api

#: Seconds a spec test may run by default: the slowest reference test takes about two
#: seconds in the ci profile, so a correct but slow implementation has a wide margin.
DEFAULT_LIMIT = 60.0


class SpecTimeout(BaseException):
    """The test ran past its time limit (probably an infinite loop in the implementation)."""


class NotRun(BaseException):
    """The test reached a function that already timed out in an earlier test: it is not run again."""


def limit_of(config: pytest.Config) -> float:
    return float(config.getoption("--time-limit"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    limit = limit_of(item.config)
    if limit <= 0 or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise SpecTimeout(f"timed out after {limit:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        outcome = yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if outcome.excinfo is not None and isinstance(outcome.excinfo[1], SpecTimeout):
        stop_reaching(outcome.excinfo[2], item.name)


def stop_reaching(tb: TracebackType | None, test: str) -> str | None:
    """Swap the implementation function the timeout stopped in for one that raises :class:`NotRun`.

    Returns the function's qualified name (``None`` when the loop was not in the implementation).
    """
    code, globals_ = _implementation_code(tb)
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
            if _in_implementation(getattr(module, "__name__", "")) and getattr(module, name, None) is function:
                setattr(module, name, not_run)
    else:
        setattr(owner, name, not_run)
    api.select(api.implementation())  # forget resolved names: the next lookup sees the swap
    return qualname


def _in_implementation(module: str) -> bool:
    impl = api.implementation()
    return module == impl or module.startswith(impl + ".")


def _implementation_code(tb: TracebackType | None) -> tuple[CodeType | None, dict]:
    """The code and globals of the deepest traceback frame inside the implementation."""
    found: tuple[CodeType | None, dict] = (None, {})
    while tb is not None:
        if _in_implementation(tb.tb_frame.f_globals.get("__name__", "")):
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
