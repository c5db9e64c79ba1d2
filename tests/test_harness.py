"""The spec harness: choosing an implementation, failing per name, profiles, the learner summary."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from katas import catalogue
from tests.spec_runner import ROOT, copy_package, run_spec
from tests.zoo import BUGS, Bug


def last_line(result) -> str:
    return result.stdout.strip().splitlines()[-1].strip("= ")


def test_header_names_the_package_its_path_and_the_profile() -> None:
    result = run_spec("reference", "--kata", "1", "--co")
    assert f"nn-katas spec: implementation 'reference' at {ROOT / 'reference' / '__init__.py'}" in result.stdout
    assert "nn-katas spec: hypothesis profile 'ci'" in result.stdout


def test_impl_can_be_chosen_by_environment_variable(tmp_path: Path) -> None:
    copy_package(ROOT / "reference", tmp_path, "by_env")
    result = run_spec(None, "--kata", "1", "--co", path=tmp_path, env={"SPEC_IMPL": "by_env"})
    assert "implementation 'by_env' at" in result.stdout, result.stdout[-2000:]


def test_the_default_implementation_is_the_reference() -> None:
    result = run_spec(None, "--kata", "1", "--co")
    assert "implementation 'reference' at" in result.stdout, result.stdout[-2000:]


def test_a_missing_name_fails_only_the_tests_that_use_it(tmp_path: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "no_to_dot")
    graph = package / "autograd" / "graph.py"
    graph.write_text(graph.read_text().replace("def to_dot(", "def _not_to_dot("))
    result = run_spec("no_to_dot", "--kata", "2", "-q", "-rf", "--detail", path=tmp_path)
    assert result.returncode == 1
    failed = re.findall(r"^FAILED \S+::(\w+)", result.stdout, re.M)
    assert failed
    assert all("to_dot" in name for name in failed), failed
    assert "no_to_dot/autograd/graph.py has no `to_dot`" in result.stdout
    collected = run_spec("no_to_dot", "--kata", "2", "--co", "-q", path=tmp_path).stdout.splitlines()
    count = sum("to_dot" in line.split("::")[-1] for line in collected if "::" in line)
    assert re.search(rf"\b{count} failed, \d+ passed", last_line(result)), (count, last_line(result))


def test_a_missing_package_fails_every_test_without_a_collection_error() -> None:
    result = run_spec("no_such_package_anywhere")
    assert result.returncode == 1, result.stdout[-2000:]
    assert re.fullmatch(r"\d+ failed in [\d.]+s", last_line(result)), last_line(result)
    assert "NOT IMPORTABLE" in result.stdout


def test_a_module_that_crashes_on_import_is_reported_as_such(tmp_path: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "crashy")
    value = package / "autograd" / "value.py"
    value.write_text(value.read_text() + "\nraise RuntimeError('half-written file')\n")
    result = run_spec("crashy", "--kata", "1", "-q", path=tmp_path)
    assert result.returncode == 1
    assert "importing crashy.autograd.value raised RuntimeError: half-written file" in result.stdout


def test_kata_option_selects_one_kata() -> None:
    result = run_spec("reference", "--kata", "3", "-q", "--co")
    names = [line for line in result.stdout.splitlines() if "::" in line]
    assert names
    assert all("test_kata03_" in line for line in names)


@pytest.mark.slow
def test_a_wrong_value_is_shown_with_its_smallest_input_and_where_to_look(tmp_path: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "mulbug")
    value = package / "autograd" / "value.py"
    value.write_text(value.read_text().replace("return (b.data, a.data)", "return (a.data, b.data)"))
    result = run_spec("mulbug", "--kata", "2", "-q", path=tmp_path)
    out = result.stdout
    assert "✗ ∂(a·b)/∂a = b and ∂(a·b)/∂b = a." in out
    assert "smallest failing input: x=" in out
    assert re.search(r"∂f/∂x0 at \[.*\]: expected .*, got .* \(relative error", out), out[-3000:]
    assert "Traceback" not in out
    detailed = run_spec("mulbug", "--kata", "2", "-q", "--detail", path=tmp_path)
    # pytest's own traceback: the test's decorators (@contract, @given) and its frames, source included
    frame = re.search(r"test_kata02_backprop\.py:\d+: in test_gradient_of_multiplication", detailed.stdout)
    assert frame, detailed.stdout[-3000:]
    assert "check_op(lambda a, b: a * b, [x, y])" in detailed.stdout


def test_the_ci_profile_gives_the_same_report_every_time(tmp_path: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "tanhbug")
    value = package / "autograd" / "value.py"
    value.write_text(value.read_text().replace("return (1.0 - out.data * out.data,)", "return (1.0 - out.data,)"))
    runs = [run_spec("tanhbug", "--kata", "3", "-q", path=tmp_path).stdout for _ in range(2)]
    strip = [re.sub(r"in [\d.]+s", "", run) for run in runs]
    assert strip[0] == strip[1]
    assert "smallest failing input" in strip[0]


def test_every_spec_test_states_its_property() -> None:
    """Each spec test has a docstring: the learner summary shows it as the property in plain words."""
    for path in sorted((ROOT / "spec_tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                assert ast.get_docstring(node), f"{path.name}::{node.name} has no docstring"


@pytest.mark.slow
def test_the_spec_passes_a_second_independently_designed_engine() -> None:
    """tests/alt_engine differs from reference/ wherever the contract leaves room; the spec must not care."""
    result = run_spec("alt_engine", "--kata", "1", "--kata", "2", "--kata", "3", "-q", path=ROOT / "tests")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "implementation 'alt_engine'" in result.stdout or "alt_engine" in result.stdout


#: Hypothesis's report when a bug makes the same input behave differently twice (state leaking between calls).
FLAKY = ("Inconsistent data generation", "Hypothesis ", "Flaky")


def first_bug_of_each_kata() -> list[Bug]:
    return [next(bug for bug in BUGS if bug.kata == kata.number) for kata in catalogue.load() if kata.ready]


@pytest.mark.parametrize("bug", first_bug_of_each_kata(), ids=lambda bug: bug.name)
def test_every_reproduce_line_reruns_its_case_in_a_fresh_interpreter(bug: Bug, tmp_path: Path) -> None:
    """The zoo's failures print `reproduce:` lines; pasted into a new Python, each fails the same way again.

    One bug per kata, its first failure (-x): the cases range from plain numbers to networks and arrays.
    """
    package = copy_package(ROOT / "reference", tmp_path, bug.package)
    target = package / bug.file
    target.write_text(target.read_text(encoding="utf-8").replace(bug.find, bug.replace), encoding="utf-8")
    results = tmp_path / "results.json"
    run_spec(bug.package, "--kata", str(bug.kata), "-x", "-q", "--results-json", str(results), path=tmp_path)
    failures = [f for kata in json.loads(results.read_text())["katas"].values() for f in kata["failures"]]
    assert failures, f"{bug.name}: the spec found nothing"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]), NO_COLOR="1", SPEC_PROFILE="ci")
    for failure in failures:
        assert failure["repro"], f"{failure['nodeid']}: no reproduce line"
        compile(failure["repro"], "<reproduce>", "exec")  # valid Python, whatever the case holds
        again = subprocess.run(
            [sys.executable, "-c", failure["repro"]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert again.returncode != 0, f"{failure['repro']} passed: it did not rerun the failing case"
        said = failure["problem"].split(" — ")[0].split(": ", 1)[-1][:60]
        if said.startswith("assert "):  # a bare assert: only pytest spells out its values
            said = "AssertionError"
        if said.startswith(FLAKY):  # the bug made Hypothesis's own replay differ: no case to replay, the test fails
            said = failure["nodeid"]
        assert said in again.stdout + again.stderr, (failure["repro"], said, again.stdout[-1500:], again.stderr[-1500:])


def test_an_int_gradient_is_named_as_an_int(tmp_path: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "intgrad")
    value = package / "autograd" / "value.py"
    value.write_text(
        value.read_text(encoding="utf-8").replace("        self.grad = 1.0\n", "        self.grad = 1\n", 1)
    )
    out = run_spec("intgrad", "--kata", "2", "-q", path=tmp_path).stdout
    assert re.search(r"must be a float; got the int 1 \(write 1\.0", out), out[-3000:]


def test_an_epsilon_inside_the_log_is_named_with_what_to_write_instead(tmp_path: Path) -> None:
    package = copy_package(ROOT / "reference", tmp_path, "epsilon")
    two_layer = package / "vectorized" / "two_layer.py"
    text = two_layer.read_text(encoding="utf-8")
    two_layer.write_text(
        text.replace("np.log(np.maximum(picked, np.finfo(y_pred.dtype).tiny))", "np.log(picked + 1e-12)")
    )
    out = run_spec("epsilon", "--kata", "14", "-q", path=tmp_path).stdout
    assert "that is the loss with an epsilon inside the log, log(p + 1e-12)" in out, out[-3000:]
    assert "log(np.maximum(p, tiny))" in out
