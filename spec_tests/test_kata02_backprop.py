"""Kata 02 · Backprop: local derivatives, backward(), topological order and to_dot."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from .api import Value, to_dot, topological_order
from .contract import contract
from .graphs import build
from .oracle import assert_close, assert_grad_matches, assert_gradients_match, partials, reachable
from .strategies import assert_exact_gradients, away_from_zero, describe, evaluate, expressions, magnitude, reals

pytestmark = pytest.mark.kata02


def grads_of(f: Callable[..., object], args: list[float]) -> list[float]:
    """Build f over fresh leaf Values, backpropagate once, return the leaves' gradients."""
    leaves = [Value(x) for x in args]
    out = f(*leaves)
    out.backward()
    return [leaf.grad for leaf in leaves]


def check_op(f: Callable[..., object], args: list[float]) -> None:
    """f's gradients through Values against central differences of f on plain floats."""
    got = grads_of(f, args)
    numeric = partials(lambda *xs: f(*xs), args)
    assert_gradients_match(got, numeric, [f"x{i}" for i in range(len(args))], f(*args), at=str(args))


# ------------------------------------------------------------ local derivatives


@contract("2.4")
@given(reals(), reals())
def test_gradient_of_addition(x: float, y: float) -> None:
    """∂(a + b)/∂a = 1 and ∂(a + b)/∂b = 1."""
    check_op(lambda a, b: a + b, [x, y])


@contract("2.4")
@given(reals(), reals())
def test_gradient_of_subtraction(x: float, y: float) -> None:
    """∂(a − b)/∂a = 1 and ∂(a − b)/∂b = −1."""
    check_op(lambda a, b: a - b, [x, y])


@contract("2.4")
@given(reals(), reals())
def test_gradient_of_multiplication(x: float, y: float) -> None:
    """∂(a·b)/∂a = b and ∂(a·b)/∂b = a."""
    check_op(lambda a, b: a * b, [x, y])


@contract("2.4")
@given(reals(), away_from_zero(0.1))
def test_gradient_of_division(x: float, y: float) -> None:
    """∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = −a/b²."""
    check_op(lambda a, b: a / b, [x, y])


@contract("2.4")
@given(reals())
def test_gradient_of_negation(x: float) -> None:
    """∂(−a)/∂a = −1."""
    check_op(lambda a: -a, [x])


@contract("2.4")
@given(away_from_zero(0.1, 5.0), st.integers(-3, 4))
def test_gradient_of_integer_power(x: float, k: int) -> None:
    """∂(a^k)/∂a = k·a^(k−1) for an integer k, negative bases included."""
    check_op(lambda a: a**k, [x])


@contract("2.4")
@given(reals(0.1, 10.0), reals(-2.5, 2.5))
def test_gradient_of_real_power(x: float, k: float) -> None:
    """∂(a^k)/∂a = k·a^(k−1) for a positive base and a real k."""
    check_op(lambda a: a**k, [x])


@contract("2.4")
@given(reals(), reals(-10.0, 10.0))
def test_gradient_through_plain_numbers_on_the_right(x: float, c: float) -> None:
    """Constants on the right: a + c, a − c, a·c and a/c each pass the right gradient to a."""
    assume(abs(c) > 0.1)
    for f in (lambda a: a + c, lambda a: a - c, lambda a: a * c, lambda a: a / c):
        check_op(f, [x])


@contract("2.4")
@given(away_from_zero(0.1), reals(-10.0, 10.0))
def test_gradient_through_plain_numbers_on_the_left(x: float, c: float) -> None:
    """Constants on the left: c + a, c − a, c·a and c/a each pass the right gradient to a."""
    for f in (lambda a: c + a, lambda a: c - a, lambda a: c * a, lambda a: c / a):
        check_op(f, [x])


# ---------------------------------------------------------------- backward()


@contract("2.4")
@given(reals(), reals())
def test_backward_sets_the_root_gradient_to_one(x: float, y: float) -> None:
    """After out.backward(), out.grad == 1 (∂out/∂out)."""
    out = Value(x) * Value(y) + 1
    out.backward()
    assert out.grad == 1.0


@contract("2.4")
def test_backward_of_a_lone_leaf() -> None:
    """A leaf on its own is its own root: backward() sets its grad to 1, on every call."""
    v = Value(3.0)
    v.backward()
    assert v.grad == 1.0
    v.backward()
    assert v.grad == 1.0, "backward() sets the root's gradient to 1; it does not add 1"


@contract("2.4")
@given(reals(), reals())
def test_backward_does_not_change_data(x: float, y: float) -> None:
    """backward() computes gradients only: every node keeps its data."""
    a, b = Value(x), Value(y)
    out = (a * b + a) * b
    before = [(node, node.data) for node in reachable(out)]
    out.backward()
    assert all(node.data == data for node, data in before)


@contract("2.4")
@given(reals(), reals())
def test_leaves_outside_the_graph_keep_zero_gradient(x: float, y: float) -> None:
    """A Value the root was not computed from gets no gradient."""
    a, stranger = Value(x), Value(y)
    (a * 2).backward()
    assert stranger.grad == 0.0


@contract("2.4")
@given(reals())
def test_a_node_used_twice_gets_both_contributions(x: float) -> None:
    """In a·a + a, a is a parent three times: ∂/∂a = 2a + 1 (gradients add, with +=)."""
    a = Value(x)
    out = a * a + a
    out.backward()
    assert_close(a.grad, 2 * x + 1, rel=1e-12, abs=1e-12, what="∂(a·a + a)/∂a")


@contract("2.4")
@given(reals(-3.0, 3.0), reals(-3.0, 3.0))
def test_diamond_shared_interior_node(x: float, y: float) -> None:
    """A shared interior node h = a·b feeding two branches: out = (h + a)·(h − b)."""
    a, b = Value(x), Value(y)
    h = a * b
    out = (h + a) * (h - b)
    out.backward()
    f = lambda p, q: (p * q + p) * (p * q - q)  # noqa: E731
    numeric = partials(f, [x, y])
    assert_grad_matches(a.grad, numeric[0], f(x, y), what="∂out/∂a")
    assert_grad_matches(b.grad, numeric[1], f(x, y), what="∂out/∂b")


@contract("2.4")
@given(st.integers(1, 300))
def test_fan_out_sums_every_use(n: int) -> None:
    """a added to itself n times: ∂/∂a = n exactly, however often a is shared."""
    a, out = build(Value, 0.5, n - 1, "add_self")
    out.backward()
    assert a.grad == float(n)


@contract("2.4")
@given(expressions(), st.lists(reals(-2.0, 2.0), min_size=3, max_size=3))
def test_random_expressions_match_exact_dual_number_gradients(tree: tuple, point: list[float]) -> None:
    """For any expression over shared Values, backward() gives the exact gradient (forward-mode dual numbers)."""
    assert_exact_gradients(tree, point, Value)


@contract("2.4")
@given(expressions(n_vars=2, max_leaves=6), st.lists(reals(-2.0, 2.0), min_size=2, max_size=2))
def test_random_expressions_match_central_differences(tree: tuple, point: list[float]) -> None:
    """For any expression over shared Values, backward() agrees with central differences."""
    scale = magnitude(tree, point)
    assume(scale < 1e4)
    leaves = [Value(x) for x in point]
    evaluate(tree, leaves).backward()
    numeric = partials(lambda *xs: evaluate(tree, list(xs)), point)
    for i, leaf in enumerate(leaves):
        assert_grad_matches(leaf.grad, numeric[i], scale**2, what=f"∂/∂x{i} of {describe(tree)} at {point}")


@contract("2.4")
def test_a_chain_100000_operations_deep() -> None:
    """backward() works on a chain 100,000 operations deep (no recursion limit): ∂/∂x of x·r^100000."""
    x, out = build(Value, 1.0, 100_000, "mul", 1.0000001)
    out.backward()
    assert_close(x.grad, 1.0000001**100_000, rel=1e-9, what="∂(x·r^100000)/∂x")


@contract("2.4")
@given(expressions(), st.lists(reals(-2.0, 2.0), min_size=3, max_size=3))
def test_two_backward_calls_double_leaf_gradients_only(tree: tuple, point: list[float]) -> None:
    """After two backward() calls, each leaf holds twice its one-call gradient; interior nodes hold one call's."""
    size = magnitude(tree, point)
    assume(size < 1e6)
    leaves = [Value(x) for x in point]
    out = evaluate(tree, leaves)
    out.backward()
    once = {id(node): node.grad for node in reachable(out)}
    out.backward()
    # 1e-12 relative, as the contract says — relative to the size of the contributions a
    # gradient is summed from (each at most size²), not to the sum: in x0·x1 + (x0 − x0) the
    # contributions +1 and −1 cancel, and the second call's rounding of 1 + 1e-84 is exact
    # arithmetic, not a wrong gradient.
    tolerance = 1e-12 * size**2
    for node in reachable(out):
        leaf = len(node._prev) == 0 and node is not out
        expected = 2 * once[id(node)] if leaf else once[id(node)]
        kind = "leaf" if leaf else "interior node"
        assert_close(node.grad, expected, rel=1e-12, abs=tolerance, what=f"{kind} gradient after two calls ({node!r})")


@contract("2.4")
@given(reals(), reals())
def test_zeroing_leaves_between_calls_gives_fresh_gradients(x: float, y: float) -> None:
    """Setting the leaves' grad to 0 between two backward() calls gives the same gradients again."""
    a, b = Value(x), Value(y)
    out = a * b + b
    out.backward()
    first = (a.grad, b.grad)
    a.grad = b.grad = 0.0
    out.backward()
    assert (a.grad, b.grad) == first


@contract("2.4")
@given(reals(), reals())
def test_backward_from_an_interior_node(x: float, y: float) -> None:
    """backward() on an interior node h = a·b differentiates h alone: ∂h/∂a = b, ∂h/∂b = a."""
    a, b = Value(x), Value(y)
    h = a * b
    _ = h + 100.0  # a later use of h must not matter
    h.backward()
    assert_close(a.grad, y, rel=1e-12, what="∂h/∂a")
    assert_close(b.grad, x, rel=1e-12, what="∂h/∂b")


# -------------------------------------------------------- topological order


@st.composite
def dags(draw: st.DrawFn) -> tuple[object, list[object]]:
    """A random DAG of Values in which interior nodes are shared; returns (root, leaves)."""
    leaves = [Value(draw(reals(-2.0, 2.0))) for _ in range(draw(st.integers(1, 4)))]
    nodes = list(leaves)
    for _ in range(draw(st.integers(0, 25))):
        i = draw(st.integers(0, len(nodes) - 1))
        j = draw(st.integers(0, len(nodes) - 1))
        nodes.append(nodes[i] + nodes[j] if draw(st.booleans()) else nodes[i] * 0.5 - nodes[j])
    return nodes[-1], leaves


@contract("2.6")
@given(dags())
def test_topological_order_lists_every_reachable_node_once(dag: tuple[object, list[object]]) -> None:
    """topological_order(root) lists every node reachable from root, each exactly once."""
    root, _ = dag
    order = topological_order(root)
    ids = [id(node) for node in order]
    assert len(ids) == len(set(ids)), "a node is listed more than once"
    assert set(ids) == {id(node) for node in reachable(root)}, "the order must hold exactly the reachable nodes"


@contract("2.6")
@given(dags())
def test_topological_order_puts_parents_first_and_root_last(dag: tuple[object, list[object]]) -> None:
    """In topological_order(root), every node comes after all its parents, and root is last."""
    root, _ = dag
    order = topological_order(root)
    position = {id(node): k for k, node in enumerate(order)}
    assert order[-1] is root
    for node in order:
        for parent in node._prev:
            assert position[id(parent)] < position[id(node)], "a parent comes after its child"


@contract("2.6")
def test_topological_order_of_a_leaf() -> None:
    """The order of a lone leaf is just that leaf."""
    v = Value(1.0)
    assert list(topological_order(v)) == [v]


@contract("2.6")
def test_topological_order_of_a_deep_chain() -> None:
    """topological_order handles a chain 100,000 operations deep without recursion."""
    x, out = build(Value, 0.0, 100_000, "neg")
    order = topological_order(out)
    assert order[-1] is out
    assert sum(node is x for node in order) == 1
    assert len(order) >= 100_001


@contract("2.6")
@given(st.integers(2, 2000))
def test_a_widely_shared_node_is_listed_once(n: int) -> None:
    """A leaf used n times appears once in the order."""
    a, out = build(Value, 1.0, n, "add_self")
    assert sum(node is a for node in topological_order(out)) == 1


# -------------------------------------------------------------------- to_dot


@contract("2.7")
def test_to_dot_describes_the_graph() -> None:
    """to_dot gives Graphviz DOT text: a digraph with every label, data, grad and op, and an edge per parent link."""
    x, y, b = Value(2.5, label="x"), Value(-1.25, label="y"), Value(0.5, label="bias")
    z = (x * y + b) * 3
    z.backward()
    text = to_dot(z)
    assert isinstance(text, str)
    assert re.match(r"\s*(strict\s+)?digraph\b", text), "DOT text starts with 'digraph'"
    assert text.count("{") == text.count("}"), "braces must balance"
    # data: 2.5, -1.25, 0.5, x·y = -3.125, x·y + b = -2.625, z = -7.875
    for shown in ("x", "y", "bias", "2.5", "-1.25", "0.5", "-3.125", "-2.625", "-7.875", "*", "+"):
        assert shown in text, f"data or label {shown!r} missing from to_dot output"
    # grads that no data equals: ∂z/∂x = 3y = -3.75, ∂z/∂y = 3x = 7.5
    for shown in ("-3.75", "7.5"):
        assert shown in text, f"gradient {shown!r} missing from to_dot output"
    # x→(x·y), y→(x·y), (x·y)→(+), b→(+), (+)→z: five parent links, at least one edge each.
    assert text.count("->") >= 5


@contract("2.7")
@given(reals(), reals())
def test_to_dot_leaves_the_graph_alone(x: float, y: float) -> None:
    """to_dot only reads: data and grad of every node are unchanged."""
    a, b = Value(x), Value(y)
    out = a * b - a
    out.backward()
    before = [(n, n.data, n.grad) for n in reachable(out)]
    to_dot(out)
    assert all(n.data == d and n.grad == g for n, d, g in before)


@contract("2.7")
def test_to_dot_of_a_leaf() -> None:
    """A lone leaf is a graph of one node."""
    text = to_dot(Value(4.75, label="w"))
    assert re.match(r"\s*(strict\s+)?digraph\b", text)
    assert "w" in text
    assert "4.75" in text


@contract("2.4")
def test_leaf_gradient_accumulates_on_a_deep_chain() -> None:
    """Two backward() calls through a 20,000-deep chain leave the leaf with twice its gradient."""
    x, out = build(Value, 1.0, 20_000, "add", 0.0)
    out.backward()
    out.backward()
    assert x.grad == 2.0


# ------------------------------------------------------- to_dot: well-formed DOT

_DOT_ID = re.compile(r"(?:[^\s{}\[\];,=:\"<>-]|-(?![->]))+")


def dot_tokens(text: str) -> list[str]:
    """DOT text as tokens: quoted and <HTML> strings whole, comments dropped; fails on a string never closed."""
    tokens: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("//", i) or (ch == "#" and (i == 0 or text[i - 1] == "\n")):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            assert end >= 0, "a /* comment */ in the DOT text is never closed"
            i = end + 2
        elif ch == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            assert j < len(text), f"a quoted string in the DOT text is never closed: {text[i : i + 60]!r}"
            tokens.append(text[i : j + 1])
            i = j + 1
        elif ch == "<":
            depth, j = 0, i
            while j < len(text):
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            assert depth == 0, f"an <HTML> string in the DOT text is never closed: {text[i : i + 60]!r}"
            tokens.append(text[i:j])
            i = j
        elif text.startswith(("->", "--"), i):
            tokens.append(text[i : i + 2])
            i += 2
        elif ch in "{}[];,=:":
            tokens.append(ch)
            i += 1
        else:
            match = _DOT_ID.match(text, i)
            assert match, f"not DOT at {text[i : i + 60]!r}"
            tokens.append(match.group())
            i = match.end()
    return tokens


def assert_one_dot_graph(tokens: list[str]) -> None:
    """The tokens are one `[strict] digraph [ID] { … }`: braces balance, and the last one closes the graph."""
    assert tokens, "to_dot gave empty text"
    depth, closed_at = 0, None
    for k, token in enumerate(tokens):
        depth += {"{": 1, "}": -1}.get(token, 0)
        assert depth >= 0, f"a '}}' closes nothing (token {k})"
        if depth == 0 and token == "}" and closed_at is None:
            closed_at = k
    assert closed_at == len(tokens) - 1, "the DOT text must end with the '}' that closes the digraph, and only there"


def dot_edges(tokens: list[str]) -> list[tuple[str, str]]:
    """Every `a -> b` of the DOT tokens (chains split into links), node IDs unquoted."""
    return [(tokens[k - 1].strip('"'), tokens[k + 1].strip('"')) for k, t in enumerate(tokens) if t == "->"]


@contract("2.7")
def test_to_dot_is_one_closed_digraph() -> None:
    """to_dot's text is one DOT digraph: it starts with 'digraph', its braces balance, it ends with the closing '}'."""
    x, y = Value(1.5, label="x"), Value(-2.0, label="y")
    out = (x * y + x) ** 2
    out.backward()
    tokens = dot_tokens(to_dot(out))
    assert tokens[0] in ("digraph", "strict"), f"DOT text starts with 'digraph', got {tokens[0]!r}"
    assert_one_dot_graph(tokens)


@contract("2.7")
@given(st.text(max_size=12), st.text(max_size=12))
def test_to_dot_is_well_formed_whatever_the_labels(first: str, second: str) -> None:
    """Labels are free text: whatever they hold (quotes, braces, |, <, >, backslashes), to_dot gives well-formed DOT."""
    a, b = Value(2.0, label=first), Value(3.0, label=second)
    out = a * b + a
    out.backward()
    tokens = dot_tokens(to_dot(out))
    assert_one_dot_graph(tokens)


@contract("2.7")
def test_to_dot_edges_follow_the_graph_without_a_cycle() -> None:
    """A computation graph is acyclic, so the edges of its DOT text never lead from a node back to itself."""
    x, y, b = Value(2.5, label="x"), Value(-1.25, label="y"), Value(0.5, label="bias")
    out = (x * y + b) * x
    out.backward()
    edges = dot_edges(dot_tokens(to_dot(out)))
    assert len(edges) >= 5, f"expected an edge per parent link (at least 5), got {len(edges)}"
    children: dict[str, set[str]] = {}
    for source, target in edges:
        children.setdefault(source, set()).add(target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def cyclic(node: str) -> bool:
        state[node] = 1
        for child in children.get(node, ()):
            if state.get(child) == 1 or (child not in state and cyclic(child)):
                return True
        state[node] = 2
        return False

    assert not any(node not in state and cyclic(node) for node in list(children)), (
        f"the DOT edges have a cycle: {edges}"
    )
