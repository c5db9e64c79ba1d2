"""What the ``kata`` command remembers between runs, in one JSON file (``$KATA_STATE`` moves it).

Per implementation package: the last result of every kata that was checked, with a
fingerprint of the files it was checked on, whether it ever passed, and the kata the
learner chose to start at. A kata whose fingerprint is unchanged need not run again:
``kata`` (status) answers from these records, and ``kata check`` re-checks an earlier
kata only when it passed before and its files changed since.

The fingerprint of kata N covers the spec (``spec_tests/``, the catalogue) and, in the
package, the files of katas 1..N and every ``__init__.py``: the files its tests can reach.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
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
    """A kata's last checked result."""

    passed: int
    total: int
    own_passed: int
    failures: list[dict[str, object]]
    fingerprint: str
    ever_passed: bool = False

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
    data = load_state()["impls"].get(impl, {})
    records = {int(n): Record(**record) for n, record in data.get("records", {}).items()}
    return Progress(records, int(data.get("start", 1)))


def save_progress(impl: str, progress: Progress) -> None:
    state = load_state()
    state["impls"][impl] = {
        "records": {str(n): asdict(record) for n, record in sorted(progress.records.items())},
        "start": progress.start,
    }
    save_state(state)


def record(progress: Progress, run: SpecRun, fingerprints: dict[int, str]) -> list[catalogue.Kata]:
    """Keep ``run``'s results; return the katas that passed before and fail now (regressions)."""
    broken = []
    for number, outcome in run.outcomes.items():
        before = progress.records.get(number)
        ever = bool(before and before.ever_passed)
        if ever and not outcome.complete:
            broken.append(outcome.kata)
        progress.records[number] = Record(
            outcome.passed,
            outcome.total,
            outcome.own_passed,
            outcome.failures,
            fingerprints[number],
            ever or outcome.complete,
        )
    return broken


def fingerprints(folder: Path | None) -> dict[int, str]:
    """Per ready kata, a hash of the spec and of the package files its tests can reach (see the module's docs)."""
    spec = hashlib.sha256()
    for path in [*sorted((KIT_ROOT / "spec_tests").glob("*.py")), catalogue.CATALOGUE_FILE]:
        spec.update(path.read_bytes())
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
