"""The learner-style engine (``tests/learner_engine``) is the skeleton filled in, and it meets the spec.

``benchmarks/value_mnist_epoch.py`` measures it against the reference to show what a
learner who follows the pages gets; these tests make sure the engine it measures is a
fair stand-in: the skeleton's given code unchanged, every stub written, the spec green.
"""

from __future__ import annotations

import pytest

from kit.authoring.skeleton import skeleton_source
from tests.spec_runner import ROOT, run_spec

ENGINE = ROOT / "tests" / "learner_engine" / "autograd"


@pytest.mark.parametrize("name", ["value.py", "graph.py"])
def test_the_learner_engine_is_the_skeleton_with_its_stubs_written(name: str) -> None:
    """Stubbing the learner's file again gives student/'s file: same given code, same signatures and docstrings."""
    learner = (ENGINE / name).read_text(encoding="utf-8")
    student = (ROOT / "student" / "autograd" / name).read_text(encoding="utf-8")
    assert skeleton_source(learner) == student, f"tests/learner_engine/autograd/{name} drifted from the skeleton"
    assert "NotImplementedError" not in learner


@pytest.mark.slow
def test_the_learner_engine_passes_the_spec_of_katas_1_to_3() -> None:
    result = run_spec("learner_engine", "--kata", "1", "--kata", "2", "--kata", "3", "-q", path=ROOT / "tests")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "learner_engine" in result.stdout
