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
    "r.sha256, r.ingested_at, r.status, r.failed_checks, r.flagged_cells, r.agency_id"
)


def _report_row(row: tuple | None) -> dict[str, Any] | None:
    if row is None:
        return None
    keys = (
        "id", "agency", "region", "year", "format", "table_formats", "source_name", "source_kind",
        "sha256", "ingested_at", "status", "failed_checks", "flagged_cells", "agency_id",
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
        "region": report["region"],
        "year": report["year"],
        "format": report["format"],
        "table_formats": report["table_formats"],
        "source": {"name": report["source_name"], "kind": report["source_kind"], "sha256": report["sha256"]},
        "status": report["status"],
        "cells": ordered,
        "provenance": {key: {"raw": c["raw"], **c["provenance"]} for key, c in cells.items()},
        "flags": flags,
        "checks": checks_of(db, report_id),
    }
