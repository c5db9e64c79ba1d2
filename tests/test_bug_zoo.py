"""Every bug in the zoo turns its kata's spec red; the unmutated copy stays green.

A bug is caught when some test of its kata's spec fails against it. ``tests/zoo/caught_by.json``
records, per bug, the test that caught it last time (``tox -e zoo`` rewrites it): that test runs
first, alone, and when it fails the bug is caught in a second rather than a whole kata's run. When
it passes (the spec or the bug changed), the whole kata's spec runs, as before. The record can make
the zoo faster, never more lenient: every recorded test must pass on the unmutated copy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from katas import catalogue
from tests.spec_runner import ROOT, copy_package, run_spec
from tests.zoo import BUGS, Bug

CAUGHT_BY_FILE = Path(__file__).parent / "zoo" / "caught_by.json"
#: Bug name → the spec test (node id from the kit's root) that caught it last time.
CAUGHT_BY: dict[str, str] = json.loads(CAUGHT_BY_FILE.read_text(encoding="utf-8"))


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


def test_every_recorded_catcher_is_a_test_of_its_bugs_kata() -> None:
    bugs = {bug.name: bug for bug in BUGS}
    assert set(CAUGHT_BY) <= set(bugs), f"records for bugs the zoo no longer has: {set(CAUGHT_BY) - set(bugs)}"
    for name, nodeid in CAUGHT_BY.items():
        kata = catalogue.by_number(bugs[name].kata)
        assert nodeid.startswith(f"spec_tests/test_{kata.marker}_"), (
            f"{name}: {nodeid} is not a kata {kata.number} test"
        )


@pytest.mark.parametrize("bug", BUGS, ids=[bug.name for bug in BUGS])
def test_bug_turns_its_kata_red(bug: Bug, tmp_path: Path) -> None:
    mutate(bug, tmp_path)
    recorded = CAUGHT_BY.get(bug.name)
    if recorded is not None:
        first = run_spec(bug.package, "--kata", str(bug.kata), "-q", recorded, path=tmp_path, spec=None)
        if first.returncode == 1 and "failed" in first.stdout:
            return
    result = run_spec(bug.package, "--kata", str(bug.kata), "-x", "-q", path=tmp_path)
    assert result.returncode == 1, (
        f"the kata {bug.kata:02d} spec did not catch '{bug.name}' ({bug.why}); pytest exit {result.returncode}\n"
        + result.stdout[-3000:]
        + result.stderr[-2000:]
    )
    assert "failed" in result.stdout


@pytest.mark.slow
def test_an_unmutated_copy_passes_every_recorded_catcher(tmp_path: Path) -> None:
    """The zoo's harness is sound: the same copy without a bug passes every test that catches a bug.

    (``tox -e reference`` runs the whole spec on reference/ itself; this checks the copy — relative
    imports hold under another package name — and that no recorded catcher fails on correct code.)
    """
    copy_package(ROOT / "reference", tmp_path, "zoo_control")
    result = run_spec("zoo_control", "-q", *sorted(set(CAUGHT_BY.values())), path=tmp_path, spec=None)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{len(set(CAUGHT_BY.values()))} passed" in result.stdout
