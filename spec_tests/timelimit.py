"""A time limit per spec test that also stops an infinite loop inside a Hypothesis property.

pytest-timeout's signal method fails a test with ``pytest.fail``, and Hypothesis treats
that like any failure: it catches it and reruns the example to shrink it — straight back
into the infinite loop, this time with no alarm set. This plugin raises
:class:`~spec_tests.loops.SpecTimeout` instead, which Hypothesis does not catch, and swaps the
looping function out for the rest of the run (:func:`spec_tests.loops.stop_reaching`).

When the implementation runs in a worker process (:mod:`spec_tests.remote`), the worker keeps the
same limit itself, and this process waits :data:`spec_tests.remote.GRACE` seconds longer before it
gives up on the worker and ends it.

Where there is no ``SIGALRM`` (Windows) the limit is not enforced here; pytest-timeout's
thread method (``timeout`` in pyproject.toml) remains the last resort there.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Generator
from types import TracebackType

import pytest

from . import api, loops, remote
from .loops import NotRun, SpecTimeout

#: Seconds a spec test may run by default: the slowest reference test takes about two
#: seconds in the ci profile, so a correct but slow implementation has a wide margin.
DEFAULT_LIMIT = 60.0


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
    remote.start_test(item.name, limit)
    signal.setitimer(signal.ITIMER_REAL, limit + (remote.GRACE if remote.active() else 0.0))
    try:
        outcome = yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        remote.start_test(None, 0.0)
    if outcome.excinfo is not None and isinstance(outcome.excinfo[1], SpecTimeout) and not remote.active():
        stop_reaching(outcome.excinfo[2], item.name)


def stop_reaching(tb: TracebackType | None, test: str) -> str | None:
    """Swap the implementation function the timeout stopped in for one that raises :class:`NotRun`."""
    qualname = loops.stop_reaching(tb, test, api.implementation())
    api.select(api.implementation())  # forget resolved names: the next lookup sees the swap
    return qualname


__all__ = ["NotRun", "SpecTimeout", "limit_of", "stop_reaching"]
