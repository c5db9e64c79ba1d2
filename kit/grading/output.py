"""Write the results file as the parent alone can: atomically, and never through what sits at ``--out``.

The text goes to a new temporary file in the target's own folder (created with ``O_EXCL``, so
never an existing file, link or FIFO), is flushed to disk, then renamed over ``--out`` with
``os.replace``. A rename replaces a link or a FIFO at ``--out`` instead of following it, and a
reader sees the old file or the whole new one, never half of it. A directory at ``--out`` cannot
be replaced: :func:`unwritable` says so before grading starts.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def unwritable(out: Path) -> str | None:
    """Why the results cannot be written at ``out`` (checked before grading), or ``None``."""
    try:
        mode = os.lstat(out).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        return f"cannot check {out}: {exc.strerror}"
    if mode is not None and stat.S_ISDIR(mode):
        return f"{out} is a directory: give a file name with --out"
    if not out.parent.is_dir():
        return f"{out.parent} is not a folder"
    return None


def write_atomically(out: Path, text: str) -> None:
    """Replace ``out`` with a regular file holding ``text`` (UTF-8), in one rename."""
    data = text.encode("utf-8")
    fd, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
