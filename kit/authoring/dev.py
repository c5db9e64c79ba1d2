"""Authoring a kata: ``kata dev new`` scaffolds one, ``kata dev check`` says what is still missing.

A kata lives in several places at once, and all of them follow from the catalogue:

- ``katas/catalogue.toml``: its entry (number, slug, title, files, names, points, …);
- ``katas/NN-slug/README.md``: its page, and ``hints.toml`` beside it (``kata hint``);
- ``spec_tests/test_kataNN_slug.py``: its spec, marked ``kataNN``, reaching names through ``spec_tests/api.py``;
- ``reference/<file>``: the solution, each kata function tagged ``# kata NN`` on its ``def`` line;
- ``student/``: generated from ``reference/`` (:mod:`kit.authoring.skeleton`);
- ``tests/zoo/``: at least one learner mistake that the spec must catch;
- ``README.md``: a row in the table of katas.

``new`` writes a placeholder in each (except the zoo, which needs a real mistake); ``check`` reads
them all and lists what is missing or still a placeholder, so adding kata 17 is one command and a
checklist rather than twelve places remembered by hand.
"""

from __future__ import annotations

import argparse
import ast
import re
from dataclasses import dataclass
from pathlib import Path

from katas import catalogue
from katas.catalogue import KIT_ROOT
from kit.authoring import skeleton

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Written into every placeholder ``new`` makes; ``check`` looks for it.
SCAFFOLD_MARK = "scaffolded by kata dev new"
#: The sections every kata page has (``check`` looks for these headings).
PAGE_SECTIONS = ("## What to write", "## A worked example", "## Check only this kata")
TOTAL_POINTS = 100
_SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_README_ROW = re.compile(r"^\| (\d\d) \| \[(.+?)\]\((katas/[^)]+)\) \| (.+) \|$")


@dataclass(frozen=True)
class Scaffold:
    """What ``new`` wrote, relative to the kit's root."""

    number: int
    written: tuple[str, ...]


def new(slug: str, title: str, *, file: str | None = None, name: str | None = None) -> Scaffold:
    """Add kata N+1 called ``slug``: catalogue entry, page, spec module, reference stub, skeleton, README row.

    Raises ``ValueError`` before writing anything when the slug, title, file or name is unusable.
    """
    root = KIT_ROOT
    katas = catalogue.load()
    number = len(katas) + 1
    file = file or f"nn/{slug.replace('-', '_')}.py"
    name = name or slug.replace("-", "_")
    _validate(katas, slug, title, file, name)
    fields = {"number": number, "title": title, "slug": slug, "file": file, "name": name}
    fields |= {"marker": f"kata{number:02d}", "scaffold_mark": SCAFFOLD_MARK}
    page = root / "katas" / f"{number:02d}-{slug}" / "README.md"
    spec = root / "spec_tests" / f"test_kata{number:02d}_{slug.replace('-', '_')}.py"
    reference = root / "reference" / file
    page.parent.mkdir(parents=True)
    page.write_text(_template("page.md", fields), encoding="utf-8")
    (page.parent / "hints.toml").write_text(_template("hints.toml", fields), encoding="utf-8")
    spec.write_text(_template("spec_module.py.txt", fields), encoding="utf-8")
    reference.parent.mkdir(parents=True, exist_ok=True)
    if not reference.exists():
        reference.write_text(f'"""Kata {number:02d} · {title}."""\n\nfrom __future__ import annotations\n', "utf-8")
    _append(reference, _template("reference_stub.py.txt", fields))
    _append(root / "katas" / "catalogue.toml", _catalogue_entry(fields))
    _append_api_name(root / "spec_tests" / "api.py", file, name)
    _add_readme_row(root / "README.md", number, title, f"katas/{number:02d}-{slug}/README.md", file)
    catalogue.load.cache_clear()
    written = skeleton.write()
    touched = [
        page,
        page.parent / "hints.toml",
        spec,
        reference,
        root / "katas" / "catalogue.toml",
        root / "spec_tests" / "api.py",
        root / "README.md",
    ]
    return Scaffold(number, tuple(str(p.relative_to(root)) for p in touched) + tuple(f"student/{w}" for w in written))


def check() -> list[str]:
    """Everything still missing, one plain sentence each; an empty list when every kata is whole."""
    root = KIT_ROOT
    try:
        katas = catalogue.load()
    except (ValueError, KeyError) as exc:
        return [f"katas/catalogue.toml cannot be read: {exc}"]
    ready = [kata for kata in katas if kata.ready]
    problems = []
    points = sum(kata.points for kata in ready)
    if points != TOTAL_POINTS:
        problems.append(f"the ready katas' points sum to {points}, not {TOTAL_POINTS} (katas/catalogue.toml)")
    zoo = _zoo_bugs_per_kata(root / "tests" / "zoo")
    readme = _readme_rows(root / "README.md")
    for kata in ready:
        problems += [f"kata {kata.number:02d}: {problem}" for problem in _kata_problems(kata, root, zoo, readme)]
    problems += [
        f"README.md's table of katas has a row for kata {n:02d}, which the catalogue lacks"
        for n in sorted(set(readme) - {kata.number for kata in katas})
    ]
    try:
        stale = skeleton.stale_files()
    except ValueError as exc:
        problems.append(f"student/ cannot be generated: {exc}")
    else:
        problems += (
            [f"student/ is stale: run python -m kit.authoring.skeleton ({len(stale)} file(s) differ)"] if stale else []
        )
    return problems


def add_arguments(command: argparse.ArgumentParser) -> None:
    """``kata dev new SLUG TITLE [--file F] [--name N]`` and ``kata dev check``."""
    command.add_argument("action", choices=("new", "check"), help="new: scaffold the next kata; check: what is missing")
    command.add_argument("slug", nargs="?", help="new: the kata's slug, e.g. conv (its page: katas/17-conv/)")
    command.add_argument("title", nargs="?", help='new: one line for tables, e.g. "A convolution layer"')
    command.add_argument("--file", help="new: the module the learner writes (default: nn/<slug>.py)")
    command.add_argument("--name", help="new: the first function the learner writes (default: the slug)")


def cmd_dev(args: argparse.Namespace) -> int:
    """``kata dev``: 0 when done (new) or nothing is missing (check), 1 when something is, 2 on bad input
    or where there is no kit to author (an installed kit: its maintainers work in a clone)."""
    if not (KIT_ROOT / "reference").is_dir():
        print(
            f"kata dev {args.action} works in a clone of the kit's repository, for its authors: it reads and writes "
            f"the reference, the spec and the README, which an installed kit ({KIT_ROOT}) does not hold"
        )
        return 2
    if args.action == "new":
        if not (args.slug and args.title):
            print('kata dev new needs a slug and a title: kata dev new conv "A convolution layer"')
            return 2
        try:
            made = new(args.slug, args.title, file=args.file, name=args.name)
        except ValueError as exc:
            print(f"kata dev new: {exc}")
            return 2
        print(f"kata {made.number:02d} scaffolded; written:")
        print("\n".join(f"  {path}" for path in made.written))
        print("Next: kata dev check (the list of what is still to write)")
        return 0
    problems = check()
    for problem in problems:
        print(f"✗ {problem}")
    print(f"{len(problems)} thing(s) missing" if problems else "✓ every kata is whole")
    return 1 if problems else 0


def _kata_problems(
    kata: catalogue.Kata, root: Path, zoo: dict[int, int], readme: dict[int, tuple[str, str, str]]
) -> list[str]:
    """What one ready kata still lacks."""
    problems = []
    if kata.points <= 0:
        problems.append("it has no points (katas/catalogue.toml)")
    if "TODO" in kata.built:
        problems.append("its `built` sentence is still a placeholder (katas/catalogue.toml)")
    if not kata.source or "TODO" in kata.source:
        problems.append("its `source` is missing or a placeholder (katas/catalogue.toml)")
    try:
        hints = kata.hints
    except ValueError as exc:
        problems.append(f"its hints cannot be read: {exc}")
    else:
        if len(hints) < 3 or any("TODO(author)" in hint for hint in hints):
            problems.append(
                f"{kata.hints_file.relative_to(root)} needs three written levels (nudge, idea, near-solution)"
            )
    page = root / kata.page
    if not page.is_file():
        problems.append(f"{kata.page} is missing")
    else:
        text = page.read_text(encoding="utf-8")
        problems += [f"{kata.page} has no section {section!r}" for section in PAGE_SECTIONS if section not in text]
        if "TODO(author)" in text:
            problems.append(f"{kata.page} still has TODO(author) placeholders")
    specs = sorted((root / "spec_tests").glob(f"test_{kata.marker}_*.py"))
    if not specs:
        problems.append(f"no spec module spec_tests/test_{kata.marker}_*.py")
    for spec in specs:
        text = spec.read_text(encoding="utf-8")
        if f"pytestmark = pytest.mark.{kata.marker}" not in text:
            problems.append(f"{spec.relative_to(root)} is not marked {kata.marker}")
        if SCAFFOLD_MARK in text:
            problems.append(f"{spec.relative_to(root)} still holds the scaffold's placeholder test")
    for file in kata.files:
        reference = root / "reference" / file
        if reference.is_file() and SCAFFOLD_MARK in reference.read_text(encoding="utf-8"):
            problems.append(f"reference/{file} still raises the scaffold's NotImplementedError")
    if zoo.get(kata.number, 0) == 0:
        problems.append("the bug zoo (tests/zoo/) has no bug for it: add a learner mistake the spec must catch")
    row = readme.get(kata.number)
    expected = (kata.title, kata.page)
    if row is None:
        problems.append("README.md's table of katas has no row for it")
    elif row[:2] != expected:
        problems.append(f"README.md's row says {row[0]!r} → {row[1]}, the catalogue {kata.title!r} → {kata.page}")
    return problems


def _validate(katas: tuple[catalogue.Kata, ...], slug: str, title: str, file: str, name: str) -> None:
    if not _SLUG.fullmatch(slug):
        raise ValueError(f"slug {slug!r}: lowercase letters, digits and single hyphens, starting with a letter")
    if slug in {kata.slug for kata in katas}:
        raise ValueError(f"slug {slug!r} is taken by kata {next(k.number for k in katas if k.slug == slug)}")
    if not title.strip() or "\n" in title or '"' in title:
        raise ValueError("title: one line of text, without double quotes")
    if not re.fullmatch(r"(autograd|nn|vectorized|data)/[a-z_][a-z0-9_]*\.py", file):
        raise ValueError(f"file {file!r}: a module of the package, e.g. nn/conv.py")
    if not name.isidentifier():
        raise ValueError(f"name {name!r} is not a Python identifier")


def _template(name: str, fields: dict[str, object]) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8").format(**fields)


def _append(path: Path, text: str) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(current.rstrip("\n") + "\n" + text.rstrip("\n") + "\n", encoding="utf-8")


def _catalogue_entry(fields: dict[str, object]) -> str:
    return (
        f'\n[[kata]]\nnumber = {fields["number"]}\nslug = "{fields["slug"]}"\ntitle = "{fields["title"]}"\n'
        f'files = ["{fields["file"]}"]\nnames = ["{fields["name"]}"]\npoints = 0\nstatus = "ready"\n'
        f'built = "TODO(author): one sentence for the learner who has just passed kata {fields["number"]}"\n'
        'source = "TODO(author): where the kata comes from (read by the kit\'s authors, not by learners)"\n'
    )


def _append_api_name(api: Path, file: str, name: str) -> None:
    module = file.removesuffix(".py").replace("/", ".")
    _append(api, f'# {file} ({SCAFFOLD_MARK})\n{name} = ApiName("{module}", "{name}")')


def _readme_rows(readme: Path) -> dict[int, tuple[str, str, str]]:
    """README's table of katas: number → (title, page, files cell)."""
    rows = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        if match := _README_ROW.match(line):
            rows[int(match.group(1))] = (match.group(2), match.group(3), match.group(4))
    return rows


def _add_readme_row(readme: Path, number: int, title: str, page: str, file: str) -> None:
    lines = readme.read_text(encoding="utf-8").splitlines()
    last = max(i for i, line in enumerate(lines) if _README_ROW.match(line))
    lines.insert(last + 1, f"| {number:02d} | [{title}]({page}) | `{file}` |")
    readme.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _zoo_bugs_per_kata(zoo: Path) -> dict[int, int]:
    """How many zoo bugs name each kata, read from ``tests/zoo/*.py`` (``Bug(…, kata=N, …)`` calls)."""
    counts: dict[int, int] = {}
    for path in sorted(zoo.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Bug"):
                continue
            given = [k.value for k in node.keywords if k.arg == "kata"] + node.args[1:2]
            if given and isinstance(given[0], ast.Constant) and isinstance(given[0].value, int):
                counts[given[0].value] = counts.get(given[0].value, 0) + 1
    return counts
