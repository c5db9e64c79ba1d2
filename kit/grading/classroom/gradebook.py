"""The gradebook: one record per learner on disk, and ``gradebook.csv`` rebuilt from them.

Every record (``records/<slug>.json``) and every rebuilt ``gradebook.csv`` is written to a
temporary file in the same folder and moved into place with ``os.replace``: a run killed at
any moment leaves each file whole, either the old one or the new one. A record carries the
key it was graded under (the submission's content hash, the kit's version, the grading
options), so a rerun skips a learner whose key is unchanged and picks up whoever is missing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from kit.grading.output import write_atomically

#: Statuses of a submission that was graded (its scores count); any other status explains why not.
GRADED = ("graded", "refused")
COLUMNS = ("name", "status", "score", "max_score")
TAIL = ("isolation", "flags", "reason", "results", "source", "ref", "content_hash", "kit_version", "seconds")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader, or a crash, never sees half of it (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)


def save_record(folder: Path, record: dict[str, Any]) -> None:
    write_atomic(folder / "records" / f"{record['slug']}.json", json.dumps(record, indent=1, ensure_ascii=False))


def load_records(folder: Path) -> dict[str, dict[str, Any]]:
    """Every whole record under ``folder/records`` by slug (an unreadable one is as good as absent)."""
    records = {}
    for path in sorted((folder / "records").glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        records[record["slug"]] = record
    return records


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ``= + - @`` would otherwise start a formula.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("Ada")
    ("'=HYPERLINK(1)", 'Ada')
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def kata_numbers(records: list[dict[str, Any]]) -> list[int]:
    return sorted({int(n) for record in records for n in record.get("katas", {})})


def to_csv(records: list[dict[str, Any]]) -> str:
    """``gradebook.csv``: name, status, total, one column per kata graded, then isolation, flags and why."""
    numbers = kata_numbers(records)
    header = [*COLUMNS, *(f"kata{n:02d}" for n in numbers), *TAIL]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        katas = record.get("katas", {})
        row = {**record, "flags": "; ".join(record.get("flags", []))}
        cells = [row.get(column, "") for column in COLUMNS]
        cells += [katas.get(str(n), "") for n in numbers]
        cells += [row.get(column, "") for column in TAIL]
        writer.writerow([spreadsheet_safe(str(cell)) for cell in cells])
    return buffer.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    """A gradebook's rows as dictionaries (for tests and for instructors' own scripts)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
