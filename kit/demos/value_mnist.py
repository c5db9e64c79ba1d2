"""The Value MLP demo: a ValueMLP of scalar Values learns to read real handwritten digits.

    python -m kit.demos.value_mnist quick                    # 50 training digits, 20 test digits, 3 epochs
    python -m kit.demos.value_mnist full                     # 200 training digits, 50 test digits
    python -m kit.demos.value_mnist quick --impl reference   # on the kit's solution (default: your student/)
    kata demo value-mnist quick                              # the same, through the kata command

The digits are real MNIST digits: the 5,000-digit sample that the kit ships, read by
the implementation's ``data.mnist.load_mnist(source="sample")`` (given code, offline).
Pixels are scaled to [0, 1]. The network is ``ValueMLP([784, 16, 10])`` (ReLU hidden
layer, linear output) trained with ``train_step_value_mlp`` on batches of 5 with learning
rate 0.05. Each epoch prints the mean training loss, the train and test accuracy and the
seconds it took (training and both evaluations), with a progress bar while it runs.
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from types import SimpleNamespace

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: The demo's settings. ``full`` only changes how many digits are used.
MODES = {
    "quick": {"n_train": 50, "n_test": 20},
    "full": {"n_train": 200, "n_test": 50},
}
HIDDEN, LR, BATCH, EPOCHS = 16, 0.05, 5, 3


def load(impl: str) -> SimpleNamespace:
    """The functions the demo needs, from implementation package ``impl``."""
    value_mlp = importlib.import_module(f"{impl}.nn.value_mlp")
    mnist = importlib.import_module(f"{impl}.data.mnist")
    return SimpleNamespace(
        ValueMLP=value_mlp.ValueMLP,
        train_step=value_mlp.train_step_value_mlp,
        evaluate=value_mlp.evaluate_value_mlp,
        load_mnist=mnist.load_mnist,
    )


def digits(api: SimpleNamespace, n_train: int, n_test: int, seed: int) -> tuple[list, list, list, list]:
    """``n_train`` and ``n_test`` different digits of the sample, drawn at random, pixels in [0, 1] as lists."""
    X, y = api.load_mnist(source="sample")
    order = np.random.default_rng(seed).permutation(len(y))
    train, test = order[:n_train], order[n_train : n_train + n_test]
    scaled = X.astype(np.float64) / 255.0
    return scaled[train].tolist(), y[train].tolist(), scaled[test].tolist(), y[test].tolist()


def run(mode: str, impl: str, seed: int, out: Console) -> float:
    """Train and report; returns the final training accuracy."""
    api = load(impl)
    settings = MODES[mode]
    x_train, y_train, x_test, y_test = digits(api, settings["n_train"], settings["n_test"], seed)
    out.print(f"Value MLP on real MNIST digits ({mode}) · implementation {impl!r}")
    out.print(
        f"  training digits: {len(y_train)} · test digits: {len(y_test)} · layers [784, {HIDDEN}, 10]"
        f" · lr {LR} · batch {BATCH} · epochs {EPOCHS} · seed {seed}"
    )
    model = api.ValueMLP([784, HIDDEN, 10], rng=random.Random(seed))
    shuffle = random.Random(seed)
    order = list(range(len(y_train)))
    train_acc = 0.0
    for epoch in range(1, EPOCHS + 1):
        start = time.perf_counter()
        shuffle.shuffle(order)
        losses = []
        with Progress(
            TextColumn(f"  epoch {epoch}/{EPOCHS}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TimeElapsedColumn(),
            console=out,
            transient=True,
            disable=not out.is_terminal,  # a bar in a log file is noise
        ) as progress:
            task = progress.add_task("train", total=len(order), loss="…")
            for i in range(0, len(order), BATCH):
                batch = order[i : i + BATCH]
                loss = api.train_step(model, [x_train[k] for k in batch], [y_train[k] for k in batch], LR)
                losses.append(loss)
                progress.update(task, advance=len(batch), loss=f"{sum(losses) / len(losses):.4f}")
        train_acc = api.evaluate(model, x_train, y_train)
        test_acc = api.evaluate(model, x_test, y_test)
        seconds = time.perf_counter() - start
        out.print(f"Epoch {epoch}/{EPOCHS}:")
        out.print(f"  Avg Loss: {sum(losses) / len(losses):.4f}")
        out.print(f"  Train Acc: {100 * train_acc:.1f}%")
        out.print(f"  Test Acc: {100 * test_acc:.1f}%")
        out.print(f"  Time: {seconds:.2f}s")
    out.print(f"Final Training Accuracy: {100 * train_acc:.2f}%")
    return train_acc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kit.demos.value_mnist", description=__doc__.split("\n")[0])
    parser.add_argument("mode", nargs="?", choices=sorted(MODES), default="quick", help="quick (default) or full")
    parser.add_argument("--impl", default="student", help="implementation package (default: student)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the digit choice, the weights and the shuffling")
    args = parser.parse_args(argv)
    out = Console(highlight=False, soft_wrap=True)
    try:
        run(args.mode, args.impl, args.seed, out)
    except NotImplementedError as exc:
        out.print(f"not written yet: {exc}")
        flag = "" if args.impl == "student" else f" --impl {args.impl}"
        out.print(f"the demo needs katas 01–07; see where you stand: kata{flag}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
