"""The spec's own answers, computed without the implementation.

- :func:`central_difference`: ∂f/∂x ≈ (f(x + h) − f(x − h)) / 2h on plain floats.
- :class:`Dual`: forward-mode dual numbers, exact derivatives of whole expressions.
- :func:`reachable`: the nodes of a graph, walked through ``_prev`` by the spec.
- :func:`assert_close`: one comparison with a one-line message (expected, got,
  relative error) that the learner summary can show as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

#: Step of the central difference, relative to |x|. Truncation error is about
#: h²·|f‴|/6 ≈ 1e-12·|f‴|, rounding error about ε·|f|/h ≈ 2e-10·|f|; tolerances
#: for gradients checked this way are therefore 1e-6 relative plus 1e-6 absolute
#: per unit of |f|, far above both, and far below any wrong derivative.
STEP = 1e-6
GRAD_RTOL = 1e-6
GRAD_ATOL = 1e-6


def central_difference(f: Callable[[float], float], x: float, step: float = STEP) -> float:
    """(f(x + h) − f(x − h)) / 2h with h = step · max(1, |x|)."""
    h = step * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2.0 * h)


def partials(f: Callable[..., float], args: Sequence[float]) -> list[float]:
    """Central differences of ``f(*args)`` with respect to each argument in turn."""
    out = []
    for i, x in enumerate(args):

        def along(t: float, i: int = i) -> float:
            return f(*args[:i], t, *args[i + 1 :])

        out.append(central_difference(along, x))
    return out


def reachable(root: object) -> list[object]:
    """Every node reachable from ``root`` through ``_prev``, found by the spec's own walk."""
    seen = {id(root): root}
    stack = [root]
    while stack:
        for parent in stack.pop()._prev:
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return list(seen.values())


def assert_close(got: float, expected: float, *, rel: float, abs: float = 0.0, what: str = "value") -> None:  # noqa: A002
    """Fail with 'what: expected E, got G (relative error R)' unless |got − expected| ≤ max(rel·|expected|, abs).

    An int where a float is due (a gradient set to ``1`` rather than ``1.0``) is named as such.
    """
    if isinstance(got, int) and not isinstance(got, bool):
        raise AssertionError(f"{what} must be a float; got the int {got!r} (write {float(got)!r}, or float(...))")
    if not isinstance(got, float) or not math.isfinite(got):
        raise AssertionError(f"{what}: expected {expected!r}, got {got!r}")
    # The plain number inside, so that a float subclass cannot answer for itself
    # (a __sub__ that returns 0 would otherwise pass every comparison).
    got = float.__float__(got)
    err = math.fabs(got - expected)
    if err > max(rel * math.fabs(expected), abs):
        relative = err / math.fabs(expected) if expected else math.inf
        raise AssertionError(f"{what}: expected {expected!r}, got {got!r} (relative error {relative:.1e})")


def assert_grad_matches(got: float, numeric: float, scale: float = 1.0, what: str = "gradient") -> None:
    """An analytic gradient against a central difference, tolerance as reasoned at :data:`STEP`."""
    assert_close(got, numeric, rel=GRAD_RTOL, abs=GRAD_ATOL * max(1.0, math.fabs(scale)), what=what)


class GradientMismatchError(AssertionError):
    """Analytic gradients that disagree with the numeric ones; ``rows`` holds the whole comparison.

    Each row is ``(name, analytic, numeric, agrees)``: the learner summary and the ``kata``
    command show them as a table, so that one wrong parameter stands out among the right ones.
    """

    def __init__(self, message: str, rows: list[tuple[str, float, float, bool]]) -> None:
        super().__init__(message)
        self.rows = rows


def assert_gradients_match(
    analytic: Sequence[float],
    numeric: Sequence[float],
    names: Sequence[str],
    scale: float = 1.0,
    what: str = "∂f",
    at: str = "",
) -> None:
    """Every analytic gradient against its central difference (tolerance as at :data:`STEP`), all at once.

    Raises :class:`GradientMismatchError` naming the first disagreeing parameter, with every row attached.
    """
    rows, first = [], None
    for name, got, expected in zip(names, analytic, numeric, strict=True):
        try:
            assert_grad_matches(got, expected, scale, what=f"{what}/∂{name}" + (f" at {at}" if at else ""))
            rows.append((name, got, expected, True))
        except AssertionError as exc:
            rows.append((name, got, expected, False))
            first = first or str(exc)
    if first is not None:
        raise GradientMismatchError(first, rows)


class Dual:
    """a + b·ε with ε² = 0: carrying b through a computation gives the exact derivative."""

    __slots__ = ("eps", "re")

    def __init__(self, re: float, eps: float = 0.0) -> None:
        self.re = re
        self.eps = eps

    @staticmethod
    def lift(x: Dual | float) -> Dual:
        return x if isinstance(x, Dual) else Dual(float(x))

    def __add__(self, other: Dual | float) -> Dual:
        o = Dual.lift(other)
        return Dual(self.re + o.re, self.eps + o.eps)

    __radd__ = __add__

    def __sub__(self, other: Dual | float) -> Dual:
        o = Dual.lift(other)
        return Dual(self.re - o.re, self.eps - o.eps)

    def __rsub__(self, other: float) -> Dual:
        return Dual.lift(other) - self

    def __mul__(self, other: Dual | float) -> Dual:
        o = Dual.lift(other)
        return Dual(self.re * o.re, self.eps * o.re + self.re * o.eps)

    __rmul__ = __mul__

    def __truediv__(self, other: Dual | float) -> Dual:
        o = Dual.lift(other)
        return Dual(self.re / o.re, (self.eps * o.re - self.re * o.eps) / (o.re * o.re))

    def __rtruediv__(self, other: float) -> Dual:
        return Dual.lift(other) / self

    def __neg__(self) -> Dual:
        return Dual(-self.re, -self.eps)

    def __pow__(self, k: float) -> Dual:
        return Dual(self.re**k, k * self.re ** (k - 1) * self.eps)

    def relu(self) -> Dual:
        return Dual(self.re, self.eps) if self.re > 0 else Dual(0.0, 0.0)

    def leaky_relu(self, alpha: float = 0.01) -> Dual:
        return Dual(self.re, self.eps) if self.re > 0 else Dual(alpha * self.re, alpha * self.eps)

    def tanh(self) -> Dual:
        t = math.tanh(self.re)
        return Dual(t, (1.0 - t * t) * self.eps)

    def sigmoid(self) -> Dual:
        s = sigmoid(self.re)
        return Dual(s, s * (1.0 - s) * self.eps)

    def exp(self) -> Dual:
        e = math.exp(self.re)
        return Dual(e, e * self.eps)

    def log(self) -> Dual:
        return Dual(math.log(self.re), self.eps / self.re)


def sigmoid(x: float) -> float:
    """1 / (1 + e^−x) on plain floats, in the form that cannot overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def dual_gradient(f: Callable[[list[Dual]], Dual | float], point: Sequence[float]) -> tuple[float, list[float]]:
    """``f``'s value and exact gradient at ``point`` by forward-mode dual numbers: one pass per variable.

    ``f`` takes one number per variable (here Duals) and combines them with arithmetic and
    the activations a ``Value`` has; pass i seeds variable i with ε-part 1, so the result's
    ε-part is ∂f/∂xᵢ, exact up to rounding (no step size, unlike a finite difference).
    """
    value = Dual.lift(f([Dual(x) for x in point])).re
    grads = [
        Dual.lift(f([Dual(x, 1.0 if j == i else 0.0) for j, x in enumerate(point)])).eps for i in range(len(point))
    ]
    return value, grads
