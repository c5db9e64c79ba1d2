"""``kata check``'s output reads in one order, whichever of its side-by-side runs ends first.

The kata asked for and the earlier katas whose files changed run at the same time; the earlier
ones may end first. What the learner reads must not depend on that: the kata's own result, then
the earlier katas'. Checked on the output of ``check`` with its runs replaced by finished ones,
handed over in both orders (no terminal, as in a CI log or a pipe).
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from katas import catalogue
from kit.learner import cli
from kit.learner.runner import KataOutcome, SpecRun
from kit.learner.state import Progress, Record


def finished(number: int, passed: int, total: int) -> SpecRun:
    kata = catalogue.by_number(number)
    return SpecRun("student", {number: KataOutcome(kata, passed, total, [], passed)}, [], output=f"output of {number}")


@pytest.mark.parametrize("earlier_first", [True, False], ids=["earlier katas end first", "the kata ends first"])
def test_the_katas_own_result_comes_before_the_earlier_katas(
    earlier_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    own, earlier = finished(3, 46, 46), finished(1, 44, 44)
    runs = [(earlier, []), (own, [])] if earlier_first else [(own, []), (earlier, [])]
    progress = Progress({1: Record(44, 44, 44, [], "before", ever_passed=True)})
    monkeypatch.setattr(cli, "progress_of", lambda impl: progress)
    monkeypatch.setattr(cli, "fingerprints", lambda *args, **kwargs: {1: "changed", 3: "changed"})
    monkeypatch.setattr(cli, "package_folder", lambda impl: None)
    monkeypatch.setattr(cli, "check_katas", lambda *args, **kwargs: iter(runs))
    out = io.StringIO()
    ok = cli.check(Console(file=out, width=100, force_terminal=False), "student", 3, 30.0)
    text = out.getvalue()
    assert ok
    assert text.index("✓ kata 03") < text.index("earlier katas re-checked, passing: 01"), text
    assert ("re-checking 1 earlier kata" in text) is not earlier_first, text  # said only while it still runs


def test_detail_shows_pytests_output_of_a_failing_kata_before_its_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    failing = finished(3, 40, 46)
    monkeypatch.setattr(cli, "progress_of", lambda impl: Progress())
    monkeypatch.setattr(cli, "fingerprints", lambda *args, **kwargs: {})
    monkeypatch.setattr(cli, "package_folder", lambda impl: None)
    monkeypatch.setattr(cli, "check_katas", lambda *args, **kwargs: iter([(failing, [])]))
    out = io.StringIO()
    assert not cli.check(Console(file=out, width=100, force_terminal=False), "student", 3, 30.0, detail=True)
    assert out.getvalue().index("output of 3") < out.getvalue().index("kata 03 · "), out.getvalue()
    out = io.StringIO()
    cli.check(Console(file=out, width=100, force_terminal=False), "student", 3, 30.0)
    assert "output of 3" not in out.getvalue()
