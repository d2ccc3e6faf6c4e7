"""The store: one transaction per report, idempotent re-ingest, supersession with history."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ingest.model import CellReading, CheckResult, ParsedReport
from store import queries
from store.db import SCHEMA_VERSION, StoreError, open_db, save_report

FIGURES = Path(__file__).resolve().parent.parent / "bot" / "samples" / "figures"


def parsed_from_figures(name: str, *, sha: str = "a" * 64, change: dict | None = None) -> ParsedReport:
    figures = json.loads((FIGURES / name).read_text(encoding="utf-8"))
    cells = {**figures["cells"], **(change or {})}
    return ParsedReport(
        agency=figures["agency"],
        year=figures["year"],
        format=figures["format"],
        table_formats={"active": figures["format"], "requests": figures["format"]},
        cells={k: CellReading(v, "" if v is None else str(v), {"kind": "text", "line": 1}) for k, v in cells.items()},
        source_kind="text",
        source_name=name,
        sha256=sha,
        region="聊城市",
        checks=[CheckResult("requests.balance.total", "error", True, "ok")],
    )


def test_save_and_read_back(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    saved = save_report(db, parsed_from_figures("liaocheng-chengguan-2019.json"))
    assert saved.outcome == "new"
    report = queries.current_report(db, "聊城市城市管理局", 2019)
    assert report["id"] == saved.report_id
    exported = queries.export_report(db, saved.report_id)
    assert exported["cells"]["active.procurement.amount"] == pytest.approx(48359.899368)
    assert exported["cells"]["requests.new.total"] == 2
    assert isinstance(exported["cells"]["requests.new.total"], int)
    assert exported["cells"]["requests.new.commercial"] is None  # blank stays blank
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    first = save_report(db, parsed_from_figures("liaocheng-dashuju-2019.json"))
    second = save_report(db, parsed_from_figures("liaocheng-dashuju-2019.json"))
    assert second.outcome == "unchanged" and second.report_id == first.report_id
    assert db.execute("select count(*) from reports").fetchone()[0] == 1
    assert db.execute("select count(*) from cells").fetchone()[0] == 198


def test_new_file_supersedes_and_keeps_history(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    old = save_report(db, parsed_from_figures("liaocheng-dashuju-2019.json", sha="1" * 64))
    new = save_report(
        db, parsed_from_figures("liaocheng-dashuju-2019.json", sha="2" * 64, change={"requests.new.total": 5})
    )
    assert new.outcome == "superseded" and new.previous_id == old.report_id
    history = queries.reports_of_agency(db, "聊城市大数据局", include_superseded=True)
    assert [r["status"] for r in history] == ["superseded", "current"]
    current = queries.current_report(db, "聊城市大数据局", 2019)
    assert queries.cells_of(db, current["id"])["requests.new.total"]["value"] == 5


def test_failure_mid_report_leaves_nothing(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    parsed = parsed_from_figures("liaocheng-dashuju-2019.json")
    parsed.checks = [CheckResult("x", "error", False, object())]  # not bindable: fails after cells were written
    with pytest.raises(sqlite3.Error):
        save_report(db, parsed, alert_text="告警")
    for table in ("reports", "cells", "checks", "outbox", "agencies"):
        assert db.execute(f"select count(*) from {table}").fetchone()[0] == 0, table


def test_alert_is_written_with_the_report(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    saved = save_report(db, parsed_from_figures("liaocheng-dashuju-2019.json"), alert_text="校验未通过")
    row = db.execute("select report_id, agency, year, text from outbox").fetchone()
    assert row == (saved.report_id, "聊城市大数据局", 2019, "校验未通过")


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    db = open_db(path)
    db.execute("update meta set value = ? where key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    db.conn.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        open_db(path)


def test_data_versions_follow_every_change_from_any_connection(tmp_path: Path) -> None:
    """The answering core keys its agency index on this counter: it must move when an agency is
    added or its aliases change (a count of rows would not see that), whichever connection wrote,
    and stay put for writes that do not touch the table (the audit log of every question)."""
    from store.db import agency_id, record_audit, write_transaction

    db = open_db(tmp_path / "x.db")
    other = open_db(tmp_path / "x.db")
    start = queries.data_version(db, "agencies"), queries.data_version(db, "reports")
    save_report(other, parsed_from_figures("liaocheng-chengguan-2019.json"))
    after_save = queries.data_version(db, "agencies"), queries.data_version(db, "reports")
    assert after_save[0] > start[0] and after_save[1] > start[1]
    record_audit(db, shell="cli", question="聊城城管局收到几件", status="answer")
    assert (queries.data_version(db, "agencies"), queries.data_version(db, "reports")) == after_save
    with write_transaction(other):
        agency_id(other, "聊城市城市管理局", aliases=["聊城城管"])  # same row count, new alias
    assert queries.data_version(db, "agencies") > after_save[0]
    with pytest.raises(ValueError):
        queries.data_version(db, "cells")
