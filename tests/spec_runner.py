"""Run the spec in a subprocess against an implementation package, as a learner or CI would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_spec(impl: str, *args: str, path: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``pytest spec_tests --impl IMPL ARGS`` with ``path`` first on PYTHONPATH; ci profile, no colour."""
    dropped = ("SPEC_IMPL", "FORCE_COLOR", "PY_COLORS")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PYTEST_")}
    env.update(NO_COLOR="1", SPEC_PROFILE="ci", COLUMNS="120")
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(path), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    command = [sys.executable, "-m", "pytest", str(ROOT / "spec_tests"), "--impl", impl, "-p", "no:randomly", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def copy_package(source: Path, parent: Path, name: str) -> Path:
    """Copy an implementation package under ``parent/name`` (no caches); returns the new folder."""
    target = parent / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target
