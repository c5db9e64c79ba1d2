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
    order: list[Value] = []
    visited = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if not parent._prev:  # speed-up: a leaf waits for nothing, so it never goes on the stack
                if leaves and parent not in visited:
                    visited.add(parent)
                    order.append(parent)
            elif parent not in visited:
                visited.add(parent)
                stack.append((parent, iter(parent._prev)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


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
    ids: dict[Value, str] = {}
    lines = ["digraph {", "  rankdir=LR;"]
    for node in topological_order(root):
        ident = ids[node] = f"n{len(ids)}"
        fields = [_escape(node.label)] if node.label else []
        fields += [f"data {node.data:.4f}", f"grad {node.grad:.4f}"]
        lines.append(f'  {ident} [shape=record, label="{{ {" | ".join(fields)} }}"];')
        if node._op:
            op = f"**{node._aux:g}" if node._op == "**" else node._op
            lines.append(f'  {ident}_op [shape=oval, label="{_escape(op)}"];')
            lines.append(f"  {ident}_op -> {ident};")
            lines.extend(f"  {ids[parent]} -> {ident}_op;" for parent in node._prev)
    lines.append("}")
    return "\n".join(lines)


def _escape(text: str) -> str:
    """Escape what DOT's record labels treat specially."""
    return "".join("\\" + ch if ch in '"{}|<>\\' else ch for ch in text)
