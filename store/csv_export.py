"""CSV documents of the store: one report's cells with provenance (`xxgk export --csv`, /export), or an answer's rows.

UTF-8 with a BOM so Excel (common among the users) opens the Chinese correctly."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import sqlite_utils

from store import catalogue, queries

REPORT_COLUMNS = ("key", "table", "row", "column", "unit", "value", "raw", "flagged", "reason", "provenance")


def _write(header: tuple[str, ...] | list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_csv(db: sqlite_utils.Database, report_id: int) -> bytes:
    """Every cell of a report in catalogue order, with where it was read."""
    report = queries.report_by_id(db, report_id)
    if report is None:
        raise KeyError(report_id)
    cells = queries.cells_of(db, report_id)
    order = [k for k in catalogue.keys_for(report["format"]) if k in cells]
    order += sorted(k for k in cells if k not in order)
    rows = []
    for key in order:
        cell = cells[key]
        try:
            spec = catalogue.spec(key, report["format"])
            place = [spec.table, spec.row, spec.column, spec.unit]
        except KeyError:
            place = ["", "", "", ""]
        provenance = json.dumps(cell["provenance"], ensure_ascii=False)
        rows.append([key, *place, cell["value"], cell["raw"], int(cell["flagged"]), cell["reason"], provenance])
    return _write(REPORT_COLUMNS, rows)


def series_csv(series: list[dict[str, Any]]) -> bytes:
    """An answer's rows (ranking, trend, comparison) with every field they carry."""
    header: list[str] = []
    for item in series:
        header += [k for k in item if k not in header]
    rows = [[_plain(item.get(k)) for k in header] for item in series]
    return _write(header, rows)


def _plain(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def file_name(*parts: object) -> str:
    """A safe document name: no path separators or control characters."""
    stem = "-".join(str(p) for p in parts if p not in (None, ""))
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in "-_")
    return f"{stem or 'export'}.csv"
