"""Backup and restore of the database file with SQLite's online backup API.

Copying ``xxgk.db`` with ``cp`` while the bot runs can capture a torn file (and misses whatever
sits in ``xxgk.db-wal``).  The backup API copies a consistent snapshot page by page while
readers and writers carry on.  A backup is written to a temporary name, switched to rollback
journal mode (one self-contained file), integrity-checked, and only then renamed into place, so
a backup that exists is a backup that is whole.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from store.db import BUSY_TIMEOUT_SECONDS, SCHEMA_VERSION, StoreError, open_db

PAGES_PER_STEP = 1024
"""Pages copied per step; between steps writers get the lock, so a large backup never stalls ingest."""


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)


def integrity(conn: sqlite3.Connection) -> str:
    """``ok`` or SQLite's first complaint."""
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:5])


def backup_target(dest: str | os.PathLike[str]) -> Path:
    """A folder (existing, or named with a trailing slash) gets a timestamped file inside it;
    anything else is the file name itself."""
    raw = os.fspath(dest)
    if Path(raw).is_dir() or raw.endswith(("/", os.sep)):
        return Path(raw) / f"xxgk-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.db"
    return Path(raw)


def backup(db_path: str | os.PathLike[str], dest: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Copy the live database to ``dest`` (a file, or a folder for a timestamped file)."""
    source = Path(db_path)
    if not source.is_file():
        raise StoreError(f"数据库不存在 / database not found: {source}")
    target = backup_target(dest)
    if target.exists() and not force:
        raise StoreError(f"目标已存在，加 --force 覆盖 / {target} exists (use --force to overwrite)")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        _copy(source, temp)
        os.replace(temp, target)
    except sqlite3.Error as exc:
        raise StoreError(f"备份失败 / backup failed: {exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return target


def _copy(source: Path, temp: Path) -> None:
    src = _connect(source)
    dst = sqlite3.connect(temp)
    try:
        src.backup(dst, pages=PAGES_PER_STEP, sleep=0.01)
        dst.execute("PRAGMA journal_mode = DELETE")
        problem = integrity(dst)
        if problem != "ok":
            raise StoreError(f"备份校验失败 / backup failed its integrity check: {problem}")
        dst.commit()
    finally:
        dst.close()
        src.close()
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())


def check_source(src: Path) -> int:
    """Refuse a restore source that is missing, damaged, not ours, or from a newer release.
    Returns its schema version."""
    if not src.is_file():
        raise StoreError(f"备份文件不存在 / backup not found: {src}")
    try:
        conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        try:
            problem = integrity(conn)
            row = conn.execute("select value from meta where key = 'schema_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"不是可用的数据库备份 / not a usable xxgk database: {src} ({exc})") from exc
    if problem != "ok":
        raise StoreError(f"备份文件已损坏，拒绝恢复 / backup failed its integrity check: {problem}")
    if row is None:
        raise StoreError(f"不是 xxgk 数据库 / not an xxgk database (no schema version): {src}")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise StoreError(f"备份来自更新的版本（{version}）/ backup is from a newer release (schema {version})")
    return version


def restore(src: str | os.PathLike[str], db_path: str | os.PathLike[str], *, force: bool = False) -> Path | None:
    """Replace the database with a backup, through the backup API so open connections of a
    running bot see the restored content instead of a file swapped under them.

    An existing database is refused without ``force``; with it, the old content is first saved
    beside it (``<db>.before-restore-<time>``) and that path is returned.  The restored file is
    upgraded to this release's schema.
    """
    source, target = Path(src), Path(db_path)
    check_source(source)
    if source.resolve() == target.resolve():
        raise StoreError("备份文件就是当前数据库 / backup and database are the same file")
    saved = None
    if target.exists():
        if not force:
            raise StoreError(f"数据库已存在，加 --force 覆盖 / {target} exists (use --force to replace it)")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        saved = backup(target, target.with_name(f"{target.name}.before-restore-{stamp}"), force=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    src_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst_conn = _connect(target)
    try:
        src_conn.backup(dst_conn, pages=PAGES_PER_STEP, sleep=0.01)
    except sqlite3.Error as exc:
        raise StoreError(f"恢复失败 / restore failed: {exc}") from exc
    finally:
        src_conn.close()
        dst_conn.close()
    db = open_db(target)
    problem = integrity(db.conn)
    db.conn.close()
    if problem != "ok":
        raise StoreError(f"恢复后校验失败 / restored database failed its integrity check: {problem}")
    return saved
