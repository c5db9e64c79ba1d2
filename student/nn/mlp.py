"""``MLP``: a multi-layer perceptron, layers applied one after the other.

    MLP(3, [4, 4, 1]):   3 inputs → Layer(3, 4) → Layer(4, 4) → Layer(4, 1) → 1 output

Each layer's outputs are the next layer's inputs. Hidden layers use a non-linear
``activation`` (without one, the whole stack would collapse into a single linear
map); the last layer uses ``output_activation``, ``'linear'`` by default, so that
its outputs are raw scores (*logits*) for a loss such as softmax cross-entropy.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from numbers import Real

from ..autograd.value import Value
from .layer import Layer
from .module import Module
from .neuron import check_activation, check_count, check_rng
from .regularization import Dropout


class MLP(Module):
    """A stack of ``Layer``\\ s, with an optional ``Dropout`` after every hidden layer.

    Attributes:
        layers: the ``Layer``\\ s, first to last.
        dropouts: one ``Dropout`` per hidden layer when ``dropout > 0``, else empty.
        n_inputs, layer_sizes, activation, output_activation, dropout: the
            architecture, as given (a checkpoint records it).

    >>> import random
    >>> model = MLP(3, [4, 4, 1], rng=random.Random(0))
    >>> len(model.parameters())       # (3+1)·4 + (4+1)·4 + (4+1)·1
    41
    >>> len(model([1.0, 0.0, -1.0]))  # always a list, also for one output
    1
    """

    def __init__(
        self,
        n_inputs: int,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        dropout: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:  # kata 05
        """Layer i maps ``sizes[i]`` inputs to ``sizes[i + 1]`` outputs, where ``sizes = [n_inputs, *layer_sizes]``.

        Hidden layers (all but the last) get ``activation``, the last one
        ``output_activation``; build them in order from the one ``rng``, so that a
        seed fixes every weight. With ``dropout > 0``, also build one
        ``Dropout(dropout, rng)`` per hidden layer into ``self.dropouts``.

        Check everything before building: ``n_inputs`` and every layer size positive
        ints, ``layer_sizes`` a non-empty sequence (``ValueError`` when empty), both
        activations known, ``0 ≤ dropout < 1`` (``ValueError``), ``rng`` a
        ``random.Random`` or ``None``.
        """
        # TODO(kata 05): write MLP.__init__
        raise NotImplementedError("kata 05 · MLP.__init__ — see katas/05-mlp/README.md")

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:  # kata 05
        """Feed ``x`` through every layer in turn (and hidden layer i's output through ``dropouts[i]``, if any).

        Returns the last layer's outputs: always a list, also for a single output.
        """
        # TODO(kata 05): write MLP.__call__
        raise NotImplementedError("kata 05 · MLP.__call__ — see katas/05-mlp/README.md")

    def named_children(self) -> list[tuple[str, Module]]:  # kata 05
        """``layers.0``, ``layers.1``, … then ``dropouts.0``, … (these have no parameters).

        Listing the dropouts matters for ``train()``/``eval()``, which must reach them;
        listing them *after* the layers keeps i in ``layers.{i}`` counting Layers only.
        """
        # TODO(kata 05): write MLP.named_children
        raise NotImplementedError("kata 05 · MLP.named_children — see katas/05-mlp/README.md")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.n_inputs}, {self.layer_sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, dropout={self.dropout!r})"
        )
