"""``Layer``: neurons side by side, each seeing the same inputs.

A layer of m neurons maps n inputs to m outputs: output j is neuron j applied to
the whole input. Every neuron has its own weights, so they learn different features.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ..autograd.value import Value
from .module import Module
from .neuron import Neuron, as_inputs, check_activation, check_count, check_rng


class Layer(Module):
    """``n_outputs`` neurons, each with ``n_inputs`` weights and the same activation.

    Attributes:
        neurons: the ``Neuron``\\ s, in output order.

    >>> import random
    >>> layer = Layer(3, 2, rng=random.Random(0))
    >>> len(layer([1.0, 2.0, 3.0]))
    2
    """

    def __init__(
        self, n_inputs: int, n_outputs: int, activation: str = "relu", rng: random.Random | None = None
    ) -> None:  # kata 04
        """Build ``n_outputs`` neurons of ``n_inputs`` inputs each, in order, all from the same ``rng``.

        Check every argument *before* building anything (``check_count``,
        ``check_activation``, ``check_rng`` from ``neuron.py``).
        """
        # TODO(kata 04): write Layer.__init__
        raise NotImplementedError("kata 04 · Layer.__init__ — see katas/04-neuron-layer/README.md")

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:  # kata 04
        """Every neuron's output for the same input ``x``: a list, also for a single neuron.

        Check ``x`` once, here (``as_inputs``), and pass the checked list to every
        neuron: a 784-pixel image from NumPy becomes a list of floats once, not once per neuron.
        """
        # TODO(kata 04): write Layer.__call__
        raise NotImplementedError("kata 04 · Layer.__call__ — see katas/04-neuron-layer/README.md")

    def named_children(self) -> list[tuple[str, Module]]:  # kata 04
        """``[("neurons.0", neuron 0), ("neurons.1", neuron 1), …]``.

        ``Module.named_parameters`` turns this into the names
        ``neurons.{j}.weights.{k}`` and ``neurons.{j}.bias``.
        """
        # TODO(kata 04): write Layer.named_children
        raise NotImplementedError("kata 04 · Layer.named_children — see katas/04-neuron-layer/README.md")

    def __repr__(self) -> str:
        n = self.neurons[0]
        return f"Layer({len(n.weights)}, {len(self.neurons)}, activation={n.activation!r})"
