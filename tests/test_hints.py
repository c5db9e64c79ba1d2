"""The curriculum teaches rather than tells: hints live apart from the pages, graded, and say what things are.

Hints are shown only by ``kata hint N``, one level at a time, from a nudge to the idea to a
near-solution; only the last level may hold code. Provenance ("seed 002") is for maintainers:
it lives in the catalogue's ``source`` and DECISIONS.md, never in what a learner reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from katas import catalogue
from katas.catalogue import KIT_ROOT

READY = [kata for kata in catalogue.load() if kata.ready]
FENCE = re.compile(r"^\s*```", re.M)
#: Words that point at something only the page shows; the terminal that prints a hint has no "above".
POINTS_AT_THE_PAGE = re.compile(r"\b(above|see below|table below|shown below|previous section)\b", re.I)
PROVENANCE = re.compile(r"\bseeds?\s+00\d", re.I)


def ids(kata: catalogue.Kata) -> str:
    return f"kata{kata.number:02d}"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_every_ready_kata_has_at_least_three_levels(kata: catalogue.Kata) -> None:
    assert kata.hints_file.is_file(), f"{kata.hints_file} is missing"
    assert len(kata.hints) >= 3, f"kata {kata.number} has {len(kata.hints)} hint levels"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_only_the_last_level_holds_code(kata: catalogue.Kata) -> None:
    *gentle, last = kata.hints
    for level, text in enumerate(gentle, start=1):
        assert not FENCE.search(text), f"kata {kata.number} hint {level} holds a code block: only the last may"
    assert FENCE.search(last), f"kata {kata.number}'s last hint should be a near-solution, with code"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_the_first_level_is_a_nudge(kata: catalogue.Kata) -> None:
    first, *rest = kata.hints
    assert len(first) < min(len(text) for text in rest), f"kata {kata.number}'s first hint is longer than a later one"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_hints_do_not_point_at_what_the_terminal_does_not_show(kata: catalogue.Kata) -> None:
    for level, text in enumerate(kata.hints, start=1):
        match = POINTS_AT_THE_PAGE.search(text)
        assert match is None, f"kata {kata.number} hint {level} says {match.group(0)!r}"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_no_page_keeps_its_hints(kata: catalogue.Kata) -> None:
    page = (KIT_ROOT / kata.page).read_text(encoding="utf-8")
    assert not re.search(r"^#+\s*Hints?\b", page, re.M), f"{kata.page} keeps a hints section: move it to hints.toml"


@pytest.mark.parametrize("kata", READY, ids=ids)
def test_every_page_keeps_why_it_matters_and_says_how_to_check(kata: catalogue.Kata) -> None:
    page = (KIT_ROOT / kata.page).read_text(encoding="utf-8")
    assert "## Check only this kata" in page
    assert re.search(r"^## (A worked example|Check by hand)", page, re.M), f"{kata.page} has no worked example"


def test_every_kata_says_where_it_comes_from() -> None:
    for kata in catalogue.load():
        assert PROVENANCE.search(kata.source) or "API.md" in kata.source, f"kata {kata.number} has no source"


def learner_texts() -> list[tuple[str, str]]:
    """Everything a learner reads: pages, hints, the catalogue's titles and sentences, the student stubs."""
    texts = [(kata.page, (KIT_ROOT / kata.page).read_text(encoding="utf-8")) for kata in READY]
    texts += [(f"{kata.hints_file.name} of kata {kata.number}", "\n".join(kata.hints)) for kata in READY]
    texts += [(f"catalogue entry of kata {kata.number}", f"{kata.title}\n{kata.built}") for kata in catalogue.load()]
    texts += [(str(path.relative_to(KIT_ROOT)), path.read_text(encoding="utf-8")) for path in student_files()]
    return texts


def student_files() -> list[Path]:
    return sorted((KIT_ROOT / "student").rglob("*.py"))


def test_learners_never_read_a_seed_number() -> None:
    assert student_files(), "student/ has no files"
    found = [f"{where}: {match.group(0)!r}" for where, text in learner_texts() if (match := PROVENANCE.search(text))]
    assert not found, "provenance belongs in the catalogue's source and DECISIONS.md:\n" + "\n".join(found)


def test_the_reader_refuses_an_empty_level_and_reads_a_missing_file_as_no_hints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kata = catalogue.by_number(1)
    monkeypatch.setattr(catalogue, "KATAS_DIR", tmp_path)
    assert kata.hints == ()
    folder = tmp_path / f"01-{kata.slug}"
    folder.mkdir()
    (folder / "hints.toml").write_text('[[hint]]\ntext = "a nudge"\n\n[[hint]]\ntext = "  "\n', encoding="utf-8")
    with pytest.raises(ValueError, match="non-empty text"):
        _ = kata.hints
    (folder / "hints.toml").write_text("[[hint]]\ntext = '''\n  first\n'''\n[[hint]]\ntext = 'second'\n")
    assert kata.hints == ("first", "second")
