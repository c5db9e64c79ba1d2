"""Scalar reverse-mode automatic differentiation: ``Value`` and its graph."""

from .graph import to_dot, topological_order
from .value import Value

__all__ = ["Value", "to_dot", "topological_order"]
