"""Kata 13: NumPy layers — Linear, Sigmoid, ReLU, Tanh, MSELoss, CrossEntropyLoss, SGD and the classwork MLP.

Every backward rule is checked against central differences of the spec's own
formula for the loss, in float64, on random shapes and values: a gradient that is
right only "up to a constant" (an averaged bias gradient, an MSE gradient divided by
the batch alone) fails here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .api import CrossEntropyLoss, Linear, MSELoss, ReLU, Sigmoid, Tanh, VecMLP, VecSGD, load_mnist
from .arrays import (
    assert_arrays_close,
    assert_gradient,
    batches,
    matrices,
    mean_cross_entropy,
    numeric_gradient,
    onehot,
    seeds,
    sigmoid,
    sizes,
    softmax_rows,
)
from .contract import contract

pytestmark = pytest.mark.kata13

EXACT = {"rtol": 1e-12, "atol": 1e-12}  # the same float64 formula, evaluated in another order: rounding only


def linear_with(weight: np.ndarray, bias: np.ndarray) -> object:
    """A Linear layer holding exactly these parameters (set through its public arrays)."""
    layer = Linear(weight.shape[0], weight.shape[1], rng=0)
    layer.weight[...] = weight
    layer.bias[...] = bias
    return layer


@st.composite
def linear_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x (batch, in), W (in, out), b (out,), upstream gradient G (batch, out)."""
    n, i, o = draw(batches), draw(sizes), draw(sizes)
    return draw(matrices(n, i)), draw(matrices(i, o)), draw(matrices(1, o))[0], draw(matrices(n, o))


# ------------------------------------------------------------------ Linear


@contract("4.2")
@given(sizes, sizes, seeds)
@settings(max_examples=100)  # one formula on small shapes: 100 examples cover them
def test_linear_has_the_contract_shapes_and_starts_with_zero_bias_and_gradients(
    n_in: int, n_out: int, seed: int
) -> None:
    """weight is (in, out), bias (out,) of zeros, and both gradient arrays start at zero with the same shapes."""
    layer = Linear(n_in, n_out, rng=seed)
    for name, shape in (("weight", (n_in, n_out)), ("bias", (n_out,))):
        got = getattr(layer, name).shape
        assert got == shape, f"Linear({n_in}, {n_out}).{name}.shape: expected {shape}, got {got}"
        grad = getattr(layer, f"grad_{name}")
        assert grad.shape == shape, f"Linear.grad_{name}.shape: expected {shape}, got {grad.shape}"
        assert not grad.any(), f"Linear.grad_{name}: expected zeros at the start, got {grad.ravel()[:4]}"
    assert not layer.bias.any(), f"Linear.bias: expected zeros at the start, got {layer.bias[:4]}"
    assert layer.weight.std() > 0 or n_in * n_out == 1, "Linear.weight: expected random values, got all equal"


@contract("4.2", "1.3")
def test_linear_weights_are_reproducible_by_rng() -> None:
    """The same seed draws the same weights; another seed draws other weights."""
    a, b, c = Linear(6, 4, rng=7), Linear(6, 4, rng=7), Linear(6, 4, rng=8)
    assert np.array_equal(a.weight, b.weight), "Linear(6, 4, rng=7) twice: expected equal weights, got different"
    assert not np.array_equal(a.weight, c.weight), "Linear with rng=7 and rng=8: expected different weights, got equal"


@contract("4.2")
@given(linear_cases())
@settings(max_examples=100)  # one formula on small shapes: 100 examples cover them
def test_linear_forward_is_x_times_weight_plus_bias(case: tuple) -> None:
    """forward(x) = x·W + b for every batch row, and calling the layer is the same as forward."""
    x, w, b, _ = case
    layer = linear_with(w, b)
    assert_arrays_close(layer.forward(x), x @ w + b, **EXACT, what="Linear.forward(x)")
    assert_arrays_close(layer(x), x @ w + b, **EXACT, what="Linear(x) (__call__)")


@contract("4.2")
@given(linear_cases())
@settings(max_examples=100)  # a finite difference per parameter: 100 random layers are plenty
def test_linear_backward_matches_central_differences(case: tuple) -> None:
    """With L = Σ G ⊙ (x·W + b), backward(G) stores ∂L/∂W and ∂L/∂b and returns ∂L/∂x, all exact.

    In particular grad_bias is the SUM of G over the batch (like grad_weight), not its mean.
    """
    x, w, b, g = case
    layer = linear_with(w, b)
    layer.forward(x)
    grad_x = layer.backward(g)
    loss = float(np.sum(g * (x @ w + b)))
    assert_gradient(layer.grad_weight, numeric_gradient(lambda w_: np.sum(g * (x @ w_ + b)), w), loss, "grad_weight")
    assert_gradient(layer.grad_bias, numeric_gradient(lambda b_: np.sum(g * (x @ w + b_)), b), loss, "grad_bias")
    assert_gradient(grad_x, numeric_gradient(lambda x_: np.sum(g * (x_ @ w + b)), x), loss, "backward's ∂L/∂x")


@contract("4.2")
def test_linear_bias_gradient_of_a_batch_of_four_is_four() -> None:
    """For G of ones over a batch of 4, ∂(Σ G ⊙ y)/∂b is 4 for every output (a sum, not a mean)."""
    layer = Linear(3, 2, rng=0)
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))
    assert_arrays_close(layer.grad_bias, np.full(2, 4.0), **EXACT, what="grad_bias for G = ones((4, 2))")


@contract("4.2")
def test_linear_gradients_live_in_the_arrays_it_hands_out() -> None:
    """parameters() and gradients() are the layer's own arrays, and backward fills those same arrays in place."""
    layer = Linear(3, 2, rng=0)
    params, grads = layer.parameters(), layer.gradients()
    assert params[0] is layer.weight, "parameters(): expected [weight, bias] themselves"
    assert params[1] is layer.bias, "parameters(): expected [weight, bias] themselves"
    assert grads[0] is layer.grad_weight, "gradients(): expected the grad arrays"
    assert grads[1] is layer.grad_bias, "gradients(): expected the grad arrays"
    x = np.arange(6.0).reshape(2, 3)
    layer.forward(x)
    layer.backward(np.ones((2, 2)))
    assert layer.grad_weight is grads[0], "backward rebound grad_weight: expected the array gradients() returned"
    assert layer.grad_bias is grads[1], "backward rebound grad_bias: expected the array gradients() returned"
    assert_arrays_close(grads[0], x.T @ np.ones((2, 2)), **EXACT, what="gradients()[0] after backward")


@contract("4.2")
@pytest.mark.parametrize("shape", [(4,), (2, 5), (2, 3, 1)])
def test_linear_rejects_an_input_of_the_wrong_shape(shape: tuple[int, ...]) -> None:
    """forward of an array that is not (batch, in_features) raises ValueError instead of broadcasting."""
    layer = Linear(3, 2, rng=0)
    with pytest.raises(ValueError):
        layer.forward(np.ones(shape))


# ------------------------------------------------------------------ activations


@contract("4.3")
@given(matrices(3, 4, -30.0, 30.0))
@settings(max_examples=100)  # one formula on small shapes: 100 examples cover them
def test_sigmoid_forward_is_the_logistic_function(x: np.ndarray) -> None:
    """Sigmoid()(x) = 1 / (1 + e^−x) element by element."""
    assert_arrays_close(Sigmoid()(x), sigmoid(x), rtol=1e-12, atol=1e-15, what="Sigmoid(x)")


@contract("4.3")
def test_sigmoid_of_a_thousand_does_not_overflow() -> None:
    """σ(±1000) is 1 and 0, with no overflow warning and no NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = Sigmoid().forward(np.array([[1000.0, -1000.0, 0.0]]))
    assert_arrays_close(got, np.array([[1.0, 0.0, 0.5]]), rtol=0, atol=1e-300, what="Sigmoid([1000, -1000, 0])")


ACTIVATIONS = {
    "Sigmoid": (Sigmoid, sigmoid),
    "ReLU": (ReLU, lambda x: np.maximum(x, 0.0)),
    "Tanh": (Tanh, np.tanh),
}


@contract("4.3")
@pytest.mark.parametrize("name", list(ACTIVATIONS))
@given(x=matrices(3, 4, -4.0, 4.0), g=matrices(3, 4))
@settings(max_examples=100)  # 24 finite differences per example
def test_activation_backward_matches_central_differences(name: str, x: np.ndarray, g: np.ndarray) -> None:
    """With L = Σ G ⊙ f(x), backward(G) returns ∂L/∂x = G ⊙ f′(x) (for ReLU, away from its kink at 0)."""
    cls, f = ACTIVATIONS[name]
    if name == "ReLU":  # keep the finite difference off the kink at 0: move near-zero inputs to ±0.5 or more
        x = np.where(np.abs(x) < 0.01, x + np.copysign(0.5, x), x)
    module = cls()
    assert_arrays_close(module(x), f(x), rtol=1e-12, atol=1e-15, what=f"{name}(x)")
    got = module.backward(g)
    assert_gradient(got, numeric_gradient(lambda x_: np.sum(g * f(x_)), x), float(np.sum(g * f(x))), f"{name}.backward")


@contract("4.3")
def test_relu_derivative_is_zero_at_exactly_zero() -> None:
    """ReLU passes the gradient where x > 0 and blocks it where x ≤ 0, including x = 0 exactly."""
    relu = ReLU()
    relu.forward(np.array([[-1.0, 0.0, 2.0]]))
    got = relu.backward(np.array([[5.0, 5.0, 5.0]]))
    assert_arrays_close(got, np.array([[0.0, 0.0, 5.0]]), **EXACT, what="ReLU.backward at x = [-1, 0, 2]")


# ------------------------------------------------------------------ losses


@contract("4.4")
@given(st.data(), batches, sizes)
@settings(max_examples=100)  # one formula on small shapes: 100 examples cover them
def test_mse_is_the_mean_over_every_element(data: st.DataObject, n: int, k: int) -> None:
    """MSELoss()(pred, target) = Σ (pred − target)² / pred.size, a Python float."""
    pred, target = data.draw(matrices(n, k)), data.draw(matrices(n, k))
    got = MSELoss()(pred, target)
    assert isinstance(got, float), f"MSELoss(): expected a float, got {type(got).__name__}"
    assert_arrays_close(got, np.mean((pred - target) ** 2), **EXACT, what="MSELoss()(pred, target)")


@contract("4.4")
@given(st.data(), batches, sizes)
@settings(max_examples=100)  # a finite difference per prediction
def test_mse_backward_matches_central_differences(data: st.DataObject, n: int, k: int) -> None:
    """backward() is ∂L/∂pred = 2·(pred − target)/pred.size: the size forward averaged over, not the batch."""
    pred, target = data.draw(matrices(n, k)), data.draw(matrices(n, k))
    loss = MSELoss()
    value = loss.forward(pred, target)
    numeric = numeric_gradient(lambda p: np.mean((p - target) ** 2), pred)
    assert_gradient(loss.backward(), numeric, value, "MSELoss.backward()")


@contract("4.4")
def test_mse_rejects_predictions_and_targets_of_different_shapes() -> None:
    """pred (4, 3) against target (4,) raises ValueError instead of broadcasting to a (4, 4) mistake."""
    with pytest.raises(ValueError):
        MSELoss().forward(np.ones((4, 3)), np.ones(4))


@st.composite
def logits_and_labels(draw: st.DrawFn, scale: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    n, c = draw(batches), draw(st.integers(2, 5))
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return draw(matrices(n, c, -scale, scale)), labels


@contract("4.4")
@given(logits_and_labels())
@settings(max_examples=100)  # one formula on small shapes: 100 examples cover them
def test_cross_entropy_is_the_mean_negative_log_softmax_of_the_label(case: tuple) -> None:
    """CrossEntropyLoss()(logits, labels) = mean over the batch of log Σ e^z − z[label]."""
    logits, labels = case
    got = CrossEntropyLoss()(logits, labels)
    assert isinstance(got, float), f"CrossEntropyLoss(): expected a float, got {type(got).__name__}"
    assert_arrays_close(got, mean_cross_entropy(logits, labels), rtol=1e-12, atol=1e-12, what="cross-entropy")


@contract("4.4")
@given(logits_and_labels())
@settings(max_examples=100)  # a finite difference per logit
def test_cross_entropy_backward_matches_central_differences(case: tuple) -> None:
    """backward() is ∂L/∂logits = (softmax(z) − onehot(label)) / batch, the exact gradient of the mean."""
    logits, labels = case
    loss = CrossEntropyLoss()
    value = loss.forward(logits, labels)
    numeric = numeric_gradient(lambda z: mean_cross_entropy(z, labels), logits)
    assert_gradient(loss.backward(), numeric, value, "CrossEntropyLoss.backward()")


@contract("4.4")
def test_cross_entropy_is_exact_for_logits_of_a_thousand() -> None:
    """Logits (1000, −1000): loss 0 for label 0 and 2000 for label 1, gradients finite; no overflow, no NaN."""
    loss = CrossEntropyLoss()
    logits = np.array([[1000.0, -1000.0], [1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss.forward(logits, np.array([0, 1]))
        grad = loss.backward()
    assert_arrays_close(value, 1000.0, rtol=1e-12, atol=0, what="mean of losses 0 and 2000")
    assert_arrays_close(grad, np.array([[0.0, 0.0], [0.5, -0.5]]), **EXACT, what="gradient at logits ±1000")


@contract("4.4")
@pytest.mark.parametrize("labels", [[0, 3], [-1, 0], [0.0, 1.0]], ids=["too-large", "negative", "floats"])
def test_cross_entropy_rejects_labels_that_are_not_classes(labels: list) -> None:
    """Labels outside [0, classes) or not integers raise ValueError (NumPy would silently wrap −1)."""
    with pytest.raises(ValueError):
        CrossEntropyLoss().forward(np.zeros((2, 3)), np.array(labels))


# ------------------------------------------------------------------ SGD


@contract("4.5")
@given(st.data(), sizes, st.floats(0.001, 2.0))
@settings(max_examples=100)  # one formula on small shapes: 100 examples cover them
def test_sgd_step_updates_the_given_arrays_in_place(data: st.DataObject, k: int, lr: float) -> None:
    """step() does p ← p − lr·g on the very arrays it was given (the layers' own), for every pair."""
    params = [data.draw(matrices(k, 2)), data.draw(matrices(1, k))[0]]
    grads = [data.draw(matrices(k, 2)), data.draw(matrices(1, k))[0]]
    before = [p.copy() for p in params]
    held = list(params)
    VecSGD(params, grads, lr=lr).step()
    for i, (p, old, g) in enumerate(zip(held, before, grads, strict=True)):
        assert params[i] is p, "SGD.step replaced an array in the list: expected the same object"
        assert_arrays_close(p, old - lr * g, rtol=1e-12, atol=1e-12, what=f"params[{i}] after step()")


@contract("4.5")
def test_sgd_zero_grad_zeroes_the_gradient_arrays_in_place() -> None:
    """zero_grad() fills every gradient array with 0, keeping the arrays (a layer keeps writing into them)."""
    grads = [np.ones((2, 3)), np.full(3, 2.0)]
    held = list(grads)
    VecSGD([np.zeros((2, 3)), np.zeros(3)], grads, lr=0.1).zero_grad()
    for g, h in zip(grads, held, strict=True):
        assert g is h, f"zero_grad(): expected the same arrays, all 0, got {h.ravel()[:4]}"
        assert not h.any(), f"zero_grad(): expected the same arrays, all 0, got {h.ravel()[:4]}"


@contract("4.5")
def test_sgd_steps_a_layer_through_its_own_arrays() -> None:
    """SGD built from layer.parameters() and layer.gradients() moves layer.weight by −lr·grad_weight after backward."""
    layer = Linear(3, 2, rng=1)
    opt = VecSGD(layer.parameters(), layer.gradients(), lr=0.5)
    x = np.array([[1.0, 2.0, 3.0]])
    w0, b0 = layer.weight.copy(), layer.bias.copy()
    opt.zero_grad()
    layer.forward(x)
    layer.backward(np.array([[1.0, -1.0]]))
    opt.step()
    assert_arrays_close(layer.weight, w0 - 0.5 * x.T @ np.array([[1.0, -1.0]]), **EXACT, what="layer.weight after step")
    assert_arrays_close(layer.bias, b0 - 0.5 * np.array([1.0, -1.0]), **EXACT, what="layer.bias after step")


@contract("4.5")
@pytest.mark.parametrize(
    ("n_params", "lr"), [(1, 0.1), (2, 0.0), (2, -0.1)], ids=["lengths-differ", "zero-lr", "negative-lr"]
)
def test_sgd_rejects_mismatched_lists_and_non_positive_rates(n_params: int, lr: float) -> None:
    """params and grads of different lengths, or lr ≤ 0, raise ValueError."""
    with pytest.raises(ValueError):
        VecSGD([np.zeros(2)] * n_params, [np.zeros(2)] * 2, lr=lr)


# ------------------------------------------------------------------ the classwork MLP


@contract("4.5")
def test_classwork_mlp_is_linear_sigmoid_linear_sigmoid() -> None:
    """MLP(5, 4, 3) has linear1 (5→4), act1 a Sigmoid, linear2 (4→3), act2 a Sigmoid; parameters() lists 4 arrays."""
    model = VecMLP(5, 4, 3, rng=0)
    assert model.linear1.weight.shape == (5, 4), f"linear1.weight: expected (5, 4), got {model.linear1.weight.shape}"
    assert model.linear2.weight.shape == (4, 3), f"linear2.weight: expected (4, 3), got {model.linear2.weight.shape}"
    assert isinstance(model.act1, Sigmoid), "act1, act2: expected Sigmoid"
    assert isinstance(model.act2, Sigmoid), "act1, act2: expected Sigmoid"
    params = model.parameters()
    assert len(params) == 4, "parameters(): expected linear1's then linear2's"
    assert params[0] is model.linear1.weight, "parameters(): expected linear1's then linear2's"
    assert model.gradients()[3] is model.linear2.grad_bias, "gradients(): expected the layers' gradient arrays"


def mlp_output(x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    return sigmoid(sigmoid(x @ w1 + b1) @ w2 + b2)


@contract("4.5")
@given(st.data(), batches, sizes, sizes, sizes, seeds)
@settings(max_examples=60)  # finite differences over every parameter of the network
def test_classwork_mlp_backward_from_mse_matches_central_differences(
    data: st.DataObject, n: int, i: int, h: int, o: int, seed: int
) -> None:
    """MLP.forward is σ(σ(x·W1 + b1)·W2 + b2), and backward(MSELoss.backward()) fills exact gradients everywhere."""
    model = VecMLP(i, h, o, rng=seed)
    x, target = data.draw(matrices(n, i)), data.draw(matrices(n, o, 0.0, 1.0))
    params = [p.copy() for p in model.parameters()]
    loss = MSELoss()
    out = model(x)
    assert_arrays_close(out, mlp_output(x, *params), rtol=1e-12, atol=1e-15, what="MLP(x)")
    value = loss(out, target)
    model.backward(loss.backward())
    names = ("linear1.grad_weight", "linear1.grad_bias", "linear2.grad_weight", "linear2.grad_bias")
    for k, (name, got) in enumerate(zip(names, model.gradients(), strict=True)):

        def f(p: np.ndarray, k: int = k) -> float:
            args = list(params)
            args[k] = p
            return float(np.mean((mlp_output(x, *args) - target) ** 2))

        assert_gradient(got, numeric_gradient(f, params[k]), value, name)


@contract("4.1", "4.5")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_stays_float32_through_the_classwork(dtype: type) -> None:
    """With dtype=float32, parameters, outputs, loss gradients and parameter gradients stay float32 (float64 too)."""
    model = VecMLP(6, 5, 3, rng=0, dtype=dtype)
    x = np.linspace(-1, 1, 12, dtype=dtype).reshape(2, 6)
    loss = MSELoss()
    out = model(x)
    loss(out, np.zeros((2, 3), dtype=dtype))
    grad = loss.backward()
    model.backward(grad)
    ce = CrossEntropyLoss()
    ce(out, np.array([0, 2]))
    arrays = {"output": out, "MSELoss.backward()": grad, "CrossEntropyLoss.backward()": ce.backward()}
    arrays.update({f"parameters()[{k}]": p for k, p in enumerate(model.parameters())})
    arrays.update({f"gradients()[{k}]": g for k, g in enumerate(model.gradients())})
    arrays["ReLU(x)"] = ReLU()(x)
    arrays["Tanh(x)"] = Tanh()(x)
    for name, array in arrays.items():
        assert array.dtype == dtype, f"{name}: expected {np.dtype(dtype)}, got {array.dtype}"


@contract("4.5")
def test_classwork_mlp_learns_the_digit_sample() -> None:
    """The classic recipe (sigmoid MLP, MSE on one-hot targets, mini-batch SGD) reaches ≥ 75% on the sample's test part.

    The 5,000 real digits of load_mnist('sample'): 4,000 to train, 1,000 to test, pixels
    scaled to [−1, 1], hidden layer of 32, lr 5.0 (the exact MSE gradient is 10 times
    smaller than one divided by the batch alone), batches of 50, 4 epochs. The reference reaches about 84%;
    a network that does not learn stays near 10%.
    """
    X, y = load_mnist("sample")
    X = (X.astype(np.float32) / 255.0 - 0.5) * 2.0
    order = np.random.default_rng(0).permutation(len(X))
    train, test = order[:4000], order[4000:]
    model = VecMLP(784, 32, 10, rng=0, dtype=np.float32)
    loss = MSELoss()
    opt = VecSGD(model.parameters(), model.gradients(), lr=5.0)
    targets = onehot(y, 10).astype(np.float32)
    rng = np.random.default_rng(1)
    for _ in range(4):
        idx = rng.permutation(train)
        for start in range(0, len(idx), 50):
            batch = idx[start : start + 50]
            opt.zero_grad()
            loss(model(X[batch]), targets[batch])
            model.backward(loss.backward())
            opt.step()
    accuracy = float(np.mean(np.argmax(model(X[test]), axis=1) == y[test]))
    assert accuracy >= 0.75, f"test accuracy of the classwork MLP on the sample: expected ≥ 0.75, got {accuracy:.3f}"


@contract("4.4")
def test_cross_entropy_backward_of_zero_logits_is_uniform_minus_onehot() -> None:
    """For zero logits (a uniform softmax), CrossEntropyLoss.backward() is exactly (1/C − onehot(label)) / N."""
    loss = CrossEntropyLoss()
    loss(np.zeros((2, 4)), np.array([1, 3]))
    expected = (softmax_rows(np.zeros((2, 4))) - onehot(np.array([1, 3]), 4)) / 2
    assert_arrays_close(loss.backward(), expected, **EXACT, what="CrossEntropyLoss.backward() for zero logits")


@contract("4.4")
def test_cross_entropy_is_stable_row_by_row() -> None:
    """Each row is stabilised on its own: logits (1000, −1000) beside (−1000, −1000) give losses 0 and log 2."""
    loss = CrossEntropyLoss()
    logits = np.array([[1000.0, -1000.0], [-1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss.forward(logits, np.array([0, 0]))
        grad = loss.backward()
    assert_arrays_close(value, np.log(2.0) / 2, rtol=1e-12, atol=0, what="mean of losses 0 and log 2")
    expected = np.array([[0.0, 0.0], [-0.25, 0.25]])
    assert_arrays_close(grad, expected, rtol=1e-12, atol=1e-300, what="gradient of rows at +1000 and −1000")


@contract("4.5")
def test_sgd_default_learning_rate_is_a_tenth() -> None:
    """SGD(params, grads) without lr steps with the contract's lr = 0.1: p ← p − 0.1·g."""
    params, grads = [np.ones((2, 3))], [np.full((2, 3), 2.0)]
    VecSGD(params, grads).step()
    assert_arrays_close(params[0], np.full((2, 3), 0.8), rtol=1e-12, atol=0, what="p after SGD(params, grads).step()")


@contract("4.5", "1.3")
@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1))
def test_the_same_rng_gives_the_same_mlp(seed: int) -> None:
    """MLP(…, rng=seed) twice gives identical weights and biases: the seed fixes every parameter."""
    a, b = VecMLP(4, 5, 3, rng=seed), VecMLP(4, 5, 3, rng=seed)
    for i, (p, q) in enumerate(zip(a.parameters(), b.parameters(), strict=True)):
        assert np.array_equal(p, q), f"parameter {i} of two MLP(4, 5, 3, rng={seed}) differ"


@contract("4.5", "1.3")
@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1))
def test_the_mlps_two_layers_draw_from_one_generator(seed: int) -> None:
    """MLP(n, n, n, rng=seed): linear2 is drawn after linear1 from the same generator, so their weights differ.

    Seeding each layer with the same seed would give two equal weight matrices.
    """
    model = VecMLP(4, 4, 4, rng=seed)
    assert not np.array_equal(model.linear1.weight, model.linear2.weight), (
        f"MLP(4, 4, 4, rng={seed}): linear1 and linear2 have equal weights; draw both from one generator"
    )


@contract("4.5")
def test_setting_the_sgd_lr_changes_the_next_step() -> None:
    """A schedule sets sgd.lr between steps: after sgd.lr = 0.05 the next step is p ← p − 0.05·g."""
    params, grads = [np.ones((2, 3))], [np.full((2, 3), 2.0)]
    sgd = VecSGD(params, grads, lr=0.1)
    sgd.lr = 0.05
    sgd.step()
    assert_arrays_close(params[0], np.full((2, 3), 0.9), rtol=1e-12, atol=0, what="p after sgd.lr = 0.05 and a step")
