"""Kata 15: a deep ReLU network with softmax, L2 regularisation and .npz weights.

Feature-major: X is (features, batch), labels one-hot (classes, batch). backward must
return the exact gradient of cross_entropy_loss INCLUDING its L2 term λ/(2m)·Σ‖W‖²;
save_weights/load_weights must round-trip bit for bit and refuse a mismatched file
without touching the model.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from .api import NeuralNetwork, create_mnist_model, load_mnist
from .arrays import (
    assert_arrays_close,
    assert_gradient,
    assert_loss_close,
    away_from_kink,
    log_softmax_rows,
    network_logits,
    network_loss,
    network_pre_activations,
    numeric_gradient,
    onehot,
    seeds,
)
from .contract import contract

pytestmark = pytest.mark.kata15

layer_sizes = st.lists(st.integers(1, 5), min_size=2, max_size=4).map(lambda s: [*s[:-1], max(2, s[-1])])


def softmax_columns(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax_rows(z.T).T)


@st.composite
def cases(draw: st.DrawFn) -> tuple[object, np.ndarray, np.ndarray, float, float]:
    """A small network with random weights and biases, X (features, m), one-hot Y (classes, m), its λ and rate.

    Values come from a NumPy generator seeded by Hypothesis, so that the hidden
    pre-activations are continuous and away from ReLU's kink.
    """
    sizes = draw(layer_sizes)
    lam = draw(st.sampled_from([0.0, 0.01, 0.5, 2.0]))
    lr = draw(st.sampled_from([0.01, 0.1, 1.0]))
    m = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(seeds))
    net = NeuralNetwork(sizes, learning_rate=lr, l2_lambda=lam, rng=0)
    for w, b in zip(net.weights, net.biases, strict=True):
        w[...] = rng.uniform(-1.5, 1.5, w.shape)
        b[...] = rng.uniform(-0.5, 0.5, b.shape)
    X = rng.uniform(-2, 2, (sizes[0], m))
    Y = onehot(rng.integers(0, sizes[-1], m), sizes[-1]).T
    return net, X, Y, lam, lr


def copies(arrays: list[np.ndarray]) -> list[np.ndarray]:
    return [a.copy() for a in arrays]


@contract("4.6")
@settings(max_examples=100)  # shapes only
@given(layer_sizes, seeds)
def test_weights_are_out_by_in_and_biases_are_zero_columns(sizes: list[int], seed: int) -> None:
    """weights[i] is (sizes[i+1], sizes[i]), biases[i] is (sizes[i+1], 1) of zeros, one of each per layer."""
    net = NeuralNetwork(sizes, rng=seed)
    assert len(net.weights) == len(sizes) - 1, f"len(weights): expected {len(sizes) - 1}, got {len(net.weights)}"
    assert len(net.biases) == len(sizes) - 1, f"len(biases): expected {len(sizes) - 1}, got {len(net.biases)}"
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        assert w.shape == (sizes[i + 1], sizes[i]), (
            f"weights[{i}].shape: expected {(sizes[i + 1], sizes[i])}, got {w.shape}"
        )
        assert b.shape == (sizes[i + 1], 1), f"biases[{i}].shape: expected {(sizes[i + 1], 1)}, got {b.shape}"
        assert not b.any(), f"biases[{i}]: expected zeros at the start, got {b.ravel()[:4]}"


@contract("4.6")
def test_create_mnist_model_is_784_128_64_10_with_he_weights_lr_and_lambda_of_a_hundredth() -> None:
    """create_mnist_model(): layers 784→128→64→10, He-scaled weights (std √(2/fan_in)), learning rate 0.01, λ 0.01.

    The learning rate shows in update_parameters (a gradient of ones moves a weight by 0.01),
    λ in the loss (its L2 term is λ/(2m)·Σ‖W‖²). 100,352 samples estimate the std of
    weights[0] to 0.3%; 5% is a wide margin that still rejects another scale.
    """
    net = create_mnist_model()
    shapes = [w.shape for w in net.weights]
    assert shapes == [(128, 784), (64, 128), (10, 64)], f"weight shapes: expected 784→128→64→10, got {shapes}"
    assert_arrays_close(net.weights[0].std(), np.sqrt(2 / 784), rtol=0.05, atol=0, what="std of weights[0]")
    probabilities = np.full((10, 2), 0.1)
    labels = onehot(np.array([1, 2]), 10).T
    l2 = sum(float(np.sum(w * w)) for w in net.weights)
    expected = -np.log(0.1) + 0.01 / 4 * l2
    assert_arrays_close(
        net.cross_entropy_loss(probabilities, labels), expected, rtol=1e-10, atol=0, what="loss, λ=0.01"
    )
    w0 = net.weights[0].copy()
    net.update_parameters([np.ones_like(w) for w in net.weights], [np.zeros_like(b) for b in net.biases])
    assert_arrays_close(net.weights[0], w0 - 0.01, rtol=0, atol=1e-15, what="weights[0] after a gradient of ones")


@contract("4.6", "1.3")
def test_the_same_rng_gives_the_same_network() -> None:
    """NeuralNetwork(..., rng=5) twice: equal weights; rng=6: other weights."""
    a, b, c = (NeuralNetwork([5, 4, 3], rng=r) for r in (5, 5, 6))
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights, strict=True)), (
        "rng=5 twice: expected equal weights"
    )
    assert not np.array_equal(a.weights[0], c.weights[0]), "rng=5 and rng=6: expected different weights"


@contract("4.6")
@settings(max_examples=100)  # one formula on small networks
@given(cases())
def test_forward_and_predict_proba_are_relu_layers_then_a_column_softmax(case: tuple) -> None:
    """forward(X) = softmax of each column of the last Z, ReLU between layers; predict_proba too; columns sum to 1."""
    net, X, *_ = case
    expected = softmax_columns(network_logits(X, net.weights, net.biases))
    assert_arrays_close(net.forward(X), expected, rtol=1e-10, atol=1e-14, what="forward(X)")
    proba = net.predict_proba(X)
    assert_arrays_close(proba, expected, rtol=1e-10, atol=1e-14, what="predict_proba(X)")
    assert_arrays_close(proba.sum(axis=0), np.ones(X.shape[1]), rtol=0, atol=1e-12, what="column sums of predict_proba")


@contract("4.1")
def test_softmax_is_stable_for_logits_of_a_thousand() -> None:
    """Output biases (1000, −1000, 0) with zero last weights give probabilities (1, 0, 0) per column, no NaN."""
    net = NeuralNetwork([2, 3, 3], rng=0)
    net.weights[-1][...] = 0.0
    net.biases[-1][...] = [[1000.0], [-1000.0], [0.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = net.predict_proba(np.ones((2, 4)))
    assert_arrays_close(got, np.tile([[1.0], [0.0], [0.0]], 4), rtol=0, atol=1e-300, what="predict_proba at ±1000")


@contract("4.6")
@settings(max_examples=100)  # one formula on small networks
@given(cases())
def test_loss_is_mean_cross_entropy_plus_the_l2_term(case: tuple) -> None:
    """cross_entropy_loss(P, Y) = −(1/m) Σ Y ⊙ log P + λ/(2m)·Σ_i ‖W_i‖², m the number of columns."""
    net, X, Y, lam, _lr = case
    P = softmax_columns(network_logits(X, net.weights, net.biases))
    expected = network_loss(X, Y, net.weights, net.biases, lam)
    got = net.cross_entropy_loss(P, Y)
    assert isinstance(got, float), f"cross_entropy_loss: expected a float, got {type(got).__name__}"
    assert_loss_close(
        got, expected, probabilities=P, weights=Y / X.shape[1], rtol=1e-9, atol=1e-12, what="cross_entropy_loss(P, Y)"
    )


@contract("4.6")
@settings(
    max_examples=60, suppress_health_check=[HealthCheck.filter_too_much]
)  # finite differences over every parameter
@given(cases())
def test_backward_returns_the_exact_gradient_including_l2(case: tuple) -> None:
    """After forward(X), backward(Y) returns (weight_grads, bias_grads) = the exact ∂L/∂W_i and ∂L/∂b_i.

    L is the loss with its L2 term, so ∂L/∂W_i includes (λ/m)·W_i. Checked against central
    differences of the spec's own loss, for λ in {0, 0.01, 0.5, 2}; backward leaves the model unchanged.
    """
    net, X, Y, lam, _lr = case
    weights, biases = copies(net.weights), copies(net.biases)
    assume(away_from_kink(network_pre_activations(X, weights, biases)))
    net.forward(X)
    weight_grads, bias_grads = net.backward(Y)
    loss = network_loss(X, Y, weights, biases, lam)
    for i in range(len(weights)):

        def f_w(w: np.ndarray, i: int = i) -> float:
            return network_loss(X, Y, [w if k == i else v for k, v in enumerate(weights)], biases, lam)

        def f_b(b: np.ndarray, i: int = i) -> float:
            return network_loss(X, Y, weights, [b if k == i else v for k, v in enumerate(biases)], lam)

        assert_gradient(weight_grads[i], numeric_gradient(f_w, weights[i]), loss, f"weight_grads[{i}]")
        assert_gradient(bias_grads[i], numeric_gradient(f_b, biases[i]), loss, f"bias_grads[{i}]")
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        assert np.array_equal(w, weights[i]), f"backward changed layer {i}"
        assert np.array_equal(b, biases[i]), f"backward changed layer {i}"


@contract("4.6")
def test_the_l2_gradient_is_lambda_over_m_times_the_weight() -> None:
    """Two networks that differ only in λ (0.3 and 0): their weight gradients differ by exactly (0.3/m)·W."""
    X = np.linspace(-1, 1, 12).reshape(4, 3)
    Y = onehot(np.array([0, 1, 1]), 2).T
    with_l2 = NeuralNetwork([4, 3, 2], l2_lambda=0.3, rng=9)
    without = NeuralNetwork([4, 3, 2], l2_lambda=0.0, rng=9)
    with_l2.forward(X)
    without.forward(X)
    (gw, gb), (g0, b0) = with_l2.backward(Y), without.backward(Y)
    for i, w in enumerate(with_l2.weights):
        assert_arrays_close(
            gw[i] - g0[i], 0.1 * w, rtol=1e-9, atol=1e-15, what=f"L2 part of weight_grads[{i}], λ/m = 0.1"
        )
        assert_arrays_close(gb[i], b0[i], rtol=1e-12, atol=1e-15, what=f"bias_grads[{i}] (no L2 on biases)")


@contract("4.6")
@settings(max_examples=50)  # a few matrix operations per example
@given(cases())
def test_train_step_returns_the_loss_before_the_update_and_takes_one_step(case: tuple) -> None:
    """train_step(X, Y) returns the loss at the old weights, and leaves W − lr·∂W, b − lr·∂b (update_parameters)."""
    net, X, Y, lam, lr = case
    twin_w, twin_b = copies(net.weights), copies(net.biases)
    expected_loss = network_loss(X, Y, twin_w, twin_b, lam)
    net.forward(X)
    weight_grads, bias_grads = (copies(g) for g in net.backward(Y))
    got = net.train_step(X, Y)
    assert_arrays_close(got, expected_loss, rtol=1e-9, atol=1e-12, what="train_step's loss")
    for i in range(len(twin_w)):
        assert_arrays_close(
            net.weights[i], twin_w[i] - lr * weight_grads[i], rtol=1e-12, atol=1e-14, what=f"weights[{i}]"
        )
        assert_arrays_close(net.biases[i], twin_b[i] - lr * bias_grads[i], rtol=1e-12, atol=1e-14, what=f"biases[{i}]")


@contract("4.6")
@settings(max_examples=100)  # one formula on small networks
@given(cases())
def test_predict_and_accuracy_agree_with_the_probabilities(case: tuple) -> None:
    """predict(X) is the argmax of each column; accuracy(X, Y) the fraction of columns where it is Y's class."""
    net, X, Y, *_ = case
    expected = np.argmax(softmax_columns(network_logits(X, net.weights, net.biases)), axis=0)
    predicted = net.predict(X)
    assert np.array_equal(predicted, expected), f"predict(X): expected {expected}, got {predicted}"
    fraction = float(np.mean(expected == np.argmax(Y, axis=0)))
    assert_arrays_close(net.accuracy(X, Y), fraction, rtol=0, atol=1e-12, what="accuracy(X, Y)")


@contract("4.6")
def test_training_steps_fit_a_small_problem() -> None:
    """100 train_steps on 30 separable points bring the loss down by half and accuracy to ≥ 95%."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 30)
    X = (np.eye(3, 4)[labels] * 2 + rng.normal(0, 0.3, (30, 4))).T
    Y = onehot(labels, 3).T
    net = NeuralNetwork([4, 8, 3], learning_rate=0.3, l2_lambda=0.001, rng=0)
    first = net.train_step(X, Y)
    for _ in range(99):
        last = net.train_step(X, Y)
    assert last < 0.5 * first, f"loss after 100 steps: expected below half of {first:.3f}, got {last:.3f}"
    accuracy = net.accuracy(X, Y)
    assert accuracy >= 0.95, f"training accuracy: expected ≥ 0.95, got {accuracy:.3f}"


@contract("4.1")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_from_weights_to_gradients(dtype: type) -> None:
    """With dtype=float32, weights, biases, probabilities and gradients are float32, also after train_step."""
    net = NeuralNetwork([4, 3, 2], rng=0, dtype=dtype)
    X = np.linspace(0, 1, 8, dtype=dtype).reshape(4, 2)
    Y = np.eye(2, dtype=dtype)
    arrays = {"predict_proba(X)": net.predict_proba(X)}
    weight_grads, bias_grads = net.backward(Y)
    net.train_step(X, Y)
    arrays.update({f"weights[{i}]": w for i, w in enumerate(net.weights)})
    arrays.update({f"biases[{i}]": b for i, b in enumerate(net.biases)})
    arrays.update({f"weight_grads[{i}]": g for i, g in enumerate(weight_grads)})
    arrays.update({f"bias_grads[{i}]": g for i, g in enumerate(bias_grads)})
    for name, array in arrays.items():
        assert array.dtype == dtype, f"{name}: expected {np.dtype(dtype)}, got {array.dtype}"


# ------------------------------------------------------------------ .npz weights


@contract("4.6")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["weights.npz", "weights"])
def test_save_then_load_restores_every_array_bit_for_bit(tmp_path: Path, name: str, dtype: type) -> None:
    """save_weights(path) writes an .npz at exactly path; load_weights(path) elsewhere restores it bit for bit."""
    source = NeuralNetwork([6, 5, 4, 3], rng=1, dtype=dtype)
    for b in source.biases:
        b[...] = np.random.default_rng(2).normal(size=b.shape)
    path = tmp_path / name
    source.save_weights(str(path))
    assert path.is_file(), (
        f"save_weights({name!r}): expected a file at that path, found {sorted(p.name for p in tmp_path.iterdir())}"
    )
    target = NeuralNetwork([6, 5, 4, 3], rng=99, dtype=dtype)
    target.load_weights(str(path))
    for kind in ("weights", "biases"):
        for i, (a, b) in enumerate(zip(getattr(source, kind), getattr(target, kind), strict=True)):
            assert b.dtype == a.dtype, f"{kind}[{i}] after load: expected {a.dtype}, got {b.dtype}"
            assert np.array_equal(a, b), f"{kind}[{i}] after load: expected the saved values bit for bit"
    X = np.linspace(0, 1, 12).reshape(6, 2).astype(dtype)
    assert np.array_equal(source.predict_proba(X), target.predict_proba(X)), "predictions differ after load"


@contract("4.6")
def test_loading_a_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    """load_weights of a path that does not exist raises FileNotFoundError."""
    net = NeuralNetwork([3, 2], rng=0)
    with pytest.raises(FileNotFoundError):
        net.load_weights(str(tmp_path / "nothing.npz"))


def mismatched_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.npz"
    if kind == "other-layers":
        NeuralNetwork([4, 5, 2], rng=0).save_weights(str(path))
    elif kind == "other-depth":
        NeuralNetwork([4, 2], rng=0).save_weights(str(path))
    elif kind == "not-npz":
        path.write_bytes(b"these are not weights")
    elif kind == "missing-key":
        np.savez(path, layer_sizes=np.array([4, 3, 2]), weight_0=np.zeros((3, 4)))
    return path


@contract("4.6", "1.2")
@pytest.mark.parametrize("kind", ["other-layers", "other-depth", "not-npz", "missing-key"])
def test_a_mismatched_file_raises_value_error_and_leaves_the_model_unchanged(tmp_path: Path, kind: str) -> None:
    """Another architecture, a file that is not an .npz, or missing keys → ValueError, and the model is left intact."""
    path = mismatched_file(tmp_path, kind)
    net = NeuralNetwork([4, 3, 2], rng=3)
    weights, biases = copies(net.weights), copies(net.biases)
    with pytest.raises(ValueError):
        net.load_weights(str(path))
    assert len(net.weights) == 2, "a failed load changed the number of layers"
    assert len(net.biases) == 2, "a failed load changed the number of layers"
    for i in range(2):
        assert np.array_equal(net.weights[i], weights[i]), f"a failed load changed weights[{i}]"
        assert np.array_equal(net.biases[i], biases[i]), f"a failed load changed biases[{i}]"


@contract("4.6")
def test_the_mnist_network_learns_the_digit_sample() -> None:
    """A 784→64→32→10 network (λ = 0.01), 4 epochs of train_step on batches of 32, reaches ≥ 85% on 1,000 test digits.

    The sample's 5,000 digits: 4,000 to train, 1,000 to test, pixels in [0, 1], learning rate
    0.1. The reference reaches about 88%; a network that does not learn stays near 10%.
    """
    X, y = load_mnist("sample")
    X = (X.astype(np.float32) / 255.0).T
    Y = onehot(y, 10).T.astype(np.float32)
    order = np.random.default_rng(0).permutation(len(y))
    train, test = order[:4000], order[4000:]
    net = NeuralNetwork([784, 64, 32, 10], learning_rate=0.1, l2_lambda=0.01, rng=0, dtype=np.float32)
    rng = np.random.default_rng(1)
    for _ in range(4):
        idx = rng.permutation(train)
        for start in range(0, len(idx) - 31, 32):
            batch = idx[start : start + 32]
            net.train_step(X[:, batch], Y[:, batch])
    accuracy = net.accuracy(X[:, test], Y[:, test])
    assert accuracy >= 0.85, f"test accuracy of NeuralNetwork on the sample: expected ≥ 0.85, got {accuracy:.3f}"


@contract("4.1")
def test_softmax_is_stable_column_by_column() -> None:
    """Each column's softmax is stabilised on its own: a column of logits near +1000 beside one near −1000, no NaN."""
    net = NeuralNetwork([2, 2, 3], rng=0)
    net.weights[0][...] = np.eye(2)
    net.biases[0][...] = 0.0
    net.weights[1][...] = [[1000.0, -1000.0], [-1000.0, -1000.0], [0.0, -1000.0]]
    net.biases[1][...] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = net.predict_proba(np.eye(2))  # logits (1000, −1000, 0) and (−1000, −1000, −1000)
    expected = np.array([[1.0, 1 / 3], [0.0, 1 / 3], [0.0, 1 / 3]])
    assert_arrays_close(got, expected, rtol=1e-12, atol=1e-300, what="predict_proba of columns at +1000 and −1000")


@contract("4.6")
def test_learning_rate_and_l2_lambda_default_to_a_hundredth() -> None:
    """NeuralNetwork(sizes) trains exactly as NeuralNetwork(sizes, learning_rate=0.01, l2_lambda=0.01)."""
    rng = np.random.default_rng(0)
    X, labels = rng.normal(0, 1, (3, 8)), rng.integers(0, 2, 8)
    Y = np.eye(2)[labels].T
    a = NeuralNetwork([3, 4, 2], rng=9)
    b = NeuralNetwork([3, 4, 2], learning_rate=0.01, l2_lambda=0.01, rng=9)
    losses = [(a.train_step(X, Y), b.train_step(X, Y)) for _ in range(3)]
    assert all(la == lb for la, lb in losses), f"losses with the defaults and with 0.01, 0.01 differ: {losses}"
    for i in range(2):
        assert np.array_equal(a.weights[i], b.weights[i]), f"weights[{i}] differ between defaults and 0.01, 0.01"


@contract("4.6")
@settings(max_examples=50)  # one formula on one small network
@given(seeds)
def test_update_parameters_updates_the_arrays_in_place(seed: int) -> None:
    """update_parameters does W ← W − lr·∂W and b ← b − lr·∂b on the very arrays in weights and biases."""
    net = NeuralNetwork([3, 4, 2], learning_rate=0.1, l2_lambda=0.0, rng=seed)
    held_w, held_b = list(net.weights), list(net.biases)
    before_w, before_b = copies(held_w), copies(held_b)
    rng = np.random.default_rng(seed)
    dw, db = [rng.normal(size=w.shape) for w in held_w], [rng.normal(size=b.shape) for b in held_b]
    net.update_parameters(dw, db)
    for i in range(len(held_w)):
        assert net.weights[i] is held_w[i], f"weights[{i}] is a new array: update_parameters must update in place"
        assert net.biases[i] is held_b[i], f"biases[{i}] is a new array: update_parameters must update in place"
        assert_arrays_close(held_w[i], before_w[i] - 0.1 * dw[i], rtol=1e-12, atol=1e-14, what=f"weights[{i}]")
        assert_arrays_close(held_b[i], before_b[i] - 0.1 * db[i], rtol=1e-12, atol=1e-14, what=f"biases[{i}]")


@contract("4.6")
def test_setting_learning_rate_changes_the_next_update() -> None:
    """A schedule sets net.learning_rate between steps: after learning_rate = 0.05 an update moves by 0.05·∂W."""
    net = NeuralNetwork([3, 4, 2], learning_rate=0.1, l2_lambda=0.0, rng=0)
    net.learning_rate = 0.05
    before_w, before_b = copies(net.weights), copies(net.biases)
    net.update_parameters([np.ones_like(w) for w in before_w], [np.ones_like(b) for b in before_b])
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        assert_arrays_close(
            w, before_w[i] - 0.05, rtol=1e-12, atol=1e-14, what=f"weights[{i}] after learning_rate = 0.05"
        )
        assert_arrays_close(
            b, before_b[i] - 0.05, rtol=1e-12, atol=1e-14, what=f"biases[{i}] after learning_rate = 0.05"
        )
