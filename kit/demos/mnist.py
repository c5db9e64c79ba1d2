"""Train a network of the NumPy track on MNIST, like a practitioner would: python -m kit.demos.mnist.

    python -m kit.demos.mnist --model network              # the deep network, 784→128→64→10 (kata 15)
    python -m kit.demos.mnist --model two-layer --epochs 5 # the two-layer MLP, 784→128→10 (kata 14)
    python -m kit.demos.mnist --model classwork            # the classwork network: sigmoids and MSE (kata 13)
    python -m kit.demos.mnist --impl reference             # the kit's solution (default: your student/)

The data come from ``load_mnist()``: the IDX files in ``$MNIST_DIR`` (or ``--data-dir``),
else OpenML (needs the network), else the 5,000-digit sample the kit ships. On the
full set, the test digits are MNIST's own 10,000 and 5,000 of the 60,000 training
digits are held out for validation. Each epoch prints its mean training loss and the
validation accuracy; the end prints the test accuracy and writes two PNG files into
``--out``: the learning curves and a grid of one digit of each class.
Plots need matplotlib (``pip install nn-katas[demos]``).
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: Per model: what it is, and the recipe (learning rate, batch size, epochs) that trains it well.
RECIPES: dict[str, dict[str, Any]] = {
    "network": {
        "what": "NeuralNetwork [784, 128, 64, 10], ReLU, softmax cross-entropy, L2 λ=0.01 (the deep network)",
        "lr": 0.4,
        "halve_every": 5,
        "batch": 64,
        "epochs": 20,
    },
    "two-layer": {
        "what": "TwoLayerMLP 784→128→10, ReLU, softmax cross-entropy (the two-layer MLP)",
        "lr": 0.2,
        "halve_every": 0,
        "batch": 64,
        "epochs": 10,
    },
    "classwork": {
        "what": "MLP 784→50→10 with two sigmoids, MSE on one-hot targets (the classwork network)",
        "lr": 2.0,
        "halve_every": 0,
        "batch": 100,
        "epochs": 10,
    },
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kit.demos.mnist", description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(RECIPES), default="network")
    parser.add_argument("--impl", default="student", help="implementation package (default: student)")
    parser.add_argument("--epochs", type=int, default=None, help="default: the model's recipe")
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default: the model's recipe)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the model's recipe")
    parser.add_argument(
        "--halve-every",
        type=int,
        default=None,
        help="halve the learning rate every N epochs (0: never; default: recipe)",
    )
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", default="auto", choices=["auto", "idx", "openml", "sample"])
    parser.add_argument("--data-dir", default=None, help="folder of the IDX files (default: $MNIST_DIR)")
    parser.add_argument("--out", default="mnist-demo", help="folder for the PNG plots (default: ./mnist-demo)")
    return parser.parse_args(argv)


def load(impl: str, source: str, data_dir: str | None, seed: int) -> dict[str, np.ndarray]:
    """Train, validation and test parts, batch-major, pixels still uint8."""
    mnist = importlib.import_module(f"{impl}.data.mnist")
    X, y = mnist.load_mnist(source, data_dir)
    if len(y) == 70_000:  # the full set: MNIST's own test digits, 5,000 training digits for validation
        X_train, X_val, _, y_train, y_val, _ = mnist.train_val_test_split(
            X[:60_000], y[:60_000], val_size=5_000, test_size=0, rng=seed
        )
        X_test, y_test = X[60_000:], y[60_000:]
    else:  # the sample: 10% validation, 20% test
        X_train, X_val, X_test, y_train, y_val, y_test = mnist.train_val_test_split(X, y, 0.1, 0.2, rng=seed)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val, "X_test": X_test, "y_test": y_test}


class Trainer:
    """One model behind two calls: ``step(X, y) -> loss`` and ``predict(X) -> labels`` (X batch-major, scaled)."""

    def __init__(self, model: str, impl: str, lr: float, dtype: np.dtype, seed: int) -> None:
        self.kind = model
        self.dtype = dtype
        self.lr = lr
        if model == "network":
            network = importlib.import_module(f"{impl}.vectorized.network")
            self.model = network.NeuralNetwork(
                [784, 128, 64, 10], learning_rate=lr, l2_lambda=0.01, rng=seed, dtype=dtype
            )
            self.eye = np.eye(10, dtype=dtype)
        elif model == "two-layer":
            two_layer = importlib.import_module(f"{impl}.vectorized.two_layer")
            self.model = two_layer.TwoLayerMLP(784, 128, 10, rng=seed, dtype=dtype)
        else:
            modules = importlib.import_module(f"{impl}.vectorized.modules")
            self.model = modules.MLP(784, 50, 10, rng=seed, dtype=dtype)
            self.loss = modules.MSELoss()
            self.optimizer = modules.SGD(self.model.parameters(), self.model.gradients(), lr=lr)
            self.eye = np.eye(10, dtype=dtype)

    def set_lr(self, lr: float) -> None:
        """A new learning rate for the next epoch (the network reads its ``learning_rate`` attribute)."""
        self.lr = lr
        if self.kind == "network":
            self.model.learning_rate = lr
        elif self.kind == "classwork":
            self.optimizer.lr = lr

    def pixels(self, X: np.ndarray, normalize: Callable[..., np.ndarray]) -> np.ndarray:
        """The classwork network reads pixels scaled to [−1, 1], the two others to [0, 1]."""
        low = -1.0 if self.kind == "classwork" else 0.0
        return normalize(X, low, 1.0, dtype=self.dtype)

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        if self.kind == "network":
            return self.model.train_step(X.T, self.eye[y].T)
        if self.kind == "two-layer":
            loss = self.model.calculate_loss(y, self.model.forward(X))
            self.model.backward(X, y, self.lr)
            return loss
        self.optimizer.zero_grad()
        loss = self.loss(self.model(X), self.eye[y])
        self.model.backward(self.loss.backward())
        self.optimizer.step()
        return loss

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self.kind == "network":
            return np.concatenate([self.model.predict(X[i : i + 10_000].T) for i in range(0, len(X), 10_000)])
        if self.kind == "two-layer":
            return self.model.predict(X)
        return np.argmax(self.model(X), axis=1)


@dataclass
class Setup:
    """What a run trains, on what: the model, its recipe as the arguments adjust it, and the scaled digits."""

    trainer: Trainer
    batching: ModuleType
    lr: float
    batch: int
    epochs: int
    halve_every: int
    data: dict[str, np.ndarray]
    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray


def prepare(args: argparse.Namespace, console: Console) -> Setup:
    """Load and scale the digits, build the model; print one line that says what will be trained."""
    recipe = RECIPES[args.model]
    lr = args.lr or recipe["lr"]
    halve_every = recipe["halve_every"] if args.halve_every is None else args.halve_every
    start = time.perf_counter()
    data = load(args.impl, args.source, args.data_dir, args.seed)
    mnist: ModuleType = importlib.import_module(f"{args.impl}.data.mnist")
    trainer = Trainer(args.model, args.impl, lr, np.dtype(args.dtype), args.seed)
    X_train, X_val, X_test = (trainer.pixels(data[k], mnist.normalize_pixels) for k in ("X_train", "X_val", "X_test"))
    setup = Setup(
        trainer,
        importlib.import_module(f"{args.impl}.data.batching"),
        lr,
        args.batch_size or recipe["batch"],
        args.epochs or recipe["epochs"],
        halve_every,
        data,
        X_train,
        X_val,
        X_test,
    )
    console.print(
        f"[bold]{recipe['what']}[/bold] · impl {args.impl!r} · {args.dtype} · lr {lr}"
        + (f" halved every {halve_every} epochs" if halve_every else "")
        + f" · batch {setup.batch} · "
        f"{len(X_train):,} train / {len(X_val):,} val / {len(X_test):,} test digits "
        f"(loaded in {time.perf_counter() - start:.1f} s)"
    )
    return setup


def run_epoch(setup: Setup, epoch: int, seed: int, progress: Progress) -> float:
    """One pass over the training digits in shuffled mini-batches, shown as a bar; the mean batch loss."""
    if setup.halve_every:
        setup.trainer.set_lr(setup.lr * 0.5 ** ((epoch - 1) // setup.halve_every))
    n_batches = len(setup.X_train) // setup.batch
    task = progress.add_task("train", total=n_batches, epoch=epoch, epochs=setup.epochs, loss=float("nan"))
    total = 0.0
    batches = setup.batching.minibatch_generator(setup.X_train, setup.data["y_train"], setup.batch, rng=seed)
    for i, (X_batch, y_batch) in enumerate(batches, 1):
        total += setup.trainer.step(X_batch, y_batch)
        if i % 50 == 0 or i == n_batches:
            progress.update(task, completed=i, loss=total / i)
    progress.remove_task(task)
    return total / n_batches


def train(args: argparse.Namespace) -> dict[str, Any]:
    """Train as the arguments say; print per epoch; return the history and the test accuracy."""
    console = Console()
    setup = prepare(args, console)
    history: dict[str, list[float]] = {"loss": [], "val_accuracy": [], "seconds": []}
    columns = (
        TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("loss {task.fields[loss]:.4f}"),
    )
    train_start = time.perf_counter()
    with Progress(*columns, console=console, transient=True) as progress:
        for epoch in range(1, setup.epochs + 1):
            epoch_start = time.perf_counter()
            loss = run_epoch(setup, epoch, args.seed * 1000 + epoch, progress)
            seconds = time.perf_counter() - epoch_start
            val_accuracy = float(np.mean(setup.trainer.predict(setup.X_val) == setup.data["y_val"]))
            for key, value in (("loss", loss), ("val_accuracy", val_accuracy), ("seconds", seconds)):
                history[key].append(value)
            console.print(
                f"epoch {epoch:2d}/{setup.epochs} · train loss {loss:.4f} · "
                f"val accuracy {100 * val_accuracy:.2f}% · {seconds:.2f} s"
            )
    test_accuracy = float(np.mean(setup.trainer.predict(setup.X_test) == setup.data["y_test"]))
    train_seconds = time.perf_counter() - train_start
    console.print(
        f"[bold]test accuracy {100 * test_accuracy:.2f}%[/bold] on {len(setup.X_test):,} digits · "
        f"training {train_seconds:.1f} s ({train_seconds / setup.epochs:.2f} s per epoch with validation)"
    )
    return {"history": history, "test_accuracy": test_accuracy, "data": setup.data, "console": console}


def plot(args: argparse.Namespace, result: dict[str, Any]) -> list[Path]:
    """The learning curves and a grid of one digit of each class, as PNG files in ``args.out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    history = result["history"]
    epochs = range(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history["loss"], marker="o")
    ax_loss.set(title=f"{args.model}: training loss", xlabel="epoch", ylabel="mean batch loss")
    ax_acc.plot(epochs, [100 * a for a in history["val_accuracy"]], marker="o", color="tab:green")
    ax_acc.axhline(100 * result["test_accuracy"], color="tab:red", linestyle="--", label="final test accuracy")
    ax_acc.set(title=f"{args.model}: validation accuracy", xlabel="epoch", ylabel="%")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.tight_layout()
    curves = out / f"mnist-{args.model}-curves.png"
    fig.savefig(curves, dpi=100)
    plt.close(fig)

    data = result["data"]
    fig, axes = plt.subplots(nrows=2, ncols=5, sharex=True, sharey=True, figsize=(8, 3.6))
    for digit, ax in enumerate(axes.flatten()):
        ax.imshow(data["X_train"][data["y_train"] == digit][0].reshape(28, 28), cmap="Greys")
        ax.set_title(str(digit))
    axes[0, 0].set_xticks([])
    axes[0, 0].set_yticks([])
    fig.tight_layout()
    grid = out / "mnist-digits.png"
    fig.savefig(grid, dpi=100)
    plt.close(fig)
    return [curves, grid]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = train(args)
    except NotImplementedError as exc:  # a kata of --impl not written yet
        print(f"{args.impl} cannot train yet: {exc}")
        return 1
    try:
        paths = plot(args, result)
    except ImportError:
        result["console"].print("matplotlib is not installed: no plots (pip install nn-katas[demos])")
        return 0
    result["console"].print("plots: " + ", ".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
