"""The bug zoo of katas 01–03: the autograd engine."""

from __future__ import annotations

from tests.zoo.bug import Bug

VALUE = "autograd/value.py"
GRAPH = "autograd/graph.py"

BUGS: tuple[Bug, ...] = (
    # ------------------------------------------------------------------ kata 01
    Bug(
        "bool-accepted",
        1,
        VALUE,
        "if isinstance(data, bool) or not isinstance(data, Real):",
        "if not isinstance(data, Real):",
        "Value(True) is accepted as 1.0",
    ),
    Bug(
        "pow-accepts-a-bool-exponent",
        1,
        VALUE,
        "if isinstance(exponent, bool) or not isinstance(exponent, Real):",
        "if not isinstance(exponent, Real):",
        "v ** True is accepted as v ** 1 instead of raising TypeError",
    ),
    Bug(
        "int-data-kept",
        1,
        VALUE,
        "            data = float(data)\n",
        "            pass\n",
        "ints and NumPy scalars are stored as they are, not as float",
    ),
    Bug("rsub-reversed", 1, VALUE, "return other - self", "return self - other", "10 - v computes v - 10"),
    Bug("rtruediv-reversed", 1, VALUE, "return other / self", "return self / other", "1 / v computes v / 1"),
    Bug(
        "radd-missing",
        1,
        VALUE,
        "        return self + other\n",
        "        return NotImplemented\n",
        "2 + v raises TypeError: __radd__ not written",
    ),
    Bug(
        "rmul-missing",
        1,
        VALUE,
        "        return self * other\n",
        "        return NotImplemented\n",
        "3 * v raises TypeError: __rmul__ not written",
    ),
    Bug(
        "division-by-zero-gives-inf",
        1,
        VALUE,
        "        if other.data == 0.0:\n"
        '            raise ZeroDivisionError(f"division by zero: {self.data!r} / {other.data!r}")\n'
        '        return Value(self.data / other.data, (self, other), "/")\n',
        '        return Value(self.data / other.data if other.data else math.inf, (self, other), "/")\n',
        "x / 0 quietly gives inf instead of a ZeroDivisionError",
    ),
    Bug(
        "power-truncates-exponent",
        1,
        VALUE,
        "out = Value(self.data**k,",
        "out = Value(self.data ** int(k),",
        "x ** 0.5 computed as x ** 0",
    ),
    # ------------------------------------------------------------------ kata 02
    Bug(
        "mul-backward-uses-own-data",
        2,
        VALUE,
        "return (b.data, a.data)",
        "return (a.data, b.data)",
        "∂(a·b)/∂a taken as a instead of b",
    ),
    Bug(
        "div-numerator-derivative-from-own-data",
        2,
        VALUE,
        "return (1.0 / b.data, ",
        "return (1.0 / a.data, ",
        "∂(a/b)/∂a taken as 1/a instead of 1/b",
    ),
    Bug(
        "assign-instead-of-accumulate",
        2,
        VALUE,
        "parent.grad += local * grad",
        "parent.grad = local * grad",
        "= instead of +=: a shared node keeps only its last contribution",
    ),
    Bug(
        "repeated-parent-counted-once",
        2,
        VALUE,
        "for parent, local in zip(node._prev, _DERIVATIVES[node._op](node), strict=True):",
        "for parent, local in dict(zip(node._prev, _DERIVATIVES[node._op](node), strict=True)).items():",
        "contributions gathered per parent in a dict: in a·a the second overwrites the first",
    ),
    Bug(
        "topological-sort-visits-shared-nodes-twice",
        2,
        GRAPH,
        "            elif parent not in visited:\n                visited.add(parent)\n",
        "            else:\n",
        "no visited bookkeeping: a shared node is listed, and backpropagated, more than once",
    ),
    Bug(
        "topological-sort-lists-shared-leaves-twice",
        2,
        GRAPH,
        "if leaves and parent not in visited:",
        "if leaves:",
        "the leaf shortcut skips the visited check: a leaf used twice is listed twice",
    ),
    Bug(
        "recursive-topological-sort",
        2,
        GRAPH,
        "    order: list[Value] = []\n    visited = {root}\n",
        "    order: list[Value] = []\n    visited = set()\n\n"
        "    def build(node: Value) -> None:\n"
        "        if node not in visited:\n"
        "            visited.add(node)\n"
        "            for parent in node._prev:\n"
        "                build(parent)\n"
        "            order.append(node)\n\n"
        "    build(root)\n    return order\n",
        "recursion: a 100,000-deep chain exceeds Python's recursion limit",
    ),
    Bug(
        "micrograd-recursive-backward",
        2,
        VALUE,
        "        order = topological_order(self, leaves=False)\n",
        "        order: list[Value] = []\n"
        "        visited: set[Value] = set()\n"
        "\n"
        "        def build(node: Value) -> None:\n"
        "            if node not in visited:\n"
        "                visited.add(node)\n"
        "                for parent in node._prev:\n"
        "                    if parent._prev:\n"
        "                        build(parent)\n"
        "                order.append(node)\n"
        "\n"
        "        build(self)\n",
        "backward sorts the graph with micrograd's recursive build(): a 100,000-deep chain exceeds the recursion limit",
    ),
    Bug("sub-backward-sign", 2, VALUE, "return (1.0, -1.0)", "return (1.0, 1.0)", "∂(a − b)/∂b taken as +1"),
    Bug(
        "neg-backward-sign",
        2,
        VALUE,
        "return (-1.0,)",
        "return (1.0,)",
        "∂(−a)/∂a taken as +1",
    ),
    Bug(
        "div-backward-forgets-square",
        2,
        VALUE,
        "-a.data / (b.data * b.data)",
        "-a.data / b.data",
        "∂(a/b)/∂b taken as −a/b",
    ),
    Bug(
        "pow-backward-wrong-exponent", 2, VALUE, "k * a.data ** (k - 1.0)", "k * a.data**k", "∂(a^k)/∂a taken as k·a^k"
    ),
    Bug(
        "neg-forgets-its-parent",
        2,
        VALUE,
        'return Value(-self.data, (self,), "neg")',
        "return Value(-self.data)",
        "-v is a fresh leaf: no gradient flows through negation",
    ),
    Bug(
        "root-gradient-accumulates",
        2,
        VALUE,
        "        for node in order:\n            node.grad = 0.0\n        self.grad = 1.0\n",
        "        for node in order:\n            if node._prev:\n                node.grad = 0.0\n"
        "        self.grad += 1.0\n",
        "the root's seed is added, not set, and only interior nodes are reset: a leaf root grows by 1 every call",
    ),
    Bug(
        "interior-gradients-not-reset",
        2,
        VALUE,
        "            node.grad = 0.0\n",
        "            pass\n",
        "interior nodes accumulate across backward() calls",
    ),
    Bug(
        "every-gradient-reset",
        2,
        VALUE,
        "        order = topological_order(self, leaves=False)\n",
        "        for node in topological_order(self):\n            node.grad = 0.0\n"
        "        order = topological_order(self, leaves=False)\n",
        "backward() zeroes the leaves too: gradients never accumulate",
    ),
    Bug(
        "to-dot-without-gradients",
        2,
        GRAPH,
        'fields += [f"data {node.data:.4f}", f"grad {node.grad:.4f}"]',
        'fields += [f"data {node.data:.4f}"]',
        "to_dot shows data but not grad",
    ),
    Bug(
        "pow-derivative-truncates-exponent",
        2,
        VALUE,
        "k * a.data ** (k - 1.0)",
        "k * a.data ** int(k - 1.0)",
        "∂(x^k)/∂x computed with the exponent k − 1 cut to an integer: ∂(x^0.5)/∂x taken as 0.5·x^0",
    ),
    # ------------------------------------------------------------------ kata 03
    Bug(
        "relu-gradient-one-at-zero",
        3,
        VALUE,
        "return (1.0 if a.data > 0.0 else 0.0,)",
        "return (1.0 if a.data >= 0.0 else 0.0,)",
        "relu'(0) = 1 instead of 0",
    ),
    Bug(
        "tanh-derivative-from-input",
        3,
        VALUE,
        "return (1.0 - out.data * out.data,)",
        "return (1.0 - out._prev[0].data ** 2,)",
        "tanh' computed as 1 − x² instead of 1 − tanh(x)²",
    ),
    Bug(
        "tanh-by-the-textbook-formula",
        3,
        VALUE,
        "return Value(math.tanh(self.data),",
        "return Value((math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1),",
        "tanh via e^2x overflows for large |x|",
    ),
    Bug(
        "sigmoid-overflows",
        3,
        VALUE,
        "        if x >= 0.0:\n            s = 1.0 / (1.0 + math.exp(-x))\n        else:\n"
        "            e = math.exp(x)\n            s = e / (1.0 + e)\n",
        "        s = 1.0 / (1.0 + math.exp(-x))\n",
        "sigmoid(−1000) overflows in e^1000",
    ),
    Bug(
        "sigmoid-derivative-from-input",
        3,
        VALUE,
        "return (out.data * (1.0 - out.data),)",
        "return (out._prev[0].data * (1.0 - out._prev[0].data),)",
        "σ' computed as x·(1 − x)",
    ),
    Bug(
        "exp-derivative-from-input",
        3,
        VALUE,
        "    return (out.data,)\n",
        "    return (out._prev[0].data,)\n",
        "exp' computed as x instead of e^x",
    ),
    Bug(
        "exp-overflow-returns-inf",
        3,
        VALUE,
        "            e = math.exp(self.data)\n",
        "            e = math.exp(self.data) if self.data < 709 else math.inf\n",
        "exp of a huge number quietly becomes inf",
    ),
    Bug(
        "log-derivative-from-output",
        3,
        VALUE,
        "return (1.0 / a.data,)",
        "return (1.0 / out.data,)",
        "log' computed as 1/log(x) instead of 1/x",
    ),
    Bug(
        "log-clamps-instead-of-raising",
        3,
        VALUE,
        "        if self.data <= 0.0:\n"
        '            raise ValueError(f"log is defined for x > 0 only, got {self.data!r}")\n'
        '        return Value(math.log(self.data), (self,), "log")\n',
        '        return Value(math.log(max(self.data, 1e-12)), (self,), "log")\n',
        "a 'safe' log that clamps at 1e-12: log(0) and log(−1) give numbers instead of a ValueError",
    ),
    Bug(
        "leaky-relu-gradient-one-at-zero",
        3,
        VALUE,
        "return (1.0 if a.data > 0.0 else out._aux,)",
        "return (out._aux if a.data < 0.0 else 1.0,)",
        "leaky_relu'(0) = 1 instead of alpha",
    ),
    Bug(
        "exp-forgets-its-parent",
        3,
        VALUE,
        'return Value(e, (self,), "exp")',
        "return Value(e)",
        "v.exp() is a fresh leaf: no gradient flows through exp",
    ),
    Bug(
        "tanh-derivative-not-squared",
        3,
        VALUE,
        "return (1.0 - out.data * out.data,)",
        "return (1.0 - out.data,)",
        "tanh' written 1 − tanh instead of 1 − tanh²",
    ),
)
