"""Which packages the wheel holds: the kit, the curriculum, the spec, and the skeleton as ``kit.skeleton``.

The rest of the metadata is in ``pyproject.toml``. This file exists for one thing that
file cannot say: the skeleton ``student/`` travels inside the kit (for ``kata init``)
under another name, so an installed kit has no importable ``student`` to mistake for
the learner's, and neither ``reference/`` (the solutions) nor ``tests/`` is shipped. The
contract ``docs/contract.md`` travels as ``kit/docs/contract.md``.
"""

from setuptools import find_packages, setup

KIT = find_packages(include=["katas", "katas.*", "kit", "kit.*", "spec_tests", "spec_tests.*"])
SKELETON = ["kit.skeleton", *(f"kit.skeleton.{name}" for name in find_packages("student"))]

setup(
    packages=[*KIT, *SKELETON, "kit.docs"],
    package_dir={"kit.skeleton": "student", "kit.docs": "docs"},  # kit.docs: the contract (pyproject's package-data)
)
