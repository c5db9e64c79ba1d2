"""The spec harness: choosing an implementation, failing per name, profiles, the learner summary."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.spec_runner import ROOT, copy_package, run_spec


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


def test_the_spec_passes_a_second_independently_designed_engine() -> None:
    """tests/alt_engine differs from reference/ wherever the contract leaves room; the spec must not care."""
    result = run_spec("alt_engine", "--kata", "1", "--kata", "2", "--kata", "3", "-q", path=ROOT / "tests")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "implementation 'alt_engine'" in result.stdout or "alt_engine" in result.stdout
