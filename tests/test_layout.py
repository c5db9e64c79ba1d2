"""The house's architecture, checked: imports run one way, tooling → spec → curriculum.

``katas`` (the curriculum: catalogue and pages) imports nothing of the kit; ``spec_tests`` (the
spec and its helpers) may read the catalogue but never the tooling; ``kit`` (the ``kata`` command,
the grader, the authoring tools, the demos) may use both. None of them imports the kit's own
``tests``, and nothing but the demos' and the spec's chosen implementation reaches ``reference``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from katas.catalogue import KIT_ROOT

#: For each layer, the kit's top-level packages it may import (besides the standard library and
#: third-party packages). A name missing here is a layer that must not be imported from below.
ALLOWED = {
    "katas": set(),
    "spec_tests": {"katas", "spec_tests"},
    "kit": {"katas", "spec_tests", "kit"},
}
KIT_PACKAGES = {"katas", "spec_tests", "kit", "tests", "reference", "student", "benchmarks", "mutation"}


def imported_packages(path: Path) -> set[str]:
    """The kit's top-level packages that ``path`` imports, anywhere in the file (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & KIT_PACKAGES


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_run_one_way(layer: str) -> None:
    wrong = {
        str(path.relative_to(KIT_ROOT)): sorted(imported_packages(path) - ALLOWED[layer])
        for path in sorted((KIT_ROOT / layer).rglob("*.py"))
        if imported_packages(path) - ALLOWED[layer]
    }
    assert not wrong, f"imports that run back up from {layer}/ (allowed: {sorted(ALLOWED[layer])}): {wrong}"


def test_the_layout_check_sees_an_import_that_runs_back_up(tmp_path: Path) -> None:
    module = tmp_path / "report.py"
    module.write_text("def f():\n    from kit.learner import cli\n    import tests.spec_runner\n", encoding="utf-8")
    assert imported_packages(module) - ALLOWED["spec_tests"] == {"kit", "tests"}


def test_the_kit_root_has_one_definition() -> None:
    defined = [
        f"{path.relative_to(KIT_ROOT)}:{node.lineno}"
        for layer in ("katas", "spec_tests", "kit", "tests")
        for path in sorted((KIT_ROOT / layer).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id in {"ROOT", "KIT", "KIT_ROOT"} for t in node.targets)
    ]
    assert defined == ["katas/catalogue.py:21"], defined
