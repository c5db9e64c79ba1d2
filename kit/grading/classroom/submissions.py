"""Where a class's submissions come from, and a snapshot of each one to grade.

A class is either a folder of learner folders (``class/alice/``, ``class/bob/`` …) or a CSV
file with the columns ``name,source[,ref]``, where ``source`` is a folder (relative to the
CSV) or a git URL, cloned once into a cache and checked out at ``ref``. A learner's folder is
graded when it is a package itself (it has ``__init__.py``) or holds one named ``student/``
(a learner repository). Anything else becomes a row that says what is wrong, never an abort.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

#: Folder name of the snapshot the grader is pointed at (it must be an identifier the kit does not use).
PACKAGE = "student"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_GIT = re.compile(r"^(https?://|ssh://|git://|file://|git@)|\.git/?$")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", ".hypothesis", ".pytest_cache")


@dataclass
class Submission:
    """One learner as the class list names them; ``problem`` says why they cannot be graded."""

    name: str  # as given (may hold any character: the gradebook quotes it, the report escapes it)
    slug: str  # safe file name for their results
    source: str  # the folder or git URL it came from, as given
    ref: str = ""
    problem: str = ""  # empty when it can be graded
    status: str = ""  # the gradebook status when it cannot be graded

    def refuse(self, status: str, problem: str) -> None:
        if not self.problem:
            self.status, self.problem = status, problem


def slug_of(name: str) -> str:
    """A file name for ``name``: itself when already safe, else a safe spelling plus a short hash.

    >>> slug_of("ada_lovelace")
    'ada_lovelace'
    >>> slug_of("Zoë O'Brien")  # doctest: +ELLIPSIS
    'Zoe_O_Brien-...'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    safe = _SAFE.sub("_", ascii_name).strip("._-")[:48] or "learner"
    if safe == name:
        return safe
    return f"{safe}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:6]}"


def discover(source: Path) -> list[Submission]:
    """The class listed in ``source`` (a folder of learner folders or a CSV), in a stable order."""
    if source.is_dir():
        found = [
            Submission(entry.name, slug_of(entry.name), str(entry))
            for entry in sorted(source.iterdir(), key=lambda p: p.name)
            if not entry.name.startswith(".")
        ]
    elif source.is_file():
        found = _from_csv(source)
    else:
        raise FileNotFoundError(f"{source}: no such folder or CSV file")
    _mark_bad_names(found)
    _mark_duplicates(found)
    return found


def _from_csv(path: Path) -> list[Submission]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"name", "source"} <= set(rows[0]):
        raise ValueError(f"{path}: the CSV needs a header with the columns name,source[,ref]")
    found = []
    for line, row in enumerate(rows, start=2):
        name, source = (row.get("name") or "").strip(), (row.get("source") or "").strip()
        entry = Submission(name, slug_of(name) if name else f"line-{line}", source, (row.get("ref") or "").strip())
        if not source:
            entry.refuse("missing", f"CSV line {line}: no source (a folder or a git URL)")
        elif not _GIT.search(source):
            entry.source = str((path.parent / source).resolve())
        found.append(entry)
    return found


def _mark_bad_names(found: list[Submission]) -> None:
    for entry in found:
        if not entry.name.strip() or any(unicodedata.category(c) in ("Cc", "Cs") for c in entry.name):
            entry.refuse("bad-name", f"the name {entry.name!r} is empty or holds control characters: fix the list")


def _mark_duplicates(found: list[Submission]) -> None:
    """Two learners with one name (or one file name) are both refused: a grade must not land on the wrong person."""
    by_key: dict[str, list[Submission]] = {}
    for entry in found:
        by_key.setdefault(entry.name.strip().casefold(), []).append(entry)
        if entry.slug.casefold() != entry.name.strip().casefold():
            by_key.setdefault(entry.slug.casefold(), []).append(entry)
    for group in by_key.values():
        if len(group) > 1:
            sources = ", ".join(entry.source or "(none)" for entry in group)
            for entry in group:
                entry.refuse("duplicate-name", f"{len(group)} submissions share the name {entry.name!r}: {sources}")


# ---------------------------------------------------------------- fetching


def fetch(entry: Submission, cache: Path, timeout: float = 300) -> Path | None:
    """The learner's folder on disk (cloned into ``cache`` for a git URL); None, with ``entry.problem`` set, if none."""
    if not _GIT.search(entry.source):
        folder = Path(entry.source)
        if not folder.exists():
            entry.refuse("missing", f"no such folder: {entry.source}")
            return None
        return folder
    key = hashlib.sha256(entry.source.encode("utf-8")).hexdigest()[:16]
    clone = cache / key
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "SSH_ASKPASS": "true"}

    def git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
        )

    try:
        if (clone / ".git").is_dir():
            branches = "+refs/heads/*:refs/remotes/origin/*"
            done = git("fetch", "--quiet", "--force", "--tags", "origin", branches, cwd=clone)
        else:
            shutil.rmtree(clone, ignore_errors=True)
            done = git("clone", "--quiet", "--no-checkout", "--", entry.source, str(clone))
        if done.returncode != 0:
            entry.refuse("clone-failed", f"git could not fetch {entry.source}: {last_line(done.stderr)}")
            return None
        ref = entry.ref or "HEAD"
        for candidate in (ref, f"origin/{ref}"):
            sha = git("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", cwd=clone).stdout.strip()
            if sha:
                break
        else:
            entry.refuse("clone-failed", f"{entry.source} has no branch, tag or commit {ref!r}")
            return None
        done = git("checkout", "--quiet", "--force", "--detach", sha, cwd=clone)
        if done.returncode != 0:
            entry.refuse("clone-failed", f"git could not check out {ref!r}: {last_line(done.stderr)}")
            return None
        git("clean", "-qfdx", cwd=clone)
    except subprocess.TimeoutExpired:
        entry.refuse("clone-failed", f"git gave no answer from {entry.source} within {timeout:g} s")
        return None
    entry.ref = f"{ref}@{sha[:12]}" if ref != sha else sha
    return clone


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def package_in(folder: Path) -> Path | None:
    """The package to grade in a learner's folder: the folder itself, or its ``student/``."""
    for candidate in (folder, folder / PACKAGE):
        if (candidate / "__init__.py").is_file():
            return candidate
    return None


def snapshot(entry: Submission, folder: Path, into: Path) -> Path | None:
    """Copy the learner's package to ``into/student`` (what is hashed is what is graded); None if it is not one."""
    package = package_in(folder) if folder.is_dir() else None
    if package is None:
        what = "a file, not a folder" if folder.exists() and not folder.is_dir() else "no __init__.py"
        entry.refuse("not-a-package", f"not a package: {what} (looked in {folder.name}/ and {folder.name}/{PACKAGE}/)")
        return None
    target = into / PACKAGE
    shutil.rmtree(target, ignore_errors=True)
    into.mkdir(parents=True, exist_ok=True)
    shutil.copytree(package, target, ignore=_IGNORED, symlinks=True)
    return target


def content_hash(package: Path) -> str:
    """SHA-256 over every file's relative path and bytes, in sorted order: the submission's identity."""
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() or p.is_symlink()):
        data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + data + b"\0")
    return digest.hexdigest()
