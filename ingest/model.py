"""The data that flows through ingest: file → Document (rows of labelled cells) → ParsedReport.

Every source reader (pdf, docx, html, text) produces a :class:`Document`; one interpreter maps
its rows to canonical cells (:class:`ParsedReport`); the checks add :class:`CheckResult` s.
Provenance travels with every cell so an auditor can see where each number came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, SupportsIndex

Provenance = dict[str, Any]
"""Where a piece of text came from.  Keys used by the readers:
``kind`` (pdf|docx|html|markdown|text), ``page`` (1-based, pdf), ``bbox`` ([x0, top, x1, bottom], pdf),
``line`` (1-based, text and markdown), ``inferred`` (how a value's row or column was inferred, when
the row alone does not say: shown by export, repeated by answers), ``table``/``row``/``col`` (0-based indexes in docx/html/pdf tables)."""


class IngestError(Exception):
    """A file that cannot be ingested.  The message is one clear line for the user."""


@dataclass
class SourceCell:
    """One piece of text in a row: a table cell, or a token of a text line."""

    text: str
    provenance: Provenance = field(default_factory=dict)


@dataclass
class SourceRow:
    """A row of a statistics table as a reader saw it.

    ``grid`` is True when the reader knows the column structure (HTML, DOCX, PDF tables, tab or
    one-cell-per-line text): then ``cells`` holds one entry per column, blanks included, so a
    value's position identifies its column.  When False (space-separated text) ``cells`` are the
    tokens in reading order and blank cells are invisible.
    """

    cells: list[SourceCell]
    grid: bool
    provenance: Provenance = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass
class Document:
    """What a reader extracted from one file."""

    kind: str  # pdf | docx | doc | html | markdown | text
    text: str  # the whole readable text in reading order (title, narrative, year detection)
    rows: list[SourceRow]
    title: str = ""  # a title the source declares (HTML <title>, docx core properties), if any
    warnings: list[str] = field(default_factory=list)


def _as_arguments(obj: object, protocol: SupportsIndex, fields: tuple[Any, ...]) -> Any:
    """How a cell reading or a check is pickled: its class and its fields, which rebuild it.

    A bulk ingest sends every parsed report from a worker to the writer (~250 of these each);
    pickled this way, the writer rebuilds them in half the time the default (an empty object,
    then its ``__dict__`` set) takes.  An object carrying anything besides its fields is
    pickled the default way, whole."""
    if len(vars(obj)) != len(fields):
        return object.__reduce_ex__(obj, protocol)
    return type(obj), fields


@dataclass
class CellReading:
    """The value read for one canonical cell."""

    value: float | None  # None = blank in the source (counts as 0 in checks and answers)
    raw: str  # the text as printed
    provenance: Provenance
    flagged: bool = False  # True = could not be placed or parsed with certainty
    reason: str = ""  # why it is flagged

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return _as_arguments(self, protocol, (self.value, self.raw, self.provenance, self.flagged, self.reason))


@dataclass
class CheckResult:
    """One validation rule applied to one report."""

    rule: str  # e.g. "requests.balance.natural", "text_vs_table.new", "cross_year.carried"
    severity: str  # error | warning
    passed: bool
    message: str  # Chinese, names the cells, their values and the relation
    cells: list[str] = field(default_factory=list)
    origin: str = ""  # source (the published report) | reading (our extraction, flagged cells) | ""

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return _as_arguments(self, protocol, (self.rule, self.severity, self.passed, self.message, self.cells,
                                              self.origin))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "passed": self.passed,
            "message": self.message,
            "cells": list(self.cells),
            "origin": self.origin,
        }


@dataclass
class ParsedReport:
    """A report mapped to canonical cells, ready to validate and store."""

    agency: str
    year: int
    format: str  # 2019 | 2021: the format of the report as a whole (its active table)
    table_formats: dict[str, str]  # per table: {"active": "2021", "requests": "2019", ...}
    cells: dict[str, CellReading]
    source_kind: str
    source_name: str = ""
    sha256: str = ""
    region: str = ""
    missing_tables: list[str] = field(default_factory=list)
    narrative: str = ""  # the document text, for narrative-vs-table checks
    checks: list[CheckResult] = field(default_factory=list)
    unplaced: list[dict[str, Any]] = field(default_factory=list)
    """Rows of numbers in a table that match no label: ``{"table", "raw", "provenance"}``.
    Kept so that checks and export say so, instead of the numbers vanishing."""
    printed_agency: str = ""  # the agency as the title prints it ("洪泽区人民政府"); agency is canonical
    identity: Any = None  # store.identity.names.Identity read from title, body and folder

    def value(self, key: str) -> float:
        """The value of a cell for arithmetic: blank or missing counts as 0."""
        reading = self.cells.get(key)
        return 0.0 if reading is None or reading.value is None else reading.value
