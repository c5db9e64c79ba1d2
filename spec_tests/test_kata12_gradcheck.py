"""Kata 12 · Gradient checking: central differences, and a check that catches a wrong backward rule."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from .api import MLP, GradientCheckError, Value, check_gradients, mse_loss, numerical_grad
from .contract import contract
from .oracle import assert_close, dual_gradient
from .strategies import away_from_zero, describe, evaluate, expressions, magnitude, reals

pytestmark = pytest.mark.kata12

X = reals(-3.0, 3.0)


# -------------------------------------------------------------- numerical_grad


@contract("3.12")
@given(X, st.sampled_from([1e-2, 1e-3, 1e-4]))
def test_numerical_grad_of_a_square_is_exact(x: float, eps: float) -> None:
    """For f = x², the central difference (f(x+eps) − f(x−eps))/(2·eps) is exactly 2x: no eps error at all.

    A one-sided difference would be off by eps. Rounding: f ≤ 10 is known to
    ~1e-15, divided by 2·eps ≥ 2e-4, plus the step x ± eps itself rounding: well under 1e-9.
    """
    p = Value(x)
    assert_close(
        numerical_grad(lambda: p * p, p, eps), 2 * x, rel=1e-9, abs=1e-9, what=f"numerical d(x²)/dx at {x}, eps={eps}"
    )


@contract("3.12")
@given(X, st.sampled_from([1e-2, 1e-3]))
def test_numerical_grad_of_a_cube_has_the_central_difference_error(x: float, eps: float) -> None:
    """For f = x³ the central difference is exactly 3x² + eps² (its error is eps²·f‴/6): this pins the formula."""
    p = Value(x)
    expected = 3 * x * x + eps * eps
    # rounding: |f| ≤ 27 known to ~6e-15, divided by 2·eps ≥ 2e-3: ≤ 3e-12; eps² ≥ 1e-6 stays visible
    assert_close(
        numerical_grad(lambda: p * p * p, p, eps), expected, rel=1e-9, abs=1e-9, what=f"numerical d(x³)/dx at {x}"
    )


@contract("3.12")
@given(reals(-2.0, 2.0), reals(-2.0, 2.0))
def test_numerical_grad_matches_known_derivatives(x: float, y: float) -> None:
    """With the default eps = 1e-6, numerical_grad agrees with exact derivatives to ~1e-8.

    f = tanh(x·y) + exp(x)/(y² + 1): ∂f/∂x = y·(1 − tanh²(xy)) + exp(x)/(y² + 1).
    Error: eps²·|f‴|/6 ≈ 1e-12 plus rounding 1e-16·|f|/1e-6 ≈ 1e-9 for |f| ≤ 10.
    """
    a, b = Value(x), Value(y)

    def f() -> Value:
        return (a * b).tanh() + a.exp() / (b * b + 1)

    t = math.tanh(x * y)
    exact_x = y * (1 - t * t) + math.exp(x) / (y * y + 1)
    exact_y = x * (1 - t * t) - math.exp(x) * 2 * y / (y * y + 1) ** 2
    assert_close(numerical_grad(f, a), exact_x, rel=1e-7, abs=1e-7, what=f"numerical ∂f/∂x at ({x}, {y})")
    assert_close(numerical_grad(f, b), exact_y, rel=1e-7, abs=1e-7, what=f"numerical ∂f/∂y at ({x}, {y})")


@contract("3.12")
@given(reals(-1e6, 1e6), st.sampled_from([1e-6, 1e-3, 0.1, 0.7]))
def test_numerical_grad_restores_the_parameter_exactly(x: float, eps: float) -> None:
    """After numerical_grad, param.data is bit for bit what it was (not x + eps − eps, which can round)."""
    p = Value(x)
    numerical_grad(lambda: p * 2.0, p, eps)
    assert p.data == x, f"param.data {x!r} became {p.data!r}"
    assert math.copysign(1.0, p.data) == math.copysign(1.0, x), f"param.data {x!r} became {p.data!r}"


@contract("3.12")
@given(X, X)
def test_numerical_grad_of_a_parameter_f_does_not_use_is_zero(x: float, y: float) -> None:
    """∂f/∂q = 0 when f does not depend on q, and q is left as it was."""
    p, q = Value(x), Value(y)
    assert numerical_grad(lambda: p * p + 1.0, q) == 0.0, "f does not use q: expected 0.0"
    assert q.data == y, f"q.data {y!r} became {q.data!r}"


@contract("3.12")
@given(X)
def test_numerical_grad_leaves_the_gradients_alone(x: float) -> None:
    """numerical_grad only evaluates f: it calls no backward(), so every grad stays as it was."""
    p = Value(x)
    p.grad = 42.0
    numerical_grad(lambda: (p * p).tanh(), p)
    assert p.grad == 42.0, f"param.grad 42.0 became {p.grad!r}"


# ------------------------------------------------------------- check_gradients


# Smooth operations only (no relu: a kink within eps of a point fools any finite
# difference), over shared Values, with every intermediate below 100: the central
# difference is then within ~1e-8 of the truth, far inside the default tol 1e-5.
SMOOTH = expressions(n_vars=3, unary=("neg", "sq", "tanh", "sigmoid"), max_leaves=8)


@contract("3.12")
@given(SMOOTH, st.lists(reals(-2.0, 2.0), min_size=3, max_size=3))
def test_correct_graphs_pass_with_a_small_error(tree: tuple, point: list[float]) -> None:
    """For any correct graph, check_gradients returns the largest |analytic − numerical|: small, and no exception."""
    assume(magnitude(tree, point) < 100)
    leaves = [Value(x) for x in point]
    error = check_gradients(lambda: evaluate(tree, leaves), leaves)
    assert isinstance(error, float), f"check_gradients returns a float, got {type(error).__name__}"
    assert 0.0 <= error <= 1e-5, f"check_gradients of {describe(tree)} returned {error!r}"


@contract("3.12")
@given(SMOOTH, st.lists(reals(-2.0, 2.0), min_size=3, max_size=3))
def test_afterwards_each_grad_is_the_analytic_gradient(tree: tuple, point: list[float]) -> None:
    """check_gradients zeroes the grads and runs backward() once: each param.grad is then the exact gradient."""
    assume(magnitude(tree, point) < 100)
    leaves = [Value(x) for x in point]
    for leaf in leaves:
        leaf.grad = 5.0  # stale gradients from an earlier backward(): check_gradients must zero them
    check_gradients(lambda: evaluate(tree, leaves), leaves)
    _, exact = dual_gradient(lambda leaves: evaluate(tree, leaves), point)
    for i, leaf in enumerate(leaves):
        assert_close(
            leaf.grad, exact[i], rel=1e-9, abs=1e-9, what=f"grad of x{i} after check_gradients of {describe(tree)}"
        )
        assert leaf.data == point[i], f"x{i}.data {point[i]!r} became {leaf.data!r}"


def half_detached_square(p: Value) -> Value:
    """p · (a constant copy of p): the value is p², but backward() sees only one factor.

    The same mistake as a hand-written backward rule that forgets a term: the
    analytic gradient is p, the true derivative 2p, an error of |p|.
    """
    return p * Value(p.data)


@contract("3.12")
@given(away_from_zero(0.1, 3.0), X)
def test_a_wrong_gradient_raises_gradient_check_error_naming_the_parameter(x: float, y: float) -> None:
    """A graph whose backward() misses a term → GradientCheckError (an AssertionError) naming that parameter."""
    a, b = Value(x, label="alpha"), Value(y, label="beta")
    with pytest.raises(AssertionError) as caught:
        check_gradients(lambda: half_detached_square(a) + b * b, [a, b])
    assert isinstance(caught.value, GradientCheckError), (
        f"expected GradientCheckError, got {type(caught.value).__name__}"
    )
    assert "alpha" in str(caught.value), f"the message must name the parameter 'alpha': {caught.value}"


@contract("3.12")
@given(reals(0.1, 1.0), reals(1.5, 3.0))
def test_the_error_names_the_worst_parameter(x: float, y: float) -> None:
    """With two wrong gradients, the one further off (error |y| > |x|) is the one named."""
    a, b = Value(x, label="first"), Value(y, label="second")
    with pytest.raises(AssertionError) as caught:
        check_gradients(lambda: half_detached_square(a) + half_detached_square(b), [a, b])
    assert "second" in str(caught.value), f"the worst parameter is 'second' (error {y:.3g}): {caught.value}"


@contract("3.12")
@given(reals(0.1, 3.0))
def test_the_return_value_is_the_largest_absolute_error(x: float) -> None:
    """Below tol, check_gradients returns the largest |analytic − numerical|: here exactly |x| (grad x vs 2x)."""
    a, b = Value(x), Value(0.5)
    error = check_gradients(lambda: half_detached_square(a) + b * 3.0, [a, b], tol=10.0)
    # numerical 2x is within ~1e-9 of exact here (a square: no truncation error)
    assert_close(error, x, rel=1e-6, abs=1e-8, what=f"largest error with analytic {x} and numerical {2 * x}")


@contract("3.12")
@given(reals(0.1, 3.0))
def test_tol_is_the_threshold(x: float) -> None:
    """An error of |x| passes with tol = 2|x| and raises GradientCheckError with tol = |x|/2."""
    a = Value(x, label="a")
    check_gradients(lambda: half_detached_square(a), [a], tol=2 * x)
    with pytest.raises(GradientCheckError.resolve()):
        check_gradients(lambda: half_detached_square(a), [a], tol=x / 2)


@contract("3.12")
def test_an_mlp_with_mse_loss_passes_the_check() -> None:
    """A tanh MLP's mse_loss passes check_gradients over all its parameters (the way to use it on a model)."""
    model = MLP(2, [3, 2], activation="tanh", output_activation="tanh", rng=random.Random(0))
    x, y = [0.3, -0.7], [0.5, -0.25]
    error = check_gradients(lambda: mse_loss(model(x), y), model.parameters())
    assert 0.0 <= error <= 1e-6, f"check_gradients on an MLP returned {error!r}"


@contract("3.12")
def test_check_gradients_uses_its_eps_and_raises_only_above_tol() -> None:
    """check_gradients differentiates with the eps it is given and raises only *above* tol.

    For x³ at x = 1 with eps = 0.5 the central difference is exactly 3.25 against the true 3: an error of
    exactly 0.25, every step exact in floating point. With tol = 0.25 that error is returned, not raised.
    """
    x = Value(1.0)
    error = check_gradients(lambda: x * x * x, [x], eps=0.5, tol=0.25)
    assert error == 0.25, f"check_gradients(x³ at 1, eps=0.5) should return exactly 0.25 (|3 − 3.25|), got {error!r}"
