"""``kata grade-class``: grade every submission of a class with ``kata grade``, N at a time.

    kata grade-class SUBMISSIONS [--out DIR] [--jobs N] [--handback FORMAT] [--kata N …]
    kata grade-class SUBMISSIONS --shard 2/4 --out shard-2      one slice of the class
    kata grade-class --merge shard-1 shard-2 … --out class      join the slices

``SUBMISSIONS`` is a folder of learner folders or a CSV (``name,source,ref``). Each learner is
graded by ``python -m kit.learner.cli grade --path … --format json`` in its own process, so with
exactly the isolation, limits and kit of a single ``kata grade``. ``DIR`` receives
``gradebook.csv``, ``report.html``, ``handback/<learner>.<ext>`` (the file to give back) and
``records/`` (what a rerun reads: a learner whose submission, kit and options are unchanged
is not graded again; an interrupted run picks up where it stopped).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

import kit
from katas import catalogue
from katas.catalogue import KIT_ROOT

from ..grade import FIRST_CPU, SPEC_INI, GradingError
from . import gradebook, handback, report, submissions
from .submissions import Submission

#: Files whose content is the kit's version: the spec, the curriculum and every tool.
_KIT_FILES = ("spec_tests/*.py", SPEC_INI, "katas/*.py", "katas/catalogue.toml", "kit/**/*.py")


@dataclass(frozen=True)
class Options:
    """How every submission of the run is graded; part of each record's key."""

    katas: tuple[int, ...]
    timeout: float
    kata_timeout: float
    memory: int
    handback: str

    def grader_args(self) -> list[str]:
        args = [f"--timeout={self.timeout:g}", f"--kata-timeout={self.kata_timeout:g}", f"--memory={self.memory}"]
        return args + [f"--kata={n}" for n in self.katas]


@dataclass
class Tally:
    """What the progress bar shows."""

    done: int = 0
    running: int = 0
    failed: int = 0
    skipped: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def text(self) -> str:
        return f"running {self.running} · failed {self.failed} · unchanged {self.skipped}"


def kit_version() -> str:
    """``0.1.0+<hash>``: the package version and a hash of every kit file that can change a grade."""
    digest = hashlib.sha256()
    for pattern in _KIT_FILES:
        for path in sorted(KIT_ROOT.glob(pattern)):
            if "__pycache__" not in path.parts:
                digest.update(path.relative_to(KIT_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{kit.version()}+{digest.hexdigest()[:12]}"


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` → (2, 4), checked.

    >>> parse_shard("2/4")
    (2, 4)
    """
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: write I/N, e.g. 2/4") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: I must be between 1 and N")
    return index, count


def shard(entries: list[Submission], index: int, count: int) -> list[Submission]:
    """The ``index``-th of ``count`` slices (from 1), dealt round-robin: every learner in exactly one slice."""
    return entries[index - 1 :: count]


class ClassRun:
    """One run over a class: grades what changed, writes each record as it lands, then the gradebook."""

    def __init__(self, out: Path, options: Options, jobs: int, console: Console) -> None:
        self.out = out
        self.options = options
        self.jobs = jobs
        self.console = console
        self.version = kit_version()
        self.tally = Tally()
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = threading.Event()
        self.properties: dict[str, dict[str, Any]] = {}
        self.sources: dict[str, threading.Lock] = {}
        self.slots: queue.Queue[int] = queue.Queue()  # which of the --jobs graders this is: where its CPUs start
        for slot in range(max(1, jobs)):
            self.slots.put(slot)

    # ------------------------------------------------------------ one learner

    def _lock_for(self, source: str) -> threading.Lock:
        with self.tally.lock:
            return self.sources.setdefault(source, threading.Lock())

    def key(self, content: str) -> str:
        return hashlib.sha256(f"{content}\0{self.version}\0{self.options}".encode()).hexdigest()

    def grade_one(self, entry: Submission, previous: dict[str, Any] | None) -> dict[str, Any]:
        """Fetch, snapshot, hash and (unless unchanged) grade one learner; returns their record."""
        record: dict[str, Any] = {"name": entry.name, "slug": entry.slug, "source": entry.source, "ref": entry.ref}
        work = self.out / "work" / entry.slug
        with self._lock_for(entry.source):  # learners may share a repository (and so its clone)
            folder = None if entry.problem else submissions.fetch(entry, self.out / "cache" / "git")
            package = submissions.snapshot(entry, folder, work) if folder is not None else None
        if package is None:
            return {**record, "ref": entry.ref, "status": entry.status, "reason": entry.problem, "flags": []}
        content = submissions.content_hash(package)
        key = self.key(content)
        record.update(ref=entry.ref, content_hash=content[:16], kit_version=self.version, key=key)
        if previous is not None and previous.get("key") == key and previous["status"] in gradebook.GRADED:
            return {**previous, "name": entry.name, "source": entry.source, "ref": entry.ref, "unchanged": True}
        started = time.monotonic()
        results = work / "grade.json"
        results.unlink(missing_ok=True)
        log = work / "grade.log"
        returncode = self._run_grader(entry.slug, package, results, log, work)
        record["seconds"] = round(time.monotonic() - started, 1)
        if self.stopping.is_set():
            raise KeyboardInterrupt
        try:
            original = results.read_text(encoding="utf-8")
            data = json.loads(original)
        except (OSError, ValueError):
            said = log_tail(log)
            first = next((line for line in said.splitlines() if line.startswith("kata grade: ")), None)
            reason = f"kata grade exited {returncode}: {first or submissions.last_line(said)}"
            return {**record, "status": "grader-failed", "reason": reason, "flags": []}
        return {**record, **self._graded(entry, data, original)}

    def _run_grader(self, slug: str, package: Path, results: Path, log: Path, work: Path) -> int | None:
        command = [sys.executable, "-m", "kit.learner.cli", "grade", "--path", str(package), "--format", "json"]
        command += ["--out", str(results), *self.options.grader_args()]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPEC_"))}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(KIT_ROOT), env.get("PYTHONPATH", "")]))
        limit = self.options.kata_timeout * len(self.options.katas) + 300
        slot = self.slots.get()
        env[FIRST_CPU] = str(slot)  # two learners graded at once start their katas on different CPUs
        with log.open("wb") as handle:
            child = subprocess.Popen(
                command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=handle,
                start_new_session=os.name == "posix",
            )  # fmt: skip
            self.children[slug] = child
            if self.stopping.is_set():  # stopped while this one was starting: the sweep may have missed it
                stop(child)
            try:
                return child.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                stop(child)
                return None
            finally:
                self.children.pop(slug, None)
                self.slots.put(slot)

    def _graded(self, entry: Submission, data: dict[str, Any], original: str) -> dict[str, Any]:
        found = handback.flags(data)
        extension = handback.EXTENSIONS[self.options.handback]
        given = self.out / "handback" / f"{entry.slug}.{extension}"
        reason = "; ".join(f"kata {k['kata']:02d}: {k['problem']}" for k in data["katas"] if k.get("problem"))
        try:
            gradebook.write_atomic(given, handback.render(data, self.options.handback, self.properties, original))
        except ValueError as exc:
            found.append("hand-back not written")
            reason = "; ".join(filter(None, [reason, str(exc)]))
            given = None
        return {
            "status": "refused" if "refused by the source check" in found else "graded",
            "score": data["score"],
            "max_score": data["max_score"],
            "katas": {str(k["kata"]): k["score"] for k in data["katas"]},
            "isolation": data.get("isolation", "not reported"),
            "flags": found,
            "reason": reason[:2000],
            "results": given.relative_to(self.out).as_posix() if given else "",
            "grade": data,
        }

    # ------------------------------------------------------------ the class

    def run(self, entries: list[Submission]) -> list[dict[str, Any]]:
        """Grade ``entries`` (their records written as each lands); the gradebook rows, in class order."""
        previous = gradebook.load_records(self.out)
        (self.out / "records").mkdir(parents=True, exist_ok=True)  # a slice of no learners is still one to merge
        self.properties = load_properties(self.out, self.options.katas)
        rows: dict[str, dict[str, Any]] = {e.slug: previous[e.slug] for e in entries if e.slug in previous}
        self._write_gradebook(entries, rows)
        columns = [
            TextColumn("[bold]grading[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tally]}"),
            TimeRemainingColumn(),
        ]
        with (
            Progress(*columns, console=self.console, transient=False) as progress,
            ThreadPoolExecutor(max_workers=self.jobs) as pool,
        ):
            task = progress.add_task("class", total=len(entries), tally=self.tally.text())
            pending: dict[Future[dict[str, Any]], Submission] = {}
            for entry in entries:
                future = pool.submit(self._guarded, entry, previous.get(entry.slug))
                pending[future] = entry
            try:
                while pending:
                    finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                    for future in finished:
                        entry = pending.pop(future)
                        record = future.result()
                        rows[entry.slug] = record
                        self._land(record, rows, entries)
                        progress.advance(task)
                    progress.update(task, tally=self.tally.text())
            except KeyboardInterrupt:
                self.stopping.set()
                for future in pending:
                    future.cancel()
                for child in list(self.children.values()):
                    stop(child)
                self._write_gradebook(entries, rows)  # every record that landed, even one caught mid-way
                raise
        return [rows[e.slug] for e in entries]

    def _guarded(self, entry: Submission, previous: dict[str, Any] | None) -> dict[str, Any]:
        if self.stopping.is_set():
            raise KeyboardInterrupt
        with self.tally.lock:
            self.tally.running += 1
        try:
            return self.grade_one(entry, previous)
        except Exception as exc:  # one learner's oddity (an unreadable file, a loop of links) is a row, not an abort
            reason = f"grade-class could not handle this submission: {type(exc).__name__}: {exc}"
            return {"name": entry.name, "slug": entry.slug, "source": entry.source, "status": "error",
                    "reason": reason[:2000], "flags": []}  # fmt: skip
        finally:
            with self.tally.lock:
                self.tally.running -= 1

    def _land(self, record: dict[str, Any], rows: dict[str, dict[str, Any]], entries: list[Submission]) -> None:
        unchanged = record.pop("unchanged", False)
        if unchanged:
            self.tally.skipped += 1
        else:
            record["graded_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        gradebook.save_record(self.out, record)  # an unchanged one too: its name or source may have moved
        self.tally.done += 1
        bad = record["status"] not in gradebook.GRADED or record["flags"]
        self.tally.failed += bool(bad)
        what = "unchanged" if unchanged else record["status"]
        score = f"{record['score']:g}/{record['max_score']}" if "score" in record else record.get("reason", "")
        self.console.print(f"{what:>14}  {record['name']!r}  {score}", markup=False, highlight=False)
        self._write_gradebook(entries, rows)

    def _write_gradebook(self, entries: list[Submission], rows: dict[str, dict[str, Any]]) -> None:
        ordered = [rows[e.slug] for e in entries if e.slug in rows]
        gradebook.write_atomic(self.out / "gradebook.csv", gradebook.to_csv(ordered))


def log_tail(log: Path) -> str:
    try:
        return log.read_text(encoding="utf-8", errors="replace")[-4000:]
    except OSError:
        return ""


def stop(child: subprocess.Popen[bytes]) -> None:
    """End a grader and everything it started (its own session on POSIX)."""
    try:
        if os.name == "posix":
            os.killpg(child.pid, signal.SIGKILL)
        else:
            child.kill()
    except (ProcessLookupError, PermissionError):
        pass
    child.wait()


def load_properties(out: Path, katas: tuple[int, ...]) -> dict[str, dict[str, Any]]:
    """Every graded test of ``katas`` → its kata and property in words, by the kit's trusted collection (cached)."""
    from kit.grading.grade import collect, stage_kit

    cached = out / "properties.json"
    version = kit_version()
    try:
        saved = json.loads(cached.read_text(encoding="utf-8"))
        if saved["kit_version"] == version and set(saved["katas"]) >= set(katas):
            return saved["tests"]
    except (OSError, ValueError, KeyError):
        pass
    work = out / "work" / "collect"
    shutil.rmtree(work, ignore_errors=True)
    found = collect(list(katas), work, stage_kit(work / "kit"))
    tests = {e[0]: {"kata": n, "text": e[2], "code": "".join(e[3:4])} for n, entries in found.items() for e in entries}
    gradebook.write_atomic(cached, json.dumps({"kit_version": version, "katas": list(katas), "tests": tests}))
    return tests


# ------------------------------------------------------------------ merging


def merge(shards: list[Path], out: Path) -> list[dict[str, Any]]:
    """Join the shards' records, hand-back files and properties into ``out``; the merged rows."""
    rows: dict[str, dict[str, Any]] = {}
    properties: dict[str, dict[str, Any]] = {}
    meta: list[dict[str, Any]] = []
    for shard in shards:
        if not (shard / "records").is_dir():
            raise FileNotFoundError(f"{shard}: not a grade-class output folder (no records/)")
        for slug, record in gradebook.load_records(shard).items():
            if slug in rows and rows[slug].get("source") != record.get("source"):
                raise ValueError(f"{slug!r} is in two shards with different sources: were they cut from one class?")
            rows[slug] = record
            gradebook.save_record(out, record)
            if record.get("results"):
                target = out / record["results"]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(shard / record["results"], target)
        with_props = shard / "properties.json"
        if with_props.is_file():
            properties.update(json.loads(with_props.read_text(encoding="utf-8"))["tests"])
        with_meta = shard / "run.json"
        if with_meta.is_file():
            meta.append(json.loads(with_meta.read_text(encoding="utf-8")))
    ordered = sorted(rows.values(), key=lambda record: (record["name"].casefold(), record["slug"]))
    gradebook.write_atomic(out / "gradebook.csv", gradebook.to_csv(ordered))
    versions = sorted({m["kit_version"] for m in meta}) or ["unknown"]
    merged = {"kit_version": ", ".join(versions), "katas": [], "tests": properties}
    gradebook.write_atomic(out / "properties.json", json.dumps(merged))
    seconds = sum(m.get("seconds", 0.0) for m in meta)
    info = {"kit_version": ", ".join(versions), "seconds": round(seconds, 1), "shards": len(shards)}
    gradebook.write_atomic(out / "run.json", json.dumps(info))
    gradebook.write_atomic(out / "report.html", report.render(ordered, properties, info))
    return ordered


# ------------------------------------------------------------------ command


def add_arguments(command: argparse.ArgumentParser) -> None:
    """``kata grade-class``'s options (``--timeout`` comes from the common parser)."""
    command.add_argument("submissions", nargs="*", help="a folder of learner folders or a CSV (name,source,ref)")
    command.add_argument("--out", default="class-grades", help="output folder (default: class-grades)")
    command.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions at once (default: cores)")
    command.add_argument("--kata", type=int, action="append", default=[], help="grade only kata N (repeatable)")
    command.add_argument("--kata-timeout", type=float, default=600.0, help="seconds per kata (default 600)")
    command.add_argument("--memory", type=int, default=2048, help="MB of address space per kata (default 2048)")
    command.add_argument("--handback", choices=tuple(handback.EXTENSIONS), default="json", help="results format")
    command.add_argument("--shard", type=parse_shard, default=None, metavar="I/N", help="grade the I-th of N slices")
    command.add_argument("--merge", action="store_true", help="join the output folders SUBMISSIONS… into --out")


def cmd_grade_class(args: argparse.Namespace) -> int:
    """0 when every learner has a row with a grade (whatever it is); 2 when the class could not be read, the kit's
    spec could not be collected, or a learner's grader failed (the kit's or the machine's fault: see the
    gradebook's reason column); 130 when stopped."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    out = Path(args.out).absolute()  # each learner's grader runs in a folder of its own: no path stays relative
    try:
        if args.merge:
            rows = merge([Path(p) for p in args.submissions], out)
            err.print(f"merged {len(args.submissions)} shard(s): {len(rows)} learners → {out}/gradebook.csv")
            return 0
        if len(args.submissions) != 1:
            raise ValueError("give one SUBMISSIONS folder or CSV (or --merge with the shards' folders)")
        if args.jobs < 1:
            raise ValueError("--jobs must be at least 1")
        numbers = tuple(sorted(set(args.kata))) or tuple(k.number for k in catalogue.load() if k.ready)
        for number in numbers:
            if not catalogue.by_number(number).ready:
                raise ValueError(f"kata {number} is planned, not ready: nothing to grade")
        entries = submissions.discover(Path(args.submissions[0]))
    except (OSError, ValueError, KeyError) as exc:
        err.print(f"kata grade-class: {exc}", markup=False)
        return 2
    if args.shard is not None:
        entries = shard(entries, *args.shard)
    options = Options(numbers, args.timeout, args.kata_timeout, args.memory, args.handback)
    run = ClassRun(out, options, args.jobs, err)
    started = time.monotonic()
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if on_main else None
    try:
        rows = run.run(entries)
    except GradingError as exc:
        err.print(f"kata grade-class: {exc}", markup=False)
        return 2
    except KeyboardInterrupt:
        err.print(f"interrupted: {run.tally.done} of {len(entries)} recorded; run the same command again to go on")
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    info = {"kit_version": run.version, "seconds": round(time.monotonic() - started, 1), "shards": 1}
    gradebook.write_atomic(out / "run.json", json.dumps(info))
    gradebook.write_atomic(out / "report.html", report.render(rows, run.properties, info))
    flagged = sum(1 for row in rows if row["status"] not in gradebook.GRADED or row.get("flags"))
    err.print(
        f"{len(rows)} learners ({run.tally.skipped} unchanged, {flagged} flagged) in {info['seconds']:g} s "
        f"→ {out}/gradebook.csv, {out}/report.html"
    )
    failed = [row for row in rows if row["status"] == "grader-failed"]
    if failed:
        err.print(
            f"kata grade-class: {len(failed)} learner(s) could not be graded, for the kit's or this machine's "
            f"reasons, not their code: {failed[0]['reason']}",
            markup=False,
        )
        return 2
    return 0


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
