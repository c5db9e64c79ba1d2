"""Kata 01 · Values: a number that does arithmetic and remembers where it came from."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from .api import Value
from .contract import contract
from .oracle import assert_close, reachable
from .strategies import (
    RING,
    away_from_zero,
    describe,
    evaluate,
    expressions,
    magnitude,
    not_real_numbers,
    real_numbers,
    reals,
)

pytestmark = pytest.mark.kata01

# Division may be written as a * b**-1 (micrograd does): two roundings instead of
# one, so up to about 2 ulp apart from a / b. 1e-12 relative is well above that.
DIV_RTOL = 1e-12
# x ** k may be computed as exp(k·ln x); for |k| ≤ 4 and the bases used here the
# two agree to about 1e-14 relative.
POW_RTOL = 1e-12

BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul}


# ---------------------------------------------------------------- construction


@contract("2.1")
@given(reals(-1e6, 1e6))
def test_value_holds_its_number_and_a_zero_gradient(x: float) -> None:
    """Value(x) holds x as .data and starts with .grad == 0.0."""
    v = Value(x)
    assert v.data == x
    assert v.grad == 0.0


@contract("2.1")
@given(real_numbers())
def test_data_is_always_a_python_float(x: object) -> None:
    """Ints and NumPy real scalars are converted with float(): .data is a plain float of the same value."""
    v = Value(x)
    assert type(v.data) is float, f"Value({x!r}).data is {type(v.data).__name__}, expected float"
    assert v.data == float(x)


@contract("2.1")
@given(not_real_numbers)
def test_non_numbers_are_rejected_with_type_error(x: object) -> None:
    """Value(x) raises TypeError for bool, str, None, complex and sequences."""
    with pytest.raises(TypeError):
        Value(x)


@contract("2.1")
def test_numpy_bool_is_rejected() -> None:
    """A NumPy bool is a truth value, not a number: Value(np.bool_(True)) raises TypeError."""
    with pytest.raises(TypeError):
        Value(np.bool_(True))


@contract("2.1")
def test_label_is_stored() -> None:
    """Value(x, label='w1') keeps the label; a plain leaf has no parents and no op."""
    v = Value(1.5, label="w1")
    assert v.label == "w1"
    assert len(v._prev) == 0
    assert v._op == ""


@contract("2.1")
@given(reals(), reals())
def test_values_hash_by_identity(x: float, y: float) -> None:
    """Values are hashable by identity: equal data does not make two Values equal."""
    a, b = Value(x), Value(x)
    c = Value(y)
    assert a == a
    assert a != b
    assert len({a, b, c}) == 3
    assert {a: 1}[a] == 1


@contract("2.1")
def test_repr_shows_data_and_grad() -> None:
    """repr(Value) shows its data and its grad."""
    v = Value(2.5)
    v.grad = -7.25
    text = repr(v)
    assert "2.5" in text, text
    assert "-7.25" in text, text


# ------------------------------------------------------------------ arithmetic


@contract("2.2")
@pytest.mark.parametrize("op", sorted(BINARY))
@given(reals(-1e3, 1e3), reals(-1e3, 1e3))
def test_binary_op_of_two_values_matches_float_arithmetic(op: str, x: float, y: float) -> None:
    """Value(x) op Value(y) holds exactly x op y for +, - and *."""
    out = BINARY[op](Value(x), Value(y))
    assert isinstance(out, Value)
    assert out.data == BINARY[op](x, y)


@contract("2.2")
@pytest.mark.parametrize("op", sorted(BINARY))
@given(reals(-1e3, 1e3), real_numbers())
def test_binary_op_mixes_with_a_plain_number_on_the_right(op: str, x: float, c: object) -> None:
    """Value(x) op c, with c an int, float or NumPy scalar, is a Value holding x op c."""
    out = BINARY[op](Value(x), c)
    assert isinstance(out, Value), f"Value op {type(c).__name__} gave {type(out).__name__}"
    assert out.data == BINARY[op](x, float(c))


@contract("2.2")
@pytest.mark.parametrize("op", sorted(BINARY))
@given(reals(-1e3, 1e3), st.one_of(reals(-1e3, 1e3), st.integers(-1000, 1000)))
def test_binary_op_mixes_with_a_plain_number_on_the_left(op: str, x: float, c: float) -> None:
    """c op Value(x), with c a plain int or float, is a Value holding c op x (mind the order for -)."""
    out = BINARY[op](c, Value(x))
    assert isinstance(out, Value), f"{type(c).__name__} op Value gave {type(out).__name__}"
    assert out.data == BINARY[op](float(c), x)


@contract("2.2")
@given(reals(-1e3, 1e3), away_from_zero(1e-3, 1e3))
def test_division_of_two_values(x: float, y: float) -> None:
    """Value(x) / Value(y) holds x / y."""
    out = Value(x) / Value(y)
    assert isinstance(out, Value)
    assert_close(out.data, x / y, rel=DIV_RTOL, what=f"{x!r} / {y!r}")


@contract("2.2")
@given(reals(-1e3, 1e3), away_from_zero(1e-3, 1e3))
def test_division_mixes_with_plain_numbers_on_both_sides(x: float, c: float) -> None:
    """Value(x) / c holds x / c and c / Value(y) holds c / y."""
    right = Value(x) / c
    assert isinstance(right, Value)
    assert_close(right.data, x / c, rel=DIV_RTOL, what=f"Value({x!r}) / {c!r}")
    left = x / Value(c)
    assert isinstance(left, Value)
    assert_close(left.data, x / c, rel=DIV_RTOL, what=f"{x!r} / Value({c!r})")


@contract("2.2")
@pytest.mark.parametrize(
    "divide",
    [lambda: Value(1.0) / 0, lambda: Value(1.0) / 0.0, lambda: Value(-2.0) / Value(0.0), lambda: 3 / Value(0.0)],
    ids=["by-int-0", "by-float-0", "by-Value-0", "number-by-Value-0"],
)
def test_division_by_zero_raises(divide) -> None:  # noqa: ANN001
    """Dividing by zero, in any mix of Values and numbers, raises ZeroDivisionError."""
    with pytest.raises(ZeroDivisionError):
        divide()


@contract("2.2")
@given(reals(-1e6, 1e6))
def test_negation(x: float) -> None:
    """-Value(x) holds -x."""
    out = -Value(x)
    assert isinstance(out, Value)
    assert out.data == -x


@contract("2.2")
@given(st.one_of(st.just(0.0), away_from_zero(1e-3, 20.0)), st.integers(-4, 4))
def test_power_with_an_integer_exponent(x: float, k: int) -> None:
    """Value(x) ** k holds x ** k for an integer constant k, negative bases included."""
    assume(x != 0.0 or k >= 0)
    out = Value(x) ** k
    assert isinstance(out, Value)
    assert_close(out.data, x**k, rel=POW_RTOL, what=f"{x!r} ** {k}")


@contract("2.2")
@given(reals(1e-3, 100.0), reals(-3.0, 3.0))
def test_power_with_a_real_exponent(x: float, k: float) -> None:
    """Value(x) ** k holds x ** k for a positive base and a real constant k."""
    out = Value(x) ** k
    assert_close(out.data, x**k, rel=POW_RTOL, what=f"{x!r} ** {k!r}")


@contract("2.2", "1.4")
@given(reals(0.1, 10.0), st.one_of(st.integers(-3, 3).map(np.int64), reals(-3, 3).map(np.float64)))
def test_power_accepts_numpy_exponents(x: float, k: object) -> None:
    """Value(x) ** k also takes a NumPy real scalar k."""
    assert_close((Value(x) ** k).data, x ** float(k), rel=POW_RTOL, what=f"{x!r} ** {k!r}")


@contract("2.2")
def test_value_exponent_is_rejected() -> None:
    """x ** Value(…) raises TypeError: exponents are constants."""
    with pytest.raises(TypeError):
        Value(2.0) ** Value(3.0)


@contract("2.2")
@given(not_real_numbers)
def test_non_number_exponent_is_rejected(k: object) -> None:
    """x ** k raises TypeError when k is not a real number."""
    with pytest.raises(TypeError):
        Value(2.0) ** k


@contract("2.2")
@given(reals(-100.0, -1e-3), reals(-3.0, 3.0))
def test_negative_base_with_a_fractional_exponent_raises(x: float, k: float) -> None:
    """(−8) ** 0.5 has no real value: it raises (ValueError, or TypeError for the complex result) and never returns."""
    assume(not k.is_integer())
    with pytest.raises((ValueError, TypeError)):
        Value(x) ** k


@contract("2.2")
def test_zero_to_a_negative_power_raises() -> None:
    """Value(0) ** -1 is a division by zero: ZeroDivisionError."""
    with pytest.raises(ZeroDivisionError):
        Value(0.0) ** -1


@contract("2.2")
@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
@given(bad=not_real_numbers)
def test_arithmetic_with_a_non_number_raises_type_error(op: str, bad: object) -> None:
    """Value op thing, and thing op Value, raise TypeError when thing is not a number."""
    assume(not isinstance(bad, bool))  # bools are ints to Python's operators; the contract leaves them open here
    fn = {**BINARY, "/": operator.truediv}[op]
    with pytest.raises(TypeError):
        fn(Value(1.0), bad)
    with pytest.raises(TypeError):
        fn(bad, Value(1.0))


# ------------------------------------------------------------ the graph it builds


@contract("2.3")
@given(reals(), reals())
def test_operations_record_where_they_came_from(x: float, y: float) -> None:
    """The result of a op b is computed from a and b: both are reachable through _prev, and it records an op."""
    a, b = Value(x), Value(y)
    for out in (a + b, a - b, a * b, a / (b * b + 1), a**2 + b):
        ancestors = reachable(out)
        assert any(n is a for n in ancestors), f"{out._op!r} node forgets its left operand"
        assert any(n is b for n in ancestors), f"{out._op!r} node forgets its right operand"
        assert out._op, "an operation result records its op in _op"


@contract("2.2", "1.2")
@given(reals(), reals())
def test_operations_leave_their_operands_unchanged(x: float, y: float) -> None:
    """Arithmetic makes a new Value; the operands keep their data and zero gradients."""
    a, b = Value(x), Value(y)
    outs = [a + b, a - b, a * b, -a, a + 1, 2 * b, a**2]
    assert all(out is not a and out is not b for out in outs)
    assert (a.data, b.data, a.grad, b.grad) == (x, y, 0.0, 0.0)


# ---------------------------------------------------------------- identities


@contract("2.2")
@given(reals(-1e3, 1e3), reals(-1e3, 1e3))
def test_addition_and_multiplication_commute(x: float, y: float) -> None:
    """a + b == b + a and a * b == b * a, exactly."""
    a, b = Value(x), Value(y)
    assert (a + b).data == (b + a).data
    assert (a * b).data == (b * a).data


@contract("2.2")
@given(reals(-1e3, 1e3))
def test_neutral_elements_and_inverses(x: float) -> None:
    """a + 0 == a, a * 1 == a, a - a == 0, -(-a) == a, a / 1 == a, a ** 1 == a."""
    a = Value(x)
    assert (a + 0).data == x
    assert (a * 1).data == x
    assert (a - a).data == 0.0
    minus_a = -a
    assert (-minus_a).data == x
    assert_close((a / 1).data, x, rel=DIV_RTOL, what="a / 1")
    assert_close((a**1).data, x, rel=POW_RTOL, what="a ** 1")


@contract("2.2")
@given(reals(-1e3, 1e3))
def test_square_equals_self_product(x: float) -> None:
    """a ** 2 == a * a."""
    a = Value(x)
    assert_close((a**2).data, (a * a).data, rel=POW_RTOL, what="a ** 2 vs a * a")


@contract("2.2")
@given(reals(-1e3, 1e3), away_from_zero(1e-2, 1e3))
def test_subtraction_and_division_undo_addition_and_multiplication(x: float, y: float) -> None:
    """(a + b) - b ≈ a and (a * b) / b ≈ a."""
    a, b = Value(x), Value(y)
    # Each step rounds once: |(x + y) - y - x| ≤ ulp(x + y) ≤ 2.3e-16·(|x| + |y|).
    assert_close(((a + b) - b).data, x, rel=0.0, abs=4.5e-16 * (abs(x) + abs(y)), what="(a + b) - b")
    assert_close(((a * b) / b).data, x, rel=1e-12, abs=1e-300, what="(a * b) / b")


@contract("2.2")
@given(expressions(binary=RING, unary=("neg",)), st.lists(reals(-3.0, 3.0), min_size=3, max_size=3))
def test_random_expressions_of_values_compute_what_floats_compute(tree: tuple, point: list[float]) -> None:
    """Any expression of +, -, * and negation over Values and numbers holds exactly what the same floats give."""
    expected = evaluate(tree, point)
    got = evaluate(tree, [Value(x) for x in point])
    assert isinstance(got, Value)
    assert got.data == expected, f"{describe(tree)} at {point}: expected {expected!r}, got {got.data!r}"


@contract("2.2")
@given(expressions(), st.lists(reals(-3.0, 3.0), min_size=3, max_size=3))
def test_random_expressions_with_division_and_powers(tree: tuple, point: list[float]) -> None:
    """Expressions that also divide and square hold what the same floats give, to rounding."""
    expected = evaluate(tree, point)
    scale = magnitude(tree, point)
    assume(scale < 1e12)
    got = evaluate(tree, [Value(x) for x in point])
    # Each op may round differently from plain floats (a / b as a * b**-1, x**2 as
    # exp(2 ln x)): about 2 ulp of the largest intermediate per op, so for ten
    # leaves well under 1e-12 of `scale`, the largest magnitude the tree can reach.
    assert_close(got.data, expected, rel=1e-9, abs=1e-12 * scale, what=describe(tree))


# ------------------------------------------------------------------ additions


@contract("2.1")
def test_label_defaults_to_the_empty_string() -> None:
    """Value(x) without a label has label '' (the contract's default), not placeholder text."""
    assert Value(1.5).label == "", f"Value(1.5).label should default to '', got {Value(1.5).label!r}"


@contract("2.2")
@given(reals(1e-3, 5.0))
def test_zero_to_a_positive_real_power_is_zero(k: float) -> None:
    """Value(0) ** k is 0 for every real k > 0, fractional ones too: a zero base is not a negative one."""
    out = Value(0.0) ** k
    assert out.data == 0.0, f"0.0 ** {k!r} should be 0.0, got {out.data!r}"
