"""Losses: one number that says how wrong the predictions are, to be minimised.

Each loss returns a single :class:`Value`, so ``loss.backward()`` sends
∂loss/∂(every parameter) back through the network.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..autograd.value import Value
from .functional import as_values, check_class, check_same_length


def mse_loss(predictions: Sequence[Value | float], targets: Sequence[Value | float]) -> Value:  # kata 06
    """Mean squared error: (1/n) Σᵢ (predictionᵢ − targetᵢ)², for regression.

    Its gradient, ∂/∂predictionᵢ = 2·(predictionᵢ − targetᵢ)/n, pulls each
    prediction towards its target, harder the further it is. Empty or
    mismatched lengths → ``ValueError``.

    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data   # (1 + 4) / 2
    2.5
    """
    # TODO(kata 06): write mse_loss
    raise NotImplementedError("kata 06 · mse_loss — see katas/06-losses/README.md")


def bce_loss(probabilities: Sequence[Value | float], targets: Sequence[int]) -> Value:  # kata 06
    """Mean binary cross-entropy: (1/n) Σᵢ −[tᵢ·log pᵢ + (1 − tᵢ)·log(1 − pᵢ)], targets tᵢ ∈ {0, 1}.

    pᵢ is the predicted probability that sample i is a 1 (a sigmoid output). A
    confident right answer (p = 0 for a 0, p = 1 for a 1) costs 0: it is not an error.

    ``ValueError`` for empty or mismatched lengths, a target other than 0 or 1, or
    a probability outside [0, 1]; a probability of exactly 0 for a 1 (or 1 for a 0)
    is an infinitely wrong answer, and ``log`` raises ``ValueError`` for it.

    >>> round(bce_loss([Value(0.9), Value(0.2)], [1, 0]).data, 4)   # (−log 0.9 − log 0.8) / 2
    0.1643
    """
    # TODO(kata 06): write bce_loss
    raise NotImplementedError("kata 06 · bce_loss — see katas/06-losses/README.md")


def cross_entropy(probabilities: Sequence[Value | float], target: int) -> Value:  # kata 06
    """−log p[target]: the surprise of the true class under the predicted distribution.

    0 when the model gives the true class probability 1, growing without bound as
    that probability goes to 0. ``target`` must be an int in
    ``range(len(probabilities))`` (``ValueError`` otherwise, also for −1).

    >>> round(cross_entropy([Value(0.25), Value(0.75)], 1).data, 4)
    0.2877
    """
    # TODO(kata 06): write cross_entropy
    raise NotImplementedError("kata 06 · cross_entropy — see katas/06-losses/README.md")


def softmax_cross_entropy_loss(logits: Sequence[Value | float], target: int) -> Value:  # kata 06
    """``cross_entropy(softmax(logits), target)`` in one stable step: log Σⱼ e^(zⱼ) − z_target.

    Exact for logits of ±10,000, where ``e^z`` as written overflows, and its gradient
    is exact too: ∂loss/∂zᵢ = softmax(z)ᵢ − [i = target]. ``target`` out of
    ``range(len(logits))`` → ``ValueError`` (also for −1).

    >>> round(softmax_cross_entropy_loss([Value(2.0), Value(1.0)], 0).data, 4)
    0.3133
    >>> softmax_cross_entropy_loss([Value(10000.0), Value(-10000.0)], 1).data
    20000.0
    """
    # TODO(kata 06): write softmax_cross_entropy_loss
    raise NotImplementedError("kata 06 · softmax_cross_entropy_loss — see katas/06-losses/README.md")
