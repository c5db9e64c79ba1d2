"""Mini-batches and one-hot labels (kata 16).

A training epoch walks through ``minibatch_generator(X, y, 100, rng=epoch)``: every
batch has exactly 100 rows, drawn in a shuffled order, and no row comes twice.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..vectorized.modules import RngLike, positive_int


def minibatch_generator(
    X: np.ndarray, y: np.ndarray, minibatch_size: int, rng: RngLike = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:  # kata 16
    """Yield ``(X[idx], y[idx])`` for consecutive slices ``idx`` of one random permutation of the rows.

    Only full batches: with n rows, ``n // minibatch_size`` batches and the last
    ``n % minibatch_size`` shuffled rows are dropped (none at all when
    ``minibatch_size > n``). Each row appears at most once. ``X`` and ``y`` of
    different lengths or ``minibatch_size < 1`` → ``ValueError``, raised at the
    call, before the first batch is asked for.

    >>> X = np.arange(10).reshape(5, 2); y = np.arange(5)
    >>> [len(b) for b, _ in minibatch_generator(X, y, 2, rng=0)]
    [2, 2]
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    size = positive_int(minibatch_size, "minibatch_size")
    order = np.random.default_rng(rng).permutation(len(X))

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, len(order) - size + 1, size):
            idx = order[start : start + size]
            yield X[idx], y[idx]

    return batches()


def int_to_onehot(y: np.ndarray, num_labels: int = 10) -> np.ndarray:  # kata 16
    """Rows of the identity: ``out[n, y[n]] = 1``, zeros elsewhere; shape (len(y), num_labels), float64.

    Labels must be integers in [0, num_labels), otherwise ``ValueError`` (NumPy's
    negative indexing would silently turn −1 into the last class).

    >>> int_to_onehot(np.array([0, 2]), num_labels=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    y = np.asarray(y)
    num_labels = positive_int(num_labels, "num_labels")
    if y.ndim != 1 or (y.size and y.dtype.kind not in "iu"):
        raise ValueError(f"y must be a 1-D array of integer labels, got {y.dtype} of shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= num_labels):
        raise ValueError(f"labels must be in [0, {num_labels}), got min {y.min()} and max {y.max()}")
    out = np.zeros((len(y), num_labels))
    out[np.arange(len(y)), y] = 1.0
    return out
