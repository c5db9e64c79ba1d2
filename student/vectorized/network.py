"""The deep network: ReLU layers, a softmax output, L2 regularisation and ``.npz`` weights (kata 15).

Arrays are FEATURE-major here: a batch of m samples is ``X (features, m)``, labels
are one-hot ``Y (classes, m)``, and layer i computes ``Z = W·A + b`` with
``W (out, in)`` and ``b (out, 1)``. Hidden layers use ReLU, the last one softmax.

The loss is the mean cross-entropy plus an L2 penalty on the weights (not the biases)::

    L = −(1/m) Σ Y ⊙ log P  +  λ/(2m) · Σ_i ‖W_i‖²

and ``backward`` returns its exact gradient: the spec compares it with central
differences of this very loss, for several λ.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence

import numpy as np

from .modules import RngLike, float_dtype, positive_int


class NeuralNetwork:
    """A fully connected network of ``layer_sizes`` (input first, classes last).

    Attributes ``weights`` (list of (out, in) arrays), ``biases`` (list of (out, 1)
    arrays), ``layer_sizes``, ``learning_rate``, ``l2_lambda``.

    >>> net = NeuralNetwork([4, 3, 2], rng=0)
    >>> net.forward(np.zeros((4, 5))).sum(axis=0)
    array([1., 1., 1., 1., 1.])
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        learning_rate: float = 0.01,
        l2_lambda: float = 0.01,
        rng: RngLike = None,
        *,
        dtype: object = np.float64,
    ) -> None:  # kata 15
        """He initialisation W_i ~ N(0, 1)·√(2 / in_i), biases zero.

        ``layer_sizes`` needs at least two sizes, each an int ≥ 1; ``learning_rate``
        must be > 0 and ``l2_lambda`` ≥ 0, otherwise ``ValueError`` (``TypeError``
        for a size that is not an int).
        """
        # TODO(kata 15): write NeuralNetwork.__init__
        raise NotImplementedError("kata 15 · NeuralNetwork.__init__ — see katas/15-deep-network/README.md")

    def forward(self, X: np.ndarray) -> np.ndarray:  # kata 15
        """Probabilities (classes, m) for ``X (features, m)``; remember every Z and A for ``backward``.

        Layer i computes Z_i = W_i·A_{i−1} + b_i from A_0 = X; hidden layers apply ReLU,
        the last a softmax over each column (each column sums to 1, with no overflow
        for any finite logits). ``X`` with the wrong number of rows → ``ValueError``.
        """
        # TODO(kata 15): write NeuralNetwork.forward
        raise NotImplementedError("kata 15 · NeuralNetwork.forward — see katas/15-deep-network/README.md")

    def cross_entropy_loss(self, y_pred: np.ndarray, y_true: np.ndarray) -> float:  # kata 15
        """−(1/m) Σ y_true ⊙ log y_pred + λ/(2m) Σ‖W‖², with m = the number of columns.

        Probabilities of 0 are clipped to the dtype's smallest positive number, so
        that the loss is finite. Shapes that differ → ``ValueError``.
        """
        # TODO(kata 15): write NeuralNetwork.cross_entropy_loss
        raise NotImplementedError("kata 15 · NeuralNetwork.cross_entropy_loss — see katas/15-deep-network/README.md")

    def backward(self, y_true: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:  # kata 15
        """The exact gradients of ``cross_entropy_loss(forward(X), y_true)`` for the last ``X``.

        Returns ``(weight_grads, bias_grads)``, lists shaped like ``weights`` and
        ``biases``; the model is not changed. The L2 term contributes to the weight
        gradients only. No ``forward`` yet → ``RuntimeError``; ``y_true`` of another
        shape than the last output → ``ValueError``.
        """
        # TODO(kata 15): write NeuralNetwork.backward
        raise NotImplementedError("kata 15 · NeuralNetwork.backward — see katas/15-deep-network/README.md")

    def update_parameters(
        self, weight_grads: Sequence[np.ndarray], bias_grads: Sequence[np.ndarray]
    ) -> None:  # kata 15
        """W_i −= learning_rate · ∂W_i and b_i −= learning_rate · ∂b_i, in place."""
        # TODO(kata 15): write NeuralNetwork.update_parameters
        raise NotImplementedError("kata 15 · NeuralNetwork.update_parameters — see katas/15-deep-network/README.md")

    def train_step(self, X: np.ndarray, y: np.ndarray) -> float:  # kata 15
        """Forward, loss, backward, update; return the loss BEFORE the update."""
        # TODO(kata 15): write NeuralNetwork.train_step
        raise NotImplementedError("kata 15 · NeuralNetwork.train_step — see katas/15-deep-network/README.md")

    def predict(self, X: np.ndarray) -> np.ndarray:  # kata 15
        """The most probable class of each column of ``X``: an int array (m,)."""
        # TODO(kata 15): write NeuralNetwork.predict
        raise NotImplementedError("kata 15 · NeuralNetwork.predict — see katas/15-deep-network/README.md")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:  # kata 15
        """The softmax probabilities (classes, m); every column sums to 1."""
        # TODO(kata 15): write NeuralNetwork.predict_proba
        raise NotImplementedError("kata 15 · NeuralNetwork.predict_proba — see katas/15-deep-network/README.md")

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:  # kata 15
        """The fraction of columns predicted right, in [0, 1].

        ``y`` is one-hot (classes, m); integer labels (m,) work too.
        """
        # TODO(kata 15): write NeuralNetwork.accuracy
        raise NotImplementedError("kata 15 · NeuralNetwork.accuracy — see katas/15-deep-network/README.md")

    def save_weights(self, path: str | os.PathLike[str]) -> None:  # kata 15
        """Write ``layer_sizes``, ``weight_{i}`` and ``bias_{i}`` to an ``.npz`` file at exactly ``path``.

        ``numpy.savez(filename)`` appends ``.npz`` to a name without it; writing into
        an open file keeps the name the caller gave.
        """
        # TODO(kata 15): write NeuralNetwork.save_weights
        raise NotImplementedError("kata 15 · NeuralNetwork.save_weights — see katas/15-deep-network/README.md")

    def load_weights(self, path: str | os.PathLike[str]) -> None:  # kata 15
        """Restore the weights saved by ``save_weights``, bit for bit.

        A missing file → ``FileNotFoundError``. A file that is not such an ``.npz``,
        or that holds other layer sizes, other keys or other shapes → ``ValueError``,
        and the model is left exactly as it was (check everything, then assign).
        Arrays are converted to the model's dtype.
        """
        # TODO(kata 15): write NeuralNetwork.load_weights
        raise NotImplementedError("kata 15 · NeuralNetwork.load_weights — see katas/15-deep-network/README.md")


def create_mnist_model(rng: RngLike = None, *, dtype: object = np.float64) -> NeuralNetwork:  # kata 15
    """The deep network for MNIST: layers [784, 128, 64, 10], learning rate 0.01, λ = 0.01."""
    # TODO(kata 15): write create_mnist_model
    raise NotImplementedError("kata 15 · create_mnist_model — see katas/15-deep-network/README.md")
