"""Copy a submission for grading without trusting what its folder holds.

A submission's folder is the learner's: besides source it may hold a named pipe (reading it
blocks forever), a socket or a device file (``/dev/zero`` made with ``mknod``: endless), a link
to a file outside it (``/etc/shadow``, the kit's ``reference/``), or a file of 10 GB that takes
no disk (a sparse file: copying it fills the grader's). :func:`copy_submission` looks at each
entry with ``lstat`` (never following a link, never opening anything but a regular file) and
copies only regular files and folders (a link to a file of the package, as that file); the
rest is skipped, each with its reason, which the results carry as a note. Nothing is read
before it is checked, so a grade always arrives.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

#: Largest file copied, and the most bytes copied in all (a package of source is a few hundred KB).
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024

_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def copy_submission(source: Path, target: Path) -> list[str]:
    """Copy the package ``source`` to ``target`` (sources and data, no ``__pycache__``); returns what was
    skipped and why (``"student/pipe: a named pipe"``)."""
    skipped: list[str] = []
    top = os.path.realpath(source)
    total = [0]

    def copy(folder: Path, into: Path) -> None:
        into.mkdir()
        with os.scandir(folder) as entries:
            found = sorted(entries, key=lambda entry: entry.name)
        for entry in found:
            if entry.name == "__pycache__":
                continue
            name = f"{source.name}/{Path(entry.path).relative_to(source).as_posix()}"
            info = entry.stat(follow_symlinks=False)
            kind = stat.S_IFMT(info.st_mode)
            if kind == stat.S_IFLNK:  # copied as the file it names, when that is a file of the package
                real = os.path.realpath(entry.path)
                if os.path.commonpath([top, real]) != top:
                    skipped.append(f"{name}: a link to outside the package")
                    continue
                if not os.path.isfile(real):
                    skipped.append(f"{name}: a link to a folder or to nothing")
                    continue
                info = os.stat(real)
                kind = stat.S_IFMT(info.st_mode)
            if kind == stat.S_IFDIR:
                copy(Path(entry.path), into / entry.name)
            elif kind != stat.S_IFREG:
                skipped.append(f"{name}: {_KINDS.get(kind, 'a special file')}")
            elif info.st_size > MAX_FILE_BYTES:
                skipped.append(f"{name}: {info.st_size:,} bytes, over the {MAX_FILE_BYTES:,} a file may have")
            elif total[0] + info.st_size > MAX_TOTAL_BYTES:
                skipped.append(f"{name}: the package is over {MAX_TOTAL_BYTES:,} bytes in all")
            else:
                total[0] += info.st_size
                shutil.copyfile(os.path.realpath(entry.path), into / entry.name, follow_symlinks=False)

    copy(source, target)
    return skipped
