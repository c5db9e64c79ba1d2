"""Mutation testing of reference/ with mutmut, one module at a time, against only the katas that own it.

Run as ``python mutation/run.py [MODULE ...] [--jobs N] [--time-limit S] [--out FILE]`` (``tox -e mutation``).
MODULE is a path relative to reference/ (``autograd/value.py``); without any, every module in the kata
catalogue, smallest first.

For each module a scratch copy of the kit is made under ``mutation/work/<module>/`` (git-ignored) holding
reference/, spec_tests/, katas/ and a pyproject.toml whose ``[tool.mutmut]`` mutates only that module and
runs only the katas whose catalogue ``files`` include it: ``pytest spec_tests --impl reference --kata N``,
in the derandomized ``ci`` profile, with the spec's own per-test ``--time-limit`` (mutmut itself stops at
the first failure and kills a mutant that exceeds its CPU-time budget). The repository's reference/ is never
touched. Results go to ``mutation/results.json`` (per module: killed / survived / timeout / no tests, and
every surviving mutant's diff).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from katas import catalogue  # noqa: E402

WORK = ROOT / "mutation" / "work"
# pytest-timeout is off in the workers: the spec's own --time-limit and mutmut's CPU-time budget stop a loop
SPEC_ARGS = ["--impl", "reference", "--hypothesis-profile", "ci", "-p", "no:timeout"]
COPIED = ("reference", "spec_tests", "katas")
# mutmut's exit-code verdicts, as `mutmut results --all true` prints them
KILLED = {"killed", "timeout", "segfault", "caught by type check"}


# Code that a module holds for another kata's sake, which only that kata's spec reaches: value.py's dot() is
# the kit's own helper (not a kata name, not in API.md), used by Neuron, so only kata 04's spec exercises it;
# MLP's dropout argument is kata 10's ("with dropout > 0, a Dropout follows every hidden layer");
# functional.py's check_finite_positive guards train_step_value_mlp's lr, which only kata 07 calls;
# optim.py's state_dict/load_state_dict are what a checkpoint saves and restores: kata 11.
EXTRA_KATAS = {"autograd/value.py": (4,), "nn/mlp.py": (10,), "nn/functional.py": (7,), "nn/optim.py": (11,)}


def katas_of(module: str) -> list[int]:
    """The ready katas whose catalogue ``files`` include ``module``, plus its ``EXTRA_KATAS``."""
    owners = {kata.number for kata in catalogue.load() if kata.ready and module in kata.files}
    return sorted(owners | set(EXTRA_KATAS.get(module, ())))


def all_modules() -> list[str]:
    """Every module named in the catalogue, smallest first."""
    modules = {file for kata in catalogue.load() if kata.ready for file in kata.files}
    return sorted(modules, key=lambda m: ((ROOT / "reference" / m).stat().st_size, m))


def toml_list(items: list[str]) -> str:
    """A TOML array of strings."""
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def prepare(module: str, time_limit: float) -> Path:
    """A fresh scratch copy of the kit configured to mutate ``module`` only."""
    work = WORK / module.replace("/", "__").removesuffix(".py")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in COPIED:
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    selection = [arg for n in katas_of(module) for arg in ("--kata", str(n))]
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config += (
        "\n[tool.mutmut]\n"
        'source_paths = ["reference/"]\n'
        f'only_mutate = ["reference/{module}"]\n'
        'also_copy = ["katas/", "spec_tests/"]\n'
        f"pytest_add_cli_args = {toml_list([*SPEC_ARGS, '--time-limit', str(time_limit), *selection])}\n"
        'pytest_add_cli_args_test_selection = ["spec_tests/"]\n'
        "use_git_change_detection = false\n"
    )
    (work / "pyproject.toml").write_text(config, encoding="utf-8")
    return work


def mutmut(work: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``mutmut ARGS`` in ``work``."""
    env = {k: v for k, v in os.environ.items() if k not in ("SPEC_IMPL", "SPEC_PROFILE")}
    env.update(NO_COLOR="1", PYTHONPATH="", SPEC_PROFILE="ci")
    command = [sys.executable, "-m", "mutmut", *args]
    return subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def run_module(module: str, jobs: int, time_limit: float) -> dict[str, object]:
    """Mutate one module, run its katas against every mutant, and collect the verdicts."""
    work = prepare(module, time_limit)
    started = time.monotonic()
    run = mutmut(work, "run", "--max-children", str(jobs))
    elapsed = time.monotonic() - started
    listing = mutmut(work, "results", "--all", "true").stdout
    verdicts: dict[str, str] = {}
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match:
            verdicts[match.group(1)] = match.group(2).strip()
    survivors = {name: mutmut(work, "show", name).stdout for name, v in verdicts.items() if v not in KILLED}
    counts: dict[str, int] = {}
    for verdict in verdicts.values():
        counts[verdict] = counts.get(verdict, 0) + 1
    killed = sum(n for v, n in counts.items() if v in KILLED)
    return {
        "module": module,
        "katas": katas_of(module),
        "time_limit": time_limit,
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "mutmut": version("mutmut"),
        "total": len(verdicts),
        "killed": killed,
        "counts": counts,
        "seconds": round(elapsed),
        "mutmut_exit": run.returncode,
        "mutmut_tail": (run.stdout[-1500:] + run.stderr[-1500:]) if run.returncode else "",
        "survivors": survivors,
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="modules relative to reference/ (default: all, smallest first)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants run in parallel")
    parser.add_argument("--time-limit", type=float, default=60.0, help="the spec's per-test limit in seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "mutation" / "results.json")
    args = parser.parse_args(argv)
    for module in args.modules or all_modules():
        print(f"mutating reference/{module} against kata(s) {katas_of(module)} …", flush=True)
        result = run_module(module, args.jobs, args.time_limit)
        # re-read before writing: other runs may have recorded other modules meanwhile
        results = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        results[module] = result
        args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        share = result["killed"] / result["total"] if result["total"] else 0.0
        print(f"  {result['killed']}/{result['total']} killed ({share:.1%}) in {result['seconds']} s", flush=True)
        if result["mutmut_exit"]:
            print(result["mutmut_tail"], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
