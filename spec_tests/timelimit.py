"""A time limit per spec test that also stops an infinite loop inside a Hypothesis property.

pytest-timeout's signal method fails a test with ``pytest.fail``, and Hypothesis treats
that like any failure: it catches it and reruns the example to shrink it — straight back
into the infinite loop, this time with no alarm set. :class:`SpecTimeout` derives from
``BaseException`` (not ``Exception``), which Hypothesis does not catch, so the test fails
at once, and the rest of the run goes on.

Where there is no ``SIGALRM`` (Windows) the limit is not enforced here; pytest-timeout's
thread method (``timeout`` in pyproject.toml) remains the last resort there.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Generator
from types import FrameType

import pytest

#: Seconds a spec test may run by default: the slowest reference test takes about two
#: seconds in the ci profile, so a correct but slow implementation has a wide margin.
DEFAULT_LIMIT = 60.0


class SpecTimeout(BaseException):
    """The test ran past its time limit (probably an infinite loop in the implementation)."""


def limit_of(config: pytest.Config) -> float:
    return float(config.getoption("--time-limit"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    limit = limit_of(item.config)
    if limit <= 0 or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise SpecTimeout(f"timed out after {limit:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
