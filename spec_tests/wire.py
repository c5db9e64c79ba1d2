"""The wire between the spec and an implementation's worker process: frames of plain data, bounded.

When the grader splits a run (:mod:`spec_tests.remote`), the implementation lives in a worker
process and the spec reaches it over a socket. Every message is one frame::

    8 bytes   length of the JSON header, number of binary buffers (two big-endian uint32)
    header    a JSON object
    buffers   each: its length (big-endian uint64), then its bytes (arrays' data, bytes objects)

Values inside a header are plain JSON (``null``, booleans, numbers, strings; ``NaN`` and
``Infinity`` as Python's ``json`` writes them) or one of these tagged objects:

    {"L": [...]}                 a list             {"T": [...]}        a tuple
    {"Z": [...]}                 a set              {"F": [...]}        a frozenset
    {"D": [[key, value], ...]}   a dict             {"B": i}            bytes (buffer i)
    {"A": i, "d": "<f8", "s": [2, 3]}  an array of a plain dtype: booleans, integers, floats, complex
    {"N": x, "d": "<f4"}         a NumPy scalar     {"X": [re, im]}     a complex number
    {"H": n, "c": "Value", ...}  an object that stays in the worker, by handle (see :mod:`spec_tests.remote`)
    {"P": "/tmp/x"}              a path             {"R": n, "st": [3, {"B": i}, g]}   a random.Random
    {"C": n}                     a function of the spec, by token (the worker calls it back)
    {"S": [start, stop, step]}   a slice            {"E": 0}            Ellipsis
    {"Y": "float"}               a builtin type     {"DT": "<f4"}       a NumPy dtype
    {"NT": "<f4"}                a NumPy scalar type (``numpy.float32``)

Reading is strict and bounded (:data:`MAX_HEADER`, :data:`MAX_BUFFERS`, :data:`MAX_BYTES`): a frame
that breaks a rule raises :class:`WireError`, and nothing in it is ever executed. Only numbers,
strings, containers of them and arrays of a plain dtype are rebuilt, as fresh objects of the
builtin types (a float subclass arrives as a ``float``, an array as a new ``numpy.ndarray``).
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import struct
import time
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

#: Largest JSON header of one frame, in bytes.
MAX_HEADER = 64 * 1024 * 1024
#: Most binary buffers in one frame.
MAX_BUFFERS = 100_000
#: Largest total of one frame's buffers, in bytes (a 60 000 × 784 float64 array is 376 MB).
MAX_BYTES = 512 * 1024 * 1024
#: Deepest nesting of containers rebuilt.
MAX_DEPTH = 64
#: Array dtypes rebuilt: booleans, signed and unsigned integers, floats and complex numbers.
PLAIN_KINDS = frozenset("biufc")

# Kept at import: the checkpoint spec makes json.dump and json.dumps fail inside the worker (spec_tests.faults)
#: ASCII, every other character escaped: a lone surrogate in a message crosses as ``\udc80`` (UTF-8 cannot carry it)
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode
_decode = json.JSONDecoder().decode
_HEAD = struct.Struct("!II")
#: Builtin types that cross by name (``dtype=float``, ``isinstance`` checks).
_BUILTIN_TYPES: dict[str, type] = {
    t.__name__: t for t in (bool, int, float, complex, str, bytes, list, tuple, dict, set)
}
_LENGTH = struct.Struct("!Q")


class WireError(RuntimeError):
    """A frame broke the wire's rules (too large, malformed, a value that cannot be rebuilt)."""


class PeerGoneError(WireError):
    """The other side closed the connection or its process ended."""


# ------------------------------------------------------------------ frames


def send(sock: socket.socket, header: dict[str, Any], buffers: list[Any]) -> None:
    """Write one frame: ``header`` (JSON-able) and ``buffers`` (bytes-like objects)."""
    text = _encode(header).encode("utf-8")
    parts: list[Any] = [_HEAD.pack(len(text), len(buffers)), text]
    for buffer in buffers:
        view = memoryview(buffer).cast("B") if memoryview(buffer).nbytes else memoryview(b"")
        parts += [_LENGTH.pack(view.nbytes), view]
    try:
        if sum(memoryview(p).nbytes for p in parts) < 65536:
            sock.sendall(b"".join(parts))
        else:
            for part in parts:
                sock.sendall(part)
    except OSError as exc:
        raise PeerGoneError(f"the connection closed while sending ({exc})") from None


def receive(sock: socket.socket, deadline: float | None = None) -> tuple[dict[str, Any], list[bytearray]]:
    """Read one frame; ``deadline`` (``time.monotonic()``) bounds the wait, else :class:`TimeoutError`."""
    reader = _readers.get(sock.fileno())
    if reader is None or reader.sock is not sock:
        reader = _readers[sock.fileno()] = _Reader(sock)
    length, count = _HEAD.unpack(reader.read(_HEAD.size, deadline))
    if length > MAX_HEADER or count > MAX_BUFFERS:
        raise WireError(f"a frame of {length} header bytes and {count} buffers is over the wire's limits")
    try:
        header = _decode(reader.read(length, deadline).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"a frame's header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise WireError("a frame's header is not a JSON object")
    buffers, total = [], 0
    for _ in range(count):
        (size,) = _LENGTH.unpack(reader.read(_LENGTH.size, deadline))
        total += size
        if total > MAX_BYTES:
            raise WireError(f"a frame's buffers exceed {MAX_BYTES} bytes")
        buffers.append(reader.read(size, deadline))
    return header, buffers


class _Reader:
    """Reads a socket in chunks (one ``recv`` usually holds a whole small frame) and hands out exact sizes."""

    CHUNK = 256 * 1024

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = bytearray()

    def read(self, size: int, deadline: float | None) -> bytearray:
        if len(self.pending) >= size:
            data = self.pending[:size]
            del self.pending[:size]
            return data
        data = bytearray(size)
        got = len(self.pending)
        data[:got] = self.pending
        self.pending = bytearray()
        view = memoryview(data)
        while got < size:
            if size - got >= self.CHUNK:  # a large buffer: straight into its place
                got += self._recv(lambda: self.sock.recv_into(view[got:], size - got), deadline)
                continue
            chunk = self._recv(lambda: self.sock.recv(self.CHUNK), deadline)
            take = min(len(chunk), size - got)
            data[got : got + take] = chunk[:take]
            self.pending += chunk[take:]
            got += take
        return data

    def _recv(self, receive: Callable[[], Any], deadline: float | None) -> Any:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the other side in time")
            self.sock.settimeout(left)
        try:
            got = receive()
        except TimeoutError:
            raise
        except OSError as exc:
            raise PeerGoneError(f"the connection closed while reading ({exc})") from None
        finally:
            if deadline is not None:
                self.sock.settimeout(None)
        if not got:
            raise PeerGoneError("the other side closed the connection")
        return got


_readers: dict[int, _Reader] = {}


# ------------------------------------------------------------------ values


class Encoder:
    """Turns a value into its wire form; ``other(value)`` encodes what is not plain data (or raises)."""

    def __init__(self, other: Callable[[Any, Encoder], Any], subclasses: bool, shared: Shared | None = None) -> None:
        self.other = other
        self.subclasses = subclasses  # the worker sends a float subclass as a float; the spec never has one
        self.shared = shared
        self.buffers: list[Any] = []

    def __call__(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError(f"a value nested deeper than {MAX_DEPTH} levels cannot be sent")
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int or kind is float:
            return value
        if kind is list:
            return {"L": [self(v, depth + 1) for v in value]}
        if kind is tuple:
            return {"T": [self(v, depth + 1) for v in value]}
        if kind is dict:
            return {"D": [[self(k, depth + 1), self(v, depth + 1)] for k, v in value.items()]}
        if kind is set or kind is frozenset:
            return {"Z" if kind is set else "F": [self(v, depth + 1) for v in value]}
        if kind is np.ndarray:
            tag = self.array(value)
            if self.shared is not None:
                number = self.shared.share(value)
                if number is not None:
                    tag["id"] = number
            return tag
        if isinstance(value, np.generic) and value.dtype.kind in PLAIN_KINDS and value.dtype.itemsize <= 16:
            item = value.item()
            return {"N": [item.real, item.imag] if isinstance(item, complex) else item, "d": value.dtype.str}
        if kind is complex:
            return {"X": [value.real, value.imag]}
        if kind is bytes or kind is bytearray:
            self.buffers.append(bytes(value))
            return {"B": len(self.buffers) - 1}
        if kind is slice:
            return {"S": [self(value.start, depth + 1), self(value.stop, depth + 1), self(value.step, depth + 1)]}
        if value is Ellipsis:
            return {"E": 0}
        if isinstance(value, random.Random) and self.shared is not None:
            number = self.shared.share(value)
            version, words, gauss = value.getstate()
            self.buffers.append(np.array(words, dtype="<u4").tobytes())  # 2,500 bytes, not 625 numbers in text
            return {"R": number, "st": [version, {"B": len(self.buffers) - 1}, gauss]}
        if kind is type and _BUILTIN_TYPES.get(value.__name__) is value:
            return {"Y": value.__name__}
        if isinstance(value, np.dtype) and value.kind in PLAIN_KINDS and value.fields is None:
            return {"DT": value.str}
        if kind is type and issubclass(value, np.generic) and value is not np.generic:
            with contextlib.suppress(TypeError):
                if np.dtype(value).kind in PLAIN_KINDS:
                    return {"NT": np.dtype(value).str}
        if self.subclasses:
            plain = _plain_base(value)
            if plain is not None:
                return self(plain, depth)
        return self.other(value, self)

    def array(self, value: np.ndarray) -> dict[str, Any]:
        if value.dtype.kind not in PLAIN_KINDS or value.dtype.fields is not None:
            raise WireError(f"an array of dtype {value.dtype} cannot be sent: only numbers (bool, int, float, complex)")
        self.buffers.append(np.ascontiguousarray(value))
        return {"A": len(self.buffers) - 1, "d": value.dtype.str, "s": list(value.shape)}


def _plain_base(value: Any) -> Any:
    """A subclass of a builtin number, string or container as a value of the builtin itself (else None)."""
    if isinstance(value, bool):
        return bool(int.__int__(value))
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, complex):
        return complex(float.__float__(value.real), float.__float__(value.imag))
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, np.ndarray):
        return np.asarray(value).view(np.ndarray)
    if isinstance(value, tuple):
        return tuple(tuple.__iter__(value))
    if isinstance(value, list):
        return list(list.__iter__(value))
    if isinstance(value, dict):
        return {k: dict.__getitem__(value, k) for k in dict.__iter__(value)}
    if isinstance(value, (set, frozenset)):
        return set(set.__iter__(value)) if isinstance(value, set) else frozenset(frozenset.__iter__(value))
    return None


class Decoder:
    """Rebuilds a value from its wire form; ``tagged(obj)`` rebuilds the tags this module does not know."""

    def __init__(
        self, buffers: list[bytearray], tagged: Callable[[dict[str, Any]], Any], shared: Shared | None = None
    ) -> None:
        self.buffers = buffers
        self.tagged = tagged
        self.shared = shared

    def __call__(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError(f"a value nested deeper than {MAX_DEPTH} levels")
        kind = type(value)
        if value is None or kind is bool or kind is int or kind is float or kind is str:
            return value
        if kind is not dict or len(value) == 0:
            raise WireError(f"not a wire value: {kind.__name__}")
        if "L" in value:
            return [self(v, depth + 1) for v in _list(value["L"])]
        if "T" in value:
            return tuple(self(v, depth + 1) for v in _list(value["T"]))
        if "D" in value:
            pairs = [_pair(p) for p in _list(value["D"])]
            try:
                return {self(k, depth + 1): self(v, depth + 1) for k, v in pairs}
            except TypeError as exc:  # an unhashable key
                raise WireError(f"a dict key cannot be rebuilt ({exc})") from None
        if "Z" in value or "F" in value:
            items = [self(v, depth + 1) for v in _list(value.get("Z", value.get("F")))]
            try:
                return set(items) if "Z" in value else frozenset(items)
            except TypeError as exc:  # an unhashable member
                raise WireError(f"a set's member cannot be rebuilt ({exc})") from None
        if "A" in value:
            array = self.array(value)
            number = value.get("id")
            if self.shared is not None and type(number) is int:
                return self.shared.receive(number, array)
            return array
        if "N" in value:
            dtype = _dtype(value.get("d"))
            item = value["N"]
            if isinstance(item, list) and len(item) == 2:
                item = complex(_number(item[0]), _number(item[1]))
            elif type(item) not in (bool, int, float):
                raise WireError("a NumPy scalar that is not a number")
            try:
                return dtype.type(item)
            except (OverflowError, ValueError, TypeError) as exc:
                raise WireError(f"a NumPy scalar out of its dtype's range ({exc})") from None
        if "X" in value:
            pair = _list(value["X"])
            if len(pair) != 2:
                raise WireError("a complex number is two numbers")
            return complex(_number(pair[0]), _number(pair[1]))
        if "B" in value:
            return bytes(self._buffer(value["B"]))
        if "S" in value:
            parts = _list(value["S"])
            if len(parts) != 3:
                raise WireError("a slice is three values")
            start, stop, step = (self(p, depth + 1) for p in parts)
            return slice(start, stop, step)
        if "E" in value:
            return Ellipsis
        if "Y" in value:
            found = _BUILTIN_TYPES.get(value["Y"]) if isinstance(value["Y"], str) else None
            if found is None:
                raise WireError("not a builtin type's name")
            return found
        if "R" in value:
            if type(value["R"]) is not int or self.shared is None:
                raise WireError("a generator crosses with its number")
            rng = random.Random()
            try:
                rng.setstate(random_state(value.get("st"), self._buffer))
            except (TypeError, ValueError) as exc:
                raise WireError(f"not a generator's state ({exc})") from None
            return self.shared.receive(value["R"], rng)
        if "DT" in value:
            return _dtype(value["DT"])
        if "NT" in value:
            return _dtype(value["NT"]).type
        return self.tagged(value)

    def _buffer(self, index: Any) -> bytearray:
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise WireError("a buffer index out of range")
        return self.buffers[index]

    def array(self, value: dict[str, Any]) -> np.ndarray:
        dtype = _dtype(value.get("d"))
        shape = _list(value.get("s"))
        if len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
            raise WireError("an array's shape must be at most 32 non-negative integers")
        data = self._buffer(value["A"])
        if int(np.prod(shape, dtype=np.float64)) * dtype.itemsize != len(data):
            raise WireError("an array's data does not match its shape and dtype")
        array = np.frombuffer(data, dtype=dtype).reshape(shape)  # writable: the buffer is our own bytearray
        return array if dtype.isnative else array.astype(dtype.newbyteorder("="))


class Shared:
    """Objects that crossed the wire, known by one number on both sides and kept equal at every message.

    An implementation's NumPy track hands out its own arrays (``parameters()`` returns the layer's
    ``weight`` itself) and changes arrays it was given in place (an optimizer's ``step()``); a layer
    keeps the ``random.Random`` it was given and draws from it later. So that a split run sees what
    one process would, such an object (an array of up to :data:`LIMIT` bytes, a generator) gets a
    number when it first crosses the wire: the same object sent again arrives as the same object, and
    with each message each side sends the objects whose contents changed since they last crossed
    (``sync``), which the other side writes into its own object in place. Larger arrays cross as copies.

    The spec's side holds its objects weakly: one that dies there is forgotten on both sides
    (:meth:`released`), so only what a test still holds is compared, message after message.
    """

    #: Largest array kept equal on both sides; larger ones cross as copies.
    LIMIT = 1 << 20

    def __init__(self, sign: int, weak: bool) -> None:
        self.sign = sign  # the spec numbers its objects -1, -2, …; the worker 1, 2, …
        self.weak = weak
        self.count = 0
        self.entries: dict[int, list[Any]] = {}  # number → [object or weak reference, state when it last crossed]
        self.numbers: dict[int, int] = {}  # id(object) → number
        self.dead: list[int] = []
        self.fresh: list[Any] = []  # received since the last message sent: held until its changes are taken

    def _get(self, entry: list[Any]) -> Any:
        return entry[0]() if self.weak else entry[0]

    def _keep(self, number: int, obj: Any) -> None:
        if self.weak:
            ref = weakref.ref(obj, lambda _, number=number: self.dead.append(number))
            self.entries[number] = [ref, state(obj)]
        else:
            self.entries[number] = [obj, state(obj)]
        self.numbers[id(obj)] = number

    def share(self, obj: Any) -> int | None:
        """The number of ``obj``, which is being sent now (``None``: an array too large, it crosses as a copy)."""
        if isinstance(obj, np.ndarray) and obj.nbytes > self.LIMIT:
            return None
        number = self.numbers.get(id(obj))
        entry = self.entries.get(number) if number is not None else None
        if entry is None or self._get(entry) is not obj:
            self.count += 1
            number = self.sign * self.count
            self._keep(number, obj)
        else:
            entry[1] = state(obj)
        return number

    def receive(self, number: int, obj: Any) -> Any:
        """The object numbered ``number``, holding the contents of ``obj`` (just received): ours, updated in place.

        It is held until the next message is sent, so that a change made to a temporary (``layer.weight[...] =
        w``, whose array is gone after that line) still crosses with that message."""
        if self.weak:
            self.fresh.append(obj)
        if number in self.dead:
            self.dead.remove(number)  # sent again before we said we let it go: keep it
        entry = self.entries.get(number)
        mine = self._get(entry) if entry is not None else None
        if mine is not None and update(mine, obj):
            entry[1] = state(mine)  # type: ignore[index]
            if self.weak:
                self.fresh[-1] = mine
            return mine
        self._keep(number, obj)
        return obj

    def changed(self, encoder: Encoder) -> list[Any]:
        """The objects whose contents changed here since they last crossed, as tags to send (``sync``)."""
        found = []
        for number, entry in self.entries.items():
            obj = self._get(entry)
            if obj is None:
                continue
            now = state(obj)
            if now != entry[1]:
                entry[1] = now
                found.append(encoder(obj) if not isinstance(obj, np.ndarray) else {**encoder.array(obj), "id": number})
        self.fresh = []
        return found

    def apply(self, tags: Any, decoder: Decoder) -> None:
        """Take the other side's changed objects (``sync``): each is written into ours, in place."""
        for tag in _list(tags):
            if not isinstance(tag, dict) or not (("A" in tag and type(tag.get("id")) is int) or "R" in tag):
                raise WireError("a sync entry is an array or a generator, with its number")
            decoder(tag)

    def released(self) -> list[int]:
        """The numbers of the objects that died here since last asked (forgotten here; the other side is told)."""
        gone, self.dead = self.dead, []
        for number in gone:
            entry = self.entries.pop(number, None)
            if entry is not None:
                self.numbers.pop(id(entry[0]), None)
        return gone

    def forget(self, numbers: Any) -> None:
        """Forget the objects ``numbers`` (the other side let them go)."""
        for number in _list(numbers):
            entry = self.entries.pop(number, None) if type(number) is int else None
            if entry is not None:
                self.numbers.pop(id(self._get(entry)), None)


def state(obj: Any) -> Any:
    """What :class:`Shared` compares: an array's bytes (with its shape and dtype), a generator's state."""
    if isinstance(obj, np.ndarray):
        return (obj.shape, obj.dtype.str, obj.tobytes())
    return obj.getstate()


def update(mine: Any, new: Any) -> bool:
    """Write ``new``'s contents into ``mine`` in place; False when that cannot be (another shape, read-only)."""
    if isinstance(mine, np.ndarray):
        if not isinstance(new, np.ndarray) or mine.shape != new.shape or mine.dtype != new.dtype:
            return False
        try:
            mine[...] = new
        except ValueError:  # read-only
            return False
        return True
    if isinstance(mine, random.Random) and isinstance(new, random.Random):
        mine.setstate(new.getstate())
        return True
    return False


def random_state(value: Any, buffer: Callable[[Any], bytearray]) -> tuple[int, tuple[int, ...], float | None]:
    """A ``random.Random`` state received (version 3, 625 words as 2,500 little-endian bytes in the buffer
    ``buffer`` gives, the cached Gaussian), checked; ``setstate`` checks the position word."""
    items = _list(value)
    if len(items) != 3 or items[0] != 3 or not isinstance(items[1], dict) or "B" not in items[1]:
        raise WireError("a generator's state is [3, its words' buffer, gauss_next]")
    words = buffer(items[1]["B"])
    if len(words) != 625 * 4:
        raise WireError("a generator's state holds 625 words")
    gauss = items[2]
    if gauss is not None and type(gauss) is not float:
        raise WireError("a generator's cached Gaussian is a float or null")
    return 3, tuple(np.frombuffer(words, dtype="<u4").tolist()), gauss


def _dtype(text: Any) -> np.dtype:
    if not isinstance(text, str) or len(text) > 8:
        raise WireError("a dtype must be a short string")
    try:
        dtype = np.dtype(text)
    except TypeError:
        raise WireError(f"not a dtype: {text!r}") from None
    if dtype.kind not in PLAIN_KINDS or dtype.fields is not None or dtype.itemsize > 16:
        raise WireError(f"dtype {dtype} is not a plain number type")
    return dtype


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise WireError("expected a JSON array")
    return value


def _pair(value: Any) -> list[Any]:
    if type(value) is not list or len(value) != 2:
        raise WireError("a dict entry is a [key, value] pair")
    return value


def _number(value: Any) -> float:
    if type(value) not in (int, float):
        raise WireError("expected a number")
    return float(value)
