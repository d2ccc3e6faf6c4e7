"""Reports arrive in any order: the cross-year checks of a year are recomputed when the year
before is ingested (or replaced) after it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from ingest.pipeline import ingest_bytes
from ingest.render.text import text_report
from store import queries
from store.db import open_db
from tests.conftest import ROOT

FIGURES = json.loads((ROOT / "bot/samples/figures/liaocheng-dashuju-2019.json").read_text(encoding="utf-8"))


def _year(year: int, carried_over: int = 0, carried_forward: int = 0) -> bytes:
    """The 大数据局 figures as a report for ``year``, balanced, with the two carried rows set."""
    figures = copy.deepcopy(FIGURES)
    figures["year"] = year
    cells = figures["cells"]
    for col in ("natural", "total"):
        cells[f"requests.carried_over.{col}"] = carried_over
        cells[f"requests.carried_forward.{col}"] = carried_forward
        cells[f"requests.new.{col}"] = cells[f"requests.handled_total.{col}"] + carried_forward - carried_over
    return text_report(figures).encode("utf-8")


def _cross_year(db, year: int) -> dict[str, bool]:
    report = queries.current_report(db, "聊城市大数据局", year)
    return {c["rule"]: c["passed"] for c in queries.checks_of(db, report["id"]) if c["rule"].startswith("cross_year.")}


def test_last_year_arriving_later_refreshes_this_years_cross_year_checks(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    assert ingest_bytes(db, _year(2020, carried_over=2), "2020.txt").ok
    assert _cross_year(db, 2020) == {}  # nothing to compare with yet

    assert ingest_bytes(db, _year(2019, carried_forward=1), "2019-v1.txt").ok  # says 1 was carried, 2020 says 2
    checks = _cross_year(db, 2020)
    assert checks["cross_year.carried.total"] is False and checks["cross_year.carried.natural"] is False
    assert checks["cross_year.carried.commercial"] is True

    assert ingest_bytes(db, _year(2019, carried_forward=2), "2019-v2.txt").outcome == "superseded"
    assert all(_cross_year(db, 2020).values())
    assert len(_cross_year(db, 2020)) == 8  # replaced, not appended: 7 carried-over columns and the amount
