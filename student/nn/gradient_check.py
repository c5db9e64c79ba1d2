"""Gradient checking: compare ``backward()`` with what the function itself says.

The derivative of ``f`` with respect to one parameter ``w`` can be estimated
without any calculus, by nudging ``w`` and watching ``f``. The *central
difference*

    ∂f/∂w ≈ (f(w + eps) − f(w − eps)) / (2·eps)

is accurate to O(eps²) (the error is eps²·f‴/6), where the one-sided
``(f(w + eps) − f(w)) / eps`` is only O(eps) (error eps·f″/2). With eps = 1e-6 the
central difference agrees with the true derivative to about 1e-9 for tame
functions — far closer than a wrong backward rule would.

``check_gradients`` runs ``backward()`` once and compares every parameter's
analytic gradient with its central difference: the way to test a new operation
or a hand-written backward pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real

from ..autograd.value import Value


class GradientCheckError(AssertionError):
    """An analytic gradient disagrees with its numerical estimate by more than the tolerance."""


def _scalar(out: Value | float) -> float:
    """The number ``f()`` returned: a Value's data or a plain real number."""
    if isinstance(out, Value):
        return out.data
    if isinstance(out, bool) or not isinstance(out, Real):
        raise TypeError(f"f() must return a Value or a real number, got {type(out).__name__}")
    return float(out)


def _check_positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}: {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def numerical_grad(f: Callable[[], Value | float], param: Value, eps: float = 1e-6) -> float:  # kata 12
    """∂f/∂param by the central difference (f(x + eps) − f(x − eps)) / (2·eps), x = ``param.data``.

    ``f`` takes no arguments and rebuilds its result from the current parameters.
    Afterwards ``param.data`` is exactly x again, bit for bit, even if ``f`` raises.
    ``backward()`` is never called.

    ``param`` must be a ``Value`` (``TypeError``), ``eps`` > 0 (``ValueError``).

    >>> x = Value(3.0)
    >>> round(numerical_grad(lambda: x * x, x), 6), x.data
    (6.0, 3.0)
    """
    # TODO(kata 12): write numerical_grad
    raise NotImplementedError("kata 12 · numerical_grad — see katas/12-gradcheck/README.md")


def check_gradients(
    f: Callable[[], Value],
    params: Iterable[Value | tuple[str, Value]],
    eps: float = 1e-6,
    tol: float = 1e-5,
) -> float:  # kata 12
    """Check ``backward()`` against ``numerical_grad`` for every parameter; return the largest error.

    The analytic gradient is that of one ``f().backward()``, whatever the parameters'
    ``grad`` held before (``f()`` must return a ``Value``, ``TypeError`` otherwise);
    the error of a parameter is ``|analytic − numerical_grad(f, param, eps)|``. When
    the largest error exceeds ``tol``, ``GradientCheckError`` names that parameter
    (its name when ``params`` are ``(name, Value)`` pairs, else its ``label`` or its
    position) and gives both gradients.

    ``params`` must not be empty (``ValueError``); ``eps`` and ``tol`` must be > 0.

    >>> a, b = Value(2.0), Value(-1.0)
    >>> check_gradients(lambda: a * b + a.tanh(), [("a", a), ("b", b)]) < 1e-7
    True
    """
    # TODO(kata 12): write check_gradients
    raise NotImplementedError("kata 12 · check_gradients — see katas/12-gradcheck/README.md")
