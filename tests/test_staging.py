"""A submission's folder is copied without trusting what it holds (kit/grading/staging.py)."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

from kit.grading.staging import MAX_FILE_BYTES, copy_submission
from tests import hostile
from tests.test_grade import BOTH, SMALL, graded, only_kata


def special_package(parent: Path) -> Path:
    """A package holding one of each thing a grader must not read or copy, beside ordinary files."""
    package = parent / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("x = 1\n")
    (package / "sub" / "data.txt").write_text("kept\n")
    os.mkfifo(package / "pipe")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(package / "sock"))
    (package / "out").symlink_to("/etc/passwd")
    (package / "in.py").symlink_to("sub/data.txt")
    with open(package / "sparse.bin", "wb") as handle:
        handle.truncate(10 * 1024**3)  # 10 GB that take no disk
    if os.geteuid() == 0:  # only root may make a device: /dev/zero's, which reads forever
        os.mknod(package / "zero", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    return package


def test_special_files_links_out_and_huge_files_are_skipped_with_their_reason(tmp_path: Path) -> None:
    package = special_package(tmp_path)
    skipped = copy_submission(package, tmp_path / "copy")
    reasons = dict(entry.split(": ", 1) for entry in skipped)
    assert reasons.pop("pkg/pipe") == "a named pipe"
    assert reasons.pop("pkg/sock") == "a socket"
    assert reasons.pop("pkg/out") == "a link to outside the package"
    assert reasons.pop("pkg/sparse.bin").startswith(f"{10 * 1024**3:,} bytes, over the {MAX_FILE_BYTES:,}")
    if os.geteuid() == 0:
        assert reasons.pop("pkg/zero") == "a character device"
    assert reasons == {}
    copied = sorted(p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*"))
    assert copied == ["__init__.py", "in.py", "sub", "sub/data.txt"]
    assert (tmp_path / "copy" / "in.py").read_text() == "kept\n"
    assert not (tmp_path / "copy" / "in.py").is_symlink()


@BOTH
def test_a_submission_with_special_files_is_graded_and_the_results_say_what_was_skipped(
    tmp_path: Path, mode: str
) -> None:
    folder = hostile.build(hostile.Hostile("holds-special-files", "autograd/value.py", "", ""), tmp_path)
    os.mkfifo(folder / "pipe")
    (folder / "secret.py").symlink_to("/etc/passwd")
    with open(folder / "sparse.bin", "wb") as handle:
        handle.truncate(10 * 1024**3)
    results = graded(folder, *SMALL, "--isolation", mode, seconds=120)
    kata = only_kata(results)
    assert kata["passed"] == kata["total"]
    (note,) = [n for n in results["notes"] if n.startswith("skipped before grading")]
    assert "pipe: a named pipe" in note
    assert "secret.py: a link to outside the package" in note
    assert "sparse.bin: 10,737,418,240 bytes" in note
