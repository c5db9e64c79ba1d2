"""One epoch of MNIST with the reference's NeuralNetwork against PyTorch, in the same run.

    MNIST_DIR=/path/to/idx python benchmarks/numpy_vs_torch.py [--batches N]

The architecture of ``create_mnist_model()`` (784→128→64→10, ReLU, softmax
cross-entropy, mini-batch SGD, batch 64) for one epoch on the 60,000 training digits
(or the 5,000-digit sample when ``$MNIST_DIR`` is not set, which the output says):

- ``reference``: ``NeuralNetwork.train_step`` in float32 and float64;
- ``matmuls only``: the eight matrix products of a step (three forward, five backward)
  on the same shapes, the floor that any NumPy implementation pays;
- ``torch``: the same network in PyTorch on the CPU, same batch, dtype and 2 threads
  (``pip install torch``; skipped with a note when it is not installed).

Both NumPy and PyTorch get 2 threads. Prints seconds per epoch and the ratios.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")  # before NumPy loads: the same 2 threads as PyTorch
os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reference.data.mnist import load_mnist  # noqa: E402
from reference.vectorized.network import create_mnist_model  # noqa: E402

BATCH = 64


def digits() -> tuple[np.ndarray, np.ndarray, str]:
    """Training pixels in [0, 1] (n, 784) and labels; the full training set when ``$MNIST_DIR`` is set."""
    if os.environ.get("MNIST_DIR"):
        X, y = load_mnist("idx")
        return X[:60000] / 255.0, y[:60000], "60,000 MNIST training digits"
    X, y = load_mnist("sample")
    return X / 255.0, y, f"the {len(X):,}-digit sample (set MNIST_DIR for the full set)"


def reference_epoch(X: np.ndarray, y: np.ndarray, dtype: type) -> float:
    net = create_mnist_model(rng=0, dtype=dtype)
    order = np.random.default_rng(0).permutation(len(X))
    Xt = np.ascontiguousarray(X[order].T, dtype=dtype)
    Yt = np.eye(10, dtype=dtype)[y[order]].T
    start = time.perf_counter()
    for i in range(0, len(X) - BATCH + 1, BATCH):
        net.train_step(Xt[:, i : i + BATCH], Yt[:, i : i + BATCH])
    return time.perf_counter() - start


def matmul_epoch(n: int, dtype: type) -> float:
    """The eight products of one step, feature-major as NeuralNetwork computes them, for an epoch."""
    rng = np.random.default_rng(0)
    sizes = [784, 128, 64, 10]
    W = [rng.standard_normal((o, i)).astype(dtype) for i, o in itertools.pairwise(sizes)]
    A = [rng.standard_normal((s, BATCH)).astype(dtype) for s in sizes]
    start = time.perf_counter()
    for _ in range(n // BATCH):
        for k in range(3):
            W[k] @ A[k]  # forward
        for k in range(3):
            A[k + 1] @ A[k].T  # dW_k = dZ_k · A_kᵀ (dZ has A_{k+1}'s shape)
        for k in (2, 1):
            W[k].T @ A[k + 1]  # dA_k = W_kᵀ · dZ_k
    return time.perf_counter() - start


def torch_epoch(X: np.ndarray, y: np.ndarray, dtype: str) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    torch.manual_seed(0)
    kind = getattr(torch, dtype)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    ).to(kind)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = np.random.default_rng(0).permutation(len(X))
    inputs = torch.from_numpy(np.ascontiguousarray(X[order])).to(kind)
    targets = torch.from_numpy(y[order].astype(np.int64))
    start = time.perf_counter()
    for i in range(0, len(X) - BATCH + 1, BATCH):
        optimizer.zero_grad()
        loss_fn(model(inputs[i : i + BATCH]), targets[i : i + BATCH]).backward()
        optimizer.step()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="epochs per measurement; the best is shown (default 3)")
    args = parser.parse_args(argv)
    X, y, what = digits()
    print(f"one epoch, batch {BATCH}, 784→128→64→10, on {what}; 2 threads; best of {args.repeat}")
    rows = {
        "reference float32": min(reference_epoch(X, y, np.float32) for _ in range(args.repeat)),
        "reference float64": min(reference_epoch(X, y, np.float64) for _ in range(args.repeat)),
        "matmuls only float32": min(matmul_epoch(len(X), np.float32) for _ in range(args.repeat)),
        "matmuls only float64": min(matmul_epoch(len(X), np.float64) for _ in range(args.repeat)),
    }
    for dtype in ("float32", "float64"):
        times = [torch_epoch(X, y, dtype) for _ in range(args.repeat)]
        if times[0] is not None:
            rows[f"torch {dtype}"] = min(times)
    for name, seconds in rows.items():
        print(f"  {name:<22} {seconds:7.3f} s/epoch")
    ref32, ref64 = rows["reference float32"], rows["reference float64"]
    print(f"reference float32 / its matmuls: {ref32 / rows['matmuls only float32']:.2f}×")
    print(f"reference float64 / float32:     {ref64 / ref32:.2f}×")
    if "torch float32" in rows:
        print(f"torch float32 / reference float32: {rows['torch float32'] / ref32:.2f}×")
    else:
        print("torch: not installed (pip install torch) — no comparison")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
