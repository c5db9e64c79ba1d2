"""The two-layer MLP: a softmax classifier written out by hand, four arrays and the chain rule (kata 14).

    X (batch, 784) ─W1,b1→ Z1 ─ReLU→ A1 (batch, 128) ─W2,b2→ Z2 ─softmax→ P (batch, 10)

The loss is the mean cross-entropy over the batch, L = −(1/N) Σ_n log P[n, y_n], and
``backward`` steps along its exact gradient: a "gradient" N times too large would make
the learning rate silently depend on the batch size. With the exact gradient, 0.1 to
0.5 works well as a learning rate for batches of 32 to 128.
"""

from __future__ import annotations

import numpy as np

from .modules import RngLike, batch_of, float_dtype, positive_int


class TwoLayerMLP:
    """``weights1 (input, hidden)``, ``biases1 (1, hidden)``, ``weights2 (hidden, output)``, ``biases2 (1, output)``.

    >>> model = TwoLayerMLP(4, 3, 2, rng=0)
    >>> model.forward(np.zeros((5, 4))).sum(axis=1)
    array([1., 1., 1., 1., 1.])
    """

    def __init__(
        self,
        input_size: int = 784,
        hidden_size: int = 128,
        output_size: int = 10,
        rng: RngLike = None,
        *,
        dtype: object = np.float64,
    ) -> None:  # kata 14
        """He initialisation: weights ~ N(0, 1)·√(2 / fan_in), biases zero; keep ``rng`` for shuffling.

        ``rng`` (a Generator, a seed or ``None``) draws the weights here and the
        shuffles of ``train`` later, so one seed fixes a whole training run.
        """
        # TODO(kata 14): write TwoLayerMLP.__init__
        raise NotImplementedError("kata 14 · TwoLayerMLP.__init__ — see katas/14-two-layer/README.md")

    def forward(self, X: np.ndarray) -> np.ndarray:  # kata 14
        """Class probabilities (batch, output): a ReLU hidden layer, then a softmax over each row.

        Every row sums to 1, and logits of any finite size give finite probabilities
        (no overflow). ``X`` without ``input_size`` columns → ``ValueError``. Remember
        what ``backward`` needs.
        """
        # TODO(kata 14): write TwoLayerMLP.forward
        raise NotImplementedError("kata 14 · TwoLayerMLP.forward — see katas/14-two-layer/README.md")

    def calculate_loss(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:  # kata 14
        """Mean cross-entropy −(1/N) Σ log y_pred[n, y_true[n]] of integer labels, as a float.

        A probability of exactly 0 is clipped to the smallest positive number of its
        dtype, so the loss stays finite. Labels of another length → ``ValueError``.
        """
        # TODO(kata 14): write TwoLayerMLP.calculate_loss
        raise NotImplementedError("kata 14 · TwoLayerMLP.calculate_loss — see katas/14-two-layer/README.md")

    def backward(self, X: np.ndarray, y: np.ndarray, learning_rate: float = 0.01) -> None:  # kata 14
        """One SGD step in place: every parameter moves by −learning_rate × ∂L/∂parameter.

        L is the mean ``calculate_loss`` of the last ``forward(X)`` with integer labels
        ``y``; the gradients are exact, and all of them are those of the parameters
        before this step. ``y`` of another length → ``ValueError``.
        """
        # TODO(kata 14): write TwoLayerMLP.backward
        raise NotImplementedError("kata 14 · TwoLayerMLP.backward — see katas/14-two-layer/README.md")

    def train(
        self, X: np.ndarray, y: np.ndarray, epochs: int = 10, batch_size: int = 32, learning_rate: float = 0.01
    ) -> list[float]:  # kata 14
        """Mini-batch SGD; returns each epoch's mean batch loss (one float per epoch).

        Every epoch draws a fresh permutation from the model's ``rng``, then runs
        forward, ``calculate_loss`` and ``backward`` on each of the ``n // batch_size``
        full batches (a final partial batch is left out).
        ``batch_size > len(X)``, ``epochs < 1`` or ``learning_rate <= 0`` → ``ValueError``.
        """
        # TODO(kata 14): write TwoLayerMLP.train
        raise NotImplementedError("kata 14 · TwoLayerMLP.train — see katas/14-two-layer/README.md")

    def predict(self, X: np.ndarray) -> np.ndarray:  # kata 14
        """The most probable class of each row of ``X``: an int array (batch,)."""
        # TODO(kata 14): write TwoLayerMLP.predict
        raise NotImplementedError("kata 14 · TwoLayerMLP.predict — see katas/14-two-layer/README.md")
