"""Report folders for the fault and watcher tests, typeset by the project's own renderer.

Each file is a distinct report (its own agency and year) so a folder of N files must end as N
current reports, no more, no fewer.  The figures come from ``bot/samples/figures`` and are
typeset as text, HTML and Word files with :mod:`ingest.render` (PDF is left out: it takes ~1 s
to typeset and the fault tests are about the store, not the PDF reader).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

FIGURES = sorted((ROOT / "bot" / "samples" / "figures").glob("*.json"))
CITIES = ("聊城市", "淄博市", "济南市", "青岛市", "烟台市", "潍坊市", "威海市", "日照市")
BUREAUS = ("城市管理局", "大数据局", "农业农村局", "生态环境局", "交通运输局", "财政局", "商务局", "审计局")
YEARS = {"2019": (2019, 2020), "2021": (2021, 2022, 2023)}


@dataclass(frozen=True)
class Expected:
    """What a file must become in the database."""

    path: Path
    agency: str
    year: int
    sha256: str
    cells: int


def figures(i: int) -> dict:
    """The i-th distinct report's figures: sample numbers, a new agency, a year of its format."""
    base = json.loads(FIGURES[i % len(FIGURES)].read_text(encoding="utf-8"))
    agency = CITIES[i % len(CITIES)] + BUREAUS[(i // len(CITIES)) % len(BUREAUS)]
    years = YEARS[base["format"]]
    return {**base, "agency": agency, "year": years[(i // 7) % len(years)]}


KINDS = ("txt", "html", "txt", "html", "txt", "html", "txt", "docx")
"""Mostly text and HTML; every eighth a Word file (typesetting a .docx takes ~0.8 s)."""


def write_corpus(folder: Path, n: int, kinds: tuple[str, ...] = KINDS) -> list[Path]:
    """Write n distinct report files into ``folder`` (created)."""
    from ingest.render import render_docx, render_html, render_text

    folder.mkdir(parents=True, exist_ok=True)
    writers = {"txt": render_text, "html": render_html, "docx": render_docx}
    paths = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        path = folder / f"report-{i:03d}.{kind}"
        writers[kind](figures(i), path)
        paths.append(path)
    return paths


def expectations(paths: list[Path]) -> dict[str, Expected]:
    """Parse every file once (no database) to know what each must store: sha256 → Expected."""
    from ingest.pipeline import parse_bytes

    out = {}
    for path in paths:
        data = path.read_bytes()
        parsed = parse_bytes(data, str(path))
        out[hashlib.sha256(data).hexdigest()] = Expected(path, parsed.agency, parsed.year, parsed.sha256,
                                                         len(parsed.cells))
    assert len({(e.agency, e.year) for e in out.values()}) == len(paths), "corpus reports must be distinct"
    return out


def audit(db_path: Path, expected: dict[str, Expected]) -> dict[str, int]:
    """Check the invariants that must hold after any crash; return counts.

    * ``PRAGMA integrity_check`` is ok;
    * every report row has exactly the cells its file holds, at least one check, and its
      ingest_log line (no half reports: they are written in one transaction);
    * no report is stored twice, and nothing the corpus does not hold is stored.
    """
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        if "reports" not in tables:
            return {"reports": 0}
        rows = conn.execute(
            "select r.id, r.sha256, a.name, r.year, r.status, "
            "(select count(*) from cells c where c.report_id = r.id), "
            "(select count(*) from checks k where k.report_id = r.id), "
            "(select count(*) from ingest_log l where l.report_id = r.id) "
            "from reports r join agencies a on a.id = r.agency_id"
        ).fetchall()
        orphans = conn.execute(
            "select (select count(*) from cells where report_id not in (select id from reports)) + "
            "(select count(*) from checks where report_id not in (select id from reports))"
        ).fetchone()[0]
    finally:
        conn.close()
    assert orphans == 0, f"{orphans} cells/checks without a report"
    seen = set()
    for rid, sha, agency, year, status, cells, checks, logged in rows:
        assert sha in expected, f"report {rid} ({agency} {year}) is not from the corpus"
        want = expected[sha]
        assert (agency, year) == (want.agency, want.year)
        assert cells == want.cells, f"report {rid}: {cells} cells stored, the file has {want.cells}"
        assert checks >= 1, f"report {rid} has no checks"
        assert logged >= 1, f"report {rid} has no ingest_log line"
        assert status == "current"
        assert sha not in seen, f"{agency} {year} stored twice"
        seen.add(sha)
    return {"reports": len(rows)}


def snapshot(db_path: Path) -> tuple:
    """What a refused or failed write must not change: row counts and highest rowids of the
    reports, checks, agencies and outbox tables, and the number of cells."""
    conn = sqlite3.connect(db_path)
    try:
        counts = tuple(conn.execute(f"select count(*), coalesce(max(rowid), 0) from {t}").fetchone()
                       for t in ("reports", "checks", "agencies", "outbox"))
        return counts + (conn.execute("select count(*) from cells").fetchone()[0],)
    finally:
        conn.close()


def integrity(db_path: Path) -> str:
    """``PRAGMA integrity_check`` of the file ("ok" when sound)."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
