"""An expensive run shared by the kit's tests: made once per test session, whichever xdist worker needs it first.

Some checks read the same slow run (``kata status`` on the skeleton: 500 spec tests). pytest's
fixtures are per worker, and pytest-xdist's ``--dist loadgroup`` no longer keeps a group on one
worker under pytest 9.2 (pytest-dev/pytest-xdist#1386), so a module fixture would make the run once
per worker that needs it, or again after another module's test. Here the first caller makes it in a
folder all workers share (beside their own temporary folders), under a file lock; the others wait
for it and read what it left: the process's exit code and output, and whatever files it wrote in its folder.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this session sees: the parent of the workers' own ones under xdist."""
    base = factory.getbasetemp()
    return base.parent if base.name.startswith("popen-gw") else base


def run_once(
    factory: pytest.TempPathFactory, name: str, make: Callable[[Path], subprocess.CompletedProcess[str]]
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The process ``make(folder)`` ran, made once per session in ``folder`` (a folder of its own named ``name``).

    Its arguments, exit code and output are kept as JSON; the folder stays for the whole session.
    Returns the process (as :func:`subprocess.run` does) and the folder.
    """
    root = shared_folder(factory)
    folder, record = root / f"once-{name}", root / f"once-{name}.json"
    with FileLock(str(root / f"once-{name}.lock")):
        if not record.is_file():
            folder.mkdir(exist_ok=True)
            done = make(folder)
            record.write_text(json.dumps([done.args, done.returncode, done.stdout, done.stderr]), encoding="utf-8")
    return subprocess.CompletedProcess(*json.loads(record.read_text(encoding="utf-8"))), folder
