"""Adding a kata is one command and a checklist: ``kata dev new`` and ``kata dev check``, in a throwaway copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from katas.catalogue import KIT_ROOT
from tests.spec_runner import put_first_on_path

COPIED = ("katas", "kit", "spec_tests", "reference", "student", "README.md", "pyproject.toml")


@pytest.fixture
def kit_copy(tmp_path: Path) -> Path:
    """The kit's curriculum, tooling, spec, packages and zoo, copied: the scaffold writes into this."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = KIT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        else:
            shutil.copy2(source, tmp_path / name)
    shutil.copytree(KIT_ROOT / "tests" / "zoo", tmp_path / "tests" / "zoo", ignore=ignore)
    return tmp_path


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` inside ``root``, with ``root`` (not this checkout) first on the path."""
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200", "SPEC_PROFILE": "ci"}
    put_first_on_path(env, root)
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_kit_itself_passes_dev_check() -> None:
    result = run(KIT_ROOT, "-m", "kit.learner.cli", "dev", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ every kata is whole" in result.stdout


def test_dev_new_scaffolds_kata_17_and_dev_check_lists_what_is_left(kit_copy: Path) -> None:
    made = run(kit_copy, "-m", "kit.learner.cli", "dev", "new", "conv", "A convolution layer", "--name", "conv2d")
    assert made.returncode == 0, made.stdout + made.stderr
    page = kit_copy / "katas" / "17-conv" / "README.md"
    spec = kit_copy / "spec_tests" / "test_kata17_conv.py"
    assert page.is_file()
    assert spec.is_file()
    assert "# kata 17" in (kit_copy / "reference" / "nn" / "conv.py").read_text(encoding="utf-8")
    stub = (kit_copy / "student" / "nn" / "conv.py").read_text(encoding="utf-8")
    assert 'raise NotImplementedError("kata 17 · conv2d — see katas/17-conv/README.md")' in stub
    assert "| 17 | [A convolution layer](katas/17-conv/README.md) | `nn/conv.py` |" in (
        kit_copy / "README.md"
    ).read_text(encoding="utf-8")

    checked = run(kit_copy, "-m", "kit.learner.cli", "dev", "check")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    missing = [line for line in checked.stdout.splitlines() if line.startswith("✗ ")]
    assert all(line.startswith("✗ kata 17: ") for line in missing), missing
    for expected in (
        "it has no points",
        "`built` sentence is still a placeholder",
        "`source` is missing or a placeholder",
        "katas/17-conv/hints.toml needs three written levels",
        "katas/17-conv/README.md still has TODO(author) placeholders",
        "spec_tests/test_kata17_conv.py still holds the scaffold's placeholder test",
        "reference/nn/conv.py still raises the scaffold's NotImplementedError",
        "the bug zoo (tests/zoo/) has no bug for it",
    ):
        assert any(expected in line for line in missing), (expected, missing)
    assert len(missing) == 8, missing

    # The new kata is part of the spec and the kata command at once: its marker, its table row.
    spec_run = run(kit_copy, "-m", "pytest", "spec_tests", "--impl", "student", "--kata", "17", "-q")
    assert spec_run.returncode == 1, spec_run.stdout[-3000:]
    assert "scaffolded by kata dev new: write kata 17's properties here" in spec_run.stdout
    assert "17 │ A convolution layer" in spec_run.stdout
    listed = run(kit_copy, "-m", "kit.learner.cli", "list")
    assert "A convolution layer" in listed.stdout


def test_dev_new_refuses_bad_input_before_writing_anything(kit_copy: Path) -> None:
    before = {p: p.read_bytes() for p in kit_copy.rglob("*") if p.is_file()}
    for args, message in (
        (("values", "Again"), "slug 'values' is taken by kata 1"),
        (("Conv", "A convolution layer"), "slug 'Conv'"),
        (("conv", 'A "quoted" title'), "title"),
        (("conv", "Convolution", "--file", "../outside.py"), "file '../outside.py'"),
        (("conv", "Convolution", "--name", "not-an-identifier"), "not a Python identifier"),
    ):
        result = run(kit_copy, "-m", "kit.learner.cli", "dev", "new", *args)
        assert result.returncode == 2, result.stdout + result.stderr
        assert message in result.stdout
    after = {p: p.read_bytes() for p in kit_copy.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert after == {p: b for p, b in before.items() if "__pycache__" not in p.parts}
