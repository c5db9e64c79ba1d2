"""Start a worker with the operating system's limits, as an unprivileged user when the grader is root.

Run as a script, with nothing but the standard library (``python -I -S launch.py LIMITS -- COMMAND…``),
by the spec's process each time it needs a worker (:mod:`spec_tests.remote`). Between its start and
the ``exec`` of ``COMMAND`` (bubblewrap, or the worker's Python itself), it:

- sets ``resource`` limits that the whole worker inherits: address space (``RLIMIT_AS``: an unbounded
  allocation ends in ``MemoryError``), file size (``RLIMIT_FSIZE``), CPU seconds (``RLIMIT_CPU``), no
  core files, and, when it switches user, processes (``RLIMIT_NPROC``: that user's, so a fork bomb stops);
- when it runs as root, drops to the user ``LIMITS["user"]`` names (``nobody`` by default): no
  supplementary groups, that user's group, that user — so the submission reads nothing of the host
  that user cannot (``/etc/shadow``, the grader's files), and cannot signal the grader's processes;
- asks the kernel to kill it when the spec's process dies (``PR_SET_PDEATHSIG``), after the switch,
  which would clear it.

No check inside the worker is relied on: these are the kernel's. A limit the system refuses is
reported on standard error and the worker is not started (exit 126).
"""

from __future__ import annotations

import ctypes  # imported before the switch of user: afterwards the Python installation may not be readable
import json
import os
import pwd
import resource
import signal
import sys


def drop_to(user: str) -> tuple[int, int]:
    """Become ``user`` (this process must be root): no supplementary groups, their group, them."""
    entry = pwd.getpwnam(user)
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
    if os.getuid() != entry.pw_uid or os.geteuid() != entry.pw_uid:
        raise PermissionError(f"could not become {user}")
    return entry.pw_uid, entry.pw_gid


def die_with_parent() -> None:
    """``PR_SET_PDEATHSIG``: the kernel sends SIGKILL when the parent (the spec's process) ends (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def apply(limits: dict[str, int], switch: bool) -> None:
    mib = 1024 * 1024
    pairs = [
        (resource.RLIMIT_AS, limits["memory_mb"] * mib),
        (resource.RLIMIT_FSIZE, limits["file_mb"] * mib),
        (resource.RLIMIT_CPU, limits["cpu_seconds"]),
        (resource.RLIMIT_CORE, 0),
    ]
    if switch:
        pairs.append((resource.RLIMIT_NPROC, limits["processes"]))
    for which, value in pairs:
        resource.setrlimit(which, (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing


def main() -> None:
    config = json.loads(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1 :]
    switch = os.name == "posix" and os.geteuid() == 0 and bool(config.get("user"))
    try:
        if os.name == "posix":
            apply(config["limits"], switch)
            if switch:
                drop_to(config["user"])
            die_with_parent()
    except (OSError, ValueError, KeyError) as exc:
        print(f"launch: cannot start the worker with its limits: {exc}", file=sys.stderr)
        raise SystemExit(126) from None
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
