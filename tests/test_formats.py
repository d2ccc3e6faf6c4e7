"""The official formats are data: a new format is added through the catalogue alone.

A made-up revision "2026" of the template, the 2021 tables plus one new row under （六）其他处理
("4.申请人使用自动程序批量提交申请"), is described only in replaced catalogue files
(``cells.tsv`` and ``formats.toml``); a report in it is read, checked and answered by the code as
it stands.  An unknown format is refused, never read as another one.
"""

from __future__ import annotations

import datetime
import json
import tomllib
from pathlib import Path

import pytest

from bot.qa.core import ask
from ingest.checks import ERROR, run_checks
from ingest.model import CellReading, ParsedReport
from ingest.pipeline import ingest_bytes, parse_bytes
from ingest.render.text import text_report
from store import formats
from store.catalogue import APPLICANT_COLUMNS, APPLICANT_LABELS, keys_for, read_data, replaced_catalogue
from store.db import open_db

FIGURES = Path(__file__).resolve().parent.parent / "bot" / "samples" / "figures" / "liaocheng-jiguan-shiwu-2023.json"
NEW_LABEL = "4.申请人使用自动程序批量提交申请"
NEW_ROW = """
[[requests]]
id = "other_bulk"
cores = ["批量提交"]
name = "其他处理·批量提交"
group = "other"
ask = "批量提交"
ask_label = "其他处理/申请人使用自动程序批量提交申请"
ask_rank = 2
absent = "2026版以前的表格没有这一项"
"""
ROW_VALUES = {"natural": 2, "commercial": 1, "research": 0, "social": 0, "legal": 0, "other_org": 0, "total": 3}


def _cells_2026() -> str:
    """cells.tsv with format 2026: every 2021 cell again, and the new row after （六）3.其他."""
    out = []
    lines = read_data("cells.tsv").splitlines()
    last_misc = max(i for i, line in enumerate(lines) if line.startswith("requests.other_misc."))
    for i, line in enumerate(lines):
        out.append(line)
        fields = line.split("\t")
        if fields[2] == "2021":
            out.append("\t".join([*fields[:2], "2026", *fields[3:]]))
        if i == last_misc:
            for col in APPLICANT_COLUMNS:
                column = APPLICANT_LABELS[col] if col in ("natural", "total") else f"法人或其他组织/{APPLICANT_LABELS[col]}"
                if col == "other_org":
                    column = "法人或其他组织/其他"
                out.append(f"requests.other_bulk.{col}\trequests\t2026\t（六）其他处理/{NEW_LABEL}\t{column}\t件")
    return "\n".join(out) + "\n"


def _formats_2026() -> str:
    """formats.toml with format 2026 (the 2021 entry again, since 2026) and the new row."""
    shipped = read_data("formats.toml")
    entry = shipped[shipped.index('[formats."2021"]'):shipped.index("# --- groups")]
    entry = entry.replace('formats."2021"', 'formats."2026"').replace("since = 2021", "since = 2026")
    return shipped + entry + NEW_ROW


def _report_2026() -> tuple[str, str]:
    """A 2026 report rendered from a 2021 sample's figures plus the new row's (totals include
    them); the renderer lays the new row out from the catalogue like any other."""
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    figures["year"], figures["format"] = 2026, "2026"
    cells = figures["cells"]
    for col, n in ROW_VALUES.items():
        cells[f"requests.other_bulk.{col}"] = n
        for rid in ("new", "handled_total"):
            cells[f"requests.{rid}.{col}"] = (cells.get(f"requests.{rid}.{col}") or 0) + n
    return figures["agency"], text_report(figures)


@pytest.fixture()
def format_2026():
    with replaced_catalogue(cells_tsv=_cells_2026(), formats_toml=_formats_2026()):
        yield
    assert formats.format_ids() == ("2019", "2021")  # the shipped catalogue is back


def test_made_up_format_is_read_checked_and_answered(format_2026: None, tmp_path: Path) -> None:
    agency, text = _report_2026()
    assert formats.format_ids() == ("2019", "2021", "2026")
    lines = text.splitlines()
    at = lines.index(f"\t\t{NEW_LABEL}\t2\t1\t0\t0\t0\t0\t3")
    assert lines[at - 1].startswith("\t\t3.其他\t")  # where cells.tsv puts the row

    parsed = parse_bytes(text.encode("utf-8"), "made-up-2026.txt")
    assert parsed.format == "2026" and parsed.table_formats["requests"] == "2026"
    for col, n in ROW_VALUES.items():
        reading = parsed.cells[f"requests.other_bulk.{col}"]
        assert (reading.value, reading.flagged) == (n, False)
    assert not parsed.unplaced

    results = {c.rule: c for c in run_checks(parsed)}
    failed = [c for c in results.values() if c.severity == ERROR and not c.passed]
    assert not failed, failed
    assert "requests.other_bulk.total" in results["requests.outcomes.total"].cells
    assert "其他处理·批量提交" in results["requests.outcomes.total"].message
    assert results["requests.row_sum.other_bulk"].passed
    assert "requests.other_bulk.natural" in keys_for("2026")

    db = open_db(tmp_path / "made-up.db")
    assert ingest_bytes(db, text.encode("utf-8"), "made-up-2026.txt").ok
    answer = ask(db, f"{agency}2026年批量提交的申请有多少件", today=datetime.date(2026, 12, 31))
    assert (answer.status, answer.value) == ("answer", ROW_VALUES["total"]), answer.text
    assert answer.cells == ["requests.other_bulk.total"]


def test_a_2021_report_is_not_taken_for_the_made_up_format(format_2026: None) -> None:
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    parsed = parse_bytes(text_report(figures).encode("utf-8"), "sample-2023.txt")
    assert parsed.format == "2021" and parsed.table_formats["requests"] == "2021"


def test_an_unknown_format_is_refused_not_read_as_another() -> None:
    with pytest.raises(formats.UnknownFormat, match="2035"):
        formats.detect_format("requests", declared="2035")
    with pytest.raises(formats.UnknownFormat):
        formats.detect_format("requests", rows_found={"granted"}, default="2035")
    with pytest.raises(formats.UnknownFormat):
        formats.row_ids("requests", "2035")
    report = ParsedReport(agency="某局", year=2035, format="2035", table_formats={},
                          cells={"requests.granted.total": CellReading(value=1, raw="1", provenance={})},
                          source_kind="text")
    with pytest.raises(formats.UnknownFormat, match="未知的年报表格格式"):
        run_checks(report)


def test_a_format_without_an_active_layout_is_not_rendered_as_another() -> None:
    shipped = read_data("formats.toml")
    bare = shipped + '\n[formats."2030"]\nsince = 2030\nactive_marks = ["本年制发"]\n'
    cells = read_data("cells.tsv") + "".join(
        line.replace("\t2021\t", "\t2030\t") + "\n" for line in read_data("cells.tsv").splitlines() if "\t2021\t" in line)
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    with replaced_catalogue(cells_tsv=cells, formats_toml=bare), pytest.raises(ValueError, match="active_sections"):
        text_report(dict(figures, format="2030"))
    with pytest.raises(formats.UnknownFormat):
        text_report(dict(figures, format="2030"))


def test_detect_format_by_rows_and_by_marks() -> None:
    assert formats.detect_format("requests", rows_found={"other_no_fee"}, default="2019") == "2021"
    assert formats.detect_format("requests", rows_found={"other"}, default="2021") == "2019"
    assert formats.detect_format("requests", rows_found={"granted"}, default="2021") == "2021"
    assert formats.detect_format("active", text="本年制发件数 现行有效件数", year=2019) == "2021"
    assert formats.detect_format("active", text="本年新制作数量", year=2022) == "2019"
    assert formats.detect_format("active", text="", year=2020) == "2019"
    assert formats.detect_format("active", text="", year=2023) == "2021"


def test_every_catalogued_row_is_a_row_of_cells_tsv_and_back() -> None:
    """formats.toml and cells.tsv describe the same rows: none missing on either side."""
    data = tomllib.loads(read_data("formats.toml"))
    for table in formats.TABLES:
        described = {entry["id"] for entry in data[table]}
        in_cells = {rid for fmt in formats.format_ids() for rid in formats.row_ids(table, fmt)}
        assert described == in_cells, table
    assert set(data["formats"]) == set(formats.format_ids())
