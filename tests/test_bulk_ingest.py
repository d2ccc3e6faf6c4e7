"""Bulk ingest (parsed on every core, committed in batches) stores exactly what file-by-file does.

The same folder — out-of-order years that refresh cross-year checks, a report replaced by a
newer file, the same file twice, a report that fails its checks (an alert), files that cannot be
read — is ingested with ``--jobs 1`` and with two workers; the outcomes, in order, and every row
the database holds must be the same.  A report the database refuses inside a batch rolls back
alone.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from cli.main import _register, cli
from ingest import bulk
from ingest.pipeline import parse_file
from store.db import open_db
from tests.conftest import ROOT
from tests.ops_corpus import write_corpus
from tests.test_cross_year_order import _year

_register()


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    write_corpus(folder / "a", 8, kinds=("txt", "html", "txt", "docx"))
    (folder / "b").mkdir()
    (folder / "b" / "1-2021.txt").write_bytes(_year(2021, carried_over=2))  # before the year it follows
    (folder / "b" / "2-2020-v1.txt").write_bytes(_year(2020, carried_forward=1))  # disagrees: 2021 refreshed
    (folder / "b" / "3-2020-v2.txt").write_bytes(_year(2020, carried_forward=2))  # supersedes v1
    (folder / "b" / "4-again.txt").write_bytes(_year(2020, carried_forward=2))  # unchanged
    shutil.copy(ROOT / "bot/samples/reports/liaocheng-chengguan-2019.pdf", folder / "b" / "5.pdf")
    (folder / "b" / "6-empty.pdf").write_bytes(b"")
    (folder / "b" / "7-notes.txt").write_text("会议纪要：今天讨论了食堂菜单。\n", encoding="utf-8")
    shanghai = (ROOT / "bot/samples/reports/shanghai-bangongting-2019.docx")  # fails 12 checks: an alert
    shutil.copy(shanghai, folder / "b" / "8-alert.docx")
    return folder


def _ingest(db: Path, folder: Path, jobs: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", "--json", "--jobs", jobs, str(folder)],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output  # two files cannot be read
    return [json.loads(line) for line in result.output.splitlines()]


def _rows(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    tables = {
        "agencies": "select * from agencies order by id",
        "reports": "select id, agency_id, year, format, table_formats, source_name, source_kind, sha256, status, "
                   "superseded_by, failed_checks, flagged_cells from reports order by id",
        "cells": "select * from cells order by report_id, key",
        "checks": "select * from checks order by id",
        "outbox": "select id, report_id, agency, region, year, text from outbox order by id",
        "ingest_log": "select id, origin, file, sha256, outcome, message, report_id from ingest_log order by id",
    }
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in tables.items()}
    finally:
        conn.close()


def test_bulk_stores_exactly_what_file_by_file_stores(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    one = _ingest(tmp_path / "one.db", folder, "1")
    many = _ingest(tmp_path / "many.db", folder, "2")
    assert many == one
    assert [o["outcome"] for o in one[8:]] == ["new", "new", "superseded", "unchanged", "superseded", "error", "error", "new"]
    assert one[-1]["alert_id"] is not None and one[-1]["failed_checks"]
    rows = _rows(tmp_path / "one.db")
    assert rows == _rows(tmp_path / "many.db")
    first = one[8]["report_id"]  # 2021 came first, with no year before it: its cross-year checks
    cross = [r for r in rows["checks"] if r[1] == first and r[2].startswith("cross_year.")]
    assert len(cross) == 8 and all(r[4] for r in cross)  # exist only because 2020 refreshed them


def test_a_report_the_database_refuses_rolls_back_alone_in_its_batch(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    paths = write_corpus(folder, 6, kinds=("txt",))
    db = open_db(tmp_path / "x.db")
    refused = parse_file(paths[2]).report
    assert all(c in "0123456789abcdef" for c in refused.sha256)
    db.execute("create trigger refuse before insert on checks when new.report_id = "
               f"(select id from reports where sha256 = '{refused.sha256}') "
               "begin select raise(abort, 'refused here'); end")
    outcomes = list(bulk.write_batches(db, (parse_file(p) for p in paths)))
    assert [o.ok for o in outcomes] == [True, True, False, True, True, True]
    assert "refused here" in outcomes[2].error and outcomes[2].retryable
    assert db.execute("select count(*) from reports").fetchone()[0] == 5
    assert db.execute("select count(*) from cells where report_id not in (select id from reports)").fetchone()[0] == 0
    assert db.execute("select count(*) from reports where sha256 = ?", [refused.sha256]).fetchone()[0] == 0


def test_outcomes_come_only_after_their_batch_is_committed(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "inbox", 4, kinds=("txt",))
    db_path = tmp_path / "x.db"
    db = open_db(db_path)
    for outcome in bulk.write_batches(db, (parse_file(p) for p in paths)):
        other = sqlite3.connect(db_path)  # another process's view: only what is committed
        assert other.execute("select count(*) from reports where id = ?", [outcome.report_id]).fetchone()[0] == 1
        other.close()


def test_own_checks_and_cross_year_make_exactly_run_checks(tmp_path: Path) -> None:
    """The worker makes a report's own checks, the writer only the cross-year ones: together,
    in order, they must be what one ``run_checks`` against the year before gives."""
    from ingest.checks import run_checks
    from ingest.pipeline import ingest_bytes, parse_data
    from store import queries

    db = open_db(tmp_path / "x.db")
    assert ingest_bytes(db, _year(2020, carried_forward=1), "2020.txt").ok
    previous = queries.export_report(db, queries.current_report(db, "聊城市大数据局", 2020)["id"])
    item = parse_data(_year(2021, carried_over=2), "2021.txt")
    whole = run_checks(item.report, previous)
    assert any(c.rule.startswith("cross_year.") and not c.passed for c in whole)
    outcome = ingest_bytes(db, _year(2021, carried_over=2), "2021.txt")
    stored = queries.checks_of(db, outcome.report_id)
    assert [(c["rule"], c["passed"], c["message"]) for c in stored] == [(c.rule, c.passed, c.message) for c in whole]


def test_a_worker_that_dies_costs_only_its_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A reader that takes its process down (a crash in a C library, the OOM killer) loses that
    file, said in one line; a new worker reads the rest of its share."""
    import os

    paths = [str(p) for p in write_corpus(tmp_path / "inbox", 7, kinds=("txt",))]

    def fragile(name: str):  # type: ignore[no-untyped-def]
        if name == paths[2]:
            os._exit(3)
        return parse_file(name)

    monkeypatch.setattr(bulk, "parse_file", fragile)  # the forked workers inherit it
    got = list(bulk.parse_in_workers(paths, 2))
    assert [g.file for g in got] == paths
    assert [g.report is not None for g in got] == [True, True, False, True, True, True, True]
    assert "reading process died" in got[2].error and "退出码 3" in got[2].error
