"""The Value MLP and its training loop: ``ValueMLP`` and plain SGD on softmax cross-entropy.

Training updates after every sample: each sample's step follows the gradient of that
sample's softmax cross-entropy loss alone, whatever gradients were left before it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .functional import Rows, accuracy, check_class, check_finite_positive, check_same_length, predict
from .loss import softmax_cross_entropy_loss
from .mlp import MLP
from .neuron import as_inputs


class ValueMLP(MLP):
    """``layer_sizes = [n_inputs, hidden…, n_classes]``: ReLU hidden layers, a linear output layer.

    >>> import random
    >>> model = ValueMLP([784, 16, 10], rng=random.Random(0))
    >>> [len(layer.neurons) for layer in model.layers]
    [16, 10]
    """

    def __init__(self, layer_sizes: Sequence[int], rng: random.Random | None = None) -> None:  # kata 05
        """``MLP(layer_sizes[0], layer_sizes[1:], activation='relu', output_activation='linear', rng=rng)``.

        ``layer_sizes`` needs at least two entries (inputs and outputs): ``ValueError`` otherwise.
        """
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
            raise TypeError(f"layer_sizes must be a sequence of positive ints, got {type(layer_sizes).__name__}")
        if len(layer_sizes) < 2:
            raise ValueError(f"layer_sizes needs at least an input and an output size, got {list(layer_sizes)}")
        super().__init__(layer_sizes[0], layer_sizes[1:], activation="relu", output_activation="linear", rng=rng)


def train_step_value_mlp(
    model: MLP, x_batch: Sequence[Sequence[float]], y_batch: Sequence[int], lr: float
) -> float:  # kata 07
    """One pass of SGD over a batch, one update per sample: p ← p − lr·∂loss/∂p; returns the mean loss.

    The mean is of each sample's loss *before* its own update. Check the whole
    batch first, so that bad input changes no weight: the same non-zero number
    of inputs and labels (``ValueError``), ``lr`` a positive number, every label
    an int in ``range(number of outputs)`` and every input of the model's size
    (``as_inputs`` and ``check_class`` raise the errors).
    """
    check_same_length("x_batch", x_batch, "y_batch", y_batch)
    lr = check_finite_positive("lr", lr)
    n_inputs = len(model.layers[0].neurons[0].weights)
    n_classes = len(model.layers[-1].neurons)
    xs = [as_inputs(x, n_inputs) for x in x_batch]
    ys = [check_class(f"y_batch[{i}]", y, n_classes) for i, y in enumerate(y_batch)]
    params = model.parameters()
    model.zero_grad()
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        loss = softmax_cross_entropy_loss(model(x), y)
        loss.backward()
        # Speed-up: the update and the next sample's zero_grad in one pass over the
        # parameters (12,730 for MNIST's 784→16→10), over the list made once above
        # rather than one that model.zero_grad() builds again for every sample.
        for p in params:
            p.data -= lr * p.grad
            p.grad = 0.0
        total += loss.data
    return total / len(xs)


def predict_value_mlp(model: MLP, X: Rows) -> list[int]:  # kata 07  # noqa: N803
    """The predicted class of every row of ``X``: ``[predict(model, x) for x in X]`` (``[]`` for no rows)."""
    return [predict(model, x) for x in X]


def evaluate_value_mlp(model: MLP, X: Rows, y: Sequence[int]) -> float:  # kata 07  # noqa: N803
    """The accuracy on ``(X, y)``, a fraction in [0, 1] (``accuracy`` from ``functional.py``)."""
    return accuracy(model, X, y)
