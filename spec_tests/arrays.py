"""The spec's own answers for the NumPy track (katas 13–16), computed without the implementation.

- :func:`numeric_gradient`: central differences of a scalar function of a float64 array.
- The formulas the networks must compute (:func:`sigmoid`, :func:`softmax_rows`, …),
  written out once here so the spec never asks the implementation what is right.
- :func:`assert_arrays_close` / :func:`assert_gradient`: one comparison, one line of message.
- Strategies: small float64 matrices (``hypothesis.extra.numpy``) and shapes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .oracle import GRAD_ATOL, GRAD_RTOL, STEP
from .strategies import reals

# ------------------------------------------------------------------ finite differences


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = STEP) -> np.ndarray:
    """∂f/∂x by central differences, one element at a time, in float64 (``x`` is not changed).

    Tolerances: as in :mod:`spec_tests.oracle` — truncation ≈ h²·|f‴| and rounding
    ≈ ε·|f|/h are both below 1e-9 for the bounded inputs of this spec, so comparisons
    use 1e-6 relative plus 1e-6 absolute per unit of |f|: far above the numerical
    noise, far below any gradient that is off by a factor, a term or a sign.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        h = step * max(1.0, abs(keep))
        flat[i] = keep + h
        up = f(x)
        flat[i] = keep - h
        down = f(x)
        flat[i] = keep
        out[i] = (up - down) / (2.0 * h)
    return grad


def assert_arrays_close(got: object, expected: np.ndarray, *, rtol: float, atol: float, what: str) -> None:
    """Fail with 'what: expected E, got G at [i, j] (…)' unless every element is within atol + rtol·|expected|."""
    got_array = np.asarray(got)
    expected = np.asarray(expected)
    if got_array.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, got shape {got_array.shape}")
    if not np.all(np.isfinite(got_array)):
        raise AssertionError(f"{what}: expected finite numbers, got {got_array.ravel()[:6]!r}…")
    err = np.abs(got_array.astype(np.float64) - expected)
    bound = atol + rtol * np.abs(expected)
    if np.any(err > bound):
        worst = np.unravel_index(np.argmax(err - bound), err.shape)
        e, g = float(expected[worst]), float(got_array[worst])
        relative = abs(g - e) / abs(e) if e else float("inf")
        where = list(worst) if worst else "()"
        raise AssertionError(f"{what}: expected {e!r}, got {g!r} at {where} (relative error {relative:.1e})")


#: Epsilons that tutorials add inside a log, ``log(p + ε)``, largest last.
LOG_EPSILONS = (1e-15, 1e-12, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6)


def assert_loss_close(
    got: object,
    expected: float,
    *,
    probabilities: np.ndarray,
    weights: np.ndarray,
    rtol: float,
    atol: float,
    what: str,
) -> None:
    """:func:`assert_arrays_close` for a loss ``expected = −Σ weights · log(probabilities) (+ terms without a log)``.

    When the loss is off because the implementation wrote ``log(p + ε)``, the failure
    says so and what to write instead: the spec keeps its tolerance (an ε shifts −log p
    by about ε/p, far past rtol 1e-9 where p is small, and caps −log p at −log ε where p
    underflows to 0), so the learner learns why the exact form matters.
    """
    try:
        assert_arrays_close(got, expected, rtol=rtol, atol=atol, what=what)
    except AssertionError as exc:
        epsilon = log_epsilon_of(got, expected, probabilities, weights, rtol=rtol, atol=atol)
        if epsilon is None:
            raise
        raise AssertionError(
            f"{exc}: that is the loss with an epsilon inside the log, log(p + {epsilon:g}). The epsilon moves −log p "
            f"by about {epsilon:g}/p, too much wherever p is small; clip instead, log(np.maximum(p, tiny)) with "
            "tiny = np.finfo(p.dtype).tiny, which changes only a p of exactly 0"
        ) from None


def log_epsilon_of(
    got: object, expected: float, probabilities: np.ndarray, weights: np.ndarray, *, rtol: float, atol: float
) -> float | None:
    """The ε of :data:`LOG_EPSILONS` for which ``got`` is the loss computed with ``log(p + ε)``, if any."""
    try:
        value = float(got)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    p, w = np.asarray(probabilities, dtype=np.float64), np.asarray(weights, dtype=np.float64)
    used = w != 0
    exact = np.log(p[used])
    for epsilon in LOG_EPSILONS:
        shifted = expected - float(np.sum(w[used] * (np.log(p[used] + epsilon) - exact)))
        if abs(value - shifted) <= atol + rtol * abs(shifted):
            return epsilon
    return None


def assert_gradient(got: object, numeric: np.ndarray, loss: float, what: str) -> None:
    """An analytic gradient against :func:`numeric_gradient`, tolerance reasoned there."""
    assert_arrays_close(got, numeric, rtol=GRAD_RTOL * 10, atol=GRAD_ATOL * max(1.0, abs(loss)), what=what)


# ------------------------------------------------------------------ the formulas


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^−x) without overflow."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def softmax_rows(z: np.ndarray) -> np.ndarray:
    """Softmax of each row (batch-major)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax_rows(z: np.ndarray) -> np.ndarray:
    """log softmax of each row, by log-sum-exp."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def mean_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """The mean over the batch of −log softmax(z)[label], rows being samples."""
    return float(-np.mean(log_softmax_rows(logits)[np.arange(len(labels)), labels]))


def onehot(labels: np.ndarray, classes: int) -> np.ndarray:
    """Rows of the identity, float64."""
    return np.eye(classes)[labels]


def two_layer_forward(x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """The two-layer MLP: the logits of ReLU(x·W1 + b1)·W2 + b2."""
    return np.maximum(x @ w1 + b1, 0.0) @ w2 + b2


def network_logits(x: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]) -> np.ndarray:
    """The deep network, feature-major: the last layer's Z (ReLU between layers)."""
    a = x
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = w @ a + b
        a = np.maximum(z, 0.0) if i < len(weights) - 1 else z
    return a


def network_pre_activations(x: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]) -> list[np.ndarray]:
    """Every hidden Z of the deep network (to keep finite differences away from ReLU's kink)."""
    zs, a = [], x
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        z = w @ a + b
        zs.append(z)
        a = np.maximum(z, 0.0)
    return zs


def network_loss(
    x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray], l2_lambda: float
) -> float:
    """−(1/m) Σ Y ⊙ log softmax(Z) + λ/(2m) Σ‖W‖², feature-major."""
    z = network_logits(x, weights, biases)
    m = x.shape[1]
    log_p = log_softmax_rows(z.T).T
    return float(-np.sum(y * log_p) / m + l2_lambda / (2 * m) * sum(np.sum(w * w) for w in weights))


def away_from_kink(zs: list[np.ndarray], margin: float = 1e-3) -> bool:
    """Whether every pre-activation is at least ``margin`` from ReLU's kink at 0."""
    return all(np.all(np.abs(z) > margin) for z in zs)


# ------------------------------------------------------------------ strategies


def matrices(rows: int, cols: int, low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of shape (rows, cols), bounded, no NaN, no subnormals."""
    return hnp.arrays(np.float64, (rows, cols), elements=reals(low, high))


def vectors(n: int, low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of shape (n,), bounded."""
    return hnp.arrays(np.float64, (n,), elements=reals(low, high))


sizes = st.integers(1, 5)
batches = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)
