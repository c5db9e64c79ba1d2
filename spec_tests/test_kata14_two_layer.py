"""Kata 14: a two-layer softmax classifier in NumPy, with an exact gradient.

A common backward leaves out the 1/N of the mean loss; here the update must be
exactly −learning_rate × the gradient of the mean cross-entropy, checked against
central differences of the spec's own loss.
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from .api import TwoLayerMLP, load_mnist
from .arrays import (
    assert_arrays_close,
    assert_gradient,
    assert_loss_close,
    away_from_kink,
    mean_cross_entropy,
    numeric_gradient,
    seeds,
    sizes,
    softmax_rows,
    two_layer_forward,
)
from .contract import contract

pytestmark = pytest.mark.kata14

PARAMS = ("weights1", "biases1", "weights2", "biases2")


@st.composite
def cases(draw: st.DrawFn) -> tuple[object, np.ndarray, np.ndarray]:
    """A small TwoLayerMLP with random weights AND biases, a batch X and integer labels y.

    Values come from a NumPy generator seeded by Hypothesis: continuous values keep
    the hidden pre-activations away from ReLU's kink, where a finite difference lies.
    """
    n, i, h, o = draw(st.integers(1, 6)), draw(sizes), draw(sizes), draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(seeds))
    model = TwoLayerMLP(i, h, o, rng=0)
    for name in PARAMS:
        current = getattr(model, name)
        current[...] = rng.uniform(-1.5, 1.5, current.shape)
    return model, rng.uniform(-2, 2, (n, i)), rng.integers(0, o, n)


def params_of(model: object) -> list[np.ndarray]:
    return [getattr(model, name).copy() for name in PARAMS]


@contract("4.7")
@settings(max_examples=100)  # shapes only: 100 examples cover the small sizes
@given(sizes, sizes, sizes, seeds)
def test_init_shapes_and_zero_biases(i: int, h: int, o: int, seed: int) -> None:
    """weights1 (input, hidden), biases1 (1, hidden) zeros, weights2 (hidden, output), biases2 (1, output) zeros."""
    model = TwoLayerMLP(i, h, o, rng=seed)
    shapes = {"weights1": (i, h), "biases1": (1, h), "weights2": (h, o), "biases2": (1, o)}
    for name, shape in shapes.items():
        got = getattr(model, name).shape
        assert got == shape, f"TwoLayerMLP({i}, {h}, {o}).{name}.shape: expected {shape}, got {got}"
    assert not model.biases1.any(), "biases: expected zeros at the start"
    assert not model.biases2.any(), "biases: expected zeros at the start"


@contract("4.7")
def test_defaults_are_784_128_10_with_he_initialisation() -> None:
    """TwoLayerMLP() is 784→128→10, and weights have the He scale: standard deviation √(2 / fan_in).

    100,352 samples of weights1 estimate its standard deviation to about 0.3%; 5% is a wide margin
    that still rejects a unit or a √(1/n) scale.
    """
    model = TwoLayerMLP(rng=0)
    assert model.weights1.shape == (784, 128), f"weights1: expected (784, 128), got {model.weights1.shape}"
    assert model.weights2.shape == (128, 10), f"weights2: expected (128, 10), got {model.weights2.shape}"
    assert_arrays_close(model.weights1.std(), np.sqrt(2 / 784), rtol=0.05, atol=0, what="std of weights1")
    assert_arrays_close(model.weights2.std(), np.sqrt(2 / 128), rtol=0.15, atol=0, what="std of weights2")


@contract("4.7", "1.3")
def test_the_same_rng_gives_the_same_model() -> None:
    """Two models built with rng=3 have equal weights; rng=4 gives other weights."""
    a, b, c = TwoLayerMLP(6, 5, 3, rng=3), TwoLayerMLP(6, 5, 3, rng=3), TwoLayerMLP(6, 5, 3, rng=4)
    assert np.array_equal(a.weights1, b.weights1), "rng=3 twice: expected equal weights1"
    assert not np.array_equal(a.weights1, c.weights1), "rng=3 and rng=4: expected different weights1"


@contract("4.7")
@settings(max_examples=100)  # one formula: 100 random networks
@given(cases())
def test_forward_is_relu_then_softmax_and_rows_sum_to_one(case: tuple) -> None:
    """forward(X) = softmax(ReLU(X·W1 + b1)·W2 + b2) row by row; every row sums to 1."""
    model, X, _ = case
    expected = softmax_rows(two_layer_forward(X, *params_of(model)))
    got = model.forward(X)
    assert_arrays_close(got, expected, rtol=1e-10, atol=1e-14, what="TwoLayerMLP.forward(X)")
    assert_arrays_close(got.sum(axis=1), np.ones(len(X)), rtol=0, atol=1e-12, what="row sums of forward(X)")


@contract("4.1")
def test_forward_is_stable_for_logits_of_a_thousand() -> None:
    """With biases2 = (1000, −1000, 0) the probabilities are (1, 0, 0): no overflow, no NaN."""
    model = TwoLayerMLP(2, 2, 3, rng=0)
    model.biases2[...] = [[1000.0, -1000.0, 0.0]]
    model.weights2[...] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = model.forward(np.ones((2, 2)))
    assert_arrays_close(got, np.array([[1.0, 0.0, 0.0]] * 2), rtol=0, atol=1e-300, what="forward at logits ±1000")


@contract("4.7")
@settings(max_examples=100)  # one formula: 100 random networks
@given(cases())
def test_calculate_loss_is_the_mean_negative_log_probability_of_the_label(case: tuple) -> None:
    """calculate_loss(y, P) = −(1/N) Σ log P[n, y_n], a float."""
    model, X, y = case
    probabilities = model.forward(X)
    expected = float(-np.mean(np.log(probabilities[np.arange(len(y)), y])))
    got = model.calculate_loss(y, probabilities)
    assert isinstance(got, float), f"calculate_loss: expected a float, got {type(got).__name__}"
    picked = probabilities[np.arange(len(y)), y]
    assert_loss_close(
        got,
        expected,
        probabilities=picked,
        weights=np.full(len(y), 1 / len(y)),
        rtol=1e-9,
        atol=1e-12,
        what="calculate_loss(y, forward(X))",
    )


@contract("4.7")
@settings(max_examples=60)  # a finite difference per parameter of every network
@given(cases(), st.sampled_from([0.5, 1.0]))
def test_backward_steps_along_the_exact_gradient_of_the_mean_loss(case: tuple, lr: float) -> None:
    """After forward(X), backward(X, y, lr) changes each parameter by exactly −lr × ∂(mean loss)/∂parameter.

    The gradient includes the 1/N of the mean (an easy term to forget) and is checked against
    central differences of the spec's own loss, for all four parameter arrays.
    """
    model, X, y = case
    before = params_of(model)
    assume(away_from_kink([X @ before[0] + before[1]]))
    model.forward(X)
    model.backward(X, y, learning_rate=lr)
    after = params_of(model)
    loss = mean_cross_entropy(two_layer_forward(X, *before), y)
    for k, name in enumerate(PARAMS):

        def f(p: np.ndarray, k: int = k) -> float:
            args = list(before)
            args[k] = p
            return mean_cross_entropy(two_layer_forward(X, *args), y)

        implied = (before[k] - after[k]) / lr
        assert_gradient(implied, numeric_gradient(f, before[k]), loss, f"(old − new {name}) / lr")


@contract("4.7")
def test_backward_of_a_batch_repeated_twice_takes_the_same_step() -> None:
    """The gradient of a MEAN does not grow with the batch: X stacked twice gives the same update as X."""
    one, two = TwoLayerMLP(4, 3, 3, rng=5), TwoLayerMLP(4, 3, 3, rng=5)
    X = np.linspace(-1, 1, 12).reshape(3, 4)
    y = np.array([0, 2, 1])
    one.forward(X)
    one.backward(X, y, learning_rate=0.1)
    X2, y2 = np.vstack([X, X]), np.concatenate([y, y])
    two.forward(X2)
    two.backward(X2, y2, learning_rate=0.1)
    for name in PARAMS:
        assert_arrays_close(getattr(two, name), getattr(one, name), rtol=1e-12, atol=1e-14, what=f"{name}, batch ×2")


def toy_problem(n: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated clusters in 4 dimensions: any learning classifier gets them right."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 2.0, 0]])
    return centres[y] + rng.normal(0, 0.3, (n, 4)), y


@contract("4.7")
def test_train_with_one_batch_per_epoch_is_gradient_descent_and_returns_each_epochs_loss() -> None:
    """With batch_size = n, each epoch is one step on the whole set: the first loss is the loss before training,
    and the weights end where the spec's own gradient descent takes them."""
    X, y = toy_problem(12)
    model = TwoLayerMLP(4, 5, 3, rng=2)
    params = params_of(model)
    expected = []
    for _ in range(3):
        expected.append(mean_cross_entropy(two_layer_forward(X, *params), y))

        def f(p: np.ndarray, k: int) -> float:
            args = list(params)
            args[k] = p
            return mean_cross_entropy(two_layer_forward(X, *args), y)

        grads = [numeric_gradient(lambda p, k=k: f(p, k), params[k]) for k in range(4)]
        params = [p - 0.5 * g for p, g in zip(params, grads, strict=True)]
    history = model.train(X, y, epochs=3, batch_size=12, learning_rate=0.5)
    assert len(history) == 3, f"train(epochs=3): expected 3 losses, got {len(history)}"
    assert_arrays_close(np.array(history, dtype=float), np.array(expected), rtol=1e-6, atol=1e-9, what="epoch losses")
    for k, name in enumerate(PARAMS):
        assert_arrays_close(getattr(model, name), params[k], rtol=1e-5, atol=1e-8, what=f"{name} after train")


@contract("4.7")
def test_train_drops_the_last_partial_batch() -> None:
    """With 10 samples and batch_size 4, an epoch is 2 batches of 4 (n // batch_size): the last 2 samples are left out.

    With a negligible learning rate the weights do not move, so the epoch's loss is the
    mean of two 4-sample batch losses: the mean loss of some 8 of the 10 samples. A third,
    partial batch would weigh 2 samples as much as 4 and give none of those means.
    """
    X, y = toy_problem(10)
    model = TwoLayerMLP(4, 5, 3, rng=1)
    per_sample = -np.log(softmax_rows(two_layer_forward(X, *params_of(model)))[np.arange(10), y])
    history = model.train(X, y, epochs=1, batch_size=4, learning_rate=1e-12)
    means = np.array([np.mean(per_sample[list(kept)]) for kept in combinations(range(10), 8)])
    gap = float(np.min(np.abs(means - history[0])))
    assert gap < 1e-9, (
        f"epoch loss: expected the mean loss of 8 of the 10 samples, got {history[0]!r} (off by {gap:.1e})"
    )


@contract("4.7")
def test_train_shuffles_every_epoch() -> None:
    """Each epoch draws a fresh order: with a negligible learning rate, five epochs of 2 batches of 4 out of 10
    samples do not all leave out the same 2 samples (their epoch losses are not all equal)."""
    X, y = toy_problem(10)
    model = TwoLayerMLP(4, 5, 3, rng=1)
    history = model.train(X, y, epochs=5, batch_size=4, learning_rate=1e-12)
    spread = max(history) - min(history)  # the weights move by ~1e-12 per epoch; other subsets differ by ~1e-2
    assert spread > 1e-6, f"epoch losses: expected different subsets of samples per epoch, got {history}"


@contract("4.7", "1.3")
def test_training_is_reproducible_by_rng() -> None:
    """Two models with rng=11 trained on the same data give the same losses and weights (shuffles included)."""
    X, y = toy_problem(40)
    a, b = TwoLayerMLP(4, 6, 3, rng=11), TwoLayerMLP(4, 6, 3, rng=11)
    ha = a.train(X, y, epochs=3, batch_size=8, learning_rate=0.3)
    hb = b.train(X, y, epochs=3, batch_size=8, learning_rate=0.3)
    assert ha == hb, f"histories with rng=11: expected equal, got {ha} and {hb}"
    assert np.array_equal(a.weights1, b.weights1), "weights1 after training with rng=11 twice: expected equal"


@contract("4.7")
def test_train_learns_a_separable_problem_and_predict_returns_classes() -> None:
    """On three separated clusters the loss falls and predict (argmax of forward) gets ≥ 95% right."""
    X, y = toy_problem(90)
    model = TwoLayerMLP(4, 8, 3, rng=0)
    history = model.train(X, y, epochs=30, batch_size=10, learning_rate=0.3)
    assert history[-1] < 0.5 * history[0], f"loss: expected to halve, got {history[0]:.3f} → {history[-1]:.3f}"
    predicted = model.predict(X)
    assert predicted.shape == (90,), f"predict(X).shape: expected (90,), got {predicted.shape}"
    assert np.array_equal(predicted, np.argmax(model.forward(X), axis=1)), "predict: expected argmax of forward"
    accuracy = float(np.mean(predicted == y))
    assert accuracy >= 0.95, f"accuracy on separated clusters: expected ≥ 0.95, got {accuracy:.3f}"


@contract("4.1")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_training(dtype: type) -> None:
    """With dtype=float32 the weights, biases and probabilities are float32, also after training."""
    X, y = toy_problem(16)
    model = TwoLayerMLP(4, 3, 3, rng=0, dtype=dtype)
    model.train(X.astype(dtype), y, epochs=1, batch_size=8, learning_rate=0.1)
    arrays = {name: getattr(model, name) for name in PARAMS}
    arrays["forward(X)"] = model.forward(X.astype(dtype))
    for name, array in arrays.items():
        assert array.dtype == dtype, f"{name}: expected {np.dtype(dtype)}, got {array.dtype}"


@contract("4.7")
def test_two_layer_mlp_learns_the_digit_sample() -> None:
    """On the 5,000-digit sample (4,000 to train, 1,000 to test), 784→64→10 trained 4 epochs reaches ≥ 85%.

    Pixels scaled to [0, 1], batches of 32, learning rate 0.2 (the gradient of the mean is 32 times
    smaller than a summed one, hence a larger rate than 0.01). The reference reaches about 89%.
    """
    X, y = load_mnist("sample")
    X = X.astype(np.float32) / 255.0
    order = np.random.default_rng(0).permutation(len(X))
    train, test = order[:4000], order[4000:]
    model = TwoLayerMLP(784, 64, 10, rng=0, dtype=np.float32)
    history = model.train(X[train], y[train], epochs=4, batch_size=32, learning_rate=0.2)
    accuracy = float(np.mean(model.predict(X[test]) == y[test]))
    assert history[-1] < history[0], f"epoch losses: expected to fall, got {history}"
    assert accuracy >= 0.85, f"test accuracy of TwoLayerMLP on the sample: expected ≥ 0.85, got {accuracy:.3f}"


@contract("4.1")
def test_forward_is_stable_row_by_row() -> None:
    """Each row's softmax is stabilised on its own: a row of logits near +1000 next to one near −1000, no NaN."""
    model = TwoLayerMLP(2, 2, 3, rng=0)
    model.weights1[...] = np.eye(2)
    model.biases1[...] = 0.0
    model.weights2[...] = [[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]]
    model.biases2[...] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = model.forward(np.eye(2))  # logits (1000, −1000, 0) and (−1000, −1000, −1000)
    expected = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    assert_arrays_close(got, expected, rtol=1e-12, atol=1e-300, what="forward of rows at +1000 and −1000")


@contract("4.7")
def test_backward_and_train_defaults_are_the_contracts() -> None:
    """backward(X, y) steps with learning_rate 0.01, and train(X, y) runs 10 epochs of batches of 32 at 0.01."""
    X, y = toy_problem(70)
    a, b = TwoLayerMLP(4, 6, 3, rng=5), TwoLayerMLP(4, 6, 3, rng=5)
    a.forward(X)
    a.backward(X, y)
    b.forward(X)
    b.backward(X, y, learning_rate=0.01)
    assert all(np.array_equal(p, q) for p, q in zip(params_of(a), params_of(b), strict=True)), (
        "backward(X, y) should equal backward(X, y, learning_rate=0.01)"
    )
    a, b = TwoLayerMLP(4, 6, 3, rng=5), TwoLayerMLP(4, 6, 3, rng=5)
    ha = a.train(X, y)
    hb = b.train(X, y, epochs=10, batch_size=32, learning_rate=0.01)
    assert len(ha) == 10, f"train(X, y) should run the default 10 epochs, got {len(ha)} losses"
    assert ha == hb, "train(X, y) should equal train(X, y, epochs=10, batch_size=32, learning_rate=0.01)"
    assert all(np.array_equal(p, q) for p, q in zip(params_of(a), params_of(b), strict=True)), (
        "train(X, y) and train with the contract's defaults spelt out should leave equal weights"
    )
