"""The bug zoo of katas 08–12: optimizers, batching, dropout, checkpoints, gradient checks."""

from __future__ import annotations

from tests.zoo.bug import Bug

BUGS: tuple[Bug, ...] = ()
