"""The ingest job: bytes → Document → ParsedReport → checks → one database transaction.

A file that cannot be read never touches the reports tables (only ``ingest_log`` records the
failure); a file that can be read is stored whole, with its checks and, when a check fails, the
alert for supervisors — all in one transaction (:func:`store.db.save_report`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from ingest.identity import identity_checks
from ingest.model import CellReading, CheckResult, IngestError, ParsedReport
from store import queries
from store.db import log_failure, replace_checks, save_report

MAX_FILE_BYTES = 50 * 1024 * 1024
"""A real annual report is at most a few MB; anything larger is refused before it is read."""

IGNORED_NAMES = {".DS_Store", "Thumbs.db"}


@dataclass
class IngestOutcome:
    """What happened to one file: the row of the summary table, and what the bot replies."""

    file: str
    ok: bool
    outcome: str = "error"  # new | unchanged | superseded | error
    report_id: int | None = None
    agency: str | None = None
    year: int | None = None
    format: str | None = None
    cells: int = 0
    flagged: int = 0
    failed_checks: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    alert_id: int | None = None
    retryable: bool = False  # the database failed, not the file: try the same file again later


def parse_bytes(data: bytes, name: str = "") -> ParsedReport:
    """Read and interpret one file's bytes (no database).  Raises :class:`IngestError`."""
    from ingest.interpret import interpret
    from ingest.readers import read_document
    from ingest.scope import has_tables, refuse_other_documents

    if not data:
        raise IngestError("空文件 / empty file")
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(
            f"文件过大（{len(data) / 1048576:.0f} MB，上限 {MAX_FILE_BYTES // 1048576} MB）/ file too large"
        )
    document = read_document(data, name)
    refuse_other_documents(document)
    folder = str(Path(name).parent) if Path(name).parent != Path(".") else ""
    parsed = interpret(document, folder)  # the agency is identified once, with the folder's places
    if len(parsed.missing_tables) >= 3:
        if has_tables(document):
            raise IngestError("文件中有表格，但没有政府信息公开年度报告的三张统计表 / tables found, but none of an "
                              "annual report's statistics tables")
        raise IngestError("未找到任何统计表格，不像政府信息公开年度报告 / no statistics tables found: not an annual report")
    parsed.source_name = Path(name).name  # answers cite the file name; ingest_log keeps the path
    parsed.sha256 = hashlib.sha256(data).hexdigest()
    return parsed


@dataclass
class Parsed:
    """One file read and interpreted, or the one-line reason it could not be (no database yet).

    This is what a worker process hands the writer in a bulk ingest (:mod:`ingest.bulk`)."""

    file: str
    report: ParsedReport | None
    error: str = ""
    sha256: str = ""
    own_checks: list[CheckResult] | None = None
    """The checks that need no other report (all but ``cross_year.*``), made where it was parsed
    (None: made when it is stored)."""


def parse_data(data: bytes, name: str) -> Parsed:
    """Read and interpret one file's content, and check it against itself.  Never raises for a
    bad file."""
    from ingest.checks import run_checks

    try:
        report = parse_bytes(data, name)
        return Parsed(name, report, own_checks=run_checks(report, None))
    except Exception as exc:  # RecursionError and MemoryError are Exceptions too
        return Parsed(name, None, _reading_error(exc), hashlib.sha256(data).hexdigest() if data else "")


SYMLINK_REFUSED = "拒绝读取符号链接，请给出实际文件的路径 / symbolic links are not read: name the real file"
"""One policy for `xxgk ingest` and the watcher: a link is never followed (it could point at
/etc/passwd or out of a container volume); each one is reported, never silently skipped."""


def read_report_file(path: str | os.PathLike[str]) -> bytes:
    """A report file's bytes, opened without following a symlink (even one swapped in after a
    listing) and refused by size before it is read.  Raises :class:`IngestError` or OSError."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError(SYMLINK_REFUSED) from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(f"文件过大（{size / 1048576:.0f} MB，上限 {MAX_FILE_BYTES // 1048576} MB）/ file too large")
        return handle.read(MAX_FILE_BYTES + 1)


def parse_file(path: str | os.PathLike[str], name: str | None = None) -> Parsed:
    """Read and interpret one file from disk (symlinks refused, size checked before reading);
    ``name`` is what the outcome and ingest_log call it (default: the path)."""
    name = name or str(path)
    try:
        data = read_report_file(path)
    except IngestError as exc:
        return Parsed(name, None, str(exc))
    except OSError as exc:
        return Parsed(name, None, f"无法打开文件 / cannot open file: {exc.strerror or exc}")
    return parse_data(data, name)


def store_parsed(db: sqlite_utils.Database, item: Parsed, *, origin: str = "cli") -> IngestOutcome:
    """Check and store a parsed file in one transaction (a savepoint inside a bulk ingest's
    batch), or record why it could not be read.  Never raises for a bad file."""
    if item.report is None:
        return _failed(db, item.file, item.error, origin, item.sha256)
    try:
        return _store(db, item.report, item.own_checks, origin, item.file)
    except sqlite3.Error as exc:  # the database failed (full, read-only, locked): not the file's fault
        return _failed(db, item.file, _database_trouble(exc), origin, item.report.sha256, retryable=True)
    except Exception as exc:
        return _failed(db, item.file, _reading_error(exc), origin, item.report.sha256)


def ingest_bytes(db: sqlite_utils.Database, data: bytes, name: str, *, origin: str = "cli") -> IngestOutcome:
    """Ingest one file's content.  Never raises for a bad file: the outcome carries the error."""
    return store_parsed(db, parse_data(data, name), origin=origin)


def ingest_file(db: sqlite_utils.Database, path: str | os.PathLike[str], *, origin: str = "cli",
                name: str | None = None) -> IngestOutcome:
    """Ingest one file from disk (symlinks refused, size checked before reading); ``name`` is
    what the outcome and ingest_log call it (default: the path)."""
    return store_parsed(db, parse_file(path, name), origin=origin)


def _reading_error(exc: Exception) -> str:
    """The line a user sees for a file that could not be read."""
    if isinstance(exc, IngestError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "文件结构嵌套过深 / file structure too deeply nested"
    if isinstance(exc, MemoryError):
        return "文件过大，内存不足 / file too large to read"
    # a reader bug must not stop a batch: record it, say it plainly
    return f"无法读取 / unreadable file ({type(exc).__name__}: {exc})"[:300]


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files named, and every file under folders named (recursively, sorted, hidden files skipped).

    Symlinks are listed, not followed — named ones and those met in a folder, to files or to
    folders — so :func:`ingest_file` refuses each with its own line instead of reading through it.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not path.is_symlink():
            files += sorted(_walk(path))
        else:
            files.append(path)
    return files


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        linked = [d for d in dirnames if (base / d).is_symlink()]
        dirnames[:] = [d for d in dirnames if d not in linked]
        for entry in [*filenames, *linked]:
            child = base / entry
            if _hidden(child.relative_to(folder)) or entry in IGNORED_NAMES:
                continue
            if child.is_symlink() or child.is_file():
                yield child


def ingest_paths(
    db: sqlite_utils.Database,
    paths: Iterable[str | os.PathLike[str]],
    *,
    origin: str = "cli",
    on_file: Callable[[IngestOutcome], None] | None = None,
) -> list[IngestOutcome]:
    """Ingest files and folders; one bad file never stops the others."""
    outcomes = []
    for outcome in iter_ingest(db, expand_paths(paths), origin=origin):
        outcomes.append(outcome)
        if on_file:
            on_file(outcome)
    return outcomes


def iter_ingest(db: sqlite_utils.Database, files: list[Path], *, origin: str = "cli") -> Iterator[IngestOutcome]:
    for path in files:
        yield ingest_file(db, path, origin=origin)


# ---------------------------------------------------------------------------------------------


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _store(db: sqlite_utils.Database, parsed: ParsedReport, own_checks: list[CheckResult] | None, origin: str,
           name: str) -> IngestOutcome:
    """``run_checks(parsed, previous)`` is its own checks followed by the cross-year ones, so only
    those are made here, against the year before as the database holds it now."""
    from ingest.alerts import alert_text
    from ingest.checks import cross_year, run_checks
    from store.identity.registry import find_agency

    if own_checks is None:
        own_checks = run_checks(parsed, None)
    if parsed.identity is not None:  # an operator's merge or rename decides the stored name
        found = find_agency(db, parsed.identity)
        if found:
            parsed.agency = found[1]
    previous = queries.previous_report(db, parsed.agency, parsed.year)
    previous_export = queries.export_report(db, previous["id"]) if previous else None
    parsed.checks = own_checks + (cross_year(parsed, previous_export) if previous_export else [])
    parsed.checks += identity_checks(parsed)
    saved = save_report(db, parsed, origin=origin, alert_text=alert_text(parsed))
    if saved.outcome != "unchanged":
        _refresh_next_year(db, parsed.agency, parsed.year)
    failed = [c.as_dict() for c in parsed.checks if not c.passed and c.severity == "error"]
    warnings = [c.as_dict() for c in parsed.checks if not c.passed and c.severity != "error"]
    return IngestOutcome(
        file=name,
        ok=True,
        outcome=saved.outcome,
        report_id=saved.report_id,
        agency=parsed.agency,
        year=parsed.year,
        format=parsed.format,
        cells=sum(1 for c in parsed.cells.values() if not c.flagged),
        flagged=sum(1 for c in parsed.cells.values() if c.flagged),
        failed_checks=failed,
        warnings=warnings,
        alert_id=saved.alert_id,
    )


def _refresh_next_year(db: sqlite_utils.Database, agency: str, year: int) -> None:
    """Reports arrive in any order: when last year's report comes (or is replaced) after this
    year's, this year's cross-year checks are recomputed against it."""
    from ingest.checks import cross_year

    following = queries.current_report(db, agency, year + 1)
    if following is None:
        return
    stored = stored_report(db, following["id"])
    previous = queries.export_report(db, queries.current_report(db, agency, year)["id"])
    replace_checks(db, following["id"], "cross_year.", cross_year(stored, previous))


def stored_report(db: sqlite_utils.Database, report_id: int) -> ParsedReport:
    """A stored report as a :class:`ParsedReport` again (cells, formats, tables found)."""
    exported = queries.export_report(db, report_id)
    cells = {
        key: CellReading(
            value=value,
            raw=exported["provenance"].get(key, {}).get("raw", ""),
            provenance={k: v for k, v in exported["provenance"].get(key, {}).items() if k != "raw"},
            flagged=any(f["key"] == key for f in exported["flags"]),
        )
        for key, value in exported["cells"].items()
    }
    missing = [
        table for table in ("active", "requests", "appeals")
        if all(c.flagged and c.value is None for k, c in cells.items() if k.startswith(table + "."))
    ]
    return ParsedReport(
        agency=exported["agency"], year=exported["year"], format=exported["format"],
        table_formats=exported["table_formats"], cells=cells, source_kind=exported["source"]["kind"],
        source_name=exported["source"]["name"], sha256=exported["source"]["sha256"],
        region=exported["region"], missing_tables=missing,
        unplaced=[{"table": c["rule"].rsplit(".", 1)[-1], "raw": c["message"]}
                  for c in exported["checks"] if c["rule"].startswith("rows.unplaced.")],
    )


def _database_trouble(exc: sqlite3.Error) -> str:
    """A database failure in words that blame neither the file nor the passing of time when
    neither is the cause: a read-only database stays read-only until someone changes it."""
    if "readonly" in str(exc).lower():
        return f"数据库是只读的，文件本身没有问题：请让运行者能写入数据库后再读入 / database is read-only: {exc}"
    return f"数据库写入失败，文件本身没有问题，请稍后重试 / database write failed: {exc}"


def _failed(db: sqlite_utils.Database, name: str, message: str, origin: str, sha: str, *,
            retryable: bool = False) -> IngestOutcome:
    message = " ".join(message.split())  # always one line
    try:
        log_failure(db, name, message, origin=origin, sha256=sha)
    except Exception:  # a read-only or full disk must not hide the file's own error
        pass
    return IngestOutcome(file=name, ok=False, error=message, retryable=retryable)
