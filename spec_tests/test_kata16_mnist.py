"""Kata 16: MNIST — one-hot labels, mini-batches, the train/validation/test split, pixel scaling, load_mnist_data.

The file reading of ``load_mnist`` is given to the learner; its tests are marked
``given`` (they pass on the skeleton by design): IDX files built here, gzipped and
not, bad magic numbers, truncated files, the 'auto' order, the bundled sample.
The full MNIST is used only when ``$MNIST_DIR`` points at it (otherwise skipped).
"""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .api import int_to_onehot, load_mnist, load_mnist_data, minibatch_generator, normalize_pixels, train_val_test_split
from .arrays import assert_arrays_close, seeds
from .contract import contract

pytestmark = pytest.mark.kata16

IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file: 0, 0, type 0x08, ndim, the sizes as big-endian uint32, then the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def write_mnist(
    folder: Path, n_train: int = 6, n_test: int = 4, gz: bool = True, seed: int = 0
) -> dict[str, np.ndarray]:
    """Four small IDX files in ``folder``; returns the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in IDX_NAMES.items():
        data = idx_bytes(arrays[key])
        if gz:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / stem).write_bytes(data)
    return arrays


# ------------------------------------------------------------------ int_to_onehot


@contract("5.1")
@settings(max_examples=100)  # one formula on short label lists
@given(st.integers(1, 12).flatmap(lambda k: st.tuples(st.just(k), st.lists(st.integers(0, k - 1), max_size=20))))
def test_onehot_rows_are_rows_of_the_identity(case: tuple[int, list[int]]) -> None:
    """int_to_onehot(y, k) has shape (len(y), k) with a single 1 in row n, at column y[n]."""
    k, labels = case
    y = np.array(labels, dtype=np.int64)
    got = int_to_onehot(y, num_labels=k)
    assert got.shape == (len(y), k), f"int_to_onehot(y, {k}).shape: expected {(len(y), k)}, got {got.shape}"
    assert np.array_equal(got, np.eye(k)[y]), f"int_to_onehot({labels}, {k}): expected rows of the identity, got {got}"


@contract("5.1")
def test_onehot_defaults_to_ten_classes() -> None:
    """int_to_onehot([3, 9]) is 2×10 with ones at (0, 3) and (1, 9)."""
    got = int_to_onehot(np.array([3, 9]))
    expected = np.zeros((2, 10))
    expected[0, 3] = expected[1, 9] = 1.0
    assert np.array_equal(got, expected), (
        f"int_to_onehot([3, 9]): expected ones at (0, 3), (1, 9), got {np.argwhere(got)}"
    )


@contract("5.1")
@pytest.mark.parametrize("labels", [[0, 10], [-1, 2]], ids=["too-large", "negative"])
def test_onehot_rejects_labels_out_of_range(labels: list[int]) -> None:
    """A label outside [0, num_labels) raises ValueError (−1 must not silently become class 9)."""
    with pytest.raises(ValueError):
        int_to_onehot(np.array(labels), num_labels=10)


# ------------------------------------------------------------------ minibatch_generator


@contract("5.1")
@settings(max_examples=100)  # cheap, many sizes
@given(st.integers(0, 40), st.integers(1, 12), seeds)
def test_minibatches_are_full_disjoint_paired_and_drop_the_remainder(n: int, size: int, seed: int) -> None:
    """n // size batches of exactly ``size`` rows, no row twice, X and y rows kept together; the rest dropped."""
    X = np.arange(2 * n).reshape(n, 2)
    y = np.arange(n)
    batches = list(minibatch_generator(X, y, size, rng=seed))
    assert len(batches) == n // size, f"{n} rows in batches of {size}: expected {n // size} batches, got {len(batches)}"
    seen = []
    for xb, yb in batches:
        assert xb.shape == (size, 2), f"batch shapes: expected ({size}, 2), ({size},), got {xb.shape}, {yb.shape}"
        assert yb.shape == (size,), f"batch shapes: expected ({size}, 2), ({size},), got {xb.shape}, {yb.shape}"
        assert np.array_equal(xb[:, 0], 2 * yb), "a batch's X rows and y entries come from different samples"
        seen.extend(yb.tolist())
    assert len(set(seen)) == len(seen), f"a row appears twice in one epoch: {sorted(seen)}"


@contract("5.1", "1.3")
def test_minibatches_are_shuffled_and_reproducible_by_rng() -> None:
    """The same rng gives the same order; different seeds give different orders; the order is not 0, 1, 2, …"""
    X, y = np.zeros((100, 1)), np.arange(100)

    def order(seed: int) -> list[int]:
        return [int(v) for _, yb in minibatch_generator(X, y, 10, rng=seed) for v in yb]

    assert order(1) == order(1), "rng=1 twice: expected the same order"
    assert order(1) != order(2), "rng=1 and rng=2: expected different orders"
    assert order(1) != list(range(100)), "expected a shuffled order, got the rows in order"


@contract("5.1")
def test_minibatch_larger_than_the_data_yields_nothing() -> None:
    """With minibatch_size > n there is no full batch, so nothing is yielded."""
    assert list(minibatch_generator(np.zeros((5, 2)), np.zeros(5), 6, rng=0)) == [], "expected no batch"


# ------------------------------------------------------------------ train_val_test_split


@contract("5.3")
@settings(max_examples=100)  # cheap, many sizes
@given(st.integers(0, 60).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(0, n))), seeds)
def test_split_parts_are_disjoint_cover_x_and_have_the_asked_counts(case: tuple[int, int, int], seed: int) -> None:
    """Integer sizes are counts: test_size test rows, val_size validation rows, the rest for training; no row twice."""
    n, val, test = case
    if val + test > n:
        test = n - val
    X = np.arange(n * 3).reshape(n, 3)
    y = np.arange(n)
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(X, y, val_size=val, test_size=test, rng=seed)
    sizes = (len(y_train), len(y_val), len(y_test))
    assert sizes == (n - val - test, val, test), (
        f"part sizes of {n} rows: expected {(n - val - test, val, test)}, got {sizes}"
    )
    ids = np.concatenate([y_train, y_val, y_test])
    assert sorted(ids.tolist()) == list(range(n)), "the three parts must be disjoint and cover every row"
    for part_x, part_y in ((X_train, y_train), (X_val, y_val), (X_test, y_test)):
        assert np.array_equal(part_x[:, 0], 3 * part_y), "X rows and y entries were split apart"


@contract("5.1")
@pytest.mark.parametrize(
    ("val", "test", "expected"), [(0.1, 0.25, (65, 10, 25)), (0.15, 12, (73, 15, 12)), (0.29, 0.1, (61, 29, 10))]
)
def test_float_sizes_are_fractions_rounded(val: float, test: float, expected: tuple[int, int, int]) -> None:
    """A float f in (0, 1) means round(f · n) rows: on 100 rows 0.1 → 10, 0.25 → 25, 0.15 → 15, 0.29 → 29 (not 28)."""
    parts = train_val_test_split(np.zeros((100, 2)), np.arange(100), val_size=val, test_size=test, rng=0)
    sizes = tuple(len(p) for p in parts[3:])
    assert sizes == expected, f"sizes with val_size={val}, test_size={test}: expected {expected}, got {sizes}"


@contract("5.3")
def test_default_split_of_seventy_thousand_is_55000_5000_10000() -> None:
    """The classic split: on 70,000 digits the defaults give 55,000 / 5,000 / 10,000."""
    parts = train_val_test_split(np.zeros((70_000, 1), dtype=np.uint8), np.zeros(70_000, dtype=np.int64), rng=0)
    sizes = tuple(len(p) for p in parts[3:])
    assert sizes == (55_000, 5_000, 10_000), f"default split of 70,000: expected (55000, 5000, 10000), got {sizes}"


@contract("5.3", "1.3")
def test_split_is_reproducible_by_rng_and_random() -> None:
    """rng=4 twice gives the same parts; rng=5 other parts; and the test part is not simply the first rows."""
    X, y = np.zeros((50, 1)), np.arange(50)
    a = train_val_test_split(X, y, 10, 10, rng=4)[5]
    b = train_val_test_split(X, y, 10, 10, rng=4)[5]
    c = train_val_test_split(X, y, 10, 10, rng=5)[5]
    assert np.array_equal(a, b), "rng=4 twice: expected the same test part"
    assert not np.array_equal(np.sort(a), np.sort(c)), "rng=4 and rng=5: expected different test parts"
    assert not np.array_equal(np.sort(a), np.arange(10)), "expected a random test part, got a block of consecutive rows"
    assert not np.array_equal(np.sort(a), np.arange(40, 50)), (
        "expected a random test part, got a block of consecutive rows"
    )


@contract("5.3")
@pytest.mark.parametrize(
    ("val", "test"),
    [(60, 50), (-1, 10), (10, 1.5), (0.7, 0.5)],
    ids=["too-many", "negative", "fraction>1", "fractions>1"],
)
def test_split_rejects_sizes_that_do_not_fit(val: float, test: float) -> None:
    """Sizes that add up to more than n, a negative count or a fraction outside (0, 1) raise ValueError."""
    with pytest.raises(ValueError):
        train_val_test_split(np.zeros((100, 1)), np.arange(100), val_size=val, test_size=test, rng=0)


@contract("5.3")
def test_split_rejects_x_and_y_of_different_lengths() -> None:
    """X of 10 rows with y of 9 labels raises ValueError."""
    with pytest.raises(ValueError):
        train_val_test_split(np.zeros((10, 1)), np.arange(9), val_size=2, test_size=2, rng=0)


# ------------------------------------------------------------------ normalize_pixels


@contract("5.4")
@settings(max_examples=100)  # one formula
@given(st.floats(-5, 5), st.floats(0.1, 10), seeds)
def test_normalize_maps_0_255_linearly_onto_low_high(low: float, width: float, seed: int) -> None:
    """normalize_pixels(X, low, high) = low + (X/255)·(high − low): 0 → low, 255 → high, and linear in between."""
    high = low + width
    X = np.random.default_rng(seed).integers(0, 256, (3, 7), dtype=np.uint8)
    X[0, 0], X[0, 1] = 0, 255
    got = normalize_pixels(X, low, high)
    assert_arrays_close(
        got, low + X / 255.0 * (high - low), rtol=1e-12, atol=1e-12, what=f"normalize_pixels(X, {low}, {high})"
    )


@contract("5.4")
def test_normalize_defaults_to_minus_one_one() -> None:
    """With the defaults every pixel k becomes exactly ((k/255) − 0.5)·2: 0 → −1, 255 → 1."""
    X = np.arange(256, dtype=np.uint8).reshape(16, 16)
    got = normalize_pixels(X)
    assert_arrays_close(got, ((X / 255.0) - 0.5) * 2, rtol=0, atol=1e-15, what="normalize_pixels(0..255)")
    assert got[0, 0] == -1.0, f"0 and 255: expected −1 and 1, got {got[0, 0]} and {got[-1, -1]}"
    assert got[-1, -1] == 1.0, f"0 and 255: expected −1 and 1, got {got[0, 0]} and {got[-1, -1]}"


@contract("5.4")
def test_normalize_rejects_an_empty_range() -> None:
    """low ≥ high raises ValueError."""
    with pytest.raises(ValueError):
        normalize_pixels(np.zeros((2, 2), dtype=np.uint8), 1.0, 1.0)


# ------------------------------------------------------------------ load_mnist (given code)


@contract("5.2")
@pytest.mark.given
@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "plain"])
def test_load_mnist_reads_idx_files_training_digits_first(tmp_path: Path, gz: bool) -> None:
    """load_mnist('idx', data_dir) gives X (n, 784) uint8 and y (n,) ints: the training digits, then the test digits."""
    arrays = write_mnist(tmp_path, n_train=6, n_test=4, gz=gz)
    X, y = load_mnist("idx", data_dir=str(tmp_path))
    expected_X = np.concatenate([arrays["train_images"], arrays["test_images"]]).reshape(10, 784)
    expected_y = np.concatenate([arrays["train_labels"], arrays["test_labels"]])
    assert X.shape == (10, 784), f"X: expected (10, 784) uint8, got {X.shape} {X.dtype}"
    assert X.dtype == np.uint8, f"X: expected (10, 784) uint8, got {X.shape} {X.dtype}"
    assert np.array_equal(X, expected_X), "X: expected the IDX pixels, training digits first"
    assert np.issubdtype(y.dtype, np.integer), f"y: expected {expected_y}, got {y}"
    assert np.array_equal(y, expected_y), f"y: expected {expected_y}, got {y}"


@contract("5.2")
@pytest.mark.given
def test_load_mnist_reads_mnist_dir_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without data_dir, source 'idx' reads the folder named by $MNIST_DIR."""
    arrays = write_mnist(tmp_path, n_train=3, n_test=2)
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    _, y = load_mnist("idx")
    assert np.array_equal(y[:3], arrays["train_labels"]), (
        f"labels from $MNIST_DIR: expected {arrays['train_labels']}, got {y[:3]}"
    )


@contract("5.2")
@pytest.mark.given
@pytest.mark.parametrize(
    "damage",
    ["bad-magic", "wrong-type", "truncated-pixels", "truncated-header", "labels-of-other-length"],
)
def test_load_mnist_rejects_a_damaged_idx_file(tmp_path: Path, damage: str) -> None:
    """A bad magic number, a truncated file or labels that do not match the images raise ValueError, not garbage."""
    write_mnist(tmp_path, gz=False)
    path = tmp_path / IDX_NAMES["train_images"]
    data = path.read_bytes()
    if damage == "bad-magic":
        path.write_bytes(b"\x12\x34" + data[2:])
    elif damage == "wrong-type":
        path.write_bytes(data[:2] + b"\x42" + data[3:])
    elif damage == "truncated-pixels":
        path.write_bytes(data[:-100])
    elif damage == "truncated-header":
        path.write_bytes(data[:9])
    else:
        (tmp_path / IDX_NAMES["train_labels"]).write_bytes(idx_bytes(np.zeros(5, dtype=np.uint8)))
    with pytest.raises(ValueError):
        load_mnist("idx", data_dir=str(tmp_path))


@contract("5.2")
@pytest.mark.given
def test_load_mnist_idx_without_files_says_what_is_missing(tmp_path: Path) -> None:
    """source 'idx' on a folder without the files raises FileNotFoundError naming the file it looked for."""
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist("idx", data_dir=str(tmp_path))


@contract("5.2")
@pytest.mark.given
def test_load_mnist_auto_takes_idx_first_and_logs_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """'auto' uses the IDX files when they are there, and logs at INFO on its module's logger (wording is free)."""
    write_mnist(tmp_path, n_train=2, n_test=1)
    with caplog.at_level(logging.INFO):
        X, _ = load_mnist("auto", data_dir=str(tmp_path))
    assert X.shape == (3, 784), f"'auto' with IDX files present: expected their 3 digits, got {X.shape}"
    logged = [r.name for r in caplog.records if r.levelno == logging.INFO]
    assert any(name.endswith("data.mnist") for name in logged), f"expected an INFO log from data.mnist, got {logged}"


@contract("5.2")
@pytest.mark.given
def test_load_mnist_sample_is_5000_real_digits() -> None:
    """load_mnist("sample") gives the 5,000 digits the kit ships: (5000, 784) uint8, 500 of each label."""
    X, y = load_mnist("sample")
    assert X.shape == (5000, 784), f"sample X: expected (5000, 784) uint8, got {X.shape} {X.dtype}"
    assert X.dtype == np.uint8, f"sample X: expected (5000, 784) uint8, got {X.shape} {X.dtype}"
    assert np.bincount(y).tolist() == [500] * 10, f"sample labels: expected 500 of each digit, got {np.bincount(y)}"
    assert X.max() == 255, "sample pixels: expected the range 0..255"
    assert X.min() == 0, "sample pixels: expected the range 0..255"


@contract("5.2")
@pytest.mark.given
def test_load_mnist_rejects_an_unknown_source() -> None:
    """A source other than 'auto', 'idx', 'openml', 'sample' raises ValueError."""
    with pytest.raises(ValueError):
        load_mnist("kaggle")


@contract("5.2")
@pytest.mark.given
def test_full_mnist_from_mnist_dir() -> None:
    """With $MNIST_DIR set: 70,000 digits, the 60,000 training ones first, with MNIST's class counts (else skipped)."""
    load_mnist.resolve()  # a missing implementation fails here, before the skip
    if not os.environ.get("MNIST_DIR"):
        pytest.skip("needs the full MNIST in $MNIST_DIR")
    X, y = load_mnist("idx")
    assert X.shape == (70_000, 784), f"full MNIST: expected (70000, 784), got {X.shape}"
    counts = np.bincount(y[:60_000]).tolist()
    assert counts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], (
        f"training class counts: got {counts}"
    )


# ------------------------------------------------------------------ load_mnist_data (kata)


@contract("5.5")
def test_load_mnist_data_of_the_sample_is_feature_major_scaled_and_one_hot() -> None:
    """load_mnist_data(source='sample'): X (784, n) in [0, 1], y (10, n) one-hot; 3,200 / 800 / 1,000 digits."""
    data = load_mnist_data(source="sample", rng=0)
    expected = {"train": 3200, "val": 800, "test": 1000}
    for part, n in expected.items():
        X, Y = data[f"X_{part}"], data[f"y_{part}"]
        assert X.shape == (784, n), f"X_{part}.shape: expected (784, {n}), got {X.shape}"
        assert Y.shape == (10, n), f"y_{part}.shape: expected (10, {n}), got {Y.shape}"
        assert X.min() >= 0.0, f"X_{part}: expected pixels scaled to [0, 1]"
        assert X.max() <= 1.0, f"X_{part}: expected pixels scaled to [0, 1]"
        assert X.max() > 0.99, f"X_{part}: expected pixels scaled to [0, 1]"
        assert np.array_equal(Y.sum(axis=0), np.ones(n)), f"y_{part}: not one-hot"
        assert set(np.unique(Y)) <= {0.0, 1.0}, f"y_{part}: not one-hot"
    total = sum(data[f"y_{p}"].sum(axis=1) for p in expected)
    assert total.tolist() == [500.0] * 10, f"all parts together: expected every sample digit once, got {total}"


@contract("5.5")
def test_load_mnist_data_test_part_is_fixed_and_validation_follows_rng() -> None:
    """For the sample the 1,000 test digits are the same whatever rng; the validation part changes with rng."""
    a = load_mnist_data(source="sample", rng=0)
    b = load_mnist_data(source="sample", rng=1)
    assert np.array_equal(a["X_test"], b["X_test"]), "X_test with rng=0 and rng=1: expected the same digits"
    assert not np.array_equal(a["X_val"], b["X_val"]), "X_val with rng=0 and rng=1: expected different digits"
    again = load_mnist_data(source="sample", rng=0)
    assert np.array_equal(a["X_val"], again["X_val"]), "X_val with rng=0 twice: expected the same digits"


@contract("5.5")
def test_load_mnist_data_raw_keeps_pixels_and_integer_labels() -> None:
    """normalize=False keeps pixels 0..255; one_hot=False keeps integer labels (n,); val_size may be a count."""
    data = load_mnist_data(normalize=False, one_hot=False, val_size=500, source="sample", rng=0)
    assert data["X_val"].shape == (784, 500), f"X_val with val_size=500: expected (784, 500), got {data['X_val'].shape}"
    assert data["X_train"].max() == 255, f"X_train unnormalised: expected max 255, got {data['X_train'].max()}"
    assert data["y_train"].shape == (3500,), (
        f"y_train with one_hot=False: expected (3500,), got {data['y_train'].shape}"
    )
    assert np.issubdtype(data["y_train"].dtype, np.integer), f"y_train: expected ints, got {data['y_train'].dtype}"


@contract("5.5")
def test_load_mnist_data_from_idx_tests_on_the_t10k_digits(tmp_path: Path) -> None:
    """From IDX files the test part is exactly the t10k digits, and val_size a fraction of the training digits."""
    arrays = write_mnist(tmp_path, n_train=10, n_test=4)
    data = load_mnist_data(val_size=0.2, source="idx", data_dir=str(tmp_path), rng=0)
    expected_test = arrays["test_images"].reshape(4, 784).T / 255.0
    assert_arrays_close(data["X_test"], expected_test, rtol=0, atol=1e-12, what="X_test from the t10k file")
    assert data["X_val"].shape == (784, 2), (
        f"10 training digits, val_size=0.2: expected 8 / 2, got {data['X_train'].shape[1]} / {data['X_val'].shape[1]}"
    )
    assert data["X_train"].shape == (784, 8), (
        f"10 training digits, val_size=0.2: expected 8 / 2, got {data['X_train'].shape[1]} / {data['X_val'].shape[1]}"
    )
    assert np.array_equal(np.argmax(data["y_test"], axis=0), arrays["test_labels"]), "y_test: expected the t10k labels"


@contract("5.2")
@pytest.mark.given
def test_load_mnist_defaults_to_auto(tmp_path: Path) -> None:
    """load_mnist(data_dir=…) without a source is 'auto': with IDX files there, it reads them."""
    write_mnist(tmp_path, n_train=2, n_test=1)
    X, y = load_mnist(data_dir=str(tmp_path))
    assert X.shape == (3, 784), f"load_mnist(data_dir) with IDX files present: expected their 3 digits, got {X.shape}"
    assert y.shape == (3,), f"load_mnist(data_dir): expected 3 labels, got {y.shape}"


@contract("5.5")
def test_load_mnist_data_defaults_to_auto(tmp_path: Path) -> None:
    """load_mnist_data(data_dir=…) without a source is 'auto': with IDX files there, its test part is theirs."""
    write_mnist(tmp_path, n_train=10, n_test=4)
    data = load_mnist_data(data_dir=str(tmp_path), rng=0)
    assert data["X_test"].shape == (784, 4), (
        f"test part of the IDX files: expected (784, 4), got {data['X_test'].shape}"
    )
    assert data["X_train"].shape[1] + data["X_val"].shape[1] == 10, (
        "train and validation should hold the 10 training digits"
    )


@contract("5.1")
def test_onehot_is_float64() -> None:
    """int_to_onehot gives float64 whatever the labels' integer dtype (uint8 labels as in the IDX files)."""
    for labels in (np.array([3, 9]), np.array([3, 9], dtype=np.uint8), np.array([3, 9], dtype=np.int32)):
        got = int_to_onehot(labels)
        assert got.dtype == np.float64, f"int_to_onehot of {labels.dtype} labels: expected float64, got {got.dtype}"


@contract("5.3")
def test_an_empty_set_splits_into_three_empty_parts() -> None:
    """train_val_test_split of 0 rows with sizes 0 gives three empty parts (not an error), X keeping its width."""
    parts = train_val_test_split(np.zeros((0, 3)), np.zeros(0, dtype=np.int64), val_size=0, test_size=0, rng=0)
    assert len(parts) == 6, f"expected (X_train, X_val, X_test, y_train, y_val, y_test), got {len(parts)} items"
    assert [len(p) for p in parts] == [0] * 6, f"expected six empty arrays, got lengths {[len(p) for p in parts]}"
    assert all(p.shape == (0, 3) for p in parts[:3]), (
        f"X parts: expected shape (0, 3), got {[p.shape for p in parts[:3]]}"
    )
