"""The bug zoo of katas 13–16: the NumPy track and MNIST."""

from __future__ import annotations

from tests.zoo.bug import Bug

BUGS: tuple[Bug, ...] = ()
