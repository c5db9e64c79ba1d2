"""``Dropout``: switch off a random part of a layer's outputs while training.

In training, each input of a ``Dropout`` is *dropped* (replaced by 0) with
probability ``p`` and *kept* with probability ``1 − p``. Survivors are scaled by
``1 / (1 − p)``, so that the expected output equals the input:

    E[out] = (1 − p) · x / (1 − p) + p · 0 = x

That is "inverted dropout": because the scaling happens while training, evaluation
needs no correction at all, and in ``eval()`` mode a ``Dropout`` is the identity.

A network cannot lean on any single neuron when any of them may vanish, which is
why dropout regularises. It has no parameters; ``Module.train()`` / ``eval()``
reach it wherever it sits in a network.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from numbers import Real

from ..autograd.value import Value
from .module import Module
from .neuron import check_rng


class Dropout(Module):
    """Inverted dropout with drop probability ``p``.

    Attributes:
        p: the probability of dropping each input, in [0, 1).
        rng: the ``random.Random`` that draws which inputs are dropped.

    >>> drop = Dropout(0.5, rng=random.Random(0))
    >>> [v.data for v in drop([Value(1.0), Value(2.0), Value(3.0), Value(4.0)])]
    [2.0, 4.0, 0.0, 0.0]
    >>> [v.data for v in drop.eval()([Value(1.0), Value(2.0)])]
    [1.0, 2.0]
    """

    def __init__(self, p: float = 0.5, rng: random.Random | None = None) -> None:  # kata 10
        """Check and store ``p`` and ``rng``.

        ``p`` must be a real number (not ``bool``; ``TypeError`` otherwise) with
        0 ≤ p < 1 (``ValueError`` otherwise: p = 1 would drop everything and divide by 0).
        ``rng`` must be a ``random.Random`` or ``None`` (``TypeError``); ``None`` means
        the ``random`` module's own generator (``check_rng`` in ``neuron.py`` does this).
        """
        # TODO(kata 10): write Dropout.__init__
        raise NotImplementedError("kata 10 · Dropout.__init__ — see katas/10-dropout/README.md")

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:  # kata 10
        """Apply dropout to a sequence of Values (or numbers); always returns a list of Values.

        - In eval mode (``self.training`` is ``False``), or with ``p == 0``: the
          inputs unchanged (numbers become ``Value``\\ s).
        - In training: for each input draw ``u = rng.random()``; drop it if ``u < p``
          (output ``x · 0``, which keeps the graph and sends gradient 0 back), keep it
          otherwise (output ``x · 1/(1 − p)``, gradient ``1/(1 − p)``).

        The outputs are new Values computed from the inputs, so ``backward()`` flows
        through them: ∂out/∂x is the mask value, 0 or 1/(1 − p).

        >>> Dropout(0.25, rng=random.Random(0))([Value(3.0)])[0].data
        4.0
        """
        # TODO(kata 10): write Dropout.__call__
        raise NotImplementedError("kata 10 · Dropout.__call__ — see katas/10-dropout/README.md")

    def __repr__(self) -> str:
        return f"Dropout(p={self.p!r})"
