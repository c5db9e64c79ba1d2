"""Kata 03 · Activations: relu, tanh, sigmoid, exp, log and leaky_relu, each with its derivative."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .api import Value
from .contract import contract
from .oracle import assert_close, assert_grad_matches, central_difference, reachable, sigmoid
from .strategies import (
    ACTIVATIONS,
    ARITHMETIC,
    assert_exact_gradients,
    away_from_zero,
    expressions,
    reals,
)

pytestmark = pytest.mark.kata03

# tanh, sigmoid, exp and log may be built from exp() in several ways; on the
# ranges below those agree with the library functions to well under 1e-12
# relative, except where a formula like (e^2x − 1)/(e^2x + 1) cancels near 0,
# which loses relative but not absolute accuracy: hence rel 1e-9 with an absolute
# floor of 1e-12.
FN_RTOL = 1e-9
FN_ATOL = 1e-12


def forward_and_grad(method: str, x: float, *args: float) -> tuple[float, float]:
    """data and ∂/∂x of Value(x).method(*args), after backward()."""
    v = Value(x)
    out = getattr(v, method)(*args)
    out.backward()
    return out.data, v.grad


def check_derivative(method: str, f: object, x: float, *args: float) -> None:
    """The activation's gradient against a central difference of the plain-float ``f``."""
    _, grad = forward_and_grad(method, x, *args)
    assert_grad_matches(grad, central_difference(f, x), f(x), what=f"d/dx {method}({x!r})")


# ---------------------------------------------------------------------- relu


@contract("2.5")
@given(reals(-1e6, 1e6))
def test_relu_is_max_of_zero_and_x(x: float) -> None:
    """relu(x) = max(0, x), exactly."""
    assert Value(x).relu().data == (x if x > 0 else 0.0)


@contract("2.5")
@given(away_from_zero(1e-6, 1e6))
def test_relu_derivative_is_a_step(x: float) -> None:
    """relu'(x) is exactly 1 for x > 0 and exactly 0 for x < 0."""
    _, grad = forward_and_grad("relu", x)
    assert grad == (1.0 if x > 0 else 0.0), f"relu'({x!r}) = {grad!r}"


@contract("2.5")
def test_relu_at_exactly_zero() -> None:
    """relu(0) = 0 and its derivative there is 0, by the contract's convention."""
    data, grad = forward_and_grad("relu", 0.0)
    assert data == 0.0
    assert grad == 0.0


@contract("2.5")
@given(reals())
def test_relu_is_idempotent(x: float) -> None:
    """relu(relu(x)) = relu(x)."""
    v = Value(x)
    assert v.relu().relu().data == v.relu().data


# ---------------------------------------------------------------------- tanh


@contract("2.5")
@given(reals(-20.0, 20.0))
def test_tanh_matches_the_hyperbolic_tangent(x: float) -> None:
    """tanh(x) = (e^x − e^−x)/(e^x + e^−x)."""
    assert_close(Value(x).tanh().data, math.tanh(x), rel=FN_RTOL, abs=FN_ATOL, what=f"tanh({x!r})")


@contract("2.5")
@given(reals(-8.0, 8.0))
def test_tanh_derivative(x: float) -> None:
    """tanh'(x) = 1 − tanh(x)²."""
    check_derivative("tanh", math.tanh, x)


@contract("2.5")
@given(reals(-20.0, 20.0))
def test_tanh_is_odd(x: float) -> None:
    """tanh(−x) = −tanh(x)."""
    assert_close(Value(-x).tanh().data, -Value(x).tanh().data, rel=FN_RTOL, abs=FN_ATOL, what="tanh(-x) vs -tanh(x)")


@contract("2.5")
@pytest.mark.parametrize("x", [1000.0, -1000.0, 400.0, -400.0])
def test_tanh_saturates_without_overflow(x: float) -> None:
    """tanh is defined everywhere: at |x| of hundreds it is ±1 with derivative 0, never an OverflowError."""
    data, grad = forward_and_grad("tanh", x)
    assert data == math.copysign(1.0, x)
    assert grad == 0.0


# ------------------------------------------------------------------- sigmoid


@contract("2.5")
@given(reals(-30.0, 30.0))
def test_sigmoid_matches_the_logistic_function(x: float) -> None:
    """sigmoid(x) = 1 / (1 + e^−x), within [0, 1]."""
    s = Value(x).sigmoid().data
    assert 0.0 <= s <= 1.0
    assert_close(s, sigmoid(x), rel=FN_RTOL, abs=FN_ATOL, what=f"sigmoid({x!r})")


@contract("2.5")
@given(reals(-15.0, 15.0))
def test_sigmoid_derivative(x: float) -> None:
    """sigmoid'(x) = sigmoid(x)·(1 − sigmoid(x))."""
    check_derivative("sigmoid", sigmoid, x)


@contract("2.5")
def test_sigmoid_at_zero() -> None:
    """sigmoid(0) = 1/2 exactly, and its derivative there is 1/4."""
    data, grad = forward_and_grad("sigmoid", 0.0)
    assert data == 0.5
    assert grad == 0.25


@contract("2.5")
@pytest.mark.parametrize("x", [1000.0, -1000.0, 750.0, -750.0])
def test_sigmoid_does_not_overflow(x: float) -> None:
    """sigmoid(±1000) is 1 or 0, with derivative 0: no OverflowError, no NaN."""
    data, grad = forward_and_grad("sigmoid", x)
    assert data == (1.0 if x > 0 else 0.0)
    assert grad == 0.0


@contract("2.5")
@given(reals(-30.0, 30.0))
def test_sigmoid_symmetry(x: float) -> None:
    """sigmoid(−x) = 1 − sigmoid(x)."""
    # Each side rounds once near 1: absolute error up to about 1.1e-16 each.
    assert_close(Value(-x).sigmoid().data, 1.0 - Value(x).sigmoid().data, rel=0.0, abs=1e-15, what="sigmoid(-x)")


@contract("2.5")
@given(reals(-30.0, 30.0))
def test_sigmoid_is_a_rescaled_tanh(x: float) -> None:
    """sigmoid(x) = (1 + tanh(x/2)) / 2."""
    assert_close(Value(x).sigmoid().data, (1.0 + math.tanh(x / 2)) / 2, rel=0.0, abs=1e-15, what=f"sigmoid({x!r})")


# ----------------------------------------------------------------------- exp


@contract("2.5")
@given(reals(-700.0, 700.0))
def test_exp(x: float) -> None:
    """exp(x) = e^x."""
    assert_close(Value(x).exp().data, math.exp(x), rel=FN_RTOL, what=f"exp({x!r})")


@contract("2.5")
@given(reals(-10.0, 10.0))
def test_exp_derivative_is_itself(x: float) -> None:
    """exp'(x) = exp(x)."""
    check_derivative("exp", math.exp, x)


@contract("2.5")
def test_exp_of_zero() -> None:
    """exp(0) = 1 exactly, derivative 1."""
    assert forward_and_grad("exp", 0.0) == (1.0, 1.0)


@contract("2.5")
@given(reals(710.0, 1e6))
def test_exp_overflow_raises(x: float) -> None:
    """exp(x) for x past about 709.78 does not fit a float: OverflowError, not inf."""
    with pytest.raises(OverflowError):
        Value(x).exp()


@contract("2.5")
def test_exp_of_a_large_negative_is_zero() -> None:
    """exp(−1000) underflows quietly to 0."""
    assert Value(-1000.0).exp().data == 0.0


# ----------------------------------------------------------------------- log


@contract("2.5")
@given(reals(1e-3, 1e6))
def test_log(x: float) -> None:
    """log(x) = ln x for x > 0."""
    assert_close(Value(x).log().data, math.log(x), rel=FN_RTOL, abs=FN_ATOL, what=f"log({x!r})")


@contract("2.5")
@given(reals(0.05, 100.0))
def test_log_derivative(x: float) -> None:
    """log'(x) = 1/x."""
    check_derivative("log", math.log, x)


@contract("2.5")
@given(st.one_of(st.just(0.0), reals(-1e6, -1e-6)))
def test_log_of_non_positive_raises_value_error(x: float) -> None:
    """log(x) for x ≤ 0 is undefined: ValueError."""
    with pytest.raises(ValueError):
        Value(x).log()


@contract("2.5")
@given(reals(-20.0, 20.0))
def test_log_undoes_exp(x: float) -> None:
    """log(exp(x)) = x, and its derivative is 1."""
    v = Value(x)
    out = v.exp().log()
    out.backward()
    assert_close(out.data, x, rel=1e-12, abs=1e-14, what=f"log(exp({x!r}))")
    assert_close(v.grad, 1.0, rel=1e-12, what="d/dx log(exp(x))")


# ---------------------------------------------------------------- leaky_relu


@contract("2.5")
@given(reals(-1e3, 1e3))
def test_leaky_relu_default_slope(x: float) -> None:
    """leaky_relu(x) = x for x > 0 and 0.01·x otherwise."""
    expected = x if x > 0 else 0.01 * x
    assert_close(Value(x).leaky_relu().data, expected, rel=1e-15, abs=0.0, what=f"leaky_relu({x!r})")


@contract("2.5")
@given(reals(-1e3, 1e3), reals(0.0, 1.0))
def test_leaky_relu_with_alpha(x: float, alpha: float) -> None:
    """leaky_relu(x, alpha) = x for x > 0 and alpha·x otherwise."""
    expected = x if x > 0 else alpha * x
    assert_close(Value(x).leaky_relu(alpha).data, expected, rel=1e-15, abs=0.0, what=f"leaky_relu({x!r}, {alpha!r})")


@contract("2.5")
@given(away_from_zero(1e-6, 1e3), reals(0.0, 1.0))
def test_leaky_relu_derivative(x: float, alpha: float) -> None:
    """leaky_relu'(x) is exactly 1 for x > 0 and exactly alpha for x < 0."""
    _, grad = forward_and_grad("leaky_relu", x, alpha)
    assert grad == (1.0 if x > 0 else alpha), f"leaky_relu'({x!r}, alpha={alpha!r}) = {grad!r}"


@contract("2.5")
@pytest.mark.parametrize("alpha", [0.01, 0.2])
def test_leaky_relu_at_exactly_zero(alpha: float) -> None:
    """leaky_relu(0) = 0, and its derivative there is alpha (not 1, not 0)."""
    data, grad = forward_and_grad("leaky_relu", 0.0, alpha)
    assert data == 0.0
    assert grad == alpha


@contract("2.5")
def test_leaky_relu_default_derivative_at_zero() -> None:
    """With the default alpha, the derivative at 0 is 0.01."""
    assert forward_and_grad("leaky_relu", 0.0) == (0.0, 0.01)


@contract("2.5")
@pytest.mark.parametrize("alpha", ["0.1", None, [0.1]])
def test_leaky_relu_rejects_a_non_number_alpha(alpha: object) -> None:
    """leaky_relu(alpha=…) raises TypeError when alpha is not a number."""
    with pytest.raises(TypeError):
        Value(-1.0).leaky_relu(alpha)


# ------------------------------------------------------------------ together


@contract("2.5")
@pytest.mark.parametrize("method", ["relu", "tanh", "sigmoid", "exp", "log", "leaky_relu"])
@given(x=reals(0.1, 5.0))
def test_activations_make_a_new_node_and_leave_the_input_alone(method: str, x: float) -> None:
    """Each activation returns a new Value computed from the input (reachable through _prev); the input is unchanged."""
    v = Value(x)
    out = getattr(v, method)()
    assert isinstance(out, Value)
    assert out is not v
    assert any(n is v for n in reachable(out))
    assert (v.data, v.grad) == (x, 0.0)


@contract("2.5")
def test_the_classic_tanh_neuron() -> None:
    """A tanh neuron with known numbers: o = tanh(x1·w1 + x2·w2 + b) = 0.7071, with its known gradients."""
    x1, x2 = Value(2.0), Value(0.0)
    w1, w2 = Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert_close(o.data, math.sqrt(0.5), rel=1e-12, what="o")
    # do/dn = 1 − o² = 0.5; each input's gradient is 0.5 times its weight, and back.
    for got, want, name in [
        (x1.grad, -1.5, "x1"),
        (w1.grad, 1.0, "w1"),
        (x2.grad, 0.5, "x2"),
        (w2.grad, 0.0, "w2"),
        (b.grad, 0.5, "b"),
    ]:
        assert_close(got, want, rel=1e-12, abs=1e-12, what=f"∂o/∂{name}")


@contract("2.5")
@given(
    expressions(binary=ARITHMETIC, unary=(*ACTIVATIONS, "neg")),
    st.lists(reals(-2.0, 2.0), min_size=3, max_size=3),
)
def test_random_networks_of_activations_match_exact_gradients(tree: tuple, point: list[float]) -> None:
    """Any expression mixing arithmetic and activations over shared Values backpropagates exact gradients."""
    assert_exact_gradients(tree, point, Value)
