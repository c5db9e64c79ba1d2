"""A learner's workspace: a folder of their own, made by ``kata init DIR``, with no solutions in it.

The installed kit (``pip install nn-katas``) holds the ``kata`` command, the spec, the
pages and the skeleton, never the reference. ``kata init DIR`` copies the skeleton
package ``student/``, the kata pages and the contract into ``DIR``, with a short README, a
``.gitignore`` and the command's state file ``.kata-state.json``. That state file marks
the folder: run anywhere inside it, ``kata`` finds the workspace (:func:`find`), puts it
first on the import path of itself and of the spec runs it starts (:func:`activate`),
and keeps its state and Hypothesis's examples there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from katas import catalogue
from katas.catalogue import KIT_ROOT

#: The state file of the ``kata`` command; in a workspace it also marks the workspace's root.
STATE_NAME = ".kata-state.json"
PACKAGE = "student"
CONTRACT_NAME = "contract.md"

GITIGNORE = """\
__pycache__/
*.pyc
# kata reset keeps your replaced code in *.bak files; kata writes its state atomically via *.tmp
*.bak
*.tmp
# kata update keeps what it replaced here (kata update --undo); .kata/base/ is meant to be committed
.kata/undo/
# Hypothesis's examples database (the spec's failing cases, replayed first next time)
.hypothesis/
mnist-demo/
grade-results.*
"""

README = """\
# My nn-katas workspace

Build a neural-network library from scratch in `student/`, one kata at a time. Each
kata's page is in `katas/` (`katas/01-values/README.md` first); the rules every
function must follow are in `contract.md`, the kit's contract: each spec test names the
section it checks.

Run these in this folder (or any folder inside it):

    kata                 the table of katas and what to do next
    kata check           check the current kata (and every earlier one)
    kata watch           check again whenever you save a file of student/
    kata hint N          the next hint of kata N, gentle first
    kata demo NAME       run a demo on your code (kata demo lists them)
    kata grade --path student   grade it the way your course does
    kata reset N         put kata N's functions back to the skeleton (kata reset N --undo: back again)
    kata update          bring the given code, the pages and the contract to the installed kit

After the kit is upgraded (installed again, a newer version), `kata update` brings in what
changed in the code the kit gives you (everything in `student/` but the kata bodies),
the pages, the contract and this README, without touching a line you wrote: your kata
bodies, and your own functions, imports and edits, stay. It says what it did, file by
file; where you and the kit changed the same lines, yours stay and the kit's version
is written beside the file as `FILE.new`. `kata update --undo` puts back exactly what
you had.

To know what you changed, it compares with what `kata init` gave you, kept in
`.kata/base/` (commit it with your work: in a clone without it, `kata update` cannot
tell your edits from the kit's older code). Its backups go to `.kata/undo/`, which git
ignores. A workspace made by a kit older than `kata update` has no `.kata/base/`: there
the command keeps your kata bodies and every function, import or line of your own, and
takes the rest of the given code, and the pages, to be the older kit's (your old files
stay in `.kata/undo/` for `kata update --undo`).

`.kata-state.json` is the command's memory (hints seen, katas passed) and marks this
folder as a workspace: keep it.
"""


def skeleton_folder() -> Path:
    """The skeleton package: inside the installed kit (``kit.skeleton``), else the checkout's ``student/``."""
    installed = KIT_ROOT / "kit" / "skeleton"
    return installed if (installed / "__init__.py").is_file() else KIT_ROOT / PACKAGE


def contract_file() -> Path:
    """The contract: inside the installed kit (``kit/docs/contract.md``), else the checkout's ``docs/contract.md``."""
    installed = KIT_ROOT / "kit" / "docs" / CONTRACT_NAME
    return installed if installed.is_file() else KIT_ROOT / "docs" / CONTRACT_NAME


def init(target: Path) -> list[Path]:
    """Make a workspace at ``target`` (new or empty); returns the files written.

    Besides the given files it records them as they are in ``.kata/base/`` (with the
    kit's version in ``.kata/base.json``): the base ``kata update`` merges from.

    Raises ``FileExistsError`` for a folder that is not empty and ``NotADirectoryError``
    for a file, before writing anything.
    """
    target = Path(target)
    if target.is_file():
        raise NotADirectoryError(f"{target} is a file: kata init needs a new or empty folder")
    if target.is_dir() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty: kata init needs a new or empty folder")
    from .update import base_files, kit_texts, write  # update reads this module's names: imported here, not above

    given = kit_texts()  # the skeleton (the installed one, or generated in the kit's clone), pages, contract, …
    if f"{PACKAGE}/__init__.py" not in given:
        raise FileNotFoundError(f"the kit has no skeleton package at {skeleton_folder()}: reinstall nn-katas")
    target.mkdir(parents=True, exist_ok=True)
    # Each given file, and the same again in .kata/base/: what kata update will compare the learner's files with.
    for rel, text in {**given, **base_files(given)}.items():
        write(target / rel, text)
    (target / STATE_NAME).write_text(json.dumps({"hints": {}, "impls": {}}, indent=1) + "\n", encoding="utf-8")
    return sorted(path for path in target.rglob("*") if path.is_file())


def find(start: Path | None = None) -> Path | None:
    """The workspace that holds ``start`` (default: the current folder), or ``None``."""
    here = (Path.cwd() if start is None else Path(start)).resolve()
    for folder in (here, *here.parents):
        if folder == KIT_ROOT:  # the kit's own checkout is no workspace: there, everything stays as it was
            return None
        if (folder / STATE_NAME).is_file() and (folder / PACKAGE / "__init__.py").is_file():
            return folder
    return None


def state_file() -> Path | None:
    """The state file of the workspace around the current folder, if there is one."""
    root = find()
    return None if root is None else root / STATE_NAME


def activate(root: Path | None = None) -> Path | None:
    """Inside a workspace, make its package importable here and in every spec run started from here.

    Puts the workspace first on ``sys.path`` and ``PYTHONPATH`` and keeps Hypothesis's
    database in it. Returns the workspace, or ``None`` outside one.
    """
    root = find() if root is None else root
    if root is None:
        if (KIT_ROOT / PACKAGE / "__init__.py").is_file() and str(KIT_ROOT) not in sys.path:
            # The kit's checkout: its student/ and reference/ stay importable from here, last on the path
            # (as an editable install of the old layout made them), whatever the current folder.
            sys.path.append(str(KIT_ROOT))
        return None
    where = str(root)
    if where not in sys.path:
        sys.path.insert(0, where)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != where]
    os.environ["PYTHONPATH"] = os.pathsep.join([where, *paths])
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(root / ".hypothesis"))
    return root


def cmd_init(args: argparse.Namespace) -> int:
    """``kata init DIR``: make the workspace and say what to do next."""
    try:
        written = init(Path(args.dir))
    except (FileExistsError, NotADirectoryError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 2
    first = next(kata for kata in catalogue.load() if kata.ready)
    print(f"made the workspace {args.dir} ({len(written)} files): your package is {args.dir}/{PACKAGE}/")
    print(f"next: cd {args.dir} && kata      (then read {first.page})")
    return 0
