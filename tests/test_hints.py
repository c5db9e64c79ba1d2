"""The curriculum teaches rather than tells: hints live apart from the pages, graded, and say what things are.

Hints are shown only by ``kata hint N``, one level at a time, from a nudge to the idea to a
near-solution; only the last level may hold code. Provenance ("seed 002") is for maintainers:
it lives in the catalogue's ``source`` and DECISIONS.md, never in what a learner reads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from katas import catalogue
from katas.catalogue import KIT_ROOT
from reference.autograd.value import Value
from reference.data.mnist import normalize_pixels
from reference.nn.functional import softmax
from reference.nn.gradient_check import numerical_grad
from reference.nn.loss import softmax_cross_entropy_loss
from reference.nn.mlp import MLP
from reference.nn.neuron import Neuron
from reference.nn.optim import Adam, Momentum
from reference.nn.value_mlp import train_step_value_mlp
from reference.vectorized.modules import CrossEntropyLoss, Linear, Sigmoid
from reference.vectorized.network import NeuralNetwork
from reference.vectorized.two_layer import TwoLayerMLP

READY = [kata for kata in catalogue.load() if kata.ready]
FENCE = re.compile(r"^\s*```", re.M)
#: Words that point at something only the page shows; the terminal that prints a hint has no "above".
POINTS_AT_THE_PAGE = re.compile(r"\b(above|see below|table below|shown below|previous section)\b", re.I)
PROVENANCE = re.compile(r"\bseeds?\s+00\d", re.I)


def ids(kata: catalogue.Kata) -> str:
    return f"kata{kata.number:02d}"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_every_ready_kata_has_at_least_three_levels(kata: catalogue.Kata) -> None:
    assert kata.hints_file.is_file(), f"{kata.hints_file} is missing"
    assert len(kata.hints) >= 3, f"kata {kata.number} has {len(kata.hints)} hint levels"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_only_the_last_level_holds_code(kata: catalogue.Kata) -> None:
    *gentle, last = kata.hints
    for level, text in enumerate(gentle, start=1):
        assert not FENCE.search(text), f"kata {kata.number} hint {level} holds a code block: only the last may"
    assert FENCE.search(last), f"kata {kata.number}'s last hint should be a near-solution, with code"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_the_first_level_is_a_nudge(kata: catalogue.Kata) -> None:
    first, *rest = kata.hints
    assert len(first) < min(len(text) for text in rest), f"kata {kata.number}'s first hint is longer than a later one"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_hints_do_not_point_at_what_the_terminal_does_not_show(kata: catalogue.Kata) -> None:
    for level, text in enumerate(kata.hints, start=1):
        match = POINTS_AT_THE_PAGE.search(text)
        assert match is None, f"kata {kata.number} hint {level} says {match.group(0)!r}"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_no_page_keeps_its_hints(kata: catalogue.Kata) -> None:
    page = (KIT_ROOT / kata.page).read_text(encoding="utf-8")
    assert not re.search(r"^#+\s*Hints?\b", page, re.M), f"{kata.page} keeps a hints section: move it to hints.toml"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_every_page_keeps_why_it_matters_and_says_how_to_check(kata: catalogue.Kata) -> None:
    page = (KIT_ROOT / kata.page).read_text(encoding="utf-8")
    assert "## Check only this kata" in page
    assert re.search(r"^## (A worked example|Check by hand)", page, re.M), f"{kata.page} has no worked example"


def test_every_kata_says_where_it_comes_from() -> None:
    for kata in catalogue.load():
        assert PROVENANCE.search(kata.source) or "API.md" in kata.source, f"kata {kata.number} has no source"


def learner_texts() -> list[tuple[str, str]]:
    """Everything a learner reads: pages, hints, the catalogue's titles and sentences, the student stubs."""
    texts = [(kata.page, (KIT_ROOT / kata.page).read_text(encoding="utf-8")) for kata in READY]
    texts += [(f"{kata.hints_file.name} of kata {kata.number}", "\n".join(kata.hints)) for kata in READY]
    texts += [(f"catalogue entry of kata {kata.number}", f"{kata.title}\n{kata.built}") for kata in catalogue.load()]
    texts += [(str(path.relative_to(KIT_ROOT)), path.read_text(encoding="utf-8")) for path in student_files()]
    return texts


def student_files() -> list[Path]:
    return sorted((KIT_ROOT / "student").rglob("*.py"))


def test_learners_never_read_a_seed_number() -> None:
    assert student_files(), "student/ has no files"
    found = [f"{where}: {match.group(0)!r}" for where, text in learner_texts() if (match := PROVENANCE.search(text))]
    assert not found, "provenance belongs in the catalogue's source and DECISIONS.md:\n" + "\n".join(found)


def test_the_reader_refuses_an_empty_level_and_reads_a_missing_file_as_no_hints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kata = catalogue.by_number(1)
    monkeypatch.setattr(catalogue, "KATAS_DIR", tmp_path)
    assert kata.hints == ()
    folder = tmp_path / f"01-{kata.slug}"
    folder.mkdir()
    (folder / "hints.toml").write_text('[[hint]]\ntext = "a nudge"\n\n[[hint]]\ntext = "  "\n', encoding="utf-8")
    with pytest.raises(ValueError, match="non-empty text"):
        _ = kata.hints
    (folder / "hints.toml").write_text("[[hint]]\ntext = 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="non-empty text"):
        _ = kata.hints


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(str.strip), max_size=5))
def test_the_reader_gives_every_level_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, texts: list[str]
) -> None:
    kata = catalogue.by_number(1)
    monkeypatch.setattr(catalogue, "KATAS_DIR", tmp_path)
    (tmp_path / f"01-{kata.slug}").mkdir(exist_ok=True)
    # A JSON string without control characters is a TOML basic string.
    toml = "".join(f"[[hint]]\ntext = {json.dumps(text, ensure_ascii=False)}\n\n" for text in texts)
    kata.hints_file.write_text(toml, encoding="utf-8")
    assert kata.hints == tuple(text.strip() for text in texts)


# ------------------------------------------------------------------ worked examples
# Every page's worked example is a promise: the learner checks their code against it. Each
# number below is computed here by the reference and must appear on the page, so that a
# page and the reference cannot drift apart.


def example_01() -> list[str]:
    return [repr(((Value(2.0) - 5) / 4).data), repr((10 - Value(4.0)).data), repr((2 / Value(8.0)).data)]


def example_02() -> list[str]:
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    loss = (a * b + c) * a
    loss.backward()
    assert (loss.data, a.grad, b.grad, c.grad) == (8.0, -2.0, 4.0, 2.0)
    return ["`L = (a·b + c)·a = 8`", "`∂L/∂a = 2ab + c = −2`", "`∂L/∂b = a² = 4`", "`4 + (−6) = −2`"]


def example_03() -> list[str]:
    out = []
    for method, x in (("tanh", 1.0), ("log", 2.0), ("exp", 1.0)):
        v = Value(x)
        result = getattr(v, method)()
        result.backward()
        out += [repr(result.data), repr(v.grad)]
    return out


def example_04() -> list[str]:
    neuron = Neuron(2, "tanh")
    neuron.weights[0].data, neuron.weights[1].data, neuron.bias.data = 0.5, -1.0, 0.25
    x = [Value(4.0), Value(1.0)]
    out = neuron(x)
    out.backward()
    grads = [neuron.weights[0].grad, neuron.weights[1].grad, x[0].grad]
    return [repr(out.data), *map(repr, grads), repr(-x[1].grad).replace("-", "−")]


def example_05() -> list[str]:
    model = MLP(2, [2, 1])
    values = [1.0, -1.0, 0.0, 0.5, 0.5, -1.0, 1.0, 2.0, 0.5]
    for p, value in zip(model.parameters(), values, strict=True):
        p.data = value
    return [f"Value(data={model([3.0, 1.0])[0].data}", f"= {len(model.parameters())}` parameters"]


def example_06() -> list[str]:
    z = [Value(1.0), Value(2.0), Value(3.0)]
    return [repr([p.data for p in softmax(z)]), repr(softmax_cross_entropy_loss(z, 2).data)]


def example_07() -> list[str]:
    model = MLP(1, [2])
    for p in model.parameters():
        p.data = 0.0
    before = train_step_value_mlp(model, [[1.0]], [0], lr=0.1)
    after = softmax_cross_entropy_loss(model([1.0]), 0).data
    return [repr(before), repr(after)]


def example_08() -> list[str]:
    def trajectory(optimizer: type, **settings: float) -> list[float]:
        w = Value(1.0)
        opt = optimizer([w], lr=0.1, **settings)
        steps = []
        for _ in range(2):
            w.grad = 0.5
            opt.step()
            steps.append(w.data)
        return steps

    return [f"`{x!r}`" for x in trajectory(Adam) + trajectory(Momentum, beta=0.9)]


def example_12() -> list[str]:
    p = Value(2.0)
    return [repr(numerical_grad(lambda: p**3, p)), repr(numerical_grad(lambda: p * p, p))]


def example_13() -> list[str]:
    layer = Linear(2, 2)
    layer.weight[:] = [[0.5, -1.0], [2.0, 0.0]]
    layer.bias[:] = [0.0, 1.0]
    layer(np.array([[1.0, 2.0], [3.0, -1.0]]))
    grad_input = layer.backward(np.array([[1.0, 0.0], [0.0, 2.0]]))
    assert layer.grad_weight.tolist() == [[1, 6], [2, -2]]
    assert layer.grad_bias.tolist() == [1, 2]
    assert grad_input.tolist() == [[0.5, 2], [-2, 0]]
    loss = CrossEntropyLoss()
    value = loss(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]), np.array([2, 0]))
    rounded = ", ".join(f"[{', '.join(repr(round(float(g), 4)) for g in row)}]" for row in loss.backward())
    sigmoid = Sigmoid()
    sigmoid(np.array([[0.0, 2.0]]))
    slope = sigmoid.backward(np.ones((1, 2)))[0, 1]
    return [repr(value), rounded.replace("-", "−"), repr(float(slope))]


def example_14() -> list[str]:
    probabilities = np.array([[0.2, 0.8], [0.6, 0.4]])
    return [repr(TwoLayerMLP(2, 2, 2).calculate_loss(np.array([1, 0]), probabilities))]


def example_15() -> list[str]:
    net = NeuralNetwork([2, 2], l2_lambda=0.5)
    net.weights[0][:] = [[1.0, 2.0], [0.0, -1.0]]
    net.biases[0][:] = 0.0
    labels = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], dtype=float)
    loss = net.cross_entropy_loss(net.forward(np.zeros((2, 4))), labels)
    weight_grads, _ = net.backward(labels)
    assert weight_grads[0].tolist() == [[0.125, 0.25], [0.0, -0.125]]
    return [repr(loss)]


def example_16() -> list[str]:
    return [repr(normalize_pixels(np.array([0, 51, 255], dtype=np.uint8), -1, 1).tolist())]


#: The worked examples checked here, by kata: each returns the texts its page must show.
WORKED = {
    1: example_01,
    2: example_02,
    3: example_03,
    4: example_04,
    5: example_05,
    6: example_06,
    7: example_07,
    8: example_08,
    12: example_12,
    13: example_13,
    14: example_14,
    15: example_15,
    16: example_16,
}


@pytest.mark.parametrize("kata", [kata for kata in READY if kata.number in WORKED], ids=ids)
def test_the_worked_example_matches_the_reference(kata: catalogue.Kata) -> None:
    page = (KIT_ROOT / kata.page).read_text(encoding="utf-8")
    example = page[page.index("## A worked example") :].split("\n## ", 1)[0]
    for number in WORKED[kata.number]():
        assert number in example, f"{kata.page}'s worked example does not show {number}, the reference's result"
