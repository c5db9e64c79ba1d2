"""``kata``: the learner's loop — status, check, hints, watch — around the spec.

    kata                      the table of katas and what to do next (same as: kata status)
    kata check [N]            kata N (default: the current one) and every earlier kata
    kata hint N               the next hint of kata N, gentle first
    kata watch                check again whenever a file of your package changes
    kata list                 every kata, its points and its page
    kata demo NAME            run a demo on your code (kata demo --list)
    kata reset N              put kata N's bodies in your package back to the skeleton
    kata init DIR             make a workspace of your own: the skeleton and the pages, no solutions

Every command takes ``--impl NAME`` (default ``student``): instructors point it at
``reference`` or at any package laid out as the API contract says.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import runpy
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from katas import catalogue
from katas.catalogue import KIT_ROOT
from kit import demos
from kit.authoring import skeleton
from kit.grading.grade import add_arguments as add_grade_arguments
from kit.grading.grade import cmd_grade

from . import workspace
from .runner import DEFAULT_TIMEOUT, SpecRun, package_folder, run_spec

#: What the command remembers (hint levels, katas seen complete); ``$KATA_STATE`` moves it.
STATE_FILE = Path(os.environ.get("KATA_STATE") or workspace.state_file() or KIT_ROOT / workspace.STATE_NAME)
DEMOS = Path(demos.__file__).resolve().parent


def console() -> Console:
    """Colour on a terminal, plain text in pipes and CI logs, none at all with ``NO_COLOR``."""
    wide = Console().is_terminal or "COLUMNS" in os.environ
    return Console(highlight=False, markup=False, soft_wrap=True, width=None if wide else 110)


# ------------------------------------------------------------------------ state


def load_state() -> dict[str, dict[str, Any]]:
    """What the command remembers between runs: hint levels shown, katas seen complete."""
    try:
        state = json.loads(STATE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    return {"hints": dict(state.get("hints", {})), "complete": dict(state.get("complete", {}))}


def save_state(state: dict[str, dict[str, Any]]) -> None:
    """Write the state atomically: a crash mid-write never loses what was there."""
    tmp = STATE_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, STATE_FILE)


# ---------------------------------------------------------------------- status


def progress_table(run: SpecRun) -> Table:
    """Number, title, passed/total and a mark per kata; planned katas listed as such."""
    table = Table(title=f"nn-katas · implementation {run.implementation!r}", title_justify="left")
    table.add_column("kata", justify="right")
    table.add_column("title")
    table.add_column("passed", justify="right")
    table.add_column("", justify="center")
    current = run.current()
    for kata in catalogue.load():
        outcome = run.outcomes.get(kata.number)
        if outcome is None:
            table.add_row(f"{kata.number:02d}", Text(kata.title, style="dim"), Text("planned", style="dim"), "")
            continue
        mark = Text("✓", style="green") if outcome.complete else Text("←", style="yellow") if kata is current else ""
        table.add_row(f"{kata.number:02d}", kata.title, f"{outcome.passed}/{outcome.total}", mark)
    return table


def show_next(out: Console, run: SpecRun, impl: str) -> None:
    current = run.current()
    flag = "" if impl == "student" else f" --impl {impl}"
    if current is None:
        out.print(Text("Every kata passes. Well done.", style="green"))
        return
    out.print(f"Current: kata {current.number:02d} · {current.title} — read {current.page}")
    out.print(f"Next: kata check{flag}   (or: kata watch{flag}, kata hint {current.number})")


def cmd_status(args: argparse.Namespace) -> int:
    out = console()
    run = run_spec(args.impl, timeout=args.timeout)
    remember_complete(run)
    _print_problems(out, run)
    out.print(progress_table(run))
    show_next(out, run, args.impl)
    return 0


# ----------------------------------------------------------------------- check


def remember_complete(run: SpecRun) -> list[catalogue.Kata]:
    """Record which katas pass now; return the ones that passed on an earlier run and fail now."""
    state = load_state()
    key = run.implementation
    before = set(state["complete"].get(key, []))
    now = {n for n, o in run.outcomes.items() if o.complete}
    broken = sorted(before - now)
    state["complete"][key] = sorted(now | {n for n in before if n not in run.outcomes})
    save_state(state)
    return [catalogue.by_number(n) for n in broken]


def check(out: Console, impl: str, number: int | None, timeout: float) -> bool:
    """Run kata ``number`` (default: the current one) and every earlier kata; print; True when it passes."""
    if number is None:
        run = run_spec(impl, timeout=timeout)
        current = run.current()
        if current is None:
            out.print(progress_table(run))
            show_next(out, run, impl)
            return True
        number = current.number
    else:
        run = run_spec(impl, list(range(1, number + 1)), timeout=timeout)
    was_complete = remember_complete(run)
    _print_problems(out, run)
    kata = catalogue.by_number(number)
    outcome = run.outcomes.get(number)
    if outcome is None:
        out.print(f"kata {number:02d} · {kata.title} is not written yet (planned): nothing to check.")
        return False
    earlier = [o for n, o in run.outcomes.items() if n < number and not o.complete]
    for regression in earlier:
        again = " (it passed on an earlier check)" if regression.kata in was_complete else ""
        out.rule(f"regression: kata {regression.kata.number:02d} · {regression.kata.title}{again}", style="red")
        out.print(
            f"A change broke kata {regression.kata.number:02d}: {len(regression.failures)} test(s) fail there now."
        )
        _render(out, regression.failures[:3])
        if len(regression.failures) > 3:
            out.print(f"… and {len(regression.failures) - 3} more: kata check {regression.kata.number}")
    if outcome.complete:
        out.print(Text(f"✓ kata {number:02d} · {kata.title}: {outcome.passed}/{outcome.total}", style="green"))
        out.print(f"You built {kata.built}.")
        following = next((k for k in catalogue.load() if k.number > number), None)
        if following is not None:
            out.print(f"Next: kata {following.number:02d} · {following.title} — read {following.page}")
        return not earlier
    out.rule(f"kata {number:02d} · {kata.title} — {outcome.passed}/{outcome.total} passing", style="yellow")
    _render(out, outcome.failures)
    out.print(f"Read {kata.page}; stuck? kata hint {number}")
    return False


def _render(out: Console, failures: list[dict[str, object]]) -> None:
    from spec_tests.report import Failure, render_failures

    render_failures(out, [Failure(**failure) for failure in failures])


def _print_problems(out: Console, run: SpecRun) -> None:
    for problem in run.problems:
        out.print(Text(f"could not collect {problem}", style="red"))


def cmd_check(args: argparse.Namespace) -> int:
    return 0 if check(console(), args.impl, args.number, args.timeout) else 1


# ------------------------------------------------------------------------ hint


def hints_of(kata: catalogue.Kata) -> list[str]:
    """The texts under the page's ``Hint 1``, ``Hint 2``, … headings, in order."""
    text = (KIT_ROOT / kata.page).read_text(encoding="utf-8")
    parts = re.split(r"^#+\s*Hint\s+\d+\s*$", text, flags=re.M)[1:]
    return [re.split(r"^#", part, maxsplit=1, flags=re.M)[0].strip() for part in parts]


def cmd_hint(args: argparse.Namespace) -> int:
    out = console()
    kata = catalogue.by_number(args.number)
    if not kata.ready:
        out.print(f"kata {kata.number:02d} is planned: it has no page yet.")
        return 1
    hints = hints_of(kata)
    state = load_state()
    shown = state["hints"].get(str(kata.number), 0)
    level = args.level or min(shown + 1, len(hints))
    if not 1 <= level <= len(hints):
        out.print(f"kata {kata.number:02d} has hints 1–{len(hints)}")
        return 2
    out.rule(f"kata {kata.number:02d} · hint {level} of {len(hints)}")
    out.print(hints[level - 1])
    if level < len(hints):
        out.print(Text(f"\nStill stuck? kata hint {kata.number} shows hint {level + 1}.", style="dim"))
    state["hints"][str(kata.number)] = max(shown, level)
    save_state(state)
    return 0


# ----------------------------------------------------------------------- watch


def cmd_watch(args: argparse.Namespace) -> int:
    out = console()
    folder = package_folder(args.impl)
    if folder is None and not args.manual:
        out.print(f"cannot find the package {args.impl!r} to watch; try --manual")
        return 2
    enter = EnterKey()
    while True:
        if out.is_terminal:
            out.clear()
        out.print(Text(time.strftime("%H:%M:%S "), style="dim") + Text(f"kata watch · {args.impl}"))
        check(out, args.impl, None, args.timeout)
        how = "press Enter to check again" if args.manual else f"watching {folder} (Enter checks again)"
        out.print(Text(f"{how}, Ctrl-C to stop", style="dim"))
        try:
            if not wait_for_change(None if args.manual else folder, enter):
                return 0
        except KeyboardInterrupt:
            return 0


class EnterKey:
    """Reads standard input on a thread: each line asks for another check, the end of input for none."""

    def __init__(self) -> None:
        self.pressed = threading.Event()  # set by Enter only: it interrupts a file watch
        self._lines: queue.Queue[bool] = queue.Queue()  # True per Enter, False once at the end of input
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while sys.stdin.readline():
            self._lines.put(True)
            self.pressed.set()
        self._lines.put(False)

    def take(self, block: bool) -> bool | None:
        """True if Enter was pressed, False if input has ended, None if neither (when not blocking).

        Several Enters count as one; the end of input is kept, so it is seen again.
        """
        try:
            items = [self._lines.get(block=block)]
        except queue.Empty:
            return None
        while not self._lines.empty():
            items.append(self._lines.get_nowait())
        self.pressed.clear()
        if False in items:
            self._lines.put(False)
        return True in items or (False if False in items else None)


def wait_for_change(folder: Path | None, enter: EnterKey) -> bool:
    """Wait for a ``.py`` change under ``folder`` or for Enter; False when only Enter could wake us and input ended."""
    if folder is None:
        return bool(enter.take(block=True))
    from watchfiles import watch

    for _changes in watch(folder, stop_event=enter.pressed, watch_filter=lambda _change, path: path.endswith(".py")):
        break
    enter.take(block=False)
    return True


# ------------------------------------------------------------------ list, demo


def cmd_list(args: argparse.Namespace) -> int:
    table = Table(title="nn-katas · the katas", title_justify="left")
    for column in ("kata", "title", "status", "points", "page"):
        table.add_column(column, justify="right" if column in ("kata", "points") else "left")
    for kata in catalogue.load():
        table.add_row(f"{kata.number:02d}", kata.title, kata.status, str(kata.points), kata.page if kata.ready else "")
    console().print(table)
    return 0


def demos() -> dict[str, Path]:
    """Demo name (``value-mnist``) → its module file in ``kit/demos``."""
    return {path.stem.replace("_", "-"): path for path in sorted(DEMOS.glob("*.py")) if path.stem != "__init__"}


def cmd_demo(args: argparse.Namespace) -> int:
    found = demos()
    if args.name is None or args.name not in found:
        out = console()
        if args.name is not None:
            out.print(f"there is no demo {args.name!r}")
        out.print("demos: " + (", ".join(found) or "none yet"))
        return 0 if args.name is None else 2
    module = f"kit.demos.{found[args.name].stem}"
    chosen = [] if "--impl" in args.rest else ["--impl", args.impl]  # `kata demo NAME … --impl X` lands in rest
    sys.argv = [module, *args.rest, *chosen]
    runpy.run_module(module, run_name="__main__")
    return 0


# ----------------------------------------------------------------------- reset


def cmd_reset(args: argparse.Namespace) -> int:
    out = console()
    kata = catalogue.by_number(args.number)
    folder = package_folder(args.impl)
    if folder is None:
        out.print(f"cannot find the package {args.impl!r}")
        return 2
    if not args.yes:
        answer = input(
            f"Reset kata {kata.number:02d}'s functions in {folder} to the skeleton? A backup is kept. [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            out.print("nothing changed")
            return 1
    for path, backup in reset_kata(kata, folder):
        out.print(f"reset {path} (your version: {backup})")
    return 0


def reset_kata(kata: catalogue.Kata, folder: Path) -> list[tuple[Path, Path]]:
    """Put ``kata``'s bodies in ``folder`` back to the skeleton's; returns (file, backup) pairs.

    Only the tagged functions of this kata change; everything else in the file, the
    learner's other katas included, stays as it is.
    """
    wanted = skeleton.generate()
    changed = []
    for rel in kata.files:
        path = folder / rel
        source = path.read_text(encoding="utf-8")
        fresh = _stub_bodies(source, kata.number, wanted[rel])
        if fresh == source:
            continue
        backup = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
        shutil.copy2(path, backup)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(fresh, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
        changed.append((path, backup))
    return changed


def _stub_bodies(source: str, number: int, generated: str) -> str:
    """``source`` with the bodies of kata ``number`` replaced by those of ``generated`` (the skeleton)."""
    stubs = {body.qualname: body for body in skeleton.find_kata_bodies(generated) if body.kata == number}
    generated_lines = generated.splitlines(keepends=True)
    lines = source.splitlines(keepends=True)
    for body in reversed(skeleton.find_kata_bodies(source)):
        stub = stubs.get(body.qualname)
        if body.kata == number and stub is not None:
            lines[body.first_line - 1 : body.last_line] = generated_lines[stub.first_line - 1 : stub.last_line]
    return "".join(lines)


# ------------------------------------------------------------------------ main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kata", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--impl", default="student", help="the implementation package (default: student)")
    common.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help=f"seconds per test (default {DEFAULT_TIMEOUT:g})"
    )
    sub = parser.add_subparsers(dest="command")
    commands: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
        "status": (cmd_status, "the table of katas and what to do next"),
        "check": (cmd_check, "check kata N (default: the current one) and every earlier kata"),
        "hint": (cmd_hint, "the next hint of kata N"),
        "watch": (cmd_watch, "check again whenever a file of the package changes"),
        "list": (cmd_list, "every kata, its points and its page"),
        "demo": (cmd_demo, "run a demo on the implementation"),
        "reset": (cmd_reset, "put kata N's functions back to the skeleton (keeps a backup)"),
        "grade": (cmd_grade, "grade a submission for CI: isolated, time- and memory-limited, results file"),
        "init": (workspace.cmd_init, "make a workspace of your own in DIR: the skeleton, the pages, no solutions"),
    }
    for name, (handler, help_text) in commands.items():
        command = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        if name == "check":
            command.add_argument("number", type=int, nargs="?", help="the kata (default: the current one)")
        elif name in ("hint", "reset"):
            command.add_argument("number", type=int, help="the kata")
        if name == "hint":
            command.add_argument("--level", type=int, help="show this hint level (1 = gentlest)")
        elif name == "watch":
            command.add_argument("--manual", action="store_true", help="check again on Enter only")
        elif name == "reset":
            command.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        elif name == "demo":
            command.add_argument("name", nargs="?", help="the demo (omit to list them)")
            command.add_argument("rest", nargs=argparse.REMAINDER, help="arguments for the demo")
        elif name == "grade":
            add_grade_arguments(command)
        elif name == "init":
            command.add_argument("dir", help="the folder to make (new or empty)")
    parser.set_defaults(handler=cmd_status, impl="student", timeout=DEFAULT_TIMEOUT)
    return parser


def main(argv: list[str] | None = None) -> int:
    workspace.activate()  # inside a workspace (kata init), its student/ is the one checked
    args = build_parser().parse_args(argv)
    if getattr(args, "number", None) is not None:
        try:
            catalogue.by_number(args.number)
        except KeyError as exc:
            console().print(str(exc.args[0]))
            return 2
    try:
        return args.handler(args)
    except RuntimeError as exc:
        console().print(Text(str(exc), style="red"))
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
