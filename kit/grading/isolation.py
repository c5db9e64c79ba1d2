"""Where a graded kata runs: in Linux namespaces made by bubblewrap, or in-process guarded only.

With ``namespaces`` each kata's child is started by ``bwrap`` (Debian/Ubuntu package ``bubblewrap``)
in new user, mount, PID, network, IPC, UTS and cgroup namespaces. What it sees:

- the operating system and the Python installation read-only (``/usr``, ``/etc``, the prefixes
  and site-packages folders Python imports from);
- of the kit only the grading's own copy of ``katas/``, ``spec_tests/``, ``kit/`` and ``pyproject.toml``
  (:func:`kit.grading.grade.stage_kit`), read-only; nothing of the kit's own folder: no ``reference/``,
  no kit ``tests/``, no ``.git`` (the whole history of the reference);
- the submission as a read-only copy at :data:`SUBMISSION`;
- one private writable tmpfs at ``/tmp``, capped in size, where it works (:data:`WORKDIR`);
- one file of the parent's, the events file, writable at :data:`EVENTS` (capped by ``RLIMIT_FSIZE``);
- no network (a fresh namespace holds only a loopback that is down);
- its own PID namespace: when the child ends, the kernel ends every process it started,
  ``setsid`` or not, and a signal to ``getppid()`` reaches only the sandbox's own init.

``--die-with-parent`` ends the sandbox if the grader dies. Where ``bwrap`` is missing or cannot make
namespaces (macOS, Windows, a host that forbids unprivileged user namespaces, such as Ubuntu 24.04
with ``kernel.apparmor_restrict_unprivileged_userns=1`` and no AppArmor profile for ``bwrap``),
grading falls back to the in-process guard alone (:mod:`kit.grading.guard`), and the results say so.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

NAMESPACES = "namespaces"
IN_PROCESS = "in-process"
CHOICES = ("auto", NAMESPACES, IN_PROCESS)
#: Set to ``in-process`` (or ``namespaces``) to force a mode when ``--isolation`` is ``auto``.
ENV = "KATA_GRADE_ISOLATION"

#: Paths inside the sandbox.
SUBMISSION = "/submission"
WORKDIR = "/tmp/kata"
EVENTS = "/run/grader/events.jsonl"

_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
#: The parts of the kit a graded child sees (the grader copies them for each grading).
KIT_PARTS = ("katas", "spec_tests", "kit", "pyproject.toml")


class IsolationError(RuntimeError):
    """Namespaces were asked for and are not available here."""


@functools.cache
def bwrap() -> str | None:
    """The ``bwrap`` program when it can make this module's namespaces here, else ``None``."""
    program = shutil.which("bwrap")
    if program is None or not sys.platform.startswith("linux"):
        return None
    probe = [program, "--unshare-all", "--die-with-parent", *_system_binds()]
    for folder in _python_folders(None):
        probe += ["--ro-bind", folder, folder]
    probe += ["--", sys.executable, "-c", "pass"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return program if done.returncode == 0 else None


def choose(requested: str = "auto") -> str:
    """The isolation to use: ``requested``, or for ``auto`` $KATA_GRADE_ISOLATION, else namespaces when they work."""
    if requested not in CHOICES:
        raise IsolationError(f"isolation {requested!r}: choose one of {', '.join(CHOICES)}")
    if requested == "auto":
        requested = os.environ.get(ENV, "auto") or "auto"
        if requested not in CHOICES:
            raise IsolationError(f"${ENV}={requested!r}: choose one of {', '.join(CHOICES)}")
    if requested == "auto":
        return NAMESPACES if bwrap() else IN_PROCESS
    if requested == NAMESPACES and not bwrap():
        raise IsolationError("namespaces were asked for, but bubblewrap (bwrap) cannot make them on this machine")
    return requested


def _system_binds() -> list[str]:
    args: list[str] = []
    for path in _SYSTEM:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return [*args, "--proc", "/proc", "--dev", "/dev"]


def _python_folders(kit: Path | None, hidden: Path | None = None) -> list[str]:
    """Folders Python imports from, except the kit's root and what holds it (that would show ``reference/``),
    and its ``reference/``, ``tests/`` and ``.git``; the same for ``hidden`` (the kit's own folder, when ``kit``
    is a copy of it). A virtual environment inside the kit's folder (``.venv``, ``.tox``) is kept."""
    import site

    found = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix, *site.getsitepackages()}
    if kit is None:
        return sorted({os.path.realpath(path) for path in found if os.path.isdir(path)})
    found.update(path for path in sys.path if path)
    roots = [str(root.resolve()) for root in (kit, hidden) if root is not None]
    secrets = tuple(f"{root}/{name}" for root in roots for name in ("reference", "tests", ".git"))
    keep = []
    for path in sorted(found):
        real = os.path.realpath(path)
        if not os.path.isdir(real) or real.startswith(tuple(f"{p}/" for p in _SYSTEM)):
            continue
        if any(root == real or root.startswith(real.rstrip("/") + "/") for root in roots):
            continue  # a kit's root itself, or a folder above it
        if any(real == secret or real.startswith(f"{secret}/") for secret in secrets):
            continue
        keep.append(real)
    return keep


def bwrap_command(kit: Path, submission: Path, events: Path, tmp_mb: int, hidden: Path | None = None) -> list[str]:
    """The ``bwrap`` arguments (up to ``--``) that build the sandbox described in this module's docstring:
    ``kit``'s graded parts bound read-only, nothing of ``hidden`` (the kit's own folder, when ``kit`` is
    the grading's copy of it)."""
    program = bwrap()
    if program is None:
        raise IsolationError("bubblewrap (bwrap) cannot make namespaces on this machine")
    kit = kit.resolve()
    args = [program, "--unshare-all", "--die-with-parent", "--new-session", *_system_binds()]
    # /tmp first: the binds below may lie under the host's /tmp (a kit or a grading there) and go on top of it
    args += ["--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp", "--dir", WORKDIR]
    for folder in _python_folders(kit, hidden):
        args += ["--ro-bind", folder, folder]
    for part in KIT_PARTS:
        if (kit / part).exists():
            args += ["--ro-bind", str(kit / part), str(kit / part)]
    args += ["--ro-bind", str(submission), SUBMISSION]
    args += ["--bind", str(events), EVENTS]
    args += ["--remount-ro", "/", "--remount-ro", "/dev"]  # only /tmp (capped) and the events file are writable
    args += ["--chdir", WORKDIR, "--"]
    return args
