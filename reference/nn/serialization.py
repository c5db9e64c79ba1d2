"""JSON checkpoints: save a model (and its optimizer) to one file, load it back exactly.

A checkpoint is one JSON object::

    {"format": "nn-katas/checkpoint", "version": 1,
     "architecture": {"class": "MLP", "n_inputs": 2, "layer_sizes": [4, 1], "activations": ["relu", "linear"]},
     "state_dict": {"layers.0.neurons.0.weights.0": 0.123, …},
     "optimizer": {…} or null,
     "metadata": {…}}

Two promises make it trustworthy:

- **Bit for bit.** Python writes a float with ``repr``, the shortest text that reads
  back as the very same float, so JSON loses nothing (NaN and infinity are not
  JSON: they are refused).
- **Atomic.** Writing over the old file in place would leave half a file if the
  program died (or the disk filled) mid-write, and the previous checkpoint would
  be gone too. Instead, write a temporary file *in the same directory*, flush and
  ``os.fsync`` it onto the disk, then ``os.replace`` it over the target: on POSIX
  and Windows that rename is atomic, so the path always holds either the old
  complete file or the new complete one.

Loading is the mirror image: check *everything* (format, version, architecture,
keys, numbers, optimizer) before changing anything, so that a bad file raises
``CheckpointError`` and leaves the model and optimizer as they were.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .module import Module
from .optim import Optimizer

FORMAT = "nn-katas/checkpoint"
VERSION = 1
KEYS = ("format", "version", "architecture", "state_dict", "optimizer", "metadata")


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded into this model (or optimizer): missing, corrupt or mismatched."""


def architecture(model: Module) -> dict[str, Any]:
    """What a checkpoint records about the model's shape: class name, input size, layer sizes, activations.

    Read from the public structure: an ``MLP``'s ``layers``, a ``Layer``'s ``neurons``,
    a ``Neuron``'s ``weights`` and ``activation``. Another kind of module is described
    by its class name alone (its ``state_dict`` keys still have to match).

    >>> import random
    >>> from .mlp import MLP
    >>> architecture(MLP(2, [3, 1], rng=random.Random(0)))
    {'class': 'MLP', 'n_inputs': 2, 'layer_sizes': [3, 1], 'activations': ['relu', 'linear']}
    """
    if hasattr(model, "layers"):
        layers = list(model.layers)
    elif hasattr(model, "neurons"):
        layers = [model]
    elif hasattr(model, "weights"):
        return {"class": type(model).__name__, "n_inputs": len(model.weights), "activations": [model.activation]}
    else:
        return {"class": type(model).__name__}
    return {
        "class": type(model).__name__,
        "n_inputs": len(layers[0].neurons[0].weights) if layers else 0,
        "layer_sizes": [len(layer.neurons) for layer in layers],
        "activations": [layer.neurons[0].activation for layer in layers],
    }


def save_checkpoint(
    model: Module, path: str | os.PathLike[str], optimizer: Optimizer | None = None, metadata: Any = None
) -> None:  # kata 11
    """Write ``model`` (and ``optimizer``'s state, and ``metadata``) to ``path``, atomically.

    The file holds one JSON object: ``format``, ``version``, ``architecture(model)``,
    ``model.state_dict()``, ``optimizer.state_dict()`` (or ``None``) and ``metadata``
    (``None`` → ``{}``). Every float reads back bit for bit.

    Atomic: at every moment ``path`` holds the previous file or the complete new one,
    never a part, even when the write or the rename fails; a failed save leaves no
    temporary file behind and raises its error. Metadata JSON cannot hold (a set, an
    object) is a ``TypeError``, NaN or infinity a ``ValueError``, and then nothing on
    disk has changed.
    """
    if not isinstance(model, Module):
        raise TypeError(f"save_checkpoint needs a Module, got {type(model).__name__}")
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"save_checkpoint(optimizer) needs an Optimizer or None, got {type(optimizer).__name__}")
    checkpoint = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": architecture(model),
        "state_dict": model.state_dict(),
        "optimizer": None if optimizer is None else optimizer.state_dict(),
        "metadata": {} if metadata is None else metadata,
    }
    text = json.dumps(checkpoint, allow_nan=False, indent=1)
    target = Path(path)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The checkpoint file as a dict with the right format, version and keys, or ``CheckpointError``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckpointError(f"cannot read checkpoint {os.fspath(path)!r}: {exc}") from exc
    try:
        checkpoint = json.loads(text)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CheckpointError(f"checkpoint {os.fspath(path)!r} is not valid JSON: {exc}") from exc
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        found = checkpoint.get("format") if isinstance(checkpoint, dict) else type(checkpoint).__name__
        raise CheckpointError(f"{os.fspath(path)!r} is not an nn-katas checkpoint (format {found!r})")
    if checkpoint.get("version") != VERSION:
        raise CheckpointError(f"checkpoint version {checkpoint.get('version')!r} is not supported (only {VERSION})")
    missing = [key for key in KEYS if key not in checkpoint]
    if missing:
        raise CheckpointError(f"checkpoint {os.fspath(path)!r} lacks {missing}")
    return checkpoint


def load_checkpoint(model: Module, path: str | os.PathLike[str], optimizer: Optimizer | None = None) -> Any:  # kata 11
    """Restore ``model`` (and ``optimizer``) from ``path``; return the saved metadata.

    Check everything before changing anything; each failure is a ``CheckpointError``:

    1. read and parse the file: missing or unreadable, not JSON, not a JSON object
       with ``format == "nn-katas/checkpoint"`` and ``version == 1`` and every key;
    2. ``architecture`` equal to ``architecture(model)``, and the ``state_dict``'s
       keys exactly the model's;
    3. with an ``optimizer``, the file must hold optimizer state (not ``null``).

    A refused file, including optimizer state that ``optimizer.load_state_dict``
    refuses, leaves the model and the optimizer exactly as they were.
    """
    if not isinstance(model, Module):
        raise TypeError(f"load_checkpoint needs a Module, got {type(model).__name__}")
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"load_checkpoint(optimizer) needs an Optimizer or None, got {type(optimizer).__name__}")
    checkpoint = _read(path)
    expected = architecture(model)
    if checkpoint["architecture"] != expected:
        raise CheckpointError(f"architecture mismatch: file has {checkpoint['architecture']}, model is {expected}")
    state = checkpoint["state_dict"]
    if not isinstance(state, dict) or set(state) != set(model.state_dict()):
        raise CheckpointError("the checkpoint's state_dict keys do not match the model's parameters")
    if optimizer is not None and checkpoint["optimizer"] is None:
        raise CheckpointError(f"{os.fspath(path)!r} holds no optimizer state to restore")
    before = model.state_dict()
    try:
        model.load_state_dict(state)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"cannot load the checkpoint's weights: {exc}") from exc
    if optimizer is not None:
        try:
            optimizer.load_state_dict(checkpoint["optimizer"])
        except (TypeError, ValueError) as exc:
            model.load_state_dict(before)
            raise CheckpointError(f"cannot load the checkpoint's optimizer state: {exc}") from exc
    return checkpoint["metadata"]
