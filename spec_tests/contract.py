"""Which sentence of the contract (``docs/contract.md``) a spec test checks.

Every spec test carries the sections it checks::

    @contract("2.4")
    @given(reals(), reals())
    def test_gradient_of_multiplication(x: float, y: float) -> None: ...

``@contract`` goes on top, above ``@given`` and ``@pytest.mark…``, so that it marks the
very object pytest collects. It only records the sections (no pytest marker to register):
``sections_of`` reads them back, and ``tests/test_contract.py`` checks that every spec
test names an existing section and that every rule of the contract has a test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

Test = TypeVar("Test", bound=Callable[..., object])

#: A section number as the contract writes it: ``2``, ``2.4``, ``3.11``.
SECTION = re.compile(r"^\d+(\.\d+)*$")
_ATTRIBUTE = "contract_sections"


def contract(*sections: str) -> Callable[[Test], Test]:
    """Record that the decorated test checks ``sections`` of the contract (at least one)."""
    if not sections or not all(isinstance(s, str) and SECTION.match(s) for s in sections):
        raise ValueError(f"contract(…) takes section numbers such as '2.4', got {sections!r}")

    def mark(test: Test) -> Test:
        setattr(test, _ATTRIBUTE, (*getattr(test, _ATTRIBUTE, ()), *sections))
        return test

    return mark


def sections_of(test: object) -> tuple[str, ...]:
    """The sections a test (the function pytest collected) names; ``()`` when it names none."""
    return tuple(getattr(test, _ATTRIBUTE, ()))
