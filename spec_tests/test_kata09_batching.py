"""Kata 09 · Dataset and DataLoader: mini-batches that visit every sample once per epoch."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .api import DataLoader, Dataset
from .contract import contract

pytestmark = pytest.mark.kata09

SIZES = st.integers(0, 40)
BATCH = st.integers(1, 12)
SEEDS = st.integers(0, 2**32 - 1)


def numbered(n: int) -> Dataset:
    """Sample i is ([i, -i], 10·i): every input knows its index, every target matches its input."""
    return Dataset([[i, -i] for i in range(n)], [10 * i for i in range(n)])


def epoch(loader: object) -> list[tuple[list, list]]:
    return [(xs, ys) for xs, ys in loader]


def indices(batches: list[tuple[list, list]]) -> list[int]:
    """The sample indices of an epoch, in the order they came, checking that targets travel with their inputs."""
    out = []
    for xs, ys in batches:
        assert isinstance(xs, list), f"a batch is two lists (inputs, targets), got {type(xs).__name__} inputs"
        assert isinstance(ys, list), f"a batch is two lists (inputs, targets), got {type(ys).__name__} targets"
        assert len(xs) == len(ys), f"a batch has {len(xs)} inputs but {len(ys)} targets"
        for x, y in zip(xs, ys, strict=True):
            assert y == 10 * x[0], f"input {x} came with target {y}, expected {10 * x[0]}"
            out.append(x[0])
    return out


# --------------------------------------------------------------------- Dataset


@contract("3.9")
@given(SIZES)
def test_dataset_has_a_length_and_returns_pairs(n: int) -> None:
    """len(Dataset(X, y)) == len(X), and dataset[i] == (X[i], y[i])."""
    data = numbered(n)
    assert len(data) == n, f"len(dataset): expected {n}, got {len(data)}"
    for i in range(n):
        assert tuple(data[i]) == ([i, -i], 10 * i), f"dataset[{i}]: expected ([{i}, {-i}], {10 * i}), got {data[i]}"


# A small input space: 50 examples cover it; the ci profile's 200 would only repeat it.
@contract("3.9")
@settings(max_examples=50)
@given(st.tuples(SIZES, SIZES).filter(lambda sizes: sizes[0] != sizes[1]))
def test_dataset_of_mismatched_lengths_is_refused(sizes: tuple[int, int]) -> None:
    """X and y of different lengths → ValueError."""
    n_x, n_y = sizes
    with pytest.raises(ValueError):
        Dataset([[0.0]] * n_x, [0] * n_y)


# ------------------------------------------------------------------ DataLoader


@contract("3.9")
@given(SIZES, BATCH, st.booleans(), st.booleans(), SEEDS)
def test_batches_partition_the_data(n: int, batch_size: int, shuffle: bool, drop_last: bool, seed: int) -> None:
    """Each epoch visits every sample once, in batches of batch_size (a smaller last one unless drop_last)."""
    loader = DataLoader(
        numbered(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, rng=random.Random(seed)
    )
    batches = epoch(loader)
    seen = indices(batches)
    full = n - n % batch_size
    expected_count = full if drop_last else n
    assert len(seen) == expected_count, f"n={n}, batch_size={batch_size}, drop_last={drop_last}: {len(seen)} samples"
    assert len(set(seen)) == len(seen), f"a sample came twice in one epoch: {sorted(seen)}"
    sizes = [len(xs) for xs, _ in batches]
    expected_sizes = [batch_size] * (n // batch_size) + ([] if drop_last or n % batch_size == 0 else [n % batch_size])
    assert sizes == expected_sizes, f"n={n}, batch_size={batch_size}, drop_last={drop_last}: batch sizes {sizes}"
    if not drop_last:
        assert sorted(seen) == list(range(n)), "an epoch must visit every sample"


@contract("3.9")
@given(SIZES, BATCH, st.booleans())
def test_len_is_the_number_of_batches(n: int, batch_size: int, drop_last: bool) -> None:
    """len(loader) = n // batch_size with drop_last, ⌈n / batch_size⌉ without, and iterating gives that many."""
    loader = DataLoader(numbered(n), batch_size=batch_size, drop_last=drop_last)
    expected = n // batch_size if drop_last else -(-n // batch_size)
    assert len(loader) == expected, f"len(DataLoader(n={n}, batch_size={batch_size}, drop_last={drop_last}))"
    assert len(epoch(loader)) == expected, f"iterating gave {len(epoch(loader))} batches, len() says {expected}"


@contract("3.9")
@given(SIZES, BATCH)
def test_without_shuffle_the_order_is_the_datasets(n: int, batch_size: int) -> None:
    """shuffle=False visits samples 0, 1, 2, … in order, every epoch."""
    loader = DataLoader(numbered(n), batch_size=batch_size)
    for _ in range(2):
        seen = indices(epoch(loader))
        assert seen == list(range(n)), f"expected the order 0…{n - 1}, got {seen}"


@contract("3.9")
def test_the_last_partial_batch_is_kept_by_default() -> None:
    """10 samples in batches of 3: sizes 3, 3, 3, 1 by default; 3, 3, 3 with drop_last=True."""
    sizes = [len(xs) for xs, _ in DataLoader(numbered(10), batch_size=3)]
    assert sizes == [3, 3, 3, 1], f"default (drop_last=False): expected batch sizes [3, 3, 3, 1], got {sizes}"
    sizes = [len(xs) for xs, _ in DataLoader(numbered(10), batch_size=3, drop_last=True)]
    assert sizes == [3, 3, 3], f"drop_last=True: expected [3, 3, 3], got {sizes}"


@contract("3.9")
@given(st.integers(0, 10), st.integers(1, 5), st.booleans())
def test_a_batch_larger_than_the_dataset(n: int, extra: int, shuffle: bool) -> None:
    """batch_size > len(dataset): one partial batch with every sample (none for no data), or none with drop_last."""
    batch_size = n + extra
    sizes = [len(xs) for xs, _ in DataLoader(numbered(n), batch_size=batch_size, shuffle=shuffle)]
    assert sizes == ([n] if n else []), f"n={n}, batch_size={batch_size}: expected one batch of {n}, got sizes {sizes}"
    loader = DataLoader(numbered(n), batch_size=batch_size, shuffle=shuffle, drop_last=True)
    assert len(loader) == 0, f"with drop_last, len() must be 0, got {len(loader)}"
    assert epoch(loader) == [], "with drop_last, no batch at all"


@contract("3.9")
@given(SEEDS)
def test_shuffling_draws_a_new_order_every_epoch(seed: int) -> None:
    """With shuffle=True, three epochs over 20 samples come in three different orders (all permutations)."""
    loader = DataLoader(numbered(20), batch_size=4, shuffle=True, rng=random.Random(seed))
    orders = [indices(epoch(loader)) for _ in range(3)]
    for order in orders:
        assert sorted(order) == list(range(20)), f"an epoch is not a permutation: {order}"
    # two equal orders by chance: probability 3/20! ≈ 1e-18
    assert len({tuple(o) for o in orders}) == 3, f"epochs repeated an order: {orders}"


@contract("3.9", "1.3")
@given(SEEDS)
def test_the_same_seed_gives_the_same_sequence_of_epochs(seed: int) -> None:
    """Two loaders with random.Random(seed) shuffle identically, epoch after epoch."""
    a = DataLoader(numbered(15), batch_size=4, shuffle=True, rng=random.Random(seed))
    b = DataLoader(numbered(15), batch_size=4, shuffle=True, rng=random.Random(seed))
    for e in range(3):
        assert indices(epoch(a)) == indices(epoch(b)), f"epoch {e} differs between two loaders seeded {seed}"


@contract("3.9", "1.3")
def test_shuffling_uses_the_given_rng() -> None:
    """Different seeds give different orders (20 samples: equal by chance with probability 1/20!)."""
    a = indices(epoch(DataLoader(numbered(20), shuffle=True, rng=random.Random(1))))
    b = indices(epoch(DataLoader(numbered(20), shuffle=True, rng=random.Random(2))))
    assert a != b, "random.Random(1) and random.Random(2) gave the same order"


@contract("3.9")
@given(SIZES, BATCH, SEEDS)
def test_shuffling_leaves_the_dataset_alone(n: int, batch_size: int, seed: int) -> None:
    """Iterating with shuffle=True reorders the batches, not the data: X and y stay as they were."""
    inputs, y = [[i, -i] for i in range(n)], [10 * i for i in range(n)]
    for _ in DataLoader(Dataset(inputs, y), batch_size=batch_size, shuffle=True, rng=random.Random(seed)):
        pass
    assert inputs == [[i, -i] for i in range(n)], "the dataset's inputs were reordered or changed"
    assert y == [10 * i for i in range(n)], "the dataset's targets were reordered or changed"


@contract("3.9", "1.4")
@given(st.integers(1, 20), BATCH, st.booleans(), SEEDS)
def test_numpy_rows_work_as_inputs(n: int, batch_size: int, shuffle: bool, seed: int) -> None:
    """A Dataset of a NumPy array and label vector batches like lists: each row with its own label."""
    rows = np.arange(3 * n, dtype=np.float64).reshape(n, 3)
    y = np.arange(n) * 10
    loader = DataLoader(Dataset(rows, y), batch_size=batch_size, shuffle=shuffle, rng=random.Random(seed))
    seen = []
    for xs, ys in loader:
        assert isinstance(xs, list), f"a batch is two lists, also for NumPy data: got {type(xs).__name__} inputs"
        assert isinstance(ys, list), f"a batch is two lists, also for NumPy data: got {type(ys).__name__} targets"
        for row, label in zip(xs, ys, strict=True):
            i = int(label) // 10
            assert list(row) == list(rows[i]), f"row {list(row)} came with label {label}, expected {list(rows[i])}"
            seen.append(i)
    assert sorted(seen) == list(range(n)), f"every NumPy row once per epoch, got {sorted(seen)}"


# A small input space: 50 examples cover it; the ci profile's 200 would only repeat it.
@contract("3.9")
@settings(max_examples=50)
@given(st.integers(-1000, 0))
def test_batch_size_below_one_is_refused(batch_size: int) -> None:
    """batch_size < 1 → ValueError."""
    with pytest.raises(ValueError):
        DataLoader(numbered(4), batch_size=batch_size)


@contract("3.9")
@given(SIZES)
def test_the_default_batch_size_is_one(n: int) -> None:
    """DataLoader(dataset) without batch_size yields one sample per batch, in order: the contract's batch_size=1."""
    loader = DataLoader(numbered(n))
    batches = epoch(loader)
    assert [len(xs) for xs, _ in batches] == [1] * n, f"default batches of {n} samples should each hold one"
    assert indices(batches) == list(range(n)), "the default loader keeps the dataset's order"
    assert len(loader) == n, f"len(DataLoader(dataset of {n})) should be {n}, got {len(loader)}"
