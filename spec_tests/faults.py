"""Fault injection for the checkpoint spec: make a file operation fail, however the implementation calls it.

Faults act where the implementation runs: in this process, or, when the run is split, in the
worker process (:mod:`spec_tests.remote` asks it to put the same fault in force there).

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

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from . import remote

_armed: dict[str, Callable[[tuple], BaseException]] = {}
_installed: list[bool] = []


def _hook(event: str, args: tuple) -> None:
    make = _armed.get(event)
    if make is not None:
        raise make(args)


@contextmanager
def failing(event: str, code: int, message: str) -> Iterator[None]:
    """Within the block, every operation that raises audit ``event`` fails with ``OSError(code, message)``."""
    if remote.active():
        with remote.fault("failing", event, code, message):
            yield
        return
    if not _installed:
        sys.addaudithook(_hook)
        _installed.append(True)
    _armed[event] = lambda args: OSError(code, message)
    try:
        yield
    finally:
        del _armed[event]


@contextmanager
def full_disk_in_json(code: int) -> Iterator[None]:
    """Within the block the disk "fills up" inside ``json.dump`` / ``json.dumps``: ``dump`` writes the start
    of a checkpoint, then both raise ``OSError(code)``. An implementation that makes its JSON another
    way is not affected."""
    if remote.active():
        with remote.fault("full_disk_in_json", code):
            yield
        return

    def dump(obj: object, fp: object, *args: object, **kwargs: object) -> None:
        fp.write('{"format": "nn-katas/check')  # type: ignore[attr-defined]
        raise OSError(code, "No space left on device")

    def dumps(obj: object, *args: object, **kwargs: object) -> str:
        raise OSError(code, "No space left on device")

    saved = json.dump, json.dumps
    json.dump, json.dumps = dump, dumps  # type: ignore[assignment]
    try:
        yield
    finally:
        json.dump, json.dumps = saved
