"""A learner's workspace (``kata init``), made from the checkout: what it holds and how the kata command finds it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from katas import catalogue
from kit.authoring import skeleton
from kit.learner import workspace
from tests.spec_runner import ROOT


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
