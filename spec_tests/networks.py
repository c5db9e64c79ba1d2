"""The spec's own arithmetic for katas 04–07: networks and losses on plain floats.

Every expected value of those katas is computed here, from the numbers an
implementation exposes through the contract (``Neuron.weights``, ``Neuron.bias``,
``Layer.neurons``, ``MLP.layers``, ``Value.data``) and never by calling the code
under test. Sums use ``math.fsum`` (exactly rounded), so the spec's side of a
comparison carries no rounding error worth mentioning.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from .oracle import sigmoid
from .strategies import reals

#: The activation names of the contract; 'identity' is an alias of 'linear'.
ACTIVATION_NAMES = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "identity")
#: Those with a kink at 0, where a central difference straddling the kink is meaningless.
KINKED = ("relu", "leaky_relu")
#: Value.leaky_relu's default slope on the negative side, which a neuron uses.
LEAKY_ALPHA = 0.01

#: Relative tolerance of a forward pass against :func:`neuron_output`: an
#: implementation sums n products in some order, each step rounding by at most
#: 2⁻⁵³ of the running magnitude, so the error is below n·1.1e-16·Σ|wᵢxᵢ|; with
#: n ≤ 64 that is < 1e-14·Σ|wᵢxᵢ|. We allow 1e-12 of (1 + Σ|wᵢxᵢ| + |b|):
#: 100× the worst rounding, and a billion times smaller than any real mistake.
FORWARD_RTOL = 1e-12


def at_most(n: int) -> settings:
    """Run a property on at most ``n`` examples (or fewer, when the profile asks fewer: ``dev`` runs 50).

    Katas 04–07 share a budget of 10 s in the ``ci`` profile (200 examples a property),
    and every example builds a network, so their properties run fewer examples:
    about 30 for those that range over network *shapes* alone (widths ≤ 6, at most 4
    layers: a small space that 30 cases cover well), 50–100 for those over numbers.
    """
    return settings(max_examples=min(n, settings.default.max_examples))


def activate(name: str, z: float) -> float:
    """The activation ``name`` at ``z``."""
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "leaky_relu":
        return z if z > 0 else LEAKY_ALPHA * z
    if name == "tanh":
        return math.tanh(z)
    if name == "sigmoid":
        return sigmoid(z)
    return z


def pre_activation(weights: Sequence[float], bias: float, x: Sequence[float]) -> float:
    """Σ wᵢ·xᵢ + b, exactly rounded."""
    return math.fsum([*(w * xi for w, xi in zip(weights, x, strict=True)), bias])


def magnitude(weights: Sequence[float], bias: float, x: Sequence[float]) -> float:
    """1 + Σ|wᵢ·xᵢ| + |b|: the scale against which a neuron's rounding error is measured."""
    return 1.0 + math.fsum(abs(w * xi) for w, xi in zip(weights, x, strict=True)) + abs(bias)


def neuron_output(weights: Sequence[float], bias: float, x: Sequence[float], name: str) -> float:
    """activation(Σ wᵢ·xᵢ + b) on plain floats."""
    return activate(name, pre_activation(weights, bias, x))


def read_neuron(neuron: Any) -> tuple[list[float], float]:
    """A neuron's weights and bias as floats, read through the contract's attributes."""
    return [w.data for w in neuron.weights], neuron.bias.data


def layer_output(layer: Any, x: Sequence[float], name: str) -> list[float]:
    """A layer's outputs on plain floats: every neuron of ``layer.neurons`` on the same ``x``."""
    return [neuron_output(*read_neuron(n), x, name) for n in layer.neurons]


def mlp_output(model: Any, x: Sequence[float], activations: Sequence[str]) -> list[float]:
    """An MLP's outputs on plain floats; ``activations[i]`` is layer i's."""
    for layer, name in zip(model.layers, activations, strict=True):
        x = layer_output(layer, x, name)
    return list(x)


def mlp_activations(n_layers: int, activation: str = "relu", output_activation: str = "linear") -> list[str]:
    """The activation of each layer of an MLP: hidden ones, then the output one."""
    return [activation] * (n_layers - 1) + [output_activation]


def set_parameters(module: Any, values: Sequence[float]) -> None:
    """Write ``values`` into ``module.parameters()``, in order, through ``Value.data``."""
    params = module.parameters()
    assert len(params) == len(values), f"parameters(): expected {len(values)} Values, got {len(params)}"
    for p, v in zip(params, values, strict=True):
        p.data = v


def n_parameters(n_inputs: int, layer_sizes: Sequence[int]) -> int:
    """Weights and biases of an MLP: Σ (fan-in + 1) · fan-out."""
    sizes = [n_inputs, *layer_sizes]
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def mlp_names(n_inputs: int, layer_sizes: Sequence[int]) -> list[str]:
    """The contract's parameter names of an MLP, in the contract's order."""
    sizes = [n_inputs, *layer_sizes]
    names = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        for j in range(fan_out):
            names += [f"layers.{i}.neurons.{j}.weights.{k}" for k in range(fan_in)]
            names.append(f"layers.{i}.neurons.{j}.bias")
    return names


# ------------------------------------------------------------------ softmax and losses


def log_sum_exp(z: Sequence[float]) -> float:
    """log Σ e^(zᵢ), stable: m + log Σ e^(zᵢ − m) with m = max z."""
    m = max(z)
    return m + math.log(math.fsum(math.exp(v - m) for v in z))


def softmax(z: Sequence[float]) -> list[float]:
    """Stable softmax on plain floats."""
    m = max(z)
    exps = [math.exp(v - m) for v in z]
    total = math.fsum(exps)
    return [e / total for e in exps]


def softmax_cross_entropy(z: Sequence[float], target: int) -> float:
    """log Σ e^(zⱼ) − z_target on plain floats."""
    return log_sum_exp(z) - z[target]


def first_argmax(values: Sequence[float]) -> int:
    """Index of the first largest value."""
    return max(range(len(values)), key=lambda i: (values[i], -i))


# ------------------------------------------------------------------ strategies


def sizes(low: int = 1, high: int = 5) -> st.SearchStrategy[int]:
    """A layer width."""
    return st.integers(low, high)


@st.composite
def neuron_case(draw: st.DrawFn, max_inputs: int = 8, low: float = -3.0, high: float = 3.0) -> tuple:
    """(weights, bias, inputs) of one neuron, all bounded floats of one length."""
    n = draw(st.integers(1, max_inputs))
    weights = draw(st.lists(reals(low, high), min_size=n, max_size=n))
    x = draw(st.lists(reals(low, high), min_size=n, max_size=n))
    return weights, draw(reals(low, high)), x


@st.composite
def mlp_shape(draw: st.DrawFn, max_layers: int = 3, max_width: int = 4) -> tuple[int, list[int]]:
    """(n_inputs, layer_sizes) of a small MLP."""
    n_inputs = draw(st.integers(1, max_width))
    layer_sizes = draw(st.lists(st.integers(1, max_width), min_size=1, max_size=max_layers))
    return n_inputs, layer_sizes


def logits(min_size: int = 1, max_size: int = 6, bound: float = 30.0) -> st.SearchStrategy[list[float]]:
    """A list of bounded logits."""
    return st.lists(reals(-bound, bound), min_size=min_size, max_size=max_size)


@st.composite
def logits_and_target(draw: st.DrawFn, max_size: int = 6, bound: float = 30.0) -> tuple[list[float], int]:
    """Logits and a class index within them."""
    z = draw(logits(1, max_size, bound))
    return z, draw(st.integers(0, len(z) - 1))
