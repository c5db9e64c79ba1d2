"""What the ``kata`` command remembers between runs, in one JSON file (``$KATA_STATE`` moves it).

Per implementation package: the last result of every kata that was checked, with the files of
the package its tests reached and a fingerprint of those files as they were checked, whether it
ever passed, and the kata the learner chose to start at. A kata whose fingerprint is unchanged
need not run again: ``kata`` (status) answers from these records, and ``kata check`` re-checks an
earlier kata only when it passed before and its files changed since.

Which files a kata's tests reach is measured while they run, not guessed from folders: the spec
runs with the kit's plugin :mod:`kit.learner.reach`, which notes every module of the package the
tests ask for (imported, failed to import, or not found), what those modules ask for in turn, and
every file of the package they open. The fingerprint of kata N is a hash of the spec
(``spec_tests/``, the catalogue) and of exactly those files, a missing one hashed as missing. So
an edit re-checks only the katas that can see it: an edit under ``nn/`` leaves the NumPy track
(katas 13–16) alone, and one to ``data/mnist.py`` re-checks the katas whose tests load data
through it. A module that did not exist, or failed to import, counts too: creating or fixing it
re-checks the katas that asked for it.

A record without a reach (written by an older kit, or by a run that could not measure it) keeps
the older guess: the spec and, in the package, the files of katas 1..N and every ``__init__.py``.
Such a record is re-checked once its guessed files change, and then gets its measured reach.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from katas import catalogue
from katas.catalogue import KIT_ROOT

from . import workspace
from .runner import KataOutcome, SpecRun

#: In a workspace (``kata init``), its own state file; in the kit's checkout, the one at its root.
STATE_FILE = Path(os.environ.get("KATA_STATE") or workspace.state_file() or KIT_ROOT / workspace.STATE_NAME)


@dataclass
class Record:
    """A kata's last checked result, with the fingerprint of the files it was checked on.

    ``reach``: the files of the package (relative to its folder) its tests reached, as measured;
    ``None`` when not measured (an older kit): the fingerprint is then the older guess.
    """

    passed: int
    total: int
    own_passed: int
    failures: list[dict[str, object]]
    fingerprint: str
    ever_passed: bool = False
    reach: list[str] | None = None

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def outcome(self, kata: catalogue.Kata) -> KataOutcome:
        return KataOutcome(kata, self.passed, self.total, self.failures, self.own_passed)


@dataclass
class Progress:
    """One implementation's records and chosen starting kata."""

    records: dict[int, Record] = field(default_factory=dict)
    start: int = 1


def load_state() -> dict[str, Any]:
    """The whole file: ``hints`` (levels shown per kata) and ``impls`` (per package, as :class:`Progress` data)."""
    try:
        state = json.loads(STATE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    return {"hints": dict(state.get("hints", {})), "impls": dict(state.get("impls", {}))}


def save_state(state: dict[str, Any]) -> None:
    """Write the state atomically: a crash mid-write never loses what was there."""
    tmp = STATE_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, STATE_FILE)


def progress_of(impl: str) -> Progress:
    """The records of ``impl`` (fields a newer kit added to a record are left out)."""
    data = load_state()["impls"].get(impl, {})
    known = {f.name for f in fields(Record)}
    records = {
        int(n): Record(**{key: value for key, value in record.items() if key in known})
        for n, record in data.get("records", {}).items()
    }
    return Progress(records, int(data.get("start", 1)))


def save_progress(impl: str, progress: Progress) -> None:
    state = load_state()
    state["impls"][impl] = {
        "records": {str(n): asdict(record) for n, record in sorted(progress.records.items())},
        "start": progress.start,
    }
    save_state(state)


def record(progress: Progress, run: SpecRun, before: Snapshot) -> list[catalogue.Kata]:
    """Keep ``run``'s results, each with its reach and fingerprint as of ``before`` (taken as the run
    started); return the katas that passed before and fail now (regressions)."""
    broken = []
    for number, outcome in run.outcomes.items():
        previous = progress.records.get(number)
        ever = bool(previous and previous.ever_passed)
        if ever and not outcome.complete:
            broken.append(outcome.kata)
        reach = run.reach.get(number) if before.folder is not None else None
        progress.records[number] = Record(
            outcome.passed,
            outcome.total,
            outcome.own_passed,
            outcome.failures,
            before.guesses[number] if reach is None else before.fingerprint(reach),
            ever or outcome.complete,
            reach,
        )
    return broken


@dataclass
class Snapshot:
    """The spec and the package as a run starts, to fingerprint its results with once it ends.

    What each kata reached is only known after the run; the files may have changed meanwhile (the
    learner saves while the spec runs). So a file whose size or time changed since the snapshot is
    fingerprinted as "changed while checked", which no later state of it matches: the kata runs again.
    """

    folder: Path | None
    spec: Any  # a hashlib object: the spec's files and the catalogue
    stats: dict[str, tuple[int, int]]  # file (relative to the folder) → (size, modification time in ns)
    guesses: dict[int, str]  # per ready kata, the older guess's fingerprint (for a run that measured no reach)

    def fingerprint(self, reach: list[str]) -> str:
        """The fingerprint of a kata whose tests reached ``reach``: the spec and those files as they were."""
        folder = self.folder or Path()

        def content(rel: str) -> bytes:
            if _stat(folder / rel) != self.stats.get(rel):
                return b"(changed while checked)"
            return _content(folder / rel)

        return _reach_digest(self.spec, reach, content)


def snapshot(folder: Path | None) -> Snapshot:
    """The spec's hash and every file's size and time under ``folder``, as a run starts."""
    stats: dict[str, tuple[int, int]] = {}
    if folder is not None:
        for root, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in names:
                path = Path(root, name)
                found = _stat(path)
                if found is not None:
                    stats[path.relative_to(folder).as_posix()] = found
    spec = _spec_digest()
    return Snapshot(folder, spec, stats, _guesses(folder, spec))


def fingerprints(folder: Path | None, progress: Progress | None = None) -> dict[int, str]:
    """Per ready kata, the fingerprint of its files as they are now (see the module's docs).

    A kata with a recorded reach in ``progress``: the spec and exactly the files of that reach; any
    other: the older guess (the spec, the files of katas 1..N and every ``__init__.py``).
    """
    spec = _spec_digest()
    records = progress.records if progress is not None else {}
    found: dict[int, str] = {}
    for number, guess in _guesses(folder, spec).items():
        reach = getattr(records.get(number), "reach", None)
        if reach is None or folder is None:
            found[number] = guess
        else:
            found[number] = _reach_digest(spec, reach, lambda rel, folder=folder: _content(folder / rel))
    return found


def _reach_digest(spec: Any, reach: list[str], content: Callable[[str], bytes]) -> str:
    """The spec's hash, then each file of ``reach`` (relative to the package) by name and ``content``."""
    digest = spec.copy()
    digest.update(b"measured reach\0")
    for rel in sorted(reach):
        digest.update(rel.encode() + b"\0" + content(rel) + b"\0")
    return digest.hexdigest()


def _spec_digest() -> Any:
    """A hashlib object fed with the spec's files and the catalogue."""
    spec = hashlib.sha256()
    for path in [*sorted((KIT_ROOT / "spec_tests").glob("*.py")), catalogue.CATALOGUE_FILE]:
        spec.update(path.read_bytes())
    return spec


def _content(path: Path) -> bytes:
    """The bytes of ``path``, or a mark that it is missing."""
    try:
        return path.read_bytes()
    except OSError:  # missing (or a folder): it may be created, and the fingerprint then changes
        return b"(missing)"


def _stat(path: Path) -> tuple[int, int] | None:
    """Size and modification time of ``path`` (``None``: missing)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns)


def _guesses(folder: Path | None, spec: Any) -> dict[int, str]:
    """The older guess, per ready kata: the spec, the files of katas 1..N and every ``__init__.py``.

    Kept as it was computed before reaches were measured, so that records of an older kit still match.
    """
    contents: dict[Path, bytes] = {}

    def content(path: Path) -> bytes:
        if path not in contents:
            contents[path] = path.read_bytes() if path.is_file() else b"(missing)"
        return contents[path]

    inits = sorted(folder.rglob("__init__.py")) if folder is not None else []
    files: set[str] = set()
    found: dict[int, str] = {}
    for kata in catalogue.load():
        files.update(kata.files)
        if not kata.ready:
            continue
        digest = spec.copy()
        reached = inits + ([folder / rel for rel in sorted(files)] if folder is not None else [])
        for path in reached:
            digest.update(str(path).encode() + b"\0" + content(path) + b"\0")
        found[kata.number] = digest.hexdigest()
    return found


def current_kata(progress: Progress) -> catalogue.Kata | None:
    """The kata the learner is working on, from the records.

    From the starting kata on (``kata start N``, else 1): the first unfinished kata with a
    passing test of the learner's own code; else the first unfinished one after the last
    finished one; ``None`` when every kata from the start on is complete.
    """
    ready = [k for k in catalogue.load() if k.ready and k.number >= progress.start]
    records = progress.records

    def complete(kata: catalogue.Kata) -> bool:
        return kata.number in records and records[kata.number].complete

    unfinished = [k for k in ready if not complete(k)]
    if not unfinished:
        return None
    worked = [k for k in unfinished if k.number in records and records[k.number].own_passed > 0]
    if worked:
        return worked[0]
    last_done = max((k.number for k in ready if complete(k)), default=0)
    return next((k for k in unfinished if k.number > last_done), unfinished[0])
