"""The kit as a learner gets it: a wheel without the solutions, installed on its own, and ``kata init``.

The wheel is built once per session from a copy of the checkout's files, then installed
into a fresh virtual environment (no system site-packages, no checkout on the path).
Besides the wheel, the environment gets only what the spec's runs need from the wheel's
``test`` extra (pytest, Hypothesis, rich; the test below checks that the wheel declares
them): the rest of that extra (mlxtend's scientific stack) would triple the time of this
test and kata 01 does not use it. pip's own cache is used as usual.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from katas import catalogue
from kit.authoring import skeleton
from kit.learner import workspace
from tests.spec_runner import ROOT

#: What the spec's runs need from the `test` extra, installed by name next to the wheel.
RUNNERS = ("pytest", "hypothesis", "rich")
#: Folders of the checkout that are not its source (caches, builds, environments).
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".tox", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".hypothesis", "mutation", "work"
)


def run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``command`` as a learner's shell would: no checkout on PYTHONPATH, no colour, no kit state."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KATA_STATE", "SPEC_IMPL", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit's wheel, built from a clean copy of the checkout (a stale build/ folder cannot leak into it)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(source)], base)
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = (base / "dist").glob("nn_katas-*.whl")
    return found


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel (and its dependencies) installed; returns its scripts folder."""
    where = tmp_path_factory.mktemp("venv") / "env"
    venv.create(where, with_pip=True, system_site_packages=False)
    scripts = where / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / "python"
    done = run([str(python), "-m", "pip", "install", "-q", str(wheel), *RUNNERS], where)
    assert done.returncode == 0, done.stdout + done.stderr
    return scripts


def test_the_wheel_holds_the_kit_the_spec_the_pages_and_the_skeleton_but_no_solution(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops - {next(t for t in tops if t.endswith(".dist-info"))} == {"katas", "kit", "spec_tests"}, sorted(tops)
    for needed in (
        "katas/catalogue.toml",
        *(kata.page for kata in catalogue.load() if kata.ready),
        "spec_tests/conftest.py",
        "kit/learner/cli.py",
        "kit/learner/workspace.py",
        "kit/docs/contract.md",
        *(f"kit/skeleton/{rel}" for rel in skeleton.generate()),
    ):
        assert needed in names, f"the wheel lacks {needed}"
    assert not [n for n in names if n.startswith(("reference/", "tests/", "student/"))]
    # No solved body anywhere: no file of the wheel holds the text of a reference module that has kata bodies.
    with zipfile.ZipFile(wheel) as archive:
        texts = {name: archive.read(name).decode("utf-8", "replace") for name in names if name.endswith(".py")}
    sources = [path.read_text(encoding="utf-8") for path in skeleton.reference_files() if path.suffix == ".py"]
    solved = {text for text in sources if skeleton.find_kata_bodies(text)}
    assert len(solved) > 15
    leaked = [name for name, text in texts.items() if text in solved]
    assert not leaked, f"the wheel holds solved reference modules: {leaked}"
    assert texts["kit/skeleton/autograd/value.py"] == skeleton.generate()["autograd/value.py"]


def test_the_wheel_declares_what_the_kata_command_runs_on(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (meta,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(meta).decode("utf-8")
        entry = archive.read(meta.replace("METADATA", "entry_points.txt")).decode("utf-8")
    requires = re.findall(r"^Requires-Dist: (.*)$", metadata, re.M)
    assert any(r.startswith("numpy") for r in requires), requires
    for runner in RUNNERS:
        assert any(r.startswith(runner) and 'extra == "test"' in r for r in requires), (runner, requires)
    assert re.search(r"^kata = kit\.learner\.cli:main$", entry, re.M), entry


def test_kata_init_then_check_1_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    """A learner's first steps with no checkout and no solution on the machine's path."""
    python, kata = str(installed / "python"), str(installed / "kata")
    nothing = run([python, "-c", "import reference"], tmp_path)
    assert "ModuleNotFoundError" in nothing.stderr, "reference/ (the solutions) is importable next to the installed kit"
    where = run([python, "-c", "import kit, sys; print(kit.__file__); print(sys.path)"], tmp_path)
    assert str(ROOT) not in where.stdout, f"the checkout is on the installed kit's path: {where.stdout}"

    made = run([kata, "init", "ws"], tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    ws = tmp_path / "ws"
    needed_files = ("student/__init__.py", "student/autograd/value.py", ".kata-state.json", "README.md", ".gitignore")
    for needed in (*needed_files, "contract.md", "katas/01-values/README.md"):
        assert (ws / needed).is_file(), f"kata init made no {needed}"
    assert "*.bak" in (ws / ".gitignore").read_text(encoding="utf-8").split()
    again = run([kata, "init", "ws"], tmp_path)
    assert again.returncode == 2, "kata init must refuse a folder that is not empty"
    assert "not empty" in again.stderr

    solved_01 = skeleton.generate(stub=lambda body: body.kata != 1)  # kata 01's bodies written, the rest stubs
    for rel in catalogue.by_number(1).files:
        (ws / "student" / rel).write_text(solved_01[rel], encoding="utf-8")
    checked = run([kata, "check", "1"], ws / "student")  # from inside the workspace, one folder down
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    assert re.search(r"✓ kata 01 · .*: (\d+)/\1", checked.stdout), checked.stdout[-2000:]
    state = json.loads((ws / ".kata-state.json").read_text(encoding="utf-8"))
    record = state["impls"]["student"]["records"]["1"]
    assert record["ever_passed"], f"the workspace's state file should record kata 01 as passed: {state}"
    assert record["passed"] == record["total"] > 0, record

    hint = run([kata, "hint", "1"], ws)
    assert hint.returncode == 0, hint.stdout + hint.stderr
    assert "hint 1 of" in hint.stdout, hint.stdout


# ------------------------------------------------------------ the workspace, without building the wheel


def test_init_makes_a_workspace_that_find_sees_from_inside_and_activate_puts_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    written = workspace.init(ws)
    assert ws / "student" / "autograd" / "value.py" in written
    assert (ws / "student" / "autograd" / "value.py").read_text(encoding="utf-8") == skeleton.generate()[
        "autograd/value.py"
    ]
    assert (ws / catalogue.by_number(1).page).is_file(), "the kata pages travel with the workspace"
    contract = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    assert (ws / "contract.md").read_text(encoding="utf-8") == contract, "the contract travels with the workspace"
    assert workspace.find(ws / "student" / "nn") == ws
    assert workspace.find(tmp_path) is None
    assert workspace.find(ROOT / "spec_tests") is None, "the kit's own checkout is not a workspace"

    monkeypatch.chdir(ws / "student")
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert workspace.activate() == ws
    assert sys.path[0] == str(ws)
    assert os.environ["PYTHONPATH"].split(os.pathsep) == [str(ws), "/somewhere/else"]
    assert os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] == str(ws / ".hypothesis")


@pytest.mark.parametrize("occupied", ["a file", "a folder with a file"])
def test_init_refuses_anything_but_a_new_or_empty_folder_and_writes_nothing(tmp_path: Path, occupied: str) -> None:
    target = tmp_path / "ws"
    if occupied == "a file":
        target.write_text("x", encoding="utf-8")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("mine", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises((FileExistsError, NotADirectoryError)):
        workspace.init(target)
    assert sorted(tmp_path.rglob("*")) == before
