"""Every bug in the zoo turns its kata's spec red; the unmutated copy stays green."""

from __future__ import annotations

from pathlib import Path

import pytest

from katas import catalogue
from tests.spec_runner import ROOT, copy_package, run_spec
from tests.zoo import BUGS, Bug


def mutate(bug: Bug, parent: Path) -> None:
    """A copy of reference/ named ``bug.package`` with the bug applied."""
    package = copy_package(ROOT / "reference", parent, bug.package)
    target = package / bug.file
    text = target.read_text(encoding="utf-8")
    assert text.count(bug.find) == 1, f"{bug.name}: the text to replace must occur once in reference/{bug.file}"
    target.write_text(text.replace(bug.find, bug.replace), encoding="utf-8")


def test_the_zoo_has_a_bug_for_every_ready_kata() -> None:
    ready = {kata.number for kata in catalogue.load() if kata.ready}
    per_kata = {n: sum(bug.kata == n for bug in BUGS) for n in ready}
    assert all(count >= 3 for count in per_kata.values()), per_kata
    assert sum(per_kata.values()) >= 15
    assert len({bug.name for bug in BUGS}) == len(BUGS), "bug names are unique"


@pytest.mark.parametrize("bug", BUGS, ids=[bug.name for bug in BUGS])
def test_bug_turns_its_kata_red(bug: Bug, tmp_path: Path) -> None:
    mutate(bug, tmp_path)
    result = run_spec(bug.package, "--kata", str(bug.kata), "-x", "-q", path=tmp_path)
    assert result.returncode == 1, (
        f"the kata {bug.kata:02d} spec did not catch '{bug.name}' ({bug.why}); pytest exit {result.returncode}\n"
        + result.stdout[-3000:]
        + result.stderr[-2000:]
    )
    assert "failed" in result.stdout


def test_an_unmutated_copy_passes_every_ready_kata(tmp_path: Path) -> None:
    """The zoo's harness is sound: the same copy without a bug is green (and relative imports hold)."""
    copy_package(ROOT / "reference", tmp_path, "zoo_control")
    result = run_spec("zoo_control", "-q", path=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
