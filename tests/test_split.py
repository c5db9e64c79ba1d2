"""The split run: the spec in one process, the implementation in a worker, plain data between them.

``kata grade`` (and ``pytest spec_tests --split``) imports the implementation only in a
worker process (:mod:`spec_tests.worker`) and reaches it through :mod:`spec_tests.remote` over
:mod:`spec_tests.wire`. These tests check the wire's rules (what crosses, rebuilt how, and what is
refused), the stand-ins' semantics against one process's (identity, exceptions, arrays changed in
place, generators, time limits, a worker that dies), and that the spec gives the same verdicts split.
"""

from __future__ import annotations

import contextlib
import math
import random
import socket
import struct
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spec_tests import api, loops, remote, wire
from tests.spec_runner import ROOT, run_spec
from tests.test_bug_zoo import CAUGHT_BY, mutate
from tests.zoo import BUGS

# ------------------------------------------------------------------ the wire


def plain_values() -> st.SearchStrategy[Any]:
    """Plain data: what the wire rebuilds exactly (NaN included, compared by :func:`same`)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_subnormal=False),
        st.text(max_size=20),
        st.binary(max_size=20),
        st.complex_numbers(allow_nan=False, allow_infinity=False, allow_subnormal=False),
    )
    arrays = hnp.arrays(
        st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.bool_, np.complex128]),
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    )
    keys = st.one_of(st.integers(-5, 5), st.text(max_size=5), st.tuples(st.integers(0, 3)))
    return st.recursive(
        st.one_of(scalars, arrays),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.tuples(inner, inner),
            st.dictionaries(keys, inner, max_size=4),
            st.frozensets(st.integers(0, 9), max_size=4),
        ),
        max_leaves=12,
    )


def same(a: Any, b: Any) -> bool:
    """Equal as data, of the same types, NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def refuse(value: Any, encoder: wire.Encoder) -> Any:
    raise TypeError(f"not plain: {type(value).__name__}")


def no_tags(tag: dict[str, Any]) -> Any:
    raise wire.WireError(f"unknown tag {sorted(tag)}")


def through(value: Any, subclasses: bool = False) -> Any:
    """``value`` sent over a socket pair and rebuilt on the other end."""
    left, right = socket.socketpair()
    with left, right:
        encoder = wire.Encoder(refuse, subclasses=subclasses)
        wire.send(left, {"v": encoder(value)}, encoder.buffers)
        header, buffers = wire.receive(right)
        return wire.Decoder(buffers, no_tags)(header["v"])


@settings(max_examples=150)
@given(plain_values())
def test_plain_data_crosses_the_wire_unchanged(value: Any) -> None:
    assert same(through(value), value)


def test_a_builtin_subclass_arrives_as_the_builtin_itself() -> None:
    class Liar(float):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = float.__hash__

    class Listy(list):
        pass

    got = through([Liar(2.5), Listy([1, 2])], subclasses=True)
    assert type(got[0]) is float
    assert got[0] == 2.5
    assert got[0] != 3.0
    assert type(got[1]) is list
    assert got[1] == [1, 2]


def test_an_array_of_objects_cannot_be_sent() -> None:
    with pytest.raises(wire.WireError, match="dtype object"):
        through(np.array([object()], dtype=object))


@settings(max_examples=200)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3),
                    max_leaves=10))  # fmt: skip
def test_any_json_either_rebuilds_or_is_refused_by_the_wire_rules(value: Any) -> None:
    """What a hostile worker may send: any JSON value is rebuilt as data, or refused with WireError, nothing else."""
    with contextlib.suppress(wire.WireError):
        wire.Decoder([bytearray(8)], no_tags)(value)


def test_a_frame_over_the_limits_is_refused_before_it_is_read() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(struct.pack("!II", wire.MAX_HEADER + 1, 0))
        with pytest.raises(wire.WireError, match="over the wire's limits"):
            wire.receive(right)


def test_an_array_whose_data_does_not_match_its_shape_is_refused() -> None:
    with pytest.raises(wire.WireError, match="does not match"):
        wire.Decoder([bytearray(7)], no_tags)({"A": 0, "d": "<f8", "s": [1]})
    with pytest.raises(wire.WireError, match="not a plain number type"):
        wire.Decoder([bytearray(8)], no_tags)({"A": 0, "d": "|O", "s": [1]})


# ----------------------------------------------------------- the stand-ins


@pytest.fixture
def split() -> Iterator[None]:
    """The reference, reached through a worker of its own (restored to one process afterwards)."""
    before = api.implementation()
    api.select("reference")
    api.split(remote.Config.local("reference"))
    try:
        yield
    finally:
        api.split(None)
        api.select(before)


def package(tmp_path: Path, name: str, value_py: str) -> remote.Config:
    """A worker for a package ``name`` in ``tmp_path`` whose ``autograd/value.py`` is ``value_py``."""
    folder = tmp_path / name / "autograd"
    folder.mkdir(parents=True)
    (tmp_path / name / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    (folder / "value.py").write_text(textwrap.dedent(value_py))
    environ = dict(__import__("os").environ, PYTHONPATH=f"{tmp_path}:{ROOT}")
    return remote.Config([__import__("sys").executable, "-m", "spec_tests.worker"], name, env=environ)


@pytest.fixture
def own(tmp_path: Path) -> Iterator[Any]:
    """Split against a package written by the test: ``own(name, source)`` selects it."""
    before = api.implementation()

    def choose(name: str, source: str) -> None:
        api.select(name)
        api.split(package(tmp_path, name, source))

    yield choose
    api.split(None)
    api.select(before)


def test_objects_keep_their_identity_and_numbers_arrive_as_floats(split: None) -> None:
    x = api.Value(2.0)
    out = x * 3.0
    assert type(out).__name__ == "Value"
    assert isinstance(out, api.Value)
    assert type(out.data) is float
    assert out.data == 6.0
    assert x in out._prev  # the same stand-in for the same object of the worker
    order = api.topological_order(out)
    assert order[-1] is out
    assert order[0] is x
    out.backward()
    assert x.grad == 3.0


def test_an_exception_is_raised_here_with_its_class_name_bases_and_where(split: None, tmp_path: Path) -> None:
    with pytest.raises(TypeError) as caught:
        api.Value("three")
    assert caught.value.impl_frames
    assert caught.value.impl_frames[-1].startswith("reference/autograd/value.py:")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    error = api.CheckpointError.resolve()
    assert error.__name__ == "CheckpointError"
    assert issubclass(error, ValueError)
    with pytest.raises(error):
        api.load_checkpoint(api.MLP(2, [1], rng=random.Random(0)), bad)


def test_arrays_handed_out_are_the_same_objects_and_changes_cross_both_ways(split: None) -> None:
    layer = api.Linear(3, 2, rng=0)
    params = layer.parameters()
    assert params[0] is layer.weight
    assert params[1] is layer.bias
    layer.weight[...] = 1.0  # written here, seen there
    assert np.array_equal(layer.forward(np.ones((1, 3))), [[3.0, 3.0]])
    mine = [np.zeros((2, 2)), np.zeros(2)]
    api.VecSGD(mine, [np.ones((2, 2)), np.ones(2)], lr=0.5).step()  # changed there, seen here
    assert np.array_equal(mine[0], np.full((2, 2), -0.5))
    assert np.array_equal(mine[1], [-0.5, -0.5])


def test_a_generator_advances_here_as_it_would_in_one_process(split: None) -> None:
    import reference.nn.neuron

    here, there = random.Random(7), random.Random(7)
    weights = [w.data for w in api.Neuron(4, rng=there).weights]
    local = reference.nn.neuron.Neuron(4, rng=here)
    assert weights == [w.data for w in local.weights]
    assert there.getstate() == here.getstate()


def test_a_lying_float_is_judged_by_its_number(own: Any) -> None:
    own("liar", """
        class Liar(float):
            def __eq__(self, other):
                return True
            __hash__ = float.__hash__

        class Value:
            def __init__(self, data):
                self.data = Liar(data)
    """)  # fmt: skip
    got = api.Value(1.0).data
    assert type(got) is float
    assert got != 5.0


def test_a_loop_times_out_in_the_worker_and_is_not_called_again(own: Any) -> None:
    own("looper", """
        class Value:
            def __init__(self, data):
                while data < 0:
                    pass
                self.data = data
    """)  # fmt: skip
    remote.start_test("test_loop", 1.0)
    try:
        with pytest.raises(loops.SpecTimeout):
            api.Value(-1.0)
        with pytest.raises(loops.NotRun, match=r"Value\.__init__ timed out in test test_loop"):
            api.Value(-1.0)
    finally:
        remote.start_test(None, 0.0)


def test_a_worker_that_dies_fails_its_request_and_the_next_one_starts_afresh(own: Any) -> None:
    own("quitter", """
        import os

        class Value:
            def __init__(self, data):
                if data < 0:
                    os._exit(3)
                self.data = data
    """)  # fmt: skip
    with pytest.raises(remote.WorkerError, match="exited with status 3"):
        api.Value(-1.0)
    assert api.Value(2.0).data == 2.0
    assert remote.connection().started == 2


def test_a_worker_says_it_booted_before_any_implementation_code_and_one_that_cannot_boot_is_not_its_fault(
    own: Any,
) -> None:
    """The hello comes before the package is imported: a package that ends at import still booted (its failure is
    its own), while a worker that never boots is the machine's (kata grade then grades nothing, exit 2)."""
    own("ends-at-import", "import os\nos._exit(5)\n")
    booted: list[int] = []
    conn = remote.connection()
    conn.on_ready.append(lambda: booted.append(conn.ready))
    with pytest.raises(remote.WorkerError, match="ended during 'resolve': it exited with status 5"):
        api.Value(1.0)
    assert booted == [1], "the worker said it booted before the package ran"
    api.split(remote.Config([sys.executable, "-c", "raise SystemExit(4)"], "never"))
    with pytest.raises(remote.WorkerError, match=r"could not start \(the kit's or this machine's fault.*status 4"):
        api.Value(1.0)
    assert remote.connection().ready == 0


def test_the_spec_process_never_imports_the_implementation(split: None) -> None:
    import sys

    api.Value(1.0)
    assert "reference.autograd.value" not in sys.modules or sys.modules["reference.autograd.value"] is not None
    before = set(sys.modules)
    api.MLP(2, [2, 1], rng=random.Random(0))(np.ones(2).tolist())
    assert not {m for m in set(sys.modules) - before if m.startswith("reference")}


# ------------------------------------------------------- the spec, split


def test_the_reference_passes_the_spec_split() -> None:
    done = run_spec("reference", "--split", "-q", "--kata", "11", "--kata", "13", "--kata", "9", timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout
    assert "failed" not in done.stdout


@pytest.mark.parametrize(
    "name",
    [
        "assign-instead-of-accumulate",
        "recursive-topological-sort",
        "linear-grad-rebound",
        "sgd-rebinds",
        "checkpoint-written-in-place",
        "checkpoint-streamed-into-the-target",
        "dropout-ignores-the-rng",
    ],
)
def test_a_bug_fails_the_same_tests_split(name: str, tmp_path: Path) -> None:
    bugs = {bug.name: bug for bug in BUGS}
    if name not in bugs:
        pytest.fail(f"the zoo has no bug {name!r}: {sorted(bugs)[:10]}…")
    bug = bugs[name]
    mutate(bug, tmp_path)
    results = []
    test = CAUGHT_BY[name]  # the test that catches it (tests/zoo/caught_by.json): the comparison stays quick
    for split in ([], ["--split"]):
        done = run_spec(bug.package, test, *split, "-q", "--detail", "-rf", path=tmp_path, spec=None, timeout=600)
        # the failing tests' ids: a bug that draws from the global generator may shrink to another example
        results.append(sorted(line.split(" - ")[0] for line in done.stdout.splitlines() if line.startswith("FAILED")))
    assert results[0], f"{name}: the spec did not catch it in one process"
    assert results[0] == results[1]


def test_a_change_to_a_temporary_array_crosses(split: None) -> None:
    layer = api.Linear(2, 1, rng=0)
    layer.weight[...] = 2.0  # the array read here is gone after this line; its change is not
    layer.bias[...] = 0.5
    assert np.array_equal(layer.forward(np.ones((1, 2))), [[4.5]])


def test_what_the_implementation_prints_is_kept_up_to_a_bound_per_test(
    own: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    own("talker", """
        class Value:
            def __init__(self, data):
                print("x" * 200_000)
                self.data = data
    """)  # fmt: skip
    remote.start_test("test_talk", 0.0)
    try:
        for _ in range(20):  # 4 MB printed in one test
            api.Value(1.0)
    finally:
        remote.start_test(None, 0.0)
    printed = capsys.readouterr().out
    assert remote.OUTPUT_PER_TEST <= len(printed) < remote.OUTPUT_PER_TEST + 200
    assert printed.rstrip().endswith("characters: cut)")


def test_an_exception_class_made_here_still_names_its_class_in_the_worker(own: Any) -> None:
    own("errors", """
        class Base(ValueError):
            pass

        class Sub(Base):
            pass

        class Value:
            def __init__(self, data):
                if data < 0:
                    raise Sub("negative")
                if data > 9:
                    raise Base("large")
                self.data = data
    """)  # fmt: skip
    with pytest.raises(ValueError) as large:
        api.Value(10.0)
    with pytest.raises(ValueError) as negative:  # Sub seen first, its base Base seen again
        api.Value(-1.0)
    sub, base = type(negative.value), type(large.value)
    assert issubclass(sub, base)
    api.Value(1.0)  # the next request carries what this side let go
    assert remote.connection().request("issubclass", sub, base) is True
