"""MNIST: loading the digits (given), and splitting and scaling them (kata 16).

``load_mnist`` is given: it reads the four original IDX files, or downloads OpenML's
``mnist_784``, or falls back on the 5,000 real digits that the kit ships
(``katas/data/mnist-sample.npz``, offline). What a learner writes is what comes after: a split into
disjoint training, validation and test parts, pixel scaling, and ``load_mnist_data`` for the deep
network of kata 15.

The IDX format (LeCun's): a big-endian header, then the raw values::

    bytes 0-1  zero
    byte  2    the type of the values: 0x08 = unsigned byte
    byte  3    the number of dimensions d
    then d big-endian uint32 sizes, then the values, row-major

so the training images start with ``00 00 08 03  00 00 ea 60  00 00 00 1c  00 00 00 1c``
(60,000 × 28 × 28) and their labels with ``00 00 08 01  00 00 ea 60``.
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
import os
import warnings
from pathlib import Path
from typing import Union

import numpy as np

from ..vectorized.modules import RngLike
from .batching import int_to_onehot

log = logging.getLogger(__name__)

#: The four files of the original distribution, each possibly gzipped (``.gz``).
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
SOURCES = ("idx", "openml", "sample")
#: IDX type codes → big-endian NumPy dtypes.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
HOW_TO_GET_MNIST = (
    "To get MNIST: download the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into a folder and set MNIST_DIR to it "
    "(or pass data_dir=...); or allow network access and install scikit-learn for source='openml'; "
    "or use source='sample' (5,000 digits shipped with the kit in katas/data/, offline)."
)
#: The kit's 5,000-digit sample, next to the catalogue in the ``katas`` package.
SAMPLE_FILE = ("data", "mnist-sample.npz")

Size = Union[int, float]


# ── given code: loading the digits ──


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """The array stored in one IDX file, gzipped or not; a bad header or size → ``ValueError``."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: a broken gzip stream ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex(' ') or 'empty'})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, needs {header})")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "has trailing bytes"
        raise ValueError(f"{path}: {problem}: {len(raw)} bytes, the header {shape} asks for {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _idx_path(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no {stem} or {stem}.gz in {folder}")


def _load_idx(data_dir: str | os.PathLike[str] | None) -> tuple[np.ndarray, np.ndarray, int]:
    folder = data_dir if data_dir is not None else os.environ.get("MNIST_DIR")
    if not folder:
        raise FileNotFoundError("source='idx' needs data_dir=... or the environment variable MNIST_DIR")
    folder = Path(folder)
    parts = {key: read_idx(_idx_path(folder, stem)) for key, stem in IDX_FILES.items()}
    for part in ("train", "test"):
        images, labels = parts[f"{part}_images"], parts[f"{part}_labels"]
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise ValueError(f"{folder}: {part} images must be n × 28 × 28 bytes, got {images.shape} {images.dtype}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(f"{folder}: {len(images)} {part} images but labels of shape {labels.shape}")
    X = np.concatenate([parts["train_images"], parts["test_images"]]).reshape(-1, 784)
    y = np.concatenate([parts["train_labels"], parts["test_labels"]]).astype(np.int64)
    return X, y, len(parts["test_labels"])


def _load_openml(data_dir: str | os.PathLike[str] | None) -> tuple[np.ndarray, np.ndarray, int]:
    try:
        from sklearn.datasets import fetch_openml
    except ImportError as exc:
        raise FileNotFoundError("source='openml' needs scikit-learn (pip install scikit-learn)") from exc
    cache = data_dir or os.environ.get("NN_KATAS_DATA") or Path.home() / ".cache" / "nn-katas"
    try:
        with warnings.catch_warnings():  # scikit-learn warns before its retry; the error below says it all
            warnings.simplefilter("ignore")
            X, y = fetch_openml(
                "mnist_784", version=1, return_X_y=True, as_frame=False, data_home=str(cache), n_retries=1, delay=0.1
            )
    except OSError as exc:  # no network (URLError is an OSError), or an unwritable cache
        raise FileNotFoundError(f"source='openml' could not fetch mnist_784: {exc}") from exc
    return np.asarray(X, dtype=np.uint8), np.asarray(y).astype(np.int64), 10_000


def _load_sample() -> tuple[np.ndarray, np.ndarray, int]:
    spec = importlib.util.find_spec("katas")  # found, not imported: the data sits next to the catalogue
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("source='sample' needs the nn-katas kit (its katas package) on the path")
    path = Path(next(iter(spec.submodule_search_locations)), *SAMPLE_FILE)
    if not path.is_file():
        raise FileNotFoundError(f"source='sample': the kit's sample {path} is missing")
    with np.load(path) as sample:
        images, labels = sample["images"], sample["labels"]
    return images.reshape(len(images), 784), labels.astype(np.int64), 0


_LOADERS = {"idx": _load_idx, "openml": _load_openml, "sample": lambda data_dir: _load_sample()}


def _load(source: str, data_dir: str | os.PathLike[str] | None) -> tuple[np.ndarray, np.ndarray, int, str]:
    """X, y, how many of the last digits are MNIST's own test digits, and the source used."""
    if source not in (*SOURCES, "auto"):
        raise ValueError(f"source must be one of 'auto', 'idx', 'openml', 'sample', got {source!r}")
    if source != "auto":
        return (*_LOADERS[source](data_dir), source)
    reasons = []
    for name in SOURCES:
        try:
            X, y, n_test = _LOADERS[name](data_dir)
        except FileNotFoundError as exc:
            reasons.append(f"{name}: {exc}")
            continue
        log.info("load_mnist: using source %r (%d digits)", name, len(y))
        return X, y, n_test, name
    raise FileNotFoundError("MNIST not found (" + "; ".join(reasons) + "). " + HOW_TO_GET_MNIST)


def load_mnist(source: str = "auto", data_dir: str | os.PathLike[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST as ``X (n, 784)`` uint8 pixels and ``y (n,)`` int labels.

    ``'idx'``: the four IDX files (gzipped or not) in ``data_dir`` or ``$MNIST_DIR``,
    the 60,000 training digits then the 10,000 test digits. ``'openml'``: OpenML's
    ``mnist_784`` (the same order; needs the network once, then cached). ``'sample'``:
    the 5,000 digits the kit ships (500 of each label, offline). ``'auto'`` tries them in that order and
    logs the one it used; a corrupt IDX file is an error, not a reason to move on.
    Nothing found → ``FileNotFoundError`` that says how to get the data.
    """
    X, y, _, _ = _load(source, data_dir)
    return X, y


# ------------------------------------------------------------------ the kata


def _count(size: object, n: int, name: str) -> int:  # kata 16
    """A part's size as a count: an int is itself (0 ≤ size ≤ n), a float f in (0, 1) is round(f · n).

    A bool, or anything that is not a real number → ``TypeError``; an int out of
    [0, n] or a float outside (0, 1) → ``ValueError``.
    """
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be an int (a count) or a float (a fraction), got {type(size).__name__}")
    if isinstance(size, (float, np.floating)):
        if not 0.0 < size < 1.0:
            raise ValueError(f"{name} as a fraction must be in (0, 1), got {size}")
        return round(float(size) * n)
    if not 0 <= size <= n:
        raise ValueError(f"{name} must be a count in [0, {n}], got {size}")
    return int(size)


def train_val_test_split(
    X: np.ndarray, y: np.ndarray, val_size: Size = 5000, test_size: Size = 10000, rng: RngLike = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # kata 16
    """``(X_train, X_val, X_test, y_train, y_val, y_test)``: three disjoint parts that cover X.

    Sizes are counts (ints) or fractions (floats in (0, 1), meaning round(f · n)
    samples); the training part gets what is left. Every row lands in exactly one
    part, still paired with its label; which rows go where is random, drawn from
    ``rng`` (the same seed, the same split). ``X`` and ``y`` of different lengths, or
    sizes that add up to more than n → ``ValueError``.

    >>> X = np.arange(20).reshape(10, 2); y = np.arange(10)
    >>> [len(part) for part in train_val_test_split(X, y, 2, 0.3, rng=0)[:3]]
    [5, 2, 3]
    """
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must have the same length, got {n} and {len(y)}")
    n_val = _count(val_size, n, "val_size")
    n_test = _count(test_size, n, "test_size")
    if n_val + n_test > n:
        raise ValueError(f"val_size + test_size = {n_val} + {n_test} is more than the {n} samples")
    order = np.random.default_rng(rng).permutation(n)
    test, val, train = order[:n_test], order[n_test : n_test + n_val], order[n_test + n_val :]
    return X[train], X[val], X[test], y[train], y[val], y[test]


def normalize_pixels(
    X: np.ndarray, low: float = -1.0, high: float = 1.0, *, dtype: object = np.float64
) -> np.ndarray:  # kata 16
    """Map pixels 0..255 linearly onto [low, high]: ``low + (X / 255) · (high − low)``.

    0 → low and 255 → high exactly (for the defaults this is the classwork network's
    ``((X / 255) − 0.5) · 2``). Returns a new float array of ``dtype``. ``low >= high``,
    or pixels outside [0, 255] → ``ValueError``.

    >>> normalize_pixels(np.array([0, 255], dtype=np.uint8))
    array([-1.,  1.])
    """
    if not low < high:
        raise ValueError(f"need low < high, got low={low}, high={high}")
    X = np.asarray(X)
    if X.size and (X.min() < 0 or X.max() > 255):
        raise ValueError(f"pixels must be in [0, 255], got min {X.min()} and max {X.max()}")
    scaled = X.astype(dtype) / np.dtype(dtype).type(255)
    scaled *= high - low
    scaled += low
    return scaled


def load_mnist_data(
    normalize: bool = True,
    one_hot: bool = True,
    val_size: Size = 0.2,
    source: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    rng: RngLike = None,
) -> dict[str, np.ndarray]:  # kata 16
    """The deep network's data, FEATURE-major for ``NeuralNetwork``: ``X (784, n)`` and ``y (10, n)``.

    Keys ``X_train, y_train, X_val, y_val, X_test, y_test``. The test part is MNIST's
    own test digits (for ``'sample'``, which has none, a fixed 1,000 of its 5,000:
    every fifth digit, the same on every call); the validation part is ``val_size``
    (a fraction or a count) of the remaining training digits, drawn with ``rng``.
    ``normalize`` scales pixels to [0, 1] (else they stay uint8); ``one_hot`` turns
    labels into one-hot columns (else they stay ints of shape (n,)).
    """
    X, y, n_test, used = _load(source, data_dir)
    if used == "sample":
        is_test = np.zeros(len(y), dtype=bool)
        is_test[4::5] = True
    else:
        is_test = np.arange(len(y)) >= len(y) - n_test
    X_train, X_val, _, y_train, y_val, _ = train_val_test_split(
        X[~is_test], y[~is_test], val_size=val_size, test_size=0, rng=rng
    )
    parts = {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X[is_test], y[is_test])}
    data = {}
    for name, (images, labels) in parts.items():
        data[f"X_{name}"] = (normalize_pixels(images, 0.0, 1.0) if normalize else images).T
        data[f"y_{name}"] = int_to_onehot(labels).T if one_hot else labels
    return data
