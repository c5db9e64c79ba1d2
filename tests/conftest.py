"""The kit's own test run: the slowest tests start first.

pytest-xdist hands tests to its workers in collection order. A test marked ``slow`` (a whole spec
run in a subprocess, or several: 20 s and more on the kit's 2-core machine) that comes last keeps
one worker busy while the others have nothing left to do; started first, it runs beside the short
ones. The order of the tests changes nothing else: each of them stands alone.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a test of 20 s or more; the kit's run starts these first")
    config.addinivalue_line("markers", "installed: runs the built wheel, installed (tests/test_wheel.py)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: the rest keep their order
