"""Validation of one report: the 勾稽关系 the official tables promise, and a few sanity checks.

Published reports contain real arithmetic errors, and our readers can misplace a number.  Both
show up here as failed checks; ``origin`` tells them apart so a supervisor knows whether to call
the agency ("source": the published table itself does not add up) or to look at our reading
("reading": at least one involved cell is flagged or missing, so our extraction is uncertain).

Every rule application yields one :class:`CheckResult`, passed or not, so ``xxgk check`` can
list what was verified.  A blank cell (``value is None``) counts as 0 everywhere.

Rules (names are stable; ``<col>`` is an applicant column: natural, commercial, research,
social, legal, other_org, total):

error severity
  ``requests.balance.<col>``     本年新收 + 上年结转 = （七）总计 + 结转下年度 (the table's own rule).
  ``requests.outcomes.<col>``    予以公开 + 部分公开 + 不予公开(8 rows) + 无法提供(3) + 不予处理(5)
                                 + 其他处理 (the single 2019 row or the three 2021 sub-rows, per the
                                 requests table's format) = （七）总计.
  ``requests.row_sum.<row>``     in every requests row the six applicant columns sum to 总计
                                 (a blank 总计 with non-zero applicants fails and says it is blank).
  ``appeals.<review|suit_direct|suit_after_review>``  维持 + 纠正 + 其他 + 尚未审结 = 总计.
  ``tables.present``             all three tables (active, requests, appeals) were found.
  ``cells.complete``             every cell the tables' formats expect was found.
  ``cells.non_negative``         no negative counts (``active.*.change``, 本年增/减, may be negative).
warning severity
  ``cells.flagged``              lists cells read but not placed with certainty (cells not found
                                 at all belong to ``cells.complete``).
  ``rows.unplaced.<table>``      a row of numbers in that table matched no label (an unknown row,
                                 or numbers whose label was lost): its text and line.  Every
                                 failure of a check on a table with unplaced rows is ``reading``.
  ``text_vs_table.<new|carried_over|carried_forward|review|suit>``  a number the narrative
                                 states about 政府信息公开申请 / 行政复议 / 行政诉讼 (read by
                                 ingest/narrative.py, which says which sentences count) against
                                 the table: 本年新收 or 本年新收 + 上年结转; 上年结转; 结转下年度;
                                 行政复议总计; 直接起诉 + 复议后起诉 (or 直接起诉 alone).
  ``cross_year.carried.<col>``   last year's 结转下年度 = this year's 上年结转.
  ``cross_year.in_force.<rules|normative_docs>``  2021+ active tables, both years:
                                 现行有效 = last year's 现行有效 + 本年制发 − 本年废止.
  Narrative and cross-year checks are warnings: the narrative is prose written apart from the
  table, and each year's report is an independent publication (last year's may have been
  corrected, or the agency's scope changed), so a mismatch deserves a look, not an alarm.

Rules on a table listed in ``report.missing_tables`` are not applied (``tables.present`` says
the table is missing).  Failure messages end with ``；涉及单元格：`` and the canonical keys with
their catalogue labels; :data:`CELLS_MARK` lets the alert text cut that part for brevity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ingest.model import CellReading, CheckResult, ParsedReport
from ingest.narrative import narrative_statements
from store.catalogue import APPLICANT_COLUMNS, APPLICANT_LABELS, keys_for, spec, specs_for
from store.formats import detect_format, outcome_rows, row_ids, row_name
from store.numerals import plain

ERROR = "error"
WARNING = "warning"
SOURCE = "source"
READING = "reading"
HINTS = {SOURCE: "疑似原报告错误", READING: "疑似读取问题"}
CELLS_MARK = "；涉及单元格："
MAX_LISTED_CELLS = 8
TABLES = ("active", "requests", "appeals")
TABLE_NAMES = {"active": "主动公开情况表", "requests": "依申请公开情况表", "appeals": "行政复议行政诉讼情况表"}
APPLICANTS = APPLICANT_COLUMNS[:-1]
MISSING_REASON = re.compile(r"未找到|缺失|missing|not found", re.IGNORECASE)

APPEAL_PARTS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}
ACTIVE_DOCS = ("rules", "normative_docs")


def run_checks(report: ParsedReport, previous: dict[str, Any] | None = None) -> list[CheckResult]:
    """Every rule applied to ``report``; ``previous`` is last year's ``export_report`` dict or None."""
    view = _View(report)
    results = [_tables_present(report), _cells_complete(view), _non_negative(view), _flagged(view)]
    results += _unplaced(report)
    if "requests" not in report.missing_tables:
        results += _requests_checks(view)
    if "appeals" not in report.missing_tables:
        results += [_appeal_check(view, kind) for kind in row_ids("appeals", view.appeals_format)]
    results += narrative_checks(view)
    if previous:
        results += cross_year_checks(view, previous)
    return results


# --- reading cells ----------------------------------------------------------------------------


class _View:
    """The report's cells as the checks need them: values (blank = 0), flags and formats."""

    def __init__(self, report: ParsedReport) -> None:
        self.report = report
        self._values = {k: 0.0 if r.value is None else r.value for k, r in report.cells.items()}
        """Each cell's value for arithmetic, as :meth:`ParsedReport.value` gives it: the checks ask
        ~1,000 times a report, and the cells do not change while they are checked."""
        self.requests_format = _requests_format(report)
        self.active_format = detect_format("active", declared=report.table_formats.get("active") or report.format)
        self.appeals_format = detect_format("appeals", declared=report.table_formats.get("appeals") or report.format)

    def reading(self, key: str) -> CellReading | None:
        return self.report.cells.get(key)

    def value(self, key: str) -> float:
        return self._values.get(key, 0.0)

    def uncertain(self, key: str) -> bool:
        """Flagged or not found: our reading of this cell cannot be trusted."""
        reading = self.reading(key)
        return reading is None or reading.flagged

    def origin(self, keys: Iterable[str]) -> str:
        """``reading`` when a cell is uncertain or its table has rows of numbers placed nowhere
        (a number we could not place may be the one that makes the relation hold)."""
        unplaced = {row.get("table") for row in self.report.unplaced}
        return READING if any(self.uncertain(k) or _table_of(k) in unplaced for k in keys) else SOURCE

    def term(self, key: str, name: str) -> str:
        """``本年新收(3)``; a blank prints as 空, a cell not found as 缺."""
        reading = self.reading(key)
        if reading is None:
            return f"{name}(缺)"
        return f"{name}({fmt_number(reading.value)})"


def _requests_format(report: ParsedReport) -> str:
    """The requests table's format: declared, else told by the rows present, else the report's."""
    found = {k.split(".")[1] for k in report.cells if k.startswith("requests.")}
    declared = report.table_formats.get("requests")
    return detect_format("requests", declared=declared, rows_found=found, default=report.format)


def fmt_number(value: float | None) -> str:
    """A number in a check message as the report writes it (``3``, ``25.1``), a blank as 空."""
    return plain(value, "空")


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def cells_note(keys: Sequence[str]) -> str:
    """``；涉及单元格：key（label）、…`` with at most :data:`MAX_LISTED_CELLS` entries."""
    shown = [f"{k}（{_label(k)}）" for k in keys[:MAX_LISTED_CELLS]]
    more = f" 等 {len(keys)} 格" if len(keys) > MAX_LISTED_CELLS else ""
    return CELLS_MARK + "、".join(shown) + more


def _label(key: str) -> str:
    try:
        return spec(key).label
    except KeyError:
        return key


def _failure(rule: str, severity: str, relation: str, keys: Sequence[str], origin: str,
             listed: Sequence[str] | None = None) -> CheckResult:
    message = f"{relation}，{HINTS[origin]}{cells_note(list(listed if listed is not None else keys))}"
    return CheckResult(rule, severity, False, message, list(keys), origin)


# --- table presence and cell sanity -----------------------------------------------------------


def _tables_present(report: ParsedReport) -> CheckResult:
    missing = [t for t in TABLES if t in report.missing_tables]
    if not missing:
        return CheckResult("tables.present", ERROR, True, "三张统计表均已找到")
    names = "、".join(TABLE_NAMES.get(t, t) for t in missing)
    message = f"未找到统计表：{names}（原报告可能缺表，也可能未能读取），{HINTS[READING]}"
    return CheckResult("tables.present", ERROR, False, message, [], READING)


def expected_keys(view: _View) -> list[str]:
    """The keys the report's present tables should have, each table in its own format."""
    formats = {"active": view.active_format, "requests": view.requests_format, "appeals": view.appeals_format}
    keys: dict[str, None] = {}
    for table in TABLES:
        if table in view.report.missing_tables:
            continue
        for s in specs_for(table, formats[table]):
            keys.setdefault(s.key, None)
    return list(keys)


def _cells_complete(view: _View) -> CheckResult:
    missing = []
    for key in expected_keys(view):
        reading = view.reading(key)
        if reading is None or (reading.flagged and MISSING_REASON.search(reading.reason or "")):
            missing.append(key)
    if not missing:
        return CheckResult("cells.complete", ERROR, True, "表格应有的单元格均已找到")
    relation = f"有 {len(missing)} 个应有的单元格未找到"
    return _failure("cells.complete", ERROR, relation, missing, READING)


def _non_negative(view: _View) -> CheckResult:
    negative = [
        key for key, reading in view.report.cells.items()
        if reading.value is not None and reading.value < 0 and not key.endswith(".change")
    ]
    if not negative:
        return CheckResult("cells.non_negative", ERROR, True, "没有负数（本年增/减除外）")
    shown = "、".join(f"{_label(k)}({fmt_number(view.reading(k).value)})" for k in negative[:MAX_LISTED_CELLS])
    origin = view.origin(negative)
    return _failure("cells.non_negative", ERROR, f"件数不应为负数：{shown}", negative, origin)


def _table_of(key: str) -> str:
    return key.split(".", 1)[0]


def _flagged(view: _View) -> CheckResult:
    """Cells read but not placed with certainty (cells not found at all are ``cells.complete``'s)."""
    flagged = [
        k for k, r in view.report.cells.items()
        if r.flagged and not MISSING_REASON.search(r.reason or "") and _table_of(k) not in view.report.missing_tables
    ]
    if not flagged:
        return CheckResult("cells.flagged", WARNING, True, "没有无法确定的单元格")
    parts = []
    for key in flagged[:MAX_LISTED_CELLS]:
        reading = view.reading(key)
        parts.append(f"{key}（{_label(key)}）原文“{reading.raw}”：{reading.reason or '无法确定'}")
    more = f" 等 {len(flagged)} 格" if len(flagged) > MAX_LISTED_CELLS else ""
    message = f"有 {len(flagged)} 个单元格无法确定读取，{HINTS[READING]}：" + "；".join(parts) + more
    return CheckResult("cells.flagged", WARNING, False, message, flagged, READING)


def _unplaced(report: ParsedReport) -> list[CheckResult]:
    """One warning per row of numbers that matched no label: never dropped without a word."""
    results = []
    for row in report.unplaced:
        table = row.get("table", "")
        prov = row.get("provenance") or {}
        where = f"第{prov['line']}行" if prov.get("line") else (f"第{prov['page']}页" if prov.get("page") else "")
        message = (f"{TABLE_NAMES.get(table, table)}中有一行数字未能对应到任何项目（{where or '位置未知'}）："
                   f"原文“{row.get('raw', '')}”，{HINTS[READING]}；本表校验不通过时按读取问题处理")
        results.append(CheckResult(f"rows.unplaced.{table}", WARNING, False, message, [], READING))
    return results


# --- the requests table -----------------------------------------------------------------------


def _requests_checks(view: _View) -> list[CheckResult]:
    results = [_balance(view, col) for col in APPLICANT_COLUMNS]
    results += [_outcomes(view, col) for col in APPLICANT_COLUMNS]
    results += [_row_sum(view, row) for row in requests_rows(view.requests_format)]
    return results


def requests_rows(fmt: str) -> list[str]:
    """The requests table's rows (``new``, ``granted``, …) in table order for one format."""
    return list(row_ids("requests", fmt))


def _sum_text(view: _View, keys: Sequence[str], names: Sequence[str], *, compact: bool = False) -> str:
    """``a(1) + b(2) = 3``; ``compact`` leaves out blank/zero terms to keep long sums readable."""
    values = [view.value(k) for k in keys]
    total = fmt_number(sum(values))
    shown = [(k, n) for k, n, v in zip(keys, names, values, strict=True) if not compact or v != 0]
    hidden = len(keys) - len(shown)
    terms = [view.term(k, n) for k, n in shown]
    if hidden:
        terms.append(f"其余{hidden}项(空或0)" if terms else f"{hidden}项(均为空或0)")
    return " + ".join(terms) + f" = {total}"


def _equation(view: _View, rule: str, left: Sequence[str], left_names: Sequence[str],
              right: Sequence[str], right_names: Sequence[str], where: str, *, compact: bool = False) -> CheckResult:
    """The relation ``sum(left) = sum(right)`` as a CheckResult (error severity)."""
    lhs = _sum_text(view, left, left_names, compact=compact)
    rhs = _sum_text(view, right, right_names) if len(right) > 1 else view.term(right[0], right_names[0])
    keys = [*left, *right]
    if _same(sum(view.value(k) for k in left), sum(view.value(k) for k in right)):
        return CheckResult(rule, ERROR, True, f"{lhs}，与 {rhs} 相符（{where}）", keys)
    listed = [k for k in keys if view.value(k) != 0 or view.uncertain(k)]
    return _failure(rule, ERROR, f"{lhs}，但 {rhs}（{where}）", keys, view.origin(keys), listed)


def _balance(view: _View, col: str) -> CheckResult:
    left = [f"requests.new.{col}", f"requests.carried_over.{col}"]
    right = [f"requests.handled_total.{col}", f"requests.carried_forward.{col}"]
    return _equation(
        view, f"requests.balance.{col}", left, [row_name("requests", r) for r in ("new", "carried_over")],
        right, [row_name("requests", r) for r in ("handled_total", "carried_forward")], f"{APPLICANT_LABELS[col]}列",
    )


def _outcomes(view: _View, col: str) -> CheckResult:
    rows = outcome_rows(view.requests_format)
    left = [f"requests.{row}.{col}" for row in rows]
    return _equation(
        view, f"requests.outcomes.{col}", left, [row_name("requests", r) for r in rows],
        [f"requests.handled_total.{col}"], [row_name("requests", "handled_total")], f"{APPLICANT_LABELS[col]}列",
        compact=True,
    )


def _row_sum(view: _View, row: str) -> CheckResult:
    rule = f"requests.row_sum.{row}"
    left = [f"requests.{row}.{col}" for col in APPLICANTS]
    total_key = f"requests.{row}.total"
    where = f"{row_name('requests', row)}行"
    total = view.reading(total_key)
    applicants = sum(view.value(k) for k in left)
    if total is not None and total.value is None and applicants != 0:
        lhs = _sum_text(view, left, [APPLICANT_LABELS[c] for c in APPLICANTS], compact=True)
        keys = [*left, total_key]
        listed = [total_key] + [k for k in left if view.value(k) != 0]
        relation = f"{lhs}，但 总计单元格为空（按0计）（{where}）"
        return _failure(rule, ERROR, relation, keys, view.origin(keys), listed)
    return _equation(
        view, rule, left, [APPLICANT_LABELS[c] for c in APPLICANTS], [total_key], ["总计"], where, compact=True
    )


def _appeal_check(view: _View, kind: str) -> CheckResult:
    left = [f"appeals.{kind}.{part}" for part in APPEAL_PARTS]
    return _equation(
        view, f"appeals.{kind}", left, list(APPEAL_PARTS.values()),
        [f"appeals.{kind}.total"], ["总计"], row_name("appeals", kind),
    )


# --- narrative against table ------------------------------------------------------------------

def _table_options(view: _View, topic: str) -> tuple[list[tuple[str, float]], list[str]]:
    """What the table says for a topic: acceptable ``(description, value)`` pairs and the keys."""
    v = view.value
    if topic == "new":
        keys = ["requests.new.total", "requests.carried_over.total"]
        new, carried = v(keys[0]), v(keys[1])
        options = [(f"本年新收总计({fmt_number(new)})", new)]
        if carried:
            options.append((f"本年新收+上年结转({fmt_number(new + carried)})", new + carried))
        return options, keys
    if topic in ("carried_over", "carried_forward"):
        key = f"requests.{topic}.total"
        return [(f"{row_name('requests', topic)}总计({fmt_number(v(key))})", v(key))], [key]
    if topic == "review":
        key = "appeals.review.total"
        return [(f"行政复议总计({fmt_number(v(key))})", v(key))], [key]
    keys = ["appeals.suit_direct.total", "appeals.suit_after_review.total"]
    direct, after = v(keys[0]), v(keys[1])
    options = [(f"行政诉讼合计({fmt_number(direct + after)})", direct + after)]
    if after:
        options.append((f"未经复议直接起诉({fmt_number(direct)})", direct))
    return options, keys


NARRATIVE_TABLE = {"new": "requests", "carried_over": "requests", "carried_forward": "requests",
                   "review": "appeals", "suit": "appeals"}


def narrative_checks(view: _View) -> list[CheckResult]:
    """``text_vs_table.*`` warnings: numbers the narrative states against the table."""
    results = []
    for topic, number, sentence in narrative_statements(view.report.narrative or ""):
        if NARRATIVE_TABLE[topic] in view.report.missing_tables:
            continue
        options, keys = _table_options(view, topic)
        quote = sentence if len(sentence) <= 60 else sentence[:58] + "…"
        table_text = " 或 ".join(desc for desc, _ in options)
        rule = f"text_vs_table.{topic}"
        matching = [desc for desc, value in options if _same(number, value)]
        if matching:
            results.append(CheckResult(rule, WARNING, True, f"正文“{quote}”称 {number}，与表格{matching[0]}一致", keys))
            continue
        relation = f"正文“{quote}”称 {number}，但表格为{table_text}，正文与表格不符"
        results.append(_failure(rule, WARNING, relation, keys, view.origin(keys)))
    return results


# --- against last year's report ---------------------------------------------------------------


def cross_year(report: ParsedReport, previous: dict[str, Any]) -> list[CheckResult]:
    """Only the ``cross_year.*`` rules: to refresh a stored report when the year before it
    arrives (or is replaced) after it."""
    return cross_year_checks(_View(report), previous)


def cross_year_checks(view: _View, previous: dict[str, Any]) -> list[CheckResult]:
    """``cross_year.*`` warnings against the same agency's report for the year before."""
    if previous.get("year") != view.report.year - 1:
        return []
    cells = previous.get("cells") or {}
    flagged = {f.get("key") for f in previous.get("flags") or []}
    results = []
    if "requests" not in view.report.missing_tables:
        for col in APPLICANT_COLUMNS:
            if f"requests.carried_forward.{col}" in cells:
                results.append(_carried(view, cells, flagged, col, previous["year"]))
    prev_active = (previous.get("table_formats") or {}).get("active") or str(previous.get("format"))
    if _keeps_in_force(view.active_format) and _keeps_in_force(prev_active) and "active" not in view.report.missing_tables:
        for doc in ACTIVE_DOCS:
            if f"active.{doc}.in_force" in cells:
                results.append(_in_force(view, cells, flagged, doc, previous["year"]))
    for item, name in AMOUNTS.items():
        scale = _amount_scale(view, cells, flagged, item, name, previous["year"])
        if scale is not None:
            results.append(scale)
    return results


AMOUNTS = {"procurement": "采购总金额", "fees": "本年收费金额"}


def _keeps_in_force(fmt: str) -> bool:
    """The format's active table counts documents in force (the 2021 format does, 2019 not)."""
    return all(f"active.{doc}.in_force" in keys_for(fmt) for doc in ACTIVE_DOCS)
SCALE_JUMP = 1000
"""Amounts a thousandfold apart in consecutive years: the mark of 元 read as 万元 or back."""


def _amount_scale(view: _View, cells: dict[str, Any], flagged: set, item: str, name: str,
                  year: int) -> CheckResult | None:
    """Last year's and this year's amounts on the same scale (both printed and non-zero)."""
    key = f"active.{item}.amount"
    before, now = cells.get(key), view.reading(key)
    if not before or now is None or not now.value:
        return None
    rule = f"cross_year.amount_scale.{item}"
    low, high = sorted((abs(float(before)), abs(now.value)))
    relation = f"{year}年报告 {name}({fmt_number(before)}万元)，本年报告 {view.term(key, name)}万元"
    if high / low < SCALE_JUMP:
        return CheckResult(rule, WARNING, True, f"{relation}，量级相当", [key])
    relation += f"，相差约 {high / low:,.0f} 倍，疑为“元”与“万元”单位之误"
    return _failure(rule, WARNING, relation, [key], _cross_origin(view, [key], key, flagged))


def _prev_value(cells: dict[str, Any], key: str) -> float:
    value = cells.get(key)
    return 0.0 if value is None else float(value)


def _cross_origin(view: _View, keys: Sequence[str], prev_key: str, flagged: set) -> str:
    return READING if prev_key in flagged or view.origin(keys) == READING else SOURCE


def _carried(view: _View, cells: dict[str, Any], flagged: set, col: str, year: int) -> CheckResult:
    rule = f"cross_year.carried.{col}"
    prev_key, key = f"requests.carried_forward.{col}", f"requests.carried_over.{col}"
    before = _prev_value(cells, prev_key)
    prev_text = f"{year}年报告 结转下年度({fmt_number(cells.get(prev_key))})"
    this_text = view.term(key, f"本年报告 {row_name('requests', 'carried_over')}")
    where = f"{APPLICANT_LABELS[col]}列"
    if _same(before, view.value(key)):
        return CheckResult(rule, WARNING, True, f"{prev_text} 与 {this_text} 相符（{where}）", [key])
    origin = _cross_origin(view, [key], prev_key, flagged)
    relation = f"{prev_text}，但 {this_text}（{where}），两年报告衔接不上"
    return _failure(rule, WARNING, relation, [key, prev_key], origin)


def _in_force(view: _View, cells: dict[str, Any], flagged: set, doc: str, year: int) -> CheckResult:
    rule = f"cross_year.in_force.{doc}"
    prev_key = f"active.{doc}.in_force"
    issued, repealed, now = (f"active.{doc}.{part}" for part in ("issued", "repealed", "in_force"))
    expected = _prev_value(cells, prev_key) + view.value(issued) - view.value(repealed)
    relation = (
        f"{year}年现行有效({fmt_number(cells.get(prev_key))}) + {view.term(issued, '本年制发')} − "
        f"{view.term(repealed, '本年废止')} = {fmt_number(expected)}"
    )
    keys = [issued, repealed, now]
    if _same(expected, view.value(now)):
        return CheckResult(rule, WARNING, True, f"{relation}，与 {view.term(now, '现行有效')} 相符（{row_name('active', doc)}）", keys)
    origin = _cross_origin(view, keys, prev_key, flagged)
    relation += f"，但 {view.term(now, '现行有效')}（{row_name('active', doc)}）"
    return _failure(rule, WARNING, relation, [*keys, prev_key], origin)
