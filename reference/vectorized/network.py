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
        sizes = list(layer_sizes)
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs an input and an output size, got {sizes}")
        self.layer_sizes = [positive_int(s, f"layer_sizes[{i}]") for i, s in enumerate(sizes)]
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        if not l2_lambda >= 0:
            raise ValueError(f"l2_lambda must be >= 0, got {l2_lambda}")
        self.learning_rate = float(learning_rate)
        self.l2_lambda = float(l2_lambda)
        self.dtype = float_dtype(dtype)
        generator = np.random.default_rng(rng)
        self.weights = []
        self.biases = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            w = generator.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
            self.weights.append(w.astype(self.dtype))
            self.biases.append(np.zeros((n_out, 1), dtype=self.dtype))
        self.activations: list[np.ndarray] = []
        self.z_values: list[np.ndarray] = []

    def forward(self, X: np.ndarray) -> np.ndarray:  # kata 15
        """Probabilities (classes, m) for ``X (features, m)``; remember every Z and A for ``backward``.

        Layer i computes Z_i = W_i·A_{i−1} + b_i from A_0 = X; hidden layers apply ReLU,
        the last a softmax over each column (each column sums to 1, with no overflow
        for any finite logits). ``X`` with the wrong number of rows → ``ValueError``.
        """
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[0] != self.layer_sizes[0]:
            raise ValueError(f"X must have shape ({self.layer_sizes[0]}, batch), got {X.shape}")
        a = X.astype(self.dtype, copy=False)
        self.activations = [a]
        self.z_values = []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = w @ a + b
            self.z_values.append(z)
            if i < last:
                a = np.maximum(z, 0)
            else:
                e = np.exp(z - z.max(axis=0, keepdims=True))
                a = e / e.sum(axis=0, keepdims=True)
            self.activations.append(a)
        return a

    def cross_entropy_loss(self, y_pred: np.ndarray, y_true: np.ndarray) -> float:  # kata 15
        """−(1/m) Σ y_true ⊙ log y_pred + λ/(2m) Σ‖W‖², with m = the number of columns.

        Probabilities of 0 are clipped to the dtype's smallest positive number, so
        that the loss is finite. Shapes that differ → ``ValueError``.
        """
        y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
        if y_pred.shape != y_true.shape or y_pred.ndim != 2:
            raise ValueError(f"y_pred and y_true must both be (classes, batch), got {y_pred.shape}, {y_true.shape}")
        m = y_pred.shape[1]
        tiny = np.finfo(y_pred.dtype).tiny if y_pred.dtype.kind == "f" else np.finfo(float).tiny
        data = -float(np.sum(y_true * np.log(np.maximum(y_pred, tiny)))) / m
        if not self.l2_lambda:
            return data
        l2 = sum(float(np.dot(w.ravel(), w.ravel())) for w in self.weights)  # Σ w², without a temporary w * w
        return data + self.l2_lambda / (2 * m) * l2

    def backward(self, y_true: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:  # kata 15
        """The exact gradients of ``cross_entropy_loss(forward(X), y_true)`` for the last ``X``.

        Returns ``(weight_grads, bias_grads)``, lists shaped like ``weights`` and
        ``biases``; the model is not changed. The L2 term contributes to the weight
        gradients only. No ``forward`` yet → ``RuntimeError``; ``y_true`` of another
        shape than the last output → ``ValueError``.
        """
        if not self.activations:
            raise RuntimeError("backward needs a forward pass first")
        y_true = np.asarray(y_true)
        output = self.activations[-1]
        if y_true.shape != output.shape:
            raise ValueError(f"y_true must have shape {output.shape}, got {y_true.shape}")
        m = output.shape[1]
        delta = (output - y_true) / m
        weight_grads: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        bias_grads: list[np.ndarray] = [np.empty(0)] * len(self.biases)
        for i in range(len(self.weights) - 1, -1, -1):
            weight_grads[i] = delta @ self.activations[i].T + (self.l2_lambda / m) * self.weights[i]
            bias_grads[i] = delta.sum(axis=1, keepdims=True)
            if i > 0:
                delta = (self.weights[i].T @ delta) * (self.z_values[i - 1] > 0)
        return weight_grads, bias_grads

    def update_parameters(
        self, weight_grads: Sequence[np.ndarray], bias_grads: Sequence[np.ndarray]
    ) -> None:  # kata 15
        """W_i −= learning_rate · ∂W_i and b_i −= learning_rate · ∂b_i, in place."""
        if len(weight_grads) != len(self.weights) or len(bias_grads) != len(self.biases):
            raise ValueError(f"need {len(self.weights)} weight and bias gradients")
        for w, b, dw, db in zip(self.weights, self.biases, weight_grads, bias_grads, strict=True):
            w -= self.learning_rate * dw
            b -= self.learning_rate * db

    def train_step(self, X: np.ndarray, y: np.ndarray) -> float:  # kata 15
        """Forward, loss, backward, update; return the loss BEFORE the update."""
        y_pred = self.forward(X)
        loss = self.cross_entropy_loss(y_pred, y)
        self.update_parameters(*self.backward(y))
        return loss

    def predict(self, X: np.ndarray) -> np.ndarray:  # kata 15
        """The most probable class of each column of ``X``: an int array (m,)."""
        return np.argmax(self.forward(X), axis=0)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:  # kata 15
        """The softmax probabilities (classes, m); every column sums to 1."""
        return self.forward(X)

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:  # kata 15
        """The fraction of columns predicted right, in [0, 1].

        ``y`` is one-hot (classes, m); integer labels (m,) work too.
        """
        y = np.asarray(y)
        labels = y if y.ndim == 1 else np.argmax(y, axis=0)
        return float(np.mean(self.predict(X) == labels))

    def save_weights(self, path: str | os.PathLike[str]) -> None:  # kata 15
        """Write ``layer_sizes``, ``weight_{i}`` and ``bias_{i}`` to an ``.npz`` file at exactly ``path``.

        ``numpy.savez(filename)`` appends ``.npz`` to a name without it; writing into
        an open file keeps the name the caller gave.
        """
        arrays = {"layer_sizes": np.array(self.layer_sizes)}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            arrays[f"weight_{i}"] = w
            arrays[f"bias_{i}"] = b
        with open(path, "wb") as f:
            np.savez(f, **arrays)

    def load_weights(self, path: str | os.PathLike[str]) -> None:  # kata 15
        """Restore the weights saved by ``save_weights``, bit for bit.

        A missing file → ``FileNotFoundError``. A file that is not such an ``.npz``,
        or that holds other layer sizes, other keys or other shapes → ``ValueError``,
        and the model is left exactly as it was (check everything, then assign).
        Arrays are converted to the model's dtype.
        """
        if not os.path.exists(path):
            raise FileNotFoundError(f"no weights file at {os.fspath(path)!r}")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
        except (OSError, ValueError, zipfile.BadZipFile, AttributeError) as exc:
            raise ValueError(f"{os.fspath(path)!r} is not an .npz weights file: {exc}") from exc
        n = len(self.weights)
        expected = {"layer_sizes"} | {f"weight_{i}" for i in range(n)} | {f"bias_{i}" for i in range(n)}
        if set(arrays) != expected:
            raise ValueError(f"{os.fspath(path)!r} holds {sorted(arrays)}, expected {sorted(expected)}")
        if arrays["layer_sizes"].tolist() != self.layer_sizes:
            raise ValueError(
                f"{os.fspath(path)!r} is for layers {arrays['layer_sizes'].tolist()}, not {self.layer_sizes}"
            )
        new_w = [arrays[f"weight_{i}"] for i in range(n)]
        new_b = [arrays[f"bias_{i}"] for i in range(n)]
        for name, new, old in [("weight", a, b) for a, b in zip(new_w, self.weights, strict=True)] + [
            ("bias", a, b) for a, b in zip(new_b, self.biases, strict=True)
        ]:
            if new.shape != old.shape or new.dtype.kind != "f":
                raise ValueError(
                    f"{os.fspath(path)!r}: a {name} of shape {new.shape} ({new.dtype}), expected {old.shape}"
                )
        self.weights = [w.astype(self.dtype) for w in new_w]
        self.biases = [b.astype(self.dtype) for b in new_b]


def create_mnist_model(rng: RngLike = None, *, dtype: object = np.float64) -> NeuralNetwork:  # kata 15
    """The deep network for MNIST: layers [784, 128, 64, 10], learning rate 0.01, λ = 0.01."""
    return NeuralNetwork([784, 128, 64, 10], learning_rate=0.01, l2_lambda=0.01, rng=rng, dtype=dtype)
