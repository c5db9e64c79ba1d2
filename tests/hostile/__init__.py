"""Hostile submissions: a copy of ``reference/`` with one hostile change each, built by the test.

Each one is what a submission might do to a grader, by accident or on purpose. They are
made from ``reference/`` at test time (like the bug zoo), so they never go stale: ``find``
must occur once in the file (empty: the text is appended to the file instead).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from katas.catalogue import KIT_ROOT as ROOT

_ADD = '        return Value(self.data + other.data, (self, other), "+")'


@dataclass(frozen=True)
class Hostile:
    """One hostile change to ``reference/<file>``, graded on kata ``kata``."""

    name: str
    file: str
    find: str
    replace: str
    kata: int = 1
    append: str = ""  # also appended to the file (module-level code the replacement uses)

    @property
    def package(self) -> str:
        return "hostile_" + self.name.replace("-", "_")


LOOPS_FOREVER = Hostile("loops-forever", "autograd/value.py", _ADD, "        while True:\n            pass\n" + _ADD)
LOOPS_AT_IMPORT = Hostile("loops-at-import", "__init__.py", "", "while True:\n    pass\n")
RAISES_AT_IMPORT = Hostile("raises-at-import", "__init__.py", "", 'raise RuntimeError("hostile: broken at import")\n')
SYS_EXIT_AT_IMPORT = Hostile("sys-exit-at-import", "__init__.py", "", "import sys\n\nsys.exit(3)\n")
OS_EXIT_IN_A_TEST = Hostile(
    "os-exit-in-a-test", "autograd/value.py", _ADD, "        import os\n\n        os._exit(7)\n" + _ADD
)
FLOODS_STDOUT = Hostile(
    "floods-stdout",
    "autograd/value.py",
    _ADD,
    '        print("flood " * 2000)\n' + _ADD,
)
#: A flood of tiny log records (and so of tiny messages from the worker): the spec's process keeps a bounded number.
FLOODS_THE_LOG = Hostile(
    "floods-the-log",
    "autograd/value.py",
    _ADD,
    "        for _ in range(300):\n            __import__('logging').getLogger('hostile').warning('x')\n" + _ADD,
)
FLOODS_AT_IMPORT = Hostile(
    "floods-at-import", "__init__.py", "", 'import sys\n\nfor _ in range(400):\n    sys.stdout.write("x" * 100_000)\n'
)
ALLOCATES_WITHOUT_BOUND = Hostile(
    "allocates-without-bound",
    "autograd/value.py",
    _ADD,
    "        hoard = []\n        while True:\n            hoard.append(bytearray(50_000_000))\n" + _ADD,
)
#: Reaches a module by a name built at run time: the static check (kit/grading/screen.py) cannot see it, so the
#: hostile packages below that use it test what stands behind that check (the import finder, the split).
_LOAD = "import importlib as _il\n\n_load = getattr(_il, 'import_' + 'module')\n"
#: The kit's own folder (where its reference is), as an in-process worker's command line tells it (in namespaces
#: the worker is not told, and the folder is not there: the path below does not exist).
_KIT = "import sys as _sys\n\n_kit = _sys.argv[2] if len(_sys.argv) > 3 else '/the-kit-is-not-here'\n"

IMPORTS_REFERENCE = Hostile(
    "imports-reference", "autograd/value.py", "", f"\n{_LOAD}\nValue = _load('reference.autograd.value').Value\n"
)
READS_REFERENCE = Hostile(
    "reads-reference",
    "autograd/value.py",
    "",
    f"\n{_KIT}\nwith open(_kit + '/reference/autograd/value.py') as _f:\n    _f.read()\n",
)
PATCHES_ORACLE_AT_IMPORT = Hostile(
    "patches-oracle-at-import",
    "__init__.py",
    "",
    f"{_LOAD}\n_load('spec_tests.oracle').assert_close = lambda *args, **kwargs: None\n",
)
PATCHES_PYTEST_IN_A_TEST = Hostile(
    "patches-pytest-in-a-test",
    "autograd/value.py",
    _ADD,
    "        import importlib\n\n        _pytest = getattr(importlib, 'import_' + 'module')('pyt' + 'est')\n"
    "        _pytest.fail = lambda *args, **kwargs: None\n"
    "        _pytest.approx = lambda expected, *args, **kwargs: expected\n" + _ADD,
)
#: Looks for the spec's events file next to the worker's folder (where the spec's process writes it) and appends
#: results that say "passed", then ends: the spec's process signs its lines, and only signed lines are read.
FORGES_RESULTS = Hostile(
    "forges-results",
    "__init__.py",
    "",
    "import contextlib as _cl\nimport glob as _glob\nimport json as _json\nimport os as _os\n\n"
    "for _path in _glob.glob(_os.path.join(_os.getcwd(), '..', '*.jsonl')):\n"
    "    with _cl.suppress(OSError), open(_path, 'a') as _f:\n"
    "        for _i in range(100):\n"
    "            _event = {'event': 'result', 'nodeid': str(_i), 'status': 'pass'}\n"
    "            _f.write('0' * 64 + ' ' + _json.dumps(_event) + '\\n')\n"
    "_os._exit(0)\n",
)

WRITES_INTO_THE_KIT = Hostile(
    "writes-into-the-kit",
    "autograd/value.py",
    "",
    f"\n{_KIT}\nwith open(_kit + '/spec_tests/zz_planted_by_hostile.py', 'w') as _f:\n    _f.write('PLANTED = True')\n",
)

USES_THE_NETWORK = Hostile(
    "uses-the-network",
    "autograd/value.py",
    "",
    "\nimport socket as _socket\n\n_socket.create_connection(('127.0.0.1', 9), timeout=1).close()\n",
)
STARTS_A_PROCESS = Hostile(
    "starts-a-process",
    "autograd/value.py",
    "",
    "\nimport subprocess as _sp\nimport sys as _sys\n\n_sp.run([_sys.executable, '-c', 'pass'])\n",
)

# ---- issue 11: the attacks a determined student tried (each must be graded as what it is)

SKIPS_INSTEAD_OF_FAILING = Hostile(
    "skips-instead-of-failing",
    "autograd/value.py",
    _ADD,
    "        import unittest\n\n        raise unittest.SkipTest('not written yet')\n" + _ADD,
)
OPENS_WITH_DIR_FD = Hostile(
    "opens-with-dir-fd",
    "autograd/value.py",
    "",
    f"\n{_KIT}import contextlib as _cl\nimport os as _os\n\n"
    "with _cl.suppress(OSError):\n"
    "    _fd = _os.open('reference/autograd/value.py', _os.O_RDONLY, dir_fd=_os.open(_kit, _os.O_RDONLY))\n",
)
OPENS_WITH_CTYPES = Hostile(
    "opens-with-ctypes",
    "autograd/value.py",
    "",
    "\nimport ctypes as _c\n\n_libc = _c.CDLL(None)\n_fd = _libc.open(b'/etc/hostname', 0)\n",
)
IMPORTS_THE_ALT_ENGINE = Hostile(
    "imports-the-alt-engine",
    "autograd/value.py",
    "",
    "\nfrom tests.alt_engine.autograd.value import Value  # noqa: E402,F811\n",
)
WALKS_FRAMES_TO_PYTEST = Hostile(
    "walks-frames-to-pytest",
    "__init__.py",
    "",
    "import sys as _sys\n\n_frame = _sys._getframe()\nwhile _frame is not None and 'config' not in _frame.f_locals:\n"
    "    _frame = _frame.f_back\n",
)
FINDS_THE_REPORTER_WITH_GC = Hostile(
    "finds-the-reporter-with-gc",
    "__init__.py",
    "",
    "import gc as _gc\n\nfor _o in _gc.get_objects():\n    if type(_o).__name__ == 'ReportPlugin':\n"
    "        _o.tampered = True\n",
)
EXECS_HIDDEN_CODE = Hostile(
    "execs-hidden-code", "__init__.py", "", "exec('import g' + 'c')  # the import the check would refuse\n"
)
FORKS_AND_ESCAPES = Hostile(
    "forks-and-escapes",
    "__init__.py",
    "",
    "import _posixsubprocess  # noqa: F401\nimport os as _os\n\nif _os.fork() == 0:\n    _os.setsid()\n",
)
KILLS_THE_GRADER = Hostile("kills-the-grader", "__init__.py", "", "import os as _os\n\n_os.kill(_os.getppid(), 9)\n")
FILLS_THE_DISK = Hostile(
    "fills-the-disk",
    "__init__.py",
    "",
    "import contextlib as _cl\n\nfor _i in range(12):  # 720 MB, 60 MB a file, outside the work folder\n"
    "    with _cl.suppress(OSError), open(f'/tmp/nn-katas-hostile-hog-{_i}', 'wb') as _f:\n"
    "        for _ in range(60):\n"
    "            _f.write(bytes(1 << 20))\n",
)
MAKES_A_DIRECTORY_AT_OUT = Hostile(
    "makes-a-directory-at-out",
    "__init__.py",
    "",
    "import contextlib as _cl\nimport os as _os\n\n_out = _os.path.dirname(_os.path.dirname(__file__))\n"
    "with _cl.suppress(OSError):\n    _os.mkdir(_os.path.join(_out, 'hostile_makes_a_directory_at_out.json'))\n",
)
MAKES_A_FIFO_AT_OUT = Hostile(
    "makes-a-fifo-at-out",
    "__init__.py",
    "",
    "import contextlib as _cl\nimport os as _os\n\n_out = _os.path.dirname(_os.path.dirname(__file__))\n"
    "with _cl.suppress(OSError):\n    _os.mkfifo(_os.path.join(_out, 'hostile_makes_a_fifo_at_out.json'))\n",
)
RAISES_A_LONE_SURROGATE = Hostile(
    "raises-a-lone-surrogate",
    "autograd/value.py",
    _ADD,
    "        if self.data < 0:\n            raise ValueError('bad \\udc80 value')\n" + _ADD,
)
RAISES_AN_UNPRINTABLE_ERROR = Hostile(
    "raises-an-unprintable-error",
    "autograd/value.py",
    _ADD,
    "        if self.data < 0:\n            raise Unprintable()\n" + _ADD,
    append="\nclass Unprintable(Exception):\n    def __str__(self):\n        raise RuntimeError('no text for you')\n",
)
RAISES_5_MB_MESSAGES = Hostile(
    "raises-5-mb-messages",
    "autograd/value.py",
    _ADD,
    "        if self.data < 0:\n            raise ValueError('x' * 5_000_000)\n" + _ADD,
)
#: Writes a hash-valid ``.pyc`` of the spec's report plugin (every test reported passed) into the kit:
#: the payload is built by :func:`poisoned_report_pyc`, at test time, and planted by the test itself.
POISONS_THE_PYCACHE = Hostile(
    "poisons-the-pycache",
    "__init__.py",
    "",
    f"{_KIT}import contextlib as _cl\nimport os as _os\n\n"
    "with _cl.suppress(OSError):\n"
    "    _os.makedirs(_os.path.join(_kit, 'spec_tests', '__pycache__'), exist_ok=True)\n"
    "    with open(_os.path.join(_kit, 'spec_tests', '__pycache__', 'report.cpython-311.pyc'), 'wb') as _f:\n"
    "        _f.write(b'poison')\n",
)

# ---- issue 22: attacks on the verdict. Each is the reference with a wrong addition (kata 01 then scores what that
# bug earns, tests/test_grade_split.py) plus an attack run when value.py is imported that, run next to the spec,
# raised the score; graded split, each must score exactly what the wrong addition alone scores.

_WRONG_ADD = '        return Value(self.data + other.data + 1.0, (self, other), "+")'
WRONG_ADD = Hostile("wrong-add", "autograd/value.py", _ADD, _WRONG_ADD)
#: The frames above the submission's code, walked by names built at run time, to pytest's config.
FRAMES_BY_BUILT_NAMES = Hostile(
    "frames-by-built-names", "autograd/value.py", _ADD, _WRONG_ADD,
    append="\nimport sys as _s\n"
    "_f = getattr(_s, '_get' + 'frame')()\n"
    "while _f is not None:\n"
    "    _c = _f.f_locals.get('config')\n"
    "    if _c is not None and hasattr(_c, 'pluginmanager'):\n"
    "        class _Pass:\n"
    "            def pytest_runtest_logreport(self, report):\n"
    "                report.outcome = 'passed'\n"
    "        _c.pluginmanager.register(_Pass())\n"
    "    _f = getattr(_f, 'f_' + 'back')\n",
)  # fmt: skip
#: The spec's comparison helper made lenient through its keyword defaults.
HELPER_DEFAULTS = Hostile(
    "helper-defaults", "autograd/value.py", _ADD, _WRONG_ADD,
    append="\nimport importlib as _il\n"
    "_o = _il.import_module('spec_' + 'tests.oracle')\n"
    "_o.assert_close.__kwdefaults__ = {'abs': 1e300, 'what': 'value'}\n",
)  # fmt: skip
#: Hypothesis's settings, reached through sys.__dict__: one example a property.
SETTINGS_THROUGH_SYS_DICT = Hostile(
    "settings-through-sys-dict", "autograd/value.py", _ADD, _WRONG_ADD,
    append="\nimport sys as _s\n"
    "_h = __import__('hypo' + 'thesis')\n"
    "_s.__dict__['modules']['hypothesis'].settings.register_profile('ci', max_examples=1)\n"
    "_h.settings.load_profile('ci')\n",
)  # fmt: skip
#: NumPy's private reduction replaced: every sum is 0.
NUMPY_INTERNALS = Hostile(
    "numpy-internals", "autograd/value.py", _ADD, _WRONG_ADD,
    append="\nimport numpy as _np\n_np.core._methods._sum = lambda *a, **k: 0.0\n",
)  # fmt: skip
#: The wrong sum as a float that says it equals anything.
LYING_FLOAT = Hostile(
    "lying-float", "autograd/value.py", _ADD,
    '        return Value(_Liar(self.data + other.data + 1.0), (self, other), "+")',
    append="\n\nclass _Liar(float):\n"
    "    def __eq__(self, other):\n        return True\n\n"
    "    def __ne__(self, other):\n        return False\n\n"
    "    __hash__ = float.__hash__\n",
)  # fmt: skip
VERDICT = [FRAMES_BY_BUILT_NAMES, HELPER_DEFAULTS, SETTINGS_THROUGH_SYS_DICT, NUMPY_INTERNALS, LYING_FLOAT]

#: Honest code the static check notes: it must score what it earns (full marks), with the note.
USES_VARS = Hostile("uses-vars", "autograd/value.py", "", "\n\ndef _fields(obj):\n    return vars(obj)\n")
#: Reads a host file the grader's user may read and the worker's may not, into an error message.
READS_SHADOW = Hostile(
    "reads-shadow", "autograd/value.py", _ADD, "        raise ValueError(open('/etc/shadow').read())\n" + _ADD
)

ALL = [
    LOOPS_FOREVER,
    LOOPS_AT_IMPORT,
    RAISES_AT_IMPORT,
    SYS_EXIT_AT_IMPORT,
    OS_EXIT_IN_A_TEST,
    FLOODS_STDOUT,
    FLOODS_AT_IMPORT,
    FLOODS_THE_LOG,
    ALLOCATES_WITHOUT_BOUND,
    IMPORTS_REFERENCE,
    READS_REFERENCE,
    PATCHES_ORACLE_AT_IMPORT,
    PATCHES_PYTEST_IN_A_TEST,
    FORGES_RESULTS,
    WRITES_INTO_THE_KIT,
    USES_THE_NETWORK,
    STARTS_A_PROCESS,
    SKIPS_INSTEAD_OF_FAILING,
    OPENS_WITH_DIR_FD,
    OPENS_WITH_CTYPES,
    IMPORTS_THE_ALT_ENGINE,
    WALKS_FRAMES_TO_PYTEST,
    FINDS_THE_REPORTER_WITH_GC,
    EXECS_HIDDEN_CODE,
    FORKS_AND_ESCAPES,
    KILLS_THE_GRADER,
    FILLS_THE_DISK,
    MAKES_A_DIRECTORY_AT_OUT,
    MAKES_A_FIFO_AT_OUT,
    RAISES_A_LONE_SURROGATE,
    RAISES_AN_UNPRINTABLE_ERROR,
    RAISES_5_MB_MESSAGES,
    POISONS_THE_PYCACHE,
]

#: The report plugin's addition in a poisoned ``.pyc``: every test's report says "passed".
_FLIP = """

def _every_report_passes(self, item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome, report.longrepr = "passed", None


LearnerReport.pytest_runtest_makereport = pytest.hookimpl(hookwrapper=True)(_every_report_passes)
"""


def poisoned_report_pyc(kit: Path) -> Path:
    """Plant, in ``kit``'s ``spec_tests/__pycache__``, a ``.pyc`` of ``report.py`` that Python accepts as
    up to date (hash-checked against the unchanged source) and that reports every test passed."""
    report = kit / "spec_tests" / "report.py"
    return planted_pyc(report, report.read_text(encoding="utf-8") + _FLIP)


def planted_pyc(source: Path, code: str) -> Path:
    """Plant beside ``source`` (in its ``__pycache__``) a ``.pyc`` of other ``code`` that Python accepts as
    ``source``'s bytecode: hash-checked against ``source``'s unchanged bytes, so a plain import runs ``code``."""
    import importlib.util
    import sys
    from importlib import _bootstrap_external

    compiled = compile(code, str(source), "exec")
    source_hash = importlib.util.source_hash(source.read_bytes())
    data = _bootstrap_external._code_to_hash_pyc(compiled, source_hash, checked=True)
    target = source.parent / "__pycache__" / f"{source.stem}.{sys.implementation.cache_tag}.pyc"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(data)
    return target


def build(hostile: Hostile, parent: Path) -> Path:
    """A copy of ``reference/`` named ``hostile.package`` under ``parent``, with the hostile change; its folder."""
    target = parent / hostile.package
    shutil.copytree(ROOT / "reference", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    path = target / hostile.file
    text = path.read_text(encoding="utf-8")
    if hostile.find:
        assert text.count(hostile.find) == 1, f"{hostile.name}: the text to replace must occur once in {hostile.file}"
        text = text.replace(hostile.find, hostile.replace)
    else:
        text += "\n" + hostile.replace
    if hostile.append:
        text += "\n" + hostile.append
    path.write_text(text, encoding="utf-8")
    return target
