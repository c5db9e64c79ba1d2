"""The kit as it ships: its wheel, built once per test session, installed the ways learners and CI install it.

Two installs, each made once per session whichever xdist worker needs it first (:mod:`tests.run_once`):

- ``venv``: a fresh virtual environment without system site-packages (``python -m venv``, then
  ``pip install nn_katas-….whl``);
- ``system``: no virtual environment at all, as ``actions/setup-python`` gives: a copy of this
  interpreter's installation (its binary and standard library, an empty site-packages, pip from
  ``ensurepip``) in a folder of its own, into which the wheel is installed system-wide. The copy's
  binary still loads its shared ``libpython`` from the original installation where it was linked
  that way: the sandbox must find what the interpreter needs wherever it lives.

Both install the wheel alone (no extras): what the ``kata`` command needs must come as dependencies.
The installed spec is then made light (:func:`tests.spec_runner.lighten`: 10 examples a property), as the
grading tests' copy of the kit is: these tests check that every command works from an install; how hard
the spec looks is checked by ``tox -e reference`` and the bug zoo.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.run_once import run_once
from tests.spec_runner import ROOT, lighten

#: Folders of the checkout that are not its source (caches, builds, environments).
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".tox", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".hypothesis", "mutation", "work"
)
INSTALLS = ("venv", "system")


def clean_env(path_first: Path | None = None, **extra: str) -> dict[str, str]:
    """A learner's shell: no checkout on PYTHONPATH, no kit state or spec choice, no colour; ``path_first`` on PATH."""
    dropped = ("PYTHONPATH", "KATA_STATE", "SPEC_IMPL", "SPEC_PROFILE", "FORCE_COLOR", "VIRTUAL_ENV", "PYTHONHOME")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PYTEST_")}
    env["NO_COLOR"] = "1"
    if path_first is not None:
        env["PATH"] = os.pathsep.join([str(path_first), env.get("PATH", "")])
    env.update(extra)
    return env


def run(command: list[str], cwd: Path, timeout: float = 900, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in a learner's shell (:func:`clean_env`), output captured."""
    env = kwargs.pop("env", None) or clean_env()
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )


def wheel(factory: pytest.TempPathFactory) -> Path:
    """The kit's wheel, built once per session from a clean copy of the checkout (no stale build/ can leak in)."""

    def build(folder: Path) -> subprocess.CompletedProcess[str]:
        source = folder / "src"
        shutil.rmtree(source, ignore_errors=True)
        shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
        return run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder / "dist"), str(source)],
                   folder)  # fmt: skip

    done, folder = run_once(factory, "wheel", build)
    assert done.returncode == 0, done.stdout + done.stderr
    (found,) = (folder / "dist").glob("nn_katas-*.whl")
    return found


@dataclass(frozen=True)
class Install:
    """One installation of the wheel: its scripts folder (``python``, ``kata``) and its spec's folder."""

    kind: str
    bin: Path
    spec: Path

    @property
    def python(self) -> str:
        return str(self.bin / "python")

    @property
    def kata(self) -> str:
        return str(self.bin / "kata")


def system_copy(target: Path) -> Path:
    """A copy of this interpreter's installation at ``target``, without its site-packages; returns its bin/."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    stdlib = Path(sysconfig.get_paths(vars={"installed_base": sys.base_prefix, "base": sys.base_prefix})["stdlib"])
    binary = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    (target / "bin").mkdir(parents=True)
    shutil.copy2(binary, target / "bin" / version)
    for alias in ("python3", "python"):
        (target / "bin" / alias).symlink_to(version)
    skip = shutil.ignore_patterns("site-packages", "dist-packages", "test", "__pycache__", "idlelib", "turtledemo")
    shutil.copytree(stdlib, target / "lib" / version, ignore=skip)
    (target / "lib" / version / "site-packages").mkdir()
    return target / "bin"


def install(kind: str, factory: pytest.TempPathFactory) -> Install:
    """The wheel installed as ``kind`` (one of :data:`INSTALLS`), once per session."""
    built = wheel(factory)

    def make(folder: Path) -> subprocess.CompletedProcess[str]:
        if kind == "venv":
            venv.create(folder / "env", with_pip=True, system_site_packages=False)
            scripts = folder / "env" / "bin"
        else:
            scripts = system_copy(folder / "python")
            pip = run([str(scripts / "python"), "-m", "ensurepip"], folder)
            if pip.returncode != 0:
                return pip
        done = run([str(scripts / "python"), "-m", "pip", "install", "-q", str(built)], folder)
        if done.returncode == 0:
            lighten(spec_folder(scripts))
        return done

    done, folder = run_once(factory, f"install-{kind}", make)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    scripts = folder / "env" / "bin" if kind == "venv" else folder / "python" / "bin"
    return Install(kind, scripts, spec_folder(scripts))


def spec_folder(scripts: Path) -> Path:
    """Where the installation whose scripts are in ``scripts`` holds the spec."""
    found = run([str(scripts / "python"), "-c", "import spec_tests, os; print(os.path.dirname(spec_tests.__file__))"],
                scripts)  # fmt: skip
    return Path(found.stdout.strip())
