"""Kata 11 · JSON checkpoints: restore a model bit for bit, write atomically, refuse a bad file untouched."""

from __future__ import annotations

import errno
import json
import math
import random
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .api import MLP, SGD, Adam, CheckpointError, Momentum, load_checkpoint, save_checkpoint
from .contract import contract
from .faults import failing, full_disk_in_json

pytestmark = pytest.mark.kata11

KEYS = {"format", "version", "architecture", "state_dict", "optimizer", "metadata"}
ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear", "leaky_relu"]

# Each example writes a file (with an fsync): 50 examples keep the kata fast and
# still cover architectures of 1–3 layers and weights across the float range.
FILE_EXAMPLES = 50
# Tests that are also parametrized (3 optimizers, 13 bad files) run fewer examples each.
FEW_FILES = 8


def bits(state: dict[str, float]) -> dict[str, bytes]:
    """A state_dict as raw IEEE 754 bytes: equal bits, not merely equal values (−0.0 ≠ 0.0 here)."""
    return {name: struct.pack(">d", value) for name, value in state.items()}


def assert_same_bits(got: dict[str, float], expected: dict[str, float], what: str) -> None:
    g, e = bits(got), bits(expected)
    assert g.keys() == e.keys(), f"{what}: expected keys {sorted(e)}, got {sorted(g)}"
    wrong = [name for name in e if g[name] != e[name]]
    assert not wrong, f"{what}: {wrong[0]} expected {expected[wrong[0]]!r}, got {got[wrong[0]]!r}"


@st.composite
def architectures(draw: st.DrawFn) -> tuple[int, list[int], str, str]:
    n_inputs = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    return n_inputs, sizes, draw(st.sampled_from(ACTIVATIONS)), draw(st.sampled_from(ACTIVATIONS))


def build(arch: tuple[int, list[int], str, str], seed: int = 0) -> object:
    n_inputs, sizes, activation, output_activation = arch
    return MLP(n_inputs, sizes, activation=activation, output_activation=output_activation, rng=random.Random(seed))


# Any finite double, tiny or huge, positive or negative zero: JSON must keep them all.
WEIGHTS = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@contract("3.11")
@settings(max_examples=FILE_EXAMPLES)
@given(architectures(), st.data())
def test_save_then_load_restores_every_weight_bit_for_bit(
    tmp_path_factory: pytest.TempPathFactory, arch: tuple, data: st.DataObject
) -> None:
    """For any MLP and any finite weights, saving then loading restores every weight's exact bits."""
    model = build(arch, seed=1)
    for _, p in model.named_parameters():
        p.data = data.draw(WEIGHTS)
    path = tmp_path_factory.mktemp("ckpt") / "model.json"
    save_checkpoint(model, path)
    fresh = build(arch, seed=2)
    params = fresh.parameters()
    assert load_checkpoint(fresh, path) == {}, "metadata=None is loaded back as {}"
    assert_same_bits(fresh.state_dict(), model.state_dict(), f"MLP{arch} after save and load")
    assert all(a is b for a, b in zip(params, fresh.parameters(), strict=True)), "load must update the same Values"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | WEIGHTS | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@contract("3.11")
@settings(max_examples=FILE_EXAMPLES)
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4))
def test_metadata_comes_back_from_load(tmp_path_factory: pytest.TempPathFactory, metadata: dict) -> None:
    """load_checkpoint returns the metadata that was saved, equal in value (a JSON round trip)."""
    model = build((2, [2], "relu", "linear"))
    path = tmp_path_factory.mktemp("ckpt") / "model.json"
    save_checkpoint(model, path, metadata=metadata)
    assert load_checkpoint(model, path) == metadata, "load_checkpoint must return the saved metadata"


@contract("3.11")
@settings(max_examples=FILE_EXAMPLES)
@given(architectures())
def test_the_file_is_one_json_object_with_the_contract_keys(
    tmp_path_factory: pytest.TempPathFactory, arch: tuple[int, list[int], str, str]
) -> None:
    """The checkpoint is one JSON object: format, version 1, architecture, state_dict, optimizer, metadata."""
    model = build(arch)
    path = tmp_path_factory.mktemp("ckpt") / "model.json"
    save_checkpoint(model, path, metadata={"epoch": 7})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"the file must hold one JSON object, got {type(data).__name__}"
    assert set(data) == KEYS, f"expected the keys {sorted(KEYS)}, got {sorted(data)}"
    assert (data["format"], data["version"]) == ("nn-katas/checkpoint", 1), (
        f"format, version: {data['format']!r}, {data['version']!r}"
    )
    assert data["state_dict"] == model.state_dict(), "state_dict must be the model's state_dict()"
    assert data["optimizer"] is None, f"no optimizer given: expected null, got {data['optimizer']!r}"
    assert data["metadata"] == {"epoch": 7}, f"metadata: expected {{'epoch': 7}}, got {data['metadata']!r}"
    # The architecture's own layout is the implementer's: look for its facts anywhere inside it.
    found = scalars(data["architecture"])
    n_inputs, sizes, activation, output_activation = arch
    facts = ["MLP", n_inputs, *sizes, output_activation] + ([activation] if len(sizes) > 1 else [])
    for fact in facts:
        assert fact in found, (
            f"architecture must record the class name, input size, layer sizes and activations: "
            f"{fact!r} not in {data['architecture']!r}"
        )


def scalars(tree: object) -> list[object]:
    """Every string and number inside nested JSON lists and objects (keys too)."""
    if isinstance(tree, dict):
        return [x for key, value in tree.items() for x in (key, *scalars(value))]
    if isinstance(tree, list):
        return [x for item in tree for x in scalars(item)]
    return [tree]


# ------------------------------------------------------------------ optimizer


def gradients(model: object, t: int) -> None:
    """A fixed, made-up gradient for step t: the same on every run and every copy."""
    for k, p in enumerate(model.parameters()):
        p.grad = math.sin(1.0 + k + 7.0 * t)


OPTIMIZERS: dict[str, Callable] = {
    "SGD": lambda params: SGD(params, lr=0.1),
    "Momentum": lambda params: Momentum(params, lr=0.1, beta=0.8),
    "Adam": lambda params: Adam(params, lr=0.05),
}


def trained(kind: str, seed: int = 0, steps: int = 3) -> tuple[object, object]:
    """An MLP and its optimizer after a few steps: the optimizer now holds state (velocities, moments, t)."""
    model = build((2, [3, 2], "tanh", "linear"), seed)
    opt = OPTIMIZERS[kind](model.parameters())
    for t in range(steps):
        gradients(model, t)
        opt.step()
    return model, opt


def continue_training(model: object, opt: object, steps: int = 2) -> dict[str, float]:
    for t in range(10, 10 + steps):
        gradients(model, t)
        opt.step()
    return model.state_dict()


@contract("3.11")
@pytest.mark.parametrize("kind", list(OPTIMIZERS))
@settings(max_examples=FEW_FILES)
@given(seed=st.integers(0, 10**6), steps=st.integers(1, 4))
def test_optimizer_state_is_saved_so_training_resumes_exactly(
    kind: str, seed: int, steps: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Save model and optimizer mid-training; a fresh pair loaded from the file continues bit for bit the same."""
    model, opt = trained(kind, seed, steps)
    path = tmp_path_factory.mktemp("ckpt") / "run.json"
    save_checkpoint(model, path, optimizer=opt)
    fresh_model, fresh_opt = trained(kind, seed=5, steps=0)
    load_checkpoint(fresh_model, path, optimizer=fresh_opt)
    expected = continue_training(model, opt)
    assert_same_bits(continue_training(fresh_model, fresh_opt), expected, f"{kind} resumed from a checkpoint")


@contract("3.11")
def test_a_checkpoint_with_an_optimizer_loads_into_a_model_alone(tmp_path: Path) -> None:
    """A file that holds optimizer state also loads without an optimizer: the weights alone are restored."""
    model, opt = trained("Adam")
    save_checkpoint(model, tmp_path / "run.json", optimizer=opt)
    fresh = build((2, [3, 2], "tanh", "linear"), seed=9)
    load_checkpoint(fresh, str(tmp_path / "run.json"))
    assert_same_bits(fresh.state_dict(), model.state_dict(), "weights loaded from a str path")


# -------------------------------------------------------------------- atomic


def saved(tmp_path: Path) -> tuple[object, Path, bytes]:
    """A model saved to model.json, then changed (so that a new save would differ), and the file's bytes."""
    model = build((2, [3, 1], "relu", "linear"))
    path = tmp_path / "model.json"
    save_checkpoint(model, path, metadata={"run": 1})
    for p in model.parameters():
        p.data += 1.0
    return model, path, path.read_bytes()


@contract("3.11", "1.2")
def test_metadata_json_cannot_hold_raises_type_error_and_keeps_the_previous_file(tmp_path: Path) -> None:
    """save_checkpoint with metadata JSON cannot hold → TypeError, and the previous file is byte-identical."""
    model, path, before = saved(tmp_path)
    with pytest.raises(TypeError):
        save_checkpoint(model, path, metadata={"run": 2, "callback": object()})
    assert path.read_bytes() == before, "a failed save changed the previous checkpoint"


@contract("3.11")
def test_a_failed_rename_leaves_the_previous_file_byte_identical(tmp_path: Path) -> None:
    """A crash just before the final rename (every rename fails) raises OSError and leaves the previous file intact.

    An atomic save writes a new file and renames it over the old one: with the
    rename failing, the old file must be untouched. A save that succeeds anyway
    wrote over the old file in place.
    """
    model, path, before = saved(tmp_path)
    # The "os.rename" audit event precedes os.rename, os.replace, Path.replace and
    # Path.rename, however the implementation imported them (see faults.py).
    crash = failing("os.rename", errno.EIO, "simulated crash before the rename")
    with pytest.raises(OSError), crash:
        save_checkpoint(model, path, metadata={"run": 2})
    assert path.read_bytes() == before, "the checkpoint was changed without a rename: it was written in place"


@contract("3.11")
def test_a_full_disk_mid_write_leaves_the_previous_file_byte_identical(tmp_path: Path) -> None:
    """A write that fails half way (the disk is full) raises OSError and leaves the previous checkpoint intact.

    The disk "fills up" inside json.dump / json.dumps. An implementation that
    produces its JSON another way is not affected: its save must then simply work.
    """
    model, path, before = saved(tmp_path)
    try:
        with full_disk_in_json(errno.ENOSPC):
            save_checkpoint(model, path, metadata={"run": 2})
    except OSError:
        assert path.read_bytes() == before, "a failed write changed the previous checkpoint"
    else:  # the fault was not reached: the new checkpoint must be complete
        fresh = build((2, [3, 1], "relu", "linear"), seed=3)
        assert load_checkpoint(fresh, path) == {"run": 2}, "the new checkpoint's metadata"


@contract("3.11")
def test_saving_again_replaces_the_checkpoint(tmp_path: Path) -> None:
    """A second save over the same path holds the new weights."""
    model, path, _ = saved(tmp_path)
    save_checkpoint(model, path, metadata={"run": 2})
    fresh = build((2, [3, 1], "relu", "linear"), seed=3)
    assert load_checkpoint(fresh, path) == {"run": 2}, "the second save's metadata"
    assert_same_bits(fresh.state_dict(), model.state_dict(), "weights of the second save")


# ------------------------------------------------------------------ bad files


def rewrite(path: Path, change: Callable[[dict], object]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(data)), encoding="utf-8")


def drop_last_key(data: dict) -> dict:
    data["state_dict"].pop(list(data["state_dict"])[-1])
    return data


def set_key(key: str, value: object) -> Callable[[dict], dict]:
    def change(data: dict) -> dict:
        data[key] = value
        return data

    return change


def first_weight_a_string(data: dict) -> dict:
    name = next(iter(data["state_dict"]))
    data["state_dict"][name] = "0.5"
    return data


def delete(key: str) -> Callable[[dict], dict]:
    def change(data: dict) -> dict:
        del data[key]
        return data

    return change


# Each writes a bad file at `path`, given a valid checkpoint of a model like the
# one under test (but with other weights) already there.
BAD_FILES: dict[str, Callable[[Path], None]] = {
    "missing file": lambda path: path.unlink(),
    "empty file": lambda path: path.write_text("", encoding="utf-8"),
    "truncated JSON": lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
    "not JSON": lambda path: path.write_text("weights: 1, 2, 3\n", encoding="utf-8"),
    "a JSON list": lambda path: path.write_text("[1, 2, 3]", encoding="utf-8"),
    "another format": lambda path: rewrite(path, set_key("format", "other-library/checkpoint")),
    "another version": lambda path: rewrite(path, set_key("version", 2)),
    "no state_dict": lambda path: rewrite(path, delete("state_dict")),
    "a missing weight": lambda path: rewrite(path, drop_last_key),
    "a weight that is a string": lambda path: rewrite(path, first_weight_a_string),
    "last layer wider": lambda path: save_checkpoint(build((2, [3, 4], "relu", "linear"), 4), path),
    "last layer activation": lambda path: save_checkpoint(build((2, [3, 2], "relu", "tanh"), 4), path),
    "input size": lambda path: save_checkpoint(build((3, [3, 2], "relu", "linear"), 4), path),
}


@contract("3.11", "1.2")
@pytest.mark.parametrize("spoil", list(BAD_FILES.values()), ids=list(BAD_FILES))
@settings(max_examples=FEW_FILES)
@given(seed=st.integers(0, 10**6))
def test_a_bad_checkpoint_raises_checkpoint_error_and_changes_nothing(
    spoil: Callable, seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A missing, corrupt, foreign or mismatched file → CheckpointError (a ValueError); the model keeps every weight."""
    path = tmp_path_factory.mktemp("ckpt") / "model.json"
    save_checkpoint(build((2, [3, 2], "relu", "linear"), seed=seed + 1), path)
    spoil(path)
    model = build((2, [3, 2], "relu", "linear"), seed=seed)
    before = model.state_dict()
    with pytest.raises(CheckpointError.resolve()) as caught:
        load_checkpoint(model, path)
    assert isinstance(caught.value, ValueError), "CheckpointError must be a ValueError"
    assert_same_bits(model.state_dict(), before, "weights after a refused load")


@contract("3.11", "1.2")
@pytest.mark.parametrize(("saved_with", "loaded_with"), [(None, "Adam"), (None, "SGD"), ("Momentum", "Adam")])
@settings(max_examples=FEW_FILES)
@given(seed=st.integers(0, 10**6))
def test_an_optimizer_the_file_does_not_hold_is_refused_and_nothing_changes(
    saved_with: str | None, loaded_with: str, seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Loading optimizer state from a file without it (or with another optimizer's) → CheckpointError; nothing changes.

    "Nothing changes" is checked by behaviour: the model and optimizer continue
    training exactly like an untouched twin.
    """
    path = tmp_path_factory.mktemp("ckpt") / "model.json"
    other, other_opt = trained(saved_with or "SGD", seed=seed + 1)
    save_checkpoint(other, path, optimizer=None if saved_with is None else other_opt)
    model, opt = trained(loaded_with, seed)
    twin, twin_opt = trained(loaded_with, seed)
    with pytest.raises(CheckpointError.resolve()):
        load_checkpoint(model, path, optimizer=opt)
    assert_same_bits(model.state_dict(), twin.state_dict(), "weights after a refused load")
    expected = continue_training(twin, twin_opt)
    assert_same_bits(continue_training(model, opt), expected, f"{loaded_with} after a refused load")


@contract("3.11")
@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_an_optimizer_saved_before_its_first_step_resumes_exactly(kind: str, tmp_path: Path) -> None:
    """A checkpoint taken before the first step (a fresh optimizer) loads back, and training continues the same."""
    model, opt = trained(kind, 3, 0)
    path = tmp_path / "fresh.json"
    save_checkpoint(model, path, optimizer=opt)
    fresh_model, fresh_opt = trained(kind, seed=5, steps=0)
    load_checkpoint(fresh_model, path, optimizer=fresh_opt)
    expected = continue_training(model, opt)
    assert_same_bits(continue_training(fresh_model, fresh_opt), expected, f"{kind} resumed from a step-0 checkpoint")
