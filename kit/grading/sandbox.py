"""Run one kata's graded run with limits, and read back only what the grader itself wrote.

:func:`run_split` starts the spec's process (:func:`kit.grading.trusted.main`), which never imports the
submission, and gives it :func:`worker_config`: how to start the worker that holds the submission, through
:mod:`kit.grading.launch` (the same limits, and the user :data:`kit.grading.isolation.WORKER_USER` when the
grader is root), in bubblewrap with ``namespaces`` (the submission read-only, the spec's temporary folders
writable). The spec's process gets:

- a fresh working folder (also its ``HOME`` and ``TMPDIR``) and a minimal environment:
  no secrets of the CI job, ``PYTHONHASHSEED=0``, one BLAS thread, the ``ci`` profile;
- a wall-clock limit for the whole kata: on expiry its whole process group is killed;
- on POSIX, ``resource`` limits set between fork and exec: address space (``RLIMIT_AS``),
  file size (``RLIMIT_FSIZE``, so flooding output stops at that size with ``EFBIG`` instead of
  filling the disk), CPU time (``RLIMIT_CPU``, the kata's limit plus 5 s: a backstop should the
  grader itself die) and no core files; the worker gets the same through the launcher. On Windows
  there are no such limits: the wall-clock limit still applies;
- standard output and error sent to files, of which at most :data:`TAIL_BYTES` are read back;
- a key on its standard input (then end of input), with which it signs its events
  (:class:`kit.grading.trusted.Events`): only lines whose signature holds are read back.

Bytecode: both processes load the kit's code from the grading's own copy of the kit, which the grader's
trusted collection compiled, and the worker loads the submission's from a copy of its sources alone (no
``__pycache__``), so a ``.pyc`` planted in the kit's or the submission's folders is never loaded. Neither
process writes bytecode.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from katas.catalogue import KIT_ROOT

from . import isolation
from .trusted import verify_lines

#: Bytes of a child's standard output or error read back (its end: where a crash says why).
TAIL_BYTES = 8192
#: Largest events file read back; a child cannot write more than the file-size limit anyway.
EVENTS_BYTES = 64 * 1024 * 1024

_SPLIT_BOOT = "import sys; sys.path.insert(0, sys.argv.pop(1)); from kit.grading.trusted import main; main()"
_WORKER_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); from kit.grading.trusted import worker_main; worker_main()"
)
#: Processes the worker's user may have at once (a fork bomb stops there; set only when the grader is root).
WORKER_PROCESSES = 256


@dataclass(frozen=True)
class Limits:
    """The limits of one graded kata."""

    test_seconds: float = 60.0  # per spec test (the spec's own --time-limit)
    kata_seconds: float = 600.0  # the whole kata, start-up included; then the process group is killed
    memory_mb: int = 2048  # address space, POSIX only
    file_mb: int = 64  # largest file the child may write (its captured output included), POSIX only
    tmp_mb: int = 256  # the sandbox's private /tmp (namespaces only)
    total_seconds: float | None = None  # the whole grading, every kata (kata grade --total-timeout)
    cut_by_total: bool = False  # kata_seconds is what was left of total_seconds when this kata started


@dataclass
class ChildRun:
    """What one child did, as far as the grader can trust it."""

    events: list[dict[str, Any]]
    returncode: int | None
    timed_out: bool
    seconds: float
    stdout_tail: str
    stderr_tail: str
    unsigned_lines: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def child_environment(workdir: Path | str, impl: str, kit: Path) -> dict[str, str]:
    """A minimal environment: nothing of the grader's secrets, fixed hashing, one BLAS thread, and Hypothesis's
    storage in the grading's copy of the kit ``kit`` (:func:`hypothesis_storage`)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "TEMP": str(workdir),
        "TMP": str(workdir),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONNOUSERSITE": "1",
        "PYTHONIOENCODING": "utf-8",
        "NO_COLOR": "1",
        "COLUMNS": "120",
        "SPEC_PROFILE": "ci",
        "SPEC_IMPL": impl,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        # the interpreter's own import path, measured (a user's site-packages included, which a child with
        # another HOME and no user site would not find by itself); never the kit's checkout
        "PYTHONPATH": os.pathsep.join(isolation.child_import_path(KIT_ROOT)),
        "HYPOTHESIS_STORAGE_DIRECTORY": str(hypothesis_storage(kit)),
    }
    for name in ("SYSTEMROOT", "COMSPEC", "PATHEXT", "WINDIR"):  # Windows cannot start Python without these
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def hypothesis_storage(kit: Path) -> Path:
    """Hypothesis's storage for the children graded from ``kit`` (the grading's copy of the kit): its Unicode
    tables, built by the trusted collection (:func:`kit.grading.trusted.warm_hypothesis_storage`), read-only to
    the children. The ``ci`` profile keeps no example database, so nothing else is ever stored there."""
    return kit / "spec_tests" / ".hypothesis"


def _posix_limits(limits: Limits) -> Any:
    import resource

    def apply() -> None:  # runs in the child between fork and exec
        mib = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mib, limits.memory_mb * mib))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * mib, limits.file_mb * mib))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # CPU seconds: a backstop that ends a looping child even if the grader itself is killed and
        # cannot enforce the wall-clock limit (one thread's CPU time never outruns the wall clock)
        cpu = int(limits.kata_seconds) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing

    return apply


def read_tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last ``limit`` bytes of ``path`` as text (never the whole of a flooded file)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            data = handle.read(limit)
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return ("…" + text) if size > limit else text


def worker_config(
    kit: Path, impl: str, impl_parent: Path, workdir: Path, basetemp: Path, limits: Limits, mode: str, hidden: Path,
    share_root: Path,
) -> dict[str, Any]:  # fmt: skip
    """How the spec's process starts its worker (:class:`spec_tests.remote.Config`): through the launcher, with
    the kata's limits, as :func:`isolation.worker_user` when the grader is root, in bubblewrap for ``namespaces``."""
    home = workdir / "worker"
    home.mkdir(parents=True, exist_ok=True)
    user = isolation.worker_user()
    parent = str(impl_parent)
    prefix: list[str] = []
    inside = home
    if mode == isolation.NAMESPACES:
        prefix = isolation.bwrap_command(kit, impl_parent, limits.tmp_mb, hidden, writable=[basetemp])
        parent, inside = isolation.SUBMISSION, Path(isolation.WORKDIR)
    launch = {
        "limits": {
            "memory_mb": limits.memory_mb,
            "file_mb": limits.file_mb,
            "cpu_seconds": int(limits.kata_seconds) + 5,
            "processes": WORKER_PROCESSES,
        },
        "user": user[0] if user else None,
    }
    launcher = [sys.executable, "-I", "-S", str(kit / "kit" / "grading" / "launch.py"), json.dumps(launch), "--"]
    command = [*prefix, sys.executable, "-c", _WORKER_BOOT, str(kit), parent]
    if mode != isolation.NAMESPACES:  # in-process the host is there: a hook refuses the kit's reference, writes
        command += [str(hidden), str(basetemp)]
    env = {**child_environment(inside, impl, kit), "PYTHONDONTWRITEBYTECODE": "1"}
    if user is not None:
        share_with(user[1], user[2], share_root, [home, impl_parent, kit])
    return {
        "argv": [*launcher, *command],
        "env": env,
        "cwd": str(home),
        "share": [user[1], user[2], str(share_root)] if user else None,
        "log": str(workdir / "worker.log"),
    }


def share_with(uid: int, gid: int, root: Path, folders: list[Path]) -> None:
    """Let the worker's user (not the grader's) pass the folders above ``folders`` up to ``root``, read the kit's
    and the submission's copies, and own its home (the first of ``folders``)."""
    os.chown(folders[0], uid, gid)
    for folder in folders:
        for above in [folder, *folder.parents]:
            if above != root and root not in above.parents:
                break
            mode = os.stat(above).st_mode
            if not mode & 0o001:
                os.chmod(above, (mode & 0o7777) | 0o001)
    for tree in folders[1:]:  # the copies the grader made: readable by everyone, writable by none but the grader
        for path in [tree, *tree.rglob("*")]:
            if path.is_symlink():
                continue
            mode = os.stat(path).st_mode & 0o7777
            os.chmod(path, mode | (0o005 if path.is_dir() else 0o004))


def run_split(
    kit: Path,
    impl: str,
    impl_parent: Path,
    pytest_args: list[str],
    workdir: Path,
    limits: Limits,
    mode: str = isolation.IN_PROCESS,
    hidden: Path | None = None,
    share_root: Path | None = None,
    cpu: int | None = None,
) -> ChildRun:
    """Run the spec (``pytest_args``) in the spec's process, which reaches ``impl`` (found in ``impl_parent``)
    only through its worker (:func:`worker_config`).

    ``kit`` is the grading's copy of the kit's graded parts (:data:`isolation.KIT_PARTS`); ``hidden``
    the kit's own folder, of which the worker may read nothing (its ``reference/`` above all);
    ``impl_parent`` a folder that holds a copy of the submission alone (with namespaces it is bound whole).
    ``mode`` is ``namespaces`` or ``in-process`` (:mod:`kit.grading.isolation`). ``cpu``: the CPU (an index into
    those this process may use) the pair runs on, so that katas graded at the same time each have their own.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    events_path = workdir / "events.jsonl"
    events_path.touch(mode=0o600)
    key = secrets.token_bytes(32)
    hidden = hidden or kit
    basetemp = workdir / "basetemp"
    basetemp.mkdir(exist_ok=True)
    worker = worker_config(kit, impl, impl_parent, workdir, basetemp, limits, mode, hidden, share_root or workdir)
    worker_file = workdir / "worker.json"
    worker_file.write_text(json.dumps(worker), encoding="utf-8")
    config = {"events": str(events_path), "worker": str(worker_file), "impl": impl}
    pytest_args = [*pytest_args, "--basetemp", str(basetemp / "spec")]  # pytest remakes it; basetemp stays bound
    command = [sys.executable, "-c", _SPLIT_BOOT, str(kit), json.dumps(config), "--", *pytest_args]
    env = {**child_environment(workdir, impl, kit), "PYTHONDONTWRITEBYTECODE": "1"}
    if cpu is not None:
        env["SPEC_CPU"] = str(cpu)
    return signed_run(command, env, workdir, events_path, key, limits, extra_log=workdir / "worker.log")


def signed_run(
    command: list[str],
    env: dict[str, str],
    workdir: Path,
    events_path: Path,
    key: bytes,
    limits: Limits,
    extra_log: Path | None = None,
) -> ChildRun:
    """Run ``command`` in ``workdir`` with the kata's limits, its key on standard input, and read back its signed
    events (``events_path``) and the ends of its output (and of ``extra_log``: the worker's, split)."""
    posix = os.name == "posix"
    started = time.monotonic()
    with (workdir / "stdout.txt").open("wb") as out, (workdir / "stderr.txt").open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            start_new_session=posix,
            preexec_fn=_posix_limits(limits) if posix else None,
        )
        assert process.stdin is not None
        with contextlib.suppress(OSError):  # the key, then end of input: read before anything else
            process.stdin.write(key)
            process.stdin.close()
        timed_out = False
        try:
            process.wait(timeout=limits.kata_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_group(process, posix)
        process.wait()
    seconds = time.monotonic() - started
    try:
        with events_path.open("rb") as handle:
            text = handle.read(EVENTS_BYTES).decode("utf-8", errors="replace")
    except OSError:
        text = ""
    events = list(verify_lines(text, key))
    unsigned = sum(1 for line in text.splitlines() if line.strip()) - len(events)
    return ChildRun(
        events=events,
        returncode=process.returncode,
        timed_out=timed_out,
        seconds=seconds,
        stdout_tail=read_tail(workdir / "stdout.txt"),
        stderr_tail=read_tail(workdir / "stderr.txt") + (read_tail(extra_log, 2048) if extra_log else ""),
        unsigned_lines=unsigned,
    )


def _kill_group(process: subprocess.Popen[bytes], posix: bool) -> None:
    """Kill the child and everything in its process group (whatever it left behind)."""
    if posix:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    elif process.poll() is None:
        process.kill()


def signal_name(returncode: int) -> str:
    """``SIGKILL`` for -9, and so on."""
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"
