"""Micrograd-style Value: closures for backward, composite ops, numbers wrapped as Values."""

from __future__ import annotations

import math
import numbers

from .graph import topological_order


def _check(x):
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"not a real number: {x!r}")
    return float(x)


class Value:
    def __init__(self, data, _children=(), _op="", label=""):
        self.data = _check(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value({self.data}, grad={self.grad})"

    @staticmethod
    def _wrap(other):
        if isinstance(other, Value):
            return other
        if isinstance(other, bool) or not isinstance(other, numbers.Real):
            return None
        return Value(other)

    def __add__(self, other):
        other = Value._wrap(other)
        if other is None:
            return NotImplemented
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = Value._wrap(other)
        if other is None:
            return NotImplemented
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k):
        if isinstance(k, (Value, bool)) or not isinstance(k, numbers.Real):
            raise TypeError("exponent must be a constant real number")
        k = float(k)
        if self.data < 0 and not k.is_integer():
            raise ValueError("negative base with a fractional exponent")
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def _unary(self, data, local, op):
        out = Value(data, (self,), op)

        def _backward():
            self.grad += local(out) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        return self._unary(max(0.0, self.data), lambda out: 1.0 if self.data > 0 else 0.0, "ReLU")

    def leaky_relu(self, alpha=0.01):
        alpha = _check(alpha)
        data = self.data if self.data > 0 else alpha * self.data
        return self._unary(data, lambda out: 1.0 if self.data > 0 else alpha, "LeakyReLU")

    def tanh(self):
        return self._unary(math.tanh(self.data), lambda out: 1.0 - out.data**2, "tanh")

    def sigmoid(self):
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self._unary(s, lambda out: out.data * (1.0 - out.data), "sigmoid")

    def exp(self):
        return self._unary(math.exp(self.data), lambda out: out.data, "exp")

    def log(self):
        if self.data <= 0:
            raise ValueError("log of a non-positive number")
        return self._unary(math.log(self.data), lambda out: 1.0 / self.data, "log")

    def backward(self):
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        other = Value._wrap(other)
        if other is None:
            return NotImplemented
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        other = Value._wrap(other)
        if other is None:
            return NotImplemented
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1
