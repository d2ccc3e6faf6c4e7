"""Cross-year checks against last year's report as the real store exports it (SQLite file)."""

from __future__ import annotations

from pathlib import Path

from ingest.alerts import alert_text
from ingest.checks import run_checks
from store import queries
from store.db import open_db, save_report
from tests.test_checks import build_report


def _stored_previous(db_path: Path, overrides: dict, flagged: dict | None = None) -> dict:
    db = open_db(db_path)
    last_year = build_report(overrides, active="2021", requests="2021", flagged=flagged)
    last_year.year, last_year.sha256 = 2021, "a" * 64
    last_year.checks = run_checks(last_year)
    saved = save_report(db, last_year, alert_text=alert_text(last_year))
    previous = queries.previous_report(db, "测试市测试局", 2022)
    assert previous is not None and previous["id"] == saved.report_id
    return queries.export_report(db, previous["id"])


def test_cross_year_from_the_store_agrees(db_path: Path) -> None:
    previous = _stored_previous(db_path, {
        "requests.carried_forward.natural": 1, "requests.carried_forward.total": 1,
        "requests.new.natural": 4, "requests.new.total": 4,  # last year balances: 4 + 1 = 4 + 1
        "active.rules.in_force": 7,
    })
    this_year = build_report({"active.rules.issued": 2, "active.rules.repealed": 1, "active.rules.in_force": 8},
                             active="2021", requests="2021")
    results = {r.rule: r for r in run_checks(this_year, previous)}
    carried = [r for rule, r in results.items() if rule.startswith("cross_year.carried.")]
    assert len(carried) == 7 and all(r.passed for r in carried)
    assert results["cross_year.in_force.rules"].passed
    assert results["cross_year.in_force.normative_docs"].passed  # 0 + 0 - 0 = 0


def test_cross_year_from_the_store_disagrees_with_flag_origin(db_path: Path) -> None:
    previous = _stored_previous(
        db_path,
        {"requests.carried_forward.natural": 3, "requests.carried_forward.total": 3,
         "requests.new.natural": 6, "requests.new.total": 6},
        flagged={"requests.carried_forward.total": "列位置不确定"},
    )
    results = {r.rule: r for r in run_checks(build_report(active="2021", requests="2021"), previous)}
    natural, total = results["cross_year.carried.natural"], results["cross_year.carried.total"]
    assert not natural.passed and natural.origin == "source" and natural.severity == "warning"
    assert "2021年报告 结转下年度(3)，但 本年报告 上年结转(1)" in natural.message
    assert not total.passed and total.origin == "reading"
