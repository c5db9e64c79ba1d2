"""Turn mutation/results.json and the reviews in mutation/review.toml into the tables of mutation/README.md.

Run as ``python mutation/report.py`` after ``python mutation/run.py``. Prints, per module, the kill rate and
every surviving mutant with its review; a survivor with no review is marked ``NOT REVIEWED``. Two kinds of
survivor are recognised mechanically, and the rule says so in its line:

- *message*: the mutant only changes the text of an exception's message (a string in a ``raise``, or the
  argument name handed to a ``check_*`` / ``positive_int`` validator, which only goes into a message). The spec
  checks exception types, not wording (pyproject.toml's ruff note on PT011; API.md's own "message names …"
  clauses, such as Neuron's "listing them", are tested where API.md asks for specific content).
- *zip-strict*: ``zip(..., strict=True)`` loses ``strict``; the lengths are equal by construction, so strict
  is only a guard.

Everything else is reviewed by hand in review.toml: ``"mutant name" = "equivalent: …" | "outside the contract: …"
| "killed by test_…"``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
_STRING = re.compile(r"""[rbfu]{0,2}("([^"\\]|\\.)*"|'([^'\\]|\\.)*')|\bNone\b""")
# the reference's validators, whose string arguments are argument names that only go into their messages
_VALIDATOR = re.compile(
    r"\b(check_(count|same_length|class|finite_positive)|_check_(real|beta|positive)|positive_int|as_values|batch_of)\("
)


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and the added lines of a unified diff, each joined into one string."""
    lines = diff.splitlines()
    removed = " ".join(line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---"))
    added = " ".join(line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++"))
    return removed, added


def _without_strings(text: str) -> str:
    return re.sub(r"S(\s*S)+", "S", _STRING.sub("S", text)).replace(" ", "")


def automatic_review(diff: str) -> str | None:
    """The review of a mechanically recognisable survivor, or None."""
    removed, added = changed_lines(diff)
    if _without_strings(removed) == _without_strings(added) and (
        "raise " in removed or _VALIDATOR.search(_without_strings(removed)) or _within_raise(diff)
    ):
        return "message: only an exception message's wording changes; the spec checks types, not wording"
    if "strict=True" in removed and removed.replace("strict=True", "") in (
        added.replace("strict=None", "").replace("strict=False", "").replace(", )", ", )"),
        added.replace("strict=None", "").replace("strict=False", ""),
    ):
        return "equivalent (zip-strict): the zipped lengths are equal by construction; strict=True is only a guard"
    if "strict=True" in removed and re.sub(r",\s*strict=True", ",", removed).replace(" ", "") == added.replace(" ", ""):
        return "equivalent (zip-strict): the zipped lengths are equal by construction; strict=True is only a guard"
    return None


def _within_raise(diff: str) -> bool:
    """Whether the changed lines are string continuation lines of a multi-line ``raise X(``."""
    lines = diff.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("-") and not line.startswith("---")), None)
    if first is None:
        return False
    for line in reversed(lines[:first]):
        body = line[1:].strip()
        if body.startswith("raise ") and body.endswith("("):
            return True
        if body.startswith(('"', "f'", 'f"', "'")) and not body.startswith(('"""', "'''")):
            continue
        return False
    return False


def load(results: Path, reviews: Path) -> tuple[dict[str, dict], dict[str, str]]:
    """The results per module and the hand reviews."""
    data = json.loads(results.read_text(encoding="utf-8"))
    review = tomllib.loads(reviews.read_text(encoding="utf-8")).get("reviews", {}) if reviews.exists() else {}
    return data, review


def verdict_of(name: str, diff: str, review: dict[str, str]) -> str:
    """A survivor's verdict: its hand review, else the mechanical one, else NOT REVIEWED."""
    return review.get(name) or automatic_review(diff) or "NOT REVIEWED"


def category(verdict: str) -> str:
    """The kind of a review: message, equivalent, outside (the contract), reach (the spec's), killed or open."""
    if verdict.startswith("outside the spec's reach"):
        return "reach"
    for kind in ("message", "equivalent", "outside", "killed"):
        if verdict.startswith(kind):
            return kind
    return "open"


def render(data: dict[str, dict], review: dict[str, str]) -> str:
    """The Markdown tables: per module, then every survivor."""
    out = [
        "| module | katas run | mutants | killed | message | equivalent | outside the contract "
        "| beyond the spec's reach | open | kill rate | of the mutants the contract can see |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    survivors: list[str] = []
    grand = {"total": 0, "killed": 0, "visible": 0}
    for module in sorted(data, key=lambda m: (data[m]["total"], m)):
        r = data[module]
        verdicts = {name: verdict_of(name, diff, review) for name, diff in r["survivors"].items()}
        kinds = [category(v) for v in verdicts.values()]
        count = {kind: kinds.count(kind) for kind in ("message", "equivalent", "outside", "reach", "killed", "open")}
        invisible = count["message"] + count["equivalent"] + count["outside"] + count["reach"]
        visible = r["total"] - invisible
        rate = r["killed"] / r["total"] if r["total"] else 0.0
        seen = r["killed"] / visible if visible else 1.0
        katas = ", ".join(f"{k:02d}" for k in r["katas"])
        out.append(
            f"| `{module}` | {katas} | {r['total']} | {r['killed']} | {count['message']} | {count['equivalent']} "
            f"| {count['outside']} | {count['reach']} | {count['open'] + count['killed']} "
            f"| {rate:.1%} | {seen:.1%} ({r['killed']}/{visible}) |"
        )
        grand["total"] += r["total"]
        grand["killed"] += r["killed"]
        grand["visible"] += visible
        survivors.append(f"\n#### `{module}`\n")
        for name in sorted(verdicts):
            short = name.split(".x", 1)[-1] if ".x" in name else name
            removed, added = changed_lines(r["survivors"][name])
            change = f"`{removed[:90]}` → `{added[:90]}`".replace("|", "\\|")
            survivors.append(f"- `{short}` ({change}): {verdicts[name]}")
    out.append(
        f"| **all run** | | {grand['total']} | {grand['killed']} | | | | | "
        f"| {grand['killed'] / grand['total']:.1%} "
        f"| {grand['killed'] / grand['visible']:.1%} ({grand['killed']}/{grand['visible']}) |"
    )
    return "\n".join(out) + "\n\n### Every surviving mutant, reviewed\n" + "\n".join(survivors) + "\n"


BEGIN, END = "<!-- results: written by mutation/report.py --write -->", "<!-- end of results -->"


def main(argv: list[str] | None = None) -> int:
    """Print the tables (``--write``: also into README.md between its markers); exit 1 if a survivor is unreviewed."""
    args = sys.argv[1:] if argv is None else argv
    data, review = load(HERE / "results.json", HERE / "review.toml")
    text = render(data, review)
    sys.stdout.write(text)
    if "--write" in args:
        readme = HERE / "README.md"
        page = readme.read_text(encoding="utf-8")
        head, rest = page.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        readme.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")
    return 1 if "NOT REVIEWED" in text else 0


if __name__ == "__main__":
    raise SystemExit(main())
