"""Layers as NumPy arrays: one matrix product per layer and per batch (kata 13, the classwork network).

Arrays are batch-major: a batch of ``N`` samples with ``F`` features is an array of
shape ``(N, F)``. Every module is callable (``module(x)`` is ``module.forward(x)``)
and remembers what its ``backward`` needs from the last ``forward``.

The backward rule of a module receives ``grad_output`` = ∂L/∂(its output), an array
of the output's shape, and returns ``grad_input`` = ∂L/∂(its input), by the chain
rule. Every rule here is the *exact* gradient of the loss that ``forward`` computed:
a gradient that is right "up to a constant" is wrong, and a finite-difference check
(which the spec runs) tells the difference at once.

    layer = Linear(3, 2, rng=0)
    loss = MSELoss()
    value = loss(layer(x), target)
    layer.backward(loss.backward())   # fills layer.grad_weight and layer.grad_bias

Every class that holds parameters takes ``dtype`` (``numpy.float64`` by default): with
``numpy.float32`` its parameters, outputs and gradients all stay float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import numpy as np

#: What a constructor accepts as its source of randomness (``numpy.random.default_rng`` takes all three).
RngLike = Union[np.random.Generator, int, None]


def float_dtype(dtype: object) -> np.dtype:
    """``dtype`` as a NumPy floating dtype (float32 or float64), or ``ValueError``."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}") from exc
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {resolved}")
    return resolved


def positive_int(value: object, name: str) -> int:
    """``value`` as an int ≥ 1: a bool or a non-integer → ``TypeError``, < 1 → ``ValueError``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def batch_of(x: object, features: int, name: str = "x") -> np.ndarray:
    """``x`` as a 2-D array with ``features`` columns, or ``ValueError`` naming the shapes."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != features:
        raise ValueError(f"{name} must have shape (batch, {features}), got {x.shape}")
    return x


class Linear:
    """``y = x · W + b``, with ``weight`` of shape (in, out) and ``bias`` of shape (out,).

    Attributes:
        weight, bias: the parameters, float arrays of ``dtype``.
        grad_weight, grad_bias: ∂L/∂weight and ∂L/∂bias after ``backward``; the same
            arrays (updated in place) for the layer's whole life, so that an optimizer
            holding them sees every new gradient.

    >>> layer = Linear(3, 2, rng=0)
    >>> layer(np.ones((4, 3))).shape
    (4, 2)
    """

    def __init__(
        self, in_features: int, out_features: int, rng: RngLike = None, *, dtype: object = np.float64
    ) -> None:  # kata 13
        """Draw ``weight`` uniformly from ±1/√in_features; ``bias`` and both gradients start at zero.

        The ±1/√in bound keeps the outputs of a fresh layer about as large as its
        inputs (PyTorch uses the same). ``rng`` is a ``numpy.random.Generator``, a
        seed or ``None``. Sizes below 1 → ``ValueError``; a non-int size → ``TypeError``.
        """
        # TODO(kata 13): write Linear.__init__
        raise NotImplementedError("kata 13 · Linear.__init__ — see katas/13-numpy-layers/README.md")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:  # kata 13
        """``x @ weight + bias`` for ``x`` of shape (batch, in); remember ``x`` for ``backward``.

        ``x`` of another shape → ``ValueError``. ``x`` is first converted to the
        layer's dtype (so a float32 layer stays float32). The bias broadcasts over the batch.
        """
        # TODO(kata 13): write Linear.forward
        raise NotImplementedError("kata 13 · Linear.forward — see katas/13-numpy-layers/README.md")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:  # kata 13
        """Store ∂L/∂weight and ∂L/∂bias and return ∂L/∂x, for the input of the last ``forward``.

        ``grad_output`` is ∂L/∂y, shaped (batch, out) like the last output. The two
        gradients are written into ``grad_weight`` and ``grad_bias`` themselves (the
        same arrays, in place), replacing what they held; the result has the shape of
        the input, (batch, in). All three are exact: the spec compares them with
        central differences. No ``forward`` yet → ``RuntimeError``; ``grad_output`` of
        another shape → ``ValueError``.
        """
        # TODO(kata 13): write Linear.backward
        raise NotImplementedError("kata 13 · Linear.backward — see katas/13-numpy-layers/README.md")

    def parameters(self) -> list[np.ndarray]:
        """``[weight, bias]``: the layer's own arrays (not copies)."""
        return [self.weight, self.bias]

    def gradients(self) -> list[np.ndarray]:
        """``[grad_weight, grad_bias]``, in the order of ``parameters()``."""
        return [self.grad_weight, self.grad_bias]


class Sigmoid:
    """The logistic sigmoid σ(z) = 1 / (1 + e^−z), element by element.

    >>> Sigmoid()(np.array([[0.0, 1000.0, -1000.0]]))
    array([[0.5, 1. , 0. ]])
    """

    def __init__(self) -> None:
        self.output: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:  # kata 13
        """σ(x) element by element, for any finite x: no overflow, no warning, exactly 0 and 1 at ±1,000.

        Remember what ``backward`` needs.
        """
        # TODO(kata 13): write Sigmoid.forward
        raise NotImplementedError("kata 13 · Sigmoid.forward — see katas/13-numpy-layers/README.md")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:  # kata 13
        """∂L/∂x for the last ``forward``: ``grad_output`` times σ′ at each element of its input."""
        # TODO(kata 13): write Sigmoid.backward
        raise NotImplementedError("kata 13 · Sigmoid.backward — see katas/13-numpy-layers/README.md")


class ReLU:
    """max(0, z) element by element; its derivative counts as 0 at exactly z = 0.

    >>> ReLU()(np.array([[-2.0, 0.0, 3.0]]))
    array([[0., 0., 3.]])
    """

    def __init__(self) -> None:
        self.input: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:  # kata 13
        """``max(0, x)``; remember ``x`` for the mask of ``backward``."""
        # TODO(kata 13): write ReLU.forward
        raise NotImplementedError("kata 13 · ReLU.forward — see katas/13-numpy-layers/README.md")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:  # kata 13
        """∂L/∂x for the last ``forward``: ``grad_output`` times relu′ at each element (0 at exactly 0)."""
        # TODO(kata 13): write ReLU.backward
        raise NotImplementedError("kata 13 · ReLU.backward — see katas/13-numpy-layers/README.md")


class Tanh:
    """tanh(z) element by element.

    >>> Tanh()(np.array([[0.0]]))
    array([[0.]])
    """

    def __init__(self) -> None:
        self.output: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:  # kata 13
        """``tanh(x)``; remember what ``backward`` needs."""
        # TODO(kata 13): write Tanh.forward
        raise NotImplementedError("kata 13 · Tanh.forward — see katas/13-numpy-layers/README.md")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:  # kata 13
        """∂L/∂x for the last ``forward``: ``grad_output`` times tanh′ at each element of its input."""
        # TODO(kata 13): write Tanh.backward
        raise NotImplementedError("kata 13 · Tanh.backward — see katas/13-numpy-layers/README.md")


class MSELoss:
    """The mean of the squared errors over EVERY element: L = Σ (pred − target)² / pred.size.

    >>> MSELoss()(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]]))
    2.0
    """

    def __init__(self) -> None:
        self.pred: np.ndarray | None = None
        self.target: np.ndarray | None = None

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        return self.forward(pred, target)

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:  # kata 13
        """The mean over all ``pred.size`` elements of ``(pred − target)²``, as a Python float.

        ``pred`` and ``target`` of different shapes → ``ValueError`` (broadcasting
        them would silently compute something else).
        """
        # TODO(kata 13): write MSELoss.forward
        raise NotImplementedError("kata 13 · MSELoss.forward — see katas/13-numpy-layers/README.md")

    def backward(self) -> np.ndarray:  # kata 13
        """∂L/∂pred for the last ``forward``, shaped like ``pred``: the exact gradient of that mean.

        Forward averaged over every element, not over the batch only: a gradient
        scaled for the batch is 10× too large for 10 outputs per sample, and
        finite differences disagree. No ``forward`` yet → ``RuntimeError``.
        """
        # TODO(kata 13): write MSELoss.backward
        raise NotImplementedError("kata 13 · MSELoss.backward — see katas/13-numpy-layers/README.md")


class CrossEntropyLoss:
    """Softmax cross-entropy from logits and integer labels, averaged over the batch.

    For one sample with logits z and label y: ℓ = log Σ_k e^{z_k} − z_y; L is the mean
    of ℓ over the batch. Logits of ±1,000 give a finite loss, never ``inf`` or NaN.

    >>> loss = CrossEntropyLoss()
    >>> round(loss(np.array([[0.0, 0.0]]), np.array([1])), 6)
    0.693147
    """

    def __init__(self) -> None:
        self.probabilities: np.ndarray | None = None
        self.labels: np.ndarray | None = None

    def __call__(self, logits: np.ndarray, target: np.ndarray) -> float:
        return self.forward(logits, target)

    def forward(self, logits: np.ndarray, target: np.ndarray) -> float:  # kata 13
        """The mean over the batch of ``logsumexp(z) − z[label]``, as a Python float.

        ``logits`` is (batch, classes), ``target`` (batch,) integer labels in
        [0, classes). Wrong shapes, float labels or labels out of range → ``ValueError``.
        Remember what ``backward`` needs.
        """
        # TODO(kata 13): write CrossEntropyLoss.forward
        raise NotImplementedError("kata 13 · CrossEntropyLoss.forward — see katas/13-numpy-layers/README.md")

    def backward(self) -> np.ndarray:  # kata 13
        """∂L/∂logits for the last ``forward``, (batch, classes): the exact gradient of the mean loss."""
        # TODO(kata 13): write CrossEntropyLoss.backward
        raise NotImplementedError("kata 13 · CrossEntropyLoss.backward — see katas/13-numpy-layers/README.md")


class SGD:
    """Plain gradient descent, p ← p − lr·g, IN PLACE on the arrays it was given.

    ``params`` and ``grads`` are lists of arrays in matching order (a model's
    ``parameters()`` and ``gradients()``). Because the arrays are the layers' own,
    an in-place update (``p -= …``) changes the model; ``p = p - …`` would only
    rebind a local name and leave the model untouched.
    """

    def __init__(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray], lr: float = 0.1) -> None:  # kata 13
        """Keep the two lists; lengths or shapes that do not match, or ``lr <= 0`` → ``ValueError``."""
        # TODO(kata 13): write SGD.__init__
        raise NotImplementedError("kata 13 · SGD.__init__ — see katas/13-numpy-layers/README.md")

    def step(self) -> None:  # kata 13
        """``p -= lr · g`` for every pair: the same array objects, updated in place."""
        # TODO(kata 13): write SGD.step
        raise NotImplementedError("kata 13 · SGD.step — see katas/13-numpy-layers/README.md")

    def zero_grad(self) -> None:  # kata 13
        """Set every gradient array to 0, in place (``g.fill(0)``), keeping the arrays."""
        # TODO(kata 13): write SGD.zero_grad
        raise NotImplementedError("kata 13 · SGD.zero_grad — see katas/13-numpy-layers/README.md")


class MLP:
    """The classwork network: ``linear1 → sigmoid → linear2 → sigmoid``.

    Attributes ``linear1, act1, linear2, act2``. Its ``backward`` takes
    ∂L/∂output (from a loss's ``backward``) and fills every layer's gradients.

    >>> model = MLP(4, 3, 2, rng=0)
    >>> model(np.zeros((5, 4))).shape
    (5, 2)
    """

    def __init__(
        self, in_features: int, hidden_size: int, out_features: int, rng: RngLike = None, *, dtype: object = np.float64
    ) -> None:  # kata 13
        """Two ``Linear`` layers (in → hidden, hidden → out) and two ``Sigmoid``s, drawing from one ``rng``."""
        # TODO(kata 13): write MLP.__init__
        raise NotImplementedError("kata 13 · MLP.__init__ — see katas/13-numpy-layers/README.md")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:  # kata 13
        """``act2(linear2(act1(linear1(x))))``: outputs in (0, 1), shape (batch, out)."""
        # TODO(kata 13): write MLP.forward
        raise NotImplementedError("kata 13 · MLP.forward — see katas/13-numpy-layers/README.md")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:  # kata 13
        """Fill every layer's gradients from ``grad_output`` = ∂L/∂output of the last ``forward``; return ∂L/∂x."""
        # TODO(kata 13): write MLP.backward
        raise NotImplementedError("kata 13 · MLP.backward — see katas/13-numpy-layers/README.md")

    def parameters(self) -> list[np.ndarray]:
        """``linear1``'s then ``linear2``'s parameters: the arrays themselves."""
        return self.linear1.parameters() + self.linear2.parameters()

    def gradients(self) -> list[np.ndarray]:
        """The gradient arrays in the order of ``parameters()``."""
        return self.linear1.gradients() + self.linear2.gradients()
