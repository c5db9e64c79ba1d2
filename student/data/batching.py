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
    # TODO(kata 16): write minibatch_generator
    raise NotImplementedError("kata 16 · minibatch_generator — see katas/16-mnist/README.md")


def int_to_onehot(y: np.ndarray, num_labels: int = 10) -> np.ndarray:  # kata 16
    """Rows of the identity: ``out[n, y[n]] = 1``, zeros elsewhere; shape (len(y), num_labels), float64.

    Labels must be integers in [0, num_labels), otherwise ``ValueError`` (NumPy's
    negative indexing would silently turn −1 into the last class).

    >>> int_to_onehot(np.array([0, 2]), num_labels=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    # TODO(kata 16): write int_to_onehot
    raise NotImplementedError("kata 16 · int_to_onehot — see katas/16-mnist/README.md")
