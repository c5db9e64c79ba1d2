"""Read the kata catalogue (``katas/catalogue.toml``), the one list of katas.

The spec's markers, the progress table, the skeleton generator and the grader all
ask this module rather than keeping lists of their own.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KATAS_DIR = Path(__file__).resolve().parent
#: The kit's root: the folder that holds ``katas/``, ``spec_tests/`` and ``kit/`` (its one definition).
KIT_ROOT = KATAS_DIR.parent
CATALOGUE_FILE = KATAS_DIR / "catalogue.toml"


@dataclass(frozen=True)
class Kata:
    """One entry of the catalogue."""

    number: int
    slug: str
    title: str
    files: tuple[str, ...]
    names: tuple[str, ...]
    points: int
    status: str
    built: str
    source: str = ""

    @property
    def marker(self) -> str:
        """The pytest marker of this kata's spec, e.g. ``kata03``."""
        return f"kata{self.number:02d}"

    def spec_files(self, root: Path = KIT_ROOT) -> list[Path]:
        """The kata's spec module(s), ``spec_tests/test_kataNN_*.py`` in ``root`` (the kit, or a copy of it)."""
        return sorted((root / "spec_tests").glob(f"test_{self.marker}_*.py"))

    @property
    def page(self) -> str:
        """The kata's page, relative to the kit's root, with forward slashes."""
        return f"katas/{self.number:02d}-{self.slug}/README.md"

    @property
    def hints_file(self) -> Path:
        """The kata's hints, ``katas/NN-slug/hints.toml``: one ``[[hint]]`` table per level."""
        return KATAS_DIR / f"{self.number:02d}-{self.slug}" / "hints.toml"

    @property
    def hints(self) -> tuple[str, ...]:
        """The hints, gentlest first: a nudge, then the idea, then a near-solution (the only one with code).

        Empty when the kata has no hints file; ``ValueError`` when a level has no text.
        """
        if not self.hints_file.exists():
            return ()
        levels = tomllib.loads(self.hints_file.read_text(encoding="utf-8")).get("hint", [])
        texts = tuple(level.get("text") for level in levels)
        if not all(isinstance(text, str) and text.strip() for text in texts):
            raise ValueError(f"{self.hints_file}: every [[hint]] needs a non-empty text")
        return tuple(text.strip() for text in texts)

    @property
    def ready(self) -> bool:
        """Whether the kata's spec and page exist (status ``ready``)."""
        return self.status == "ready"


@cache
def load() -> tuple[Kata, ...]:
    """All katas in order. Raises ``ValueError`` when the file is inconsistent."""
    raw = tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    katas = tuple(
        Kata(
            number=entry["number"],
            slug=entry["slug"],
            title=entry["title"],
            files=tuple(entry["files"]),
            names=tuple(entry["names"]),
            points=entry["points"],
            status=entry["status"],
            built=entry["built"],
            source=entry.get("source", ""),
        )
        for entry in raw["kata"]
    )
    numbers = [kata.number for kata in katas]
    if numbers != list(range(1, len(katas) + 1)):
        raise ValueError(f"{CATALOGUE_FILE}: katas must be numbered 1, 2, 3, … in order, got {numbers}")
    for kata in katas:
        if kata.status not in ("ready", "planned"):
            raise ValueError(f"{CATALOGUE_FILE}: kata {kata.number} has unknown status {kata.status!r}")
    return katas


def by_number(number: int) -> Kata:
    """The kata numbered ``number``; ``KeyError`` when there is none."""
    for kata in load():
        if kata.number == number:
            return kata
    raise KeyError(f"there is no kata {number}; the catalogue has 1–{len(load())}")


def by_marker(marker: str) -> Kata:
    """The kata whose pytest marker is ``marker`` (e.g. ``kata03``)."""
    return by_number(int(marker.removeprefix("kata")))
