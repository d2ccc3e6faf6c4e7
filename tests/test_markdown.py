"""Markdown from PDF-to-Markdown converters: clean pipe tables read exactly; broken ones (labels
and numbers on different rows, 数据1… headers, headings inside tables, dropped cells) read
right where the table's order proves the match, flagged where it does not, never silently wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.qa import ask
from ingest.checks import run_checks
from ingest.detect import detect_kind
from ingest.model import ParsedReport
from ingest.normalize import is_value_text
from ingest.pipeline import ingest_bytes, parse_bytes
from ingest.readers import read_document
from ingest.readers.markdown import is_pipe_row, split_pipes
from ingest.render.markdown import markdown_report
from store import queries
from store.db import open_db
from tests.conftest import ROOT, SHARED, needs_shared

FIGURES = sorted((ROOT / "bot" / "samples" / "figures").glob("*.json"))
KEWEI = SHARED / "real-forms" / "reports" / "shanghai-kewei-2024.md"
KEWEI_TRUTH = SHARED / "real-forms" / "truth" / "shanghai-kewei-2024.json"


def _figures(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _sort(report: ParsedReport, expected: dict) -> tuple[list[str], list[str], list[str]]:
    """(right, flagged, silently wrong) keys, a blank equal to 0 as the scorers count it."""
    right, flagged, wrong = [], [], []
    for key, value in expected.items():
        cell = report.cells.get(key)
        if cell is not None and cell.flagged:
            flagged.append(key)
        elif cell is not None and (cell.value or 0) == pytest.approx(value or 0):
            right.append(key)
        else:
            wrong.append(key)
    return right, flagged, wrong


def test_pipe_tables_are_detected_as_markdown_but_prose_with_a_bar_is_not() -> None:
    figures = _figures(FIGURES[0])
    assert detect_kind(markdown_report(figures).encode()) == "markdown"
    assert detect_kind(markdown_report(figures, broken=True).encode()) == "markdown"
    prose = "某某局2020年政府信息公开工作年度报告\n一、总体情况 | 见下表\n规章\t0\t0\t0\n"
    assert detect_kind(prose.encode()) == "text"
    with_breaks = "# 报告\n| 项目 | 商业<br>企业 |\n|---|---|\n| 一<br>二 | 1 |\n| 三<br/>四 | 2 |\n| 五 | 3 |\n"
    assert detect_kind(with_breaks.encode()) == "markdown"


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.stem)
def test_clean_markdown_reads_every_cell(path: Path) -> None:
    figures = _figures(path)
    report = parse_bytes(markdown_report(figures).encode(), f"{path.stem}.md")
    right, flagged, wrong = _sort(report, figures["cells"])
    assert (report.agency, report.year) == (figures["agency"], figures["year"])
    assert wrong == []
    # the one sample whose publisher prints blank 总计 cells: in Markdown a converter may have lost
    # them, so they are flagged with the row sum, not stored blank
    assert all(k.endswith(".total") and "总计格为空" in report.cells[k].reason for k in flagged)
    assert report.source_kind == "markdown" and report.unplaced == []


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.stem)
def test_broken_conversion_reads_right_or_flagged_never_wrong(path: Path) -> None:
    figures = _figures(path)
    report = parse_bytes(markdown_report(figures, broken=True).encode(), f"{path.stem}.md")
    right, flagged, wrong = _sort(report, figures["cells"])
    assert wrong == []
    assert len(right) >= len(figures["cells"]) - 11
    matched = [k for k, c in report.cells.items() if "按表格的行序对应" in c.provenance.get("inferred", "")]
    assert matched, "rows whose labels went to prose lines are matched by the table's order, and say so"
    assert all(report.cells[k].provenance.get("line") for k in matched)


def test_numbers_before_their_label_and_a_lost_total() -> None:
    figures = _figures(ROOT / "bot" / "samples" / "figures" / "liaocheng-renmin-zhengfu-2020.json")
    text = markdown_report(figures, broken=True)
    report = parse_bytes(text.encode(), "p.md")
    lines = text.splitlines()
    forward = report.cells["requests.carried_forward.total"]
    assert forward.value == figures["cells"]["requests.carried_forward.total"] == 13
    assert "均得" in forward.provenance["inferred"]
    assert lines[forward.provenance["line"] - 1].startswith("| 四、结转下年度继续办理")


def _first_loose_row(lines: list[str]) -> int:
    """The requests table's first row of numbers without a label."""
    start = lines.index("## 表三：收到和处理政府信息公开申请情况")
    return next(i for i in range(start, len(lines)) if is_pipe_row(lines[i]) and len(split_pipes(lines[i])) == 7
                and all(is_value_text(t) for t in split_pipes(lines[i])))


RENMIN = ROOT / "bot" / "samples" / "figures" / "liaocheng-renmin-zhengfu-2020.json"


def test_numbers_lost_by_the_conversion_flag_their_label_unread() -> None:
    figures = _figures(RENMIN)
    lines = markdown_report(figures, broken=True).splitlines()
    at = _first_loose_row(lines)
    report = parse_bytes("\n".join(lines[:at] + lines[at + 2:]).encode(), "x.md")
    right, flagged, wrong = _sort(report, figures["cells"])
    assert wrong == []
    unread = [k for k in flagged if report.cells[k].reason.startswith("未能读出")]
    assert len(unread) == 7 and all("标签在第" in report.cells[k].reason for k in unread)
    assert all(report.cells[k].raw for k in unread)  # the label line's text, shown to the user


def test_an_extra_loose_row_is_kept_unplaced_and_checks_blame_reading() -> None:
    figures = _figures(RENMIN)
    lines = markdown_report(figures, broken=True).splitlines()
    at = _first_loose_row(lines)
    report = parse_bytes("\n".join(lines[:at] + ["| 9 | 0 | 0 | 0 | 0 | 0 | 9 |"] + lines[at:]).encode(), "x.md")
    right, flagged, wrong = _sort(report, figures["cells"])
    assert wrong == []
    unread = [k for k in flagged if "无法一一对应" in report.cells[k].reason]
    assert len(unread) == 7 and all("9 0 0 0 0 0 9" in report.cells[k].reason for k in unread)
    assert len(report.unplaced) == 2 and all(u["table"] == "requests" for u in report.unplaced)
    checks = run_checks(report)
    assert sum(c.rule == "rows.unplaced.requests" and not c.passed for c in checks) == 2
    failed = [c for c in checks if not c.passed and c.rule.startswith("requests.")]
    assert failed and all(c.origin == "reading" for c in failed)


def test_markdown_reader_keeps_lines_and_headings() -> None:
    text = "# 某局2023年政府信息公开工作年度报告\n\n## 表三：收到和处理政府信息公开申请情况\n" \
           "| 数据1 | 数据2 |\n|---|---|\n| 一、本年新收政府信息公开申请数量 | 1 | 0 |  |\n9\n| 二、上年结转 | 0 | 0 |\n"
    doc = read_document(text.encode())
    assert doc.kind == "markdown"
    title, heading, header, row, lone, _ = doc.rows
    assert title.texts == ["某局2023年政府信息公开工作年度报告"]
    assert heading.texts == ["收到和处理政府信息公开申请情况"] and not heading.grid
    assert row.grid and row.texts == ["一、本年新收政府信息公开申请数量", "1", "0", ""]
    assert row.provenance == {"kind": "markdown", "line": 6} and row.cells[2].provenance["col"] == 2
    assert lone.texts == ["9"] and lone.provenance["line"] == 7


@needs_shared
def test_real_conversion_every_cell_right() -> None:
    truth = json.loads(KEWEI_TRUTH.read_text(encoding="utf-8"))
    report = parse_bytes(KEWEI.read_bytes(), KEWEI.name)
    right, flagged, wrong = _sort(report, truth["cells"])
    assert (len(right), flagged, wrong) == (len(truth["cells"]), [], [])
    assert [u["raw"] for u in report.unplaced] == ["1"]  # a lone "1" between two label lines, said
    assert all(c.passed or c.severity == "warning" for c in run_checks(report))


@needs_shared
def test_real_conversion_answers_say_how_a_row_was_placed(tmp_path: Path) -> None:
    db = open_db(tmp_path / "k.db")
    outcome = ingest_bytes(db, KEWEI.read_bytes(), KEWEI.name)
    assert outcome.ok, outcome.error
    exported = queries.export_report(db, outcome.report_id)
    assert exported["unplaced"] and "第172行" in exported["unplaced"][0]
    answer = ask(db, "上海市科委2024年部分公开多少件")
    assert answer.status == "answer" and answer.value == 0
    assert any("按表格的行序对应" in c for c in answer.caveats)
    assert any("未能对应到任何项目" in c for c in answer.caveats)


def _label_row_then_number_row(text: str) -> str:
    """Every table row of the requests and appeals tables cut in two pipe rows: its label cells
    with empty value cells, then its numbers under empty label cells (a converter splitting a
    row whose label wraps)."""
    out = []
    for line in text.splitlines():
        cells = split_pipes(line) if is_pipe_row(line) else []
        labelled = any(c and not is_value_text(c) for c in cells)
        if len(cells) >= 8 and labelled and any(c and is_value_text(c) for c in cells):
            out.append("| " + " | ".join("" if is_value_text(c) else c for c in cells) + " |")
            out.append("| " + " | ".join(c if is_value_text(c) else "" for c in cells) + " |")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.stem)
def test_labels_and_numbers_on_consecutive_pipe_rows(path: Path) -> None:
    figures = _figures(path)
    report = parse_bytes(_label_row_then_number_row(markdown_report(figures)).encode(), f"{path.stem}.md")
    right, flagged, wrong = _sort(report, figures["cells"])
    assert wrong == [] and report.unplaced == []
    assert all(k.endswith(".total") and "总计格为空" in report.cells[k].reason for k in flagged)
    assert report.cells["requests.new.total"].provenance.get("inferred")


def test_tables_without_outer_pipes_read_alike() -> None:
    figures = _figures(RENMIN)
    bare = "\n".join(ln.strip().strip("|").strip() if ln.startswith("|") else ln
                     for ln in markdown_report(figures).splitlines())
    assert detect_kind(bare.encode()) == "markdown"
    report = parse_bytes(bare.encode(), "bare.md")
    right, flagged, wrong = _sort(report, figures["cells"])
    assert (flagged, wrong) == ([], []) and len(right) == len(figures["cells"])


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_a_matched_loose_row_gets_labels_that_map_back_to_its_row(fmt: str) -> None:
    from ingest.interpret import _group_of, _request_row
    from ingest.loose import _canonical_labels, row_order

    for rid in row_order(fmt):
        labels = _canonical_labels(rid, fmt)
        assert _request_row(labels, _group_of(labels, None)) == rid
