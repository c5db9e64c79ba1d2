"""Where a submission runs while it is graded: in Linux namespaces made by bubblewrap, or a plain process.

The process that runs the submission — the worker, which runs nothing else
(:func:`kit.grading.trusted.worker_main`), while the spec judges in its own process outside — is, with
``namespaces``, started by ``bwrap`` (Debian/Ubuntu package ``bubblewrap``) in new user, mount, PID,
network, IPC, UTS and cgroup namespaces. What it sees:

- the operating system and the Python installation read-only (``/usr``, ``/etc``, and every folder the
  interpreter and its installed packages need, wherever they live: a virtual environment, an installation
  without one, the user's site-packages, the shared libraries it loaded; :func:`interpreter_folders`);
- of the kit only the grading's own copy of ``katas/``, ``spec_tests/`` and ``kit/``
  (:func:`kit.grading.grade.stage_kit`), read-only; nothing of the kit's own folder: no ``reference/``,
  no kit ``tests/``, no ``.git`` (the whole history of the reference);
- the submission as a read-only copy at :data:`SUBMISSION`;
- one private writable tmpfs at ``/tmp``, capped in size, where it works (:data:`WORKDIR`);
- the spec's temporary folders, writable at the same paths as outside (a checkpoint the spec reads back);
- no network (a fresh namespace holds only a loopback that is down);
- its own PID namespace: when the child ends, the kernel ends every process it started,
  ``setsid`` or not, and a signal to ``getppid()`` reaches only the sandbox's own init.

``--die-with-parent`` ends the sandbox if the grader dies. Where ``bwrap`` is missing or cannot make
namespaces (macOS, Windows, a host that forbids unprivileged user namespaces, such as Ubuntu 24.04
with ``kernel.apparmor_restrict_unprivileged_userns=1`` and no AppArmor profile for ``bwrap``),
it runs as a plain process (``in-process``: the spec and the submission are still two processes, with the
same limits, but the submission sees the host as its user does), and the results say so. When the grader
runs as root, the worker runs as :data:`WORKER_USER` in either isolation (:mod:`kit.grading.launch`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

NAMESPACES = "namespaces"
IN_PROCESS = "in-process"
CHOICES = ("auto", NAMESPACES, IN_PROCESS)
#: Set to ``in-process`` (or ``namespaces``) to force a mode when ``--isolation`` is ``auto``.
ENV = "KATA_GRADE_ISOLATION"

#: Paths inside the sandbox.
SUBMISSION = "/submission"
WORKDIR = "/tmp/kata"

_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
#: The parts of the kit a graded child sees (the grader copies them for each grading).
KIT_PARTS = ("katas", "spec_tests", "kit")


class IsolationError(RuntimeError):
    """Namespaces were asked for and are not available here."""


@functools.cache
def bwrap() -> str | None:
    """The ``bwrap`` program when it can make this module's namespaces here, else ``None``."""
    program = shutil.which("bwrap")
    if program is None or not sys.platform.startswith("linux"):
        return None
    probe = [program, "--unshare-all", "--die-with-parent", *_system_binds()]
    for folder in visible_folders(interpreter_folders()):
        probe += ["--ro-bind", folder, folder]
    probe += ["--", sys.executable, "-c", "pass"]
    try:  # as the worker will run it: as an unprivileged user when the grader is root
        done = subprocess.run(probe, capture_output=True, timeout=30, check=False, **as_worker_user())
    except (OSError, subprocess.SubprocessError):
        return None
    return program if done.returncode == 0 else None


#: The user a worker runs as when the grader is root.
WORKER_USER = "nobody"


@functools.cache
def worker_user() -> tuple[str, int, int] | None:
    """(name, uid, gid) of the user workers run as: :data:`WORKER_USER` when this process is root and that
    user can run this Python with NumPy (an interpreter under ``/root`` cannot be); else ``None``."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(WORKER_USER)
    except KeyError:
        return None
    probe = [sys.executable, "-c", "import numpy"]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(import_path()), "HOME": "/"}
    try:
        done = subprocess.run(
            probe, capture_output=True, timeout=60, check=False, cwd="/", env=env,
            user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return (WORKER_USER, entry.pw_uid, entry.pw_gid) if done.returncode == 0 else None


def grading_parent() -> str | None:
    """Where a grading makes its temporary folder: the usual place, unless workers run as another user who
    cannot pass a folder above it (a ``TMPDIR`` under ``/root``, pytest's ``/tmp/pytest-of-root``): then ``/tmp``."""
    if worker_user() is None:
        return None
    folder = Path(tempfile.gettempdir()).resolve()
    if all(os.stat(above).st_mode & 0o001 for above in [folder, *folder.parents]):
        return None
    return "/tmp"


def worker_user_note() -> str | None:
    """What the results say when the grader is root but its workers cannot run as :data:`WORKER_USER`."""
    if os.name != "posix" or os.geteuid() != 0 or worker_user() is not None:
        return None
    return (
        f"the grader runs as root and its workers could not run as {WORKER_USER!r} (that user cannot run "
        f"{sys.executable} with NumPy): they ran as root. Install Python where every user can read it "
        "(or let them pass the folders above it) to grade as an unprivileged user"
    )


def as_worker_user() -> dict[str, Any]:
    """``subprocess`` arguments that run a command as :func:`worker_user` (nothing when that is not needed)."""
    user = worker_user()
    return {} if user is None else {"user": user[1], "group": user[2], "extra_groups": []}


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


@functools.cache
def import_path() -> tuple[str, ...]:
    """The folders this interpreter imports from when it starts for this user, in order, measured.

    A fresh interpreter is asked (without ``PYTHONPATH``, from an empty folder): the standard library,
    the environment's site-packages (a virtual environment's, or the installation's when there is none,
    as ``actions/setup-python`` gives), the user's own site-packages (``pip install --user``) and what
    their ``.pth`` files add. A graded child starts with another ``HOME`` and no user site, so it is
    handed these folders (:func:`kit.grading.sandbox.child_environment`) and, in namespaces, sees them.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME")}
    probe = "import json, sys; print(json.dumps(sys.path[1:]))"
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=empty, env=env, capture_output=True, text=True, timeout=60, check=False
        )
    found = json.loads(done.stdout) if done.returncode == 0 else [p for p in sys.path[1:] if p]
    return tuple(dict.fromkeys(os.path.realpath(path) for path in found if path and os.path.isdir(path)))


@functools.cache
def interpreter_folders() -> tuple[str, ...]:
    """Every folder the interpreter and its installed packages need, wherever they live: its prefixes, its
    import path (:func:`import_path`), and the folders of the shared libraries it has loaded (a
    ``libpython`` that an interpreter finds through an absolute ``RUNPATH``, outside its own prefix)."""
    found = [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix, *import_path()]
    with contextlib.suppress(OSError):  # Linux: the files mapped into this process
        for line in Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace").splitlines():
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith("/") and ".so" in fields[5]:
                found.append(os.path.dirname(fields[5]))
    return tuple(dict.fromkeys(os.path.realpath(path) for path in found if os.path.isdir(path)))


def is_checkout(folder: Path) -> bool:
    """Whether ``folder`` (the kit's root) is a source checkout, with solutions and history beside the kit,
    rather than an installation's site-packages, which holds the kit's packages and nothing secret."""
    return any((folder / name).exists() for name in ("reference", ".git", "tox.ini"))


def _hidden_roots(kit: Path | None, hidden: Path | None) -> tuple[list[str], tuple[str, ...]]:
    roots = [str(root.resolve()) for root in (kit, hidden) if root is not None and (root is kit or is_checkout(root))]
    return roots, tuple(f"{root}/{name}" for root in roots for name in ("reference", "tests", ".git"))


def _is_hidden(real: str, roots: list[str], secrets: tuple[str, ...]) -> bool:
    if any(root == real or root.startswith(real.rstrip("/") + "/") for root in roots):
        return True  # a kit's root itself, or a folder above it
    return any(real == secret or real.startswith(f"{secret}/") for secret in secrets)


def visible_folders(candidates: Iterable[str], kit: Path | None = None, hidden: Path | None = None) -> list[str]:
    """Of ``candidates`` (folders Python needs), those a graded child may see, outermost first.

    Hidden: the grading's copy of the kit ``kit`` and every folder that holds it (a temporary folder
    beside other gradings), and, when the kit's own folder ``hidden`` is a checkout (:func:`is_checkout`),
    that folder, what holds it, and its ``reference/``, ``tests/`` and ``.git``. A virtual environment
    inside a checkout (``.venv``, ``.tox``) is kept; an installed kit's site-packages is kept whole.
    Folders under the system's (``/usr``, bound whole) and folders inside one already kept are left out.
    """
    roots, secrets = _hidden_roots(kit, hidden)
    keep: list[str] = []
    for real in sorted({os.path.realpath(path) for path in candidates}):
        if not os.path.isdir(real) or real.startswith(tuple(f"{p}/" for p in _SYSTEM)):
            continue
        if _is_hidden(real, roots, secrets) or any(real.startswith(f"{outer.rstrip('/')}/") for outer in keep):
            continue
        keep.append(real)
    return keep


def child_import_path(hidden: Path | None) -> list[str]:
    """:func:`import_path` in its order, less what a graded child may not see (:func:`visible_folders`)."""
    roots, secrets = _hidden_roots(None, hidden)
    return [path for path in import_path() if not _is_hidden(path, roots, secrets)]


def bwrap_command(
    kit: Path,
    submission: Path,
    tmp_mb: int,
    hidden: Path | None = None,
    writable: Iterable[Path] = (),
) -> list[str]:
    """The ``bwrap`` arguments (up to ``--``) that build the worker's sandbox described in this module's
    docstring: ``kit``'s graded parts bound read-only, nothing of ``hidden`` (the kit's own folder, when
    ``kit`` is the grading's copy of it), and each of ``writable`` (the spec's temporary folders) writable,
    at the same path as outside (the spec reads there what the submission wrote)."""
    program = bwrap()
    if program is None:
        raise IsolationError("bubblewrap (bwrap) cannot make namespaces on this machine")
    kit = kit.resolve()
    args = [program, "--unshare-all", "--die-with-parent", "--new-session", *_system_binds()]
    # /tmp first: the binds below may lie under the host's /tmp (a kit or a grading there) and go on top of it
    args += ["--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp", "--dir", WORKDIR]
    for folder in visible_folders(interpreter_folders(), kit, hidden):
        args += ["--ro-bind", folder, folder]
    for part in KIT_PARTS:
        if (kit / part).exists():
            args += ["--ro-bind", str(kit / part), str(kit / part)]
    args += ["--ro-bind", str(submission), SUBMISSION]
    for folder in writable:
        args += ["--bind", str(folder), str(folder)]
    args += ["--remount-ro", "/", "--remount-ro", "/dev"]  # only /tmp (capped) and the spec's folders are writable
    args += ["--chdir", WORKDIR, "--"]
    return args
