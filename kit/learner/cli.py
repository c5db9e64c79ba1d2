"""``kata``: the learner's loop — status, check, hints, watch — around the spec.

    kata                      the table of katas and what to do next (same as: kata status)
    kata check [N] [--all]    kata N (default: the current one) first, then earlier katas whose files changed
    kata start N              start at kata N (kata start 13: straight to the NumPy track)
    kata hint N               the next hint of kata N, gentle first
    kata watch [N]            check again whenever a file of your package changes
    kata list                 every kata: done, in progress or not started
    kata demo NAME            run a demo on your code (kata demo --list)
    kata reset N [--undo]     put kata N's bodies in your package back to the skeleton (or undo that)
    kata init DIR             make a workspace of your own: the skeleton and the pages, no solutions
    kata update [--undo]      in a workspace: the given code, pages and contract to the installed kit's, your lines kept

Results are remembered per file (``.kata-state.json``): status answers from them for
files unchanged since, and a check re-runs only what a change can have broken.

Every command takes ``--impl NAME`` (default ``student``): instructors point it at
``reference`` or at any package laid out as the API contract says.
"""

from __future__ import annotations

import argparse
import os
import queue
import runpy
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from katas import catalogue
from kit import demos
from kit.authoring import dev, skeleton
from kit.grading import screen
from kit.grading.classroom.run import add_arguments as add_class_arguments
from kit.grading.classroom.run import cmd_grade_class
from kit.grading.grade import add_arguments as add_grade_arguments
from kit.grading.grade import cmd_grade

from . import update, workspace
from .runner import DEFAULT_TIMEOUT, PROCESSES, KataOutcome, SpecRun, keep_warm, package_folder, run_groups
from .state import Progress as ProgressRecords
from .state import current_kata, fingerprints, load_state, progress_of, record, save_progress, save_state, snapshot

DEMOS = Path(demos.__file__).resolve().parent


def console() -> Console:
    """Colour on a terminal, plain text in pipes and CI logs, none at all with ``NO_COLOR``."""
    wide = Console().is_terminal or "COLUMNS" in os.environ
    return Console(highlight=False, markup=False, soft_wrap=True, width=None if wide else 110)


# ---------------------------------------------------------------------- running


class Watcher:
    """Shows the spec's progress while it runs: a live line on a terminal, and each timeout as it happens."""

    def __init__(self, out: Console, timeout: float) -> None:
        self.out = out
        self.timeout = timeout
        self.total = 0
        self.done = 0
        self.running: dict[str, float] = {}
        self.live = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=out,
            transient=True,
            disable=not out.is_terminal,
        )
        self.task = self.live.add_task("running the spec", total=None)

    def __enter__(self) -> Watcher:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()

    def __call__(self, event: dict[str, object]) -> None:
        kind = event["event"]
        if kind == "collected":
            self.total += int(event["count"])  # type: ignore[call-overload]
        elif kind == "start":
            self.running[str(event["nodeid"])] = time.monotonic()
        elif kind == "done":
            self.running.pop(str(event["nodeid"]), None)
            self.done += 1
            problem = str(event.get("problem") or "")
            if problem.startswith("timed out"):
                name = str(event["nodeid"]).split("::")[-1]
                self.live.console.print(
                    Text(f"⏱ {name}: {problem} (the other tests that reach it will not wait)", style="red")
                )
        self.live.update(self.task, total=self.total or None, completed=self.done, description=self._describe())

    def _describe(self) -> str:
        if not self.running:
            return "running the spec"
        nodeid, since = min(self.running.items(), key=lambda item: item[1])
        return f"{nodeid.split('::')[-1][:60]} ({time.monotonic() - since:.0f} s of {self.timeout:g})"


def check_katas(
    out: Console, impl: str, groups: list[list[int]], timeout: float, detail: bool = False
) -> Iterator[tuple[SpecRun, list[catalogue.Kata]]]:
    """Run ``groups`` side by side with progress shown; record and yield each run with its regressions as it ends."""
    progress = progress_of(impl)
    before = snapshot(package_folder(impl))  # the files as the run starts: its results are of these
    with Watcher(out, timeout) as watcher:
        for run in run_groups(impl, groups, timeout, on_event=watcher, detail=detail):
            broken = record(progress, run, before)
            save_progress(impl, progress)
            yield run, broken


# ---------------------------------------------------------------------- status


def progress_table(impl: str, progress: ProgressRecords, current: catalogue.Kata | None) -> Table:
    """Number, title, passed/total and a mark per kata; planned katas listed as such."""
    table = Table(title=f"nn-katas · implementation {impl!r}", title_justify="left")
    table.add_column("kata", justify="right")
    table.add_column("title")
    table.add_column("passed", justify="right")
    table.add_column("", justify="center")
    for kata in catalogue.load():
        found = progress.records.get(kata.number)
        if not kata.ready:
            table.add_row(f"{kata.number:02d}", Text(kata.title, style="dim"), Text("planned", style="dim"), "")
            continue
        counts = f"{found.passed}/{found.total}" if found else "?"
        mark = (
            Text("✓", style="green")
            if found and found.complete
            else Text("←", style="yellow")
            if kata == current
            else ""
        )
        table.add_row(f"{kata.number:02d}", kata.title, counts, mark)
    return table


def show_next(out: Console, current: catalogue.Kata | None, impl: str) -> None:
    flag = "" if impl == "student" else f" --impl {impl}"
    if current is None:
        out.print(Text("Every kata passes. Well done.", style="green"))
        return
    out.print(f"Current: kata {current.number:02d} · {current.title} — read {current.page}")
    out.print(f"Next: kata check{flag}   (or: kata watch{flag}, kata hint {current.number})")


def cmd_status(args: argparse.Namespace) -> int:
    """The table from recorded results; katas whose files changed since (or never checked) run first."""
    out = console()
    progress = progress_of(args.impl)
    prints = fingerprints(package_folder(args.impl), progress)  # over what each kata's tests reached
    stale = [
        n for n, fingerprint in prints.items() if getattr(progress.records.get(n), "fingerprint", None) != fingerprint
    ]
    if stale:
        for run, _broken in check_katas(out, args.impl, [stale[i::PROCESSES] for i in range(PROCESSES)], args.timeout):
            _print_problems(out, run)
        progress = progress_of(args.impl)
    current = current_kata(progress)
    out.print(progress_table(args.impl, progress, current))
    show_next(out, current, args.impl)
    return 0


# ----------------------------------------------------------------------- check


def check(
    out: Console, impl: str, number: int | None, timeout: float, everything: bool = False, detail: bool = False
) -> bool:
    """Kata ``number`` (default: the current one) first, then the earlier katas that passed and changed since.

    Prints kata ``number``'s result as soon as it is known, and the earlier katas' after it, whichever
    run ends first; with ``detail``, pytest's full tracebacks of kata ``number``'s failures too. True when
    it passes and no earlier kata broke.
    """
    progress = progress_of(impl)
    if number is None:
        unchecked = [k.number for k in catalogue.load() if k.ready and k.number not in progress.records]
        if unchecked:  # the first check of all: find where the learner stands, once
            out.print(Text(f"first check: finding where you stand ({len(unchecked)} katas) …", style="dim"))
            for run, _broken in check_katas(out, impl, [unchecked[i::PROCESSES] for i in range(PROCESSES)], timeout):
                _print_problems(out, run)
            progress = progress_of(impl)
        current = current_kata(progress)
        if current is None:
            out.print(progress_table(impl, progress, None))
            show_next(out, None, impl)
            return True
        if current.number in unchecked:  # it has just run: its result is known
            return show_kata(out, progress.records[current.number].outcome(current))
        number = current.number
    kata = catalogue.by_number(number)
    if not kata.ready:
        out.print(f"kata {number:02d} · {kata.title} is not written yet (planned): nothing to check.")
        return False
    folder = package_folder(impl)
    warn_before_grading(out, folder)
    prints = fingerprints(folder, progress)
    earlier = [
        k.number
        for k in catalogue.load()
        if k.ready and k.number < number and (everything or _changed_since_it_passed(progress, k.number, prints))
    ]
    ok = True
    held: list[tuple[SpecRun, list[catalogue.Kata]]] = []  # the earlier katas' run, when it ends first
    shown = False
    for run, broken in check_katas(out, impl, [[number], earlier], timeout, detail):
        if number not in run.outcomes:
            held.append((run, broken))
            if not shown:
                continue
        else:
            shown = True
            _print_problems(out, run)
            if detail and not run.outcomes[number].complete:
                out.print(Text(run.output.rstrip()))
            ok &= show_kata(out, run.outcomes[number])
            if earlier and not held:
                out.print(Text(f"re-checking {len(earlier)} earlier kata(s) whose files changed …", style="dim"))
        for earlier_run, earlier_broken in held:
            _print_problems(out, earlier_run)
            ok &= show_regressions(out, earlier_run, earlier_broken)
            ok &= not everything or all(outcome.complete for outcome in earlier_run.outcomes.values())
        held.clear()
    return ok


def _changed_since_it_passed(progress: ProgressRecords, number: int, prints: dict[int, str]) -> bool:
    found = progress.records.get(number)
    return found is not None and found.ever_passed and found.fingerprint != prints.get(number)


def show_kata(out: Console, outcome: KataOutcome) -> bool:
    """Kata's result: what was built and what is next, or its failures; True when it passes."""
    kata = outcome.kata
    if outcome.complete:
        out.print(Text(f"✓ kata {kata.number:02d} · {kata.title}: {outcome.passed}/{outcome.total}", style="green"))
        out.print(f"You built {kata.built}.")
        following = next((k for k in catalogue.load() if k.number > kata.number), None)
        if following is not None:
            out.print(f"Next: kata {following.number:02d} · {following.title} — read {following.page}")
        return True
    out.rule(f"kata {kata.number:02d} · {kata.title} — {outcome.passed}/{outcome.total} passing", style="yellow")
    _render(out, outcome.failures)
    out.print(f"Read {kata.page}; stuck? kata hint {kata.number}")
    return False


def show_regressions(out: Console, run: SpecRun, broken: list[catalogue.Kata]) -> bool:
    """The earlier katas that passed before and fail now; True when there are none."""
    for kata in broken:
        outcome = run.outcomes[kata.number]
        out.rule(f"regression: kata {kata.number:02d} · {kata.title} (it passed on an earlier check)", style="red")
        out.print(f"A change broke kata {kata.number:02d}: {len(outcome.failures)} test(s) fail there now.")
        _render(out, outcome.failures[:3])
        if len(outcome.failures) > 3:
            out.print(f"… and {len(outcome.failures) - 3} more: kata check {kata.number}")
    unfinished = [o for o in run.outcomes.values() if not o.complete and o.kata not in broken]
    for outcome in unfinished:  # only with --all: a kata that never passed is unfinished, not broken
        kata = outcome.kata
        out.print(f"kata {kata.number:02d} · {kata.title}: {outcome.passed}/{outcome.total} (not passed yet)")
    passing = [f"{n:02d}" for n, o in run.outcomes.items() if o.complete]
    if passing:
        out.print(Text(f"earlier katas re-checked, passing: {', '.join(passing)}", style="dim"))
    return not broken


def _render(out: Console, failures: list[dict[str, object]]) -> None:
    from spec_tests.report import Failure, render_failures

    render_failures(out, [Failure(**failure) for failure in failures])


def _print_problems(out: Console, run: SpecRun) -> None:
    for problem in run.problems:
        out.print(Text(f"could not collect {problem}", style="red"))


def warn_before_grading(out: Console, folder: Path | None) -> None:
    """Say now what ``kata grade`` would say of the package: a compiled module is refused outright; code the
    static check notes (frames, ``gc``, ``vars``, …) costs nothing, but the grade carries it as a note."""
    if folder is None:
        return
    findings = screen.check_package(folder)
    for finding in findings[:5]:
        if finding.compiled:
            out.print(Text(f"⚠ kata grade will refuse this package: {finding}", style="yellow"))
        else:
            note = f"note: kata grade shows your instructor this place (no points lost): {finding}"
            out.print(Text(note, style="yellow"))
    if len(findings) > 5:
        out.print(Text(f"⚠ … and {len(findings) - 5} more such places", style="yellow"))


def cmd_check(args: argparse.Namespace) -> int:
    return 0 if check(console(), args.impl, args.number, args.timeout, args.all, args.detail) else 1


def cmd_start(args: argparse.Namespace) -> int:
    """Start at kata N (the NumPy track: kata start 13): the current kata is then sought from N on."""
    out = console()
    kata = catalogue.by_number(args.number)
    if not kata.ready:
        out.print(f"kata {kata.number:02d} is planned: it has no page yet.")
        return 1
    progress = progress_of(args.impl)
    progress.start = kata.number
    save_progress(args.impl, progress)
    out.print(f"Starting at kata {kata.number:02d} · {kata.title} — read {kata.page}")
    flag = "" if args.impl == "student" else f" --impl {args.impl}"
    out.print(f"Next: kata check{flag}   (katas before {kata.number:02d} are not asked for)")
    return 0


# ------------------------------------------------------------------------ hint


def cmd_hint(args: argparse.Namespace) -> int:
    """Show the kata's next hint (``katas/NN-slug/hints.toml``), or ``--level N``; past the last, say so."""
    out = console()
    kata = catalogue.by_number(args.number)
    hints = kata.hints
    if not kata.ready or not hints:
        out.print(f"kata {kata.number:02d} has no hints yet.")
        return 1
    state = load_state()
    shown = state["hints"].get(str(kata.number), 0)
    if args.level is None and shown >= len(hints):
        out.print(f"That was every hint of kata {kata.number:02d}: there is no hint {len(hints) + 1}.")
        out.print(Text(f"See one again: kata hint {kata.number} --level N  (1 to {len(hints)}).", style="dim"))
        return 0
    level = shown + 1 if args.level is None else args.level
    if not 1 <= level <= len(hints):
        out.print(f"kata {kata.number:02d} has hints 1–{len(hints)}")
        return 2
    out.rule(f"kata {kata.number:02d} · hint {level} of {len(hints)}")
    out.print(hints[level - 1])
    if level < len(hints):
        out.print(Text(f"\nStill stuck? kata hint {kata.number} shows hint {level + 1}.", style="dim"))
    else:
        out.print(Text("\nThat was the last hint: it is the nearest to a solution that the hints go.", style="dim"))
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
    keep_warm()  # each check a fork of one warm process: less to wait for every time (kit/learner/warm.py)
    while True:
        if out.is_terminal:
            out.clear()
        out.print(Text(time.strftime("%H:%M:%S "), style="dim") + Text(f"kata watch · {args.impl}"))
        check(out, args.impl, args.number, args.timeout, detail=args.detail)
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
    """Every kata with where the learner stands, from the last check: done, in progress, not started."""
    progress = progress_of(args.impl)
    table = Table(title=f"nn-katas · the katas · {args.impl!r} as last checked", title_justify="left")
    for column in ("kata", "title", "status", "points", "page"):
        table.add_column(column, justify="right" if column in ("kata", "points") else "left")
    for kata in catalogue.load():
        table.add_row(
            f"{kata.number:02d}",
            kata.title,
            standing(kata, progress),
            str(kata.points),
            kata.page if kata.ready else "",
        )
    console().print(table)
    return 0


def standing(kata: catalogue.Kata, progress: ProgressRecords) -> str:
    """``done``, ``in progress`` (a test of the learner's own code passes), ``not started``, or ``planned``."""
    if not kata.ready:
        return "planned"
    found = progress.records.get(kata.number)
    if found is None or not found.own_passed:
        return "not started"
    return "done" if found.complete else "in progress"


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
    if args.undo:
        restored = undo_reset(kata, folder)
        for path, backup in restored:
            out.print(f"restored {path} from {backup.name}")
        if not restored:
            out.print(f"no backup of kata {kata.number:02d}'s files in {folder}: nothing to undo")
        return 0 if restored else 1
    if not args.yes:
        answer = input(
            f"Reset kata {kata.number:02d}'s functions in {folder} to the skeleton? "
            f"A backup is kept (kata reset {kata.number} --undo). [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            out.print("nothing changed")
            return 1
    for path, backup in reset_kata(kata, folder):
        out.print(f"reset {path} (your version: {backup}; undo: kata reset {kata.number} --undo)")
    return 0


def undo_reset(kata: catalogue.Kata, folder: Path) -> list[tuple[Path, Path]]:
    """Put back, for each of ``kata``'s files, its newest ``.bak`` (which is then removed); (file, backup) pairs."""
    restored = []
    for rel in kata.files:
        path = folder / rel
        backups = sorted(path.parent.glob(f"{path.name}.*.bak"))
        if backups:
            os.replace(backups[-1], path)
            restored.append((path, backups[-1]))
    return restored


def reset_kata(kata: catalogue.Kata, folder: Path) -> list[tuple[Path, Path]]:
    """Put ``kata``'s bodies in ``folder`` back to the skeleton's; returns (file, backup) pairs.

    Only the tagged functions of this kata change; everything else in the file, the
    learner's other katas included, stays as it is. The stubs come from the kit's
    skeleton: the installed one in a workspace, generated from ``reference/`` in a clone.
    """
    wanted = update.skeleton_texts()
    changed = []
    for rel in kata.files:
        path = folder / rel
        source = path.read_text(encoding="utf-8")
        fresh = _stub_bodies(source, kata.number, wanted[rel])
        if fresh == source:
            continue
        backup = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.{time.time_ns() % 10**9:09d}.bak")
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
        "check": (cmd_check, "check kata N (default: the current one), then earlier katas whose files changed"),
        "start": (cmd_start, "start at kata N (kata start 13: the NumPy track)"),
        "hint": (cmd_hint, "the next hint of kata N"),
        "watch": (cmd_watch, "check kata N (default: the current one) again whenever a file changes"),
        "list": (cmd_list, "every kata: done, in progress or not started; its points and its page"),
        "demo": (cmd_demo, "run a demo on the implementation"),
        "reset": (cmd_reset, "put kata N's functions back to the skeleton (keeps a backup)"),
        "grade": (cmd_grade, "grade a submission for CI: isolated, time- and memory-limited, results file"),
        "dev": (dev.cmd_dev, "for the kit's authors: scaffold a new kata (dev new), list what is missing (dev check)"),
        "grade-class": (cmd_grade_class, "grade a class in parallel, resumably: gradebook.csv and report.html"),
        "init": (workspace.cmd_init, "make a workspace of your own in DIR: the skeleton, the pages, no solutions"),
        "update": (update.cmd_update, "in a workspace: bring the given code, pages and contract to the installed kit"),
    }
    for name, (handler, help_text) in commands.items():
        command = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        if name in ("check", "watch"):
            command.add_argument("number", type=int, nargs="?", help="the kata (default: the current one)")
        elif name in ("hint", "reset", "start"):
            command.add_argument("number", type=int, help="the kata")
        if name == "hint":
            command.add_argument("--level", type=int, help="show this hint level (1 = gentlest)")
        elif name == "watch":
            command.add_argument("--manual", action="store_true", help="check again on Enter only")
        elif name == "reset":
            command.add_argument("--yes", action="store_true", help="do not ask for confirmation")
            command.add_argument("--undo", action="store_true", help="put back the version the last reset replaced")
        if name in ("check", "watch"):
            command.add_argument("--detail", action="store_true", help="also show pytest's full tracebacks")
        if name == "check":
            command.add_argument("--all", action="store_true", help="re-check every earlier kata, changed or not")
        elif name == "demo":
            command.add_argument("name", nargs="?", help="the demo (omit to list them)")
            command.add_argument("rest", nargs=argparse.REMAINDER, help="arguments for the demo")
        elif name == "grade":
            add_grade_arguments(command)
        elif name == "dev":
            dev.add_arguments(command)
        elif name == "grade-class":
            add_class_arguments(command)
        elif name == "init":
            command.add_argument("dir", help="the folder to make (new or empty)")
        elif name == "update":
            update.add_arguments(command)
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
