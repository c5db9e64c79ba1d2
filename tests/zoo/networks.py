"""The bug zoo of katas 04–07: networks of Values, losses and training."""

from __future__ import annotations

from tests.zoo.bug import Bug

BUGS: tuple[Bug, ...] = ()
