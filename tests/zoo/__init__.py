"""The bug zoo: realistic learner mistakes, each a one-place edit of ``reference/``.

Every bug names the kata whose spec must turn red when the bug is applied to a
copy of the reference. One module per part of the curriculum; ``BUGS`` is all of them.
"""

from __future__ import annotations

from tests.zoo import autograd, networks, training, vectorized
from tests.zoo.bug import Bug

BUGS: tuple[Bug, ...] = autograd.BUGS + networks.BUGS + training.BUGS + vectorized.BUGS

__all__ = ["BUGS", "Bug"]
