"""The writes: a report with its cells, checks and alert; the ingest log; the audit of answers.

Every report is written in one ``BEGIN IMMEDIATE`` transaction (:func:`write_transaction`)
together with its cells, checks and any alert for supervisors, so a crash or a bad file never
leaves half a report behind and an alert is never lost.  The schema they write into is
:mod:`store.schema`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

_UNICODE_JSON = json.JSONEncoder(ensure_ascii=False)
"""``json.dumps(x, ensure_ascii=False)`` builds an encoder per call; a report stores ~200 of them."""


def _one_shot_encoder() -> Callable[[Any], str]:
    """``_UNICODE_JSON.encode``, without the C encoder it makes afresh on every call (two thirds
    of its cost for a cell's small provenance): the same C encoder, made once, without the check
    for circular values (a provenance is plain data read from a file).

    It is :mod:`json`'s internal one, so it is used only when present and when it writes exactly
    what ``encode`` writes on a sample of every kind of value; otherwise ``encode`` itself."""
    from json import encoder

    sample = {"kind": "text", "line": 8, "bbox": [1.5, 2.25, 1e20, -0.0], "inferred": "“本行”\n\"a\"\u2028",
              "ok": True, "none": None, "nested": {"x": [1, {"y": "é"}]}}
    try:
        make = encoder.c_make_encoder(None, _UNICODE_JSON.default, encoder.encode_basestring, None,  # type: ignore[misc]
                                      _UNICODE_JSON.key_separator, _UNICODE_JSON.item_separator, False, False, True)

        def encode(value: Any) -> str:
            return "".join(make(value, 0))

        if encode(sample) == _UNICODE_JSON.encode(sample):
            return encode
    except (TypeError, ValueError):  # no C encoder (None is not callable), or another signature
        pass
    return _UNICODE_JSON.encode


_encode_json = _one_shot_encoder()


def clean_text(text: object) -> str:
    """``text`` as valid UTF-8: a lone surrogate (a Telegram update may carry one, a file name
    with undecodable bytes does) is replaced, because SQLite refuses to store it."""
    return str(text).encode("utf-8", "replace").decode("utf-8")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
                    _encode_json(reading.provenance),
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
