"""The class report: one static HTML file that opens from disk, offline, with nothing to install.

What it shows, top to bottom: how many learners were graded and how many need a look; the
score distribution of each kata (matplotlib histograms, embedded as a PNG data URI); the
spec's properties ranked by how many learners fail them, each with its words and the
shortest shrunk counterexample any learner's failure quoted; the flagged submissions with
the reason; the whole gradebook; and the kit version and grading time. Every text that came
from a submission (names, messages) is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import time
from collections import Counter
from typing import Any

from .gradebook import GRADED, kata_numbers
from .handback import counterexample

#: Score bands of the distribution plots, as shares of a kata's points.
BANDS = ("0", "1–49%", "50–89%", "90–99%", "100%")
COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#7fb3d5", "#2e86c1")
#: Properties listed before the rest fold away under "more properties".
SHOWN = 15
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1b1b; }
h1 { margin-bottom: .2rem; } .meta { color: #555; margin-top: 0; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: .5rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.6rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f5f5f5; padding: 0 .2rem; word-break: break-word; }
.bar { background: #c0392b; height: .7rem; display: inline-block; vertical-align: middle; }
.flag { background: #fdecea; color: #8a1c12; border-radius: 3px; padding: 0 .3rem; margin-right: .2rem; }
img { max-width: 100%; }
"""


def render(rows: list[dict[str, Any]], properties: dict[str, dict[str, Any]], info: dict[str, Any]) -> str:
    """The report of ``rows`` (gradebook records), ``properties`` (nodeid → kata, text) and the run's ``info``."""
    graded = [row for row in rows if row["status"] in GRADED]
    flagged = [row for row in rows if row["status"] not in GRADED or row.get("flags")]
    numbers = kata_numbers(graded)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>nn-katas class report · {len(rows)} learners</title><style>{STYLE}</style></head><body>",
        "<h1>nn-katas · class report</h1>",
        f'<p class="meta" id="meta">kit {_e(info["kit_version"])} · grading time {_grading_time(rows):g} s '
        f"(sum over learners) · this run {info['seconds']:g} s wall clock"
        f"{' over ' + str(info['shards']) + ' shards' if info.get('shards', 1) > 1 else ''}"
        f" · written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}</p>",
        '<div class="cards">',
        _card("learners", len(rows)),
        _card("graded", len(graded)),
        _card("need a look", len(flagged)),
        _card("median score", _median_score(graded)),
        "</div>",
        '<h2 id="distribution">Score distribution per kata</h2>',
        _distribution(graded, numbers),
        '<h2 id="properties">Properties the class fails most</h2>',
        _properties(graded, properties),
        '<h2 id="flagged">Flagged submissions</h2>',
        _flagged(flagged),
        '<h2 id="gradebook">Gradebook</h2>',
        _gradebook(rows, numbers),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _grading_time(rows: list[dict[str, Any]]) -> float:
    return round(sum(row.get("seconds", 0.0) for row in rows), 1)


def _card(label: str, value: object) -> str:
    return f'<div class="card" data-card="{_e(label)}"><b>{_e(value)}</b>{_e(label)}</div>'


def _median_score(graded: list[dict[str, Any]]) -> str:
    if not graded:
        return "–"
    scores = sorted(row["score"] for row in graded)
    middle = len(scores) // 2
    median = scores[middle] if len(scores) % 2 else (scores[middle - 1] + scores[middle]) / 2
    return f"{median:g}/{graded[0]['max_score']}"


def _distribution(graded: list[dict[str, Any]], numbers: list[int]) -> str:
    """One histogram per kata (learners per score), drawn by matplotlib, embedded as a PNG."""
    if not graded:
        return "<p>No submission was graded.</p>"
    points = {int(k["kata"]): k["points"] for row in graded for k in row["grade"]["katas"]}
    try:
        import matplotlib
    except ImportError:  # an extra (nn-katas[demos]): without it the same counts, as a table
        return _distribution_table(graded, numbers, points)

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    columns = min(4, len(numbers))
    rows_needed = -(-len(numbers) // columns)
    figure, axes = plt.subplots(rows_needed, columns, figsize=(3.2 * columns, 2.4 * rows_needed), squeeze=False)
    for axis, number in zip(axes.flat, numbers, strict=False):
        counts = Counter(band(row["katas"].get(str(number), 0), points[number]) for row in graded)
        axis.bar(BANDS, [counts[label] for label in BANDS], color=COLOURS)
        axis.set_title(f"kata {number:02d} ({points[number]} points)", fontsize=10)
        axis.set_xlabel("share of the points", fontsize=8)
        axis.set_ylabel("learners", fontsize=8)
        axis.yaxis.get_major_locator().set_params(integer=True)
        axis.tick_params(labelsize=8)
    for axis in list(axes.flat)[len(numbers) :]:
        axis.set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = "; ".join(
        f"kata {n:02d}: {sum(row['katas'].get(str(n), 0) == points[n] for row in graded)} of {len(graded)} full marks"
        for n in numbers
    )
    return f'<img id="distribution-plot" alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _distribution_table(graded: list[dict[str, Any]], numbers: list[int], points: dict[int, int]) -> str:
    """The histograms' counts as a table: learners per share of the points, per kata."""
    head = "".join(f"<th>{_e(label)}</th>" for label in BANDS)
    body = []
    for number in numbers:
        counts = Counter(band(row["katas"].get(str(number), 0), points[number]) for row in graded)
        cells = "".join(f"<td>{counts[label]}</td>" for label in BANDS)
        body.append(f"<tr><th>kata {number:02d} ({points[number]} points)</th>{cells}</tr>")
    note = '<p class="meta">Charts need matplotlib: <code>pip install "nn-katas[demos]"</code>.</p>'
    rows = "".join(body)
    table = f'<table id="distribution-table"><tr><th>learners per share of the points</th>{head}</tr>{rows}</table>'
    return table + note


def band(score: float, points: int) -> str:
    """Which of :data:`BANDS` a kata score falls in: full marks and nothing stand apart from the rest.

    >>> [band(s, 5) for s in (0, 1, 2.5, 4.66, 4.99, 5)]
    ['0', '1–49%', '50–89%', '90–99%', '90–99%', '100%']
    """
    share = score / points if points else 0.0
    if share >= 1:
        return BANDS[4]
    if share <= 0:
        return BANDS[0]
    return BANDS[1] if share < 0.5 else BANDS[2] if share < 0.9 else BANDS[3]


def failing_properties(graded: list[dict[str, Any]]) -> list[tuple[str, int, int, str]]:
    """(test node id, learners whose code fails it, learners who have not written it yet, shortest counterexample).

    Ranked by wrong code first: a property many learners get wrong says more than one they have not reached.
    """
    wrong: Counter[str] = Counter()
    unwritten: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for row in graded:
        for kata in row["grade"]["katas"]:
            for failure in kata["failures"]:
                nodeid, message = failure["test"], failure.get("message", "")
                if message.startswith("not implemented yet"):
                    unwritten[nodeid] += 1
                    continue
                wrong[nodeid] += 1
                example = counterexample(message)
                if example and (nodeid not in examples or len(example) < len(examples[nodeid])):
                    examples[nodeid] = example
    ranked = sorted(set(wrong) | set(unwritten), key=lambda n: (-wrong[n], -unwritten[n], n))
    return [(nodeid, wrong[nodeid], unwritten[nodeid], examples.get(nodeid, "")) for nodeid in ranked]


def _properties(graded: list[dict[str, Any]], properties: dict[str, dict[str, Any]]) -> str:
    ranked = failing_properties(graded)
    if not ranked:
        return "<p>Every graded learner passes every property.</p>"
    head = (
        "<tr><th>learners failing</th><th>not written yet</th><th>kata</th><th>property</th>"
        "<th>one shrunk counterexample</th></tr>"
    )
    lines = [f'<table id="properties-table">{head}']
    for rank, (nodeid, count, unwritten, example) in enumerate(ranked):
        if rank == SHOWN:
            lines.append(f"</table><details><summary>{len(ranked) - SHOWN} more properties</summary><table>{head}")
        known = properties.get(nodeid, {})
        text = known.get("text") or nodeid.split("::")[-1]
        bar = f'<span class="bar" style="width:{count / len(graded) * 6:.2f}rem"></span>'
        lines.append(
            f'<tr><td class="num">{count} of {len(graded)} {bar}</td><td class="num">{unwritten}</td>'
            f"<td>{_e(known.get('kata', ''))}</td><td>{_e(text)}<br><code>{_e(nodeid)}</code></td>"
            f"<td><code>{_e(example or '–')}</code></td></tr>"
        )
    lines.append("</table></details>" if len(ranked) > SHOWN else "</table>")
    return "\n".join(lines)


def _flagged(flagged: list[dict[str, Any]]) -> str:
    if not flagged:
        return "<p>No submission is flagged.</p>"
    lines = ['<table id="flagged-table"><tr><th>learner</th><th>status</th><th>flags</th><th>reason</th></tr>']
    for row in flagged:
        flags = "".join(f'<span class="flag">{_e(flag)}</span>' for flag in row.get("flags", []))
        lines.append(
            f"<tr><td>{_e(row['name'])}</td><td>{_e(row['status'])}</td><td>{flags}</td>"
            f"<td>{_e(row.get('reason', ''))}</td></tr>"
        )
    return "\n".join([*lines, "</table>"])


def _gradebook(rows: list[dict[str, Any]], numbers: list[int]) -> str:
    head = "".join(f"<th>kata {n:02d}</th>" for n in numbers)
    lines = [
        f'<table id="gradebook-table"><tr><th>learner</th><th>status</th><th>score</th>{head}<th>isolation</th></tr>'
    ]
    for row in rows:
        score = f"{row['score']:g}/{row['max_score']}" if row["status"] in GRADED else ""
        katas = "".join(f'<td class="num">{_e(row.get("katas", {}).get(str(n), ""))}</td>' for n in numbers)
        lines.append(
            f'<tr><td>{_e(row["name"])}</td><td>{_e(row["status"])}</td><td class="num">{score}</td>'
            f"{katas}<td>{_e(row.get('isolation', ''))}</td></tr>"
        )
    return "\n".join([*lines, "</table>"])
