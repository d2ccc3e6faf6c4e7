"""The 勾稽关系 checks on hand-built reports, and on every report of ../shared/truth."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.checks import requests_rows, run_checks
from ingest.model import CellReading, CheckResult, ParsedReport
from ingest.narrative import narrative_statements
from store.catalogue import APPLICANT_COLUMNS, specs_for
from store.formats import outcome_rows
from tests.conftest import SHARED, needs_shared

# A consistent small report: 5 new + 1 carried = 4 handled + 2 carried forward (自然人 and 总计).
BASE = {
    "requests.new.natural": 5, "requests.new.total": 5,
    "requests.carried_over.natural": 1, "requests.carried_over.total": 1,
    "requests.granted.natural": 3, "requests.granted.total": 3,
    "requests.handled_total.natural": 4, "requests.handled_total.total": 4,
    "requests.carried_forward.natural": 2, "requests.carried_forward.total": 2,
    "appeals.review.upheld": 1, "appeals.review.total": 1,
}


def build_report(
    overrides: dict[str, Any] | None = None,
    *,
    active: str = "2019",
    requests: str = "2019",
    base: dict[str, Any] | None = None,
    narrative: str = "",
    flagged: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    declare: bool = True,
    missing_tables: tuple[str, ...] = (),
) -> ParsedReport:
    """Every cell of the tables (0 unless given), one 其他处理 row per ``requests`` format.

    ``flagged`` maps keys to a reason; ``drop`` removes cells; ``declare=False`` leaves
    ``table_formats`` empty so the checks must tell the requests format from the cells.
    """
    values: dict[str, Any] = {}
    for table, fmt in (("active", active), ("requests", requests), ("appeals", "2019")):
        if table in missing_tables:
            continue
        for s in specs_for(table, fmt):
            values[s.key] = 0
    values.update(BASE if base is None else base)
    other = "requests.other" if requests == "2019" else "requests.other_misc"
    values[f"{other}.natural"] = values[f"{other}.total"] = 1
    values.update(overrides or {})
    cells = {}
    for key, value in values.items():
        if key in drop:
            continue
        reading = CellReading(value, "" if value is None else str(value), provenance={})
        if flagged and key in flagged:
            reading.flagged, reading.reason = True, flagged[key]
        cells[key] = reading
    formats = {"active": active, "requests": requests, "appeals": "2019"} if declare else {}
    return ParsedReport(
        agency="测试市测试局", year=2022, format=active, table_formats=formats, cells=cells,
        source_kind="text", source_name="/tmp/in/test-2022.txt", narrative=narrative,
        missing_tables=list(missing_tables),
    )


def by_rule(results: list[CheckResult]) -> dict[str, CheckResult]:
    """Results by rule name (rule names are unique except repeated narrative statements)."""
    return {r.rule: r for r in results}


def failed(results: list[CheckResult], severity: str | None = None) -> list[CheckResult]:
    return [r for r in results if not r.passed and (severity is None or r.severity == severity)]


# --- the consistent report --------------------------------------------------------------------


@pytest.mark.parametrize(("active", "requests"), [("2019", "2019"), ("2021", "2021"), ("2021", "2019")])
def test_consistent_report_passes_every_rule(active: str, requests: str) -> None:
    results = run_checks(build_report(active=active, requests=requests))
    assert failed(results) == []
    rules = by_rule(results)
    for col in APPLICANT_COLUMNS:
        assert rules[f"requests.balance.{col}"].passed
        assert rules[f"requests.outcomes.{col}"].passed
    for row in requests_rows(requests):
        assert rules[f"requests.row_sum.{row}"].severity == "error"
    for rule in ("appeals.review", "appeals.suit_direct", "appeals.suit_after_review", "tables.present",
                 "cells.complete", "cells.non_negative"):
        assert rules[rule].passed and rules[rule].severity == "error"
    assert rules["cells.flagged"].severity == "warning"
    assert rules["requests.balance.natural"].message == (
        "本年新收(5) + 上年结转(1) = 6，与 （七）总计(4) + 结转下年度(2) = 6 相符（自然人列）"
    )


def test_requests_rows_follow_format() -> None:
    assert "other" in requests_rows("2019") and "other_misc" not in requests_rows("2019")
    assert {"other_no_correction", "other_no_fee", "other_misc"} <= set(requests_rows("2021"))
    assert requests_rows("2019")[0] == "new" and requests_rows("2019")[-1] == "carried_forward"


# --- balance ----------------------------------------------------------------------------------


def test_balance_fails_with_numbers_and_source_origin() -> None:
    report = build_report({"requests.carried_forward.natural": 0, "requests.carried_forward.total": 0})
    rules = by_rule(run_checks(report))
    check = rules["requests.balance.natural"]
    assert not check.passed and check.severity == "error" and check.origin == "source"
    assert check.message.startswith("本年新收(5) + 上年结转(1) = 6，但 （七）总计(4) + 结转下年度(0) = 4（自然人列）")
    assert "疑似原报告错误" in check.message
    assert "requests.new.natural（一、本年新收政府信息公开申请数量 · 自然人）" in check.message
    assert set(check.cells) == {"requests.new.natural", "requests.carried_over.natural",
                                "requests.handled_total.natural", "requests.carried_forward.natural"}
    assert not rules["requests.balance.total"].passed
    assert rules["requests.balance.commercial"].passed


def test_blanks_count_as_zero() -> None:
    blanks = {f"requests.{row}.{col}": None for row in requests_rows("2019") for col in APPLICANT_COLUMNS}
    blanks.update({k: None for k in ("requests.carried_over.natural", "requests.carried_over.total")})
    blanks.update({"requests.new.natural": 4, "requests.new.total": 4, "requests.granted.natural": 3,
                   "requests.granted.total": 3, "requests.other.natural": 1, "requests.other.total": 1,
                   "requests.handled_total.natural": 4, "requests.handled_total.total": 4})
    rules = by_rule(run_checks(build_report(blanks)))
    assert failed(list(rules.values())) == []
    assert "上年结转(空)" in rules["requests.balance.natural"].message
    assert "结转下年度(空)" in rules["requests.balance.natural"].message


def test_flagged_cell_makes_origin_reading() -> None:
    report = build_report({"requests.new.natural": 7}, flagged={"requests.new.natural": "列位置不确定"})
    rules = by_rule(run_checks(report))
    check = rules["requests.balance.natural"]
    assert not check.passed and check.origin == "reading" and "疑似读取问题" in check.message
    assert "本年新收(7)" in check.message
    row = rules["requests.row_sum.new"]  # 7 in 自然人 but 5 in 总计: also our reading
    assert not row.passed and row.origin == "reading"
    flags = rules["cells.flagged"]
    assert not flags.passed and flags.severity == "warning" and flags.cells == ["requests.new.natural"]
    assert "原文“7”：列位置不确定" in flags.message


# --- outcomes ---------------------------------------------------------------------------------


def test_outcomes_fail_lists_the_nonzero_rows() -> None:
    report = build_report({"requests.partial.natural": 2, "requests.partial.total": 2})
    check = by_rule(run_checks(report))["requests.outcomes.natural"]
    assert not check.passed and check.origin == "source"
    assert check.message.startswith(
        "予以公开(3) + 部分公开(2) + 其他处理(1) + 其余16项(空或0) = 6，但 （七）总计(4)（自然人列）"
    )


def test_outcomes_count_the_three_2021_other_rows() -> None:
    extra = {"requests.other_no_fee.natural": 1, "requests.other_no_fee.total": 1}
    check = by_rule(run_checks(build_report(extra, active="2021", requests="2021")))["requests.outcomes.natural"]
    assert not check.passed
    assert "其他处理·逾期未缴费(1)" in check.message and "其他处理·其他(1)" in check.message
    fixed = dict(extra, **{"requests.granted.natural": 2, "requests.granted.total": 2})
    assert by_rule(run_checks(build_report(fixed, active="2021", requests="2021")))["requests.outcomes.natural"].passed


@pytest.mark.parametrize("declare", [True, False])
def test_hybrid_report_uses_the_single_other_row(declare: bool) -> None:
    """2021 active table with a 2019-style requests table (one 其他处理 row)."""
    report = build_report(active="2021", requests="2019", declare=declare)
    results = run_checks(report)
    assert failed(results) == []
    rules = by_rule(results)
    assert "其他处理(1)" in rules["requests.outcomes.natural"].message
    assert "requests.row_sum.other" in rules and "requests.row_sum.other_misc" not in rules


def test_undeclared_2021_requests_detected_from_cells() -> None:
    report = build_report(active="2021", requests="2021", declare=False)
    rules = by_rule(run_checks(report))
    assert rules["requests.outcomes.natural"].passed
    assert "requests.row_sum.other_misc" in rules and "requests.row_sum.other" not in rules


# --- row sums ---------------------------------------------------------------------------------


def test_row_sum_blank_total_is_named() -> None:
    report = build_report({"requests.granted.total": None})
    check = by_rule(run_checks(report))["requests.row_sum.granted"]
    assert not check.passed and check.severity == "error" and check.origin == "source"
    assert "总计单元格为空" in check.message and "自然人(3)" in check.message
    assert "requests.granted.total（三、本年度办理结果/（一）予以公开 · 总计）" in check.message


def test_row_sum_wrong_total_and_all_blank_row() -> None:
    report = build_report({"requests.new.commercial": 2, "requests.partial.natural": None,
                           "requests.partial.total": None})
    rules = by_rule(run_checks(report))
    check = rules["requests.row_sum.new"]
    assert not check.passed
    assert check.message.startswith("自然人(5) + 商业企业(2) + 其余4项(空或0) = 7，但 总计(5)（本年新收行）")
    assert rules["requests.row_sum.partial"].passed  # blank everywhere: 0 = 0


# --- appeals ----------------------------------------------------------------------------------


def test_appeals_source_error_seen_in_real_reports() -> None:
    report = build_report({"appeals.suit_direct.upheld": 10, "appeals.suit_direct.corrected": 1})
    rules = by_rule(run_checks(report))
    check = rules["appeals.suit_direct"]
    assert not check.passed and check.origin == "source"
    assert check.message.startswith("结果维持(10) + 结果纠正(1) + 其他结果(0) + 尚未审结(0) = 11，但 总计(0)")
    assert "行政诉讼·未经复议直接起诉" in check.message
    assert rules["appeals.review"].passed


# --- presence, completeness, signs ------------------------------------------------------------


def test_missing_table_fails_presence_and_skips_its_rules() -> None:
    report = build_report(missing_tables=("appeals",))
    report.cells["appeals.review.total"] = CellReading(None, "", {}, flagged=True, reason="表格缺失")
    rules = by_rule(run_checks(report))
    assert rules["cells.flagged"].passed  # the missing table is reported once, by tables.present
    assert not rules["tables.present"].passed and "行政复议行政诉讼情况表" in rules["tables.present"].message
    assert rules["tables.present"].origin == "reading"
    assert not any(rule.startswith("appeals.") for rule in rules)
    assert rules["cells.complete"].passed  # the missing table's cells are not counted twice


def test_cells_complete_absent_and_flagged_not_found() -> None:
    report = build_report(drop=("appeals.review.other",),
                          flagged={"active.fees.change": "未找到", "active.penalty.change": "数字含义不清"})
    check = by_rule(run_checks(report))["cells.complete"]
    assert not check.passed and check.origin == "reading" and check.severity == "error"
    assert check.cells == ["active.fees.change", "appeals.review.other"]
    assert "有 2 个应有的单元格未找到" in check.message
    flags = by_rule(run_checks(report))["cells.flagged"]  # not found is not "unreadable"
    assert flags.cells == ["active.penalty.change"] and "数字含义不清" in flags.message


def test_non_negative_allows_change_column() -> None:
    ok = by_rule(run_checks(build_report({"active.licensing.change": -3})))
    assert ok["cells.non_negative"].passed
    bad = by_rule(run_checks(build_report({"active.penalty.decisions": -2})))["cells.non_negative"]
    assert not bad.passed and bad.cells == ["active.penalty.decisions"] and "(-2)" in bad.message


# --- cross-year -------------------------------------------------------------------------------


def previous_export(cells: dict[str, Any], *, year: int = 2021, fmt: str = "2021", flags: tuple[str, ...] = ()) -> dict:
    return {"year": year, "format": fmt, "table_formats": {"active": fmt}, "cells": cells,
            "flags": [{"key": k, "raw": "?", "reason": "x", "provenance": {}} for k in flags]}


def test_cross_year_carried_both_ways() -> None:
    report = build_report(active="2021", requests="2021")
    good = previous_export({"requests.carried_forward.natural": 1, "requests.carried_forward.total": 1,
                            "requests.carried_forward.commercial": None})
    rules = by_rule(run_checks(report, good))
    assert rules["cross_year.carried.natural"].passed and rules["cross_year.carried.total"].passed
    assert rules["cross_year.carried.commercial"].passed  # blank last year, 0 this year
    assert "cross_year.carried.legal" not in rules  # not in last year's export: nothing to compare

    bad = previous_export({"requests.carried_forward.natural": 4, "requests.carried_forward.total": 4})
    check = by_rule(run_checks(report, bad))["cross_year.carried.natural"]
    assert not check.passed and check.severity == "warning" and check.origin == "source"
    assert "2021年报告 结转下年度(4)，但 本年报告 上年结转(1)（自然人列）" in check.message

    flagged = previous_export({"requests.carried_forward.natural": 4}, flags=("requests.carried_forward.natural",))
    assert by_rule(run_checks(report, flagged))["cross_year.carried.natural"].origin == "reading"


def test_cross_year_in_force_both_ways() -> None:
    now = {"active.normative_docs.issued": 5, "active.normative_docs.repealed": 2,
           "active.normative_docs.in_force": 33}
    report = build_report(now, active="2021", requests="2021")
    rules = by_rule(run_checks(report, previous_export({"active.normative_docs.in_force": 30})))
    assert rules["cross_year.in_force.normative_docs"].passed
    check = by_rule(run_checks(report, previous_export({"active.normative_docs.in_force": 40})))[
        "cross_year.in_force.normative_docs"]
    assert not check.passed and check.severity == "warning"
    assert "2021年现行有效(40) + 本年制发(5) − 本年废止(2) = 43，但 现行有效(33)" in check.message


def test_cross_year_amount_a_thousandfold_apart_is_a_unit_warning() -> None:
    """4092.66 万元 last year, 0.409266 this year (a header that lost its 万): warned, with numbers."""
    report = build_report({"active.procurement.amount": 0.409266, "active.procurement.projects": 8})
    last = previous_export({"active.procurement.amount": 4092.66}, year=2021, fmt="2019")
    check = by_rule(run_checks(report, last))["cross_year.amount_scale.procurement"]
    assert not check.passed and check.severity == "warning"
    assert "2021年报告 采购总金额(4092.66万元)" in check.message and "相差约 10,000 倍" in check.message
    assert "单位之误" in check.message and check.cells == ["active.procurement.amount"]

    near = previous_export({"active.procurement.amount": 3000}, year=2021, fmt="2019")
    report = build_report({"active.procurement.amount": 4092.66})
    assert by_rule(run_checks(report, near))["cross_year.amount_scale.procurement"].passed
    zero = previous_export({"active.procurement.amount": 0}, year=2021, fmt="2019")
    assert "cross_year.amount_scale.procurement" not in by_rule(run_checks(report, zero))


def test_cross_year_skipped_when_not_comparable() -> None:
    report = build_report(active="2021", requests="2021")
    old_format = previous_export({"active.rules.total_published": 3}, fmt="2019")
    assert not any(r.rule.startswith("cross_year.in_force") for r in run_checks(report, old_format))
    two_years = previous_export({"requests.carried_forward.natural": 9}, year=2020)
    assert not any(r.rule.startswith("cross_year") for r in run_checks(report, two_years))
    assert not any(r.rule.startswith("cross_year") for r in run_checks(report, None))


# --- narrative against table ------------------------------------------------------------------

NARRATIVE_CASES = [
    ("2023年，我局共收到信息公开申请2件，均已按照规定程序及时对当事人予以答复。", [("new", 2)]),
    ("2019 年，市城管局共收到、处理 2件政府信息公开申请，均\n按时答复。", [("new", 2)]),
    ("2020年，我局共收到1条政府信息公开申请并及时回复。", [("new", 1)]),
    ("2020年我局共收到2件依申请公开件，一是要求获得……", [("new", 2)]),
    ("本年度共收到两件政府信息公开申请。", [("new", 2)]),
    ("全年受理政府信息公开申请１２件。", [("new", 12)]),
    ("2020年，聊城市收到政府信息公开申请和上年结转件1064件，已答复1051件，结转下一年度13件。",
     [("new", 1064), ("carried_forward", 13)]),
    ("答复政府信息公开申请805件（含上年度结转申请18件，另有72件申请顺延到下年度答复）。", [("carried_over", 18)]),
    ("因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。", [("review", 2), ("suit", 7)]),
    ("信息公开类行政复议7件，诉讼9件，均获维持，继续保持了零败诉的记录。", [("review", 7), ("suit", 9)]),
    ("2020年，我局政府信息公开无被申请行政复议或被提起行政诉讼情况。", [("review", 0), ("suit", 0)]),
    ("本年度未发生因政府信息公开引起的行政诉讼。", [("suit", 0)]),
    ("本年度未收到政府信息公开申请。", [("new", 0)]),
    # Not applications, or not this year's count: nothing to compare.
    ("办理人大建议23件、政协提案50件，发布信息180余条。", []),
    ("另外我局共收到市人大代表建议和政协委员提案57件。", []),
    ("2020年，我局共收到1条书面形式要求公开政府信息的申请并及时回复。", []),
    ("申请数量较去年回落12.3%，较上年减少政府信息公开申请5件。", []),
    ("一、本年新收政府信息公开申请数量 2 2", []),
    ("一是要求获得2018年2月至2019年6月收到和处理的政府信息公开申请的案件数及被复议诉讼案件数。", []),
    ("未经复议直接起诉 复议后起诉", []),
    ("本年度被申请行政复议和提起行政诉讼共3件。", []),
    ("本年度无一起行政复议被纠正。", []),
    ("行政复议3件，其中尚未审结的行政复议案件1件。", [("review", 3)]),
    ("结果维持 结果纠正 其他结果 尚未审结 总计 行政复议 行政诉讼", []),
    ("本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。", [("review", 0), ("suit", 0)]),
    ("行政复议1件，行政诉讼0件。", [("review", 1), ("suit", 0)]),
    ("共主动公开政府信息3597条，其中政府门户网站公开599条。", []),
]


@pytest.mark.parametrize(("text", "expected"), NARRATIVE_CASES)
def test_narrative_statements(text: str, expected: list[tuple[str, int]]) -> None:
    assert sorted((t, n) for t, n, _ in narrative_statements(text)) == sorted(expected)


def test_narrative_mismatch_warns_and_agreement_passes() -> None:
    text = "2023年，我局共收到信息公开申请2件。因政府信息公开被申请行政复议1件。人大建议23件。"
    results = run_checks(build_report(narrative=text))
    rules = by_rule(results)
    new = rules["text_vs_table.new"]
    assert not new.passed and new.severity == "warning" and new.origin == "source"
    assert "称 2，但表格为本年新收总计(5) 或 本年新收+上年结转(6)" in new.message
    assert rules["text_vs_table.review"].passed
    assert failed(results, "error") == []
    # new + carried over is an accepted reading of 收到…申请
    combined = by_rule(run_checks(build_report(narrative="共受理政府信息公开申请6件（含上年结转1件）。")))
    assert combined["text_vs_table.new"].passed and combined["text_vs_table.carried_over"].passed
    assert "与表格本年新收+上年结转(6)一致" in combined["text_vs_table.new"].message


def test_narrative_zero_appeals_against_nonzero_table() -> None:
    report = build_report(narrative="本年度无被申请行政复议情况。")
    check = by_rule(run_checks(report))["text_vs_table.review"]
    assert not check.passed and "称 0，但表格为行政复议总计(1)" in check.message


# --- a property: consistent tables pass, one changed number fails ------------------------------


@st.composite
def consistent_cells(draw: st.DrawFn) -> dict[str, Any]:
    """A requests table that adds up in every row and column (blanks drawn as None)."""
    count = st.one_of(st.none(), st.integers(0, 500))
    cells: dict[str, Any] = {}
    rows = [*outcome_rows("2019"), "carried_forward", "carried_over"]
    for row in rows:
        for col in APPLICANT_COLUMNS[:-1]:
            cells[f"requests.{row}.{col}"] = draw(count)
    for col in APPLICANT_COLUMNS[:-1]:
        handled = sum(cells[f"requests.{r}.{col}"] or 0 for r in outcome_rows("2019"))
        cells[f"requests.handled_total.{col}"] = handled
        forward, over = (cells[f"requests.{r}.{col}"] or 0 for r in ("carried_forward", "carried_over"))
        new = handled + forward - over
        if new < 0:  # keep counts non-negative: carry over less
            cells[f"requests.carried_over.{col}"], new = over + new, 0
        cells[f"requests.new.{col}"] = new
    for row in {key.split(".")[1] for key in cells}:
        cells[f"requests.{row}.total"] = sum(cells[f"requests.{row}.{c}"] or 0 for c in APPLICANT_COLUMNS[:-1])
    return cells


@settings(max_examples=60, deadline=None)
@given(cells=consistent_cells(), pick=st.integers(0, 10_000), delta=st.integers(1, 9))
def test_consistent_tables_pass_and_one_change_fails(cells: dict[str, Any], pick: int, delta: int) -> None:
    assert failed(run_checks(build_report(cells, base={})), "error") == []
    key = sorted(cells)[pick % len(cells)]
    changed = dict(cells, **{key: (cells[key] or 0) + delta})
    broken = failed(run_checks(build_report(changed, base={})), "error")
    assert broken and all(key in r.cells for r in broken)


# --- the shared truth -------------------------------------------------------------------------


def truth_report(path: Path) -> ParsedReport:
    """A ParsedReport from a truth file, narrative from the matching shared report."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    source = next(p for p in (SHARED / "reports").iterdir() if p.stem == path.stem)
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", "\n", text))
    cells = {k: CellReading(v, "" if v is None else str(v), provenance={}) for k, v in truth["cells"].items()}
    return ParsedReport(truth["agency"], truth["year"], truth["format"], {}, cells, source.suffix[1:],
                        source_name=source.name, narrative=text)


def _rows_with_a_blank_total(name: str) -> set[str]:
    """Rows of table 2 whose 总计 the report leaves blank while its applicant cells hold numbers."""
    cells = json.loads((SHARED / "truth" / f"{name}.json").read_text(encoding="utf-8"))["cells"]
    rows = {k.split(".")[1] for k in cells if k.startswith("requests.") and k.endswith(".total")}
    return {f"requests.row_sum.{row}" for row in rows if cells[f"requests.{row}.total"] is None
            and any(cells.get(f"requests.{row}.{col}") for col in APPLICANT_COLUMNS[:-1])}


@needs_shared
@pytest.mark.parametrize("name", sorted(p.stem for p in (SHARED / "truth").glob("*.json")) or ["none"])
def test_truth_reports(name: str) -> None:
    results = run_checks(truth_report(SHARED / "truth" / f"{name}.json"))
    errors = failed(results, "error")
    narrative = [r for r in results if r.rule.startswith("text_vs_table")]
    if name == "shanghai-bangongting-2019":
        assert errors and all(r.origin == "source" for r in errors)
        blank = [r for r in errors if r.rule.startswith("requests.row_sum.")]
        assert blank and all("总计单元格为空" in r.message for r in blank)
        assert {r.rule for r in blank} == _rows_with_a_blank_total(name)  # every such row, and only those
    else:
        assert errors == [], [r.message for r in errors]
    if name == "liaocheng-jiguan-shiwu-2023":
        warned = [r for r in narrative if not r.passed]
        assert [r.rule for r in warned] == ["text_vs_table.new"]
        assert "称 2，但表格为本年新收总计(3)" in warned[0].message
    else:
        assert [r.message for r in narrative if not r.passed] == []
    if name in ("shanghai-bangongting-2019", "pingtan-2023", "liaocheng-renmin-zhengfu-2020"):
        assert {r.rule for r in narrative} >= {"text_vs_table.new", "text_vs_table.review"}
