"""The SQLite file itself: connection pragmas, the schema (DDL) and its upgrades.

One file, WAL mode, opened through sqlite-utils; :func:`open_db` creates or upgrades it
(:mod:`store.migrations`) and refuses a file from a newer release.  What gets written into it,
and how, lives in :mod:`store.writes`.

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

import os
import random
import sqlite3
import time
from pathlib import Path

import sqlite_utils

from store.writes import write_transaction

SCHEMA_VERSION = 5
DEFAULT_DB = "xxgk.db"
BUSY_TIMEOUT_SECONDS = 30.0


class StoreError(Exception):
    """A database problem the user must act on (one clear line)."""


def default_db_path() -> str:
    """``$XXGK_DB`` if set, else ``xxgk.db`` in the working directory."""
    return os.environ.get("XXGK_DB") or DEFAULT_DB


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
