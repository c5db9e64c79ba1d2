"""Kata 08 · Optimizers: SGD, Momentum and Adam, with weight decay that spares the biases."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .api import MLP, SGD, Adam, Momentum, Value
from .contract import contract
from .oracle import assert_close
from .strategies import reals

pytestmark = pytest.mark.kata08

# Every trajectory below is recomputed by the spec on plain floats with the
# formulas of the contract. An implementation may order its arithmetic otherwise
# (lr·(m̂/d) or (lr·m̂)/d, β₂ᵗ by ** or by repeated products): that changes each step
# by a few ulps of the step's size. Hence the tolerance: 1e-9 relative to the
# total distance a weight travelled (|w₀| + Σ|Δw|), far above rounding and far
# below any wrong formula (a missing bias correction moves Adam's first step 3×).
TRAJECTORY_RTOL = 1e-9

GRAD = reals(-10.0, 10.0)
WEIGHT = reals(-10.0, 10.0)


@dataclass
class Case:
    """Starting weights, their names (or None), and the gradient each receives at each step."""

    weights: list[float]
    names: list[str] | None
    grads: list[list[float]]  # grads[t][i]: the gradient of weight i at step t


def decays(case: Case, i: int) -> bool:
    """The contract's rule: decay unless the name ends in 'bias' (everything when no names are known)."""
    return case.names is None or not case.names[i].endswith("bias")


# Names that end in "bias" are spared, whatever comes before; the others decay,
# even when "bias" appears elsewhere in them.
NAMES = st.sampled_from(["weights.0", "bias", "neurons.1.bias", "bias.weights", "unbias", "biases", "w"])


@st.composite
def cases(draw: st.DrawFn, max_params: int = 4, max_steps: int = 5, named: bool | None = None) -> Case:
    n = draw(st.integers(1, max_params))
    steps = draw(st.integers(1, max_steps))
    weights = draw(st.lists(WEIGHT, min_size=n, max_size=n))
    with_names = draw(st.booleans()) if named is None else named
    names = draw(st.lists(NAMES, min_size=n, max_size=n)) if with_names else None
    grads = draw(st.lists(st.lists(GRAD, min_size=n, max_size=n), min_size=steps, max_size=steps))
    return Case(weights, names, grads)


def run(make: Callable[[list], object], case: Case, how: str = "pairs") -> list[float]:
    """Build the optimizer over fresh Values, feed it the case's gradients step by step, return the weights.

    ``how``: "pairs" passes (name, Value) pairs when the case has names; "attach"
    passes Values and then calls attach_param_names; "values" passes Values alone.
    """
    params = [Value(w) for w in case.weights]
    if case.names is not None and how == "pairs":
        opt = make(list(zip(case.names, params, strict=True)))
    else:
        opt = make(params)
        if case.names is not None and how == "attach":
            opt.attach_param_names(list(case.names))
    for grads in case.grads:
        for p, g in zip(params, grads, strict=True):
            p.grad = g
        opt.step()
    return [p.data for p in params]


def compare(got: list[float], expected: list[float], travelled: list[float], what: str) -> None:
    for i, (g, e, d) in enumerate(zip(got, expected, travelled, strict=True)):
        assert_close(g, e, rel=TRAJECTORY_RTOL, abs=TRAJECTORY_RTOL * d + 1e-300, what=f"{what}: weight {i}")


# -------------------------------------------------------------------- oracles


def sgd_oracle(case: Case, lr: float, wd: float) -> tuple[list[float], list[float]]:
    w = list(case.weights)
    travelled = [abs(x) for x in w]
    for grads in case.grads:
        for i, g in enumerate(grads):
            step = lr * (g + wd * w[i] if decays(case, i) else g)
            w[i] -= step
            travelled[i] += abs(step)
    return w, travelled


def momentum_oracle(case: Case, lr: float, beta: float, wd: float) -> tuple[list[float], list[float]]:
    w = list(case.weights)
    v = [0.0] * len(w)
    travelled = [abs(x) for x in w]
    for grads in case.grads:
        for i, g in enumerate(grads):
            v[i] = beta * v[i] + (g + wd * w[i] if decays(case, i) else g)
            w[i] -= lr * v[i]
            travelled[i] += abs(lr * v[i])
    return w, travelled


def adam_oracle(
    case: Case, lr: float, beta1: float, beta2: float, eps: float, wd: float
) -> tuple[list[float], list[float]]:
    w = list(case.weights)
    m = [0.0] * len(w)
    s = [0.0] * len(w)
    travelled = [abs(x) for x in w]
    for t, grads in enumerate(case.grads, start=1):
        for i, g in enumerate(grads):
            g = g + wd * w[i] if decays(case, i) else g
            m[i] = beta1 * m[i] + (1 - beta1) * g
            s[i] = beta2 * s[i] + (1 - beta2) * g * g
            step = lr * (m[i] / (1 - beta1**t)) / (math.sqrt(s[i] / (1 - beta2**t)) + eps)
            w[i] -= step
            travelled[i] += abs(step)
    return w, travelled


LR = reals(1e-4, 1.0)
BETA = reals(0.0, 0.999)
DECAY = st.one_of(st.just(0.0), reals(0.0, 1.0))


# ------------------------------------------------------------------------ SGD


@contract("3.8")
@given(WEIGHT, GRAD, LR)
def test_sgd_step_is_w_minus_lr_times_g_exactly(w: float, g: float, lr: float) -> None:
    """One SGD step moves w to exactly w − lr·g (the same float, no other rounding)."""
    p = Value(w)
    p.grad = g
    SGD([p], lr=lr).step()
    assert p.data == w - lr * g, f"SGD step: expected {w - lr * g!r}, got {p.data!r}"


@contract("3.8")
@given(cases(), LR, DECAY)
def test_sgd_follows_its_trajectory_with_weight_decay(case: Case, lr: float, wd: float) -> None:
    """Over several steps with random gradients, SGD gives w ← w − lr·(g + λ·w) (λ only where the name allows)."""
    expected, travelled = sgd_oracle(case, lr, wd)
    got = run(lambda ps: SGD(ps, lr=lr, weight_decay=wd), case)
    compare(got, expected, travelled, f"SGD(lr={lr}, weight_decay={wd}), names {case.names}")


@contract("3.8")
def test_sgd_default_learning_rate_is_0_01() -> None:
    """SGD(params) without lr uses lr = 0.01."""
    p = Value(1.0)
    p.grad = 2.0
    SGD([p]).step()
    assert p.data == 1.0 - 0.01 * 2.0, f"SGD default lr: expected w = {1.0 - 0.02!r}, got {p.data!r}"


@contract("3.8")
@pytest.mark.parametrize("make", [SGD, Momentum, Adam], ids=["SGD", "Momentum", "Adam"])
# A small input space: 50 examples cover it; the ci profile's 200 would only repeat it.
@settings(max_examples=50)
@given(st.lists(GRAD, min_size=1, max_size=5))
def test_zero_grad_clears_every_gradient_and_no_data(make: Callable, grads: list[float]) -> None:
    """optimizer.zero_grad() sets every parameter's grad to 0 and leaves its data alone."""
    params = [Value(float(i)) for i in range(len(grads))]
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    make(params, lr=0.1).zero_grad()
    assert [p.grad for p in params] == [0.0] * len(grads), f"after zero_grad(): grads {[p.grad for p in params]}"
    assert [p.data for p in params] == [float(i) for i in range(len(grads))], "zero_grad() changed a parameter's data"


# ------------------------------------------------------------------- Momentum


@contract("3.8")
@given(cases(), LR, BETA, DECAY)
def test_momentum_follows_its_trajectory(case: Case, lr: float, beta: float, wd: float) -> None:
    """Momentum: v ← β·v + g (g including weight decay), w ← w − lr·v, one velocity per parameter, kept across steps."""
    expected, travelled = momentum_oracle(case, lr, beta, wd)
    got = run(lambda ps: Momentum(ps, lr=lr, beta=beta, weight_decay=wd), case)
    compare(got, expected, travelled, f"Momentum(lr={lr}, beta={beta}, weight_decay={wd})")


@contract("3.8")
@given(reals(0.1, 10.0), reals(0.1, 0.99), st.integers(1, 20))
def test_momentum_with_a_constant_gradient_matches_the_closed_form(g: float, beta: float, t: int) -> None:
    """With a constant gradient g, after t steps v = g·(1 − βᵗ)/(1 − β): w = −lr·g·Σₖ(1 − βᵏ)/(1 − β)."""
    lr = 0.01
    p = Value(0.0)
    opt = Momentum([p], lr=lr, beta=beta)
    for _ in range(t):
        p.grad = g
        opt.step()
    expected = -lr * g * sum((1 - beta**k) / (1 - beta) for k in range(1, t + 1))
    assert_close(p.data, expected, rel=1e-9, what=f"w after {t} Momentum steps with g={g}, beta={beta}")


@contract("3.8")
def test_momentum_keeps_one_velocity_per_parameter() -> None:
    """Two parameters with opposite gradients each keep their own velocity."""
    a, b = Value(0.0), Value(0.0)
    opt = Momentum([a, b], lr=1.0, beta=0.5)
    for _ in range(2):
        a.grad, b.grad = 1.0, -1.0
        opt.step()
    # a: v = 1 then 1.5, w = −1 − 1.5; b mirrors it
    assert (a.data, b.data) == (-2.5, 2.5), f"expected (-2.5, 2.5), got {(a.data, b.data)}"


# ----------------------------------------------------------------------- Adam


@contract("3.8")
@given(cases(), LR, BETA, BETA, st.sampled_from([1e-8, 1e-3, 0.5]), DECAY)
def test_adam_follows_its_trajectory(case: Case, lr: float, b1: float, b2: float, eps: float, wd: float) -> None:
    """Adam: bias-corrected m̂ and ŝ, w ← w − lr·m̂/(√ŝ + eps), state per parameter kept across steps."""
    expected, travelled = adam_oracle(case, lr, b1, b2, eps, wd)
    got = run(lambda ps: Adam(ps, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd), case)
    compare(got, expected, travelled, f"Adam(lr={lr}, betas=({b1}, {b2}), eps={eps}, weight_decay={wd})")


@contract("3.8")
@given(st.lists(st.one_of(reals(1e-3, 1e3), reals(-1e3, -1e-3)), min_size=1, max_size=5), LR)
def test_adams_first_step_moves_each_weight_by_about_lr(grads: list[float], lr: float) -> None:
    """Thanks to bias correction, Adam's first step moves every weight by lr·g/(|g| + eps) ≈ lr·sign(g)."""
    params = [Value(1.0) for _ in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    Adam(params, lr=lr).step()
    for p, g in zip(params, grads, strict=True):
        # lr·|g|/(|g| + 1e-8) differs from lr by at most lr·1e-5 for |g| ≥ 1e-3
        assert_close(1.0 - p.data, math.copysign(lr, g), rel=1e-5, what=f"first Adam step with g={g}")


@contract("3.8")
@given(st.one_of(reals(1e-3, 10.0), reals(-10.0, -1e-3)), reals(0.01, 10.0))
def test_adams_eps_sits_outside_the_square_root(g: float, eps: float) -> None:
    """The first Adam step is lr·g/(|g| + eps): eps is added to √ŝ, not inside it."""
    p = Value(0.0)
    p.grad = g
    Adam([p], lr=0.1, eps=eps).step()
    assert_close(-p.data, 0.1 * g / (abs(g) + eps), rel=1e-12, what=f"first Adam step with g={g}, eps={eps}")


@contract("3.8")
def test_adam_default_hyper_parameters() -> None:
    """Adam(params) uses lr=0.001, betas=(0.9, 0.999), eps=1e-8: the second step of g=1, then g=−1 is known."""
    p = Value(0.0)
    opt = Adam([p])
    for g in (1.0, -1.0):
        p.grad = g
        opt.step()
    expected, _ = adam_oracle(Case([0.0], None, [[1.0], [-1.0]]), 0.001, 0.9, 0.999, 1e-8, 0.0)
    assert_close(p.data, expected[0], rel=1e-12, what="w after Adam steps with g=1, g=−1 (defaults)")


# --------------------------------------------------------------- weight decay


# Two runs per example (pairs, then attach_param_names): 100 examples keep it as cheap as its neighbours.
@contract("3.8")
@settings(max_examples=100)
@given(cases(named=True), DECAY.filter(bool))
def test_named_pairs_and_attach_param_names_decay_the_same_parameters(case: Case, wd: float) -> None:
    """(name, Value) pairs and attach_param_names(names) give the same steps: decay spares names ending in 'bias'."""
    expected, travelled = sgd_oracle(case, 0.1, wd)
    for how in ("pairs", "attach"):
        got = run(lambda ps: SGD(ps, lr=0.1, weight_decay=wd), case, how)
        compare(got, expected, travelled, f"SGD with weight decay, names {case.names} given by {how}")


@contract("3.8")
@given(WEIGHT, reals(0.01, 1.0))
def test_without_names_every_parameter_decays(w: float, wd: float) -> None:
    """With Values alone (no names known), even a parameter meant as a bias decays: w ← w − lr·λ·w at g = 0."""
    p = Value(w)
    SGD([p], lr=0.5, weight_decay=wd).step()
    assert_close(p.data, w - 0.5 * wd * w, rel=1e-13, abs=1e-300, what=f"w={w} after a step of decay λ={wd}")


@contract("3.8")
@pytest.mark.parametrize("make", [SGD, Momentum, Adam], ids=["SGD", "Momentum", "Adam"])
def test_decay_on_an_mlp_shrinks_weights_and_keeps_biases(make: Callable) -> None:
    """On an MLP's named_parameters() with zero gradients, weight decay moves every weight towards 0 and no bias."""
    model = MLP(3, [4, 2], rng=random.Random(0))
    named = model.named_parameters()
    for k, (name, p) in enumerate(named):
        p.data = 0.5 if name.endswith("bias") else (-1.0) ** k * (1.0 + k / 10)
    before = {name: p.data for name, p in named}
    opt = make(named, lr=0.01, weight_decay=0.1)
    opt.zero_grad()
    opt.step()
    for name, p in named:
        if name.endswith("bias"):
            assert p.data == before[name], f"{name} is a bias: expected {before[name]!r}, got {p.data!r}"
        else:
            assert abs(p.data) < abs(before[name]), f"{name} did not shrink: {before[name]!r} → {p.data!r}"


# --------------------------------------------------------------- bad arguments


BAD = [
    ("SGD lr=0", lambda ps: SGD(ps, lr=0.0)),
    ("SGD lr<0", lambda ps: SGD(ps, lr=-0.1)),
    ("SGD weight_decay<0", lambda ps: SGD(ps, lr=0.1, weight_decay=-1e-3)),
    ("Momentum beta=1", lambda ps: Momentum(ps, beta=1.0)),
    ("Momentum beta<0", lambda ps: Momentum(ps, beta=-0.1)),
    ("Momentum lr<0", lambda ps: Momentum(ps, lr=-1.0)),
    ("Momentum weight_decay<0", lambda ps: Momentum(ps, weight_decay=-0.5)),
    ("Adam beta1=1", lambda ps: Adam(ps, betas=(1.0, 0.999))),
    ("Adam beta2=1", lambda ps: Adam(ps, betas=(0.9, 1.0))),
    ("Adam beta2<0", lambda ps: Adam(ps, betas=(0.9, -0.5))),
    ("Adam lr=0", lambda ps: Adam(ps, lr=0.0)),
    ("Adam weight_decay<0", lambda ps: Adam(ps, weight_decay=-0.01)),
]


@contract("3.8", "1.2")
@pytest.mark.parametrize("make", [make for _, make in BAD], ids=[name for name, _ in BAD])
def test_invalid_hyper_parameters_raise_value_error_and_change_nothing(make: Callable) -> None:
    """lr ≤ 0, β outside [0, 1) or λ < 0 → ValueError; the parameters keep their data and grad."""
    params = [Value(1.5), Value(-2.0)]
    for p in params:
        p.grad = 0.25
    with pytest.raises(ValueError):
        make(params)
    assert [(p.data, p.grad) for p in params] == [(1.5, 0.25), (-2.0, 0.25)], "a refused optimizer changed a parameter"


# A small input space: 50 examples cover it; the ci profile's 200 would only repeat it.
@contract("3.8")
@settings(max_examples=50)
@given(st.integers(0, 6).filter(lambda n: n != 2))
def test_attach_param_names_of_the_wrong_length_is_refused(n_names: int) -> None:
    """attach_param_names with a list of the wrong length → ValueError, and the names already known still apply."""
    w, b = Value(1.0), Value(1.0)
    opt = SGD([("w", w), ("bias", b)], lr=0.5, weight_decay=0.5)
    with pytest.raises(ValueError):
        opt.attach_param_names(["w"] * n_names)
    opt.zero_grad()
    opt.step()
    assert (w.data, b.data) == (0.75, 1.0), (
        f"expected the old names to hold: (w, bias) = (0.75, 1.0), got {(w.data, b.data)}"
    )


@contract("3.8")
@given(WEIGHT, GRAD, GRAD)
def test_momentum_defaults_are_lr_a_hundredth_and_beta_nine_tenths(w0: float, g1: float, g2: float) -> None:
    """Momentum(params) steps with lr = 0.01 and β = 0.9: v₁ = g₁, then v₂ = 0.9·v₁ + g₂; w −= 0.01·v each time."""
    w = Value(w0)
    opt = Momentum([w])
    w.grad = g1
    opt.step()
    w.grad = g2
    opt.step()
    expected = w0 - 0.01 * g1 - 0.01 * (0.9 * g1 + g2)
    assert_close(w.data, expected, rel=TRAJECTORY_RTOL, abs=1e-12, what="Momentum([w]) after two steps")


@contract("3.8")
@pytest.mark.parametrize("make", [SGD, Momentum, Adam], ids=["SGD", "Momentum", "Adam"])
def test_setting_lr_changes_the_next_step(make: Callable[..., Any]) -> None:
    """A schedule sets optimizer.lr between steps: the next step moves by the new rate (half the rate, half the step).

    On a fresh optimizer each rule's first step is proportional to lr (Momentum: lr·g, Adam: ≈ lr·sign(g)).
    """
    a, b = Value(1.0), Value(1.0)
    a.grad = b.grad = 0.5
    fast, slow = make([a], lr=0.2), make([b], lr=0.2)
    slow.lr = 0.1
    fast.step()
    slow.step()
    moved_fast, moved_slow = 1.0 - a.data, 1.0 - b.data
    assert moved_fast > 0, f"{make.name} did not move against the gradient: w = {a.data!r}"
    assert_close(moved_slow, moved_fast / 2, rel=1e-12, abs=0.0, what=f"{make.name} step after setting lr = 0.1")
