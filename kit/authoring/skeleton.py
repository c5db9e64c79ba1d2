"""Generate ``student/`` from ``reference/``: every kata body becomes a ``NotImplementedError``.

A function or method in ``reference/`` is kata work when its ``def`` line carries a
``# kata NN`` comment. The generator keeps its signature, its docstring and the
comment, and replaces the rest of its body with::

    # TODO(kata 03): write Value.tanh
    raise NotImplementedError("kata 03 · Value.tanh — see katas/03-activations/README.md")

(the comment is the learner's mark, easy to find with a search for ``TODO(kata``).

Everything else (imports, classes, ``__slots__``, helpers without the comment) is
copied unchanged, so ``student/`` never drifts from ``reference/``.

    python -m kit.authoring.skeleton            # (re)write student/
    python -m kit.authoring.skeleton --check    # exit 1 and show a diff if student/ is stale

The tags are checked against the catalogue: a tag for a name the catalogue does not
list under that kata, or a listed name with no tag, is an error.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import re
import sys
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from katas import catalogue
from katas.catalogue import KIT_ROOT

REFERENCE = KIT_ROOT / "reference"
STUDENT = KIT_ROOT / "student"
_TAG = re.compile(r"#\s*kata\s+(\d+)\b")


@dataclass(frozen=True)
class KataBody:
    """A tagged function in a reference file: the lines its solution occupies."""

    kata: int
    qualname: str
    first_line: int  # 1-based, first line replaced
    last_line: int  # 1-based, last line replaced
    indent: int


def find_kata_bodies(source: str) -> list[KataBody]:
    """Every ``# kata NN``-tagged function of ``source``, in file order."""
    tags = {
        token.start[0]: int(match.group(1))
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT and (match := _TAG.search(token.string))
    }
    bodies: list[KataBody] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                header = range(child.lineno, child.body[0].lineno)
                kata = next((tags[line] for line in header if line in tags), None)
                if kata is not None:
                    bodies.append(_body_of(child, kata, f"{prefix}{child.name}"))

    visit(ast.parse(source), "")
    return bodies


def _body_of(func: ast.FunctionDef | ast.AsyncFunctionDef, kata: int, qualname: str) -> KataBody:
    first = func.body[0]
    has_docstring = (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    )
    if has_docstring and len(func.body) == 1:
        raise ValueError(f"{qualname}: a kata function needs a body after its docstring")
    start = func.body[1] if has_docstring else first
    assert func.end_lineno is not None
    assert first.end_lineno is not None
    # The body starts right after the docstring: comments there (the stub's TODO mark) belong to it.
    first_line = first.end_lineno + 1 if has_docstring else start.lineno
    return KataBody(kata, qualname, first_line, func.end_lineno, start.col_offset)


def skeleton_source(source: str, stub: Callable[[KataBody], bool] = lambda body: True) -> str:
    """``source`` with every kata body replaced by its ``NotImplementedError`` (those ``stub`` selects)."""
    lines = source.splitlines(keepends=True)
    for body in reversed([body for body in find_kata_bodies(source) if stub(body)]):
        kata = catalogue.by_number(body.kata)
        message = f"kata {kata.number:02d} · {body.qualname} — see {kata.page}"
        indent = " " * body.indent
        lines[body.first_line - 1 : body.last_line] = [
            f"{indent}# TODO(kata {kata.number:02d}): write {body.qualname}\n",
            f'{indent}raise NotImplementedError("{message}")\n',
        ]
    return "".join(lines)


def reference_files(reference: Path = REFERENCE) -> list[Path]:
    """The files of ``reference`` that the skeleton mirrors (sources and data, no caches)."""
    return sorted(
        path
        for path in reference.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    )


def generate(reference: Path = REFERENCE, stub: Callable[[KataBody], bool] = lambda body: True) -> dict[str, str]:
    """The skeleton: relative path (forward slashes) → file text. Checks tags against the catalogue.

    ``stub`` chooses which kata bodies become ``NotImplementedError``: all of them for
    ``student/``; fewer for a partly solved package (the kit's tests build those).
    """
    out: dict[str, str] = {}
    tagged: dict[int, set[str]] = {}
    for path in reference_files(reference):
        rel = path.relative_to(reference).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            for body in find_kata_bodies(text):
                tagged.setdefault(body.kata, set()).add(body.qualname)
                kata = catalogue.by_number(body.kata)
                if rel not in kata.files:
                    raise ValueError(f"{rel}: {body.qualname} is tagged kata {body.kata}, whose files are {kata.files}")
            text = skeleton_source(text, stub)
        out[rel] = text
    for kata in catalogue.load():
        found, listed = tagged.get(kata.number, set()), set(kata.names)
        if found != listed:
            raise ValueError(
                f"kata {kata.number}: the catalogue lists {sorted(listed - found)} with no '# kata' tag in reference/, "
                f"and reference/ tags {sorted(found - listed)} that the catalogue does not list"
            )
    return out


def stale_files(student: Path = STUDENT, reference: Path = REFERENCE) -> list[str]:
    """Unified diffs of every file where ``student`` differs from the generated skeleton."""
    expected = generate(reference)
    actual = {path.relative_to(student).as_posix(): path for path in reference_files(student)}
    diffs = []
    for rel in sorted(expected.keys() | actual.keys()):
        have = actual[rel].read_text(encoding="utf-8") if rel in actual else ""
        want = expected.get(rel, "")
        if have != want:
            diffs.append(
                "".join(
                    difflib.unified_diff(
                        have.splitlines(keepends=True),
                        want.splitlines(keepends=True),
                        f"student/{rel}",
                        f"generated/{rel}",
                    )
                )
                or f"student/{rel}: differs\n"
            )
    return diffs


def write(student: Path = STUDENT, reference: Path = REFERENCE) -> list[str]:
    """(Re)write ``student`` from ``reference``; returns the paths written, removes strays."""
    expected = generate(reference)
    for path in reference_files(student) if student.exists() else []:
        if path.relative_to(student).as_posix() not in expected:
            path.unlink()
    for rel, text in expected.items():
        target = student / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8", newline="\n")
    return sorted(expected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kit.authoring.skeleton", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if student/ is out of date")
    args = parser.parse_args(argv)
    if args.check:
        diffs = stale_files()
        sys.stdout.writelines(diffs)
        hint = f"{len(diffs)} file(s) differ: run python -m kit.authoring.skeleton"
        print("student/ is up to date" if not diffs else hint)
        return 1 if diffs else 0
    written = write()
    print(f"wrote {len(written)} files to {STUDENT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
