"""The Value track's training scripts: regression, classification, mini-batches, regularisation.

    python -m kit.demos.training                      # all four, on your student/ package
    python -m kit.demos.training minibatch --impl reference

Each demo trains a small MLP of Values on a synthetic data set (pure Python, a few
seconds), prints its learning curve, then saves a checkpoint (model, optimizer and
metadata), reloads it into a fresh model and optimizer, and checks that the
reloaded model predicts exactly what the trained one does.

- ``regression``: 3 inputs → 1 output, ``mse_loss``, ``Adam`` (katas 05, 06, 08).
- ``classify``: 3 classes in the plane, ``softmax`` then ``cross_entropy``, ``Momentum``.
- ``minibatch``: the same classes through a shuffling ``DataLoader`` (kata 09), ``Adam``.
- ``regularized``: ``dropout`` and weight decay on the named parameters (katas 08, 10);
  ``eval()`` for measuring.
"""

from __future__ import annotations

import argparse
import importlib
import math
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

BAR = 40


#: What the demos use, by the module of the implementation package that defines it.
USED = {
    "nn.mlp": ("MLP",),
    "nn.loss": ("mse_loss", "cross_entropy"),
    "nn.functional": ("softmax", "accuracy"),
    "nn.optim": ("SGD", "Momentum", "Adam"),
    "nn.dataloader": ("Dataset", "DataLoader"),
    "nn.serialization": ("save_checkpoint", "load_checkpoint"),
}


def load(impl: str) -> SimpleNamespace:
    """The names the demos use (:data:`USED`), from implementation package ``impl``."""
    found = {}
    for module, names in USED.items():
        loaded = importlib.import_module(f"{impl}.{module}")
        found.update({name: getattr(loaded, name) for name in names})
    return SimpleNamespace(**found)


# ------------------------------------------------------------------------ data


def regression_data(n: int, rng: random.Random) -> tuple[list[list[float]], list[float]]:
    """y = x₀·x₁ − 0.5·x₂ + a little noise, for x uniform in [−1, 1]³."""
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(n)]
    return X, [x[0] * x[1] - 0.5 * x[2] + rng.gauss(0, 0.02) for x in X]


def blobs(n: int, rng: random.Random) -> tuple[list[list[float]], list[int]]:
    """Three overlapping Gaussian clouds in the plane, labelled 0, 1, 2."""
    centres = [(0.0, 1.0), (-0.9, -0.5), (0.9, -0.5)]
    X, y = [], []
    for i in range(n):
        label = i % 3
        cx, cy = centres[label]
        X.append([rng.gauss(cx, 0.45), rng.gauss(cy, 0.45)])
        y.append(label)
    return X, y


# --------------------------------------------------------------------- helpers


def curve(epoch: int, loss: float, first: float, extra: str = "") -> None:
    """One line of the learning curve: the loss and a bar relative to the first epoch's."""
    width = max(0, min(BAR, round(BAR * loss / first))) if first > 0 else 0
    print(f"  epoch {epoch:3d}  loss {loss:8.5f}  {'█' * width}{extra}")


def mean(values: list[Any]) -> Any:
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total * (1.0 / len(values))


def class_loss(k: SimpleNamespace, model: Any, x: list[float], target: int) -> Any:
    """The classification pipeline: logits → softmax → cross-entropy."""
    return k.cross_entropy(k.softmax(model(x)), target)


def loader_epoch(k: SimpleNamespace, model: Any, opt: Any, loader: Any) -> float:
    """One pass over the DataLoader, one optimizer step per batch; the mean of the batch losses."""
    losses = []
    for xs, ys in loader:
        opt.zero_grad()
        loss = mean([class_loss(k, model, x, t) for x, t in zip(xs, ys, strict=True)])
        loss.backward()
        opt.step()
        losses.append(loss.data)
    return sum(losses) / len(losses)


def checkpoint_round_trip(
    k: SimpleNamespace,
    name: str,
    model: Any,
    optimizer: Any,
    make: Callable[[], tuple[Any, Any]],
    X: list,
    info: dict,
) -> None:
    """Save model + optimizer + metadata, reload into fresh ones, compare every prediction."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.json"
        k.save_checkpoint(model, path, optimizer=optimizer, metadata=info)
        fresh, fresh_opt = make()
        metadata = k.load_checkpoint(fresh, path, optimizer=fresh_opt)
        size = path.stat().st_size
    model.eval()
    fresh.eval()
    same = sum([v.data for v in model(x)] == [v.data for v in fresh(x)] for x in X)
    print(
        f"  checkpoint: {size:,} bytes of JSON, metadata {metadata}; reloaded model: {same}/{len(X)} outputs identical"
    )


# ----------------------------------------------------------------------- demos


def regression(k: SimpleNamespace, epochs: int = 60) -> None:
    print("regression · MLP(3, [8, 8, 1], tanh) · mse_loss · Adam(lr=0.02) · full batch of 40")
    rng = random.Random(1)
    X, y = regression_data(40, rng)

    def make() -> tuple[Any, Any]:
        model = k.MLP(3, [8, 8, 1], activation="tanh", rng=random.Random(0))
        return model, k.Adam(model.parameters(), lr=0.02)

    model, opt = make()
    first = 0.0
    for epoch in range(1, epochs + 1):
        opt.zero_grad()
        loss = k.mse_loss([model(x)[0] for x in X], y)
        loss.backward()
        opt.step()
        first = first or loss.data
        if epoch == 1 or epoch % 10 == 0:
            curve(epoch, loss.data, first)
    checkpoint_round_trip(k, "regression", model, opt, make, X, {"demo": "regression", "mse": round(loss.data, 6)})


def classify(k: SimpleNamespace, epochs: int = 30) -> None:
    print("classify · MLP(2, [12, 3]) · softmax + cross_entropy · Momentum(lr=0.1, beta=0.9) · full batch of 60")
    X, y = blobs(60, random.Random(2))

    def make() -> tuple[Any, Any]:
        model = k.MLP(2, [12, 3], rng=random.Random(0))
        return model, k.Momentum(model.parameters(), lr=0.1, beta=0.9)

    model, opt = make()
    first = 0.0
    for epoch in range(1, epochs + 1):
        opt.zero_grad()
        loss = mean([class_loss(k, model, x, t) for x, t in zip(X, y, strict=True)])
        loss.backward()
        opt.step()
        first = first or loss.data
        if epoch == 1 or epoch % 5 == 0:
            curve(epoch, loss.data, first, f"  accuracy {k.accuracy(model, X, y):.2f}")
    checkpoint_round_trip(k, "classify", model, opt, make, X, {"demo": "classify", "epochs": epochs})


def minibatch(k: SimpleNamespace, epochs: int = 15) -> None:
    print("minibatch · MLP(2, [12, 3]) · DataLoader(batch_size=8, shuffle=True) · Adam(lr=0.02)")
    X, y = blobs(60, random.Random(2))
    loader = k.DataLoader(k.Dataset(X, y), batch_size=8, shuffle=True, rng=random.Random(3))

    def make() -> tuple[Any, Any]:
        model = k.MLP(2, [12, 3], rng=random.Random(0))
        return model, k.Adam(model.parameters(), lr=0.02)

    model, opt = make()
    first = 0.0
    for epoch in range(1, epochs + 1):
        epoch_loss = loader_epoch(k, model, opt, loader)
        first = first or epoch_loss
        if epoch == 1 or epoch % 3 == 0:
            curve(epoch, epoch_loss, first, f"  accuracy {k.accuracy(model, X, y):.2f}  ({len(loader)} batches)")
    checkpoint_round_trip(k, "minibatch", model, opt, make, X, {"demo": "minibatch", "batch_size": 8})


def regularized(k: SimpleNamespace, epochs: int = 15) -> None:
    print("regularized · MLP(2, [16, 16, 3], dropout=0.2) · Adam(lr=0.02, weight_decay=1e-3, biases spared)")
    X, y = blobs(90, random.Random(4))
    X_train, y_train, X_val, y_val = X[:60], y[:60], X[60:], y[60:]
    loader = k.DataLoader(k.Dataset(X_train, y_train), batch_size=10, shuffle=True, rng=random.Random(5))

    def make() -> tuple[Any, Any]:
        model = k.MLP(2, [16, 16, 3], dropout=0.2, rng=random.Random(0))
        return model, k.Adam(model.named_parameters(), lr=0.02, weight_decay=1e-3)

    model, opt = make()
    first = 0.0
    for epoch in range(1, epochs + 1):
        model.train()
        epoch_loss = loader_epoch(k, model, opt, loader)
        first = first or epoch_loss
        if epoch == 1 or epoch % 3 == 0:
            model.eval()  # dropout off while measuring
            extra = f"  train {k.accuracy(model, X_train, y_train):.2f}  val {k.accuracy(model, X_val, y_val):.2f}"
            curve(epoch, epoch_loss, first, extra)
    norm = math.sqrt(sum(p.data**2 for name, p in model.named_parameters() if not name.endswith("bias")))
    print(f"  weight norm (biases excluded) {norm:.3f}")
    checkpoint_round_trip(k, "regularized", model, opt, make, X, {"demo": "regularized", "dropout": 0.2})


DEMOS = {"regression": regression, "classify": classify, "minibatch": minibatch, "regularized": regularized}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kit.demos.training", description=__doc__.splitlines()[0])
    parser.add_argument("demo", nargs="?", default="all", choices=[*DEMOS, "all"])
    parser.add_argument("--impl", default="student", help="implementation package (default: student)")
    args = parser.parse_args(argv)
    k = load(args.impl)
    for name, demo in DEMOS.items():
        if args.demo in (name, "all"):
            demo(k)
            print()


if __name__ == "__main__":
    main()
