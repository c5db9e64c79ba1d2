"""The spec's side of a split run: the implementation lives in a worker process, reached by handle.

``kata grade`` runs the spec so that the code it judges never runs where the verdict is made:
the implementation's package is imported only in a worker process (:mod:`spec_tests.worker`,
inside the grader's sandbox), and this process — tests, oracle, Hypothesis, assertions,
report — never imports or executes it. :mod:`spec_tests.api` is the only door into an
implementation, so it is where the split happens: when a run is split, each contract name
resolves to a :class:`Remote`, a stand-in that forwards what a test does with it (attributes,
calls, operators, iteration, ``isinstance``) to the object in the worker.

What comes back is plain data, rebuilt here (:mod:`spec_tests.wire`): Python numbers, strings,
lists, tuples and dicts of them, NumPy arrays as fresh arrays of a plain dtype. Everything else
stays in the worker and comes back as another :class:`Remote`. An exception the implementation
raises is raised here as the same builtin type (a class of the implementation's, such as
``CheckpointError``, as a class made here with the same name and builtin bases), with its message
and where it was raised. A function a test passes in stays here, and the worker calls it back; a
``random.Random`` and a NumPy array cross with their contents and stay the same object on both
sides (:class:`spec_tests.wire.Shared`). A value that cannot cross fails its test and says why.

Limits: a test's time limit is kept by the worker itself (it stops the looping function, as
:mod:`spec_tests.loops` does in one process); this process waits :data:`GRACE` seconds more, then
ends the worker. A worker that ended, crashed or broke the wire's rules fails the test that
was waiting for it; the next test starts a new worker.

    pytest spec_tests --impl student --split     # the same spec, split: what ``kata grade`` does
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import Any

from . import wire
from .loops import NotRun, SpecTimeout

#: Seconds past a test's time limit that this process waits for the worker's own answer.
GRACE = 5.0
#: Seconds a new worker may take to boot (Python, NumPy, the kit's worker code) before it says it is ready.
BOOT_SECONDS = 60.0
#: What the implementation may print and log in one test, at most (characters, records): the rest is dropped.
OUTPUT_PER_TEST = 1024 * 1024
RECORDS_PER_TEST = 5000
#: Most attributes of one object kept in a snapshot, and the types kept.
SNAPSHOT_KEEP = 32
_SNAPSHOT_TYPES = (float, int, bool, str, type(None))
#: Characters of an object's ``repr`` kept.
REPR_KEEP = 400


class WorkerError(RuntimeError):
    """The implementation's process ended, broke the wire's rules, or sent what cannot be rebuilt."""


class StaleObjectError(WorkerError):
    """An object from a worker that has since ended (after a time-out or a crash)."""


class Config:
    """How to start a worker: its command, environment and folder; ``share`` (uid, gid, folder) is the user it
    runs as, given when that is not this process's own: the tests' temporary folders are then handed to it, and
    the folders above them, up to ``folder``, made passable."""

    def __init__(
        self,
        argv: list[str],
        impl: str,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        share: tuple[int, int, str] | None = None,
        log: str | None = None,
    ) -> None:
        self.argv, self.impl, self.env, self.cwd, self.share, self.log = argv, impl, env, cwd, share, log

    @classmethod
    def local(cls, impl: str) -> Config:
        """A worker started plainly from this interpreter, as this user (``--split`` without the grader)."""
        return cls([sys.executable, "-m", "spec_tests.worker"], impl)

    @classmethod
    def from_file(cls, path: str, impl: str) -> Config:
        """The grader's description of its workers (a JSON file: argv, env, cwd, share, log)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        share = tuple(data["share"]) if data.get("share") else None
        return cls(list(data["argv"]), impl, data.get("env"), data.get("cwd"), share, data.get("log"))  # type: ignore[arg-type]


# ------------------------------------------------------------------ the connection


class Connection:
    """One worker at a time, started on first use and again after one ended; requests and their answers."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.process: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.generation = 0
        self.proxies: weakref.WeakValueDictionary[int, Remote] = weakref.WeakValueDictionary()
        self.exceptions: dict[int, type[BaseException]] = {}
        self.released: list[list[int]] = []
        self.tokens: dict[int, Any] = {}  # the spec's functions and generators the worker holds, by token
        self.token_of: dict[int, int] = {}
        self.env: dict[str, str] = {}
        self.env_data: dict[bytes, bytes] | None = None
        self.log_level = logging.WARNING
        self.printed = self.logged = 0  # in the current test
        self.test: str | None = None
        self.deadline: float | None = None
        self.on_restart: list[Callable[[], None]] = []
        self.on_ready: list[Callable[[], None]] = []  # called each time a worker has booted
        self.started = self.ready = 0
        self.kept: list[Remote] = []
        self.epoch = 0  # advances whenever the worker may run the implementation's code: snapshots older are stale
        self.stamped: list[tuple[_Ref, Any]] = []
        self.affinity: set[int] | None = None  # this process's CPUs before it was pinned (restored by close)
        self.shared = wire.Shared(-1, weak=True)

    # ----------------------------------------------------------- lifecycle

    def start(self) -> None:
        if self.affinity is None:
            self.affinity = pin_to_one_cpu()
        parent, child = socket.socketpair()
        env = dict(os.environ if self.config.env is None else self.config.env)
        env.update(SPEC_WORKER_FD=str(child.fileno()), SPEC_IMPL=self.config.impl)
        with open(self.config.log or os.devnull, "ab") as log:  # the worker's own output: where a crash says why
            try:
                self.process = subprocess.Popen(
                    self.config.argv,
                    env=env,
                    cwd=self.config.cwd,
                    pass_fds=(child.fileno(),),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            finally:
                child.close()
        self.sock = parent
        self.generation += 1
        self.started += 1
        self.log_level = logging.WARNING
        self.env, self.env_data = {}, None
        self.proxies = weakref.WeakValueDictionary()
        self.exceptions, self.released, self.tokens, self.token_of, self.kept = {}, [], {}, {}, []
        self.shared = wire.Shared(-1, weak=True)
        self._hello()

    def _hello(self) -> None:
        """Wait for the new worker to say it has booted (before any of the implementation's code runs); one
        that cannot is this machine's or the kit's failure, never the implementation's: say so."""
        try:
            header, _ = wire.receive(self.sock, time.monotonic() + BOOT_SECONDS)  # type: ignore[arg-type]
            if header.get("ready") != 1:
                raise wire.WireError("the first frame is not the worker's hello")
        except (wire.PeerGoneError, wire.WireError, TimeoutError) as exc:
            reason = self.ended() if isinstance(exc, wire.PeerGoneError) else str(exc)
            self.stop()
            raise WorkerError(
                f"the implementation's process could not start (the kit's or this machine's fault, "
                f"not the implementation's): {reason}"
            ) from None
        self.ready += 1
        for hook in self.on_ready:
            hook()

    def stop(self) -> None:
        """End the worker (its whole process group) and forget its objects."""
        self.generation += 1  # what came from it is stale at once
        for hook in self.on_restart:
            hook()
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            self.process.wait()
            self.process = None

    def ended(self) -> str:
        """How the worker ended, in words (its exit status, the end of its log)."""
        if self.process is None:
            return "it was stopped"
        try:  # the connection closed: the process is ending, or ended
            code: int | None = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            return "it stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"it was killed by {name}"
        return f"it exited with status {code}"

    # ------------------------------------------------------------ requests

    def request(self, op: str, *args: Any) -> Any:
        """Ask the worker to do ``op`` with ``args``; serve its call backs until it answers."""
        if self.sock is None:
            self.start()
        encoder = wire.Encoder(self._encode_other, subclasses=False, shared=self.shared)
        header: dict[str, Any] = {"q": op, "a": encoder(list(args))}
        if self.released:
            header["rel"], self.released = self.released, []
        gone = self.shared.released()
        if gone:
            header["arel"] = gone
        sync = self.shared.changed(encoder)
        if sync:
            header["sync"] = sync
        env = self._environment_changes()
        if env:
            header["env"] = env
        if self.test is not None:
            header["test"] = self.test
        level = logging.getLogger().level
        if level != self.log_level:  # caplog.at_level(INFO): the worker's records of that level come back
            header["log"], self.log_level = level, level
        if self.deadline is not None:
            header["t"] = max(0.001, self.deadline - time.monotonic())
        before = self.epoch
        self.epoch += 1
        try:
            wire.send(self.sock, header, encoder.buffers)  # type: ignore[arg-type]
            while True:
                answer, buffers = wire.receive(self.sock)  # type: ignore[arg-type]
                self._print(answer.get("o"))
                self._log(answer.get("logs"))
                if "sync" in answer:
                    self.shared.apply(answer["sync"], self._decoder(buffers))
                if "q" in answer:
                    self._serve(answer, buffers)
                    continue
                break
        except BaseException as exc:  # a time-out, a crash, a broken frame: this worker is done
            reason = self.ended() if isinstance(exc, wire.PeerGoneError) else None
            self.stop()
            if isinstance(exc, wire.PeerGoneError):
                raise WorkerError(f"the implementation's process ended during {op!r}: {reason}") from None
            if isinstance(exc, wire.WireError):
                raise WorkerError(f"the implementation's process sent what cannot be read: {exc}") from None
            raise
        if answer.get("p") == 1 and self.epoch == before + 1:
            self.epoch = before  # a plain read that ran none of the implementation's code: snapshots stay valid
            if isinstance(args[0], Remote):  # and it came with a fresh snapshot of the object read
                self.stamped.append((object.__getattribute__(args[0], "_ref"), answer.get("v")))
        if "x" in answer:
            raise self._exception(answer["x"], buffers)
        result = self.decode(answer.get("r"), buffers)
        self._stamp()
        return result

    def _stamp(self) -> None:
        """Keep the snapshots that came with the last answer, valid in the current epoch."""
        for ref, attrs in self.stamped:
            ref.snapshot(attrs)
        self.stamped = []

    def _decoder(self, buffers: list[bytearray]) -> wire.Decoder:
        return wire.Decoder(buffers, self._tagged, self.shared)

    def decode(self, value: Any, buffers: list[bytearray]) -> Any:
        try:
            return self._decoder(buffers)(value)
        except wire.WireError as exc:
            raise WorkerError(f"the implementation returned what cannot be rebuilt here: {exc}") from None

    def _environment_changes(self) -> dict[str, str | None]:
        """What a test changed in ``os.environ`` (``monkeypatch.setenv``) since the worker last heard."""
        data = os.environ._data  # type: ignore[attr-defined]  # compared as is: a copy per request costs more
        if data == self.env_data:
            return {}
        first = self.env_data is None
        now = dict(os.environ)
        changes: dict[str, str | None] = {k: v for k, v in now.items() if self.env.get(k) != v}
        changes.update({k: None for k in self.env if k not in now})
        self.env_data, self.env = dict(data), now
        if first and self.config.env is not None:
            return {}  # the grader's worker starts with its own environment: only changes follow
        return changes

    def _print(self, output: Any) -> None:
        """The implementation's printed output, written here (pytest captures it), :data:`OUTPUT_PER_TEST` at most."""
        if not isinstance(output, str) or not output:
            return
        room = OUTPUT_PER_TEST - self.printed
        if room > 0:
            sys.stdout.write(output[:room])
            if len(output) > room:
                sys.stdout.write(f"\n… (the implementation printed more than {OUTPUT_PER_TEST:,} characters: cut)\n")
        self.printed += len(output)

    def _log(self, records: Any) -> None:
        """The worker's log records, handled here by loggers of the same names (``caplog`` sees them),
        :data:`RECORDS_PER_TEST` at most."""
        if not isinstance(records, list):
            return
        room = max(0, RECORDS_PER_TEST - self.logged)
        self.logged += len(records)
        for record in records[: min(1000, room)]:
            if isinstance(record, list) and len(record) == 3 and type(record[1]) is int:
                name, level, message = str(record[0])[:200], record[1], str(record[2])[:2000]
                fields = {"name": name, "levelno": level, "levelname": logging.getLevelName(level), "msg": message}
                logging.getLogger(name).handle(logging.makeLogRecord(fields))

    # -------------------------------------------------------------- values

    def _encode_other(self, value: Any, encoder: wire.Encoder) -> Any:
        if isinstance(value, Remote):
            ref = object.__getattribute__(value, "_ref")
            if ref.generation != self.generation:
                raise StaleObjectError(_STALE)
            return {"H": ref.handle}
        if isinstance(value, type) and getattr(value, "_remote_generation", None) is not None:
            if value._remote_generation != self.generation:  # type: ignore[attr-defined]
                raise StaleObjectError(_STALE)
            return {"H": value._remote_handle}  # type: ignore[attr-defined]
        if isinstance(value, PurePath):
            return {"P": str(value)}
        if callable(value):
            return {"C": self._token(value)}
        return {"O": self._token(value)}  # any other object of the spec: the worker gets a token that does nothing

    def _token(self, value: Any) -> int:
        token = self.token_of.get(id(value))
        if token is None or self.tokens.get(token) is not value:
            token = len(self.tokens) + 1
            self.tokens[token], self.token_of[id(value)] = value, token
        return token

    def _tagged(self, tag: dict[str, Any]) -> Any:
        handle = tag.get("H")
        if type(handle) is not int:
            raise wire.WireError(f"unknown tag {sorted(tag)[:4]}")
        if "e" in tag:
            return self._exception_class(tag, 0)
        proxy = self.proxies.get(handle)
        if proxy is None:
            proxy = proxy_class(tag.get("c"))(_Ref(self, handle))
            self.proxies[handle] = proxy
            self.kept.append(proxy)  # alive until the test ends: its id() stays that object's, as in one process
        else:
            object.__getattribute__(proxy, "_ref").count += 1
        if "v" in tag:
            self.stamped.append((object.__getattribute__(proxy, "_ref"), tag["v"]))
        return proxy

    def _exception_class(self, tag: Any, depth: int) -> type[BaseException]:
        """The class made here for an exception class of the implementation (same name, same builtin bases)."""
        if isinstance(tag, str):
            return _builtin_exception(tag) or Exception
        if not isinstance(tag, dict) or type(tag.get("H")) is not int or depth > 16:
            raise wire.WireError("an exception class is a builtin's name or a handle")
        found = self.exceptions.get(tag["H"])
        if found is not None:  # seen before: the worker counted this sending too, and this side keeps one
            self.released.append([tag["H"], 1])
        else:
            bases = tuple(self._exception_class(base, depth + 1) for base in tag.get("e") or []) or (Exception,)
            name = _identifier(tag.get("n") or tag.get("c"))
            try:
                found = type(name, bases, {"__module__": "implementation"})
            except TypeError:  # bases whose layouts conflict
                found = type(name, bases[:1], {"__module__": "implementation"})
            found._remote_handle, found._remote_generation = tag["H"], self.generation  # type: ignore[attr-defined]
            self.exceptions[tag["H"]] = found
        return found

    def _rebuilt(self, kind: Any, message: str, args: Any, buffers: list[bytearray]) -> BaseException:
        """The implementation's exception made here: its class (:meth:`_exception_class`), rebuilt from its
        arguments when that says what the implementation's said, else from its message."""
        try:
            cls = self._exception_class(kind, 0) if isinstance(kind, dict) else _builtin_exception(kind)
        except wire.WireError:
            cls = None
        if cls is None:  # SystemExit, KeyboardInterrupt and the like must not stop the spec's run
            cls, message, args = WorkerError, f"the implementation raised {str(kind)[:80]}: {message}", None
        if args is not None:
            with contextlib.suppress(Exception):
                exc = cls(*self.decode(args, buffers))
                if str(exc) == message:
                    return exc
        try:
            return cls(message)
        except Exception:
            return WorkerError(f"{getattr(cls, '__name__', 'exception')}: {message}")

    def _exception(self, described: Any, buffers: list[bytearray]) -> BaseException:
        if not isinstance(described, dict):
            return WorkerError("the implementation's process sent a malformed exception")
        kind, message = described.get("t"), str(described.get("m", ""))[:4000]
        exc: BaseException
        if kind == "SpecTimeout":
            exc = SpecTimeout(f"timed out after {self._limit:g} s")
        elif kind == "NotRun":
            exc = NotRun(message)
        else:
            exc = self._rebuilt(kind, message, described.get("a"), buffers)
        if isinstance(exc, ModuleNotFoundError) and isinstance(described.get("n"), str):
            exc.name = described["n"]
        frames = described.get("f")
        exc.impl_frames = [str(f)[:300] for f in frames[:50]] if isinstance(frames, list) else []  # type: ignore[attr-defined]
        trace = described.get("tb")
        if isinstance(trace, str) and trace:
            exc.add_note("in the implementation's process:\n" + trace[-8000:].rstrip())
        return exc

    @property
    def _limit(self) -> float:
        return _state["limit"]

    # ----------------------------------------------------------- call backs

    def _serve(self, request: dict[str, Any], buffers: list[bytearray]) -> None:
        """Do what the worker asked of the spec: call one of the spec's functions, or draw from its generator."""
        encoder = wire.Encoder(self._encode_other, subclasses=False, shared=self.shared)
        try:
            op, args = request.get("q"), self.decode(request.get("a"), buffers)
            if op == "cb" and isinstance(args, list) and len(args) == 3:
                function = self.tokens.get(args[0])
                if isinstance(function, random.Random) or not callable(function):
                    raise WorkerError("the implementation called back something the spec never gave it")
                reply = {"r": encoder(function(*args[1], **args[2]))}
            else:
                raise WorkerError(f"the implementation's process asked for {str(op)[:40]!r}")
        except (SpecTimeout, NotRun, KeyboardInterrupt):
            raise
        except BaseException as exc:
            reply, encoder.buffers = {"x": {"t": type(exc).__name__, "m": str(exc)[:2000]}}, []
        sync = self.shared.changed(encoder)
        if sync:
            reply["sync"] = sync
        self.stamped = []  # taken before the implementation's code goes on
        self.epoch += 1
        wire.send(self.sock, reply, encoder.buffers)  # type: ignore[arg-type]


def pin_to_one_cpu() -> set[int] | None:
    """Run this process, and so its worker, on one CPU (Linux).

    The spec and its worker take turns, never run at once: on one CPU a request's round trip is a
    switch between two processes; across two, each way waits for the other CPU to wake (about five
    times longer on a virtual machine). Which CPU: ``$SPEC_CPU`` (the grader gives each kata graded at
    the same time its own), else by process id.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = os.sched_getaffinity(0)
    if len(allowed) > 1:
        chosen = os.environ.get("SPEC_CPU", "")
        index = int(chosen) if chosen.isdigit() else os.getpid()
        os.sched_setaffinity(0, {sorted(allowed)[index % len(allowed)]})
    return allowed


_STALE = (
    "this object lived in the implementation's process, which has ended since (a time-out or a crash "
    "in an earlier test): it cannot be used any more"
)


class _Ref:
    """What a :class:`Remote` holds: its connection, the worker it belongs to, its handle, times received, and
    a snapshot of its plain attributes (``data``, ``grad``) with the epoch it was taken in (see :meth:`Connection.
    request`), and the answers of ``isinstance`` asked of it so far."""

    __slots__ = ("__weakref__", "attrs", "conn", "count", "epoch", "generation", "handle", "isa")

    def __init__(self, conn: Connection, handle: int) -> None:
        self.conn, self.generation, self.handle, self.count = conn, conn.generation, handle, 1
        self.attrs: dict[str, Any] | None = None
        self.epoch = -1
        self.isa: dict[int, bool] = {}

    def snapshot(self, attrs: Any) -> None:
        """Keep the worker's snapshot of the object's plain attributes, valid in the connection's current epoch."""
        if isinstance(attrs, dict) and len(attrs) <= SNAPSHOT_KEEP:
            plain = {k: v for k, v in attrs.items() if isinstance(k, str) and type(v) in _SNAPSHOT_TYPES}
            self.attrs, self.epoch = plain, self.conn.epoch


def _release(ref: _Ref) -> None:
    if ref.generation == ref.conn.generation:
        ref.conn.released.append([ref.handle, ref.count])


# ------------------------------------------------------------------ the stand-ins


def _ask(proxy: Remote, op: str, *args: Any) -> Any:
    ref = object.__getattribute__(proxy, "_ref")
    if ref.generation != ref.conn.generation:
        raise StaleObjectError(_STALE)
    return ref.conn.request(op, proxy, *args)


#: Special attributes read from the object itself (explicit reads only; Python's own look-ups stay here).
FORWARDED_DUNDERS = frozenset({"__name__", "__qualname__", "__module__", "__doc__", "__len__", "__call__"})


class Remote:
    """An object of the implementation, in the worker: what a test does with it is done there."""

    __slots__ = ("__weakref__", "_ref")
    __array_ufunc__ = None  # NumPy leaves ``array + remote`` to our reflected operators

    def __init__(self, ref: _Ref) -> None:
        object.__setattr__(self, "_ref", ref)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter shutdown the connection may be gone already
            _release(object.__getattribute__(self, "_ref"))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name not in FORWARDED_DUNDERS:
            raise AttributeError(name)
        ref = object.__getattribute__(self, "_ref")
        if ref.epoch == ref.conn.epoch and ref.generation == ref.conn.generation and name in ref.attrs:
            return ref.attrs[name]  # no code of the implementation ran since the worker read it
        return _ask(self, "getattr", name)

    def __setattr__(self, name: str, value: Any) -> None:
        _ask(self, "setattr", name, value)

    def __delattr__(self, name: str) -> None:
        _ask(self, "delattr", name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _ask(self, "call", args, kwargs)

    def __repr__(self) -> str:
        try:
            text = _ask(self, "repr")
        except (WorkerError, Exception) as exc:
            return f"<{type(self).__name__} of the implementation ({type(exc).__name__} in its repr)>"
        return text[:REPR_KEEP] if isinstance(text, str) else f"<{type(self).__name__} of the implementation>"

    def __str__(self) -> str:
        text = _ask(self, "str")
        if not isinstance(text, str):
            raise TypeError("__str__ returned non-string")
        return text

    def __format__(self, spec: str) -> str:
        text = _ask(self, "format", spec)
        if not isinstance(text, str):
            raise TypeError("__format__ must return a str")
        return text

    def __bool__(self) -> bool:
        return _plain(_ask(self, "bool"), bool, "__bool__")

    def __len__(self) -> int:
        return _plain(_ask(self, "len"), int, "__len__")

    def __float__(self) -> float:
        return _plain(_ask(self, "float"), float, "__float__")

    def __int__(self) -> int:
        return _plain(_ask(self, "int"), int, "__int__")

    def __index__(self) -> int:
        return _plain(_ask(self, "index"), int, "__index__")

    def __complex__(self) -> complex:
        return _plain(_ask(self, "complex"), complex, "__complex__")

    # Hashed by identity, here: one object of the worker has one stand-in for the whole test, so sets and
    # dicts of stand-ins group them as the worker's objects are (and a hash costs no request).
    __hash__ = object.__hash__

    def __iter__(self) -> Iterator[Any]:
        return _Iterator(_ask(self, "iter"))

    def __next__(self) -> Any:
        return _ask(self, "next")

    def __getitem__(self, key: Any) -> Any:
        return _ask(self, "getitem", key)

    def __setitem__(self, key: Any, value: Any) -> None:
        _ask(self, "setitem", key, value)

    def __delitem__(self, key: Any) -> None:
        _ask(self, "delitem", key)

    def __contains__(self, item: Any) -> bool:
        ref = object.__getattribute__(self, "_ref")
        return bool(ref.conn.request("contains", self, item))

    def __instancecheck__(self, obj: Any) -> bool:
        if not isinstance(obj, Remote):
            return False  # plain data made here is never an instance of an implementation's class
        ref, mine = object.__getattribute__(obj, "_ref"), object.__getattribute__(self, "_ref")
        known = ref.isa.get(mine.handle) if ref.generation == mine.generation else None
        if known is None:
            known = ref.isa[mine.handle] = _plain(_ask(obj, "isinstance", self), bool, "isinstance")
        return known

    def __round__(self, digits: int | None = None) -> Any:
        return _ask(self, "round", digits) if digits is not None else _ask(self, "round")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        array = _ask(self, "array")
        if not isinstance(array, np.ndarray):
            raise TypeError(f"{type(self).__name__} of the implementation did not become an array of numbers")
        return array if dtype is None else array.astype(dtype)


class _Iterator:
    """``iter(remote)``: each ``next`` is asked of the worker."""

    __slots__ = ("_inner",)

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __iter__(self) -> _Iterator:
        return self

    def __next__(self) -> Any:
        if isinstance(self._inner, Remote):
            return _ask(self._inner, "next")
        return next(self._inner)


def _plain(value: Any, kind: type, what: str) -> Any:
    if kind is float and type(value) is int:
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool) and what != "__bool__"):
        raise TypeError(f"{what} of an implementation's object returned {type(value).__name__}, not {kind.__name__}")
    return value


def _binary(op: str, reflected: bool) -> Callable[[Remote, Any], Any]:
    if reflected:

        def method(self: Remote, other: Any) -> Any:
            ref = object.__getattribute__(self, "_ref")
            return ref.conn.request(op, other, self)
    else:

        def method(self: Remote, other: Any) -> Any:
            return _ask(self, op, other)

    return method


def _unary(op: str) -> Callable[[Remote], Any]:
    def method(self: Remote) -> Any:
        return _ask(self, op)

    return method


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor", "lshift", "rshift"):
    setattr(Remote, f"__{_op}__", _binary(_op, reflected=False))
    setattr(Remote, f"__r{_op}__", _binary(_op, reflected=True))
    if _op not in ("and", "or", "xor", "lshift", "rshift"):
        setattr(Remote, f"__i{_op}__", _binary(f"i{_op}", reflected=False))
for _op in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Remote, f"__{_op}__", _binary(_op, reflected=False))
Remote.__divmod__ = _binary("divmod", reflected=False)  # type: ignore[attr-defined]
Remote.__rdivmod__ = _binary("divmod", reflected=True)  # type: ignore[attr-defined]
for _op in ("neg", "pos", "abs", "invert", "trunc", "floor", "ceil"):
    setattr(Remote, f"__{_op}__", _unary(_op))

_classes: dict[str, type[Remote]] = {}


def proxy_class(name: Any) -> type[Remote]:
    """The stand-in class for objects whose class is called ``name`` (so messages name ``Value``, not ``Remote``)."""
    name = _identifier(name)
    found = _classes.get(name)
    if found is None:
        found = _classes[name] = type(name, (Remote,), {"__slots__": (), "__module__": "implementation"})
    return found


def _identifier(name: Any) -> str:
    text = str(name)[:60] if name is not None else "object"
    return text if text.isidentifier() else "object"


def _builtin_exception(name: Any) -> type[BaseException] | None:
    """The builtin exception class called ``name``: an ``Exception``, never ``SystemExit`` and the like."""
    found = getattr(builtins, name, None) if isinstance(name, str) else None
    return found if isinstance(found, type) and issubclass(found, Exception) else None


# ------------------------------------------------------------------ the run's worker

_state: dict[str, Any] = {"conn": None, "limit": 0.0}


def configure(config: Config | None) -> None:
    """Split this run (``config``: how to start the worker), or not (``None``)."""
    close()
    _state["conn"] = Connection(config) if config is not None else None


def active() -> bool:
    """Whether this run is split (the implementation lives in a worker)."""
    return _state["conn"] is not None


def connection() -> Connection:
    conn = _state["conn"]
    if conn is None:
        raise RuntimeError("the run is not split")
    return conn


def start_test(name: str | None, limit: float) -> None:
    """Tell the worker which test runs and how long it may take (``name=None``: between tests)."""
    conn = _state["conn"]
    if conn is None:
        return
    _state["limit"] = limit
    conn.test = name
    conn.printed = conn.logged = 0
    if name is None:
        conn.kept = []  # the test's objects may go: the worker forgets them with the next request
    conn.deadline = time.monotonic() + limit if name is not None and limit > 0 else None


def resolve(module: str, name: str) -> tuple[bool, Any]:
    """``(True, object)`` for the implementation's ``module.name``, ``(False, None)`` when the module lacks it."""
    found = connection().request("resolve", module, name)
    if found.get("missing"):
        return False, None
    return True, found["found"]


def share(path: Path) -> None:
    """Let the worker's user write in ``path`` (a test's temporary folder) when it is not this process's user."""
    conn = _state["conn"]
    if conn is None or conn.config.share is None:
        return
    uid, gid, root = conn.config.share
    os.chown(path, uid, gid)
    top = Path(root).resolve()
    for folder in (path.resolve(), *path.resolve().parents):  # passable (not readable) by the worker, up to top
        if folder != top and top not in folder.parents:
            break
        mode = os.stat(folder).st_mode
        if not mode & 0o001:
            os.chmod(folder, (mode & 0o7777) | 0o001)


class SharedTemp:
    """pytest's ``tmp_path_factory``, whose folders the worker's user may write (:func:`share`)."""

    def __init__(self, factory: Any) -> None:
        self._factory = factory

    def mktemp(self, basename: str, numbered: bool = True) -> Path:
        path = self._factory.mktemp(basename, numbered)
        share(path)
        return path

    def __getattr__(self, name: str) -> Any:
        return getattr(self._factory, name)

    def __repr__(self) -> str:
        return repr(self._factory)


@contextlib.contextmanager
def fault(name: str, *args: Any) -> Iterator[None]:
    """Within the block, the worker has ``spec_tests.faults.<name>(*args)`` in force."""
    conn = connection()
    conn.request("fault", name, list(args))
    try:
        yield
    finally:
        with contextlib.suppress(WorkerError):
            if conn.sock is not None:
                conn.request("unfault")


def close() -> None:
    """End the worker (the end of the run), and let this process use all its CPUs again."""
    conn = _state["conn"]
    if conn is not None:
        conn.stop()
        if conn.affinity is not None:
            os.sched_setaffinity(0, conn.affinity)
            conn.affinity = None
