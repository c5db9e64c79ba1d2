"""Kata 05 · MLP and ValueMLP: layers in sequence, parameter names, zero_grad, train/eval and state_dict."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .api import MLP, Layer, Module, Value, ValueMLP
from .contract import contract
from .networks import (
    ACTIVATION_NAMES,
    FORWARD_RTOL,
    activate,
    at_most,
    mlp_activations,
    mlp_names,
    mlp_output,
    mlp_shape,
    n_parameters,
    pre_activation,
    set_parameters,
)
from .oracle import assert_close, assert_gradients_match, partials
from .strategies import reals

pytestmark = pytest.mark.kata05

seeds = st.integers(0, 2**32 - 1)
#: Values that are not real numbers, for load_state_dict.
not_real = st.one_of(st.text(max_size=3), st.none(), st.lists(reals(), max_size=2), st.complex_numbers(max_magnitude=2))


def build(n_inputs: int, layer_sizes: list[int], seed: int = 0, **kwargs: object) -> object:
    """An MLP from a seeded rng."""
    return MLP(n_inputs, layer_sizes, rng=random.Random(seed), **kwargs)


def outputs(model: object, x: list[float]) -> list[float]:
    """model(x) as floats."""
    return [v.data for v in model(x)]


def forward_tolerance(model: object, x: list[float]) -> float:
    """Absolute tolerance of an MLP's outputs: FORWARD_RTOL of the largest running sum it could form.

    Bounded by Π over layers of (1 + Σ|w| + |b|) times (1 + Σ|x|); activations are
    1-Lipschitz, so rounding errors grow by at most that factor through the layers.
    """
    scale = 1.0 + sum(abs(v) for v in x)
    for layer in model.layers:
        scale *= 1.0 + max(sum(abs(w.data) for w in n.weights) + abs(n.bias.data) for n in layer.neurons)
    return FORWARD_RTOL * scale


# ---------------------------------------------------------------------- structure


@contract("3.4")
@at_most(30)
@given(mlp_shape(max_layers=4, max_width=6), seeds)
def test_an_mlp_is_a_stack_of_layers_of_the_given_sizes(shape: tuple[int, list[int]], seed: int) -> None:
    """MLP(n, sizes).layers: one Layer per size; layer i has sizes[i] neurons of (n, *sizes)[i] weights."""
    n_inputs, layer_sizes = shape
    model = build(n_inputs, layer_sizes, seed)
    assert isinstance(model, Module), "MLP must subclass Module"
    assert len(model.layers) == len(layer_sizes), f"len(layers): expected {len(layer_sizes)}, got {len(model.layers)}"
    fan_in = [n_inputs, *layer_sizes]
    for i, layer in enumerate(model.layers):
        assert isinstance(layer, Layer), f"layers[{i}] is a {type(layer).__name__}, not a Layer"
        got = [len(neuron.weights) for neuron in layer.neurons]
        assert got == [fan_in[i]] * layer_sizes[i], f"layers[{i}]: expected {layer_sizes[i]} × {fan_in[i]} weights"


@contract("3.4")
@at_most(30)
@given(mlp_shape(max_layers=4, max_width=6))
def test_an_mlp_has_the_right_number_of_parameters(shape: tuple[int, list[int]]) -> None:
    """len(parameters()) = Σ over layers of (fan-in + 1) · fan-out."""
    n_inputs, layer_sizes = shape
    got = len(build(n_inputs, layer_sizes).parameters())
    assert got == n_parameters(n_inputs, layer_sizes), f"expected {n_parameters(n_inputs, layer_sizes)}, got {got}"


@contract("3.4")
def test_the_seed_mlp_has_41_parameters() -> None:
    """MLP(3, [4, 4, 1]) (the kata page's example) has (3+1)·4 + (4+1)·4 + (4+1)·1 = 41 parameters."""
    assert len(build(3, [4, 4, 1]).parameters()) == 41


@contract("3.4", "1.3")
@at_most(30)
@given(mlp_shape(), seeds)
def test_the_same_seed_builds_the_same_mlp(shape: tuple[int, list[int]], seed: int) -> None:
    """MLPs built from two random.Random(seed) with one seed are identical, parameter for parameter."""
    a = [p.data for p in build(*shape, seed).parameters()]
    b = [p.data for p in build(*shape, seed).parameters()]
    assert a == b, "same seed, different parameters"


@contract("3.4")
@pytest.mark.parametrize("layer_sizes", [[], [3, 0], [-1]])
def test_layer_sizes_must_be_a_non_empty_list_of_positive_ints(layer_sizes: list[int]) -> None:
    """MLP(n, []) or a layer size below 1 raises ValueError."""
    with pytest.raises(ValueError):
        build(2, layer_sizes)


@contract("3.4")
@pytest.mark.parametrize("kwargs", [{"activation": "soft"}, {"output_activation": "softmax"}, {"activation": None}])
def test_an_mlp_rejects_unknown_activations(kwargs: dict) -> None:
    """An unknown hidden or output activation raises ValueError."""
    with pytest.raises(ValueError):
        build(2, [3, 1], **kwargs)


@contract("3.4")
@pytest.mark.parametrize("dropout", [1.0, -0.1, 1.5])
def test_dropout_must_lie_in_zero_one(dropout: float) -> None:
    """MLP(…, dropout=p) with p outside [0, 1) raises ValueError."""
    with pytest.raises(ValueError):
        build(2, [3, 1], dropout=dropout)


# ---------------------------------------------------------------------- forward


@contract("3.4")
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
@at_most(30)
@given(mlp_shape(), st.sampled_from(ACTIVATION_NAMES), seeds, st.data())
def test_mlp_output_is_its_layers_applied_in_turn(
    activation: str, shape: tuple[int, list[int]], output_activation: str, seed: int, data: st.DataObject
) -> None:
    """model(x) = last(…(layer₁(layer₀(x)))): hidden layers use `activation`, the last `output_activation`."""
    n_inputs, layer_sizes = shape
    model = build(n_inputs, layer_sizes, seed, activation=activation, output_activation=output_activation)
    for p in model.parameters():  # biases away from 0 too, so that each one matters
        p.data += data.draw(reals(-0.5, 0.5))
    x = data.draw(st.lists(reals(-3.0, 3.0), min_size=n_inputs, max_size=n_inputs))
    got = model(x)
    assert isinstance(got, list), f"model(x) must return a list, got {type(got).__name__}"
    expected = mlp_output(model, x, mlp_activations(len(layer_sizes), activation, output_activation))
    assert len(got) == len(expected), f"len(model(x)): expected {len(expected)}, got {len(got)}"
    tol = forward_tolerance(model, x)
    for j, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert_close(g.data, e, rel=0.0, abs=tol, what=f"model(x)[{j}]")


@contract("3.4")
def test_the_default_output_layer_is_linear() -> None:
    """By default the hidden layers are relu and the output linear: outputs can be negative, hidden ones cannot."""
    model = build(2, [3, 2], seed=0)
    set_parameters(model, [1.0, -1.0, 0.5, -1.0, 1.0, 0.5, 1.0, 1.0, 0.0, -1.0, -1.0, -1.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    # hidden: relu(1·2 − 1·1 + 0.5) = 1.5, relu(−2 + 1 + 0.5) = 0, relu(2 + 1 + 0) = 3
    assert outputs(model, [2.0, 1.0]) == [-4.5, 4.5]


@contract("3.4")
@at_most(20)
@given(st.integers(1, 4), seeds)
def test_a_single_output_is_still_a_list(n_inputs: int, seed: int) -> None:
    """MLP(n, [..., 1])(x) is a list of one Value, as the contract asks (§3.4: never a bare Value)."""
    out = build(n_inputs, [3, 1], seed)([0.5] * n_inputs)
    assert isinstance(out, list), f"expected a list, got {type(out).__name__}"
    assert len(out) == 1, f"expected one output, got {len(out)}"
    assert isinstance(out[0], Value), f"expected a Value, got {type(out[0]).__name__}"


@contract("3.4", "1.4")
@at_most(30)
@given(st.lists(reals(-2.0, 2.0), min_size=3, max_size=3))
def test_an_mlp_takes_lists_tuples_values_and_numpy_rows(x: list[float]) -> None:
    """The same input as a list, a tuple, Values or a NumPy row gives the same outputs."""
    model = build(3, [4, 2], seed=1)
    expected = outputs(model, x)
    for variant in (tuple(x), [Value(v) for v in x], np.array(x)):
        assert outputs(model, variant) == expected, f"model({type(variant).__name__}) differs from model(list)"


@contract("3.4")
@at_most(30)
@given(st.integers(1, 5), st.integers(0, 7))
def test_an_mlp_rejects_inputs_of_the_wrong_size(n_inputs: int, m: int) -> None:
    """MLP(n, …)(x) with len(x) ≠ n raises ValueError."""
    if m == n_inputs:
        m += 1
    with pytest.raises(ValueError):
        build(n_inputs, [2, 2])([1.0] * m)


@contract("3.4")
@at_most(30)
@given(mlp_shape(max_layers=3, max_width=3), st.data())
def test_backward_through_an_mlp_matches_central_differences(shape: tuple[int, list[int]], data: st.DataObject) -> None:
    """For L = Σⱼ model(x)ⱼ² (tanh hidden layers), every parameter's gradient after backward() is numerical ∂L/∂p."""
    n_inputs, layer_sizes = shape
    model = build(n_inputs, layer_sizes, activation="tanh")
    values = data.draw(
        st.lists(reals(-1.5, 1.5), min_size=n_parameters(*shape), max_size=n_parameters(*shape)), label="parameters"
    )
    set_parameters(model, values)
    x = data.draw(st.lists(reals(-2.0, 2.0), min_size=n_inputs, max_size=n_inputs), label="x")
    out = model(x)
    loss = out[0] * out[0]
    for o in out[1:]:
        loss = loss + o * o
    loss.backward()
    analytic = [p.grad for p in model.parameters()]
    names = mlp_names(n_inputs, layer_sizes)
    acts = mlp_activations(len(layer_sizes), "tanh", "linear")

    def f(*params: float) -> float:
        h, k = list(x), 0
        for width, name in zip(layer_sizes, acts, strict=True):
            fan_in, nxt = len(h), []
            for _ in range(width):
                nxt.append(activate(name, pre_activation(params[k : k + fan_in], params[k + fan_in], h)))
                k += fan_in + 1
            h = nxt
        return math.fsum(v * v for v in h)

    numeric = partials(f, values)
    assert_gradients_match(analytic, numeric, names, 1.0 + f(*values), what="Σ model(x)²")


# ---------------------------------------------------------------------- names


@contract("3.4")
@at_most(30)
@given(mlp_shape(max_layers=3, max_width=4))
def test_parameter_names_follow_the_contract_in_the_order_of_parameters(shape: tuple[int, list[int]]) -> None:
    """named_parameters(): layers.{i}.neurons.{j}.weights.{k} and …bias, paired with parameters() in order."""
    model = build(*shape)
    named = model.named_parameters()
    expected = mlp_names(*shape)
    assert [name for name, _ in named] == expected, f"names: expected {expected[:6]}…"
    params = model.parameters()
    assert len(named) == len(params), f"{len(named)} names for {len(params)} parameters"
    assert all(a is b for (_, a), b in zip(named, params, strict=True)), "names and parameters() are out of step"


# ---------------------------------------------------------------------- zero_grad


@contract("3.1")
@at_most(30)
@given(mlp_shape(), st.data())
def test_zero_grad_zeroes_every_parameter(shape: tuple[int, list[int]], data: st.DataObject) -> None:
    """After zero_grad(), every parameter's grad is 0.0, whatever it held (and no data changes)."""
    model = build(*shape)
    params = model.parameters()
    grads = data.draw(st.lists(reals(0.1, 5.0), min_size=len(params), max_size=len(params)), label="grads")
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    before = [p.data for p in params]
    model.zero_grad()
    assert [p.grad for p in params] == [0.0] * len(params), "some gradient survived zero_grad()"
    assert [p.data for p in params] == before, "zero_grad() must not touch data"


@contract("3.1")
def test_zero_grad_after_backward_gives_a_fresh_start() -> None:
    """backward() twice doubles the gradients; zero_grad() in between makes the second call's own gradients."""
    model = build(2, [3, 1], activation="tanh")
    x = [0.3, -0.7]
    model(x)[0].backward()
    first = [p.grad for p in model.parameters()]
    model.zero_grad()
    model(x)[0].backward()
    assert [p.grad for p in model.parameters()] == first, "after zero_grad(), gradients must not accumulate"


# ---------------------------------------------------------------------- train / eval


def all_modules(model: object) -> list[object]:
    """The model, its layers and their neurons: what train()/eval() must reach."""
    return [model, *model.layers, *(n for layer in model.layers for n in layer.neurons)]


@contract("3.1")
@at_most(30)
@given(mlp_shape())
def test_eval_and_train_reach_every_layer_and_neuron(shape: tuple[int, list[int]]) -> None:
    """A new MLP is training; eval() sets training = False on it, every Layer and every Neuron; train() undoes it."""
    model = build(*shape)
    assert all(m.training is True for m in all_modules(model)), "a new model is in training mode"
    model.eval()
    assert all(m.training is False for m in all_modules(model)), "eval() must reach every layer and neuron"
    model.train()
    assert all(m.training is True for m in all_modules(model)), "train() must reach every layer and neuron"
    model.train(False)
    assert all(m.training is False for m in all_modules(model)), "train(False) is eval()"


@contract("3.4")
def test_eval_does_not_change_a_plain_mlp() -> None:
    """Without dropout, eval mode computes exactly what training mode does."""
    model = build(3, [4, 2], seed=3)
    x = [0.1, -0.2, 0.3]
    before = outputs(model, x)
    model.eval()
    assert outputs(model, x) == before


# ---------------------------------------------------------------------- state_dict


@contract("3.1")
@at_most(30)
@given(mlp_shape())
def test_state_dict_holds_every_parameter_as_a_float_by_name(shape: tuple[int, list[int]]) -> None:
    """state_dict() maps each name of named_parameters() (same order) to that parameter's data, a float."""
    model = build(*shape)
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()], "keys: the names, in order"
    for name, p in model.named_parameters():
        assert type(state[name]) is float, f"state[{name!r}] is a {type(state[name]).__name__}, not a float"
        assert state[name] == p.data, f"state[{name!r}]: expected {p.data!r}, got {state[name]!r}"


@contract("3.1")
def test_state_dict_is_a_snapshot() -> None:
    """Changing the model afterwards does not change a state_dict taken before."""
    model = build(2, [2])
    state = model.state_dict()
    saved = dict(state)
    for p in model.parameters():
        p.data += 1.0
    assert state == saved, "state_dict() must hold numbers, not live Values"


@contract("3.1")
@at_most(40)
@given(mlp_shape(), seeds, seeds)
def test_load_state_dict_round_trip(shape: tuple[int, list[int]], seed_a: int, seed_b: int) -> None:
    """b.load_state_dict(a.state_dict()) makes b compute what a computes, with b's own parameter Values."""
    a, b = build(*shape, seed_a), build(*shape, seed_b)
    b_params = b.parameters()
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict(), "after loading, the state dicts differ"
    assert all(p is q for p, q in zip(b.parameters(), b_params, strict=True)), "load must keep the parameter Values"
    x = [0.5] * shape[0]
    assert outputs(b, x) == outputs(a, x), "after loading, the models compute different outputs"


@contract("3.1", "1.2")
@at_most(40)
@given(mlp_shape(), st.data())
def test_strict_load_with_a_missing_key_raises_and_changes_nothing(
    shape: tuple[int, list[int]], data: st.DataObject
) -> None:
    """A state without one of the model's names → ValueError, and every parameter keeps its value."""
    model, other = build(*shape, seed=1), build(*shape, seed=2)
    state = other.state_dict()
    del state[data.draw(st.sampled_from(sorted(state)), label="missing")]
    before = model.state_dict()
    with pytest.raises(ValueError):
        model.load_state_dict(state)
    assert model.state_dict() == before, "a failed load changed the model"


@contract("3.1", "1.2")
@at_most(40)
@given(mlp_shape(), st.text(min_size=1, max_size=8))
def test_strict_load_with_an_unexpected_key_raises_and_changes_nothing(
    shape: tuple[int, list[int]], extra: str
) -> None:
    """A state with a name the model lacks → ValueError, and the model is unchanged."""
    model, other = build(*shape, seed=1), build(*shape, seed=2)
    state = other.state_dict()
    key = "extra." + extra
    state[key] = 1.0
    before = model.state_dict()
    with pytest.raises(ValueError):
        model.load_state_dict(state)
    assert model.state_dict() == before, "a failed load changed the model"


@contract("3.1", "1.2")
@at_most(40)
@given(mlp_shape(), not_real)
def test_a_non_real_value_raises_and_changes_nothing(shape: tuple[int, list[int]], bad: object) -> None:
    """A state whose last value is not a real number → ValueError, even with strict=False; nothing changes.

    The bad value comes last, so an implementation that copies as it checks has already changed the others.
    """
    model, other = build(*shape, seed=1), build(*shape, seed=2)
    state = other.state_dict()
    state[list(state)[-1]] = bad
    before = model.state_dict()
    for strict in (True, False):
        with pytest.raises(ValueError):
            model.load_state_dict(state, strict=strict)
        assert model.state_dict() == before, f"a failed load (strict={strict}) changed the model"


@contract("3.1")
def test_non_strict_load_skips_missing_and_unexpected_keys() -> None:
    """strict=False loads the names both sides have and ignores the rest."""
    model = build(2, [2], seed=1)
    before = model.state_dict()
    state = {"layers.0.neurons.0.bias": 0.25, "layers.0.neurons.1.weights.1": -2.0, "not.a.parameter": 7.0}
    model.load_state_dict(state, strict=False)
    after = model.state_dict()
    expected = {**before, "layers.0.neurons.0.bias": 0.25, "layers.0.neurons.1.weights.1": -2.0}
    assert after == expected, f"expected {expected}, got {after}"


@contract("3.1")
def test_load_accepts_ints_and_numpy_numbers() -> None:
    """Real numbers of any kind load, stored as floats."""
    model = build(1, [1])
    model.load_state_dict({"layers.0.neurons.0.weights.0": 3, "layers.0.neurons.0.bias": np.float64(-0.5)})
    assert model.state_dict() == {"layers.0.neurons.0.weights.0": 3.0, "layers.0.neurons.0.bias": -0.5}


# ---------------------------------------------------------------------- ValueMLP


@contract("3.5")
def test_value_mlp_is_a_relu_mlp_with_a_linear_output() -> None:
    """ValueMLP([784, 16, 10]) is an MLP of 784 inputs: a relu layer of 16, a linear layer of 10 (12,730 parameters)."""
    model = ValueMLP([784, 16, 10], rng=random.Random(0))
    assert isinstance(model, MLP), "ValueMLP must be an MLP"
    assert [len(layer.neurons) for layer in model.layers] == [16, 10]
    assert len(model.layers[0].neurons[0].weights) == 784
    assert len(model.parameters()) == 784 * 16 + 16 + 16 * 10 + 10


@contract("3.5")
@at_most(50)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), seeds, st.data())
def test_value_mlp_has_relu_hidden_layers_and_a_linear_output(
    layer_sizes: list[int], seed: int, data: st.DataObject
) -> None:
    """ValueMLP(sizes)(x) = MLP(sizes[0], sizes[1:], 'relu', 'linear')(x), computed by hand."""
    model = ValueMLP(layer_sizes, rng=random.Random(seed))
    assert len(model.layers) == len(layer_sizes) - 1, f"expected {len(layer_sizes) - 1} layers"
    for p in model.parameters():
        p.data += data.draw(reals(-0.5, 0.5))
    x = data.draw(st.lists(reals(-3.0, 3.0), min_size=layer_sizes[0], max_size=layer_sizes[0]))
    expected = mlp_output(model, x, mlp_activations(len(layer_sizes) - 1, "relu", "linear"))
    tol = forward_tolerance(model, x)
    for j, (g, e) in enumerate(zip(model(x), expected, strict=True)):
        assert_close(g.data, e, rel=0.0, abs=tol, what=f"ValueMLP(x)[{j}]")


@contract("3.5")
@at_most(30)
@given(mlp_shape(), seeds)
def test_value_mlp_equals_the_mlp_it_describes(shape: tuple[int, list[int]], seed: int) -> None:
    """ValueMLP([n, *sizes], rng) draws the same weights as MLP(n, sizes, rng) from the same seed."""
    n_inputs, layer_sizes = shape
    a = ValueMLP([n_inputs, *layer_sizes], rng=random.Random(seed)).state_dict()
    b = MLP(n_inputs, layer_sizes, rng=random.Random(seed)).state_dict()
    assert a == b, "ValueMLP and MLP built from one seed differ"


@contract("3.5")
@pytest.mark.parametrize("layer_sizes", [[], [5]])
def test_value_mlp_needs_an_input_and_an_output_size(layer_sizes: list[int]) -> None:
    """ValueMLP([]) or ValueMLP([n]) raises ValueError: there is no layer to build."""
    with pytest.raises(ValueError):
        ValueMLP(layer_sizes, rng=random.Random(0))
