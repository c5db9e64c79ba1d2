"""One learner mistake: a one-place edit of ``reference/`` that its kata's spec must catch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bug:
    """``find`` must occur exactly once in ``reference/<file>``, so a bug cannot silently go stale."""

    name: str
    kata: int
    file: str
    find: str
    replace: str
    why: str

    @property
    def package(self) -> str:
        """A package name for the mutated copy."""
        return "zoo_" + self.name.replace("-", "_")
