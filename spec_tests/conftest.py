"""The spec's harness: which implementation, which Hypothesis profile, which katas.

    pytest spec_tests                         # the reference, dev profile
    pytest spec_tests --impl student          # or SPEC_IMPL=student
    pytest spec_tests --kata 2                # one kata (same as -m kata02)
    pytest spec_tests --hypothesis-profile ci # or SPEC_PROFILE=ci
    pytest spec_tests --detail                # full tracebacks instead of the summary
    pytest spec_tests --split                 # the implementation in a worker process, as kata grade runs it

Profiles: ``dev`` (the default) runs few examples so a learner gets an answer
fast; ``ci`` is derandomized, so a given implementation always gets the same
result, and runs more examples. Neither has a deadline: a slow implementation
is not a wrong one, and timing-based failures would make grades flaky.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from katas import catalogue

from . import api, remote, report, timelimit

_COMMON = {
    "deadline": None,  # never fail for slowness: grades must not depend on machine load
    "print_blob": True,  # the report reads the blob into a `reproduce:` line that replays exactly the failing case
    "report_multiple_bugs": False,  # one failure, shrunk to its smallest input, reads best
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    # no explain phase: it writes patch files into the learner's tree and slows failures down
    "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
}
settings.register_profile("dev", max_examples=50, **_COMMON)
settings.register_profile("ci", max_examples=200, derandomize=True, database=None, **_COMMON)
settings.load_profile(os.environ.get("SPEC_PROFILE", "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nn-katas spec")
    group.addoption(
        "--impl",
        default=None,
        help=f"implementation package to test (default: $SPEC_IMPL or {api.DEFAULT_IMPL!r})",
    )
    group.addoption("--kata", type=int, action="append", default=[], help="run only kata N (repeatable)")
    group.addoption("--detail", action="store_true", help="show full tracebacks instead of the learner summary")
    group.addoption(
        "--time-limit",
        type=float,
        default=float(os.environ.get("SPEC_TIME_LIMIT", timelimit.DEFAULT_LIMIT)),
        metavar="SECONDS",
        help=f"fail a test that runs longer (default $SPEC_TIME_LIMIT or {timelimit.DEFAULT_LIMIT:g}; 0: no limit)",
    )
    group.addoption(
        "--split",
        action="store_true",
        help="import the implementation only in a worker process and reach it from there (what kata grade does)",
    )
    group.addoption("--worker", default=None, metavar="FILE", help="split, starting workers as FILE says (the grader)")
    group.addoption("--results-json", default=None, metavar="PATH", help="also write the results as JSON to PATH")
    group.addoption(
        "--progress-file", default=None, metavar="PATH", help="append one JSON line per test event to PATH (kata)"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for kata in catalogue.load():
        config.addinivalue_line("markers", f"{kata.marker}: kata {kata.number:02d}, {kata.title}")
    config.addinivalue_line("markers", "given: checks code the kit gives the learner (it may pass on the skeleton)")
    api.select(config.getoption("--impl") or os.environ.get("SPEC_IMPL") or api.DEFAULT_IMPL)
    if config.getoption("--worker"):
        api.split(remote.Config.from_file(config.getoption("--worker"), api.implementation()))
    elif config.getoption("--split"):
        api.split(remote.Config.local(api.implementation()))
    if not config.getoption("--detail"):
        config.option.tbstyle = "no"
        config.option.reportchars = ""
    config.pluginmanager.register(report.LearnerReport(config), "nn-katas-report")
    config.pluginmanager.register(timelimit, "nn-katas-time-limit")


def pytest_unconfigure(config: pytest.Config) -> None:
    remote.close()


@pytest.fixture(scope="session")
def tmp_path_factory(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """pytest's own; when the run is split, the worker's user may write in its folders (a checkpoint's)."""
    return remote.SharedTemp(tmp_path_factory) if remote.active() else tmp_path_factory


def pytest_report_header(config: pytest.Config) -> list[str]:
    name = api.implementation()
    if remote.active():
        where = "(split: imported only in a worker process)"
    else:
        try:
            where = importlib.import_module(name).__file__ or "(namespace package)"
        except Exception as exc:  # reported here; each test then fails with its own message
            where = f"NOT IMPORTABLE: {type(exc).__name__}: {exc}"
    limit = timelimit.limit_of(config)
    return [
        f"nn-katas spec: implementation {name!r} at {where}",
        f"nn-katas spec: hypothesis profile {settings.get_current_profile_name()!r}",
        f"nn-katas spec: time limit {limit:g} s per test (--time-limit; 0: none)"
        if limit > 0
        else "nn-katas spec: no time limit per test (--time-limit 0)",
        "nn-katas spec: 'timeout' below: pytest-timeout's last resort (pyproject.toml) for a hang no test limit stops",
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = {catalogue.by_number(n).marker for n in config.getoption("--kata")}
    if not wanted:
        return
    keep = [item for item in items if report.kata_marker(item) in wanted]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep
