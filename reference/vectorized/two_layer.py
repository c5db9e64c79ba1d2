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
        self.input_size = positive_int(input_size, "input_size")
        self.hidden_size = positive_int(hidden_size, "hidden_size")
        self.output_size = positive_int(output_size, "output_size")
        self.dtype = float_dtype(dtype)
        self.rng = np.random.default_rng(rng)
        w1 = self.rng.standard_normal((self.input_size, self.hidden_size)) * np.sqrt(2.0 / self.input_size)
        w2 = self.rng.standard_normal((self.hidden_size, self.output_size)) * np.sqrt(2.0 / self.hidden_size)
        self.weights1 = w1.astype(self.dtype)
        self.biases1 = np.zeros((1, self.hidden_size), dtype=self.dtype)
        self.weights2 = w2.astype(self.dtype)
        self.biases2 = np.zeros((1, self.output_size), dtype=self.dtype)

    def forward(self, X: np.ndarray) -> np.ndarray:  # kata 14
        """Class probabilities (batch, output): a ReLU hidden layer, then a softmax over each row.

        Every row sums to 1, and logits of any finite size give finite probabilities
        (no overflow). ``X`` without ``input_size`` columns → ``ValueError``. Remember
        what ``backward`` needs.
        """
        X = batch_of(X, self.input_size, "X").astype(self.dtype, copy=False)
        self.input = X
        self.hidden_input = X @ self.weights1 + self.biases1
        self.hidden_output = np.maximum(self.hidden_input, 0)
        logits = self.hidden_output @ self.weights2 + self.biases2
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        self.output = exp / exp.sum(axis=1, keepdims=True)
        return self.output

    def calculate_loss(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:  # kata 14
        """Mean cross-entropy −(1/N) Σ log y_pred[n, y_true[n]] of integer labels, as a float.

        A probability of exactly 0 is clipped to the smallest positive number of its
        dtype, so the loss stays finite. Labels of another length → ``ValueError``.
        """
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_pred.ndim != 2 or y_true.shape != (y_pred.shape[0],):
            raise ValueError(f"need y_true (batch,) and y_pred (batch, classes), got {y_true.shape}, {y_pred.shape}")
        picked = y_pred[np.arange(len(y_true)), y_true]
        return float(-np.mean(np.log(np.maximum(picked, np.finfo(y_pred.dtype).tiny))))

    def backward(self, X: np.ndarray, y: np.ndarray, learning_rate: float = 0.01) -> None:  # kata 14
        """One SGD step in place: every parameter moves by −learning_rate × ∂L/∂parameter.

        L is the mean ``calculate_loss`` of the last ``forward(X)`` with integer labels
        ``y``; the gradients are exact, and all of them are those of the parameters
        before this step. ``y`` of another length → ``ValueError``.
        """
        X = batch_of(X, self.input_size, "X").astype(self.dtype, copy=False)
        y = np.asarray(y)
        n = X.shape[0]
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},), got {y.shape}")
        d_logits = self.output.copy()
        d_logits[np.arange(n), y] -= 1.0
        d_logits /= n
        d_weights2 = self.hidden_output.T @ d_logits
        d_biases2 = d_logits.sum(axis=0, keepdims=True)
        d_hidden = (d_logits @ self.weights2.T) * (self.hidden_input > 0)
        d_weights1 = X.T @ d_hidden
        d_biases1 = d_hidden.sum(axis=0, keepdims=True)
        self.weights2 -= learning_rate * d_weights2
        self.biases2 -= learning_rate * d_biases2
        self.weights1 -= learning_rate * d_weights1
        self.biases1 -= learning_rate * d_biases1

    def train(
        self, X: np.ndarray, y: np.ndarray, epochs: int = 10, batch_size: int = 32, learning_rate: float = 0.01
    ) -> list[float]:  # kata 14
        """Mini-batch SGD; returns each epoch's mean batch loss (one float per epoch).

        Every epoch draws a fresh permutation from the model's ``rng``, then runs
        forward, ``calculate_loss`` and ``backward`` on each of the ``n // batch_size``
        full batches (a final partial batch is left out).
        ``batch_size > len(X)``, ``epochs < 1`` or ``learning_rate <= 0`` → ``ValueError``.
        """
        X = batch_of(X, self.input_size, "X")
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
        epochs = positive_int(epochs, "epochs")
        batch_size = positive_int(batch_size, "batch_size")
        if batch_size > len(X):
            raise ValueError(f"batch_size must be at most len(X) = {len(X)}, got {batch_size}")
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        n_batches = len(X) // batch_size
        history = []
        for _ in range(epochs):
            order = self.rng.permutation(len(X))
            total = 0.0
            for b in range(n_batches):
                idx = order[b * batch_size : (b + 1) * batch_size]
                X_batch, y_batch = X[idx], y[idx]
                total += self.calculate_loss(y_batch, self.forward(X_batch))
                self.backward(X_batch, y_batch, learning_rate)
            history.append(total / n_batches)
        return history

    def predict(self, X: np.ndarray) -> np.ndarray:  # kata 14
        """The most probable class of each row of ``X``: an int array (batch,)."""
        return np.argmax(self.forward(X), axis=1)
