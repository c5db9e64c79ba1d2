"""``Neuron``: a weighted sum of the inputs, plus a bias, through an activation.

    out = activation(w₀·x₀ + w₁·x₁ + … + wₙ₋₁·xₙ₋₁ + b)

The weights ``wᵢ`` and the bias ``b`` are :class:`Value`\\ s, so ``out.backward()``
gives ∂out/∂wᵢ = f′(z)·xᵢ and ∂out/∂b = f′(z) (z is the sum before the activation):
everything learning needs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from numbers import Integral, Real

from ..autograd.value import Constants, Value, dot
from .module import Module

#: The activations a neuron knows, by name, as the Value method that applies it
#: (``None``: the identity). ``'identity'`` is another name for ``'linear'``.
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,
    "linear": None,
    "identity": None,
}


class Neuron(Module):
    """One neuron: ``activation(Σ wᵢ·xᵢ + b)``.

    Attributes:
        weights: one Value per input, He-initialised (see ``__init__``).
        bias: a Value, 0.0 to start with.
        activation: the activation's name (``'identity'`` is stored as ``'linear'``).

    >>> import random
    >>> n = Neuron(2, activation="linear", rng=random.Random(0))
    >>> n.weights[0].data = 0.5; n.weights[1].data = -1.0; n.bias.data = 2.0
    >>> n([4.0, 1.0]).data          # 0.5·4 − 1·1 + 2
    3.0
    """

    def __init__(self, n_inputs: int, activation: str = "relu", rng: random.Random | None = None) -> None:  # kata 04
        """``n_inputs`` weights drawn as ``uniform(-1, 1) * sqrt(2 / n_inputs)``, a bias of 0.0.

        That scale is He initialisation: it keeps the variance of a ReLU layer's
        outputs about that of its inputs, so that signals neither die out nor blow
        up as they pass through many layers. Draw the weights in order, from
        ``rng.uniform`` (from the ``random`` module's own generator when ``rng`` is
        ``None``), so that the same seed always builds the same neuron.

        Check the arguments first (the helpers below do it): ``n_inputs`` a
        positive int, ``activation`` one of :data:`ACTIVATIONS` (anything else, of
        any type, is a ``ValueError`` that lists them), ``rng`` a ``random.Random``.
        """
        check_count("n_inputs", n_inputs)
        self.activation = check_activation(activation)
        rng = check_rng(rng)
        scale = math.sqrt(2.0 / n_inputs)
        self.weights = [Value(rng.uniform(-1.0, 1.0) * scale) for _ in range(n_inputs)]
        self.bias = Value(0.0)

    def __call__(self, x: Sequence[Value | float]) -> Value:  # kata 04
        """``activation(Σ wᵢ·xᵢ + b)`` for inputs ``x`` (Values or plain numbers).

        ``as_inputs(x, n)`` checks the length (``ValueError`` unless it is the number
        of weights) and the type of every input. ``ACTIVATIONS[self.activation]`` is
        the Value method to apply, or ``None`` for the identity.

        The weighted sum is yours to choose, and both choices pass the spec with the
        same numbers (up to rounding) and gradients. Python's ``sum`` over the products
        builds two nodes per input, 1,568 for a 784-pixel digit; the given
        ``dot(weights, x)`` (``autograd/value.py``) builds one node for the whole sum.
        What ``sum`` costs: the epoch of ``python -m kit.demos.value_mnist quick`` took
        3.5 s with it against 0.10 s with ``dot``, 32–35× slower over 3 runs
        (``python benchmarks/neuron_sum_vs_dot.py``, a quiet 2-core machine).
        """
        x = as_inputs(x, len(self.weights))
        out = dot(self.weights, x) + self.bias
        apply = ACTIVATIONS[self.activation]
        return out if apply is None else apply(out)

    def parameters(self) -> list[Value]:  # kata 04
        """The weights, then the bias: ``[w₀, …, wₙ₋₁, b]`` (a new list each call)."""
        return [*self.weights, self.bias]

    def named_parameters(self) -> list[tuple[str, Value]]:  # kata 04
        """The same, with names: ``[("weights.0", w₀), …, ("weights.{n-1}", wₙ₋₁), ("bias", b)]``."""
        return [(f"weights.{k}", w) for k, w in enumerate(self.weights)] + [("bias", self.bias)]

    def __repr__(self) -> str:
        return f"Neuron({len(self.weights)}, activation={self.activation!r})"


# ── given code: argument checks ──
# The checks every constructor of nn/ shares, so that a bad argument fails at once with a
# message that names it.


def check_count(name: str, value: object) -> None:
    """``value`` must be a positive int (NumPy ints too, not bool): ``TypeError`` / ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__}: {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def check_activation(activation: object) -> str:
    """The activation's name (``'identity'`` → ``'linear'``); ``ValueError`` listing them for anything else."""
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}; got {activation!r}")
    return "linear" if activation == "identity" else activation


def check_rng(rng: object) -> random.Random:
    """``rng`` itself; for ``None``, the ``random`` module, whose functions share one generator.

    So ``random.seed(0)`` before building a network without an ``rng`` makes it reproducible too.
    """
    if rng is None:
        return random  # type: ignore[return-value]  # the module has the same uniform(), shuffle(), …
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random or None, got {type(rng).__name__}")
    return rng


def as_inputs(x: object, n_inputs: int) -> Sequence[Value | float]:
    """``x`` as ``n_inputs`` Values and floats: Values kept, other real numbers as floats.

    A list, tuple or NumPy row of numbers all work. The wrong length is a
    ``ValueError``; something that is not a sequence of numbers a ``TypeError``.
    Plain numbers stay numbers: they need no gradient, and ``dot`` keeps them as
    constants rather than as nodes of the graph. When every input is a plain number
    the result is a ``Constants`` (``autograd/value.py``), which the next
    ``as_inputs`` and ``dot`` take without looking at each number again.

    >>> x = as_inputs([0.5, 1], 2); type(x).__name__, x
    ('Constants', (0.5, 1.0))
    >>> as_inputs(x, 2) is x
    True
    >>> as_inputs(x, 3)
    Traceback (most recent call last):
    ...
    ValueError: expected 3 inputs, got 2
    """
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise TypeError(f"inputs must be a sequence of numbers or Values, got {type(x).__name__}")
    if len(x) != n_inputs:
        raise ValueError(f"expected {n_inputs} inputs, got {len(x)}")
    if isinstance(x, Constants):  # speed-up: checked before, and a tuple cannot have changed since
        return x
    inputs = [xi if type(xi) is float or isinstance(xi, Value) else _number(xi) for xi in x]
    return Constants(inputs) if set(map(type, inputs)) == {float} else inputs


def _number(x: object) -> float:
    """A real number as a float; ``TypeError`` for anything else (``bool`` included)."""
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"inputs must be numbers or Values, got {type(x).__name__}: {x!r}")
    return float(x)
