"""Fault injection for the checkpoint spec: make a file operation fail, however the implementation calls it.

Patching ``os.replace`` misses an implementation that did ``from os import replace``
at import time. Python's *audit hooks* (PEP 578) sit below every such name: each
rename (``os.rename``, ``os.replace``, ``Path.replace``, ``shutil.move``) raises the
audit event ``"os.rename"`` before it touches the disk, and a hook that raises
aborts the operation with that exception. :func:`failing` arms such a hook for the
duration of a ``with`` block.

An audit hook cannot be removed once added, so one hook is installed on first use
and does nothing unless a ``with failing(…)`` block is active.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_armed: dict[str, Callable[[tuple], BaseException]] = {}
_installed: list[bool] = []


def _hook(event: str, args: tuple) -> None:
    make = _armed.get(event)
    if make is not None:
        raise make(args)


@contextmanager
def failing(event: str, error: Callable[[tuple], BaseException]) -> Iterator[None]:
    """Within the block, every operation that raises audit ``event`` fails with ``error(args)`` instead."""
    if not _installed:
        sys.addaudithook(_hook)
        _installed.append(True)
    _armed[event] = error
    try:
        yield
    finally:
        del _armed[event]
