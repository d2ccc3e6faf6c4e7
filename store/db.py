"""The SQLite database: schema, connection, and the writes ingest makes.

One file, WAL mode, opened through sqlite-utils.  Every report is written in one ``BEGIN
IMMEDIATE`` transaction together with its cells, checks and any alert for supervisors, so a
crash or a bad file never leaves half a report behind and an alert is never lost.

Tables
------
``meta``          schema version and other facts about the file
``agencies``      canonical name, region, aliases, division code, organ, level (store.identity)
``agency_forms``  every name that leads to an agency; ``agency_changes`` the operator's, undoable
``reports``       one row per ingested file; ``status`` is ``current`` or ``superseded``
``cells``         canonical cell values with raw text, provenance and flags
``checks``        validation results per report
``outbox``        alerts waiting for delivery; ``deliveries`` records each chat's copy
``subscriptions`` which chat wants which alerts
``audit``         every question and answer the shells handled
``ingest_log``    every file ingest tried, including the ones that failed
``data_versions`` a counter per table (agencies, reports) bumped by triggers on every change
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

SCHEMA_VERSION = 5
_UNICODE_JSON = json.JSONEncoder(ensure_ascii=False)
"""``json.dumps(x, ensure_ascii=False)`` builds an encoder per call; a report stores ~200 of them."""
DEFAULT_DB = "xxgk.db"
BUSY_TIMEOUT_SECONDS = 30.0


class StoreError(Exception):
    """A database problem the user must act on (one clear line)."""


def default_db_path() -> str:
    """``$XXGK_DB`` if set, else ``xxgk.db`` in the working directory."""
    return os.environ.get("XXGK_DB") or DEFAULT_DB


def clean_text(text: object) -> str:
    """``text`` as valid UTF-8: a lone surrogate (a Telegram update may carry one, a file name
    with undecodable bytes does) is replaced, because SQLite refuses to store it."""
    return str(text).encode("utf-8", "replace").decode("utf-8")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | os.PathLike[str] | None = None, *, create: bool = True,
            make_dirs: bool = True) -> sqlite_utils.Database:
    """Open (and if needed create or upgrade) the database at ``path``.

    The connection waits up to 30 s for a lock, so concurrent ingest and questions never show
    "database is locked" to a user.  A missing folder is created only with ``make_dirs`` (the
    console commands pass False unless told ``--mkdir``: a typo in ``--db`` must not quietly
    make a new database somewhere); a folder or file we may not write is named in the error.
    """
    path = os.fspath(path or default_db_path())
    if not create and not Path(path).exists():
        raise StoreError(f"数据库不存在 / database not found: {path} (run `xxgk ingest` first)")
    parent = Path(path).parent
    if str(parent) not in ("", ".") and not parent.is_dir():
        if not make_dirs:
            raise StoreError(f"数据库所在的文件夹不存在 / the database's folder does not exist: {parent} "
                             "(create it, or add --mkdir: xxgk --mkdir --db PATH …)")
        parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        _switch_to_wal(db)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        ensure_schema(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(_cannot_open(path, exc)) from exc
    return db


def _cannot_open(path: str, exc: sqlite3.DatabaseError) -> str:
    """SQLite says "unable to open database file" for several causes; name the one that applies."""
    file, folder = Path(path), Path(path).parent.resolve()
    if file.exists() and not os.access(file, os.R_OK):
        return f"没有读取权限 / no permission to read the database: {path}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"没有写入权限 / no permission to write in the database's folder {folder} "
                f"(SQLite creates {file.name}, {file.name}-wal and {file.name}-shm there): {path}")
    if file.exists() and not os.access(file, os.W_OK):
        return f"{READ_ONLY}: {path}"
    return f"无法打开数据库 / cannot open database {path}: {exc}"


READ_ONLY = "数据库是只读的，无法写入（请让运行者能写这个文件）/ the database is read-only"


def require_writable(db: sqlite_utils.Database, path: str | os.PathLike[str]) -> None:
    """Raise :class:`StoreError` when SQLite cannot write the open database (a read-only file,
    mount or connection): commands that write say so once, before touching any file, instead of
    failing every file as if it were the file's fault."""
    try:
        with write_transaction(db):
            db.execute("update meta set value = value where key = 'schema_version'")
            raise _ProbeDone
    except _ProbeDone:
        return
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
            raise StoreError(f"{READ_ONLY}: {os.fspath(path)}") from exc
        raise StoreError(f"无法写入数据库 / cannot write the database {os.fspath(path)}: {exc}") from exc


class _ProbeDone(Exception):
    """Rolls the probe's write back."""


def _switch_to_wal(db: sqlite_utils.Database) -> None:
    """Put the file in WAL mode, waiting out other processes doing the same.

    The switch needs the file to itself, and SQLite answers "database is locked" at once instead
    of calling the busy handler when another process holds it (two processes opening a fresh file
    together: 1 trial in 40 failed).  So the switch is retried, with a growing pause, for as long
    as any other lock is waited for; once one process has switched, the others see WAL already."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    pause = 0.001
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode = wal")  # a file that cannot (":memory:") keeps its mode
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
        time.sleep(pause * (1 + random.random()))
        pause = min(pause * 2, 0.1)


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taken with BEGIN IMMEDIATE so writers queue on the busy timeout
    instead of failing half-way; sqlite-utils calls inside it become savepoints.

    Inside a transaction already open (a bulk ingest commits many reports at once) it is a
    savepoint instead: a report that fails rolls back alone and the batch goes on.  When SQLite
    itself has given up the whole transaction (disk full, I/O error), there is nothing left to
    roll back to; the error goes up and the batch's owner sees ``in_transaction`` false."""
    if db.conn.in_transaction:
        with _savepoint(db):
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


_SAVEPOINTS = iter(range(1, 1 << 62))


@contextmanager
def _savepoint(db: sqlite_utils.Database) -> Iterator[None]:
    name = f"write_{next(_SAVEPOINTS)}"
    db.conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute(f"ROLLBACK TO {name}")
            db.conn.execute(f"RELEASE {name}")
        raise
    else:
        db.conn.execute(f"RELEASE {name}")


# --------------------------------------------------------------------------------------------
# schema


def schema_version(db: sqlite_utils.Database) -> int:
    if "meta" not in db.table_names():
        return 0
    row = db.execute("select value from meta where key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the schema on a new file, upgrade an older one in place (one transaction), and
    refuse a file written by a newer release.

    A new file is created as v1 and migrated like any old file, so both go through the same
    steps (:mod:`store.migrations`).  The version is read again inside the transaction: two
    processes starting on a fresh file at once must not both apply the same step.
    """
    from store.migrations import MigrationError, upgrade

    _refuse_newer(schema_version(db))
    if schema_version(db) == SCHEMA_VERSION:
        return
    try:
        with write_transaction(db):
            version = schema_version(db)
            _refuse_newer(version)
            if version == SCHEMA_VERSION:
                return
            if version == 0:
                _create_v1(db)
                version = 1
            upgrade(db, version, SCHEMA_VERSION)
            db.execute(
                "insert or replace into meta (key, value) values ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )
    except MigrationError as exc:
        raise StoreError(str(exc)) from exc


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"数据库版本 {version} 比本程序支持的 {SCHEMA_VERSION} 新，请升级 xxgk-bot "
            f"/ database schema {version} is newer than this release supports ({SCHEMA_VERSION})"
        )


def _create_v1(db: sqlite_utils.Database) -> None:
    db.execute("create table if not exists meta (key text primary key, value text)")
    db.execute(
        """create table if not exists agencies (
            id integer primary key,
            name text not null unique,
            region text not null default '',
            aliases text not null default '[]'
        )"""
    )
    db.execute(
        """create table if not exists reports (
            id integer primary key,
            agency_id integer not null references agencies(id),
            year integer not null,
            format text not null,
            table_formats text not null default '{}',
            source_name text not null default '',
            source_kind text not null default '',
            sha256 text not null,
            ingested_at text not null,
            status text not null default 'current',
            superseded_by integer references reports(id),
            failed_checks integer not null default 0,
            flagged_cells integer not null default 0
        )"""
    )
    db.execute("create index if not exists reports_agency_year on reports(agency_id, year, status)")
    db.execute("create index if not exists reports_year on reports(year, status)")
    db.execute("create index if not exists reports_sha on reports(sha256)")
    db.execute(
        """create table if not exists cells (
            report_id integer not null references reports(id),
            key text not null,
            value real,
            raw text not null default '',
            provenance text not null default '{}',
            flagged integer not null default 0,
            reason text not null default '',
            primary key (report_id, key)
        ) without rowid"""
    )
    db.execute(
        """create table if not exists checks (
            id integer primary key,
            report_id integer not null references reports(id),
            rule text not null,
            severity text not null,
            passed integer not null,
            message text not null,
            cells text not null default '[]',
            origin text not null default ''
        )"""
    )
    db.execute("create index if not exists checks_report on checks(report_id)")
    db.execute(
        """create table if not exists outbox (
            id integer primary key,
            report_id integer references reports(id),
            created_at text not null,
            agency text not null default '',
            region text not null default '',
            year integer,
            text text not null
        )"""
    )
    db.execute(
        """create table if not exists deliveries (
            outbox_id integer not null references outbox(id),
            chat_id integer not null,
            status text not null default 'pending',
            attempts integer not null default 0,
            next_attempt_at text not null default '',
            last_error text not null default '',
            delivered_at text,
            telegram_message_id integer,
            primary key (outbox_id, chat_id)
        )"""
    )
    db.execute(
        """create table if not exists subscriptions (
            chat_id integer not null,
            scope text not null default 'all',
            value text not null default '',
            created_at text not null,
            primary key (chat_id, scope, value)
        )"""
    )
    db.execute(
        """create table if not exists audit (
            id integer primary key,
            ts text not null,
            shell text not null default '',
            chat_id integer,
            user_id integer,
            question text not null,
            status text not null,
            cells text not null default '[]',
            answer text not null default ''
        )"""
    )
    db.execute(
        """create table if not exists ingest_log (
            id integer primary key,
            ts text not null,
            origin text not null default 'cli',
            file text not null,
            sha256 text not null default '',
            outcome text not null,
            message text not null default '',
            report_id integer
        )"""
    )


# --------------------------------------------------------------------------------------------
# writes


@dataclass
class SaveResult:
    report_id: int
    outcome: str  # new | unchanged | superseded
    alert_id: int | None = None
    previous_id: int | None = None


def agency_id(db: sqlite_utils.Database, name: str, region: str = "", aliases: list[str] | None = None) -> int:
    """The id of the agency ``name`` means (identified through the gazetteer), created if new;
    ``aliases`` lead to it too."""
    from store.identity.names import identify
    from store.identity.registry import add_form, ensure_agency

    ident = identify(name, "", region)
    ident.region = ident.region or region
    ident_id = ensure_agency(db, ident)
    for alias in aliases or []:
        add_form(db, ident_id, alias, "alias")
    return ident_id


def save_report(db: sqlite_utils.Database, parsed: Any, *, origin: str = "cli", alert_text: str | None = None) -> SaveResult:
    """Store a :class:`ingest.model.ParsedReport` with its cells and checks, atomically.

    The same file (same sha256) ingested again changes nothing.  Another file for the same
    agency and year supersedes the current report, which stays in history.  ``alert_text``,
    when given, is queued in the outbox in the same transaction.
    """
    from store.identity.registry import ensure_agency

    with write_transaction(db):
        if parsed.identity is not None:
            aid = ensure_agency(db, parsed.identity)
        else:
            aid = agency_id(db, parsed.agency, parsed.region)
        same = db.execute(
            "select id from reports where sha256 = ? and agency_id = ? and year = ? and status = 'current'",
            [parsed.sha256, aid, parsed.year],
        ).fetchone()
        if same:
            _log(db, origin, parsed.source_name, parsed.sha256, "unchanged", "", same[0])
            return SaveResult(report_id=int(same[0]), outcome="unchanged")
        previous = db.execute(
            "select id from reports where agency_id = ? and year = ? and status = 'current'",
            [aid, parsed.year],
        ).fetchone()
        failed = sum(1 for c in parsed.checks if not c.passed and c.severity == "error")
        flagged = sum(1 for c in parsed.cells.values() if c.flagged)
        cur = db.execute(
            "insert into reports (agency_id, year, format, table_formats, source_name, source_kind, sha256, "
            "ingested_at, status, failed_checks, flagged_cells, printed_agency) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, 'current', ?, ?, ?)",
            [
                aid,
                parsed.year,
                parsed.format,
                json.dumps(parsed.table_formats),
                clean_text(parsed.source_name),
                parsed.source_kind,
                parsed.sha256,
                now_iso(),
                failed,
                flagged,
                clean_text(parsed.printed_agency or parsed.agency),
            ],
        )
        report_id = int(cur.lastrowid)
        if previous:
            db.execute(
                "update reports set status = 'superseded', superseded_by = ? where id = ?",
                [report_id, previous[0]],
            )
        db.conn.executemany(
            "insert into cells (report_id, key, value, raw, provenance, flagged, reason) values (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    report_id,
                    key,
                    reading.value,
                    reading.raw,
                    _UNICODE_JSON.encode(reading.provenance),
                    int(reading.flagged),
                    reading.reason,
                )
                for key, reading in parsed.cells.items()
            ],
        )
        db.conn.executemany(
            "insert into checks (report_id, rule, severity, passed, message, cells, origin) values (?, ?, ?, ?, ?, ?, ?)",
            [
                (report_id, c.rule, c.severity, int(c.passed), c.message, json.dumps(c.cells), c.origin)
                for c in parsed.checks
            ],
        )
        alert_id = None
        if alert_text:
            cur = db.execute(
                "insert into outbox (report_id, created_at, agency, region, year, text) values (?, ?, ?, ?, ?, ?)",
                [report_id, now_iso(), parsed.agency, parsed.region, parsed.year, alert_text],
            )
            alert_id = int(cur.lastrowid)
        outcome = "superseded" if previous else "new"
        _log(db, origin, parsed.source_name, parsed.sha256, outcome, "", report_id)
        return SaveResult(
            report_id=report_id,
            outcome=outcome,
            alert_id=alert_id,
            previous_id=int(previous[0]) if previous else None,
        )


def log_failure(db: sqlite_utils.Database, file: str, message: str, *, origin: str = "cli", sha256: str = "") -> None:
    """Record a file that could not be ingested (its own small transaction)."""
    with write_transaction(db):
        _log(db, origin, file, sha256, "error", message, None)


def _log(db: sqlite_utils.Database, origin: str, file: str, sha: str, outcome: str, message: str, report_id: int | None) -> None:
    db.execute(
        "insert into ingest_log (ts, origin, file, sha256, outcome, message, report_id) values (?, ?, ?, ?, ?, ?, ?)",
        [now_iso(), origin, clean_text(file), sha, outcome, clean_text(message), report_id],
    )


def record_audit(
    db: sqlite_utils.Database,
    *,
    shell: str,
    question: str,
    status: str,
    cells: list[str] | None = None,
    answer: str = "",
    chat_id: int | None = None,
    user_id: int | None = None,
) -> int:
    """Append one row to ``audit`` and return its id (the Telegram shell keys clarify buttons on
    it).  The question is capped at 2,000 characters so a pasted book does not bloat the log."""
    with write_transaction(db):
        cur = db.execute(
            "insert into audit (ts, shell, chat_id, user_id, question, status, cells, answer) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            [now_iso(), shell, chat_id, user_id, clean_text(question)[:2000], status, json.dumps(cells or []),
             clean_text(answer)[:4000]],
        )
        return int(cur.lastrowid)


def replace_checks(db: sqlite_utils.Database, report_id: int, rule_prefix: str, checks: list[Any]) -> None:
    """Replace a stored report's checks whose rule starts with ``rule_prefix`` (the cross-year
    warnings, when the year before is ingested later) and keep its failed-error count right."""
    with write_transaction(db):
        db.execute("delete from checks where report_id = ? and rule like ?", [report_id, rule_prefix + "%"])
        db.conn.executemany(
            "insert into checks (report_id, rule, severity, passed, message, cells, origin) values (?, ?, ?, ?, ?, ?, ?)",
            [(report_id, c.rule, c.severity, int(c.passed), c.message, json.dumps(c.cells), c.origin) for c in checks],
        )
        db.execute(
            "update reports set failed_checks = (select count(*) from checks where report_id = ? and passed = 0 "
            "and severity = 'error') where id = ?",
            [report_id, report_id],
        )
