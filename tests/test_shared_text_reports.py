"""The five real text extractions in ../shared/reports against ../shared/truth, every cell.

Compared as the external scorer does (a blank equals 0), and also strictly: where the truth
prints a number we must have read that number, and where it is blank we must not invent one.
Cells the truth lists as ``unscored`` must come out flagged.
"""

from __future__ import annotations

import json

import pytest

from ingest.interpret import interpret
from ingest.readers.text import read_text
from tests.conftest import HAS_SHARED, SHARED, needs_shared

NAMES = sorted(p.stem for p in (SHARED / "reports").glob("*.txt")) if HAS_SHARED else []


def _load(name: str):
    truth = json.loads((SHARED / "truth" / f"{name}.json").read_text(encoding="utf-8"))
    report = interpret(read_text((SHARED / "reports" / f"{name}.txt").read_bytes(), f"{name}.txt"))
    return truth, report


@needs_shared
def test_all_five_text_reports_are_present() -> None:
    assert len(NAMES) == 5


@needs_shared
@pytest.mark.parametrize("name", NAMES)
def test_identity_and_format(name: str) -> None:
    truth, report = _load(name)
    assert (report.agency, report.year, report.format) == (truth["agency"], truth["year"], truth["format"])
    assert report.missing_tables == []


@needs_shared
@pytest.mark.parametrize("name", NAMES)
def test_every_cell(name: str) -> None:
    truth, report = _load(name)
    unscored = set(truth.get("unscored", []))
    wrong = []
    for key, want in truth["cells"].items():
        reading = report.cells.get(key)
        if key in unscored:
            if reading is None or not reading.flagged:
                wrong.append(f"{key}: unscored but not flagged")
            continue
        if reading is None:
            wrong.append(f"{key}: missing")
            continue
        got = reading.value
        if abs((got or 0) - (want or 0)) > 1e-6 or (got is None) != (want is None) or reading.flagged:
            wrong.append(f"{key}: got {got!r} (raw {reading.raw!r}, {reading.reason}) want {want!r}")
    assert not wrong, "\n".join(wrong)
    assert set(report.cells) == set(truth["cells"])


@needs_shared
@pytest.mark.parametrize("name", NAMES)
def test_provenance_points_at_the_printed_text(name: str) -> None:
    _, report = _load(name)
    lines = (SHARED / "reports" / f"{name}.txt").read_bytes().decode("utf-8-sig").split("\n")
    for key, reading in report.cells.items():
        if reading.value is None or reading.flagged:
            continue
        line = lines[reading.provenance["line"] - 1]
        digits = reading.raw.replace(" ", "").replace("减", "").lstrip("+-").split("万")[0]
        assert digits in line.replace(" ", ""), (key, reading.raw, line)
