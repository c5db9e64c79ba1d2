"""What a neuron written with ``sum(...)`` costs against the given ``dot``, on the quick MNIST demo's epoch.

    python benchmarks/neuron_sum_vs_dot.py [--runs 3] [--samples 50]

Kata 04 lets the learner choose the weighted sum of ``Neuron.__call__``: Python's
``sum((w * xi for w, xi in zip(weights, x)), bias)`` (two nodes per input) or the given
``dot(weights, x)`` (one node for the whole sum). Both pass the spec. This script trains
the workload of ``python -m kit.demos.value_mnist quick`` (784→16→10, 50 digits, batches
of 5, lr 0.05) for one epoch with each, interleaved, ``--runs`` times, from the same
weights; it prints each run's seconds with the load average before it, and the ratio
run by run. It checks that both give the same batch losses. Measured here, never
asserted in a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kit.demos.value_mnist import digits, load
from reference.autograd.value import Value
from reference.nn.neuron import ACTIVATIONS, Neuron, as_inputs
from reference.nn.value_mlp import ValueMLP, train_step_value_mlp

HIDDEN, LR, BATCH = 16, 0.05, 5


def sum_call(self: Neuron, x: list[Value | float]) -> Value:
    """``Neuron.__call__`` with Python's ``sum`` in place of ``dot``: the other choice kata 04 allows."""
    x = as_inputs(x, len(self.weights))
    out = sum((w * xi for w, xi in zip(self.weights, x, strict=True)), self.bias)
    apply = ACTIVATIONS[self.activation]
    return out if apply is None else apply(out)


def epoch(x_train: list, y_train: list, weights: list[float]) -> tuple[float, list[float]]:
    """Seconds for one epoch from ``weights``, and the mean loss of every batch."""
    model = ValueMLP([784, HIDDEN, 10], rng=random.Random(0))
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    start = time.perf_counter()
    losses = [
        train_step_value_mlp(model, x_train[i : i + BATCH], y_train[i : i + BATCH], LR)
        for i in range(0, len(y_train), BATCH)
    ]
    return time.perf_counter() - start, losses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each neuron (default 3)")
    parser.add_argument("--samples", type=int, default=50, help="training digits per epoch (default 50, as quick)")
    args = parser.parse_args(argv)
    x_train, y_train, _, _ = digits(load("reference"), args.samples, 0, seed=0)
    weights = [p.data for p in ValueMLP([784, HIDDEN, 10], rng=random.Random(0)).parameters()]
    print(f"one epoch of value_mnist quick: {args.samples} digits, [784, {HIDDEN}, 10], batch {BATCH}, lr {LR}")
    print(f"{'run':>3}  {'neuron':<6} {'seconds':>8}  load average before")
    seconds: dict[str, list[float]] = {"dot": [], "sum": []}
    for run in range(1, args.runs + 1):
        losses = {}
        for name in ("dot", "sum"):
            load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
            if name == "sum":
                with mock.patch.object(Neuron, "__call__", sum_call):
                    took, losses[name] = epoch(x_train, y_train, weights)
            else:
                took, losses[name] = epoch(x_train, y_train, weights)
            seconds[name].append(took)
            print(f"{run:>3}  {name:<6} {took:8.2f}  {load_before}")
        worst = max(abs(a - b) for a, b in zip(losses["dot"], losses["sum"], strict=True))
        print(f"     same batch losses: they differ by at most {worst:.1e}")
    ratios = [s / d for s, d in zip(seconds["sum"], seconds["dot"], strict=True)]
    print(
        f"sum / dot, run by run: {', '.join(f'{r:.1f}×' for r in ratios)}; "
        f"median {statistics.median(ratios):.1f}×, range {min(ratios):.1f}–{max(ratios):.1f}×"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
