"""``kata update`` and ``kata reset`` in a workspace: the kit's changes come in, the learner's lines stay.

A workspace is made with ``kata init`` (:func:`kit.learner.workspace.init`); the
learner's work is kata 01's bodies as the reference writes them, plus code of their own.
A later "installed kit" is the base the workspace recorded with a given function, a
page and the contract changed (:func:`newer`), handed to ``kata update`` by replacing
:func:`kit.learner.update.kit_texts`. The command runs in-process through ``kata``'s own
parser, from inside the workspace.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kit
from katas import catalogue
from kit.authoring import skeleton
from kit.learner import cli, update, workspace
from tests.spec_runner import ROOT

VALUE = "student/autograd/value.py"
PAGE = catalogue.by_number(1).page
#: Two lines of given code in value.py (not kata bodies), and what the later kit makes of them.
OLD_REPR = '        return f"Value(data={self.data!r}, grad={self.grad!r})"\n'
NEW_REPR = '        return f"Value(data={self.data!r}, grad={self.grad!r}, op={self._op!r})"\n'
OLD_DOT = 'raise ValueError(f"dot needs as many weights as inputs'
NEW_DOT = 'raise ValueError(f"dot() needs one weight per input'
#: A function of the learner's own, at the end of value.py.
HELPER = (
    '\n\ndef double_all(values: list[Value]) -> list[Value]:\n    """Mine: every value doubled."""\n'
    "    return [v * 2 for v in values]\n"
)
SOLVED = skeleton.generate(stub=lambda body: body.kata != 1)  # kata 01's bodies written, the rest stubs


def make_workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh workspace and the base it recorded (what the kit gave it)."""
    ws = tmp_path / "ws"
    workspace.init(ws)
    recorded = update.read_base(ws)
    assert recorded is not None
    return ws, recorded.files


def newer(kit: dict[str, str]) -> dict[str, str]:
    """A later kit: value.py's ``__repr__`` and ``dot``'s error changed, a page and the contract revised."""
    texts = dict(kit)
    assert OLD_REPR in texts[VALUE]
    assert OLD_DOT in texts[VALUE]
    texts[VALUE] = texts[VALUE].replace(OLD_REPR, NEW_REPR).replace(OLD_DOT, NEW_DOT)
    texts[PAGE] = texts[PAGE].replace("# Kata 01 · ", "# Kata 01 (revised) · ", 1) + "\n## One more thing\n\nWords.\n"
    texts["contract.md"] = texts["contract.md"].replace("# The nn-katas contract", "# The nn-katas contract, v2", 1)
    assert texts[PAGE] != kit[PAGE]
    assert texts["contract.md"] != kit["contract.md"]
    return texts


def learners_value() -> str:
    """value.py with kata 01 written, a note of the learner's in the module docstring, and a helper of theirs."""
    text = SOLVED["autograd/value.py"]
    first = text.index("\n") + 1
    return text[:first] + "My notes: read the page twice.\n" + text[first:] + HELPER


def files(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, by relative path, with its bytes; folders as ``None``."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes() if path.is_file() else None for path in root.rglob("*")
    }


def kata_update(ws: Path, kit: dict[str, str], monkeypatch: pytest.MonkeyPatch, *flags: str) -> int:
    """``kata update FLAGS`` run inside ``ws`` with ``kit`` as the installed kit's files."""
    monkeypatch.setattr(update, "kit_texts", lambda: kit)
    monkeypatch.chdir(ws)
    args = cli.build_parser().parse_args(["update", *flags])
    return args.handler(args)


def bodies(text: str, kata: int | None = None) -> dict[str, str]:
    """Each kata body of ``text`` (of kata ``kata`` only, if given): qualified name → its lines."""
    lines = text.splitlines(keepends=True)
    return {
        body.qualname: "".join(lines[body.first_line - 1 : body.last_line])
        for body in skeleton.find_kata_bodies(text)
        if kata is None or body.kata == kata
    }


# ------------------------------------------------------------------------------- init


def test_init_records_what_it_gave_as_the_base(tmp_path: Path) -> None:
    ws, base = make_workspace(tmp_path)
    for needed in (VALUE, PAGE, "contract.md", "README.md", ".gitignore", "student/__init__.py"):
        assert needed in base, f"the base lacks {needed}"
    for rel, text in base.items():
        assert (ws / rel).read_bytes() == text.encode("utf-8"), f"{rel} differs from its recorded base"
        assert (ws / update.BASE_DIR / rel).is_file()
    assert update.read_base(ws).version == kit.version()
    assert ".kata/undo/" in (ws / ".gitignore").read_text(encoding="utf-8").splitlines()
    readme = (ws / "README.md").read_text(encoding="utf-8")
    assert "kata update" in readme
    assert "kata reset N" in readme
    assert ".kata/base/" in readme
    assert "not available" not in readme


# ------------------------------------------------------------------------- the update


def test_update_brings_the_kits_changes_and_keeps_every_line_the_learner_wrote_and_undo_puts_all_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    mine = learners_value()
    (ws / VALUE).write_text(mine, encoding="utf-8")
    kit = newer(base)
    before = files(ws)

    assert kata_update(ws, kit, monkeypatch) == 0
    out = capsys.readouterr().out
    assert f"updated   {VALUE} — your changes kept" in out, out
    assert f"updated   {PAGE}\n" in out, out
    assert "updated   contract.md\n" in out, out
    assert "kata update --undo" in out
    now = (ws / VALUE).read_text(encoding="utf-8")
    # The kit's two given lines changed, and not one byte else: the bodies, the note and the helper are as written.
    assert now == mine.replace(OLD_REPR, NEW_REPR).replace(OLD_DOT, NEW_DOT)
    assert bodies(now, kata=1) == bodies(mine, kata=1)
    assert len(bodies(mine, kata=1)) == 12
    assert (ws / PAGE).read_text(encoding="utf-8") == kit[PAGE]
    assert (ws / "contract.md").read_text(encoding="utf-8") == kit["contract.md"]
    assert update.read_base(ws).files == kit, "the new base is the kit's"
    assert not list(ws.rglob("*.new")), "no conflict, no .new file"

    assert kata_update(ws, kit, monkeypatch) == 0  # once more: nothing left to do
    assert "nothing to write" in capsys.readouterr().out

    assert kata_update(ws, kit, monkeypatch, "--undo") == 0
    out = capsys.readouterr().out
    assert f"restored {VALUE}" in out, out
    assert f"restored {PAGE}" in out, out
    assert files(ws) == before, "undo puts back every file, byte for byte, and removes what the update made"
    assert kata_update(ws, kit, monkeypatch, "--undo") == 1
    assert "no update to undo" in capsys.readouterr().out


def test_dry_run_says_what_would_change_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    before = files(ws)
    assert kata_update(ws, newer(base), monkeypatch, "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"updated   {VALUE}" in out, out
    assert "nothing written (--dry-run)" in out, out
    assert files(ws) == before


def test_a_conflict_keeps_the_learners_lines_and_writes_the_kits_file_beside_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    mine = learners_value().replace(OLD_DOT, 'raise ValueError(f"my own words: dot needs as many weights as inputs')
    (ws / VALUE).write_text(mine, encoding="utf-8")
    kit = newer(base)
    assert kata_update(ws, kit, monkeypatch) == 0
    out = capsys.readouterr().out
    line = next(n for n, text in enumerate(mine.splitlines(), 1) if "my own words" in text)
    assert f"kept      {VALUE} — you changed line {line} where the kit changed too" in out, out
    assert f"{VALUE}.new (its other changes are in)" in out, out
    assert (ws / VALUE).read_text(encoding="utf-8") == mine.replace(OLD_REPR, NEW_REPR), "the rest came in"
    assert (ws / f"{VALUE}.new").read_text(encoding="utf-8") == kit[VALUE]
    assert (ws / PAGE).read_text(encoding="utf-8") == kit[PAGE]
    assert kata_update(ws, kit, monkeypatch, "--undo") == 0
    assert not (ws / f"{VALUE}.new").exists()
    assert (ws / VALUE).read_text(encoding="utf-8") == mine


def test_stubs_follow_the_kit_a_new_function_comes_as_its_stub_and_a_written_body_is_never_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    mine = learners_value()
    (ws / VALUE).write_text(mine, encoding="utf-8")
    kit = dict(base)
    text = kit[VALUE].replace("kata 03 · Value.tanh — see", "kata 03 · Value.tanh (tanh) — see")  # a changed stub
    neg = next(node for node in ast.walk(ast.parse(text)) if getattr(node, "name", "") == "__neg__")
    lines = text.splitlines(keepends=True)
    square = [
        "    def square(self) -> Value:  # kata 01\n",
        '        """``self * self``."""\n',
        "        # TODO(kata 01): write Value.square\n",
        '        raise NotImplementedError("kata 01 · Value.square — see katas/01-values/README.md")\n',
        "\n",
    ]
    lines[neg.lineno - 1 : neg.end_lineno + 1] = square  # the kit drops __neg__ (which the learner wrote) for square
    kit[VALUE] = "".join(lines)
    assert kata_update(ws, kit, monkeypatch) == 0
    out = capsys.readouterr().out
    now = (ws / VALUE).read_text(encoding="utf-8")
    assert bodies(now, kata=1).items() >= bodies(mine, kata=1).items(), "every body the learner wrote is there"
    assert f"kept      {VALUE}" in out, "removing a written body is a conflict"
    assert bodies(now)["Value.tanh"] == bodies(kit[VALUE])["Value.tanh"], "an unwritten stub follows the kit"
    assert "Value.square" not in bodies(now), "…but square's lines replace __neg__'s, so they conflict"
    assert (ws / f"{VALUE}.new").read_text(encoding="utf-8") == kit[VALUE]

    # Without the removal, the new function comes in as its stub.
    assert kata_update(ws, kit, monkeypatch, "--undo") == 0
    added = "".join(square) + "    def __neg__"
    kit[VALUE] = base[VALUE].replace("    def __neg__", added, 1)
    assert kata_update(ws, kit, monkeypatch) == 0
    now = (ws / VALUE).read_text(encoding="utf-8")
    assert now == mine.replace("    def __neg__", added, 1)


@pytest.mark.parametrize("recorded", [True, False], ids=["with a base", "with no base"])
def test_a_file_saved_with_windows_line_ends_keeps_them(recorded: bool) -> None:
    base = skeleton.generate()["autograd/value.py"]
    mine = learners_value().replace("\n", "\r\n")
    step = update._decide(VALUE, base if recorded else None, mine, base.replace(OLD_REPR, NEW_REPR))
    assert step.outcome.status == "updated"
    assert step.text == mine.replace(OLD_REPR.replace("\n", "\r\n"), NEW_REPR.replace("\n", "\r\n"))


def test_a_file_that_does_not_parse_is_kept_and_merged_on_a_later_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    broken = learners_value().replace("    def __neg__(self)", "    def __neg__(self", 1)
    (ws / VALUE).write_text(broken, encoding="utf-8")
    kit = newer(base)
    assert kata_update(ws, kit, monkeypatch) == 0
    assert f"kept      {VALUE} — it does not parse (line" in capsys.readouterr().out
    assert (ws / VALUE).read_text(encoding="utf-8") == broken
    assert (ws / f"{VALUE}.new").read_text(encoding="utf-8") == kit[VALUE]
    assert (ws / PAGE).read_text(encoding="utf-8") == kit[PAGE]
    assert update.read_base(ws).files[VALUE] == base[VALUE], "its base stays: the next update merges it"
    (ws / VALUE).write_text(learners_value(), encoding="utf-8")  # the learner mends it
    assert kata_update(ws, kit, monkeypatch) == 0
    assert (ws / VALUE).read_text(encoding="utf-8") == learners_value().replace(OLD_REPR, NEW_REPR).replace(
        OLD_DOT, NEW_DOT
    )


def test_a_write_that_fails_part_way_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    (ws / VALUE).write_text(learners_value(), encoding="utf-8")
    before = files(ws)
    real, calls = update.write, []

    def failing(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 4:  # the manifest, two files, then the disk is full
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(update, "write", failing)
    assert kata_update(ws, newer(base), monkeypatch) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert len(calls) == 4
    assert files(ws) == before, "what was written before the failure is put back, the undo folder removed"


def test_undo_keeps_an_edit_made_after_the_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    original = (ws / VALUE).read_text(encoding="utf-8")
    assert kata_update(ws, newer(base), monkeypatch) == 0
    later = (ws / VALUE).read_text(encoding="utf-8") + "# written after the update\n"
    (ws / VALUE).write_text(later, encoding="utf-8")
    assert kata_update(ws, newer(base), monkeypatch, "--undo") == 0
    assert "you changed it after the update" in capsys.readouterr().out
    assert (ws / VALUE).read_text(encoding="utf-8") == original
    (backup,) = (ws / VALUE).parent.glob("value.py.*.bak")
    assert backup.read_text(encoding="utf-8") == later


# ----------------------------------------------------------------- an older workspace


def test_a_workspace_with_no_record_keeps_bodies_helpers_and_imports_and_takes_the_kits_given_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    shutil.rmtree(ws / update.KATA_DIR)  # as an older kit made it
    mine = learners_value().replace(
        "from __future__ import annotations\n", "from __future__ import annotations\n\nimport functools  # mine\n", 1
    )
    mine = mine.replace("    def __repr__", "    # my note on repr\n    def __repr__", 1)
    (ws / VALUE).write_text(mine, encoding="utf-8")
    old_ignore = base[".gitignore"].replace(".kata/undo/\n", "") + "venv/\n"
    (ws / ".gitignore").write_text(old_ignore, encoding="utf-8")
    (ws / PAGE).write_text(base[PAGE] + "my notes on the page\n", encoding="utf-8")
    kit = newer(base)
    before = files(ws)

    assert kata_update(ws, kit, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "has no record of what kata init gave it" in out, out
    assert f"updated   {VALUE} — no record of what kata init gave" in out, out
    now = (ws / VALUE).read_text(encoding="utf-8")
    assert now == mine.replace(OLD_REPR, NEW_REPR).replace(OLD_DOT, NEW_DOT), "every line of the learner's stays"
    assert (ws / PAGE).read_text(encoding="utf-8") == kit[PAGE], "a page with no record is the kit's"
    ignore = (ws / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "venv/" in ignore
    assert ".kata/undo/" in ignore
    assert update.read_base(ws).files == kit, "from now on the workspace has a base"

    assert kata_update(ws, kit, monkeypatch, "--undo") == 0
    assert files(ws) == before, "undo goes back to no record at all"


def test_with_no_record_a_kit_change_that_would_replace_the_learners_own_code_is_a_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, base = make_workspace(tmp_path)
    shutil.rmtree(ws / update.KATA_DIR)
    anchor = "\n\nclass Constants("  # given code after dot(): the learner's helper and the kit's new function go here
    assert base[VALUE].count(anchor) == 1
    helper = "\n\ndef my_helper(x: float) -> float:\n    return 2 * x\n"
    mine = SOLVED["autograd/value.py"].replace(anchor, helper + anchor)
    (ws / VALUE).write_text(mine, encoding="utf-8")
    kit = dict(base)
    given_new = '\n\ndef dot_all(weights: list, inputs: list) -> list:\n    """New given code."""\n    return []\n'
    kit[VALUE] = base[VALUE].replace(anchor, given_new + anchor)
    assert kata_update(ws, kit, monkeypatch) == 0
    out = capsys.readouterr().out
    assert f"kept      {VALUE} — " in out, out
    assert "may be yours" in out, out
    assert (ws / VALUE).read_text(encoding="utf-8") == mine
    assert (ws / f"{VALUE}.new").read_text(encoding="utf-8") == kit[VALUE]


# ------------------------------------------------------------------------ the command


def test_update_outside_a_workspace_says_so_in_one_line_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for where in (tmp_path, ROOT):
        monkeypatch.chdir(where)
        args = cli.build_parser().parse_args(["update"])
        assert args.handler(args) == 2
        out = capsys.readouterr().out
        assert len(out.strip().splitlines()) == 1, out
        assert "updates a workspace" in out, out
    assert "kata update" in cli.__doc__


def test_reset_reads_the_skeleton_the_kit_ships_when_there_is_no_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tmp_path / "site-packages" / "kit" / "skeleton"
    generated = skeleton.generate()
    for rel, text in generated.items():
        (installed / rel).parent.mkdir(parents=True, exist_ok=True)
        (installed / rel).write_text(text, encoding="utf-8")
    (installed / "autograd" / "__pycache__").mkdir()
    (installed / "autograd" / "__pycache__" / "value.cpython-311.pyc").write_bytes(b"\0")
    assert update.skeleton_texts(installed=installed) == generated

    ws, _ = make_workspace(tmp_path)
    (ws / VALUE).write_text(SOLVED["autograd/value.py"], encoding="utf-8")
    monkeypatch.setattr(update, "INSTALLED_SKELETON", installed)
    monkeypatch.setattr(skeleton, "REFERENCE", tmp_path / "no-reference")

    def nowhere(*args: object, **kwargs: object) -> None:
        raise AssertionError("the installed kit has no reference/ to generate from")

    monkeypatch.setattr(skeleton, "generate", nowhere)
    kata = catalogue.by_number(1)
    ((path, backup),) = cli.reset_kata(kata, ws / "student")
    assert path.read_text(encoding="utf-8") == generated["autograd/value.py"]
    assert backup.read_text(encoding="utf-8") == SOLVED["autograd/value.py"]
    cli.undo_reset(kata, ws / "student")
    assert (ws / VALUE).read_text(encoding="utf-8") == SOLVED["autograd/value.py"]


def test_kata_reset_and_its_undo_work_in_a_workspace(tmp_path: Path) -> None:
    ws, base = make_workspace(tmp_path)
    mine = learners_value()
    (ws / VALUE).write_text(mine, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KATA_STATE", "SPEC_IMPL", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"

    def kata(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "kit.learner.cli", *args]
        return subprocess.run(command, cwd=ws / "student", env=env, capture_output=True, text=True, check=False)

    reset = kata("reset", "1", "--yes")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert str(ws / VALUE) in reset.stdout, reset.stdout
    now = (ws / VALUE).read_text(encoding="utf-8")
    assert bodies(now, kata=1) == bodies(base[VALUE], kata=1), "kata 01's bodies are the skeleton's again"
    assert now.endswith(HELPER), "nothing else changed"
    assert "My notes: read the page twice." in now, "nothing else changed"
    undone = kata("reset", "1", "--undo")
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert (ws / VALUE).read_text(encoding="utf-8") == mine


# ------------------------------------------------------------------------- properties

LINES = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "\n"]), max_size=12)


@given(base=LINES, ours=LINES, theirs=LINES)
def test_merge_keeps_every_change_of_the_learners_in_order(base: list[str], ours: list[str], theirs: list[str]) -> None:
    merged = update.merge_lines(base, ours, theirs)
    at = 0
    for hunk in update.hunks(base, ours):
        wanted = list(hunk.lines)
        found = next(i for i in range(at, len(merged.lines) + 1) if merged.lines[i : i + len(wanted)] == wanted)
        at = found + len(wanted)
    assert update.merge_lines(base, ours, base).lines == ours
    assert update.merge_lines(base, base, theirs).lines == theirs
    assert update.merge_lines(base, ours, base).conflicts == [] == update.merge_lines(base, base, theirs).conflicts


BASE_VALUE = skeleton.generate()["autograd/value.py"]
WRITTEN = skeleton.find_kata_bodies(BASE_VALUE)
#: What a comment may hold: any character but a line end (of Python's or of str.splitlines) or a NUL.
COMMENT = st.characters(codec="utf-8", exclude_characters="\x00\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
STATEMENT = st.one_of(
    st.builds("v{} = {}".format, st.integers(0, 9), st.integers(-5, 5)),
    st.builds("# {}".format, st.text(COMMENT, max_size=20)),
    st.just("return None"),
)


@st.composite
def learner_and_kit(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    """value.py with some kata bodies written at random and a helper; the kit's with comment lines put in anywhere."""
    lines = BASE_VALUE.splitlines(keepends=True)
    mine = list(lines)
    written = {}
    for body in reversed(WRITTEN):
        if draw(st.booleans()):
            code = [*draw(st.lists(STATEMENT, max_size=3)), "pass"]
            text = [f"{' ' * body.indent}{statement}\n" for statement in code]
            mine[body.first_line - 1 : body.last_line] = text
            written[body.qualname] = "".join(text)
    ours = "".join(mine) + HELPER
    kit = list(lines)
    for at in sorted(draw(st.lists(st.integers(0, len(lines)), max_size=6)), reverse=True):
        kit.insert(at, f"# the kit's note {at}\n")
    return ours, "".join(kit), written


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=learner_and_kit(), recorded=st.booleans())
def test_a_merge_never_changes_a_line_of_a_body_the_learner_wrote(
    case: tuple[str, str, dict[str, str]], recorded: bool
) -> None:
    ours, theirs, written = case
    merged = "".join(update.merge_python(BASE_VALUE if recorded else None, ours, theirs).lines)
    found = bodies(merged)
    for name, body in written.items():
        assert found[name] == body, name
    assert HELPER in merged
