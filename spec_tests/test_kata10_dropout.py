"""Kata 10 · Dropout: zero a random part of the inputs while training, scale the rest, vanish in eval."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .api import MLP, Dropout, Module, Value
from .contract import contract
from .oracle import assert_close
from .strategies import reals

pytestmark = pytest.mark.kata10

P = reals(0.01, 0.95)
SEEDS = st.integers(0, 2**32 - 1)
INPUTS = st.lists(reals(-100.0, 100.0), min_size=1, max_size=30)

# A kept input is x·1/(1 − p) or x/(1 − p): the two differ by an ulp or two.
SCALE_RTOL = 1e-12


def is_dropped_or_scaled(out: float, x: float, p: float) -> bool:
    return out == 0.0 or math.isclose(out, x / (1.0 - p), rel_tol=SCALE_RTOL, abs_tol=0.0)


@contract("3.10")
@given(P, INPUTS)
def test_eval_is_the_identity(p: float, xs: list[float]) -> None:
    """After eval(), Dropout returns its inputs unchanged, whatever p."""
    drop = Dropout(p, rng=random.Random(0))
    drop.eval()
    out = drop([Value(x) for x in xs])
    assert [v.data for v in out] == xs, f"eval Dropout({p}) changed {xs} into {[v.data for v in out]}"


@contract("3.10")
@given(P, INPUTS, SEEDS)
def test_training_outputs_are_zero_or_scaled_by_one_over_one_minus_p(p: float, xs: list[float], seed: int) -> None:
    """In training, each output is 0 (dropped) or x/(1 − p) (kept and rescaled)."""
    out = Dropout(p, rng=random.Random(seed))([Value(x) for x in xs])
    assert len(out) == len(xs), f"Dropout gave {len(out)} outputs for {len(xs)} inputs"
    for x, v in zip(xs, out, strict=True):
        assert is_dropped_or_scaled(v.data, x, p), f"Dropout({p}) of {x}: expected 0 or {x / (1 - p)!r}, got {v.data!r}"


@contract("3.10")
@given(st.lists(reals(0.1, 10.0), min_size=1, max_size=20), SEEDS)
def test_p_zero_keeps_everything_even_in_training(xs: list[float], seed: int) -> None:
    """Dropout(0.0) in training mode returns the inputs' values unchanged."""
    out = Dropout(0.0, rng=random.Random(seed))([Value(x) for x in xs])
    assert [v.data for v in out] == xs, f"Dropout(0.0) changed {xs} into {[v.data for v in out]}"


# Over N draws the kept count K is Binomial(N, 1 − p): sd = √(N·p·(1 − p)). Bounds
# at 5 sd fail a correct implementation with probability below 1e-6 (and the seed
# is fixed anyway). Swapping p and 1 − p, or keeping with probability p, moves the
# fraction by |1 − 2p| ≥ 0.4 here: 80+ sd.
N_DRAWS = 4000


@contract("3.10")
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_kept_fraction_and_mean_sit_within_binomial_bounds(p: float) -> None:
    """Over 4000 inputs of 1.0, about (1 − p) are kept, and the mean output stays near 1 (dropout is unbiased)."""
    out = Dropout(p, rng=random.Random(12345))([Value(1.0) for _ in range(N_DRAWS)])
    kept = sum(v.data != 0.0 for v in out)
    sd = math.sqrt(N_DRAWS * p * (1 - p))
    expected = N_DRAWS * (1 - p)
    assert abs(kept - expected) <= 5 * sd, (
        f"Dropout({p}) kept {kept} of {N_DRAWS}, expected {expected:.0f} ± {5 * sd:.0f}"
    )
    mean = sum(v.data for v in out) / N_DRAWS
    # mean = K / (N·(1 − p)), so its sd is sd(K) / (N·(1 − p))
    bound = 5 * sd / (N_DRAWS * (1 - p))
    assert abs(mean - 1.0) <= bound, f"Dropout({p}) mean output {mean:.4f}, expected 1 ± {bound:.4f}"


@contract("3.10")
@given(P, st.lists(reals(-10.0, 10.0), min_size=1, max_size=20), SEEDS)
def test_gradient_is_the_mask(p: float, xs: list[float], seed: int) -> None:
    """backward() through Dropout: ∂out/∂x is 0 for a dropped input and 1/(1 − p) for a kept one."""
    inputs = [Value(x) for x in xs]
    out = Dropout(p, rng=random.Random(seed))(inputs)
    total = out[0]
    for v in out[1:]:
        total = total + v
    total.backward()
    for x, v, o in zip(inputs, out, xs, strict=True):
        dropped = v.data == 0.0 and o != 0.0
        if o == 0.0:  # 0 is 0 whether kept or not: either gradient is right
            assert x.grad in (0.0, pytest.approx(1 / (1 - p), rel=SCALE_RTOL)), f"∂out/∂x at x=0: {x.grad}"
        elif dropped:
            assert x.grad == 0.0, f"a dropped input must get gradient 0, got {x.grad}"
        else:
            assert_close(x.grad, 1 / (1 - p), rel=SCALE_RTOL, what=f"∂out/∂x of a kept input, p={p}")


@contract("3.10", "1.3")
@given(P, SEEDS)
def test_the_same_seed_drops_the_same_inputs(p: float, seed: int) -> None:
    """Two Dropouts with random.Random(seed) drop exactly the same positions."""
    xs = [Value(1.0) for _ in range(50)]
    a = [v.data for v in Dropout(p, rng=random.Random(seed))(xs)]
    b = [v.data for v in Dropout(p, rng=random.Random(seed))(xs)]
    assert a == b, f"Dropout({p}) with the same seed {seed} gave two different masks"


@contract("3.10")
@given(SEEDS)
def test_each_call_draws_a_new_mask(seed: int) -> None:
    """Two calls of one Dropout(0.5) on 64 inputs drop different positions (equal by chance: 2⁻⁶⁴)."""
    drop = Dropout(0.5, rng=random.Random(seed))
    xs = [Value(1.0) for _ in range(64)]
    first, second = ([v.data == 0.0 for v in drop(xs)] for _ in range(2))
    assert first != second, "the same positions were dropped twice: draw a fresh mask on every call"


# A small input space: 50 examples cover it; the ci profile's 200 would only repeat it.
@contract("3.10")
@settings(max_examples=50)
@given(reals(0.3, 0.95), SEEDS)
def test_dropout_is_a_module_without_parameters_that_train_and_eval_switch(p: float, seed: int) -> None:
    """Dropout is a Module with no parameters; eval() sets training False, train() sets it back."""
    drop = Dropout(p, rng=random.Random(seed))
    assert isinstance(drop, Module), "Dropout must subclass Module"
    assert drop.parameters() == [], f"Dropout has no parameters, got {drop.parameters()}"
    assert drop.training is True, "a new Dropout is in training mode"
    drop.eval()
    assert drop.training is False, "after eval(), training is False"
    assert [v.data for v in drop([Value(2.0)] * 20)] == [2.0] * 20, "eval: the identity"
    drop.train()
    assert drop.training is True, "after train(), training is True"
    # 200 inputs all kept at p ≥ 0.3: probability 0.7²⁰⁰ ≈ 1e-31
    assert 0.0 in [v.data for v in drop([Value(2.0)] * 200)], "train: dropping again"


# A small input space: 50 examples cover it; the ci profile's 200 would only repeat it.
@contract("3.10")
@settings(max_examples=50)
@given(st.one_of(reals(-10.0, -1e-9), reals(1.0, 10.0)))
def test_p_outside_zero_one_is_refused(p: float) -> None:
    """p < 0 or p ≥ 1 → ValueError (p = 1 would drop everything and divide by zero)."""
    with pytest.raises(ValueError):
        Dropout(p)


# ------------------------------------------------------------ inside an MLP


def plain_forward(model: object, x: list[float]) -> list[float]:
    """The spec's own forward pass of a default MLP (ReLU hidden, linear output), on floats, without dropout."""
    for i, layer in enumerate(model.layers):
        last = i == len(model.layers) - 1
        out = []
        for neuron in layer.neurons:
            z = math.fsum([w.data * xi for w, xi in zip(neuron.weights, x, strict=True)] + [neuron.bias.data])
            out.append(z if last else max(0.0, z))
        x = out
    return x


@contract("3.10")
@given(SEEDS, st.lists(reals(-2.0, 2.0), min_size=3, max_size=3))
def test_eval_reaches_every_dropout_inside_an_mlp(seed: int, x: list[float]) -> None:
    """MLP(…, dropout=0.9).eval() computes the plain forward pass: every Dropout in it has become the identity."""
    model = MLP(3, [6, 6, 6, 2], dropout=0.9, rng=random.Random(seed))
    model.eval()
    expected = plain_forward(model, x)
    for _ in range(2):
        got = [v.data for v in model(x)]
        for j, (g, e) in enumerate(zip(got, expected, strict=True)):
            # Σ wᵢ·xᵢ summed in another order: rounding of order 1e-15 of the terms
            assert_close(g, e, rel=1e-9, abs=1e-9, what=f"eval output {j} of MLP(3, [6, 6, 6, 2], dropout=0.9)")


@contract("3.10")
def test_train_mode_turns_the_mlps_dropout_back_on() -> None:
    """After eval() then train(), an MLP with dropout=0.9 no longer computes the plain forward pass on every call."""
    model = MLP(3, [8, 8, 1], dropout=0.9, rng=random.Random(3))
    x = [0.5, -1.0, 2.0]
    model.eval()
    model.train()
    expected = plain_forward(model, x)[0]
    outputs = [model(x)[0].data for _ in range(5)]
    # Each call keeps all 16 hidden outputs with probability 0.1¹⁶: some call must differ.
    assert any(not math.isclose(o, expected, rel_tol=1e-9, abs_tol=1e-9) for o in outputs), (
        f"5 training-mode calls all gave the no-dropout output {expected!r}: is dropout still off?"
    )


@contract("3.10")
def test_the_default_p_is_one_half() -> None:
    """Dropout() without p drops with probability 0.5, the contract's default: about half survive, doubled."""
    n = N_DRAWS
    out = Dropout(rng=random.Random(0))([Value(1.0) for _ in range(n)])
    kept = [v.data for v in out if v.data != 0.0]
    assert all(math.isclose(k, 2.0, rel_tol=SCALE_RTOL) for k in kept), "kept inputs of Dropout() must be scaled by 2"
    # Binomial(n, 0.5): the kept count lies in n/2 ± 6σ (σ = √n / 2) for any honest generator.
    assert abs(len(kept) - n / 2) <= 6 * math.sqrt(n) / 2, f"Dropout() kept {len(kept)} of {n}, expected about {n // 2}"


@contract("3.10", "1.4")
@given(P, INPUTS)
def test_plain_numbers_are_accepted_and_pass_through_in_eval(p: float, xs: list[float]) -> None:
    """The scalar track takes numbers wherever it takes Values: in eval, Dropout passes plain floats through."""
    drop = Dropout(p, rng=random.Random(0))
    drop.eval()
    out = drop(list(xs))
    assert [getattr(v, "data", v) for v in out] == xs, f"eval Dropout({p}) changed {xs}"


@contract("3.10", "1.3")
@settings(max_examples=30)
@given(SEEDS)
def test_an_mlps_dropout_draws_from_the_mlps_rng(seed: int) -> None:
    """MLP(…, dropout, rng) drops with that rng: two models built from the same seed give the same training outputs."""
    x = [0.5, -1.0, 2.0]
    outputs = []
    for k in range(2):
        model = MLP(3, [8, 8, 2], dropout=0.5, rng=random.Random(seed))
        random.seed(k)  # the global generator is in another state for each model: it must not matter
        outputs.append([[v.data for v in model(x)] for _ in range(4)])
    assert outputs[0] == outputs[1], "two MLPs with dropout built from one seed gave different training outputs"
