"""The kit as it ships: every command works from its wheel, in a virtual environment and installed system-wide.

Marked ``installed`` (a few minutes at two workers): ``tox -e kit -- -m "not installed"`` is the fast inner
loop; bare ``tox`` and CI run everything.

The wheel is built once per session and installed twice (:mod:`tests.installed`): in a fresh virtual
environment, and into a copy of this interpreter's installation with no virtual environment (as
``actions/setup-python`` gives). Nothing of the checkout is on their path: what works here works
for a learner who ran ``pip install nn-katas`` and ``kata init``, and for a CI job that graded with it.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from katas import catalogue
from kit.authoring import skeleton
from tests.installed import INSTALLS, Install, clean_env, install, run, wheel
from tests.spec_runner import ROOT, copy_package
from tests.zoo import BUGS

pytestmark = pytest.mark.installed


def modes() -> list[str]:
    """Both isolations where bubblewrap works here, else the in-process one alone."""
    from kit.grading import isolation

    return [isolation.NAMESPACES, isolation.IN_PROCESS] if isolation.bwrap() else [isolation.IN_PROCESS]


@pytest.fixture(params=INSTALLS)
def kit_install(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Install:
    return install(request.param, tmp_path_factory)


@pytest.fixture
def venv_install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    return install("venv", tmp_path_factory)


def complete_package(parent: Path) -> Path:
    """The reference, copied as a learner's ``student/``: every kata written."""
    return copy_package(ROOT / "reference", parent, "student")


def write_kata_01(package: Path) -> None:
    solved = skeleton.generate(stub=lambda body: body.kata != 1)  # kata 01's bodies written, the rest stubs
    for rel in catalogue.by_number(1).files:
        (package / rel).write_text(solved[rel], encoding="utf-8")


def init(kit: Install, where: Path) -> Path:
    made = run([kit.kata, "init", "ws"], where)
    assert made.returncode == 0, made.stdout + made.stderr
    return where / "ws"


# ------------------------------------------------------------------ the wheel itself


def test_the_wheel_holds_the_kit_the_spec_the_pages_and_the_skeleton_but_no_solution(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    names = zipfile.ZipFile(wheel(tmp_path_factory)).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops - {next(t for t in tops if t.endswith(".dist-info"))} == {"katas", "kit", "spec_tests"}, sorted(tops)
    for needed in (
        "katas/catalogue.toml",
        *(kata.page for kata in catalogue.load() if kata.ready),
        "spec_tests/conftest.py",
        "spec_tests/spec.ini",
        "kit/learner/cli.py",
        "kit/learner/workspace.py",
        "kit/docs/contract.md",
        *(f"kit/skeleton/{rel}" for rel in skeleton.generate()),
    ):
        assert needed in names, f"the wheel lacks {needed}"
    assert not [n for n in names if n.startswith(("reference/", "tests/", "student/"))]
    # No solved body anywhere: no file of the wheel holds the text of a reference module that has kata bodies.
    with zipfile.ZipFile(wheel(tmp_path_factory)) as archive:
        texts = {name: archive.read(name).decode("utf-8", "replace") for name in names if name.endswith(".py")}
    sources = [path.read_text(encoding="utf-8") for path in skeleton.reference_files() if path.suffix == ".py"]
    solved = {text for text in sources if skeleton.find_kata_bodies(text)}
    assert len(solved) > 15
    leaked = [name for name, text in texts.items() if text in solved]
    assert not leaked, f"the wheel holds solved reference modules: {leaked}"
    assert texts["kit/skeleton/autograd/value.py"] == skeleton.generate()["autograd/value.py"]


def test_what_the_kata_command_runs_on_is_a_dependency_not_an_extra(tmp_path_factory: pytest.TempPathFactory) -> None:
    with zipfile.ZipFile(wheel(tmp_path_factory)) as archive:
        (meta,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(meta).decode("utf-8")
        entry = archive.read(meta.replace("METADATA", "entry_points.txt")).decode("utf-8")
    requires = re.findall(r"^Requires-Dist: (.*)$", metadata, re.M)
    for needed in ("numpy", "pytest", "hypothesis", "pytest-timeout", "rich", "watchfiles"):
        found = [r for r in requires if re.match(rf"{needed}\b(?!-)", r)]
        assert found, (needed, requires)
        assert not [r for r in found if "extra ==" in r], f"{needed} must not need an extra: {found}"
    assert re.search(r"^kata = kit\.learner\.cli:main$", entry, re.M), entry


def test_the_spec_settings_shipped_are_the_clones(tmp_path_factory: pytest.TempPathFactory) -> None:
    """spec_tests/spec.ini (what every spec run the kit starts reads) says what pyproject.toml says to a clone."""
    import configparser

    from katas.catalogue import tomllib

    ini = configparser.ConfigParser()
    ini.read(ROOT / "spec_tests" / "spec.ini", encoding="utf-8")
    shipped = {key: " ".join(value.split()) for key, value in ini["pytest"].items()}
    clone = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    as_text = {k: " ".join(v) if isinstance(v, list) else str(v).lower() for k, v in clone.items()}
    assert shipped == {k: v for k, v in as_text.items() if k not in ("minversion", "pythonpath")}


# ------------------------------------------------------------------ a learner's loop


def test_every_learner_command_works_from_an_install(kit_install: Install, tmp_path: Path) -> None:
    kata = kit_install.kata
    nothing = run([kit_install.python, "-c", "import reference"], tmp_path)
    assert "ModuleNotFoundError" in nothing.stderr, "reference/ (the solutions) is importable next to the installed kit"
    where = run([kit_install.python, "-c", "import kit; print(kit.__file__)"], tmp_path)
    assert str(ROOT) not in where.stdout, f"the checkout is on the installed kit's path: {where.stdout}"
    assert run([kata, "--help"], tmp_path).returncode == 0

    ws = init(kit_install, tmp_path)
    for needed in ("student/__init__.py", ".kata-state.json", "README.md", ".gitignore", "contract.md"):
        assert (ws / needed).is_file(), f"kata init made no {needed}"
    again = run([kata, "init", "ws"], tmp_path)
    assert again.returncode == 2
    assert "not empty" in again.stderr

    status = run([kata], ws)
    assert status.returncode == 0, status.stdout[-2000:] + status.stderr[-2000:]
    assert "Current: kata 01" in status.stdout, status.stdout[-1500:]

    write_kata_01(ws / "student")
    checked = run([kata, "check", "1"], ws / "student")  # from inside the workspace, one folder down
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    assert re.search(r"✓ kata 01 · .*: (\d+)/\1", checked.stdout), checked.stdout[-2000:]
    record = json.loads((ws / ".kata-state.json").read_text(encoding="utf-8"))["impls"]["student"]["records"]["1"]
    assert record["ever_passed"]
    assert record["passed"] == record["total"] > 0

    detail = run([kata, "check", "2", "--detail"], ws)
    assert detail.returncode == 1, detail.stdout[-2000:] + detail.stderr[-2000:]
    assert "NotImplementedError" in detail.stdout
    assert re.search(r"student/autograd/\w+\.py:\d+", detail.stdout), "--detail shows the traceback into the package"

    hint = run([kata, "hint", "1"], ws)
    assert hint.returncode == 0
    assert "hint 1 of" in hint.stdout
    listed = run([kata, "list"], ws)
    assert listed.returncode == 0
    assert re.search(r"01 .*done", listed.stdout), listed.stdout
    assert "Starting at kata 13" in run([kata, "start", "13"], ws).stdout
    assert "Starting at kata 01" in run([kata, "start", "1"], ws).stdout
    demos = run([kata, "demo"], ws)
    assert demos.returncode == 0
    assert "value-mnist" in demos.stdout
    dev = run([kata, "dev", "check"], ws)
    assert dev.returncode == 2, dev.stdout + dev.stderr
    assert "clone of the kit's repository" in dev.stdout
    assert "Traceback" not in dev.stdout + dev.stderr

    value = ws / "student" / "autograd" / "value.py"
    written = value.read_text(encoding="utf-8")
    reset = run([kata, "reset", "1", "--yes"], ws)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert value.read_text(encoding="utf-8") == skeleton.generate()["autograd/value.py"]
    undone = run([kata, "reset", "1", "--undo"], ws)
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert value.read_text(encoding="utf-8") == written
    updated = run([kata, "update"], ws)  # the workspace is the installed kit's own version: nothing to bring
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert value.read_text(encoding="utf-8") == written

    watched = run([kata, "watch", "1", "--manual"], ws, input="")  # one check, then the end of input ends it
    assert watched.returncode == 0, watched.stdout[-2000:] + watched.stderr[-2000:]
    assert re.search(r"✓ kata 01 · ", watched.stdout), watched.stdout[-2000:]


# ------------------------------------------------------------------ grading


def grading_cases() -> list[object]:
    """Both installs in every isolation grade the skeleton (each child must start, collect and fail honestly);
    a complete package (about a minute a grading) gets full marks from each install and in each isolation:
    the virtual environment's namespaces (where issue 21 found every kata scored 0) and the system-wide
    install's in-process here, the system-wide install's namespaces in the learner template's test."""
    full = {("venv", "namespaces"), ("system", "in-process")}
    chosen = [(k, m, ("complete", "skeleton") if (k, m) in full else ("skeleton",)) for k in INSTALLS for m in modes()]
    return [pytest.param(k, m, who, id=f"{k}-{m}-{'+'.join(who)}") for k, m, who in chosen]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "mode", "graded"), grading_cases())
def test_grading_from_an_install_gives_full_marks_and_zero(
    kind: str, mode: str, graded: tuple[str, ...], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    kit_install = install(kind, tmp_path_factory)
    complete_package(tmp_path / "complete")
    shutil.copytree(Path(skeleton_folder_of(kit_install)), tmp_path / "skeleton" / "student")
    for who in graded:
        expected = {"complete": "pass", "skeleton": "fail"}[who]
        out = tmp_path / f"{who}.json"
        args = ["grade", "--path", str(tmp_path / who / "student"), "--isolation", mode, "--out", str(out)]
        done = run([kit_install.kata, *args], tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(out.read_text(encoding="utf-8"))
        assert result["isolation"] == mode
        assert result["status"] == expected, (who, [k.get("problem") for k in result["katas"]])
        scores = {k["kata"]: (k["score"], k["points"], k.get("problem")) for k in result["katas"]}
        if who == "complete":
            assert result["score"] == result["max_score"] == 100, scores
        else:
            assert result["score"] == 0, scores
            assert not [k for k in result["katas"] if k.get("problem")], scores  # failed tests, not a broken run


def skeleton_folder_of(kit: Install) -> str:
    found = run([kit.python, "-c", "from kit.learner import workspace; print(workspace.skeleton_folder())"], ROOT)
    return found.stdout.strip()


@pytest.mark.slow
def test_grade_class_from_an_install(venv_install: Install, tmp_path: Path) -> None:
    """Three learners: every kata written, none, and one tanh mistake; one kata graded each."""
    class_folder = tmp_path / "class"
    complete_package(class_folder / "ada")
    shutil.copytree(skeleton_folder_of(venv_install), class_folder / "bo" / "student")
    value = complete_package(class_folder / "cy") / "autograd" / "value.py"
    value.write_text(value.read_text(encoding="utf-8").replace("(1.0 - out.data * out.data,)", "(1.0 - out.data,)"))
    done = run([venv_install.kata, "grade-class", "class", "--out", "grades", "--kata", "3", "--jobs", "2"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {row["name"]: row for row in csv.DictReader((tmp_path / "grades" / "gradebook.csv").open(encoding="utf-8"))}
    assert {name: row["status"] for name, row in rows.items()} == dict.fromkeys(("ada", "bo", "cy"), "graded")
    points = catalogue.by_number(3).points
    assert float(rows["ada"]["score"]) == points
    assert float(rows["bo"]["score"]) == 0
    assert 0 < float(rows["cy"]["score"]) < points
    assert (tmp_path / "grades" / "report.html").is_file()


# ------------------------------------------------------------------ what the kit tells a learner to run


def kind_of(line: str) -> str:
    """Which of the report's forms a reproduce line takes."""
    if "reproduce_failure(" in line:
        return "replay a Hypothesis blob, then the test under pytest"
    if "pytest.main(" in line:
        return "the test under pytest"
    if ".hypothesis.inner_test(" in line:
        return "a Hypothesis test's body on the case"
    return "the test function on its parameters"


@pytest.mark.slow
def test_every_kind_of_reproduce_line_reruns_its_case_pasted_in_a_workspace(
    venv_install: Install, tmp_path: Path
) -> None:
    """The first zoo bug of every kata in one workspace's package; ``kata check`` of katas 06, 08 and 11 records
    their failures with their reproduce lines (between them every kind: plain values, parameters, objects,
    Hypothesis blobs, files); two of each kind, pasted into a fresh interpreter at the workspace's root, fail again."""
    ws = init(venv_install, tmp_path)
    shutil.rmtree(ws / "student")
    package = complete_package(ws)
    planted = set()
    for bug in BUGS:
        target = package / bug.file
        text = target.read_text(encoding="utf-8")
        if bug.kata not in planted and bug.find in text:
            target.write_text(text.replace(bug.find, bug.replace, 1), encoding="utf-8")
            planted.add(bug.kata)
    for number in (6, 8, 11):
        checked = run([venv_install.kata, "check", str(number)], ws)
        assert checked.returncode == 1, checked.stdout[-2000:] + checked.stderr[-2000:]
    records = json.loads((ws / ".kata-state.json").read_text(encoding="utf-8"))["impls"]["student"]["records"]
    lines: dict[str, list[dict[str, str]]] = {}
    for record in records.values():
        for failure in record["failures"]:
            if failure.get("repro"):
                lines.setdefault(kind_of(failure["repro"]), []).append(failure)
    assert len(lines) == 4, sorted(lines)  # every form the report prints
    for kind, failures in lines.items():
        for failure in failures[:2]:
            again = run([venv_install.python, "-c", failure["repro"]], ws, env=clean_env(SPEC_PROFILE="ci"))
            said = failure["problem"].split(" — ")[0].split(": ", 1)[-1][:60]
            if said.startswith("assert "):
                said = "AssertionError"
            shown = again.stdout + again.stderr
            assert again.returncode != 0, (kind, failure["repro"], shown[-1500:])
            assert "unrecognized arguments" not in shown, (kind, shown[-1500:])
            assert said in shown or failure["nodeid"].split("::")[-1] in shown, (kind, failure["repro"], shown[-2000:])


def test_the_pages_and_the_report_say_kata_check_in_a_workspace(venv_install: Install, tmp_path: Path) -> None:
    ws = init(venv_install, tmp_path)
    for kata in catalogue.load():
        if kata.ready:
            page = (ws / kata.page).read_text(encoding="utf-8")
            assert f"$ kata check {kata.number} " in page, kata.page
    spec = venv_install.spec / "test_kata01_values.py"
    done = run([venv_install.python, "-m", "pytest", str(spec), "--impl", "student", "-c",
                str(venv_install.spec / "spec.ini")], ws)  # fmt: skip
    assert "Check only this kata: kata check 1" in done.stdout, done.stdout[-1500:]
    assert "tox -e" not in done.stdout


# ------------------------------------------------------------------ the README and the CI templates, verbatim


def test_the_readmes_first_section_works_verbatim(venv_install: Install, tmp_path_factory: pytest.TempPathFactory,
                                                  tmp_path: Path) -> None:  # fmt: skip
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Start here") :]
    start = section.index("```console") + len("```console")
    block = section[start : section.index("```\n", start)]
    commands = [line[2:].split("  #")[0].strip() for line in block.strip().splitlines() if line.startswith("$ ")]
    assert commands[0].startswith("python -m pip install ")
    url = re.search(r"@ (\S+?)\"", commands[0])
    assert url is not None, commands[0]
    commands[0] = commands[0].replace(url.group(1), wheel(tmp_path_factory).as_uri())
    *setup, last = commands  # the last is `kata check`, which exits 1 while kata 01 is not written
    script = "".join(f"{line} || exit 9\n" for line in setup) + f"{last}\n"
    done = run(["bash", "-c", script], tmp_path, env=clean_env(venv_install.bin))
    assert done.returncode == 1, script + done.stdout[-3000:] + done.stderr[-3000:]
    assert (tmp_path / "my-katas" / "student" / "__init__.py").is_file()
    assert "Current: kata 01" in done.stdout
    assert "not written yet" in done.stdout  # kata check on the skeleton: kata 01's first function to write


def steps(workflow: Path, job: str) -> dict[str, str]:
    """A GitHub Actions job's ``run:`` scripts by step name."""
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    return {step.get("name", ""): step["run"] for step in data["jobs"][job]["steps"] if "run" in step}


def actions_env(workflow: Path, folder: Path, **extra: str) -> dict[str, str]:
    """What a runner gives a step: the workflow's env (KIT pointed at the local wheel), GITHUB_* files, a temp."""
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    env = {k: str(v) for k, v in data.get("env", {}).items()}
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        env[name] = str(folder / name.lower())
        (folder / name.lower()).touch()
    env["GITHUB_WORKSPACE"] = str(folder / "workspace")
    env["RUNNER_TEMP"] = str(folder / "runner-temp")
    (folder / "runner-temp").mkdir(exist_ok=True)
    env.update(extra)
    return env


def run_step(script: str, cwd: Path, kit: Install, env: dict[str, str]) -> None:
    script = script.replace("${{ runner.temp }}", env["RUNNER_TEMP"])
    script = "\n".join(line for line in script.splitlines() if not line.strip().startswith("sudo "))  # the machine's
    done = run(["bash", "-e", "-c", script], cwd, env=clean_env(kit.bin, **env))
    assert done.returncode == 0, script + "\n" + done.stdout[-3000:] + done.stderr[-3000:]


@pytest.mark.slow
def test_the_learner_repository_template_installs_the_kit_and_grades(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Its install and grade steps, run as written, on a system-wide Python (setup-python's), KIT the local wheel."""
    kit = install("system", tmp_path_factory)
    workflow = ROOT / "templates" / "learner-repo" / ".github" / "workflows" / "grade.yml"
    env = actions_env(workflow, tmp_path)
    env["KIT"] = re.sub(r"git\+https://\S+", wheel(tmp_path_factory).as_uri(), env["KIT"])
    complete_package(tmp_path / "workspace" / "submission")
    found = steps(workflow, "grade")
    run_step(found["Install the kit at its pinned tag, outside the submission"], tmp_path, kit, env)
    run_step(found["Grade student/"], Path(env["RUNNER_TEMP"]), kit, env)
    summary = (tmp_path / "github_step_summary").read_text(encoding="utf-8")
    assert "## nn-katas: 100 / 100 points" in summary, summary
    assert (tmp_path / "github_output").read_text(encoding="utf-8").startswith("result=")


@pytest.mark.slow
def test_the_instructor_regrade_template_installs_grades_the_slices_and_merges(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Its install, fetch, grade and merge steps, run as written for each of its shards (no token: local sources)."""
    kit = install("system", tmp_path_factory)
    workflow = ROOT / "templates" / "instructor-regrade" / ".github" / "workflows" / "regrade.yml"
    learners = tmp_path / "learners"
    complete_package(learners / "ada")
    shutil.copytree(skeleton_folder_of(kit), learners / "bo" / "student")
    (tmp_path / "instructor").mkdir()
    with (tmp_path / "instructor" / "class.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["name", "source", "ref"], ["ada", str(learners / "ada"), ""],
                                      ["bo", str(learners / "bo"), ""]])  # fmt: skip
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    shards = data["jobs"]["grade"]["strategy"]["matrix"]["shard"]
    grade_steps, merge_steps = steps(workflow, "grade"), steps(workflow, "merge")
    uri = wheel(tmp_path_factory).as_uri()
    (tmp_path / "shards").mkdir()
    for number in shards:
        job = tmp_path / f"job-{number}"
        shutil.copytree(tmp_path / "instructor", job / "instructor")
        env = actions_env(workflow, job, KIT=uri, SHARD=str(number), CLASSLIST="instructor/class.csv", KATAS="--kata 1")
        for name, script in grade_steps.items():
            if not name.startswith("Fetch"):
                script = script.replace("${{ matrix.shard }}", str(number))
            run_step(script, job, kit, env)
        shutil.copytree(job / f"shard-{number}", tmp_path / "shards" / f"shard-{number}",
                        ignore=shutil.ignore_patterns("work", "cache"))  # fmt: skip
    env = actions_env(workflow, tmp_path, KIT=uri)
    for script in merge_steps.values():
        run_step(script, tmp_path, kit, env)
    rows = list(csv.DictReader((tmp_path / "class-grades" / "gradebook.csv").open(encoding="utf-8")))
    assert {row["name"]: float(row["score"]) for row in rows} == {"ada": catalogue.by_number(1).points, "bo": 0.0}
    assert "Class regraded: 2 learners" in (tmp_path / "github_step_summary").read_text(encoding="utf-8")
