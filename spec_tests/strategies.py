"""Hypothesis strategies of the spec: bounded floats, numbers of every kind, random expressions.

Floats are always bounded, finite and never subnormal: the spec checks an engine,
not the corners of IEEE 754.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from .oracle import Dual, assert_close, dual_gradient


def reals(low: float = -10.0, high: float = 10.0) -> st.SearchStrategy[float]:
    """Finite floats in [low, high], no NaN, no subnormals."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def away_from_zero(gap: float = 0.1, high: float = 10.0) -> st.SearchStrategy[float]:
    """Floats with gap ≤ |x| ≤ high, either sign (divisors, points away from a kink)."""
    return st.one_of(reals(gap, high), reals(-high, -gap))


def real_numbers(low: int = -1000, high: int = 1000) -> st.SearchStrategy[Any]:
    """Real numbers of every kind the contract accepts: float, int, NumPy scalars."""
    floats = reals(float(low), float(high))
    return st.one_of(
        floats,
        st.integers(low, high),
        floats.map(np.float64),
        reals(-100.0, 100.0).map(np.float32),
        st.integers(low, high).map(np.int64),
    )


not_real_numbers = st.one_of(
    st.booleans(),
    st.text(max_size=3),
    st.none(),
    st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False),
    st.lists(reals(), max_size=2),
    st.tuples(reals()),
    st.builds(dict),
)

# ------------------------------------------------------------------ expressions
# A tree is a nested tuple: ("x", i) a variable, ("c", v) a plain-number constant,
# (op, child) for a unary op, (op, left, right) for a binary one. Variables come
# from a small pool, so the same Value appears at several leaves (a shared node).

RING = ("+", "-", "*")
ARITHMETIC = (*RING, "/")
UNARY_ARITHMETIC = ("neg", "sq")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")


def expressions(
    n_vars: int = 3,
    binary: tuple[str, ...] = ARITHMETIC,
    unary: tuple[str, ...] = UNARY_ARITHMETIC,
    max_leaves: int = 10,
) -> st.SearchStrategy[tuple]:
    """Random expression trees over ``n_vars`` variables that use at least one variable."""
    leaf = st.one_of(
        st.tuples(st.just("x"), st.integers(0, n_vars - 1)),
        st.tuples(st.just("c"), reals(-3.0, 3.0)),
    )

    def extend(children: st.SearchStrategy[tuple]) -> st.SearchStrategy[tuple]:
        options = [st.tuples(st.sampled_from(binary), children, children)]
        if unary:
            options.append(st.tuples(st.sampled_from(unary), children))
        return st.one_of(options)

    return st.recursive(leaf, extend, max_leaves=max_leaves).filter(_has_variable)


def _has_variable(tree: tuple) -> bool:
    return tree[0] == "x" or any(_has_variable(child) for child in tree[1:] if isinstance(child, tuple))


def evaluate(tree: tuple, leaves: list[Any]) -> Any:
    """The tree's value with ``leaves[i]`` for variable i: Values, Duals or floats alike.

    Binary ops use Python's operators (so constants mix in on either side); "/"
    divides by ``right² + 1``, which is never zero; "sq" is ``** 2``.
    """
    tag = tree[0]
    if tag == "x":
        return leaves[tree[1]]
    if tag == "c":
        return tree[1]
    if len(tree) == 3:
        a, b = evaluate(tree[1], leaves), evaluate(tree[2], leaves)
        if tag == "+":
            return a + b
        if tag == "-":
            return a - b
        if tag == "*":
            return a * b
        return a / (b * b + 1.0)
    a = evaluate(tree[1], leaves)
    if tag == "neg":
        return -a
    if tag == "sq":
        return a**2
    if isinstance(a, float):  # an activation of a constant: a constant
        return getattr(Dual(a), tag)().re
    return getattr(a, tag)()


def describe(tree: tuple) -> str:
    """The tree as a formula, for failure messages: ``tanh((x0 * 2.0))``."""
    tag = tree[0]
    if tag == "x":
        return f"x{tree[1]}"
    if tag == "c":
        return repr(tree[1])
    if len(tree) == 3:
        left, right = describe(tree[1]), describe(tree[2])
        return f"({left} / ({right}**2 + 1))" if tag == "/" else f"({left} {tag} {right})"
    inner = describe(tree[1])
    return {"neg": f"(-{inner})", "sq": f"{inner}**2"}.get(tag, f"{tag}({inner})")


def magnitude(tree: tuple, point: list[float]) -> float:
    """An upper bound on |every intermediate result| of the tree at ``point`` (at least 1)."""
    tag = tree[0]
    if tag == "x":
        return max(1.0, abs(point[tree[1]]))
    if tag == "c":
        return max(1.0, abs(tree[1]))
    sizes = [magnitude(child, point) for child in tree[1:]]
    if tag in ("*", "sq"):
        return sizes[0] * sizes[-1]
    if tag == "/":
        return sizes[0] + sizes[1] ** 2 + 1.0
    return sum(sizes)


def is_tame(value: float, grads: list[float], limit: float = 1e6) -> bool:
    """Finite and moderate: deep products of random trees can overflow, which tests nothing."""
    return all(math.isfinite(v) and abs(v) < limit for v in (value, *grads))


def assert_exact_gradients(tree: tuple, point: list[float], leaf: Callable[[float], Any]) -> None:
    """``backward()`` through the expression ``tree`` at ``point`` gives its exact gradient.

    The exact gradient is forward mode's (``dual_gradient``). Reverse and forward mode add the
    same terms in other orders, and an activation may come from the library or from ``exp()``:
    rounding of order 1e-16 per term, relative to the largest intermediate (``magnitude``). So:
    1e-9 relative, with a floor of 1e-10 × that scale for gradients that cancel to about 0.
    Points where the expression is not tame (near overflow, on a kink) are skipped (``assume``).
    ``leaf`` makes a leaf from a number: the implementation's ``Value``.
    """
    value, exact = dual_gradient(lambda leaves: evaluate(tree, leaves), point)
    scale = magnitude(tree, point)
    assume(is_tame(value, exact) and scale < 1e6)
    leaves = [leaf(x) for x in point]
    evaluate(tree, leaves).backward()
    for i, node in enumerate(leaves):
        assert_close(node.grad, exact[i], rel=1e-9, abs=1e-10 * scale, what=f"∂/∂x{i} of {describe(tree)} at {point}")
