"""Walking the graph of Values: the order backprop needs, and a picture of it.

A Value's parents are in ``node._prev``. Following ``_prev`` from a root reaches
every node the root was computed from; each node may be reached along many paths
(``a`` in ``a * a + a``), but must be listed once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value


def topological_order(root: Value, *, leaves: bool = True) -> list[Value]:  # kata 02
    """Every node reachable from ``root``, each once, parents before children, root last.

    With ``leaves=False``, only the nodes that have parents (``_prev`` not empty), and
    ``root`` last whatever it is: the nodes ``backward`` applies a rule to. A leaf has
    no rule and waits for nothing, and in a network almost every node is a leaf (every
    weight is one), so ``backward`` asks for the order without them.

    The walk must not recurse: Python's recursion limit (about 1,000) is far below the
    depth of a real graph (a 100,000-step chain). A node reached along several paths
    (``a`` in ``a * a + a``) is listed once; Values hash by identity, so a ``set`` of
    them is a fine record of where the walk has been.

    >>> from .value import Value
    >>> a = Value(1.0, label="a")
    >>> b = a * a
    >>> [node.label or node._op for node in topological_order(b)]
    ['a', '*']
    >>> [node._op for node in topological_order(b, leaves=False)]
    ['*']
    """
    # TODO(kata 02): write topological_order
    raise NotImplementedError("kata 02 · topological_order — see katas/02-backprop/README.md")


def to_dot(root: Value) -> str:  # kata 02
    """The graph below ``root`` as Graphviz DOT text: one box per Value, one edge per parent.

    Each box shows the label (if any), ``data`` and ``grad``; a node made by an
    operation gets a small oval with the op in front of it. Paste the text into any
    Graphviz viewer, or run ``dot -Tsvg``.

    >>> from .value import Value
    >>> print(to_dot(Value(2.0, label="x")))
    digraph {
      rankdir=LR;
      n0 [shape=record, label="{ x | data 2.0000 | grad 0.0000 }"];
    }
    """
    # TODO(kata 02): write to_dot
    raise NotImplementedError("kata 02 · to_dot — see katas/02-backprop/README.md")


def _escape(text: str) -> str:
    """Escape what DOT's record labels treat specially."""
    return "".join("\\" + ch if ch in '"{}|<>\\' else ch for ch in text)
