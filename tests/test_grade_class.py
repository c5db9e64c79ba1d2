"""``kata grade-class``: a small class graded for real (kata 01), bad inputs, a resumed run, shards, the report.

Every learner is graded by ``kata grade`` in a child process, so these tests cost a few grades
each (about 15 s apiece on a quiet machine): the classes are small, and one graded class is
shared by the tests that only read it.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math
import os
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from kit.grading.classroom import gradebook, handback, report, run, submissions
from tests.run_once import run_once
from tests.spec_runner import ROOT, copy_package, light_kit
from tests.test_bug_zoo import mutate
from tests.zoo import BUGS

SAFE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,46}[A-Za-z0-9])?")
ONE_KATA = ("--kata", "1", "--timeout", "20", "--kata-timeout", "300")
#: A kata-01 bug that fails a few properties with a shrunk counterexample, not all of them.
BUG = next(bug for bug in BUGS if bug.name == "rsub-reversed")
CAROL = "carol o'neil <3"  # a name with odd characters
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


kit = light_kit  # the light copy: 10 examples a property (see copy_kit)


@functools.cache
def kit_version() -> str:
    """The version the private kit grades under (its own files' hash, not the working tree's)."""
    probe = "from kit.grading.classroom.run import kit_version; print(kit_version())"
    done = subprocess.run(
        [sys.executable, "-c", probe], env=environment(), cwd=kit(), capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPEC_"))}
    return {**env, "PYTHONPATH": str(kit()), "NO_COLOR": "1", "COLUMNS": "160"}


def kata(*args: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """``python -m kit.learner.cli ARGS`` with the private kit, as an instructor runs it."""
    command = [sys.executable, "-m", "kit.learner.cli", *args]
    return subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=timeout)


def skeleton(parent: Path, name: str, note: str = "") -> Path:
    """The generated skeleton as a learner's package, with ``note`` appended so copies differ in content."""
    package = copy_package(ROOT / "student", parent, name)
    if note:
        with (package / "__init__.py").open("a", encoding="utf-8") as handle:
            handle.write(f"# {note}\n")
    return package


def rows_of(out: Path) -> dict[str, dict[str, str]]:
    return {row["name"]: row for row in gradebook.read_csv(out / "gradebook.csv")}


# ---------------------------------------------------------------- one class, graded once


@pytest.fixture
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """alice (the reference, in a learner repository's student/), bob (the skeleton), carol (a zoo bug),
    dave (no package), notes.txt (a file): graded on kata 01, two at a time, exercism files handed back.
    Graded once per test session (:mod:`tests.run_once`); the tests only read it."""

    def make(root: Path) -> subprocess.CompletedProcess[str]:
        learners = root / "submissions"
        learners.mkdir()
        copy_package(ROOT / "reference", learners / "alice", "student")
        skeleton(learners, "bob")
        mutate(BUG, learners)
        (learners / BUG.package).rename(learners / CAROL)
        (learners / "dave").mkdir()
        (learners / "dave" / "solution.py").write_text("print('hello')\n", encoding="utf-8")
        (learners / "notes.txt").write_text("not a submission\n", encoding="utf-8")
        command = ["grade-class", str(learners), "--out", str(root / "out"), "--jobs", "2", "--handback", "exercism"]
        return kata(*command, *ONE_KATA, cwd=root)

    done, root = run_once(tmp_path_factory, "graded-class", make)
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "submissions", root / "out", done


@pytest.mark.slow
def test_every_learner_gets_a_row_with_their_grade_or_the_reason(graded_class) -> None:
    _learners, out, _done = graded_class
    rows = rows_of(out)
    assert list(rows) == ["alice", "bob", CAROL, "dave", "notes.txt"]  # the folder's order
    assert (rows["alice"]["status"], rows["alice"]["score"], rows["alice"]["kata01"]) == ("graded", "5", "5")
    assert (rows["bob"]["status"], rows["bob"]["score"]) == ("graded", "0")
    assert rows[CAROL]["status"] == "graded"
    assert 0 < float(rows[CAROL]["score"]) < 5
    assert rows["dave"]["status"] == rows["notes.txt"]["status"] == "not-a-package"
    assert "no __init__.py" in rows["dave"]["reason"]
    assert "a file, not a folder" in rows["notes.txt"]["reason"]
    assert all(rows[name]["max_score"] == "5" for name in ("alice", "bob", CAROL))
    assert {row["kit_version"] for name, row in rows.items() if row["status"] == "graded"} == {kit_version()}


def test_the_handed_back_file_is_the_one_kata_grade_writes(graded_class, tmp_path) -> None:
    """The exercism file rebuilt from the JSON grade has the bytes ``kata grade --format exercism`` writes itself."""
    learners, out, _done = graded_class
    row = rows_of(out)[CAROL]
    handed = out / row["results"]
    assert handed.suffix == ".json"
    direct = tmp_path / "direct.json"
    package = out / "work" / Path(row["results"]).stem / "student"
    done = kata("grade", "--path", str(package), "--format", "exercism", "--out", str(direct), *ONE_KATA, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert handed.read_text(encoding="utf-8") == direct.read_text(encoding="utf-8")
    assert json.loads(handed.read_text(encoding="utf-8"))["status"] == "fail"
    assert learners.is_dir()


def test_every_format_can_be_handed_back(graded_class) -> None:
    _learners, out, _done = graded_class
    record = json.loads((out / "records" / "alice.json").read_text(encoding="utf-8"))
    properties = json.loads((out / "properties.json").read_text(encoding="utf-8"))["tests"]
    data = record["grade"]
    classroom = json.loads(base64.b64decode(handback.render(data, "classroom", properties, "")))
    assert (classroom["max_score"], classroom["tests"][0]["score"]) == (5, 5)
    junit = handback.render(data, "junit", properties, "")
    assert junit.count("<testcase ") == data["katas"][0]["total"]
    assert "<failure" not in junit
    assert handback.render(data, "json", properties, "the grader's bytes") == "the grader's bytes"


def test_a_rebuilt_grade_that_disagrees_with_the_kit_is_refused(graded_class) -> None:
    _learners, out, _done = graded_class
    data = json.loads((out / "records" / "alice.json").read_text(encoding="utf-8"))["grade"]
    properties = json.loads((out / "properties.json").read_text(encoding="utf-8"))["tests"]
    fewer = dict(list(properties.items())[1:])
    with pytest.raises(ValueError, match="another version of the kit"):
        handback.to_grade(data, fewer)


def test_a_rerun_with_nothing_changed_grades_nothing_and_a_change_regrades_only_that(graded_class, tmp_path) -> None:
    learners, out, _done = graded_class
    again = tmp_path / "again"
    shutil.copytree(out, again)
    before = {p.name: p.read_bytes() for p in (again / "records").glob("*.json")}
    done = kata("grade-class", str(learners), "--out", str(again), "--handback", "exercism", *ONE_KATA, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(3 unchanged" in done.stderr
    graded_now = {p.name for p in (again / "records").glob("*.json") if p.read_bytes() != before[p.name]}
    assert graded_now <= {"dave.json", "notes.txt.json"}  # the rows that were never graded are looked at again
    bob = tmp_path / "bob-changed"  # the class, with one change: the shared class stays as it was
    shutil.copytree(learners, bob)
    with (bob / "bob" / "__init__.py").open("a", encoding="utf-8") as handle:
        handle.write("# a change\n")
    done = kata("grade-class", str(bob), "--out", str(again), "--handback", "exercism", *ONE_KATA, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(2 unchanged" in done.stderr
    assert rows_of(again)["bob"]["content_hash"] != rows_of(out)["bob"]["content_hash"]


def test_the_report_in_a_browser_shows_what_the_class_gets_wrong(graded_class, tmp_path) -> None:
    """Open report.html from disk in Debian's Chromium and read it as a person would."""
    _learners, out, _done = graded_class
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    assert Path("/usr/bin/chromium").is_file(), "install Debian's chromium (apt-get install chromium) for this test"
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto((out / "report.html").as_uri())
        cards = page.locator(".card").all_inner_texts()
        plot_width = page.eval_on_selector("#distribution-plot", "img => img.complete ? img.naturalWidth : 0")
        alt = page.get_attribute("#distribution-plot", "alt")
        first = page.locator("#properties-table tr").nth(1).inner_text()
        properties_text = page.locator("#properties-table").inner_text()
        flagged = page.locator("#flagged-table").inner_text()
        names = page.locator("#gradebook-table td:first-child").all_inner_texts()
        meta = page.locator("#meta").inner_text()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    carol = json.loads((out / "records" / f"{submissions.slug_of(CAROL)}.json").read_text(encoding="utf-8"))
    # The median learner (carol, between bob's 0 and alice's 5) scores her share of kata 01's 5 points
    # in whole quarter points, rounded down (with the spec's 200 examples: 4.66 → 4.5).
    kata01 = carol["grade"]["katas"][0]
    median = math.floor(5 * kata01["passed"] / kata01["total"] * 4) / 4
    assert 0 < median < 5
    assert [card.split("\n")[0] for card in cards] == ["5", "3", "2", f"{median:g}/5"]
    assert plot_width > 300, "the score histogram is drawn"
    assert "kata 01: 1 of 3 full marks" in alt
    failures = carol["grade"]["katas"][0]["failures"]
    examples = sorted((handback.counterexample(f["message"]) for f in failures if "smallest" in f["message"]), key=len)
    assert first.startswith("1 of 3"), "the most failed property first"
    assert examples[0] in first, "with the shortest shrunk input any learner's failure quoted"
    assert all(failure["test"] in properties_text for failure in failures)
    assert "dave" in flagged
    assert "notes.txt" in flagged
    assert "not a package" in flagged
    assert CAROL in names  # escaped, so shown as typed
    assert f"kit {kit_version()}" in meta
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == [], "the report works offline"
    assert (tmp_path / "report.png").stat().st_size > 20_000


# ---------------------------------------------------------------- bad inputs, from a CSV


def git(*args: str, cwd: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_bad_inputs_each_make_a_clear_row_and_never_stop_the_class(tmp_path) -> None:
    repo = tmp_path / "erin-repo"
    repo.mkdir()
    skeleton(repo, "student", "erin")
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "kata 1", cwd=repo)
    git("tag", "v1", cwd=repo)
    (tmp_path / "frank").mkdir()
    lines = [
        "name,source,ref",
        f"erin,{repo.as_uri()},v1",
        f"=HYPERLINK(1),{repo.as_uri()},no-such-tag",
        f"gina,{(tmp_path / 'nowhere.git').as_uri()},main",
        "hal,https://127.0.0.1:9/hal.git,main",
        "ivy,missing-folder,",
        "frank,frank,",
        "jo,frank,",
        "JO,frank,",
        ",frank,",
        "kim,,",
    ]
    listing = tmp_path / "class.csv"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = kata("grade-class", str(listing), "--out", str(out), *ONE_KATA, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    table = gradebook.read_csv(out / "gradebook.csv")
    by_name = {row["name"]: row for row in table}
    assert len(table) == len(lines) - 1, "one row per line of the class list"
    assert (by_name["erin"]["status"], by_name["erin"]["score"]) == ("graded", "0")
    assert by_name["erin"]["ref"].startswith("v1@")
    assert by_name["'=HYPERLINK(1)"]["status"] == "clone-failed", "the name is not a formula in a spreadsheet"
    assert "no branch, tag or commit 'no-such-tag'" in by_name["'=HYPERLINK(1)"]["reason"]
    assert by_name["gina"]["status"] == by_name["hal"]["status"] == "clone-failed"
    assert "git could not fetch" in by_name["hal"]["reason"]
    assert (by_name["ivy"]["status"], by_name["frank"]["status"]) == ("missing", "not-a-package")
    assert by_name["jo"]["status"] == by_name["JO"]["status"] == "duplicate-name"
    assert "2 submissions share the name" in by_name["jo"]["reason"]
    assert by_name[""]["status"] == "bad-name"
    assert (by_name["kim"]["status"], by_name["kim"]["reason"]) == (
        "missing",
        "CSV line 11: no source (a folder or a git URL)",
    )
    assert "JO" in (out / "report.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- interruption, shards


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


@pytest.mark.slow
def test_an_interrupted_run_loses_nothing_and_the_rerun_picks_up(tmp_path) -> None:
    learners = tmp_path / "class"
    for name in ("ann", "ben", "cy"):
        skeleton(learners, name, name)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "kit.learner.cli", "grade-class", str(learners), "--out", str(out), "--jobs", "1"]
    process = subprocess.Popen(
        [*command, *ONE_KATA], cwd=tmp_path, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: len(list((out / "records").glob("*.json"))) >= 1, 300)
        process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr.decode()[-2000:]
    assert "run the same command again" in stderr.decode()
    first = {row["name"] for row in gradebook.read_csv(out / "gradebook.csv")}
    recorded = set(gradebook.load_records(out))
    assert first == recorded, "the gradebook is whole: a row for each record, nothing half"
    assert 1 <= len(first) < 3
    assert not list(out.rglob("*.tmp")), "no temporary file is left"
    done = kata("grade-class", str(learners), "--out", str(out), "--jobs", "1", *ONE_KATA, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"({len(first)} unchanged" in done.stderr
    assert {row["status"] for row in gradebook.read_csv(out / "gradebook.csv")} == {"graded"}
    assert len(gradebook.read_csv(out / "gradebook.csv")) == 3


def test_two_shards_graded_side_by_side_merge_into_one_gradebook(tmp_path) -> None:
    learners = tmp_path / "class"
    skeleton(learners, "ann", "ann")
    skeleton(learners, "ben", "ben")
    (learners / "cy").mkdir()
    shards = [tmp_path / "shard-1", tmp_path / "shard-2"]
    base = [sys.executable, "-m", "kit.learner.cli", "grade-class", str(learners), *ONE_KATA, "--jobs", "1"]
    running = [
        subprocess.Popen([*base, "--shard", f"{i}/2", "--out", str(shard)], cwd=tmp_path, env=environment(),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for i, shard in enumerate(shards, start=1)
    ]  # fmt: skip
    for process in running:
        _out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()[-2000:]
    assert [len(gradebook.read_csv(shard / "gradebook.csv")) for shard in shards] == [2, 1]
    merged = tmp_path / "merged"
    done = kata("grade-class", "--merge", *map(str, shards), "--out", str(merged), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = rows_of(merged)
    assert list(rows) == ["ann", "ben", "cy"]
    assert [rows[n]["status"] for n in rows] == ["graded", "graded", "not-a-package"]
    assert all((merged / rows[n]["results"]).is_file() for n in ("ann", "ben"))
    assert "over 2 shards" in (merged / "report.html").read_text(encoding="utf-8")
    again = kata("grade-class", "--merge", str(tmp_path / "class"), "--out", str(merged), cwd=tmp_path)
    assert again.returncode == 2
    assert "not a grade-class output folder" in again.stderr


# ---------------------------------------------------------------- the parts, without grading


@given(st.integers(0, 40), st.integers(1, 8))
def test_shards_deal_every_learner_to_exactly_one_slice(size: int, count: int) -> None:
    entries = [submissions.Submission(f"l{i}", f"l{i}", "") for i in range(size)]
    slices = [run.shard(entries, index, count) for index in range(1, count + 1)]
    dealt = [entry.slug for part in slices for entry in part]
    assert sorted(dealt) == sorted(entry.slug for entry in entries)
    assert max(map(len, slices)) - min(map(len, slices)) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "a/b", "2", "1/0"])
def test_a_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(Exception, match="--shard"):
        run.parse_shard(text)


@given(st.text(max_size=60))
def test_a_slug_is_a_safe_file_name_and_a_safe_name_is_its_own_slug(name: str) -> None:
    slug = submissions.slug_of(name)
    assert slug
    assert set(slug) <= set(string.ascii_letters + string.digits + "._-")
    assert not slug.startswith(".")
    assert len(slug) <= 55
    assert (slug == name) == bool(SAFE_NAME.fullmatch(name)), "a hash suffix marks every renamed learner"
    assert submissions.slug_of(name) == slug


@given(st.text(max_size=30))
def test_no_gradebook_cell_starts_a_spreadsheet_formula(text: str) -> None:
    safe = gradebook.spreadsheet_safe(text)
    assert safe[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert safe.removeprefix("'") == text or safe == text


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch) -> None:
    target = tmp_path / "gradebook.csv"
    gradebook.write_atomic(target, "old\n")

    def broken(_src: object, _dst: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk gone"):
        gradebook.write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]


@pytest.mark.parametrize(
    ("problem", "flag"),
    [
        ("killed after 60 s (the kata's time limit) during x", "timed out"),
        ("tampering: the submission changed pytest.fail", "tampering"),
        ("ran out of memory (limit 1024 MB)", "out of memory"),
        ("the process was killed by SIGSEGV", "crashed"),
        ("refused by the source check: value.py:3 imports ctypes", "refused by the source check"),
    ],
)
def test_a_kata_problem_raises_its_flag(problem: str, flag: str) -> None:
    data = {"katas": [{"problem": problem, "failures": []}]}
    assert handback.flags(data) == [flag]
    assert handback.flags({"katas": [{"problem": "", "failures": []}]}) == []


def test_report_text_from_submissions_is_escaped() -> None:
    row = {"name": "<script>alert(1)</script>", "slug": "x", "status": "missing", "reason": "<i>why", "flags": []}
    page = report.render([row], {}, {"kit_version": "v", "seconds": 1.0})
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert "<i>why" not in page
    assert "&lt;i&gt;why" in page


def test_the_regrade_workflow_pins_its_actions_and_asks_for_little() -> None:
    """Read as text (the kit does not depend on a YAML parser): pinned actions, read-only, one step with the token."""
    path = ROOT / "templates" / "instructor-regrade" / ".github" / "workflows" / "regrade.yml"
    text = path.read_text(encoding="utf-8")
    used = re.findall(r"^\s*(?:- )?uses: (\S+)", text, flags=re.M)
    assert len(used) >= 5
    assert all(re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", action) for action in used), used
    assert re.search(r"^permissions:\n  contents: read\n\n", text, flags=re.M), "read-only, and nothing else"
    assert text.count("persist-credentials: false") == sum(a.startswith("actions/checkout@") for a in used)
    assert text.count("secrets.") == 1
    shards = re.search(r"^  SHARDS: (\d+)", text, flags=re.M)
    matrix = re.search(r"shard: \[([\d, ]+)\]", text)
    assert shards is not None
    assert matrix is not None
    assert [int(n) for n in matrix.group(1).split(",")] == list(range(1, int(shards.group(1)) + 1))
    assert "kata grade-class --merge shards/shard-*" in text


def test_a_submission_the_class_run_cannot_copy_is_a_row_not_an_abort(tmp_path) -> None:
    learner = tmp_path / "class" / "pipe"
    skeleton(learner.parent, "pipe")
    os.mkfifo(learner / "stuck")  # shutil refuses to copy a named pipe
    options = run.Options((1,), 20.0, 300.0, 1024, "json")
    classrun = run.ClassRun(tmp_path / "out", options, 1, Console(file=io.StringIO()))
    entry = submissions.discover(learner.parent)[0]
    row = classrun._guarded(entry, None)
    assert row["status"] == "error"
    assert "named pipe" in row["reason"]
    assert classrun.tally.running == 0


FILES = st.dictionaries(
    st.from_regex(r"[a-z]{1,8}(/[a-z]{1,8})?\.py", fullmatch=True), st.binary(max_size=64), min_size=1, max_size=6
)


@given(FILES, st.data())
def test_the_content_hash_is_the_files_and_nothing_else(files: dict[str, bytes], data: st.DataObject) -> None:
    """Same files in any order of writing: same hash; one byte changed, or a file renamed: another hash."""
    order = data.draw(st.permutations(sorted(files)))
    changed = data.draw(st.sampled_from(sorted(files)))
    with tempfile.TemporaryDirectory() as scratch:
        hashes = []
        for name, names, edit in (("a", sorted(files), None), ("b", order, None), ("c", order, changed)):
            folder = Path(scratch) / name
            for relative in names:
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                (folder / relative).write_bytes(files[relative] + (b"!" if relative == edit else b""))
            hashes.append(submissions.content_hash(folder))
        (Path(scratch) / "c" / changed).rename(Path(scratch) / "c" / (changed + "x"))
        renamed = submissions.content_hash(Path(scratch) / "c")
    assert hashes[0] == hashes[1]
    assert hashes[2] != hashes[0]
    assert renamed not in (hashes[0], hashes[2])
