"""Forward and backward of a 784→16→10 network built by hand from Values, engine against engine.

    python benchmarks/autograd_engine.py [--samples N] [--engines reference,closures,micrograd]

Each sample builds the whole graph with explicit operations (Σ wᵢ·xᵢ as a chain of
``*`` and ``+``, relu, a squared-error loss), calls ``backward()`` and drops the graph.
The garbage collector stays on, as it is for a user. For every engine it prints the
nodes per sample, seconds per sample, nodes per second, and the share of the time spent in
the cycle collector: an engine whose nodes hold closures over themselves (micrograd's
``_backward``) leaves every graph in reference cycles that only the collector frees.

Engines: ``reference`` (this kit), ``closures`` (``tests/alt_engine``: the same contract
written micrograd's way, with ``_backward`` closures) and ``micrograd`` (the package,
``pip install micrograd``; skipped with a note when it is not installed).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import itertools
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = {
    "reference": "reference.autograd.value",
    "closures": "alt_engine.autograd.value",
    "micrograd": "micrograd.engine",
}


def network(value: type, rng: random.Random) -> list[list[tuple[list, object]]]:
    """Weights of a 784→16→10 network as Values: per layer, per neuron, (weights, bias)."""
    sizes = [784, 16, 10]
    return [
        [([value(rng.uniform(-1, 1) * (2 / n_in) ** 0.5) for _ in range(n_in)], value(0.0)) for _ in range(n_out)]
        for n_in, n_out in itertools.pairwise(sizes)
    ]


def loss_of(layers: list, x: list[float], target: int) -> object:
    """Squared error of the network's 10 outputs against a one-hot target, with explicit ops only."""
    activations: list = x
    for depth, layer in enumerate(layers):
        outputs = []
        for weights, bias in layer:
            total = bias
            for w, a in zip(weights, activations, strict=True):
                total = total + w * a
            outputs.append(total.relu() if depth < len(layers) - 1 else total)
        activations = outputs
    loss = (activations[0] - (1.0 if target == 0 else 0.0)) ** 2
    for k, out in enumerate(activations[1:], start=1):
        loss = loss + (out - (1.0 if target == k else 0.0)) ** 2
    return loss


def count_nodes(root: object) -> int:
    """Nodes of the graph below root, by a walk over ``_prev`` that works for every engine."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for parent in stack.pop()._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def run(engine: str, samples: int) -> dict[str, float] | None:
    """Time ``samples`` forward+backward passes with one engine; None when it is not installed."""
    try:
        value = importlib.import_module(ENGINES[engine]).Value
    except ImportError:
        return None
    rng = random.Random(0)
    layers = network(value, rng)
    data = [([rng.random() for _ in range(784)], rng.randrange(10)) for _ in range(samples)]
    nodes = count_nodes(loss_of(layers, *data[0]))
    gc.collect()
    in_gc = GcClock()
    gc.callbacks.append(in_gc)
    start = time.perf_counter()
    for x, target in data:
        loss_of(layers, x, target).backward()
    seconds = time.perf_counter() - start
    gc.callbacks.remove(in_gc)
    return {
        "nodes": nodes,
        "seconds": seconds / samples,
        "rate": nodes * samples / seconds,
        "gc": in_gc.total / seconds,
    }


class GcClock:
    """A ``gc.callbacks`` hook that adds up the time the cycle collector runs."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20, help="forward+backward passes per engine (default 20)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: " + ", ".join(ENGINES))
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    print(f"784→16→10 network of Values, {args.samples} samples, Python {sys.version.split()[0]}, gc on")
    print(f"{'engine':<10} {'nodes/sample':>12} {'s/sample':>9} {'nodes/s':>11} {'in gc':>6} {'vs reference':>12}")
    base = None
    for engine in args.engines.split(","):
        result = run(engine, args.samples)
        if result is None:
            print(f"{engine:<10} not installed (pip install micrograd)")
            continue
        base = base or result["seconds"]
        print(
            f"{engine:<10} {result['nodes']:>12,} {result['seconds']:>9.4f} {result['rate']:>11,.0f} "
            f"{result['gc']:>6.0%} {result['seconds'] / base:>11.1f}×"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
