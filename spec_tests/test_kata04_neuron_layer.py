"""Kata 04 · Module, Neuron and Layer: activation(Σ wᵢ·xᵢ + b), one neuron and a layer of them."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from .api import Layer, Module, Neuron, Value
from .contract import contract
from .networks import (
    ACTIVATION_NAMES,
    FORWARD_RTOL,
    KINKED,
    activate,
    at_most,
    layer_output,
    magnitude,
    neuron_case,
    neuron_output,
    pre_activation,
    read_neuron,
    set_parameters,
    sizes,
)
from .oracle import assert_close, assert_gradients_match, partials
from .strategies import reals

pytestmark = pytest.mark.kata04

seeds = st.integers(0, 2**32 - 1)


def make_neuron(weights: list[float], bias: float, activation: str) -> object:
    """A Neuron with the given numbers written into its weights and bias."""
    neuron = Neuron(len(weights), activation=activation, rng=random.Random(0))
    for w, v in zip(neuron.weights, weights, strict=True):
        w.data = v
    neuron.bias.data = bias
    return neuron


# ---------------------------------------------------------------------- creation


@contract("3.2")
@at_most(30)
@given(st.integers(1, 64), seeds)
def test_a_neuron_has_one_weight_per_input_and_a_zero_bias(n: int, seed: int) -> None:
    """Neuron(n) holds n weights and a bias, all Values; the bias starts at exactly 0."""
    neuron = Neuron(n, rng=random.Random(seed))
    assert len(neuron.weights) == n, f"len(weights): expected {n}, got {len(neuron.weights)}"
    assert all(isinstance(w, Value) for w in neuron.weights), "every weight must be a Value"
    assert isinstance(neuron.bias, Value), f"bias must be a Value, got {type(neuron.bias).__name__}"
    assert neuron.bias.data == 0.0, f"bias: expected 0.0, got {neuron.bias.data!r}"


@contract("3.2")
@at_most(30)
@given(st.integers(1, 64), seeds)
def test_initial_weights_lie_within_the_he_bound(n: int, seed: int) -> None:
    """Every initial weight is uniform(−1, 1)·√(2/n), so |w| ≤ √(2/n)."""
    bound = math.sqrt(2.0 / n)
    for k, w in enumerate(Neuron(n, rng=random.Random(seed)).weights):
        assert -bound <= w.data <= bound, f"weights.{k} = {w.data!r} lies outside ±√(2/{n}) = ±{bound!r}"


@contract("3.2")
@pytest.mark.parametrize("n", [3, 50, 784])
def test_initial_weights_have_the_he_statistics(n: int) -> None:
    """Over 6,000 weights at a fixed seed, w/√(2/n) looks uniform on (−1, 1): mean 0, mean square 1/3, full range.

    For u ~ U(−1, 1): E u = 0 with sd 1/√3; E u² = 1/3 with sd √(4/45). Over N = 6,000
    draws the sample mean has sd 0.0075 and the mean square 0.0038; we allow 5 sd
    (0.037 and 0.019): a correct init fails with probability below 1e-6 at any seed, while
    uniform(0, 1) (mean 0.5), a Gaussian (mean square 1) or √(1/n) (mean square 1/6) fail.
    """
    rng = random.Random(20240601)
    scale = math.sqrt(2.0 / n)
    u = []
    while len(u) < 6000:
        u += [w.data / scale for w in Neuron(n, rng=rng).weights]
    mean = math.fsum(u) / len(u)
    mean_square = math.fsum(x * x for x in u) / len(u)
    assert abs(mean) < 0.037, f"mean of w/√(2/n): expected 0 ± 0.037, got {mean:.4f}"
    assert abs(mean_square - 1 / 3) < 0.019, f"mean of (w/√(2/n))²: expected 1/3 ± 0.019, got {mean_square:.4f}"
    assert max(abs(x) for x in u) > 0.99, "w/√(2/n) should come within 1% of ±1 somewhere in 6,000 draws"


@contract("3.2", "1.3")
@at_most(20)
@given(st.integers(1, 20), seeds)
def test_the_same_seed_builds_the_same_neuron(n: int, seed: int) -> None:
    """Two neurons built from random.Random(seed) with the same seed have identical weights."""
    a = [w.data for w in Neuron(n, rng=random.Random(seed)).weights]
    b = [w.data for w in Neuron(n, rng=random.Random(seed)).weights]
    assert a == b, f"same seed, different weights: {a} vs {b}"


@contract("3.2")
def test_different_seeds_build_different_neurons() -> None:
    """The weights come from the rng: two seeds give two different neurons."""
    a = [w.data for w in Neuron(10, rng=random.Random(1)).weights]
    b = [w.data for w in Neuron(10, rng=random.Random(2)).weights]
    assert a != b, "seeds 1 and 2 built identical weights: is rng used?"


@contract("3.1")
def test_neuron_and_layer_are_modules() -> None:
    """Neuron and Layer are Modules, so they share parameters(), zero_grad(), state_dict(), …"""
    assert isinstance(Neuron(2, rng=random.Random(0)), Module), "Neuron must subclass Module"
    assert isinstance(Layer(2, 3, rng=random.Random(0)), Module), "Layer must subclass Module"


# ---------------------------------------------------------------------- forward


@contract("3.2")
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@at_most(40)
@given(neuron_case())
def test_neuron_output_is_activation_of_weighted_sum_plus_bias(activation: str, case: tuple) -> None:
    """neuron(x) = activation(Σ wᵢ·xᵢ + b), for random weights, bias and inputs, for each activation."""
    weights, bias, x = case
    got = make_neuron(weights, bias, activation)(x)
    assert isinstance(got, Value), f"neuron(x) must return a Value, got {type(got).__name__}"
    expected = neuron_output(weights, bias, x, activation)
    assert_close(
        got.data, expected, rel=0.0, abs=FORWARD_RTOL * magnitude(weights, bias, x), what=f"{activation} neuron(x)"
    )


@contract("3.2")
@at_most(50)
@given(neuron_case(), reals(-3.0, 3.0))
def test_the_bias_shifts_a_linear_neuron(case: tuple, shift: float) -> None:
    """For a linear neuron, adding δ to the bias adds δ to the output: the bias is not ignored."""
    weights, bias, x = case
    before = make_neuron(weights, bias, "linear")(x).data
    after = make_neuron(weights, bias + shift, "linear")(x).data
    tol = 2 * FORWARD_RTOL * magnitude(weights, abs(bias) + abs(shift), x)
    assert_close(after - before, shift, rel=0.0, abs=tol, what="output change when the bias changes by δ")


@contract("3.2")
def test_the_neuron_of_the_worked_example() -> None:
    """A worked case: weights (0.5, −1), bias 2, relu, input (4, 1) → relu(2 − 1 + 2) = 3; input (−4, 1) → 0."""
    neuron = make_neuron([0.5, -1.0], 2.0, "relu")
    assert neuron([4.0, 1.0]).data == 3.0
    assert neuron([-4.0, 1.0]).data == 0.0


@contract("3.2", "1.4")
@at_most(30)
@given(st.lists(reals(-3.0, 3.0), min_size=3, max_size=3))
def test_a_neuron_takes_values_numbers_and_numpy_rows(x: list[float]) -> None:
    """Inputs may be Values, plain floats, a tuple, or a NumPy row: the output is the same."""
    neuron = make_neuron([0.25, -0.5, 1.5], 0.125, "tanh")
    expected = neuron(x).data
    for variant in ([Value(v) for v in x], tuple(x), np.array(x), [np.float64(v) for v in x]):
        got = neuron(variant).data
        assert_close(got, expected, rel=1e-12, abs=1e-12, what=f"neuron({type(variant).__name__}) vs neuron(list)")


@contract("3.2")
@at_most(30)
@given(st.integers(1, 10), st.integers(0, 12))
def test_a_neuron_rejects_the_wrong_number_of_inputs(n: int, m: int) -> None:
    """Calling Neuron(n) with m ≠ n inputs raises ValueError (zip would silently drop or ignore some)."""
    assume(m != n)
    neuron = Neuron(n, rng=random.Random(0))
    with pytest.raises(ValueError):
        neuron([1.0] * m)


@contract("3.2")
@at_most(50)
@given(st.one_of(st.text(max_size=12), st.none(), st.integers(), st.sampled_from(["ReLU", "softmax", "", "lin"])))
def test_an_unknown_activation_is_a_value_error_listing_the_known_ones(activation: object) -> None:
    """Neuron(…, activation=anything unknown, of any type) raises ValueError naming the valid activations."""
    assume(activation not in ACTIVATION_NAMES)
    with pytest.raises(ValueError) as info:
        Neuron(2, activation=activation, rng=random.Random(0))
    message = str(info.value)
    assert "relu" in message, f"the message should list the activations, got: {message}"
    assert "tanh" in message, f"the message should list the activations, got: {message}"


@contract("3.2")
@pytest.mark.parametrize("n", [0, -1, -5])
def test_a_neuron_needs_at_least_one_input(n: int) -> None:
    """Neuron(0) or a negative input count raises ValueError."""
    with pytest.raises(ValueError):
        Neuron(n, rng=random.Random(0))


@contract("3.2")
@pytest.mark.parametrize("n", [2.5, "3", None, True])
def test_the_number_of_inputs_must_be_an_int(n: object) -> None:
    """Neuron(n) with n not an int (a float, a string, None, a bool) raises TypeError."""
    with pytest.raises(TypeError):
        Neuron(n, rng=random.Random(0))


# ---------------------------------------------------------------------- parameters


@contract("3.2")
@at_most(20)
@given(st.integers(1, 30))
def test_neuron_parameters_are_its_weights_then_its_bias(n: int) -> None:
    """parameters() lists the very weight Values, in order, then the bias (n + 1 in all)."""
    neuron = Neuron(n, rng=random.Random(0))
    params = neuron.parameters()
    expected = [*neuron.weights, neuron.bias]
    assert len(params) == n + 1, f"len(parameters()): expected {n + 1}, got {len(params)}"
    assert all(p is e for p, e in zip(params, expected, strict=True)), "parameters() must be weights… then bias"


@contract("3.2")
@at_most(20)
@given(st.integers(1, 30))
def test_neuron_parameter_names(n: int) -> None:
    """named_parameters() is weights.0 … weights.{n−1}, then bias, paired with the same Values as parameters()."""
    neuron = Neuron(n, rng=random.Random(0))
    named = neuron.named_parameters()
    names = [name for name, _ in named]
    expected = [f"weights.{k}" for k in range(n)] + ["bias"]
    assert names == expected, f"names: expected {expected}, got {names}"
    assert all(a is b for (_, a), b in zip(named, neuron.parameters(), strict=True)), "same Values as parameters()"


@contract("3.2")
def test_updating_a_parameter_changes_the_neuron() -> None:
    """parameters() hands out the neuron's own Values (not copies): p.data −= … changes the output."""
    neuron = make_neuron([1.0, 1.0], 0.0, "linear")
    for p in neuron.parameters():
        p.data += 1.0
    assert neuron([1.0, 1.0]).data == 5.0, "after adding 1 to every parameter, (2·1 + 2·1 + 1) = 5"


# ---------------------------------------------------------------------- gradients


@contract("3.2")
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear", "leaky_relu"])
@at_most(30)
@given(neuron_case(max_inputs=5))
def test_neuron_gradients_match_central_differences(activation: str, case: tuple) -> None:
    """After neuron(x).backward(): ∂/∂wᵢ = f′(z)·xᵢ, ∂/∂b = f′(z), ∂/∂xᵢ = f′(z)·wᵢ, checked numerically."""
    weights, bias, x = case
    z = pre_activation(weights, bias, x)
    if activation in KINKED:
        assume(abs(z) > 1e-3)  # a central difference across the kink at 0 measures nothing
    neuron = make_neuron(weights, bias, activation)
    inputs = [Value(v) for v in x]
    neuron(inputs).backward()
    n = len(weights)
    analytic = [w.grad for w in neuron.weights] + [neuron.bias.grad] + [v.grad for v in inputs]

    def f(*args: float) -> float:
        return neuron_output(args[:n], args[n], args[n + 1 :], activation)

    numeric = partials(f, [*weights, bias, *x])
    names = [f"w{k}" for k in range(n)] + ["b"] + [f"x{k}" for k in range(n)]
    assert_gradients_match(analytic, numeric, names, magnitude(weights, bias, x), what=f"{activation} neuron")


@contract("3.2")
def test_the_gradient_of_a_dead_relu_neuron_is_zero() -> None:
    """When Σ wᵢ·xᵢ + b < 0, relu outputs 0 and no gradient reaches the weights or the bias."""
    neuron = make_neuron([1.0, -2.0], -1.0, "relu")
    neuron([1.0, 1.0]).backward()
    assert [p.grad for p in neuron.parameters()] == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------------- layer


@contract("3.3")
@at_most(30)
@given(sizes(1, 8), sizes(1, 8), seeds)
def test_a_layer_holds_n_outputs_neurons_of_n_inputs_weights(n_in: int, n_out: int, seed: int) -> None:
    """Layer(n_in, n_out).neurons is a list of n_out Neurons, each with n_in weights."""
    layer = Layer(n_in, n_out, rng=random.Random(seed))
    assert len(layer.neurons) == n_out, f"len(neurons): expected {n_out}, got {len(layer.neurons)}"
    for j, neuron in enumerate(layer.neurons):
        assert isinstance(neuron, Neuron), f"neurons[{j}] is a {type(neuron).__name__}, not a Neuron"
        assert len(neuron.weights) == n_in, f"neurons[{j}]: expected {n_in} weights, got {len(neuron.weights)}"


@contract("3.3")
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@at_most(30)
@given(sizes(1, 5), sizes(1, 5), seeds, st.data())
def test_layer_outputs_are_each_neuron_on_the_same_input(
    activation: str, n_in: int, n_out: int, seed: int, data: st.DataObject
) -> None:
    """layer(x) is a list: output j = activation(Σ wⱼᵢ·xᵢ + bⱼ) with neuron j's own weights and bias."""
    layer = Layer(n_in, n_out, activation=activation, rng=random.Random(seed))
    for neuron in layer.neurons:  # non-zero biases, so that a forgotten bias shows
        neuron.bias.data = data.draw(reals(-1.0, 1.0))
    x = data.draw(st.lists(reals(-3.0, 3.0), min_size=n_in, max_size=n_in))
    got = layer(x)
    assert isinstance(got, list), f"layer(x) must be a list, got {type(got).__name__}"
    expected = layer_output(layer, x, activation)
    assert len(got) == len(expected), f"len(layer(x)): expected {len(expected)}, got {len(got)}"
    for j, (g, e) in enumerate(zip(got, expected, strict=True)):
        w, b = read_neuron(layer.neurons[j])
        assert_close(g.data, e, rel=0.0, abs=FORWARD_RTOL * magnitude(w, b, x), what=f"layer(x)[{j}]")


@contract("3.3")
def test_a_layer_of_one_neuron_still_returns_a_list() -> None:
    """Layer(3, 1)(x) is a list of one Value, never a bare Value."""
    out = Layer(3, 1, rng=random.Random(0))([1.0, 2.0, 3.0])
    assert isinstance(out, list), f"expected a list of one Value, got {out!r}"
    assert len(out) == 1, f"expected a list of one Value, got {out!r}"
    assert isinstance(out[0], Value)


@contract("3.3")
@at_most(30)
@given(sizes(1, 6), sizes(1, 6))
def test_a_layer_rejects_the_wrong_number_of_inputs(n_in: int, m: int) -> None:
    """Layer(n_in, …)(x) with len(x) ≠ n_in raises ValueError."""
    assume(m != n_in)
    with pytest.raises(ValueError):
        Layer(n_in, 2, rng=random.Random(0))([0.5] * m)


@contract("3.3")
@pytest.mark.parametrize(("n_in", "n_out"), [(0, 2), (2, 0), (-1, 3)])
def test_a_layer_needs_positive_sizes(n_in: int, n_out: int) -> None:
    """Layer(n_in, n_out) with a size below 1 raises ValueError."""
    with pytest.raises(ValueError):
        Layer(n_in, n_out, rng=random.Random(0))


@contract("3.3")
def test_a_layer_rejects_an_unknown_activation() -> None:
    """Layer(…, activation='softplus') raises ValueError, as a Neuron does."""
    with pytest.raises(ValueError):
        Layer(2, 2, activation="softplus", rng=random.Random(0))


@contract("3.3", "1.3")
@at_most(30)
@given(sizes(1, 6), sizes(2, 6), seeds)
def test_the_neurons_of_a_layer_differ_and_the_seed_fixes_them(n_in: int, n_out: int, seed: int) -> None:
    """The same seed builds the same layer; its neurons are drawn one after another, so no two are equal."""
    a = Layer(n_in, n_out, rng=random.Random(seed))
    b = Layer(n_in, n_out, rng=random.Random(seed))
    weights_a = [read_neuron(n)[0] for n in a.neurons]
    assert weights_a == [read_neuron(n)[0] for n in b.neurons], "same seed, different layers"
    assert len({tuple(w) for w in weights_a}) == n_out, "two neurons of one layer have identical weights"


@contract("3.3")
@at_most(20)
@given(sizes(1, 6), sizes(1, 6))
def test_layer_parameters_are_its_neurons_parameters_in_order(n_in: int, n_out: int) -> None:
    """parameters() = neuron 0's (weights, bias), then neuron 1's, …: n_out·(n_in + 1) Values."""
    layer = Layer(n_in, n_out, rng=random.Random(0))
    params = layer.parameters()
    expected = [p for n in layer.neurons for p in (*n.weights, n.bias)]
    assert len(params) == n_out * (n_in + 1), f"len(parameters()): expected {n_out * (n_in + 1)}, got {len(params)}"
    assert all(p is e for p, e in zip(params, expected, strict=True)), "parameters() out of order"


@contract("3.3")
@at_most(20)
@given(sizes(1, 5), sizes(1, 5))
def test_layer_parameter_names(n_in: int, n_out: int) -> None:
    """named_parameters() names neurons.{j}.weights.{k} and neurons.{j}.bias, in the order of parameters()."""
    layer = Layer(n_in, n_out, rng=random.Random(0))
    named = layer.named_parameters()
    expected = [
        name for j in range(n_out) for name in [f"neurons.{j}.weights.{k}" for k in range(n_in)] + [f"neurons.{j}.bias"]
    ]
    assert [name for name, _ in named] == expected, f"names: expected {expected}"
    assert all(a is b for (_, a), b in zip(named, layer.parameters(), strict=True)), "same Values as parameters()"


@contract("3.3")
@at_most(40)
@given(sizes(1, 4), sizes(1, 4), st.data())
def test_layer_gradients_match_central_differences(n_in: int, n_out: int, data: st.DataObject) -> None:
    """For L = Σⱼ cⱼ·layer(x)ⱼ (tanh), backward() gives every weight, bias and input its numerical gradient."""
    layer = Layer(n_in, n_out, activation="tanh", rng=random.Random(0))
    values = data.draw(st.lists(reals(-2.0, 2.0), min_size=n_out * (n_in + 1), max_size=n_out * (n_in + 1)))
    set_parameters(layer, values)
    x = data.draw(st.lists(reals(-2.0, 2.0), min_size=n_in, max_size=n_in))
    c = data.draw(st.lists(reals(-2.0, 2.0), min_size=n_out, max_size=n_out))
    inputs = [Value(v) for v in x]
    out = layer(inputs)
    total = out[0] * c[0]
    for o, cj in zip(out[1:], c[1:], strict=True):
        total = total + o * cj
    total.backward()
    analytic = [p.grad for p in layer.parameters()] + [v.grad for v in inputs]
    n_params = len(values)

    def f(*args: float) -> float:
        params, xs = args[:n_params], args[n_params:]
        per = n_in + 1
        outs = [
            activate("tanh", pre_activation(params[j * per : j * per + n_in], params[j * per + n_in], xs))
            for j in range(n_out)
        ]
        return math.fsum(cj * o for cj, o in zip(c, outs, strict=True))

    numeric = partials(f, [*values, *x])
    names = [name for name, _ in layer.named_parameters()] + [f"x{k}" for k in range(n_in)]
    scale = 1.0 + sum(abs(v) for v in values) * (1.0 + sum(abs(v) for v in x))
    assert_gradients_match(analytic, numeric, names, scale, what="Σ c·layer(x)")


@contract("3.2", "1.4")
@at_most(50)
@given(st.lists(reals(-3.0, 3.0), min_size=2, max_size=6), st.lists(reals(-2.0, 2.0), min_size=6, max_size=6))
def test_a_neuron_takes_a_mix_of_values_and_numbers(xs: list[float], ws: list[float]) -> None:
    """Inputs may mix Values and plain numbers: same output as all numbers, and the Value input gets ∂out/∂x₀ = w₀."""
    weights = ws[: len(xs)]
    neuron = make_neuron(weights, 0.5, "linear")
    x0 = Value(xs[0])
    out = neuron([x0, *xs[1:]])
    expected = neuron(list(xs)).data
    assert_close(out.data, expected, rel=FORWARD_RTOL, what="linear neuron on [Value, numbers…]")
    out.backward()
    assert_close(x0.grad, weights[0], rel=1e-12, what="∂out/∂x₀ of a linear neuron")


@contract("3.2")
def test_a_leaky_relu_neuron_has_slope_one_hundredth() -> None:
    """activation='leaky_relu' is Value.leaky_relu's default slope: weights (0.5, −1), bias 0, input (−4, 0) → −0.02.

    Its gradient there is 0.01 too: ∂out/∂b = 0.01.
    """
    neuron = make_neuron([0.5, -1.0], 0.0, "leaky_relu")
    out = neuron([-4.0, 0.0])
    assert_close(out.data, -0.02, rel=1e-12, what="leaky_relu neuron at z = −2")
    out.backward()
    assert_close(neuron.bias.grad, 0.01, rel=1e-12, what="∂out/∂bias of a leaky_relu neuron at z = −2")
