"""The nn-katas curriculum: the kata catalogue (``catalogue.toml`` and its reader) and one page per kata.

The tooling that uses it lives in :mod:`kit`.
"""
