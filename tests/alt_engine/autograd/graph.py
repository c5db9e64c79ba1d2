"""Topological order and DOT output, written differently from the reference (explicit post-order flags)."""

from __future__ import annotations


def topological_order(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in node._prev if parent not in seen)
    return order


def to_dot(root):
    nodes = topological_order(root)
    index = {node: i for i, node in enumerate(nodes)}
    lines = ["strict digraph G {"]
    for node in nodes:
        label = node.label.replace("\\", "\\\\").replace('"', '\\"')  # a DOT quoted string escapes \\ and "
        text = f"{label} data={node.data:g} grad={node.grad:g} op={node._op}"
        lines.append(f'  v{index[node]} [label="{text}"];')
        lines.extend(f"  v{index[parent]} -> v{index[node]};" for parent in node._prev)
    lines.append("}")
    return "\n".join(lines)
