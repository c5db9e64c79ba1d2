"""Kata 06 · Softmax and losses: stable softmax and log-softmax, argmax, accuracy, MSE, BCE and cross-entropy."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from .api import (
    Layer,
    Value,
    accuracy,
    argmax,
    bce_loss,
    cross_entropy,
    log_softmax,
    mse_loss,
    predict,
    softmax,
    softmax_cross_entropy_loss,
)
from .contract import contract
from .networks import (
    at_most,
    first_argmax,
    log_sum_exp,
    logits,
    logits_and_target,
    set_parameters,
    softmax_cross_entropy,
)
from .networks import softmax as float_softmax
from .oracle import assert_close, assert_gradients_match, partials
from .strategies import reals

pytestmark = pytest.mark.kata06

#: softmax and the log-sum-exp are sums of at most 6 terms of exponentials, each
#: correctly rounded to about 1e-16 relative; 1e-12 relative (with an absolute
#: floor of 1e-15 for probabilities near 0) is far above that, far below a bug.
RTOL = 1e-12
ATOL = 1e-15

probabilities = reals(0.01, 0.99)


def grads(f: object, xs: list[float]) -> tuple[float, list[float]]:
    """f over fresh Values of xs, then backward(): (value, gradient of each x)."""
    leaves = [Value(x) for x in xs]
    out = f(leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def weighted(values: list[object], c: list[float]) -> object:
    """Σ cᵢ·valuesᵢ as one Value, to reduce a list of outputs to one number for backward()."""
    total = values[0] * c[0]
    for v, ci in zip(values[1:], c[1:], strict=True):
        total = total + v * ci
    return total


# ---------------------------------------------------------------------- softmax


@contract("3.7")
@at_most(100)
@given(logits(bound=50.0))
def test_softmax_is_a_probability_distribution(z: list[float]) -> None:
    """softmax(z) is a list of Values in [0, 1] that sum to 1."""
    p = [v.data for v in softmax(z)]
    assert len(p) == len(z), f"expected {len(z)} probabilities, got {len(p)}"
    assert all(0.0 <= pi <= 1.0 for pi in p), f"probabilities outside [0, 1]: {p}"
    assert_close(math.fsum(p), 1.0, rel=1e-12, what="Σ softmax(z)")


@contract("3.7")
@at_most(100)
@given(logits(bound=50.0))
def test_softmax_matches_its_formula(z: list[float]) -> None:
    """softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ), for Value and plain-number logits alike."""
    expected = float_softmax(z)
    for inputs in (z, [Value(v) for v in z]):
        for i, (g, e) in enumerate(zip(softmax(inputs), expected, strict=True)):
            assert_close(g.data, e, rel=RTOL, abs=ATOL, what=f"softmax(z)[{i}]")


@contract("3.7")
@at_most(100)
@given(logits(bound=20.0), reals(-1000.0, 1000.0))
def test_softmax_ignores_a_common_shift(z: list[float], c: float) -> None:
    """softmax(z + c) = softmax(z): only differences between logits matter."""
    # zᵢ + c rounds by up to 1.1e-16·|c| ≈ 1.1e-13 absolute; through e^x that is a
    # relative change of ~1e-13 in each term: 1e-10 relative is a safe bound.
    shifted = softmax([v + c for v in z])
    for i, (a, b) in enumerate(zip(shifted, softmax(z), strict=True)):
        assert_close(a.data, b.data, rel=1e-10, abs=1e-13, what=f"softmax(z + {c!r})[{i}] vs softmax(z)[{i}]")


@contract("3.7")
@at_most(100)
@given(st.lists(reals(-10_000.0, 10_000.0), min_size=1, max_size=6))
def test_softmax_is_finite_and_exact_for_huge_logits(z: list[float]) -> None:
    """For logits up to ±10,000 softmax neither overflows nor returns NaN, and still matches the formula."""
    for i, (g, e) in enumerate(zip(softmax(z), float_softmax(z), strict=True)):
        assert math.isfinite(g.data), f"softmax(z)[{i}] = {g.data!r} at z = {z}"
        assert_close(g.data, e, rel=RTOL, abs=ATOL, what=f"softmax(z)[{i}]")


@contract("3.7")
def test_softmax_of_equal_huge_logits_is_uniform() -> None:
    """softmax([1000, 1000]) = [1/2, 1/2] (e^1000 overflows without the max shift)."""
    assert [p.data for p in softmax([1000.0, 1000.0])] == [0.5, 0.5]
    assert [p.data for p in softmax([-1000.0, -1000.0, -1000.0, -1000.0])] == [0.25] * 4


@contract("3.7")
@at_most(60)
@given(logits(min_size=2, bound=10.0), st.data())
def test_softmax_gradients_match_central_differences(z: list[float], data: st.DataObject) -> None:
    """For L = Σ cᵢ·softmax(z)ᵢ, backward() gives ∂L/∂zⱼ = pⱼ(cⱼ − Σ cᵢpᵢ), checked numerically."""
    c = data.draw(st.lists(reals(-2.0, 2.0), min_size=len(z), max_size=len(z)))
    _, analytic = grads(lambda v: weighted(softmax(v), c), z)
    numeric = partials(lambda *xs: math.fsum(ci * p for ci, p in zip(c, float_softmax(xs), strict=True)), z)
    assert_gradients_match(analytic, numeric, [f"z{i}" for i in range(len(z))], what="Σ c·softmax(z)")


@contract("3.7")
@at_most(100)
@given(logits(bound=50.0))
def test_log_softmax_is_the_log_of_softmax(z: list[float]) -> None:
    """log_softmax(z)ᵢ = zᵢ − log Σⱼ e^(zⱼ)."""
    lse = log_sum_exp(z)
    for i, got in enumerate(log_softmax(z)):
        # zᵢ − lse loses up to 1.1e-16·(|zᵢ| + |lse|) to rounding
        assert_close(got.data, z[i] - lse, rel=RTOL, abs=1e-13 * (1 + abs(lse)), what=f"log_softmax(z)[{i}]")


@contract("3.7")
@at_most(100)
@given(st.lists(reals(-10_000.0, 10_000.0), min_size=2, max_size=6))
def test_log_softmax_is_finite_for_huge_logits(z: list[float]) -> None:
    """log_softmax never takes log(0): for logits up to ±10,000 it is finite and exact (e.g. [0, −800] → [0, −800])."""
    lse = log_sum_exp(z)
    for i, got in enumerate(log_softmax(z)):
        assert_close(got.data, z[i] - lse, rel=RTOL, abs=1e-12 * (1 + abs(lse)), what=f"log_softmax(z)[{i}]")


@contract("3.7")
@at_most(60)
@given(logits(min_size=2, bound=10.0), st.data())
def test_log_softmax_gradients_match_central_differences(z: list[float], data: st.DataObject) -> None:
    """For L = Σ cᵢ·log_softmax(z)ᵢ, backward() gives ∂L/∂zⱼ = cⱼ − pⱼ·Σcᵢ, checked numerically."""
    c = data.draw(st.lists(reals(-2.0, 2.0), min_size=len(z), max_size=len(z)))
    _, analytic = grads(lambda v: weighted(log_softmax(v), c), z)
    numeric = partials(lambda *xs: math.fsum(ci * (x - log_sum_exp(xs)) for ci, x in zip(c, xs, strict=True)), z)
    assert_gradients_match(analytic, numeric, [f"z{i}" for i in range(len(z))], 1 + max(map(abs, z)), "Σ c·log_softmax")


@contract("3.7")
@pytest.mark.parametrize("f", [softmax, log_softmax], ids=["softmax", "log_softmax"])
def test_softmax_of_nothing_is_a_value_error(f: object) -> None:
    """softmax([]) and log_softmax([]) raise ValueError."""
    with pytest.raises(ValueError):
        f([])


# ---------------------------------------------------------------------- argmax, predict, accuracy


@contract("3.7")
@at_most(100)
@given(st.lists(st.integers(-3, 3), min_size=1, max_size=8), st.booleans())
def test_argmax_is_the_first_index_of_the_largest(xs: list[int], as_values: bool) -> None:
    """argmax(values) is the index of the largest value, the FIRST one on ties; it takes Values or numbers."""
    values = [Value(float(x)) for x in xs] if as_values else [float(x) for x in xs]
    got = argmax(values)
    assert got == first_argmax(xs), f"argmax({xs}): expected {first_argmax(xs)}, got {got!r}"


@contract("3.7")
def test_argmax_of_nothing_is_a_value_error() -> None:
    """argmax([]) raises ValueError: there is no index to return."""
    with pytest.raises(ValueError):
        argmax([])


def linear_model(n_in: int, n_out: int, values: list[float]) -> object:
    """A linear Layer with the given parameters: a small model whose scores are known."""
    layer = Layer(n_in, n_out, activation="linear", rng=random.Random(0))
    set_parameters(layer, values)
    return layer


@contract("3.7")
@at_most(50)
@given(st.integers(1, 3), st.integers(2, 4), st.data())
def test_predict_is_the_argmax_of_the_model_output(n_in: int, n_out: int, data: st.DataObject) -> None:
    """predict(model, x) = argmax(model(x)), an int."""
    values = data.draw(st.lists(reals(-2.0, 2.0), min_size=n_out * (n_in + 1), max_size=n_out * (n_in + 1)))
    model = linear_model(n_in, n_out, values)
    x = data.draw(st.lists(reals(-2.0, 2.0), min_size=n_in, max_size=n_in))
    got = predict(model, x)
    expected = first_argmax([v.data for v in model(x)])
    assert got == expected, f"predict: expected {expected}, got {got!r}"
    assert isinstance(got, int), f"predict must return an int, got {type(got).__name__}"


@contract("3.7")
@at_most(50)
@given(st.integers(1, 8), st.data())
def test_accuracy_is_the_fraction_of_correct_predictions(n: int, data: st.DataObject) -> None:
    """accuracy(model, X, y) = (number of i with predict(model, Xᵢ) = yᵢ) / n: a fraction in [0, 1], not a percent."""
    values = data.draw(st.lists(reals(-2.0, 2.0), min_size=9, max_size=9))
    model = linear_model(2, 3, values)
    X = data.draw(st.lists(st.lists(reals(-2.0, 2.0), min_size=2, max_size=2), min_size=n, max_size=n))
    y = data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    correct = sum(first_argmax([v.data for v in model(x)]) == label for x, label in zip(X, y, strict=True))
    got = accuracy(model, X, y)
    assert 0.0 <= got <= 1.0, f"accuracy must be a fraction in [0, 1], got {got!r}"
    assert_close(got, correct / n, rel=1e-15, what="accuracy")


@contract("3.7")
@pytest.mark.parametrize(("X", "y"), [([[1.0, 0.0]], [0, 1]), ([], []), ([[1.0, 0.0], [0.0, 1.0]], [1])])
def test_accuracy_needs_matching_non_empty_data(X: list, y: list) -> None:
    """accuracy with X and y of different lengths, or of none, raises ValueError."""
    with pytest.raises(ValueError):
        accuracy(linear_model(2, 2, [1.0] * 6), X, y)


# ---------------------------------------------------------------------- mse


@st.composite
def pairs(draw: st.DrawFn, values: st.SearchStrategy[float], targets: st.SearchStrategy) -> tuple[list, list]:
    """Predictions and targets of one length (1 to 6)."""
    n = draw(st.integers(1, 6))
    return draw(st.lists(values, min_size=n, max_size=n)), draw(st.lists(targets, min_size=n, max_size=n))


@contract("3.6")
@at_most(100)
@given(pairs(reals(-10.0, 10.0), reals(-10.0, 10.0)))
def test_mse_is_the_mean_of_squared_errors(case: tuple[list, list]) -> None:
    """mse_loss(p, t) = (1/n) Σ (pᵢ − tᵢ)², one Value."""
    p, t = case
    got = mse_loss([Value(v) for v in p], t)
    assert isinstance(got, Value), f"mse_loss must return a Value, got {type(got).__name__}"
    expected = math.fsum((a - b) ** 2 for a, b in zip(p, t, strict=True)) / len(p)
    assert_close(got.data, expected, rel=1e-12, abs=1e-300, what="mse_loss")


@contract("3.6")
@at_most(60)
@given(pairs(reals(-10.0, 10.0), reals(-10.0, 10.0)))
def test_mse_gradients(case: tuple[list, list]) -> None:
    """∂mse/∂pᵢ = 2(pᵢ − tᵢ)/n, checked against central differences."""
    p, t = case
    value, analytic = grads(lambda v: mse_loss(v, t), p)
    numeric = partials(lambda *xs: math.fsum((a - b) ** 2 for a, b in zip(xs, t, strict=True)) / len(xs), p)
    assert_gradients_match(analytic, numeric, [f"p{i}" for i in range(len(p))], 1 + value, what="mse")


@contract("3.6")
def test_mse_of_a_perfect_prediction_is_zero() -> None:
    """mse_loss(t, t) = 0 and a single miss by 2 out of 4 samples costs 4/4 = 1."""
    assert mse_loss([Value(1.0), Value(-2.0)], [1.0, -2.0]).data == 0.0
    assert mse_loss([Value(v) for v in (0.0, 0.0, 0.0, 2.0)], [0.0, 0.0, 0.0, 0.0]).data == 1.0


# ---------------------------------------------------------------------- bce


def float_bce(p: list[float], t: list[int]) -> float:
    """Mean binary cross-entropy on floats."""
    return -math.fsum(ti * math.log(pi) + (1 - ti) * math.log(1 - pi) for pi, ti in zip(p, t, strict=True)) / len(p)


@contract("3.6")
@at_most(100)
@given(pairs(probabilities, st.integers(0, 1)))
def test_bce_matches_its_formula(case: tuple[list, list]) -> None:
    """bce_loss(p, t) = −(1/n) Σ [tᵢ·log pᵢ + (1 − tᵢ)·log(1 − pᵢ)]."""
    p, t = case
    assert_close(bce_loss([Value(v) for v in p], t).data, float_bce(p, t), rel=1e-12, what="bce_loss")


@contract("3.6")
@at_most(60)
@given(pairs(probabilities, st.integers(0, 1)))
def test_bce_gradients(case: tuple[list, list]) -> None:
    """∂bce/∂pᵢ = (pᵢ − tᵢ) / (n·pᵢ(1 − pᵢ)), checked against central differences."""
    p, t = case
    value, analytic = grads(lambda v: bce_loss(v, t), p)
    numeric = partials(lambda *xs: float_bce(list(xs), t), p)
    assert_gradients_match(analytic, numeric, [f"p{i}" for i in range(len(p))], 100 * (1 + value), what="bce")


@contract("3.6")
@pytest.mark.parametrize("target", [2, -1, 0.5])
def test_bce_targets_must_be_zero_or_one(target: float) -> None:
    """A bce target other than 0 or 1 raises ValueError."""
    with pytest.raises(ValueError):
        bce_loss([Value(0.5), Value(0.5)], [1, target])


# ---------------------------------------------------------------------- cross-entropy


@contract("3.6")
@at_most(100)
@given(st.lists(probabilities, min_size=1, max_size=6), st.data())
def test_cross_entropy_is_minus_log_p_of_the_target(p: list[float], data: st.DataObject) -> None:
    """cross_entropy(p, t) = −log p[t]; its gradient is −1/p[t] for p[t] and 0 for every other entry."""
    t = data.draw(st.integers(0, len(p) - 1))
    value, analytic = grads(lambda v: cross_entropy(v, t), p)
    assert_close(value, -math.log(p[t]), rel=1e-12, abs=1e-15, what="cross_entropy")
    expected = [(-1.0 / p[t] if i == t else 0.0) for i in range(len(p))]
    for i, (g, e) in enumerate(zip(analytic, expected, strict=True)):
        assert_close(g, e, rel=1e-12, what=f"∂cross_entropy/∂p{i}")


@contract("3.6", "3.7")
@at_most(100)
@given(logits_and_target(bound=30.0))
def test_cross_entropy_of_softmax_is_softmax_cross_entropy(case: tuple[list[float], int]) -> None:
    """cross_entropy(softmax(z), t) = softmax_cross_entropy_loss(z, t), where the former is finite."""
    z, t = case
    assume(float_softmax(z)[t] > 1e-300)  # else −log p is infinite and only the fused form survives
    fused = softmax_cross_entropy_loss(z, t).data
    # log of a probability that carries ~1e-16 relative error: ~1e-16 absolute in the loss
    assert_close(cross_entropy(softmax(z), t).data, fused, rel=1e-11, abs=1e-13, what="cross_entropy(softmax(z))")


@contract("3.6")
@at_most(100)
@given(logits_and_target(bound=30.0))
def test_softmax_cross_entropy_is_the_log_sum_exp_minus_the_target_logit(case: tuple[list[float], int]) -> None:
    """softmax_cross_entropy_loss(z, t) = log Σⱼ e^(zⱼ) − z_t ≥ 0."""
    z, t = case
    got = softmax_cross_entropy_loss([Value(v) for v in z], t)
    assert isinstance(got, Value), f"the loss must be a Value, got {type(got).__name__}"
    expected = softmax_cross_entropy(z, t)
    assert_close(got.data, expected, rel=1e-12, abs=1e-13 * (1 + max(map(abs, z))), what="softmax_cross_entropy")
    assert got.data >= 0.0, f"the loss can never be negative, got {got.data!r}"


@contract("3.6")
@at_most(60)
@given(logits_and_target(bound=30.0))
def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot(case: tuple[list[float], int]) -> None:
    """∂loss/∂zᵢ = softmax(z)ᵢ − [i = t], and it agrees with central differences."""
    z, t = case
    _, analytic = grads(lambda v: softmax_cross_entropy_loss(v, t), z)
    p = float_softmax(z)
    for i, g in enumerate(analytic):
        assert_close(g, p[i] - (i == t), rel=1e-9, abs=1e-13, what=f"∂loss/∂z{i}")
    numeric = partials(lambda *xs: softmax_cross_entropy(xs, t), z)
    assert_gradients_match(analytic, numeric, [f"z{i}" for i in range(len(z))], 1 + max(map(abs, z)), "loss")


@contract("3.6")
@at_most(100)
@given(logits_and_target(bound=10_000.0))
def test_softmax_cross_entropy_is_exact_for_logits_up_to_ten_thousand(case: tuple[list[float], int]) -> None:
    """For logits up to ±10,000 the loss and its gradient are finite and exact: no overflow, no NaN, no log(0)."""
    z, t = case
    value, analytic = grads(lambda v: softmax_cross_entropy_loss(v, t), z)
    expected = softmax_cross_entropy(z, t)
    assert_close(value, expected, rel=1e-12, abs=1e-12 * (1 + max(map(abs, z))), what=f"loss at z = {z}")
    p = float_softmax(z)
    for i, g in enumerate(analytic):
        assert_close(g, p[i] - (i == t), rel=1e-9, abs=1e-13, what=f"∂loss/∂z{i} at z = {z}")


@contract("3.6")
def test_softmax_cross_entropy_at_plus_minus_ten_thousand() -> None:
    """Worked cases: [10000, −10000] with target 1 costs exactly 20,000; with target 0 it costs 0."""
    assert softmax_cross_entropy_loss([Value(10_000.0), Value(-10_000.0)], 1).data == 20_000.0
    assert softmax_cross_entropy_loss([Value(10_000.0), Value(-10_000.0)], 0).data == 0.0


@contract("3.6")
@at_most(100)
@given(logits_and_target(bound=10.0), reals(0.1, 5.0))
def test_raising_the_target_logit_lowers_the_loss(case: tuple[list[float], int], delta: float) -> None:
    """A more confident correct prediction costs less: raising z_t by δ > 0 strictly lowers a non-zero loss."""
    z, t = case
    before = softmax_cross_entropy_loss(z, t).data
    assume(before > 1e-12)
    raised = list(z)
    raised[t] += delta
    after = softmax_cross_entropy_loss(raised, t).data
    assert after < before, f"raising z[{t}] by {delta!r}: loss went from {before!r} to {after!r}"


@contract("3.6")
@pytest.mark.parametrize("target", [-1, 3, 10])
def test_a_target_out_of_range_is_a_value_error(target: int) -> None:
    """cross_entropy and softmax_cross_entropy_loss with a target outside range(n) raise ValueError (also −1)."""
    z = [Value(0.1), Value(0.2), Value(0.7)]
    with pytest.raises(ValueError):
        softmax_cross_entropy_loss(z, target)
    with pytest.raises(ValueError):
        cross_entropy(z, target)


@contract("3.6")
@pytest.mark.parametrize(
    "call",
    [
        lambda: mse_loss([], []),
        lambda: mse_loss([Value(1.0)], [1.0, 2.0]),
        lambda: bce_loss([], []),
        lambda: bce_loss([Value(0.5), Value(0.5)], [1]),
        lambda: cross_entropy([], 0),
        lambda: softmax_cross_entropy_loss([], 0),
    ],
    ids=["mse-empty", "mse-mismatch", "bce-empty", "bce-mismatch", "ce-empty", "sce-empty"],
)
def test_empty_or_mismatched_inputs_are_value_errors(call: object) -> None:
    """Every loss raises ValueError for empty inputs or predictions and targets of different lengths."""
    with pytest.raises(ValueError):
        call()


@contract("3.6")
@pytest.mark.parametrize(("p", "t"), [(0.0, 0), (1.0, 1)])
def test_bce_of_a_confident_right_answer_is_zero(p: float, t: int) -> None:
    """bce_loss is defined at the edges: p = 0 for a 0, or p = 1 for a 1, costs exactly 0 (only tᵢ's term counts)."""
    loss = bce_loss([Value(p), Value(0.5)], [t, 1]).data
    assert_close(loss, -math.log(0.5) / 2, rel=1e-12, what=f"bce_loss([{p}, 0.5], [{t}, 1])")


@contract("3.6", "1.2")
@pytest.mark.parametrize("p", [1.5, -0.25, 1.0 + 1e-9], ids=["above-one", "negative", "just-above-one"])
def test_bce_probabilities_must_lie_in_zero_one(p: float) -> None:
    """A bce probability outside [0, 1] raises ValueError (for a target of 1 its log would even be defined)."""
    with pytest.raises(ValueError):
        bce_loss([Value(0.5), Value(p)], [0, 1])
