"""Reads: the questions every shell asks of the database, in one place.

Values come back as Python numbers; whole numbers are ``int`` (a count of 3 is 3, not 3.0),
fractional amounts stay ``float`` (25.1 万元).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def number(value: float | None) -> int | float | None:
    """``3.0`` → ``3``; ``25.1`` stays; ``None`` (blank) stays ``None``."""
    if value is None:
        return None
    if float(value).is_integer():
        return int(value)
    return float(value)


def agencies(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every agency with its aliases decoded."""
    rows = db.execute("select id, name, region, aliases from agencies order by id").fetchall()
    return [{"id": r[0], "name": r[1], "region": r[2], "aliases": json.loads(r[3])} for r in rows]


_REPORT_COLUMNS = (
    "r.id, a.name, a.region, r.year, r.format, r.table_formats, r.source_name, r.source_kind, "
    "r.sha256, r.ingested_at, r.status, r.failed_checks, r.flagged_cells, r.agency_id, r.printed_agency"
)


def _report_row(row: tuple | None) -> dict[str, Any] | None:
    if row is None:
        return None
    keys = (
        "id", "agency", "region", "year", "format", "table_formats", "source_name", "source_kind",
        "sha256", "ingested_at", "status", "failed_checks", "flagged_cells", "agency_id", "printed_agency",
    )
    report = dict(zip(keys, row, strict=True))
    report["table_formats"] = json.loads(report["table_formats"] or "{}")
    return report


def report_by_id(db: sqlite_utils.Database, report_id: int) -> dict[str, Any] | None:
    row = db.execute(
        f"select {_REPORT_COLUMNS} from reports r join agencies a on a.id = r.agency_id where r.id = ?",
        [report_id],
    ).fetchone()
    return _report_row(row)


def current_report(db: sqlite_utils.Database, agency: str, year: int) -> dict[str, Any] | None:
    """The current (not superseded) report of ``agency`` (full name) for ``year``."""
    row = db.execute(
        f"select {_REPORT_COLUMNS} from reports r join agencies a on a.id = r.agency_id "
        "where a.name = ? and r.year = ? and r.status = 'current'",
        [agency, year],
    ).fetchone()
    return _report_row(row)


def reports_of_agency(db: sqlite_utils.Database, agency: str, *, include_superseded: bool = False) -> list[dict[str, Any]]:
    """An agency's reports, oldest year first."""
    status = "" if include_superseded else "and r.status = 'current'"
    rows = db.execute(
        f"select {_REPORT_COLUMNS} from reports r join agencies a on a.id = r.agency_id "
        f"where a.name = ? {status} order by r.year, r.id",
        [agency],
    ).fetchall()
    return [_report_row(r) for r in rows]


def current_reports(db: sqlite_utils.Database, year: int | None = None) -> list[dict[str, Any]]:
    """All current reports (of one year, if given)."""
    where = "r.status = 'current'" + (" and r.year = ?" if year is not None else "")
    rows = db.execute(
        f"select {_REPORT_COLUMNS} from reports r join agencies a on a.id = r.agency_id where {where} "
        "order by a.name, r.year",
        [year] if year is not None else [],
    ).fetchall()
    return [_report_row(r) for r in rows]


def previous_report(db: sqlite_utils.Database, agency: str, year: int) -> dict[str, Any] | None:
    """The agency's current report for ``year - 1`` (for cross-year checks)."""
    return current_report(db, agency, year - 1)


def cells_of(db: sqlite_utils.Database, report_id: int) -> dict[str, dict[str, Any]]:
    """``{key: {"value", "raw", "provenance", "flagged", "reason"}}`` of one report."""
    rows = db.execute(
        "select key, value, raw, provenance, flagged, reason from cells where report_id = ?", [report_id]
    ).fetchall()
    return {
        r[0]: {
            "value": number(r[1]),
            "raw": r[2],
            "provenance": json.loads(r[3]),
            "flagged": bool(r[4]),
            "reason": r[5],
        }
        for r in rows
    }


def cell_values(db: sqlite_utils.Database, report_id: int, keys: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Just the values (and flags) of some cells of a report: the hot path of answering."""
    marks = ",".join("?" * len(keys))
    rows = db.execute(
        f"select key, value, raw, provenance, flagged from cells where report_id = ? and key in ({marks})",
        [report_id, *keys],
    ).fetchall()
    return {
        r[0]: {"value": number(r[1]), "raw": r[2], "provenance": json.loads(r[3]), "flagged": bool(r[4])}
        for r in rows
    }


def checks_of(db: sqlite_utils.Database, report_id: int, *, failed_only: bool = False) -> list[dict[str, Any]]:
    where = " and passed = 0" if failed_only else ""
    rows = db.execute(
        f"select rule, severity, passed, message, cells, origin from checks where report_id = ?{where} order by id",
        [report_id],
    ).fetchall()
    return [
        {
            "rule": r[0],
            "severity": r[1],
            "passed": bool(r[2]),
            "message": r[3],
            "cells": json.loads(r[4]),
            "origin": r[5],
        }
        for r in rows
    ]


def export_report(db: sqlite_utils.Database, report_id: int) -> dict[str, Any]:
    """The ``xxgk export --json`` document of one report."""
    from store.catalogue import keys_for

    report = report_by_id(db, report_id)
    if report is None:
        raise KeyError(report_id)
    cells = cells_of(db, report_id)
    checks = checks_of(db, report_id)
    ordered = {key: cells[key]["value"] for key in keys_for(report["format"]) if key in cells}
    ordered.update({key: c["value"] for key, c in cells.items() if key not in ordered})
    flags = [
        {"key": key, "raw": c["raw"], "reason": c["reason"], "provenance": c["provenance"]}
        for key, c in cells.items()
        if c["flagged"]
    ]
    return {
        "id": report["id"],
        "agency": report["agency"],
        "printed_agency": report["printed_agency"] or report["agency"],  # the name as the title printed it
        "region": report["region"],
        "year": report["year"],
        "format": report["format"],
        "table_formats": report["table_formats"],
        "source": {"name": report["source_name"], "kind": report["source_kind"], "sha256": report["sha256"]},
        "status": report["status"],
        "cells": ordered,
        "provenance": {key: {"raw": c["raw"], **c["provenance"]} for key, c in cells.items()},
        "flags": flags,
        "unplaced": [c["message"] for c in checks if c["rule"].startswith("rows.unplaced")],
        "checks": checks,
    }


# --------------------------------------------------------------------------------------------
# reads for the question-answering core (bot/qa)


def data_version(db: sqlite_utils.Database, table: str = "agencies") -> int:
    """A number that changes whenever ``table`` (``agencies`` or ``reports``) does, in this
    process or any other: triggers bump it on every insert, update and delete
    (:mod:`store.migrations`, v4).  One primary-key lookup, so a cache of what was derived from
    the table (the answering core's agency index) can be checked on every question."""
    row = db.execute("select version from data_versions where name = ?", [table]).fetchone()
    if row is None:
        raise ValueError(f"no data version is kept for table {table!r}")
    return int(row[0])


def report_years(db: sqlite_utils.Database, agency: str) -> list[int]:
    """The years for which ``agency`` has a current report, oldest first."""
    rows = db.execute(
        "select r.year from reports r join agencies a on a.id = r.agency_id "
        "where a.name = ? and r.status = 'current' order by r.year",
        [agency],
    ).fetchall()
    return [int(r[0]) for r in rows]


def agencies_with_year(db: sqlite_utils.Database, names: list[str], year: int) -> set[str]:
    """Which of ``names`` have a current report for ``year`` (a clarify list puts them first)."""
    if not names:
        return set()
    rows = db.execute(  # by agency, then its reports of the year (index reports_agency_year)
        f"select a.name from agencies a where a.name in ({','.join('?' * len(names))}) and exists "
        "(select 1 from reports r where r.agency_id = a.id and r.year = ? and r.status = 'current')",
        [*names, year],
    ).fetchall()
    return {r[0] for r in rows}


def latest_year(db: sqlite_utils.Database) -> int | None:
    """The most recent year any current report covers."""
    row = db.execute("select max(year) from reports where status = 'current'").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def metric_across_reports(
    db: sqlite_utils.Database, year: int, keys: list[str] | tuple[str, ...], agency_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Values of ``keys`` in every current report of ``year`` (of some agencies, if given):
    one row per (report, key) — what a ranking needs, in one query."""
    marks = ",".join("?" * len(keys))
    params: list[Any] = [*keys, year]  # in the order of the placeholders below
    where = ""
    if agency_ids is not None:
        if not agency_ids:
            return []
        where = f" and r.agency_id in ({','.join('?' * len(agency_ids))})"
        params.extend(agency_ids)
    rows = db.execute(
        "select a.name, r.id, r.format, r.table_formats, c.key, c.value, c.flagged "
        "from reports r join agencies a on a.id = r.agency_id "
        f"left join cells c on c.report_id = r.id and c.key in ({marks}) "
        f"where r.year = ? and r.status = 'current'{where}",
        params,
    ).fetchall()
    return [
        {
            "agency": r[0],
            "report_id": r[1],
            "format": r[2],
            "table_formats": json.loads(r[3] or "{}"),
            "key": r[4],
            "value": number(r[5]),
            "flagged": bool(r[6]),
        }
        for r in rows
    ]


def cells_of_reports(db: sqlite_utils.Database, report_ids: list[int], keys: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """``{report_id, key, value, flagged}`` of some cells of some reports (a ranking reading the
    applicant columns of the reports whose 总计 was printed blank)."""
    if not report_ids or not keys:
        return []
    rows = db.execute(
        f"select report_id, key, value, flagged from cells where key in ({','.join('?' * len(keys))}) "
        f"and report_id in ({','.join('?' * len(report_ids))})",
        [*keys, *report_ids],
    ).fetchall()
    return [{"report_id": r[0], "key": r[1], "value": number(r[2]), "flagged": bool(r[3])} for r in rows]


def failed_reports(db: sqlite_utils.Database, year: int | None = None) -> list[dict[str, Any]]:
    """Current reports (of ``year``, if given) with at least one failed check, with those checks."""
    where = " and r.year = ?" if year is not None else ""
    rows = db.execute(
        "select r.id, a.name, r.year, r.source_name, ch.rule, ch.severity, ch.message, ch.origin "
        "from reports r join agencies a on a.id = r.agency_id join checks ch on ch.report_id = r.id "
        f"where r.status = 'current' and ch.passed = 0{where} order by a.name, r.year, ch.id",
        [year] if year is not None else [],
    ).fetchall()
    out: dict[int, dict[str, Any]] = {}
    for rid, name, yr, source, rule, severity, message, origin in rows:
        entry = out.setdefault(rid, {"report_id": rid, "agency": name, "year": yr, "source_name": source, "checks": []})
        entry["checks"].append({"rule": rule, "severity": severity, "message": message, "origin": origin})
    return list(out.values())


def flagged_counts(db: sqlite_utils.Database, year: int | None = None) -> list[dict[str, Any]]:
    """Current reports (of ``year``, if given) with flagged cells, and how many."""
    where = " and r.year = ?" if year is not None else ""
    rows = db.execute(
        "select a.name, r.year, r.id, count(*) from reports r join agencies a on a.id = r.agency_id "
        f"join cells c on c.report_id = r.id where r.status = 'current' and c.flagged = 1{where} "
        "group by r.id order by a.name, r.year",
        [year] if year is not None else [],
    ).fetchall()
    return [{"agency": r[0], "year": r[1], "report_id": r[2], "flagged": r[3]} for r in rows]


def agencies_missing_year(db: sqlite_utils.Database, year: int) -> list[dict[str, Any]]:
    """Agencies with a current report in some other year but none for ``year``, with the years held."""
    rows = db.execute(
        "select a.name, group_concat(distinct r.year) from agencies a join reports r on r.agency_id = a.id "
        "where r.status = 'current' and a.id not in "
        "(select agency_id from reports where year = ? and status = 'current') "
        "group by a.id order by a.name",
        [year],
    ).fetchall()
    return [{"agency": r[0], "years": sorted(int(y) for y in str(r[1]).split(","))} for r in rows]


SEVERITY_LABEL = {"error": "错误", "warning": "警告"}
"""How every shell names a failed check's severity (xxgk check, the chat, Telegram): one word each."""


def severity_label(severity: str) -> str:
    return SEVERITY_LABEL.get(severity, severity)
