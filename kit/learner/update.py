"""``kata update``: bring a workspace up to the installed kit without touching a line the learner wrote.

A workspace (``kata init``) holds files the kit gave: the skeleton package ``student/``,
whose *given code* (everything but the kata bodies) stays the kit's, the kata pages
``katas/NN-slug/README.md``, the contract ``contract.md``, and the workspace's own
``README.md`` and ``.gitignore``. A newer kit may change any of them (a fixed loader, a
clearer page). ``kata update`` brings each file to the installed kit's version by a
*three-way merge* of

* the **base**: what ``kata init`` (or the last update) gave, recorded in ``.kata/base/``;
* **ours**: the file in the workspace now, with the learner's work in it;
* **theirs**: the installed kit's version of it (:func:`kit_texts`).

The kit's changes are the differences base → theirs, the learner's are base → ours,
each a list of *hunks* (:func:`hunks`, found with :mod:`difflib`; git need not be
installed). A file the learner never changed is replaced; a file the kit did not change
is left alone; otherwise each of the kit's hunks is applied where the learner's file
still has the base's lines, and where both changed the same region (or regions that
touch) the learner's lines stay, the kit's whole file is written beside it as
``FILE.new`` and the report names the lines (:func:`merge_lines`).

Kata bodies never take part. Before merging a ``.py`` file, each ``# kata NN`` body of
the three texts is folded into one marker line (:func:`fold`), so the merge sees only
the code around the bodies; after it, each marker unfolds into the learner's body, or
into the kit's stub where the body is still a stub (:func:`merge_python`). A kit change
that would remove a body the learner wrote is a conflict.

A workspace made before this module existed has no base. Its base is then taken to be
the learner's file with every kata body folded away, which makes every difference from
the kit a kit change; a kit change may delete a line only where that line belongs to
something the kit's new file still defines (a given function, class, constant or
import it changed, or a line it still has), so a helper or an import of the learner's
own is never removed: a kit hunk that only deletes lines leaves them (they may be the
learner's additions), one that replaces lines not the kit's is a conflict
(:func:`merge_python`). Pages, the contract and the README with no base are replaced,
``.gitignore`` gains the kit's new lines. DECISIONS.md ("Updating a workspace") has the
reasons.

Everything is worked out before anything is written (:func:`plan`); then every file
about to change is copied to ``.kata/undo/STAMP/`` and each write is atomic (a temporary
file, then :func:`os.replace`); a write that fails puts back what was written before it
(:func:`apply`). ``kata update --undo`` puts back the files of the newest update, byte for
byte, the record of the base with them (:func:`undo`).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import hashlib
import io
import json
import os
import re
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kit
from katas import catalogue
from katas.catalogue import KIT_ROOT
from kit.authoring import skeleton

from . import workspace

#: The workspace's folder for the kit's own records (kept out of student/).
KATA_DIR = ".kata"
#: What kata init (or the last update) gave, file by file, under the same relative paths.
BASE_DIR = f"{KATA_DIR}/base"
#: The base's record: the kit's version and the list of its files.
BASE_RECORD = f"{KATA_DIR}/base.json"
#: One folder per update with the files it replaced, for kata update --undo.
UNDO_DIR = f"{KATA_DIR}/undo"
#: The skeleton package inside an installed kit (setup.py ships student/ as kit.skeleton).
INSTALLED_SKELETON = KIT_ROOT / "kit" / "skeleton"


class UpdateError(RuntimeError):
    """An update (or its undo) that cannot go ahead; nothing has been changed."""


# ------------------------------------------------------------------ what the kit gives


def skeleton_texts(installed: Path | None = None, reference: Path | None = None) -> dict[str, str]:
    """The kit's skeleton package: path relative to the package (forward slashes) → text.

    In an installed kit these are the files of ``kit.skeleton``; in the kit's clone,
    where ``reference/`` is, the skeleton generated from it (which ``student/`` is kept
    equal to). ``kata init``, ``kata reset`` and ``kata update`` all read it here.
    """
    installed = INSTALLED_SKELETON if installed is None else installed
    reference = skeleton.REFERENCE if reference is None else reference
    if (installed / "__init__.py").is_file():
        return {path.relative_to(installed).as_posix(): read(path) for path in skeleton.reference_files(installed)}
    if reference.is_dir():
        return skeleton.generate(reference)
    raise FileNotFoundError(f"the kit has no skeleton package at {installed}: reinstall nn-katas")


def kit_texts() -> dict[str, str]:
    """Every file the installed kit gives a workspace: path relative to the workspace → text."""
    texts = {f"{workspace.PACKAGE}/{rel}": text for rel, text in skeleton_texts().items()}
    for kata in catalogue.load():
        page = KIT_ROOT / kata.page
        if page.is_file():
            texts[kata.page] = read(page)
    texts[workspace.CONTRACT_NAME] = read(workspace.contract_file())
    texts["README.md"] = workspace.README
    texts[".gitignore"] = workspace.GITIGNORE
    return texts


def base_files(texts: dict[str, str], version: str | None = None) -> dict[str, str]:
    """The record of a base: ``.kata/base/PATH`` for each of ``texts``, and ``.kata/base.json``.

    ``kata init`` writes it for the files it gave; ``kata update`` writes it anew for the
    files it brought up to the kit.
    """
    record = {"kit": kit.version() if version is None else version, "files": sorted(texts)}
    files = {f"{BASE_DIR}/{rel}": text for rel, text in texts.items()}
    return {**files, BASE_RECORD: json.dumps(record, indent=1) + "\n"}


@dataclass(frozen=True)
class Base:
    """A workspace's recorded base: the kit's version it came from, and each file's text as the kit gave it."""

    version: str
    files: dict[str, str]


def read_base(root: Path) -> Base | None:
    """The base recorded in the workspace ``root``, or ``None`` when it has none (an older kit made it)."""
    record = root / BASE_RECORD
    if not record.is_file():
        return None
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        names = [str(name) for name in data["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        hint = f"put it back, or remove {KATA_DIR}/ to update as a workspace with no record"
        raise UpdateError(f"{BASE_RECORD} is damaged ({exc}): {hint}") from exc
    files = {name: read(root / BASE_DIR / name) for name in names if (root / BASE_DIR / name).is_file()}
    return Base(str(data.get("kit", "unknown")), files)


# ------------------------------------------------------------------------- merging


def lines_of(text: str) -> list[str]:
    """``text`` split after each line end (``\\n``, ``\\r\\n`` or ``\\r``, kept), as Python's parser counts lines.

    >>> lines_of("a\\nb\\r\\nc")
    ['a\\n', 'b\\r\\n', 'c']
    """
    return io.StringIO(text, newline="").readlines()


@dataclass(frozen=True)
class Hunk:
    """One change from a base to another version: the base's lines ``[start, end)`` become ``lines``.

    An insertion has ``start == end``; a deletion has no ``lines``.
    """

    start: int
    end: int
    lines: tuple[str, ...]


def hunks(base: Sequence[str], other: Sequence[str]) -> list[Hunk]:
    """The changes that turn the lines ``base`` into ``other``, in order.

    >>> hunks(["a\\n", "b\\n", "c\\n"], ["a\\n", "B\\n", "c\\n", "d\\n"])
    [Hunk(start=1, end=2, lines=('B\\n',)), Hunk(start=3, end=3, lines=('d\\n',))]
    """
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)  # autojunk would skip frequent lines
    return [Hunk(i1, i2, tuple(other[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


@dataclass(frozen=True)
class Merge:
    """What :func:`merge_lines` made: the lines, the conflicts, how many of the kit's changes went in.

    A conflict ``(start, end)`` is a range of ``lines`` (0-based, end excluded) where the
    learner's lines were kept although the kit changed that region too. ``kept`` counts
    the protected lines the kit's file no longer has that were kept all the same.
    """

    lines: list[str]
    conflicts: list[tuple[int, int]]
    applied: int
    kept: int = 0


def merge_lines(
    base: Sequence[str],
    ours: Sequence[str],
    theirs: Sequence[str],
    protected: Callable[[int], bool] = lambda index: False,
    keep_deletions: bool = False,
) -> Merge:
    """Three-way merge: the learner's changes (base → ours) with the kit's (base → theirs).

    The hunks of both sides are grouped where they overlap or touch. A group with only
    the learner's hunks keeps the learner's lines, one with only the kit's takes the
    kit's, one with both takes them when both made the same change, and otherwise keeps
    the learner's lines and is a conflict.

    ``protected`` names base lines that may be the learner's although the base has them
    (see :func:`merge_python`): the kit may not delete them. A group of the kit's hunks
    that only deletes lines, each protected or blank, keeps them (counted in ``kept``);
    one that deletes a protected line and brings lines of its own is a conflict. With
    ``keep_deletions``, a group of the kit's hunks that only deletes lines keeps them all.

    >>> base = ["a\\n", "b\\n", "c\\n", "d\\n", "e\\n"]
    >>> mine = ["a\\n", "b, mine\\n", "c\\n", "d\\n", "e\\n"]
    >>> merge_lines(base, mine, ["a\\n", "b\\n", "c\\n", "d\\n", "e, kit\\n"]).lines
    ['a\\n', 'b, mine\\n', 'c\\n', 'd\\n', 'e, kit\\n']
    >>> merge_lines(base, mine, ["a\\n", "b, kit\\n", "c\\n", "d\\n", "e\\n"])
    Merge(lines=['a\\n', 'b, mine\\n', 'c\\n', 'd\\n', 'e\\n'], conflicts=[(1, 2)], applied=0, kept=0)
    """
    sides = sorted(
        [(hunk, False) for hunk in hunks(base, ours)] + [(hunk, True) for hunk in hunks(base, theirs)],
        key=lambda item: (item[0].start, item[0].end),
    )
    groups: list[list[tuple[Hunk, bool]]] = []
    for hunk, kits in sides:
        if groups and hunk.start <= max(other.end for other, _ in groups[-1]):  # overlaps or touches
            groups[-1].append((hunk, kits))
        else:
            groups.append([(hunk, kits)])
    out: list[str] = []
    conflicts: list[tuple[int, int]] = []
    applied = kept = 0
    done = 0
    for group in groups:
        start, end = min(h.start for h, _ in group), max(h.end for h, _ in group)
        out.extend(base[done:start])
        mine = _region(base, start, end, [h for h, kits in group if not kits])
        kit_hunks = [h for h, kits in group if kits]
        kit = _region(base, start, end, kit_hunks)
        deleted = [i for h in kit_hunks for i in range(h.start, h.end)]
        kits_only = len(kit_hunks) == len(group)
        guarded = [i for i in deleted if protected(i)]
        only_guarded = bool(guarded) and all(i in guarded or not base[i].strip() for i in deleted)  # or blank
        if not kit_hunks or mine == kit:
            out.extend(mine)
        elif kits_only and not kit and (keep_deletions or only_guarded):
            kept += sum(1 for i in deleted if base[i].strip())
            out.extend(mine)
        elif kits_only and not guarded:
            out.extend(kit)
            applied += len(kit_hunks)
        else:
            conflicts.append((len(out), len(out) + len(mine)))
            out.extend(mine)
        done = end
    out.extend(base[done:])
    return Merge(out, conflicts, applied, kept)


def _region(base: Sequence[str], start: int, end: int, changes: list[Hunk]) -> list[str]:
    """The base's lines ``[start, end)`` with ``changes`` (one side's hunks, in order, inside it) made."""
    out: list[str] = []
    at = start
    for hunk in changes:
        out.extend(base[at : hunk.start])
        out.extend(hunk.lines)
        at = hunk.end
    out.extend(base[at:end])
    return out


#: A folded kata body: one line no source file has (a NUL byte), naming the body.
_MARK = "\x00kata body "
#: A body exactly as the skeleton generator writes it: the TODO mark and the NotImplementedError.
_STUB = re.compile(r'[ \t]*# TODO\(kata \d+\): write [\w.]+\r?\n[ \t]*raise NotImplementedError\(".*"\)(\r?\n|\r)?')


@dataclass(frozen=True)
class Folded:
    """A Python file with each kata body folded into one marker line.

    ``bodies`` maps each marker's name (the function's qualified name, ``#2`` added to a
    second one of the same name) to the body's lines; ``origin`` gives, for each line of
    ``lines``, the 0-based line of the file it stands for.
    """

    lines: list[str]
    bodies: dict[str, list[str]]
    origin: list[int]


def fold(source: str) -> Folded:
    """``source`` with every ``# kata NN`` body folded into a marker line; ``SyntaxError`` if it does not parse.

    >>> text = 'def f(x):  # kata 01\\n    \"\"\"Twice x.\"\"\"\\n    return 2 * x\\n'
    >>> fold(text).lines[:2], fold(text).bodies
    (['def f(x):  # kata 01\\n', '    \"\"\"Twice x.\"\"\"\\n'], {'f': ['    return 2 * x\\n']})
    """
    compile(source, "<kata update>", "exec", flags=ast.PyCF_ONLY_AST)  # a SyntaxError with its line, first
    lines = lines_of(source)
    out: list[str] = []
    origin: list[int] = []
    bodies: dict[str, list[str]] = {}
    at = 0
    for body in sorted(skeleton.find_kata_bodies(source), key=lambda body: body.first_line):
        name, count = body.qualname, 1
        while name in bodies:
            count += 1
            name = f"{body.qualname}#{count}"
        out.extend(lines[at : body.first_line - 1])
        origin.extend(range(at, body.first_line - 1))
        out.append(f"{_MARK}{name}\n")
        origin.append(body.first_line - 1)
        bodies[name] = lines[body.first_line - 1 : body.last_line]
        at = body.last_line
    out.extend(lines[at:])
    origin.extend(range(at, len(lines)))
    return Folded(out, bodies, origin)


def _marker(line: str) -> str | None:
    return line[len(_MARK) : -1] if line.startswith(_MARK) else None


def is_stub(body: Sequence[str]) -> bool:
    """Whether a body's lines are a skeleton stub (nothing the learner wrote)."""
    return _STUB.fullmatch("".join(body)) is not None


def merge_python(base: str | None, ours: str, theirs: str) -> Merge:
    """Merge a ``.py`` file of the package with its kata bodies folded away; ``base=None``: no recorded base.

    Raises ``SyntaxError`` (or ``ValueError``, a kata function with no body) when a text
    does not parse: its kata bodies cannot then be told from the given code.

    Each marker of the merged lines unfolds into the learner's body, except a body that
    is still a stub (or still the base's), which becomes the kit's stub, and a function
    new in the kit, which comes as its stub. A kit hunk that deletes a marker whose body
    the learner wrote is a conflict. With no base, the learner's file, folded, stands for
    the base: a kit hunk that only deletes lines is not applied (they may be the
    learner's additions), and one that replaces lines may replace only lines the kit can
    be seen to own (:func:`_maybe_learners`).
    """
    mine, kit = fold(ours), fold(theirs)
    given = None if base is None else fold(base)
    start = mine if given is None else given

    def untouched(name: str) -> bool:
        body = mine.bodies[name]
        return is_stub(body) or (given is not None and given.bodies.get(name) == body)

    keep = {
        index
        for index, line in enumerate(start.lines)
        if (name := _marker(line)) is not None and name in mine.bodies and not untouched(name)
    }
    if given is None:
        keep |= _maybe_learners(ours, mine, theirs, kit)
    merged = merge_lines(start.lines, mine.lines, kit.lines, keep.__contains__, keep_deletions=given is None)
    out: list[str] = []
    at: list[int] = []  # where each merged line begins in out
    for line in merged.lines:
        at.append(len(out))
        name = _marker(line)
        if name is None:
            out.append(line)
        elif name in mine.bodies and not (name in kit.bodies and untouched(name)):
            out.extend(mine.bodies[name])
        else:
            out.extend(kit.bodies[name])
    at.append(len(out))
    return Merge(out, [(at[s], at[e]) for s, e in merged.conflicts], merged.applied, merged.kept)


def _maybe_learners(ours: str, mine: Folded, theirs: str, kit: Folded) -> set[int]:
    """With no base: the lines of ``mine`` (folded ``ours``) that may be the learner's, which no kit hunk may delete.

    A line inside a definition (function, class header, assignment, import) is the
    kit's when the kit's file still defines every name that definition binds: the kit
    changed it. Any other non-blank line (a comment between definitions, an ``if``
    block) is the kit's only when the kit's file has the very same line.
    """
    owners = _owners(ours)
    kit_names = {name for names in _owners(theirs).values() for name in names}
    kit_lines = set(kit.lines)
    maybe = set()
    for index, (line, origin) in enumerate(zip(mine.lines, mine.origin, strict=True)):
        if _marker(line) is not None:
            continue  # a body: kept by merge_python when the learner wrote it
        names = owners.get(origin)
        if names is not None:
            if not all(name in kit_names for name in names):
                maybe.add(index)
        elif line.strip() and line not in kit_lines:
            maybe.add(index)
    return maybe


def _owners(source: str) -> dict[int, tuple[str, ...]]:
    """0-based line → the names the definition around it binds (``Value.__repr__``, ``import os``, ``URL``).

    Lines outside any definition (blank lines and comments between them, the body of a
    module-level ``if``) have no entry.
    """
    owners: dict[int, tuple[str, ...]] = {}

    def first(node: ast.stmt) -> int:
        return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])

    def claim(start: int, end: int, names: tuple[str, ...]) -> None:
        for line in range(start - 1, end):
            owners[line] = names

    def visit(body: list[ast.stmt], prefix: str, holder: str) -> None:
        for index, node in enumerate(body):
            end = node.end_lineno or node.lineno
            if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                claim(node.lineno, end, (holder,))  # a docstring belongs to what it documents
            elif isinstance(node, ast.ClassDef):
                name = f"{prefix}{node.name}"
                claim(first(node), first(node.body[0]) - 1, (name,))
                visit(node.body, f"{name}.", name)
            elif names := _bound(node):
                claim(first(node), end, tuple(f"{prefix}{bound}" for bound in names))

    visit(ast.parse(source).body, "", "__doc__")
    return owners


def _bound(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [f"import {alias.asname or alias.name}" for alias in node.names]
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    else:
        return []
    return [name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)]


# -------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Outcome:
    """What an update does to one file: ``updated``, ``added``, ``removed``, ``unchanged`` or ``kept``."""

    path: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """An update worked out in full before anything is written.

    ``writes`` maps each path (relative to the workspace) to its new text, or to ``None``
    for a file to remove; it holds the ``.new`` files and the new base too. ``since`` is
    the base's kit version, ``None`` for a workspace with no base.
    """

    outcomes: list[Outcome]
    writes: dict[str, str | None]
    version: str
    since: str | None


def plan(root: Path, theirs: dict[str, str] | None = None, version: str | None = None) -> Plan:
    """Work out the update of the workspace ``root`` to ``theirs`` (default: the installed kit's files).

    Reads every file and merges in memory; writes nothing. A workspace with a recorded
    base also has each file the kit no longer ships considered (removed when the learner
    never changed it); one without considers the kit's files only. The new base is the
    kit's files, except for a file the kit's changes could not be merged into at all (it
    does not parse): that one keeps its old base, so the next update tries again.
    """
    theirs = kit_texts() if theirs is None else theirs
    version = kit.version() if version is None else version
    base = read_base(root)
    given = {} if base is None else base.files
    outcomes: list[Outcome] = []
    writes: dict[str, str | None] = {}
    new_base: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # a learner's "\d" is not this command's business
        for rel in sorted(theirs.keys() | given.keys()):
            path = root / rel
            try:
                ours = read(path) if path.is_file() else None
            except UnicodeDecodeError:
                note = f"it is not UTF-8 text, so the kit's changes could not be merged: the kit's version is {rel}.new"
                step = _Step(Outcome(rel, "kept", note), beside=theirs.get(rel), settled=False)
            else:
                step = _decide(rel, given.get(rel), ours, theirs.get(rel))
            outcomes.append(step.outcome)
            if step.text is not None or step.outcome.status == "removed":
                writes[rel] = step.text
            if step.beside is not None:
                writes[f"{rel}.new"] = step.beside
            kept = theirs.get(rel) if step.settled else given.get(rel)
            if kept is not None:
                new_base[rel] = kept
    writes.update(base_files(new_base, version))
    for rel in given.keys() - new_base.keys():
        writes[f"{BASE_DIR}/{rel}"] = None
    return Plan(outcomes, writes, version, None if base is None else base.version)


@dataclass(frozen=True)
class _Step:
    """One file's part in an update: its outcome, its new text (``None``: leave it, or remove it when ``removed``),
    the text of its ``.new`` file, and whether the kit's version becomes its base."""

    outcome: Outcome
    text: str | None = None
    beside: str | None = None
    settled: bool = True


def _decide(rel: str, base: str | None, ours: str | None, kit: str | None) -> _Step:
    """What the update does to the file ``rel``; ``base``, ``ours`` or ``kit`` is ``None`` where there is none."""
    if kit is None:  # a file of the base that the kit no longer has
        if ours is None:
            return _Step(Outcome(rel, "unchanged", "gone from the kit and from here"))
        if ours == _like(base, ours):
            return _Step(Outcome(rel, "removed", "the kit no longer has it"))
        return _Step(Outcome(rel, "kept", "the kit no longer has it; you changed it, so it stays"))
    if ours is None:
        if base is not None and base == kit:
            return _Step(Outcome(rel, "unchanged", "you removed it and the kit did not change it"))
        return _Step(Outcome(rel, "added", "" if base is None else "you had removed it; the kit changed it"), kit)
    base, kit = _like(base, ours), _like(kit, ours)
    if ours == kit:
        return _Step(Outcome(rel, "unchanged"))
    if base is not None and base == kit:
        return _Step(Outcome(rel, "unchanged", "the kit did not change it"))
    if base is not None and ours == base:
        return _Step(Outcome(rel, "updated"), kit)
    code = rel.startswith(f"{workspace.PACKAGE}/")
    if base is None and not code:
        if rel == ".gitignore":  # ignore rules only add up: keep the learner's, add the kit's new ones
            have = set(lines_of(ours))
            added = [line if line.endswith("\n") else line + "\n" for line in lines_of(kit) if line not in have]
            glue = "" if ours.endswith("\n") or not ours else "\n"
            return _Step(Outcome(rel, "updated", "the kit's new lines added, yours kept"), ours + glue + "".join(added))
        note = "no record of what kata init gave, so replaced by the kit's; your copy: kata update --undo"
        return _Step(Outcome(rel, "updated", note), kit)
    if rel.endswith(".py") and code:
        try:
            merged = merge_python(base, ours, kit)
        except (SyntaxError, ValueError) as exc:
            where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
            note = f"it does not parse{where}, so the kit's changes could not be merged: the kit's version is {rel}.new"
            return _Step(Outcome(rel, "kept", note), beside=kit, settled=False)
    else:
        old = lines_of(ours if base is None else base)
        merged = merge_lines(old, lines_of(ours), lines_of(kit), protected=lambda index: base is None)
    text = "".join(merged.lines)
    extra = f"; kept {merged.kept} line(s) the kit's file does not have (yours, or given code it dropped)"
    extra = extra if merged.kept else ""
    if merged.conflicts:
        spans = ", ".join(_span(start, end) for start, end in merged.conflicts)
        if base is None:
            note = f"{spans} may be yours (no record of what kata init gave) and the kit changed them: kept"
        else:
            note = f"you changed {spans} where the kit changed too: kept as you wrote it"
        note += f"; the kit's version is {rel}.new"
        if merged.applied:
            note += " (its other changes are in)"
        return _Step(Outcome(rel, "kept", note + extra), text if text != ours else None, kit)
    if text == ours:
        return _Step(Outcome(rel, "unchanged"))
    if base is None:
        note = "no record of what kata init gave: the kit's given code brought in, your code kept"
        return _Step(Outcome(rel, "updated", note + extra), text)
    return _Step(Outcome(rel, "updated", "your changes kept" + extra), text)


def _like(text: str | None, model: str) -> str | None:
    """``text`` with the line ends of ``model`` (a learner's file saved with Windows line ends stays so)."""
    if text is None or "\r\n" not in model or "\r\n" in text:
        return text
    return text.replace("\n", "\r\n")


def _span(start: int, end: int) -> str:
    if end <= start:
        return f"the lines around line {start + 1}"
    return f"line {start + 1}" if end == start + 1 else f"lines {start + 1}–{end}"


# ------------------------------------------------------------------------- writing


def read(path: Path) -> str:
    """A file's text exactly as stored (UTF-8, line ends untranslated)."""
    return path.read_bytes().decode("utf-8")


def write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file beside it, then :func:`os.replace`.

    A file that existed keeps its permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(text.encode("utf-8"))
        if path.is_file():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def apply(root: Path, writes: dict[str, str | None], version: str = "") -> Path | None:
    """Make ``writes`` in the workspace ``root``, keeping what they replace; returns the undo folder.

    Only files that change are touched (``None`` when none does). Each is first checked
    (no folder in the way), then every file about to change is copied to
    ``.kata/undo/STAMP/files/`` with a manifest, then each is written atomically. If a
    write fails, what was written before it is put back and the error raised.
    """
    changes = {rel: text for rel, text in writes.items() if _differs(root / rel, text)}
    if not changes:
        return None
    for rel in changes:
        path = root / rel
        if path.is_dir() or any(p.exists() and not p.is_dir() for p in path.parents if root in p.parents):
            raise UpdateError(f"cannot write {rel}: a folder or a file is in the way (nothing was changed)")
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}.{time.time_ns() % 10**9:09d}"
    folder = root / UNDO_DIR / stamp
    made = {new for rel, text in changes.items() if text is not None for new in _missing(root, (root / rel).parent)}
    made_dirs = sorted(made | set(_missing(root, folder)))
    files = {rel: {"existed": (root / rel).is_file(), "written": None} for rel in changes}
    manifest = {"kit": version, "made": stamp, "files": files, "dirs": made_dirs}
    try:
        for rel, text in changes.items():  # first the copies of what is replaced, then the manifest
            if files[rel]["existed"]:
                (folder / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / rel, folder / "files" / rel)
            files[rel]["written"] = None if text is None else _digest(text.encode("utf-8"))
        write(folder / "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
        for rel, text in changes.items():
            if text is None:
                (root / rel).unlink()
            else:
                write(root / rel, text)
    except BaseException:
        if (folder / "manifest.json").is_file():
            _restore(root, folder, manifest)
        shutil.rmtree(folder, ignore_errors=True)
        _remove_empty(root, made_dirs)
        raise
    return folder


def _differs(path: Path, text: str | None) -> bool:
    if text is None:
        return path.is_file()
    return not path.is_file() or path.read_bytes() != text.encode("utf-8")


def _missing(root: Path, folder: Path) -> list[str]:
    """``folder`` and the folders above it, up to ``root``, that do not exist yet (relative to ``root``)."""
    return [p.relative_to(root).as_posix() for p in (folder, *folder.parents) if root in p.parents and not p.exists()]


def _remove_empty(root: Path, rels: list[str]) -> None:
    for rel in sorted(rels, key=lambda rel: rel.count("/"), reverse=True):
        with contextlib.suppress(OSError):  # not empty (or gone): it stays as it is
            (root / rel).rmdir()


def _restore(root: Path, folder: Path, manifest: dict[str, Any], keep_later: str | None = None) -> list[str]:
    """Put back the files of an undo folder; with ``keep_later`` (a stamp), keep later edits in ``.bak`` files first."""
    said = []
    for rel, entry in manifest["files"].items():
        path = root / rel
        mine = keep_later and not rel.startswith(f"{KATA_DIR}/") and path.is_file()
        if mine and _digest(path.read_bytes()) != entry["written"]:
            backup = path.with_name(f"{path.name}.{keep_later}.bak")
            shutil.copy2(path, backup)
            said.append(f"kept     {rel}: you changed it after the update; that version is in {backup.name}")
        if entry["existed"]:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / "files" / rel, tmp)
            os.replace(tmp, path)
            said.append(f"restored {rel}")
        elif path.is_file():
            path.unlink()
            said.append(f"removed  {rel} (the update had added it)")
    return said


def undo_folders(root: Path) -> list[Path]:
    """The undo folders of the workspace ``root``, oldest first (their names are the updates' times)."""
    return sorted(p for p in (root / UNDO_DIR).glob("*") if (p / "manifest.json").is_file())


def undo(root: Path) -> list[str]:
    """Put back the files the newest update of ``root`` replaced, byte for byte; returns what it did, line by line.

    A file changed since that update is first kept as ``FILE.STAMP.bak``. The undo
    folder is then removed, and the folders the update made if they are empty. Raises
    :class:`UpdateError` when there is nothing to undo or the undo folder is incomplete.
    """
    folders = undo_folders(root)
    if not folders:
        raise UpdateError(f"no update to undo in {root} (kata update keeps what it replaced in {UNDO_DIR}/)")
    folder = folders[-1]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = manifest["files"]
    missing = [rel for rel, entry in files.items() if entry["existed"] and not (folder / "files" / rel).is_file()]
    if missing:
        raise UpdateError(f"{folder.relative_to(root)} lacks {', '.join(missing)}: cannot undo (nothing was changed)")
    said = _restore(root, folder, manifest, keep_later=folder.name)
    shutil.rmtree(folder)
    _remove_empty(root, manifest["dirs"])
    shown = [line for line in said if f" {KATA_DIR}/" not in line]
    if len(shown) < len(said):
        shown.append(f"restored the record of what the kit gave ({BASE_DIR}/)")
    return shown


# ------------------------------------------------------------------------- command


def cmd_update(args: argparse.Namespace) -> int:
    """``kata update [--dry-run] [--undo]``: bring the workspace to the installed kit, or undo the last update."""
    root = workspace.find()
    if root is None:
        print("kata update updates a workspace made by kata init: run it inside one (there is none here)")
        return 2
    try:
        if getattr(args, "undo", False):
            if not undo_folders(root):
                print(f"no update to undo here: kata update keeps what it replaces in {UNDO_DIR}/, and it is empty")
                return 1
            for line in undo(root):
                print(line)
            return 0
        made = plan(root)
        report(made)
        if getattr(args, "dry_run", False):
            print("nothing written (--dry-run)")
            return 0
        folder = apply(root, made.writes, made.version)
    except (UpdateError, OSError, ValueError) as exc:  # ValueError: a damaged record or undo manifest
        print(f"kata update: {exc}", file=sys.stderr)
        return 2
    if folder is None:
        print("nothing to write: the workspace already has the kit's version of every file")
    else:
        print(f"undo: kata update --undo   (what it replaced: {folder.relative_to(root).as_posix()}/)")
    package = f"{workspace.PACKAGE}/"
    if any(o.status in ("updated", "added", "removed") and o.path.startswith(package) for o in made.outcomes):
        print("next: kata check (the given code changed)")
    return 0


def report(made: Plan) -> None:
    """Say, file by file, what the update does; the unchanged files as a count."""
    if made.since is None:
        print(
            f"kata update: to the kit {made.version}. This workspace has no record of what kata init gave it "
            "(an older kit made it): your kata bodies and your own code are kept, the kit's given code is brought in."
        )
    else:
        print(f"kata update: from the kit {made.since} (what this workspace was given) to the kit {made.version}")
    for outcome in made.outcomes:
        if outcome.status != "unchanged":
            note = f" — {outcome.note}" if outcome.note else ""
            print(f"{outcome.status:<9} {outcome.path}{note}")
    same = sum(outcome.status == "unchanged" for outcome in made.outcomes)
    print(f"unchanged {same} file{'s' if same != 1 else ''}")


def add_arguments(command: argparse.ArgumentParser) -> None:
    """``kata update``'s options."""
    command.add_argument("--undo", action="store_true", help="put back the files the last update replaced")
    command.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
