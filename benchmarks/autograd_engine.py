"""Forward and backward of a 784→16→10 network built by hand from Values, engine against engine.

    python benchmarks/autograd_engine.py [--samples N] [--rounds 3] [--engines reference,closures,micrograd]

Each sample builds the whole graph with explicit operations (Σ wᵢ·xᵢ as a chain of
``*`` and ``+``, relu, a squared-error loss), calls ``backward()`` and drops the graph.
The garbage collector stays on, as it is for a user. For every engine it prints the
nodes per sample, seconds per sample, nodes per second, and the share of the time spent in
the cycle collector: an engine whose nodes hold closures over themselves (micrograd's
``_backward``) leaves every graph in reference cycles that only the collector frees.
The engines take turns for ``--rounds`` rounds; each figure is the median round, and the
seconds per sample of the fastest and slowest round are printed beside it, with the load
average before and after.

Engines: ``reference`` (this kit), ``closures`` (``tests/alt_engine``: the same contract
written micrograd's way, with ``_backward`` closures) and ``micrograd`` (the package,
``pip install micrograd``; skipped with a note when it is not installed).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import itertools
import os
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


def load_engine(engine: str) -> type | None:
    """The engine's ``Value`` class; None when it is not installed."""
    try:
        return importlib.import_module(ENGINES[engine]).Value
    except ImportError:
        return None


def run(value: type, samples: int) -> dict[str, float]:
    """Time ``samples`` forward+backward passes with one engine's ``Value``."""
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


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20, help="forward+backward passes per engine (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every engine, taking turns (default 3)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: " + ", ".join(ENGINES))
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    print(
        f"784→16→10 network of Values, {args.samples} samples, Python {sys.version.split()[0]}, gc on; "
        f"{load_average()}; median of {args.rounds} rounds, engines taking turns"
    )
    engines = {}
    for engine in args.engines.split(","):
        value = load_engine(engine)
        if value is None:
            print(f"{engine:<10} not installed (pip install micrograd==0.1.0)")
        else:
            engines[engine] = value
    rounds: dict[str, list[dict[str, float]]] = {engine: [] for engine in engines}
    for _ in range(args.rounds):
        for engine, value in engines.items():
            rounds[engine].append(run(value, args.samples))
    print(
        f"{'engine':<10} {'nodes/sample':>12} {'s/sample':>9} {'fastest':>8} {'slowest':>8} {'nodes/s':>11} "
        f"{'in gc':>6} {'÷ first':>8}"
    )
    base = None
    for engine, results in rounds.items():
        result = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
        base = base or result["seconds"]
        print(
            f"{engine:<10} {result['nodes']:>12,} {result['seconds']:>9.4f} {min(r['seconds'] for r in results):>8.4f} "
            f"{max(r['seconds'] for r in results):>8.4f} {result['rate']:>11,.0f} {result['gc']:>6.0%} "
            f"{result['seconds'] / base:>7.1f}×"
        )
    print(f"after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
