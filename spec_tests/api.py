"""The only door from the spec into an implementation: the names of the contract (``docs/contract.md``, §1.1).

The spec never imports an implementation directly. Each public name of the
contract is an :class:`ApiName` below (``tests/test_contract.py`` checks that the
contract states each one, with its module), resolved in the chosen implementation
(``--impl NAME`` / ``SPEC_IMPL``) the first time a test uses it. A missing module
or name therefore fails only the tests that use it, with a message naming it,
and never stops collection.

When the run is split (``kata grade``, or ``pytest spec_tests --split``), the implementation is
imported only in a worker process, and each name resolves to a stand-in for the object there
(:mod:`spec_tests.remote`): the tests read the same either way.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest

from . import remote

DEFAULT_IMPL = "reference"
_chosen = {"name": os.environ.get("SPEC_IMPL") or DEFAULT_IMPL}
_resolved: dict[tuple[str, str, str], Any] = {}


def select(name: str) -> None:
    """Make ``name`` (an importable package) the implementation under test."""
    _chosen["name"] = name
    _resolved.clear()


def split(config: remote.Config | None) -> None:
    """Reach the implementation through a worker process started as ``config`` says (``None``: in this process)."""
    remote.configure(config)
    _resolved.clear()
    if config is not None:
        remote.connection().on_restart.append(_resolved.clear)  # a new worker: every name is looked up again


def implementation() -> str:
    """The name of the implementation package under test."""
    return _chosen["name"]


_MISSING_MARK = "the API contract asks"


def is_missing_message(message: str) -> bool:
    """Whether a failure message is this module's 'missing module or name' message."""
    return _MISSING_MARK in message or message.startswith("importing ")


class ApiName:
    """A contract name (``module``, ``name``) of the implementation, looked up on first use.

    Call it, read its attributes or use it with ``isinstance`` as if it were the
    object itself.
    """

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def resolve(self) -> Any:
        """The implementation's object, or a test failure that names what is missing."""
        impl = implementation()
        key = (impl, self.module, self.name)
        if key not in _resolved:
            _resolved[key] = self._remote(impl) if remote.active() else getattr(self._import(impl), self.name, _MISSING)
        obj = _resolved[key]
        if obj is _MISSING:
            del _resolved[key]
            path = f"{impl}/{self.module.replace('.', '/')}.py"
            pytest.fail(f"{path} has no `{self.name}`: {_MISSING_MARK} {self.module} to define it", pytrace=False)
        return obj

    def _import(self, impl: str) -> Any:
        try:
            return importlib.import_module(f"{impl}.{self.module}")
        except Exception as exc:
            self._cannot_import(impl, exc)

    def _remote(self, impl: str) -> Any:
        try:
            found, obj = remote.resolve(self.module, self.name)
        except remote.WorkerError:
            raise
        except Exception as exc:  # raised by the worker's import, rebuilt here
            self._cannot_import(impl, exc)
        return obj if found else _MISSING

    def _cannot_import(self, impl: str, exc: Exception) -> None:
        dotted = f"{impl}.{self.module}"
        if isinstance(exc, ModuleNotFoundError) and f"{dotted}.".startswith(f"{exc.name}."):
            path = f"{impl}/{self.module.replace('.', '/')}.py"
            reason = f"{path} is missing (cannot import {exc.name}): {_MISSING_MARK} it to define `{self.name}`"
        else:  # the implementation's module crashed while importing
            reason = f"importing {dotted} raised {type(exc).__name__}: {exc}"
        pytest.fail(reason, pytrace=False)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):  # tools probe while collecting (dunders, _mock_name): never resolve for them
            raise AttributeError(attr)
        return getattr(self.resolve(), attr)

    def __instancecheck__(self, obj: object) -> bool:
        return isinstance(obj, self.resolve())

    def __repr__(self) -> str:
        return f"{implementation()}.{self.module}.{self.name}"


_MISSING = object()

# Every public name of the contract (docs/contract.md), by module. Two names occur twice in the
# contract (SGD and MLP): the vectorized ones are VecSGD and VecMLP here.

# autograd/value.py
Value = ApiName("autograd.value", "Value")
# autograd/graph.py
topological_order = ApiName("autograd.graph", "topological_order")
to_dot = ApiName("autograd.graph", "to_dot")
# nn/module.py
Module = ApiName("nn.module", "Module")
# nn/neuron.py
Neuron = ApiName("nn.neuron", "Neuron")
# nn/layer.py
Layer = ApiName("nn.layer", "Layer")
# nn/mlp.py
MLP = ApiName("nn.mlp", "MLP")
# nn/value_mlp.py
ValueMLP = ApiName("nn.value_mlp", "ValueMLP")
train_step_value_mlp = ApiName("nn.value_mlp", "train_step_value_mlp")
predict_value_mlp = ApiName("nn.value_mlp", "predict_value_mlp")
evaluate_value_mlp = ApiName("nn.value_mlp", "evaluate_value_mlp")
# nn/loss.py
mse_loss = ApiName("nn.loss", "mse_loss")
bce_loss = ApiName("nn.loss", "bce_loss")
cross_entropy = ApiName("nn.loss", "cross_entropy")
softmax_cross_entropy_loss = ApiName("nn.loss", "softmax_cross_entropy_loss")
# nn/functional.py
softmax = ApiName("nn.functional", "softmax")
log_softmax = ApiName("nn.functional", "log_softmax")
argmax = ApiName("nn.functional", "argmax")
predict = ApiName("nn.functional", "predict")
accuracy = ApiName("nn.functional", "accuracy")
# nn/optim.py
Optimizer = ApiName("nn.optim", "Optimizer")
SGD = ApiName("nn.optim", "SGD")
Momentum = ApiName("nn.optim", "Momentum")
Adam = ApiName("nn.optim", "Adam")
# nn/dataloader.py
Dataset = ApiName("nn.dataloader", "Dataset")
DataLoader = ApiName("nn.dataloader", "DataLoader")
# nn/regularization.py
Dropout = ApiName("nn.regularization", "Dropout")
# nn/serialization.py
save_checkpoint = ApiName("nn.serialization", "save_checkpoint")
load_checkpoint = ApiName("nn.serialization", "load_checkpoint")
CheckpointError = ApiName("nn.serialization", "CheckpointError")
# nn/gradient_check.py
numerical_grad = ApiName("nn.gradient_check", "numerical_grad")
check_gradients = ApiName("nn.gradient_check", "check_gradients")
GradientCheckError = ApiName("nn.gradient_check", "GradientCheckError")
# vectorized/modules.py
Linear = ApiName("vectorized.modules", "Linear")
Sigmoid = ApiName("vectorized.modules", "Sigmoid")
ReLU = ApiName("vectorized.modules", "ReLU")
Tanh = ApiName("vectorized.modules", "Tanh")
MSELoss = ApiName("vectorized.modules", "MSELoss")
CrossEntropyLoss = ApiName("vectorized.modules", "CrossEntropyLoss")
VecSGD = ApiName("vectorized.modules", "SGD")
VecMLP = ApiName("vectorized.modules", "MLP")
# vectorized/two_layer.py
TwoLayerMLP = ApiName("vectorized.two_layer", "TwoLayerMLP")
# vectorized/network.py
NeuralNetwork = ApiName("vectorized.network", "NeuralNetwork")
create_mnist_model = ApiName("vectorized.network", "create_mnist_model")
# data/batching.py
minibatch_generator = ApiName("data.batching", "minibatch_generator")
int_to_onehot = ApiName("data.batching", "int_to_onehot")
# data/mnist.py
load_mnist = ApiName("data.mnist", "load_mnist")
train_val_test_split = ApiName("data.mnist", "train_val_test_split")
normalize_pixels = ApiName("data.mnist", "normalize_pixels")
load_mnist_data = ApiName("data.mnist", "load_mnist_data")
