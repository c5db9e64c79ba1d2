"""Large graphs the spec builds to stress an implementation: chains and fan-outs of many thousand nodes.

Built where the implementation lives (:func:`build`): in this process, or, when the run is split,
in its worker, where a 100,000-node chain is 100,000 operations and not 100,000 requests. The
builders do exactly what the tests did inline (a loop of one operator), so the graph is the same;
they are plain functions of the implementation's ``Value`` class and import nothing of pytest.
"""

from __future__ import annotations

from typing import Any

from . import api, remote

#: Operators a chain may repeat: each is one step ``out → step(out, constant)``.
STEPS = ("mul", "add", "neg", "add_self")


def chain(value: Any, start: float, steps: int, step: str, constant: float = 0.0) -> tuple[Any, Any]:
    """``(x, out)``: a leaf ``x = value(start)`` and the result of ``steps`` repetitions of ``step`` on it.

    ``mul``: ``out * constant``; ``add``: ``out + constant``; ``neg``: ``-out``; ``add_self``: ``out + x``
    (``x`` used ``steps + 1`` times: a fan-out).
    """
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    x = value(start)
    out = x
    for _ in range(steps):
        if step == "mul":
            out = out * constant
        elif step == "add":
            out = out + constant
        elif step == "neg":
            out = -out
        else:
            out = out + x
    return x, out


def build(value: Any, *args: Any) -> tuple[Any, Any]:
    """:func:`chain` of the implementation's ``value`` class (a contract name), built where the implementation runs."""
    if isinstance(value, api.ApiName):
        value = value.resolve()
    if remote.active():
        return remote.connection().request("chain", value, *args)
    return chain(value, *args)
