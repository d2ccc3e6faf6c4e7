"""Round trip of figures through the forms web pages are dumped in (ingest.render.flat).

Each figures dict is written as ``glued`` (rows with numbers glued to labels), ``oneline`` (the
whole page on one line, cells run together) and ``spaced`` (one line, cells space-separated),
read back through the whole ingest path, and judged row by row against the figures:

* **unique** — every cell of the row read exactly (blank and 0 are the same number);
* **flagged** — at least one cell flagged (the row could not be split with certainty) and no
  unflagged cell differs;
* **wrong** — an unflagged cell differs: the defect the project must never have.

Run ``python -m tests.flat_forms`` for the table over the project's samples, random figures
that satisfy the tables' arithmetic, and (when present) the truths of ../shared.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ingest.pipeline import parse_bytes
from ingest.render.flat import FORMS, flat_report
from store.catalogue import specs_for

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "bot" / "samples" / "figures"
SHARED_TRUTHS = [ROOT.parent / "shared" / "truth", ROOT.parent / "shared" / "real-forms" / "truth"]
OUTCOMES = {
    "2019": ["other"],
    "2021": ["other_no_correction", "other_no_fee", "other_misc"],
}
RESULT_ROWS = [
    "granted", "partial", "denied_state_secret", "denied_law_forbidden", "denied_three_safety",
    "denied_third_party", "denied_internal", "denied_process", "denied_enforcement_file", "denied_admin_query",
    "unable_not_held", "unable_needs_creation", "unable_unclear", "rejected_complaint", "rejected_duplicate",
    "rejected_publication", "rejected_excessive", "rejected_confirm",
]
APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org")


def row_of(key: str) -> str:
    """The printed row a cell belongs to (appeals: its group of five)."""
    return key.rsplit(".", 1)[0]


def judge(figures: dict[str, Any], form: str) -> Counter:
    """Rows of ``figures`` read back from ``form``: counts of unique / flagged / wrong (and, as
    ``wrong:<key>``, the cells silently wrong, for the message of a failing test)."""
    text = flat_report(figures, form)
    report = parse_bytes(text.encode("utf-8"), f"{figures['agency']}-{form}.txt")
    fmt = figures["format"]
    keys = [s.key for table in ("active", "requests", "appeals") for s in specs_for(table, fmt)]
    rows: dict[str, list[str]] = {}
    for key in keys:
        if key in figures["cells"]:
            rows.setdefault(row_of(key), []).append(key)
    out: Counter = Counter()
    for cells in rows.values():
        verdicts = [_cell(report.cells.get(k), figures["cells"][k]) for k in cells]
        wrong = [k for k, v in zip(cells, verdicts, strict=True) if v == "wrong"]
        if wrong:
            out["wrong"] += 1
            out.update(f"wrong:{form}:{k}" for k in wrong)
        elif "flagged" in verdicts:
            out["flagged"] += 1
        else:
            out["unique"] += 1
    return out


def _cell(reading: Any, want: Any) -> str:
    if reading is None:
        return "wrong"
    if reading.flagged:
        return "flagged"
    got = reading.value or 0
    return "right" if abs(got - (want or 0)) < 1e-6 else "wrong"


# --- figures ------------------------------------------------------------------------------------


def sample_figures() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.json"))]


def shared_figures() -> list[dict[str, Any]]:
    out = []
    for folder in SHARED_TRUTHS:
        for path in sorted(folder.glob("*.json")):
            truth = json.loads(path.read_text(encoding="utf-8"))
            out.append({k: truth[k] for k in ("agency", "year", "format", "cells")})
    return out


def random_figures(rng: random.Random, *, blanks: float = 0.0) -> dict[str, Any]:
    """A report whose tables satisfy every relation: row sums, column balances, group totals.

    ``blanks`` is the chance that a zero prints as a blank cell (as many real tables do)."""
    fmt = rng.choice(("2019", "2021"))
    year = 2020 if fmt == "2019" else 2022
    cells: dict[str, Any] = {}

    def size() -> int:
        return rng.choice((0, 0, 0, 0, 1, 2, 3, 5, 9, 12, 40, 130))

    def put(key: str, value: int) -> None:
        cells[key] = None if value == 0 and rng.random() < blanks else value

    rows = RESULT_ROWS + OUTCOMES[fmt]
    per_row = {r: [size() for _ in APPLICANTS] for r in rows}
    handled = [sum(per_row[r][i] for r in rows) for i in range(6)]
    forward = [rng.choice((0, 0, 1, 3)) for _ in APPLICANTS]
    carried = [rng.choice((0, 0, 0, 2)) for _ in APPLICANTS]
    carried = [min(c, h + f) for c, h, f in zip(carried, handled, forward, strict=True)]
    new = [h + f - c for h, f, c in zip(handled, forward, carried, strict=True)]
    table = {**per_row, "handled_total": handled, "carried_forward": forward, "carried_over": carried, "new": new}
    for rid, values in table.items():
        for applicant, value in zip(APPLICANTS, values, strict=True):
            put(f"requests.{rid}.{applicant}", value)
        cells[f"requests.{rid}.total"] = sum(values)
    for group in ("review", "suit_direct", "suit_after_review"):
        parts = [rng.choice((0, 0, 1, 2, 7, 15)) for _ in range(4)]
        for name, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            put(f"appeals.{group}.{name}", value)
        cells[f"appeals.{group}.total"] = sum(parts)
    for spec in specs_for("active", fmt):
        if spec.unit == "万元":
            cells[spec.key] = rng.choice((0, 12.5, 5949.088667, 300))
        elif spec.key.endswith(".change"):
            cells[spec.key] = rng.choice((0, 0, 3, -2))
        else:
            put(spec.key, rng.choice((0, 0, 1, 5, 17, 240, 2629)))
    tag = "".join(rng.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(4))  # a title name holds no digit runs
    return {"agency": f"测试区{tag}局", "year": year, "format": fmt, "cells": cells}


def survey(figure_sets: dict[str, list[dict[str, Any]]]) -> dict[tuple[str, str], Counter]:
    """Counts per (set, form)."""
    out: dict[tuple[str, str], Counter] = {}
    for name, figures in figure_sets.items():
        for form in FORMS:
            total: Counter = Counter()
            for f in figures:
                total += judge(f, form)
            out[(name, form)] = total
    return out


def main() -> int:
    rng = random.Random(9)
    sets = {
        "samples": sample_figures(),
        "random": [random_figures(rng) for _ in range(40)],
        "random+blanks": [random_figures(rng, blanks=0.5) for _ in range(20)],
    }
    if all(folder.is_dir() for folder in SHARED_TRUTHS):
        sets["shared truths"] = shared_figures()
    results = survey(sets)
    print(f"{'set':<16}{'form':<9}{'rows':>6}{'unique':>8}{'flagged':>9}{'wrong':>7}")
    wrong = 0
    for (name, form), c in results.items():
        rows = c["unique"] + c["flagged"] + c["wrong"]
        print(f"{name:<16}{form:<9}{rows:>6}{c['unique']:>8}{c['flagged']:>9}{c['wrong']:>7}")
        wrong += c["wrong"]
        for key in sorted(k for k in c if k.startswith("wrong:"))[:5]:
            print("    ", key)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
