"""The kit's tooling: the learner's ``kata`` command, the grader, the authoring tools and the demos.

Imports run one way: ``kit`` → ``spec_tests`` (the spec and its helpers) → ``katas.catalogue``
(the curriculum). Nothing below imports what is above it; ``tests/test_layout.py`` checks.
"""

from importlib import metadata as _metadata

from katas.catalogue import KIT_ROOT as _ROOT
from katas.catalogue import tomllib as _tomllib


def version() -> str:
    """The kit's version: a clone's ``pyproject.toml`` (which may be ahead of what is installed), else the
    installed distribution's metadata (an installed kit has no ``pyproject.toml``), else ``unknown``."""
    pyproject = _ROOT / "pyproject.toml"
    if pyproject.is_file():
        return str(_tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
    try:
        return _metadata.version("nn-katas")
    except _metadata.PackageNotFoundError:
        return "unknown"
