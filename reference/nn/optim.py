"""Optimizers: how a gradient becomes a change of the weights.

After ``loss.backward()`` every parameter ``w`` holds ``g = ∂loss/∂w`` in ``w.grad``.
An optimizer's ``step()`` moves each ``w.data`` a little against its gradient:

- ``SGD``:       w ← w − lr·g
- ``Momentum``:  v ← β·v + g;  w ← w − lr·v  (v remembers past steps: a heavy ball)
- ``Adam``:      m ← β₁·m + (1 − β₁)·g;  s ← β₂·s + (1 − β₂)·g²;
  m̂ = m / (1 − β₁ᵗ);  ŝ = s / (1 − β₂ᵗ);  w ← w − lr·m̂ / (√ŝ + eps)

*Weight decay* λ pulls weights towards 0: every optimizer uses ``g + λ·w`` in place
of ``g`` — the gradient of the loss plus ``λ/2·w²`` — for every parameter whose name
does not end in ``bias`` (biases only shift a neuron; shrinking them does not
simplify the model). With no names known, every parameter decays.

The state an optimizer keeps between steps (``v``, ``m``, ``s``, ``t``) lives in
``self.state`` as lists of floats, one entry per parameter, and ``self.steps``,
so that a checkpoint can save it (``state_dict()`` / ``load_state_dict()``, given).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

from ..autograd.value import Value


def _check_real(name: str, value: Any) -> float:
    """``value`` as a finite float, or ``TypeError`` / ``ValueError`` naming the hyper-parameter."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}: {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def _check_beta(name: str, value: Any) -> float:
    """A momentum coefficient: a real number in [0, 1)."""
    beta = _check_real(name, value)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return beta


class Optimizer:
    """What every optimizer shares: its parameters, their names, ``lr``, weight decay and state.

    Attributes:
        params: the parameters (``Value``\\ s) updated by ``step()``, in the order given.
        names: one name per parameter, or ``None`` when no names are known.
        lr: the learning rate (> 0).
        weight_decay: λ ≥ 0.
        state: per-parameter buffers by name (``{"velocity": [0.0, …]}``); empty for SGD.
        steps: how many times ``step()`` has run.
    """

    def __init__(
        self, params: Iterable[Value | tuple[str, Value]], lr: float, weight_decay: float = 0.0
    ) -> None:  # kata 08
        """Store the parameters (and their names, if given as pairs), ``lr`` and ``weight_decay``.

        ``params`` is an iterable of ``Value``\\ s (``model.parameters()``) or of
        ``(name, Value)`` pairs (``model.named_parameters()``), not a mix; with pairs,
        ``names`` holds the names, otherwise ``None``. Check everything first:

        - ``params`` empty → ``ValueError``; an item that is neither → ``TypeError``;
        - ``lr`` must be > 0 and ``weight_decay`` ≥ 0 (``ValueError``; not a real
          number → ``TypeError``).

        Then set ``state = {}`` and ``steps = 0``.
        """
        items = list(params)
        if not items:
            raise ValueError("the optimizer needs at least one parameter, got an empty params")
        pairs = [isinstance(item, tuple) for item in items]
        if all(pairs):
            if not all(len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], Value) for item in items):
                raise TypeError("params given as pairs must each be (name: str, param: Value)")
            names: list[str] | None = [name for name, _ in items]
            values = [param for _, param in items]
        elif not any(pairs) and all(isinstance(item, Value) for item in items):
            names, values = None, items
        else:
            raise TypeError("params must be all Values or all (name, Value) pairs")
        lr = _check_real("lr", lr)
        if lr <= 0.0:
            raise ValueError(f"lr must be > 0, got {lr!r}")
        weight_decay = _check_real("weight_decay", weight_decay)
        if weight_decay < 0.0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
        self.params = values
        self.names = names
        self.lr = lr
        self.weight_decay = weight_decay
        self.state: dict[str, list[float]] = {}
        self.steps = 0

    def attach_param_names(self, names: Iterable[str]) -> None:  # kata 08
        """Name the parameters after the fact: ``names[i]`` is the name of ``params[i]``.

        ``names`` must hold exactly one string per parameter (wrong length →
        ``ValueError``, a non-string → ``TypeError``), checked before ``self.names`` changes.

        >>> opt = SGD([Value(1.0), Value(2.0)], lr=0.1)
        >>> opt.attach_param_names(["weights.0", "bias"])
        >>> opt.names
        ['weights.0', 'bias']
        """
        if isinstance(names, str):
            raise TypeError("attach_param_names needs a list of names, got one str")
        names = list(names)
        if len(names) != len(self.params):
            raise ValueError(f"attach_param_names needs {len(self.params)} names (one per parameter), got {len(names)}")
        if not all(isinstance(name, str) for name in names):
            raise TypeError("attach_param_names needs str names")
        self.names = names

    def zero_grad(self) -> None:  # kata 08
        """Set every parameter's ``grad`` to 0 (``backward()`` adds to gradients, so do this before each one)."""
        for param in self.params:
            param.grad = 0.0

    def gradient(self, i: int) -> float:  # kata 08
        """The gradient step ``i``'s parameter follows: ``grad``, plus ``λ·data`` if it decays.

        A parameter decays when ``weight_decay > 0`` and either no names are known or
        its name does not end in ``"bias"``.

        >>> w, b = Value(2.0), Value(2.0)
        >>> opt = SGD([("weights.0", w), ("bias", b)], lr=0.1, weight_decay=0.5)
        >>> opt.gradient(0), opt.gradient(1)
        (1.0, 0.0)
        """
        param = self.params[i]
        decays = self.weight_decay > 0.0 and (self.names is None or not self.names[i].endswith("bias"))
        return param.grad + self.weight_decay * param.data if decays else param.grad

    def step(self) -> None:
        """Update every parameter once from its gradient (each optimizer defines how)."""
        raise NotImplementedError(f"{type(self).__name__} does not define step()")

    # ── given code: saving and loading an optimizer's state ──

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain JSON-able data: its kind, ``steps`` and buffers."""
        return {
            "type": type(self).__name__,
            "n_params": len(self.params),
            "steps": self.steps,
            "state": {key: list(buffer) for key, buffer in self.state.items()},
        }

    def load_state_dict(self, state: Any) -> None:
        """Restore what ``state_dict()`` returned, after checking all of it (``ValueError``, nothing changed)."""
        if not isinstance(state, dict) or set(state) != {"type", "n_params", "steps", "state"}:
            raise ValueError("optimizer state must be a dict with keys type, n_params, steps, state")
        if state["type"] != type(self).__name__:
            raise ValueError(f"optimizer state is for {state['type']!r}, not {type(self).__name__!r}")
        if state["n_params"] != len(self.params):
            raise ValueError(f"optimizer state holds {state['n_params']!r} parameters, this one has {len(self.params)}")
        steps = state["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"optimizer steps must be an int >= 0, got {steps!r}")
        buffers = state["state"]
        if not isinstance(buffers, dict) or set(buffers) != set(self.state):
            raise ValueError(f"optimizer buffers must be {sorted(self.state)}, got {buffers!r:.80}")
        for key, buffer in buffers.items():
            if not isinstance(buffer, list) or len(buffer) != len(self.params):
                raise ValueError(f"optimizer buffer {key!r} must hold {len(self.params)} numbers")
            if not all(not isinstance(x, bool) and isinstance(x, Real) and math.isfinite(x) for x in buffer):
                raise ValueError(f"optimizer buffer {key!r} must hold finite real numbers")
        self.steps = steps
        self.state = {key: [float(x) for x in buffer] for key, buffer in buffers.items()}


class SGD(Optimizer):
    """Plain stochastic gradient descent: w ← w − lr·g.

    >>> w = Value(1.0); w.grad = 0.5
    >>> SGD([w], lr=0.1).step()
    >>> w.data
    0.95
    """

    def __init__(
        self, params: Iterable[Value | tuple[str, Value]], lr: float = 0.01, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr, weight_decay)

    def step(self) -> None:  # kata 08
        """For each parameter i: ``data −= lr · gradient(i)``; then count the step."""
        for i, param in enumerate(self.params):
            param.data -= self.lr * self.gradient(i)
        self.steps += 1


class Momentum(Optimizer):
    """SGD with momentum: v ← β·v + g; w ← w − lr·v, with one velocity v per parameter.

    With a constant gradient g, v grows towards g / (1 − β): momentum speeds up along
    directions where the gradient keeps its sign and damps those where it flips.

    >>> w = Value(0.0); opt = Momentum([w], lr=1.0, beta=0.5)
    >>> for _ in range(2):
    ...     w.grad = 1.0; opt.step()
    >>> w.data          # −(1) − (0.5·1 + 1)
    -2.5
    """

    def __init__(
        self,
        params: Iterable[Value | tuple[str, Value]],
        lr: float = 0.01,
        beta: float = 0.9,
        weight_decay: float = 0.0,
    ) -> None:  # kata 08
        """As ``Optimizer``, plus ``beta`` in [0, 1) (``ValueError``), and ``state["velocity"]`` all 0.0.

        Check ``beta`` before anything else is stored.
        """
        beta = _check_beta("beta", beta)
        super().__init__(params, lr, weight_decay)
        self.beta = beta
        self.state["velocity"] = [0.0] * len(self.params)

    def step(self) -> None:  # kata 08
        """For each parameter i: ``v[i] = β·v[i] + gradient(i)``, then ``data −= lr·v[i]``; count the step."""
        velocity = self.state["velocity"]
        for i, param in enumerate(self.params):
            velocity[i] = self.beta * velocity[i] + self.gradient(i)
            param.data -= self.lr * velocity[i]
        self.steps += 1


class Adam(Optimizer):
    """Adam: momentum on the gradient (m) divided by the root of a running mean of g² (s).

    Each weight gets its own step size: about ``lr`` whatever the gradient's scale.
    m and s start at 0, so early averages are too small; dividing by ``1 − βᵗ``
    (bias correction) undoes that. On the first step m̂ = g and ŝ = g², so every
    weight moves by lr·g/(|g| + eps) ≈ lr·sign(g).

    >>> w = Value(1.0); w.grad = -3.0
    >>> Adam([w], lr=0.1).step()
    >>> round(w.data, 9)
    1.1
    """

    def __init__(
        self,
        params: Iterable[Value | tuple[str, Value]],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:  # kata 08
        """As ``Optimizer``, plus ``betas = (β₁, β₂)`` each in [0, 1) and ``eps > 0`` (``ValueError``).

        ``betas`` must be a pair (``ValueError`` for another length, ``TypeError`` if
        not a sequence). State: ``state["m"]`` and ``state["s"]`` all 0.0; ``steps`` is t.
        """
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__"):
            raise TypeError(f"betas must be a pair (beta1, beta2), got {type(betas).__name__}")
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {len(betas)} numbers")
        beta1, beta2 = _check_beta("betas[0]", betas[0]), _check_beta("betas[1]", betas[1])
        eps = _check_real("eps", eps)
        if eps <= 0.0:
            raise ValueError(f"eps must be > 0, got {eps!r}")
        super().__init__(params, lr, weight_decay)
        self.betas = (beta1, beta2)
        self.eps = eps
        self.state["m"] = [0.0] * len(self.params)
        self.state["s"] = [0.0] * len(self.params)

    def step(self) -> None:  # kata 08
        """Count the step first (t = steps + 1), then for each parameter i with g = gradient(i):

        m[i] = β₁·m[i] + (1 − β₁)·g;  s[i] = β₂·s[i] + (1 − β₂)·g²;
        m̂ = m[i] / (1 − β₁ᵗ);  ŝ = s[i] / (1 − β₂ᵗ);  data −= lr·m̂ / (√ŝ + eps).

        eps goes *outside* the square root: it only guards against dividing by 0.
        """
        self.steps += 1
        t = self.steps
        beta1, beta2 = self.betas
        m, s = self.state["m"], self.state["s"]
        for i, param in enumerate(self.params):
            g = self.gradient(i)
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            s[i] = beta2 * s[i] + (1.0 - beta2) * g * g
            m_hat = m[i] / (1.0 - beta1**t)
            s_hat = s[i] / (1.0 - beta2**t)
            param.data -= self.lr * m_hat / (math.sqrt(s_hat) + self.eps)
