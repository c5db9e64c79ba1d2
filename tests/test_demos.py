"""The demos run end to end on the reference, offline, on real digits (the kit's 5,000-digit sample)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def demo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "MPLBACKEND": "Agg"}
    env.pop("MNIST_DIR", None)  # the sample, never the full set: the kit must not need it
    command = [sys.executable, "-m", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_value_mlp_demo_learns_on_real_digits(tmp_path: Path) -> None:
    result = demo("kit.demos.value_mnist", "quick", "--impl", "reference", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    losses = [float(x) for x in re.findall(r"Avg Loss: ([\d.]+)", result.stdout)]
    assert len(losses) == 3
    assert losses[0] > losses[1] > losses[2], losses
    assert "Final Training Accuracy:" in result.stdout


def test_the_value_mlp_demo_on_the_skeleton_says_what_to_write(tmp_path: Path) -> None:
    result = demo("kit.demos.value_mnist", "quick", "--impl", "student", cwd=tmp_path)
    assert result.returncode == 1
    assert "not written yet: kata" in result.stdout + result.stderr


@pytest.mark.parametrize("module", ["kit.demos.value_mnist", "kit.demos.mnist"])
def test_a_demo_without_impl_runs_on_the_learners_student_package(module: str, tmp_path: Path) -> None:
    result = demo(module, *(["quick"] if module.endswith("value_mnist") else ["--source", "sample"]), cwd=tmp_path)
    assert result.returncode == 1
    assert re.search(r"student cannot train yet|not written yet: kata", result.stdout + result.stderr)


@pytest.mark.parametrize(("preset", "expected"), [(None, "1"), ("3", "3")])
def test_the_demos_pin_blas_to_one_thread_unless_the_learner_chose(preset: str | None, expected: str) -> None:
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k not in names}
    if preset is not None:
        env["OMP_NUM_THREADS"] = preset
    code = "import sys, os, kit.demos; assert 'numpy' not in sys.modules; print(os.environ['OMP_NUM_THREADS'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_the_training_scripts_run_and_reload_their_checkpoints(tmp_path: Path) -> None:
    result = demo("kit.demos.training", "all", "--impl", "reference", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    reloaded = re.findall(r"reloaded model: (\d+)/(\d+) outputs identical", result.stdout)
    assert len(reloaded) == 4
    assert all(same == total for same, total in reloaded), reloaded


def test_the_mnist_demo_trains_and_saves_its_plots(tmp_path: Path) -> None:
    out = tmp_path / "plots"
    args = ("--model", "two-layer", "--source", "sample", "--epochs", "2", "--out", str(out), "--impl", "reference")
    result = demo("kit.demos.mnist", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    accuracy = float(re.search(r"test accuracy ([\d.]+)%", result.stdout).group(1))
    assert accuracy > 80.0, result.stdout[-1000:]
    for name in ("mnist-two-layer-curves.png", "mnist-digits.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
