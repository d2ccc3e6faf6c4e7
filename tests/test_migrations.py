"""Schema migrations: an old file is upgraded in place, whole or not at all; a newer one is refused."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

from store import migrations
from store import schema as store_schema
from store.db import StoreError, open_db, schema_version
from store.migrations import Migration, MigrationError


def make_v1_file(path: Path) -> None:
    """A database exactly as the v1 release wrote it, with one report in it."""
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    store_schema._create_v1(db)
    db.execute("insert into meta (key, value) values ('schema_version', '1')")
    db.execute("insert into agencies (name, region) values ('聊城市城市管理局', '聊城市')")
    db.execute(
        "insert into reports (agency_id, year, format, sha256, ingested_at) values (1, 2019, '2019', 'abc', 'now')"
    )
    conn.executemany(
        "insert into cells (report_id, key, value, raw) values (1, ?, ?, ?)",
        [("requests.new.total", 12.0, "12"), ("requests.new.natural", 10.0, "10"), ("fees.amount", None, "")],
    )
    db.execute("insert into checks (report_id, rule, severity, passed, message) values (1, 'r', 'error', 1, 'ok')")
    conn.commit()
    conn.close()


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        columns = {"agencies": "id, name, region, aliases", "reports": ",".join(V1_REPORT_COLUMNS)}
        return {
            table: conn.execute(f"select {columns.get(table, '*')} from {table} order by 1, 2").fetchall()
            for table in ("agencies", "reports", "cells", "checks")
        }
    finally:
        conn.close()


V1_REPORT_COLUMNS = ("id", "agency_id", "year", "format", "table_formats", "source_name", "source_kind", "sha256",
                     "ingested_at", "status", "superseded_by", "failed_checks", "flagged_cells")
"""A v1 file's data stays as it was; later steps only add columns (compared on these)."""


def index_names(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    finally:
        conn.close()


def test_release_version_matches_the_steps() -> None:
    assert store_schema.SCHEMA_VERSION == migrations.latest_version() >= 2


def test_new_file_gets_the_latest_schema(db_path: Path) -> None:
    db = open_db(db_path)
    assert schema_version(db) == store_schema.SCHEMA_VERSION
    assert "ingest_log_sha" in index_names(db_path) and "cells_key" not in index_names(db_path)
    assert db.execute("select name, version from data_versions order by name").fetchall() == [
        ("agencies", 0), ("agency_changes", 0), ("agency_forms", 0), ("reports", 0)]


def test_v1_file_is_upgraded_in_place_with_its_data(db_path: Path) -> None:
    make_v1_file(db_path)
    before = dump(db_path)
    assert "cells_key" not in index_names(db_path)

    db = open_db(db_path)

    assert schema_version(db) == store_schema.SCHEMA_VERSION
    assert dump(db_path) == before
    assert "ingest_log_sha" in index_names(db_path)
    assert "cells_key" not in index_names(db_path)  # made by v2, dropped by v3: no query used it
    plan = " ".join(str(r) for r in db.execute(  # what a ranking asks: the year's reports, then their cells
        "explain query plan select c.value from reports r join cells c on c.report_id = r.id "
        "and c.key in ('requests.new.total') where r.year = 2019 and r.status = 'current'"
    ).fetchall())
    assert "PRIMARY KEY (report_id=? AND key=?)" in plan
    db.conn.close()
    assert schema_version(open_db(db_path)) == store_schema.SCHEMA_VERSION  # idempotent on reopen


def test_failing_step_rolls_back_every_step(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_v1_file(db_path)
    before = dump(db_path)

    def broken(db: sqlite_utils.Database) -> None:
        db.execute("create table half_done (x integer)")
        db.execute("update cells set value = -1")
        raise RuntimeError("disk on fire")

    step = migrations.latest_version() + 1
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, Migration(step, "broken", broken)])
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", step)

    with pytest.raises(StoreError, match=f"v{step}.*rolled back"):
        open_db(db_path)

    conn = sqlite3.connect(db_path)
    assert conn.execute("select value from meta where key = 'schema_version'").fetchone() == ("1",)
    assert conn.execute("select name from sqlite_master where name = 'half_done'").fetchone() is None
    conn.close()
    assert "cells_key" not in index_names(db_path)  # v2 ran in the same transaction: undone too
    assert dump(db_path) == before


def test_newer_file_is_refused_and_left_alone(db_path: Path) -> None:
    open_db(db_path).conn.close()
    conn = sqlite3.connect(db_path)
    conn.execute("update meta set value = '99' where key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="比本程序支持的.*新.*newer than this release"):
        open_db(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("select value from meta where key = 'schema_version'").fetchone() == ("99",)


def test_gap_in_steps_is_refused() -> None:
    steps = [Migration(2, "a", lambda db: None), Migration(4, "c", lambda db: None)]
    with pytest.raises(MigrationError, match="missing"):
        migrations.pending(1, 4, steps)
    assert [m.version for m in migrations.pending(1, 2, steps)] == [2]
    assert migrations.pending(2, 2, steps) == []


def test_two_processes_creating_one_file_at_once(tmp_path: Path) -> None:
    """Bot and watcher start together on an empty volume: both must come up, schema applied once."""
    path = tmp_path / "race.db"
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            open_db(path).conn.close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert schema_version(open_db(path)) == store_schema.SCHEMA_VERSION


def _open_fresh_files(folder: str, trials: int, barrier, errors) -> None:  # type: ignore[no-untyped-def]
    """One of several processes: open each fresh file together with the others."""
    for trial in range(trials):
        barrier.wait()
        try:
            open_db(Path(folder) / f"fresh-{trial}.db").conn.close()
        except Exception as exc:  # reported to the parent, asserted there
            errors.put(f"trial {trial}: {exc}")


def test_processes_opening_a_fresh_file_at_once_never_see_a_lock(tmp_path: Path) -> None:
    """The switch to WAL needs the file alone and SQLite refuses it at once ("database is
    locked") while another process holds it; four processes released together on each of 40
    fresh files must all come up, every file in WAL with the latest schema."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    processes, trials = 4, 40
    barrier, errors = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_open_fresh_files, args=(str(tmp_path), trials, barrier, errors))
               for _ in range(processes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == [] and all(w.exitcode == 0 for w in workers)
    for trial in range(trials):
        conn = sqlite3.connect(tmp_path / f"fresh-{trial}.db")
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert conn.execute("select value from meta where key = 'schema_version'").fetchone()[0] == str(
            store_schema.SCHEMA_VERSION)
        conn.close()
