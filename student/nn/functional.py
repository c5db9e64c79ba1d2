"""From a network's raw scores to probabilities and decisions.

A classifier's last layer outputs one raw score (*logit*) zᵢ per class. ``softmax``
turns them into probabilities, ``argmax`` picks the most likely class, and
``predict`` / ``accuracy`` do that for a model and a data set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Integral, Real

from ..autograd.value import Value

#: What ``predict`` and ``accuracy`` take: a model maps one input row to a list of scores.
Model = Callable[[Sequence[float]], list[Value]]
Rows = Sequence[Sequence[float]]


def softmax(logits: Sequence[Value | float]) -> list[Value]:  # kata 06
    """pᵢ = e^(zᵢ) / Σⱼ e^(zⱼ): positive numbers that sum to 1, largest where z is largest.

    Finite and exact for logits up to ±10,000 (where e^z as written overflows), with
    exact gradients to every logit. Empty ``logits`` → ``ValueError``. Numbers are
    accepted and become Values.

    >>> [round(p.data, 4) for p in softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    >>> [p.data for p in softmax([1000.0, 1000.0])]
    [0.5, 0.5]
    """
    # TODO(kata 06): write softmax
    raise NotImplementedError("kata 06 · softmax — see katas/06-losses/README.md")


def log_softmax(logits: Sequence[Value | float]) -> list[Value]:  # kata 06
    """log pᵢ = zᵢ − log Σⱼ e^(zⱼ) = (zᵢ − m) − log Σⱼ e^(zⱼ − m), with m the largest logit.

    Finite wherever the logits are, also where a probability rounds to 0 (z = [0, −800]),
    for which ``log`` of ``softmax`` would fail on ``log(0)``.

    >>> [round(v.data, 4) for v in log_softmax([0.0, 0.0])]
    [-0.6931, -0.6931]
    >>> log_softmax([0.0, -800.0])[1].data
    -800.0
    """
    # TODO(kata 06): write log_softmax
    raise NotImplementedError("kata 06 · log_softmax — see katas/06-losses/README.md")


def argmax(values: Sequence[Value | float]) -> int:  # kata 06
    """The index of the largest value (of ``.data`` for Values); the *first* one on a tie.

    Empty ``values`` → ``ValueError``.

    >>> argmax([Value(1.0), Value(3.0), Value(3.0)])
    1
    """
    # TODO(kata 06): write argmax
    raise NotImplementedError("kata 06 · argmax — see katas/06-losses/README.md")


def predict(model: Model, x: Sequence[float]) -> int:  # kata 06
    """The class ``model`` ranks highest for the input ``x``: ``argmax(model(x))``."""
    # TODO(kata 06): write predict
    raise NotImplementedError("kata 06 · predict — see katas/06-losses/README.md")


def accuracy(model: Model, X: Rows, y: Sequence[int]) -> float:  # kata 06  # noqa: N803
    """The fraction of samples whose prediction equals the label: a number in [0, 1], not a percentage.

    ``X`` and ``y`` of different lengths, or empty → ``ValueError`` (the accuracy of
    nothing is undefined).
    """
    # TODO(kata 06): write accuracy
    raise NotImplementedError("kata 06 · accuracy — see katas/06-losses/README.md")


# ── given code: argument checks ──
# Shared with loss.py and value_mlp.py.


def as_values(name: str, xs: object) -> list[Value]:
    """``xs`` as a non-empty list of Values (numbers wrapped): ``TypeError`` / ``ValueError`` otherwise."""
    if isinstance(xs, (Value, str, bytes)) or not hasattr(xs, "__len__"):
        raise TypeError(f"{name} must be a sequence of Values or numbers, got {type(xs).__name__}")
    if len(xs) == 0:
        raise ValueError(f"{name} must not be empty")
    out = []
    for x in xs:
        if not isinstance(x, Value):
            if isinstance(x, bool) or not isinstance(x, Real):
                raise TypeError(f"{name} must hold Values or numbers, got {type(x).__name__}: {x!r}")
            x = Value(x)
        out.append(x)
    return out


def check_same_length(name_a: str, a: object, name_b: str, b: object) -> None:
    """Both sequences non-empty and of one length, else ``ValueError`` naming them."""
    for name, seq in ((name_a, a), (name_b, b)):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise TypeError(f"{name} must be a sequence, got {type(seq).__name__}")
    if len(a) != len(b):
        raise ValueError(f"{name_a} and {name_b} must have the same length, got {len(a)} and {len(b)}")
    if len(a) == 0:
        raise ValueError(f"{name_a} and {name_b} must not be empty")


def check_class(name: str, target: object, n_classes: int) -> int:
    """``target`` as an int in ``range(n_classes)``: ``TypeError`` for a non-integer, ``ValueError`` out of range.

    A negative target is out of range: Python's ``p[-1]`` would silently read the last class.
    """
    if isinstance(target, bool) or not isinstance(target, Integral):
        raise TypeError(f"{name} must be an int class index, got {type(target).__name__}: {target!r}")
    if not 0 <= target < n_classes:
        raise ValueError(f"{name} must be in range(0, {n_classes}), got {target!r}")
    return int(target)


def check_finite_positive(name: str, x: object) -> float:
    """``x`` as a float > 0 and finite: ``TypeError`` for a non-number, ``ValueError`` otherwise."""
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{name} must be a positive number, got {type(x).__name__}: {x!r}")
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"{name} must be a positive, finite number, got {x!r}")
    return float(x)
