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
        # TODO(kata 09): write Dataset.__init__
        raise NotImplementedError("kata 09 · Dataset.__init__ — see katas/09-batching/README.md")

    def __len__(self) -> int:  # kata 09
        """The number of samples."""
        # TODO(kata 09): write Dataset.__len__
        raise NotImplementedError("kata 09 · Dataset.__len__ — see katas/09-batching/README.md")

    def __getitem__(self, i: int) -> tuple[Any, Any]:  # kata 09
        """Sample ``i`` as ``(X[i], y[i])``."""
        # TODO(kata 09): write Dataset.__getitem__
        raise NotImplementedError("kata 09 · Dataset.__getitem__ — see katas/09-batching/README.md")


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
        # TODO(kata 09): write DataLoader.__init__
        raise NotImplementedError("kata 09 · DataLoader.__init__ — see katas/09-batching/README.md")

    def __len__(self) -> int:  # kata 09
        """The number of batches per epoch: ``n // batch_size`` with ``drop_last``, else ``ceil(n / batch_size)``."""
        # TODO(kata 09): write DataLoader.__len__
        raise NotImplementedError("kata 09 · DataLoader.__len__ — see katas/09-batching/README.md")

    def __iter__(self) -> Iterator[tuple[list[Any], list[Any]]]:  # kata 09
        """One epoch: yield ``(xs, ys)``, two lists of the batch's inputs and targets.

        Every sample once per epoch, in batches of ``batch_size`` (the last one shorter,
        or left out with ``drop_last``): in order ``0 … n−1``, or with ``shuffle`` in a
        fresh order drawn from ``rng`` at every epoch, the same sequence of epochs for
        the same seed.
        """
        # TODO(kata 09): write DataLoader.__iter__
        raise NotImplementedError("kata 09 · DataLoader.__iter__ — see katas/09-batching/README.md")
