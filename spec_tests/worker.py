"""The implementation's side of a split run: a process that holds the package and does what the spec asks.

When the grader splits a run, the spec (its tests, oracle, Hypothesis, assertions and report)
runs in one process and the implementation in this one (:mod:`spec_tests.remote` is the spec's
side). The spec sends requests over a socket — "import ``autograd.value`` and hand me ``Value``",
"call handle 7 with these arguments", "add handle 3 and 2.5" — and this process answers with
plain data (:mod:`spec_tests.wire`) or with a handle to an object that stays here. A function
the spec passes in stays on the spec's side: calling it here calls back. Its arrays and generators
cross with their contents, kept equal on both sides (:class:`spec_tests.wire.Shared`).

Nothing here is trusted: the spec's process rebuilds what it receives and judges it itself.
This process only has to be correct for honest code, and fast.

    python -m spec_tests.worker        # $SPEC_WORKER_FD: the connected socket; $SPEC_IMPL: the package
"""

from __future__ import annotations

import importlib
import io
import logging
import math
import operator
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import MemberDescriptorType
from typing import Any

import numpy as np

from . import faults, graphs, loops, wire

#: Characters of the implementation's printed output sent back with one answer.
OUTPUT_KEEP = 64 * 1024
#: Lines of an exception's traceback sent back.
TRACEBACK_LINES = 30

#: What the spec may ask of the implementation's objects, by name: each called with the request's arguments.
OPERATIONS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow, "matmul": operator.matmul,
    "and": operator.and_, "or": operator.or_, "xor": operator.xor, "lshift": operator.lshift,
    "rshift": operator.rshift, "divmod": divmod,
    "iadd": operator.iadd, "isub": operator.isub, "imul": operator.imul, "itruediv": operator.itruediv,
    "ifloordiv": operator.ifloordiv, "imod": operator.imod, "ipow": operator.ipow, "imatmul": operator.imatmul,
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt,
    "ge": operator.ge, "getitem": operator.getitem, "contains": operator.contains, "isinstance": isinstance,
    "issubclass": issubclass, "delitem": operator.delitem, "getattr": getattr, "delattr": delattr,
    "setattr": setattr, "setitem": operator.setitem, "format": format, "round": round,
    "neg": operator.neg, "pos": operator.pos, "abs": operator.abs, "invert": operator.invert,
    "len": len, "iter": iter, "next": next, "bool": bool, "float": float, "int": int, "index": operator.index,
    "complex": complex, "hash": hash, "repr": repr, "str": str, "trunc": math.trunc,
    "floor": math.floor, "ceil": math.ceil, "array": np.asarray,
}  # fmt: skip


class Output(io.TextIOBase):
    """``sys.stdout`` and ``sys.stderr`` of the implementation: kept (bounded) and sent with each answer."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        if self.size < OUTPUT_KEEP:
            self.parts.append(text[: OUTPUT_KEEP - self.size])
        self.size += len(text)
        return len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        if self.size > OUTPUT_KEEP:
            text += f"\n… ({self.size - OUTPUT_KEEP} more characters of output were cut)\n"
        self.parts, self.size = [], 0
        return text


class Records(logging.Handler):
    """The implementation's log records, sent with each answer (the spec's process hands them to its loggers)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[list[Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < 1000:
            try:
                message = record.getMessage()
            except Exception:  # a bad format string: the record's raw message
                message = str(record.msg)
            self.records.append([record.name, record.levelno, message[:2000]])

    def take(self) -> list[list[Any]]:
        taken, self.records = self.records, []
        return taken


class Callback:
    """A function of the spec, passed to the implementation: calling it asks the spec's process to call it."""

    def __init__(self, worker: Worker, token: int) -> None:
        self._worker, self._token = worker, token

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._worker.ask("cb", [self._token, args, kwargs])

    def __repr__(self) -> str:
        return f"<a function of the spec #{self._token}>"


class SpecObject:
    """Any other object of the spec passed to the implementation (say, to see that a checkpoint refuses it):
    a token with no attributes of its own."""

    def __init__(self, worker: Worker, token: int) -> None:
        self._token = token

    def __repr__(self) -> str:
        return f"<an object of the spec #{self._token}>"


class Worker:
    """Serves the spec's requests on ``sock`` for the package ``impl``."""

    def __init__(self, sock: socket.socket, impl: str) -> None:
        self.sock, self.impl = sock, impl
        self.objects: dict[int, list[Any]] = {}  # handle → [object, times sent]
        self.handles: dict[int, int] = {}  # id(object) → handle
        self.proxies: dict[tuple[str, int], Any] = {}  # the spec's functions and generators, by token
        self.counter = 0
        self.test = "?"
        self.armed = False
        self.faults: list[AbstractContextManager[None]] = []
        self.output = Output()
        self.records = Records()
        self.shared = wire.Shared(1, weak=False)

    # ----------------------------------------------------------------- loop

    def serve(self) -> None:
        """Answer requests until the spec closes the connection."""
        sys.stdout = sys.stderr = self.output
        logging.getLogger().addHandler(self.records)
        signal.signal(signal.SIGALRM, self._expire)
        wire.send(self.sock, {"ready": 1}, [])  # booted, before any of the implementation's code has run
        while True:
            try:
                header, buffers = wire.receive(self.sock)
            except wire.PeerGoneError:
                return
            self._receive_sync(header, buffers)
            self._send(self.answer(header, buffers))

    def ask(self, op: str, args: list[Any]) -> Any:
        """Ask the spec's process (a call back) and serve its requests until it answers."""
        encoder = wire.Encoder(self._handle_of, subclasses=True, shared=self.shared)
        header = {"q": op, "a": encoder(args), "o": self.output.take(), "logs": self.records.take()}
        sync = self.shared.changed(encoder)
        if sync:
            header["sync"] = sync
        wire.send(self.sock, header, encoder.buffers)
        while True:
            header, buffers = wire.receive(self.sock)
            self._receive_sync(header, buffers)
            if "q" in header:
                self._send(self.answer(header, buffers))
                continue
            if "x" in header:
                error = _builtin_exception(header["x"].get("t")) or RuntimeError
                raise error(str(header["x"].get("m", "")))
            return self._decoder(buffers)(header.get("r"))

    def _decoder(self, buffers: list[bytearray]) -> wire.Decoder:
        return wire.Decoder(buffers, self._tagged, self.shared)

    def _receive_sync(self, header: dict[str, Any], buffers: list[bytearray]) -> None:
        if type(header.get("log")) is int:
            logging.getLogger().setLevel(header["log"])
        self.shared.forget(header.get("arel") or [])
        if "sync" in header:
            self.shared.apply(header["sync"], self._decoder(buffers))

    def _send(self, reply: tuple[dict[str, Any], list[Any]]) -> None:
        header, buffers = reply
        header["o"] = self.output.take()
        header["logs"] = self.records.take()
        encoder = wire.Encoder(self._handle_of, subclasses=True, shared=self.shared)
        encoder.buffers = buffers
        sync = self.shared.changed(encoder)
        if sync:
            header["sync"] = sync
        wire.send(self.sock, header, encoder.buffers)

    def answer(self, header: dict[str, Any], buffers: list[bytearray]) -> tuple[dict[str, Any], list[Any]]:
        """Do one request; the answer is a value ``{"r": …}`` or an exception ``{"x": …}``."""
        for handle, count in header.get("rel", ()):
            self._release(handle, count)
        for name, value in (header.get("env") or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self.test = header.get("test") or self.test
        seconds = header.get("t")
        top = not self.armed
        try:
            args = self._decoder(buffers)(header.get("a", {"L": []}))
            if top and seconds:
                signal.setitimer(signal.ITIMER_REAL, max(0.001, float(seconds)))
            pure = header["q"] == "getattr" and len(args) == 2 and pure_read(*args)
            self.armed = True
            try:
                result = self.do(header["q"], args)
            finally:
                if top:
                    self.armed = False
                    signal.setitimer(signal.ITIMER_REAL, 0)
            encoder = wire.Encoder(self._handle_of, subclasses=True, shared=self.shared)
            answer = {"r": encoder(result)}
            if pure:
                answer["p"] = 1
                answer["v"] = snapshot(args[0])
            return answer, encoder.buffers
        except BaseException as exc:  # everything the implementation raises goes back to the spec
            if isinstance(exc, loops.SpecTimeout):
                loops.stop_reaching(exc.__traceback__, self.test, self.impl)
            return self._exception(exc)

    def _expire(self, signum: int, frame: Any) -> None:
        if self.armed:
            raise loops.SpecTimeout("timed out")

    # ------------------------------------------------------------ requests

    def do(self, op: str, args: list[Any]) -> Any:
        if op == "resolve":
            module, name = args
            found = getattr(importlib.import_module(f"{self.impl}.{module}"), name, _MISSING)
            return {"missing": True} if found is _MISSING else {"found": found}
        if op == "call":
            function, positional, keywords = args
            return function(*positional, **keywords)
        if op in OPERATIONS:
            return OPERATIONS[op](*args)
        if op == "chain":  # a large graph, built here (spec_tests.graphs)
            return graphs.chain(*args)
        if op == "fault":
            name, fault_args = args
            manager = getattr(faults, name)(*fault_args)
            manager.__enter__()
            self.faults.append(manager)
            return None
        if op == "unfault":
            while self.faults:
                self.faults.pop().__exit__(None, None, None)
            return None
        if op == "hello":
            return {"pid": os.getpid(), "impl": self.impl, "python": sys.version.split()[0]}
        raise ValueError(f"unknown request {op!r}")

    # ------------------------------------------------------------- objects

    def _handle_of(self, value: Any, encoder: wire.Encoder) -> dict[str, Any]:
        """A handle for an object that is not plain data: it stays here, the spec gets its number."""
        if isinstance(value, np.ndarray):
            raise wire.WireError(f"an array of dtype {value.dtype} cannot be sent")
        key = id(value)
        handle = self.handles.get(key)
        if handle is None:
            self.counter += 1
            handle = self.counter
            self.handles[key] = handle
            self.objects[handle] = [value, 0]
        self.objects[handle][1] += 1
        tag: dict[str, Any] = {"H": handle, "c": type(value).__name__}
        attrs = snapshot(value)
        if attrs:
            tag["v"] = attrs
        if isinstance(value, type) and issubclass(value, BaseException):
            tag["e"] = [self._exception_class(base, encoder) for base in value.__bases__ if base is not object]
            tag["n"] = value.__name__
        return tag

    def _exception_class(self, cls: type, encoder: wire.Encoder) -> Any:
        """A builtin exception class by name, another one by handle."""
        if cls.__module__ == "builtins":
            return cls.__name__
        return self._handle_of(cls, encoder)

    def _release(self, handle: Any, count: Any) -> None:
        entry = self.objects.get(handle)
        if entry is None or not isinstance(count, int):
            return
        entry[1] -= count
        if entry[1] <= 0:
            del self.objects[handle]
            self.handles.pop(id(entry[0]), None)

    def _tagged(self, tag: dict[str, Any]) -> Any:
        if "H" in tag:
            entry = self.objects.get(tag["H"])
            if entry is None:
                raise wire.WireError(f"no object with handle {tag['H']!r} here")
            return entry[0]
        if "P" in tag:
            return Path(tag["P"])
        for key, make in (("C", Callback), ("O", SpecObject)):
            if key in tag:
                proxy = self.proxies.get((key, tag[key]))
                if proxy is None:
                    proxy = self.proxies[key, tag[key]] = make(self, tag[key])
                return proxy
        raise wire.WireError(f"unknown tag {sorted(tag)}")

    def _exception(self, exc: BaseException) -> tuple[dict[str, Any], list[Any]]:
        encoder = wire.Encoder(self._handle_of, subclasses=True, shared=self.shared)
        kind = type(exc)
        described: dict[str, Any] = {
            "t": kind.__name__ if kind.__module__ == "builtins" else self._handle_of(kind, encoder),
            "m": _text(exc)[:4000],
            "f": loops.implementation_frames(exc, self.impl),
            "tb": "".join(traceback.format_exception(exc)[-TRACEBACK_LINES:])[-8000:],
        }
        if isinstance(exc, loops.SpecTimeout | loops.NotRun):
            described["t"] = kind.__name__
        if isinstance(exc, ModuleNotFoundError):
            described["n"] = exc.name
        try:
            plain = wire.Encoder(_refuse, subclasses=True)
            described["a"] = plain(exc.args)
            if plain.buffers:
                del described["a"]
        except (wire.WireError, TypeError):
            pass
        return {"x": described}, encoder.buffers


_MISSING = object()
_PLAIN = (float, int, bool, type(None))


def _lookup(kind: type, name: str) -> Any:
    """What ``name`` is on the class ``kind`` (through its MRO, without running any code), else ``_MISSING``."""
    for klass in kind.__mro__:
        found = vars(klass).get(name, _MISSING)
        if found is not _MISSING:
            return found
    return _MISSING


def snapshot(value: Any) -> dict[str, Any] | None:
    """The object's plain attributes that reading runs no code of its class for: numbers in its ``__dict__``
    or its slots that no class attribute (a property) shadows, when the class keeps Python's own look-up."""
    kind = type(value)
    if kind.__getattribute__ is not object.__getattribute__:
        return None
    found: dict[str, Any] = {}
    attrs = getattr(value, "__dict__", None)
    if type(attrs) is dict and len(attrs) <= 32:
        for name, item in attrs.items():
            if type(item) in _PLAIN and type(name) is str and _lookup(kind, name) is _MISSING:
                found[name] = item
    for klass in kind.__mro__[:-1]:
        for name, member in vars(klass).items():
            if type(member) is MemberDescriptorType and _lookup(kind, name) is member and len(found) < 32:
                try:
                    item = member.__get__(value, kind)
                except AttributeError:  # a slot not set yet
                    continue
                if type(item) in _PLAIN:
                    found[name] = item
    return found


def pure_read(obj: Any, name: Any) -> bool:
    """Whether ``getattr(obj, name)`` runs none of the implementation's code (its ``__dict__`` or a slot)."""
    kind = type(obj)
    if type(name) is not str or kind.__getattribute__ is not object.__getattribute__:
        return False
    member = _lookup(kind, name)
    if type(member) is MemberDescriptorType:
        return True
    attrs = getattr(obj, "__dict__", None)
    return member is _MISSING and type(attrs) is dict and name in attrs


def _refuse(value: Any, encoder: wire.Encoder) -> Any:
    raise TypeError("not plain data")


def _builtin_exception(name: Any) -> type[BaseException] | None:
    import builtins

    found = getattr(builtins, name, None) if isinstance(name, str) else None
    return found if isinstance(found, type) and issubclass(found, Exception) else None


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return f"<{type(exc).__name__} whose __str__ raised>"


def main(connect: Callable[[], socket.socket] | None = None) -> None:
    """Serve the spec on the socket ``$SPEC_WORKER_FD`` for the package ``$SPEC_IMPL``."""
    sock = connect() if connect else socket.socket(fileno=int(os.environ["SPEC_WORKER_FD"]))
    Worker(sock, os.environ["SPEC_IMPL"]).serve()


if __name__ == "__main__":
    main()
