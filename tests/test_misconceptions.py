"""The catalogue of misconceptions (katas/misconceptions.toml, issue 23): every zoo bug named as a tutor would.

Each bug of the zoo belongs to exactly one misconception; each misconception says the mistake in the
learner's terms (never the code that fixes it) and points at the section of the kata page that teaches it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from katas.catalogue import tomllib
from tests.zoo import BUGS

KATAS = Path(__file__).resolve().parent.parent / "katas"
CATALOGUE = KATAS / "misconceptions.toml"


def entries() -> list[dict]:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["misconception"]


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, backticks and punctuation dropped, spaces to hyphens."""
    kept = (c for c in heading.strip().lower().replace("`", "") if c in "-_ " or unicodedata.category(c)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of ``page``'s headings, outside fenced code, numbered as GitHub numbers repeats."""
    found: set[str] = set()
    seen: Counter[str] = Counter()
    fence = ""
    for line in page.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^(`{3,}|~{3,})", line):
            fence = "" if fence and line.startswith(fence[0] * 3) else (fence or match.group(1))
            continue
        if not fence and (match := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)):
            slug = anchor(match.group(1))
            found.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
            seen[slug] += 1
    return found


def test_every_zoo_bug_is_one_misconception_and_no_entry_names_an_unknown_bug() -> None:
    listed = Counter(name for entry in entries() for name in entry["bugs"])
    names = {bug.name for bug in BUGS}
    assert {name: count for name, count in listed.items() if count != 1} == {}
    assert names - set(listed) == set(), "a zoo bug without a misconception"
    assert set(listed) - names == set(), "a misconception names a bug the zoo does not have"


def test_ids_are_unique_kebab_case_and_entries_have_exactly_their_fields() -> None:
    ids = [entry["id"] for entry in entries()]
    assert len(ids) == len(set(ids))
    for entry in entries():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["id"]), entry["id"]
        assert set(entry) == {"id", "kata", "sentence", "page", "bugs"}, entry["id"]
        assert entry["bugs"], entry["id"]


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry["id"])
def test_each_points_at_a_section_of_its_katas_page(entry: dict) -> None:
    file, _, section = entry["page"].partition("#")
    page = KATAS / file
    assert page.is_file(), entry["page"]
    assert file.startswith(f"{entry['kata']:02d}-"), "the page is the misconception's kata's"
    assert section in anchors(page), f"no heading with the anchor #{section} in {file}"


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry["id"])
def test_each_sentence_names_the_mistake_not_the_code_that_fixes_it(entry: dict) -> None:
    sentence = entry["sentence"]
    assert 40 <= len(sentence) <= 400, len(sentence)
    code = re.compile(r"`|\+=|==|\bself\.|\w+\(\)|\bdef\b|\breturn\b|\b(change|replace) \w+ (to|with)\b")
    assert not code.search(sentence), f"code in the sentence: {code.search(sentence).group(0)!r}"


def test_the_anchor_rule_is_githubs_on_headings_of_the_kind_the_pages_use() -> None:
    assert anchor("What to write") == "what-to-write"
    assert anchor("Kata 07 · Training a Value MLP") == "kata-07--training-a-value-mlp"
    assert anchor("`__add__` and `__radd__`") == "__add__-and-__radd__"
    assert anchor("Why 1/N?") == "why-1n"
