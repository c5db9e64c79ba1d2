"""``Dataset`` and ``DataLoader``: feeding a model mini-batches.

Training on one sample at a time is noisy; on the whole data set at once, slow.
A *mini-batch* is in between: the gradient of the mean loss over ``batch_size``
samples. An *epoch* is one pass over the data, every sample exactly once::

    loader = DataLoader(Dataset(X, y), batch_size=32, shuffle=True, rng=random.Random(0))
    for epoch in range(10):
        for xs, ys in loader:        # each iteration is a new epoch's order
            ...

With ``n`` samples there are ``ceil(n / batch_size)`` batches, the last one
smaller when ``batch_size`` does not divide ``n``; ``drop_last=True`` leaves that
partial batch out, giving ``n // batch_size`` batches. Shuffling draws a new order
every epoch (the same samples, visited differently), so the model never sees the
batches in a fixed sequence; the same ``rng`` seed gives the same orders.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

from .neuron import check_rng


class Dataset:
    """Pairs of inputs and targets: ``dataset[i] == (X[i], y[i])``.

    ``X`` and ``y`` are any sequences of the same length (lists, tuples, NumPy arrays);
    the items are returned as they are stored.

    >>> data = Dataset([[0.0, 1.0], [2.0, 3.0]], [0, 1])
    >>> len(data), data[1]
    (2, ([2.0, 3.0], 1))
    """

    def __init__(self, X: Sequence[Any], y: Sequence[Any]) -> None:  # noqa: N803  # kata 09
        """Store ``X`` and ``y``.

        Each must have a length and support indexing (``TypeError`` otherwise, e.g.
        for a number or a set); different lengths → ``ValueError`` giving both.
        """
        for name, seq in (("X", X), ("y", y)):
            if isinstance(seq, (str, bytes)) or not (hasattr(seq, "__len__") and hasattr(seq, "__getitem__")):
                raise TypeError(f"Dataset({name}) needs a sequence (list, tuple, array), got {type(seq).__name__}")
        if len(X) != len(y):
            raise ValueError(f"Dataset needs as many targets as inputs: len(X) = {len(X)}, len(y) = {len(y)}")
        self.X = X
        self.y = y

    def __len__(self) -> int:  # kata 09
        """The number of samples."""
        return len(self.X)

    def __getitem__(self, i: int) -> tuple[Any, Any]:  # kata 09
        """Sample ``i`` as ``(X[i], y[i])``."""
        return self.X[i], self.y[i]


class DataLoader:
    """Iterate over a dataset in batches: each ``for`` loop over it is one epoch.

    Attributes:
        dataset: anything with ``len()`` and indexing that returns ``(x, y)``.
        batch_size: samples per batch (≥ 1).
        shuffle: draw a new order each epoch (``False``: 0, 1, 2, …).
        drop_last: leave out a final batch smaller than ``batch_size``.
        rng: the ``random.Random`` that shuffles.

    >>> loader = DataLoader(Dataset([10, 11, 12, 13, 14], list("abcde")), batch_size=2)
    >>> len(loader), list(loader)
    (3, [([10, 11], ['a', 'b']), ([12, 13], ['c', 'd']), ([14], ['e'])])
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        rng: random.Random | None = None,
    ) -> None:  # kata 09
        """Check and store the settings.

        ``batch_size`` must be an ``int`` (not ``bool``; ``TypeError``) ≥ 1
        (``ValueError``); ``dataset`` must have a length (``TypeError``); ``rng`` a
        ``random.Random`` or ``None`` (``TypeError``), ``None`` meaning the ``random``
        module's own generator (``check_rng`` in ``neuron.py``).
        """
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader needs a dataset with len() and indexing, got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__}: {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = check_rng(rng)

    def __len__(self) -> int:  # kata 09
        """The number of batches per epoch: ``n // batch_size`` with ``drop_last``, else ``ceil(n / batch_size)``."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[list[Any], list[Any]]]:  # kata 09
        """One epoch: yield ``(xs, ys)``, two lists of the batch's inputs and targets.

        Every sample once per epoch, in batches of ``batch_size`` (the last one shorter,
        or left out with ``drop_last``): in order ``0 … n−1``, or with ``shuffle`` in a
        fresh order drawn from ``rng`` at every epoch, the same sequence of epochs for
        the same seed.
        """
        order = list(range(len(self.dataset)))
        if self.shuffle:
            self.rng.shuffle(order)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            samples = [self.dataset[i] for i in order[start : start + self.batch_size]]
            yield [x for x, _ in samples], [y for _, y in samples]
