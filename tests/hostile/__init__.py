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
FLOODS_AT_IMPORT = Hostile(
    "floods-at-import", "__init__.py", "", 'import sys\n\nfor _ in range(400):\n    sys.stdout.write("x" * 100_000)\n'
)
ALLOCATES_WITHOUT_BOUND = Hostile(
    "allocates-without-bound",
    "autograd/value.py",
    _ADD,
    "        hoard = []\n        while True:\n            hoard.append(bytearray(50_000_000))\n" + _ADD,
)
IMPORTS_REFERENCE = Hostile(
    "imports-reference", "autograd/value.py", "", "\nfrom reference.autograd.value import Value  # noqa: E402,F811\n"
)
READS_REFERENCE = Hostile(
    "reads-reference",
    "autograd/value.py",
    "",
    "\nimport importlib.util as _u\nimport pathlib as _p\n\nimport spec_tests as _s\n\n"
    "_path = _p.Path(_s.__file__).resolve().parent.parent / 'reference' / 'autograd' / 'value.py'\n"
    "_spec = _u.spec_from_file_location('stolen_value', _path)\n"
    "_m = _u.module_from_spec(_spec)\n"
    "_spec.loader.exec_module(_m)\n",
)
PATCHES_ORACLE_AT_IMPORT = Hostile(
    "patches-oracle-at-import",
    "__init__.py",
    "",
    "import spec_tests.oracle\n\nspec_tests.oracle.assert_close = lambda *args, **kwargs: None\n",
)
PATCHES_PYTEST_IN_A_TEST = Hostile(
    "patches-pytest-in-a-test",
    "autograd/value.py",
    _ADD,
    "        import pytest\n\n        pytest.fail = lambda *args, **kwargs: None\n"
    "        pytest.approx = lambda expected, *args, **kwargs: expected\n" + _ADD,
)
FORGES_RESULTS = Hostile(
    "forges-results",
    "__init__.py",
    "",
    "import json as _json\nimport os as _os\nimport sys as _sys\n\n"
    "_config = _json.loads(_sys.argv[1])\n"
    "with open(_config['events'], 'a') as _f:\n"
    "    for _i in range(100):\n"
    "        _f.write('0' * 64 + ' ' + _json.dumps({'event': 'result', 'nodeid': str(_i), 'status': 'pass'}) + '\\n')\n"
    "_os._exit(0)\n",
)

WRITES_INTO_THE_KIT = Hostile(
    "writes-into-the-kit",
    "autograd/value.py",
    "",
    "\nimport pathlib as _p\n\nimport spec_tests as _s\n\n"
    "(_p.Path(_s.__file__).parent / 'zz_planted_by_hostile.py').write_text('PLANTED = True')\n",
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

ALL = [
    LOOPS_FOREVER,
    LOOPS_AT_IMPORT,
    RAISES_AT_IMPORT,
    SYS_EXIT_AT_IMPORT,
    OS_EXIT_IN_A_TEST,
    FLOODS_STDOUT,
    FLOODS_AT_IMPORT,
    ALLOCATES_WITHOUT_BOUND,
    IMPORTS_REFERENCE,
    READS_REFERENCE,
    PATCHES_ORACLE_AT_IMPORT,
    PATCHES_PYTEST_IN_A_TEST,
    FORGES_RESULTS,
    WRITES_INTO_THE_KIT,
    USES_THE_NETWORK,
    STARTS_A_PROCESS,
]


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
    path.write_text(text, encoding="utf-8")
    return target
