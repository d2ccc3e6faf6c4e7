"""The read model of the shells: what ``xxgk status``, ``/status``, ``/check`` and ``/agency`` show.

The CLI and the Telegram bot print the same facts, so they read them from here instead of each
running its own SQL.  In particular "pending" has ONE definition, :data:`store.outbox.UNDELIVERED`:
an alert delivery is pending until Telegram accepted it, whether it waits for its first attempt
(``pending``), is being sent (``sending``), or an earlier attempt's outcome is unknown
(``unsure``, ``resending``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from store import outbox


@dataclass(frozen=True)
class IngestEntry:
    """One line of the ingest log."""

    ts: str
    file: str
    outcome: str
    message: str


@dataclass(frozen=True)
class StatusFacts:
    """What the database holds and what is still to do, as both shells report it."""

    agencies: int
    current_reports: int
    superseded_reports: int
    failing_reports: int
    """Current reports with at least one failed check."""
    failed_files: int
    """Ingest attempts that ended in an error (cumulative)."""
    deliveries: dict[str, int]
    """Alert deliveries by status."""
    pending_deliveries: int
    """Deliveries not yet accepted by Telegram (see the module docstring)."""
    subscribed_chats: int
    recent: list[IngestEntry]
    """The latest ingest log entries, newest first."""


def _count(db: sqlite_utils.Database, sql: str, args: list | None = None) -> int:
    return int(db.execute(sql, args or []).fetchone()[0] or 0)


def pending_deliveries(states: dict[str, int]) -> int:
    """Deliveries not yet delivered, from :func:`store.outbox.counts`."""
    return sum(states.get(s, 0) for s in outbox.UNDELIVERED)


def recent_ingests(db: sqlite_utils.Database, limit: int = 5) -> list[IngestEntry]:
    rows = db.execute("select ts, file, outcome, message from ingest_log order by id desc limit ?", [limit]).fetchall()
    return [IngestEntry(ts or "", f or "", o or "", m or "") for ts, f, o, m in rows]


def status_facts(db: sqlite_utils.Database, recent: int = 5) -> StatusFacts:
    """Counts of agencies, reports, failures and alerts, and the last ``recent`` ingests."""
    states = outbox.counts(db)
    return StatusFacts(
        agencies=_count(db, "select count(*) from agencies"),
        current_reports=_count(db, "select count(*) from reports where status = 'current'"),
        superseded_reports=_count(db, "select count(*) from reports where status = 'superseded'"),
        failing_reports=_count(db, "select count(*) from reports where status = 'current' and failed_checks > 0"),
        failed_files=_count(db, "select count(*) from ingest_log where outcome = 'error'"),
        deliveries=states,
        pending_deliveries=pending_deliveries(states),
        subscribed_chats=_count(db, "select count(distinct chat_id) from subscriptions"),
        recent=recent_ingests(db, recent),
    )


def failed_checks(db: sqlite_utils.Database, agency: str | None = None, year: int | None = None) -> list[dict]:
    """Failed checks of current reports, filtered by agency (full name) and year, per report in order."""
    where = ["r.status = 'current'", "c.passed = 0"]
    args: list = []
    if agency:
        where.append("a.name = ?")
        args.append(agency)
    if year:
        where.append("r.year = ?")
        args.append(year)
    rows = db.execute(
        "select a.name, r.year, c.severity, c.message, c.origin, c.rule from checks c "
        "join reports r on r.id = c.report_id join agencies a on a.id = r.agency_id "
        f"where {' and '.join(where)} order by a.name, r.year, c.id",
        args,
    ).fetchall()
    keys = ("agency", "year", "severity", "message", "origin", "rule")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def agency_aliases(db: sqlite_utils.Database, name: str) -> list[str]:
    """The aliases recorded for the agency named ``name`` (empty when none or no such agency)."""
    row = db.execute("select aliases from agencies where name = ?", [name]).fetchone()
    return list(json.loads(row[0])) if row and row[0] else []


def regions(db: sqlite_utils.Database) -> set[str]:
    """Every region an agency is filed under (what a subscription may name)."""
    return {r[0] for r in db.execute("select distinct region from agencies where region != ''")}


def audited_question(db: sqlite_utils.Database, audit_id: int) -> tuple[str, int | None] | None:
    """The question and chat of an audit row (to answer a clarification's original question)."""
    row = db.execute("select question, chat_id from audit where id = ?", [audit_id]).fetchone()
    return (row[0], row[1]) if row else None
