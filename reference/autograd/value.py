"""A scalar that remembers how it was computed, so that it can differentiate itself.

Every arithmetic operation on a :class:`Value` returns a new ``Value`` that records
its parents (``_prev``) and the operation (``_op``). Together they form a graph::

    a = Value(2.0); b = Value(-3.0)
    c = a * b          # c._prev == (a, b), c._op == '*'
    d = c + 10.0       # the plain number 10.0 becomes a constant Value

``d.backward()`` walks that graph from ``d`` back to the leaves and fills in
``grad`` = ∂d/∂node for every node, using the chain rule: a node's gradient is
pushed to each parent multiplied by the *local derivative* of the node with
respect to that parent. The local derivatives of each operation live in the
functions ``_<op>_derivatives`` at the bottom of this file, one per operation, so
that the whole calculus of the engine reads as one table.

Design notes (they matter for speed, not for correctness; ``benchmarks/README.md``
measures each one, and a comment names each where it lives):

- A node keeps what its rule needs as plain data: its parents (``_prev``), its op
  (``_op``) and, when the rule needs a constant, that constant (``_aux``). The rule
  itself is a function looked up by ``_op``, never a closure stored on the node
  (micrograd's ``_backward``): a closure refers back to its node, so every node
  would sit in a reference cycle that only the garbage collector can free.
  Without cycles, a finished graph is freed by reference counting the moment the
  loss goes out of scope, and the collector finds nothing to do.
- ``__slots__`` keeps each node small: no per-instance ``__dict__``.
- ``backward`` orders only the nodes that have a rule to apply: leaves (every
  weight of a network is one) are left out of the order.
- ``dot`` makes a neuron's weighted sum one node instead of 2n.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from numbers import Real
from typing import Union

from .graph import topological_order

#: A plain real number: ``int`` or ``float`` (NumPy real scalars work too).
Number = Union[int, float]


class Value:
    """A scalar node in a computation graph.

    Attributes:
        data: the number this node holds (always a ``float``).
        grad: ∂root/∂self after ``root.backward()``; starts at ``0.0``.
        label: free text, shown by ``to_dot``.
        _prev: the parents this node was computed from (empty for a leaf).
        _op: the symbol of the operation that produced it (``''`` for a leaf); each
            operation's docstring says which. ``backward`` looks up the rule by it, in
            ``_DERIVATIVES`` at the bottom of the file: a symbol that is not a key of
            that table (``"-"`` recorded for negation, say) fails there, far from here.
        _aux: a constant the rule needs and the parents do not give, when there is one
            (the exponent of ``**``): unset otherwise.

    ``__slots__`` fixes these six attributes and no others: no per-instance ``__dict__``
    (smaller, faster nodes), and no room for micrograd's ``_backward`` closure
    attribute (``AttributeError``). What a node's backward needs is data on the node;
    the rule is a function of the node, looked up by ``_op``.

    >>> a = Value(2.0); b = Value(-3.0)
    >>> c = a * b + 1
    >>> c.data
    -5.0
    >>> c.backward()
    >>> a.grad, b.grad
    (-3.0, 2.0)
    """

    __slots__ = ("_aux", "_op", "_prev", "data", "grad", "label")

    def __init__(
        self,
        data: Number,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
    ) -> None:  # kata 01
        """Store ``data`` as a float, the parents ``_children`` as a tuple, ``_op`` and ``label``.

        ``data`` must be a real number: an ``int``, a ``float`` or a NumPy real scalar,
        converted with ``float()``. Anything else — ``bool`` (``True`` is not a
        measurement), ``str``, ``None``, ``complex``, a list — raises ``TypeError``
        naming what was given. ``grad`` starts at ``0.0``.

        >>> Value(3).data
        3.0
        >>> Value(True)
        Traceback (most recent call last):
        ...
        TypeError: Value() needs a real number (int, float or NumPy real scalar), got bool: True
        """
        if type(data) is not float:
            if isinstance(data, bool) or not isinstance(data, Real):
                raise TypeError(
                    "Value() needs a real number (int, float or NumPy real scalar), "
                    f"got {type(data).__name__}: {data!r}"
                )
            data = float(data)
        self.data = data
        self.grad = 0.0
        self.label = label
        self._prev = tuple(_children)
        self._op = _op

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # ----------------------------------------------------------------- arithmetic
    # Each operation computes the new number and records where it came from.
    # Returning NotImplemented for an operand we do not understand lets Python
    # try the other side and then raise its usual, clear TypeError.

    def __add__(self, other: Value | Number) -> Value:  # kata 01
        """``self + other``: a new Value whose parents are both operands; records ``_op = "+"``.

        >>> (Value(2.0) + 3).data
        5.0
        """
        other = _as_value(other)
        if other is None:
            return NotImplemented
        return Value(self.data + other.data, (self, other), "+")

    def __radd__(self, other: Number) -> Value:  # kata 01
        """``other + self`` when ``other`` is a plain number: ``2 + Value(3.0)``.

        Python calls this after ``int.__add__`` gives up. Addition commutes.

        >>> (2 + Value(3.0)).data
        5.0
        """
        return self + other

    def __sub__(self, other: Value | Number) -> Value:  # kata 01
        """``self - other``; records ``_op = "-"``.

        >>> (Value(2.0) - 5).data
        -3.0
        """
        other = _as_value(other)
        if other is None:
            return NotImplemented
        return Value(self.data - other.data, (self, other), "-")

    def __rsub__(self, other: Number) -> Value:  # kata 01
        """``other - self`` for a plain number ``other``. Mind the order: it does not commute.

        >>> (10 - Value(4.0)).data
        6.0
        """
        other = _as_value(other)
        if other is None:
            return NotImplemented
        return other - self

    def __mul__(self, other: Value | Number) -> Value:  # kata 01
        """``self * other``; records ``_op = "*"``.

        >>> (Value(2.0) * -4).data
        -8.0
        """
        other = _as_value(other)
        if other is None:
            return NotImplemented
        return Value(self.data * other.data, (self, other), "*")

    def __rmul__(self, other: Number) -> Value:  # kata 01
        """``other * self`` for a plain number ``other``: ``3 * Value(2.0)``.

        >>> (3 * Value(2.0)).data
        6.0
        """
        return self * other

    def __truediv__(self, other: Value | Number) -> Value:  # kata 01
        """``self / other``; records ``_op = "/"``. Dividing by zero raises ``ZeroDivisionError``.

        >>> (Value(1.0) / 4).data
        0.25
        """
        other = _as_value(other)
        if other is None:
            return NotImplemented
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero: {self.data!r} / {other.data!r}")
        return Value(self.data / other.data, (self, other), "/")

    def __rtruediv__(self, other: Number) -> Value:  # kata 01
        """``other / self`` for a plain number ``other``: ``1 / Value(4.0)``.

        >>> (1 / Value(4.0)).data
        0.25
        """
        other = _as_value(other)
        if other is None:
            return NotImplemented
        return other / self

    def __neg__(self) -> Value:  # kata 01
        """``-self``: one parent; records ``_op = "neg"`` (``"-"`` is subtraction's, which has two).

        >>> (-Value(2.0)).data
        -2.0
        """
        return Value(-self.data, (self,), "neg")

    def __pow__(self, exponent: Number) -> Value:  # kata 01
        """``self ** exponent`` for a constant real ``exponent``; records ``_op = "**"``.

        The exponent is a plain number, never a Value (``TypeError``), so the only
        parent is ``self``; keep the exponent on the node (``out._aux = exponent``)
        for the derivative. A negative base with a non-integer exponent has no real
        result (``ValueError``); ``0 ** negative`` raises ``ZeroDivisionError``.

        >>> (Value(3.0) ** 2).data
        9.0
        """
        if isinstance(exponent, Value):
            raise TypeError("x ** k needs a constant number k, not a Value (use exp and log for x ** y)")
        if isinstance(exponent, bool) or not isinstance(exponent, Real):
            raise TypeError(f"x ** k needs a real number k, got {type(exponent).__name__}: {exponent!r}")
        k = float(exponent)
        if self.data < 0.0 and not k.is_integer():
            raise ValueError(f"{self.data!r} ** {k!r} has no real value (negative base, non-integer exponent)")
        out = Value(self.data**k, (self,), "**")
        out._aux = k
        return out

    # ---------------------------------------------------------------- activations

    def relu(self) -> Value:  # kata 03
        """Rectified linear unit: ``max(0, x)``; records ``_op = "relu"``.

        >>> Value(-2.0).relu().data, Value(3.0).relu().data
        (0.0, 3.0)
        """
        return Value(self.data if self.data > 0.0 else 0.0, (self,), "relu")

    def tanh(self) -> Value:  # kata 03
        """Hyperbolic tangent, ``(e^x − e^−x) / (e^x + e^−x)``, in (−1, 1); records ``_op = "tanh"``.

        ``math.tanh`` is exact and never overflows; the textbook formula with
        ``exp(2x)`` overflows for x above about 355.

        >>> round(Value(0.5).tanh().data, 6)
        0.462117
        """
        return Value(math.tanh(self.data), (self,), "tanh")

    def sigmoid(self) -> Value:  # kata 03
        """Logistic sigmoid ``1 / (1 + e^−x)``, in (0, 1), without overflow; records ``_op = "sigmoid"``.

        For x < 0, ``e^−x`` overflows once x < −709; the same number written as
        ``e^x / (1 + e^x)`` does not. Use each form on the side where it is safe.

        >>> Value(0.0).sigmoid().data
        0.5
        >>> Value(-1000.0).sigmoid().data
        0.0
        """
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, (self,), "sigmoid")

    def exp(self) -> Value:  # kata 03
        """``e^x``; records ``_op = "exp"``. Too large an x (above about 709.78) raises ``OverflowError``.

        >>> Value(0.0).exp().data
        1.0
        """
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data!r}) is too large for a float (the limit is about 709.78)") from None
        return Value(e, (self,), "exp")

    def log(self) -> Value:  # kata 03
        """Natural logarithm; records ``_op = "log"``. ``ValueError`` for x ≤ 0, where it is undefined.

        >>> Value(1.0).log().data
        0.0
        """
        if self.data <= 0.0:
            raise ValueError(f"log is defined for x > 0 only, got {self.data!r}")
        return Value(math.log(self.data), (self,), "log")

    def leaky_relu(self, alpha: Number = 0.01) -> Value:  # kata 03
        """``x`` for x > 0, ``alpha·x`` otherwise: a ReLU whose negative side still learns; ``_op = "leaky_relu"``.

        Keep ``alpha`` on the node (``out._aux = alpha``) for the derivative. A
        non-number ``alpha`` raises ``TypeError``.

        >>> Value(-2.0).leaky_relu(0.1).data
        -0.2
        """
        if isinstance(alpha, bool) or not isinstance(alpha, Real):
            raise TypeError(f"leaky_relu needs a real number alpha, got {type(alpha).__name__}: {alpha!r}")
        alpha = float(alpha)
        out = Value(self.data if self.data > 0.0 else alpha * self.data, (self,), "leaky_relu")
        out._aux = alpha
        return out

    # ------------------------------------------------------------------- backprop

    def backward(self) -> None:  # kata 02
        """Fill in ``grad`` = ∂self/∂node for every node of the graph below ``self``.

        The root's gradient is *set* to 1 (∂self/∂self). Nodes made by an operation
        hold this call's gradient; leaves keep what they had and *add* to it, so their
        gradients accumulate across calls, as in PyTorch (``zero_grad``, or
        ``grad = 0``, between training steps). A parent used twice receives two
        contributions, and they add up.

        Each node's rule, ``_DERIVATIVES[node._op](node)``, is called once, after
        every node computed from it has passed on its gradient; the walk must not
        recurse (a 100,000-step chain). ``graph.topological_order`` gives that order.

        >>> a = Value(3.0)
        >>> b = a * a            # a is used twice
        >>> b.backward()
        >>> a.grad               # d(a²)/da = 2a
        6.0
        """
        # Speed-up: leaves are left out of the order (almost every node of a network is a
        # weight, a leaf); they only receive gradients, they have no rule to apply.
        order = topological_order(self, leaves=False)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            if node._prev:  # the root may be a leaf
                grad = node.grad
                for parent, local in zip(node._prev, _DERIVATIVES[node._op](node), strict=True):
                    parent.grad += local * grad


def _as_value(x: object) -> Value | None:  # kata 01
    """``x`` as a Value: a Value as it is, a real number wrapped in a new constant Value.

    Anything else — including ``bool`` — gives ``None``, and the operator then
    returns ``NotImplemented`` so that Python raises its usual ``TypeError``.

    >>> _as_value(2).data
    2.0
    >>> _as_value("2") is None
    True
    """
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        return None
    return Value(x)


# ── given code: dot, a neuron's weighted sum as one node ──


class Constants(tuple):
    """Plain floats that need no gradient, checked once: an image's pixels, say.

    ``nn``'s ``as_inputs`` makes one when every input is a plain number. A tuple
    cannot change once it is made, so what was checked stays true, and whoever gets a
    ``Constants`` may skip the check. Speed-up: a layer checks its input once, and its
    neurons (``as_inputs`` again) and their weighted sums (``dot``) take the same
    ``Constants`` as it is, instead of looking at all 784 pixels of a digit again
    in each of the 16 neurons.
    """

    __slots__ = ()


def dot(weights: Sequence[Value], inputs: Sequence[Value | Number]) -> Value:
    """Σ wᵢ·xᵢ as *one* node: a neuron's weighted sum in a single step; records ``_op = "dot"``.

    Same number and same gradients as ``sum(w * x for w, x in zip(weights, inputs))``,
    which makes 2n nodes (n products, n sums): a neuron with 784 inputs builds one node
    instead of 1,568, and ``backward`` calls one rule instead of 1,568. This is what
    makes the MNIST demo fast. Given code, a speed-up only: a neuron written with
    ``sum`` is just as correct.

    The parents are the n weights, then the n inputs when these are Values. Plain-number
    inputs (an image's pixels) are constants: like the exponent of ``**`` they stay on the
    node (``out._aux`` keeps every input's number, which ∂out/∂wᵢ needs) and are not
    parents at all, so they add no node to the graph.

    >>> w = [Value(2.0), Value(-1.0)]; x = [Value(3.0), Value(4.0)]
    >>> out = dot(w, x); out.data
    2.0
    >>> out.backward(); w[0].grad, x[1].grad
    (3.0, -1.0)
    >>> len(dot(w, [3.0, 4.0])._prev)     # constant inputs are not parents
    2
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
    if isinstance(inputs, Constants):  # checked once already (see Constants): plain numbers
        numbers, parents = inputs, weights
    # Are some inputs Values? Speed-up: ask the few *types* of the inputs, not every
    # input (``set(map(type, …))`` runs in C; an image's 784 pixels have one type).
    elif any(issubclass(kind, Value) for kind in set(map(type, inputs))):  # they need gradients: all become parents
        inputs = [x if isinstance(x, Value) else Value(x) for x in inputs]
        numbers = [x.data for x in inputs]
        parents = (*weights, *inputs)
    else:  # plain numbers: constants, kept on the node only
        numbers, parents = list(inputs), weights
    out = Value(sum([w.data * x for w, x in zip(weights, numbers, strict=True)]), parents, "dot")
    out._aux = numbers
    return out


# ------------------------------------------------------------ local derivatives
# One function per operation. Each takes the node ``out`` that the operation made
# and returns ∂out/∂parent for every parent, in the order of ``out._prev``.
# ``backward`` multiplies these by ``out.grad`` (the chain rule).


def _add_derivatives(out: Value) -> tuple[float, float]:  # kata 02
    """out = a + b:  ∂out/∂a = 1,  ∂out/∂b = 1."""
    return (1.0, 1.0)


def _sub_derivatives(out: Value) -> tuple[float, float]:  # kata 02
    """out = a − b:  ∂out/∂a = 1,  ∂out/∂b = −1."""
    return (1.0, -1.0)


def _mul_derivatives(out: Value) -> tuple[float, float]:  # kata 02
    """out = a · b:  ∂out/∂a = b,  ∂out/∂b = a (each gets the *other* operand)."""
    a, b = out._prev
    return (b.data, a.data)


def _div_derivatives(out: Value) -> tuple[float, float]:  # kata 02
    """out = a / b:  ∂out/∂a = 1/b,  ∂out/∂b = −a/b²."""
    a, b = out._prev
    return (1.0 / b.data, -a.data / (b.data * b.data))


def _neg_derivatives(out: Value) -> tuple[float]:  # kata 02
    """out = −a:  ∂out/∂a = −1."""
    return (-1.0,)


def _pow_derivatives(out: Value) -> tuple[float]:  # kata 02
    """out = a^k (k = ``out._aux``):  ∂out/∂a = k · a^(k−1)."""
    (a,) = out._prev
    k = out._aux
    return (k * a.data ** (k - 1.0),)


def _relu_derivatives(out: Value) -> tuple[float]:  # kata 03
    """out = relu(a):  1 where a > 0, else 0 (also at exactly 0)."""
    (a,) = out._prev
    return (1.0 if a.data > 0.0 else 0.0,)


def _tanh_derivatives(out: Value) -> tuple[float]:  # kata 03
    """out = tanh(a):  1 − tanh(a)² = 1 − out², computed from the *output*."""
    return (1.0 - out.data * out.data,)


def _sigmoid_derivatives(out: Value) -> tuple[float]:  # kata 03
    """out = σ(a):  σ(a)·(1 − σ(a)) = out·(1 − out)."""
    return (out.data * (1.0 - out.data),)


def _exp_derivatives(out: Value) -> tuple[float]:  # kata 03
    """out = e^a:  e^a = out, its own derivative."""
    return (out.data,)


def _log_derivatives(out: Value) -> tuple[float]:  # kata 03
    """out = ln a:  1/a, computed from the *input*."""
    (a,) = out._prev
    return (1.0 / a.data,)


def _leaky_relu_derivatives(out: Value) -> tuple[float]:  # kata 03
    """out = leaky_relu(a):  1 where a > 0, else alpha (``out._aux``), also at exactly 0."""
    (a,) = out._prev
    return (1.0 if a.data > 0.0 else out._aux,)


# ── given code: dot's local derivatives ──


def _dot_derivatives(out: Value) -> list[float]:
    """out = Σ wᵢ·xᵢ (parents: w₀ … wₙ₋₁, then x₀ … xₙ₋₁ if they are Values):  ∂out/∂wᵢ = xᵢ,  ∂out/∂xᵢ = wᵢ.

    The xᵢ's numbers are on the node (``out._aux``), whether the inputs are parents or constants.
    """
    inputs = out._aux
    n = len(inputs)
    if len(out._prev) == n:  # constant inputs: only the weights are parents
        return inputs
    return [*inputs, *(w.data for w in out._prev[:n])]


#: The local-derivative rule of every operation, by the ``_op`` symbol it records.
_DERIVATIVES: dict[str, Callable[[Value], tuple[float, ...]]] = {
    "+": _add_derivatives,
    "-": _sub_derivatives,
    "*": _mul_derivatives,
    "/": _div_derivatives,
    "neg": _neg_derivatives,
    "**": _pow_derivatives,
    "relu": _relu_derivatives,
    "tanh": _tanh_derivatives,
    "sigmoid": _sigmoid_derivatives,
    "exp": _exp_derivatives,
    "log": _log_derivatives,
    "leaky_relu": _leaky_relu_derivatives,
    "dot": _dot_derivatives,
}
