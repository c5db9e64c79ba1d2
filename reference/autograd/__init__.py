"""Scalar reverse-mode automatic differentiation: ``value.Value`` and ``graph`` (its order and picture)."""
