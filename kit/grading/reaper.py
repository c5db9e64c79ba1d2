"""No process of a submission outlives its grading: the grader adopts orphans and ends them.

A submission may start a process that leaves its parent (``fork`` then ``setsid``, a double fork):
with namespaces the kernel ends it with the sandbox's PID namespace, but in-process it would live
on, and could rewrite the results file or a class's gradebook after the grader exits. On Linux,
:func:`adopt_orphans` makes this process a *child subreaper* (``PR_SET_CHILD_SUBREAPER``): an
orphan among its descendants becomes its child instead of init's, and :func:`end_descendants`
kills every child it still has (and theirs, as they are adopted in turn) before the results are
written. Elsewhere both do nothing (the process group is still killed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

_PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans(on: bool = True) -> bool:
    """Make this process the subreaper of its descendants, or (``on=False``) no longer (Linux); whether it did."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0


class Adoption:
    """``with Adoption() as adoption:`` this process adopts orphans; :meth:`end` kills those that came (and every
    child started since), sparing the children it had before; leaving the block ends them too and stops adopting.

    So a grading run inside a longer-lived process (a test, a tool) ends what the submission left behind and
    nothing of its host's."""

    def __enter__(self) -> Adoption:
        self.spare = children()
        self.on = adopt_orphans()
        return self

    def end(self) -> int:
        """Kill the children that came since the block began; how many."""
        return end_descendants(self.spare) if self.on else 0

    def __exit__(self, *exc: object) -> None:
        self.end()
        if self.on:
            adopt_orphans(False)


def children() -> set[int]:
    """This process's children now (every thread's), from ``/proc``."""
    found: set[int] = set()
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError), open(f"/proc/self/task/{task}/children", encoding="ascii") as handle:
                found.update(int(pid) for pid in handle.read().split())
    return found


def end_descendants(spare: set[int] | None = None, seconds: float = 5.0) -> int:
    """Kill every child of this process but ``spare`` (and the orphans that come to it as their parents die),
    until none is left or ``seconds`` pass; returns how many were killed."""
    killed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = children() - (spare or set())
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        for pid in pids:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)
    return killed
