"""Audit questions: which reports failed their checks, which agencies lack a year's report."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.answer import Answer
from bot.present import fmt_number
from bot.qa.evaluate import table_format
from store import queries
from store.catalogue import keys_for, spec

if TYPE_CHECKING:
    from bot.qa.agencies import AgencyIndex
    from bot.qa.parse import Question

MAX_LINES = 30

ReportPicker = Callable[[sqlite_utils.Database, str, "int | None"], "tuple[dict[str, Any] | None, str, Answer | None]"]


def _region_filter(q: Question, index: AgencyIndex) -> tuple[set[str] | None, str]:
    placed = [m for m in q.mentions if m.places]
    if not placed:
        return None, ""
    return {index.entries[i].name for i in index.region_of(placed[0])}, "".join(placed[0].places)


def _scope(q: Question, index: AgencyIndex) -> tuple[set[str] | None, str, Answer | None]:
    """The agencies an audit question names: a named agency (or the candidates of a short name
    such as 城管局) narrows the list to them, a bare place to the agencies there.  A name that
    matches nothing gets a not_found answer rather than the whole database's list."""
    if not q.mentions:
        return _named_only_loosely(q, index)
    names: set[str] = set()
    labels: list[str] = []
    for m in q.mentions:
        if index.names_a_place_only(m):  # "聊城": a region, not 聊城市人民政府
            names |= {index.entries[i].name for i in index.region_of(m)} if m.places else set()
            labels.append("".join(m.places))
            continue
        r = index.resolve(m)
        if not r.matches:
            return None, "", _unknown(r.note or "没有找到问题中的单位", r.suggestions)
        names |= set(r.matches)
        labels.append(r.agency or m.token or m.phrase)
    return names, "、".join(label for label in labels if label), None


_AGENCY_LIKE = re.compile(r"[\u4e00-\u9fff]{1,12}(局|委|办|厅|院|署|府|中心|委员会|办公室)$")


def _named_only_loosely(q: Question, index: AgencyIndex) -> tuple[set[str] | None, str, Answer | None]:
    """No agency recognised: a stretch shaped like a name ("统理局") is still looked up fuzzily,
    so a typo is answered "not found" instead of with every report in the database."""
    phrase = index.fuzzy_phrase(q.text)
    if not _AGENCY_LIKE.fullmatch(phrase):
        return None, "", None
    r = index.fuzzy(phrase, ())
    if r.matches:
        return set(r.matches), r.agency or phrase, None
    return None, "", _unknown(f"没有找到“{phrase}”", r.suggestions)


def _unknown(what: str, suggestions: list[str]) -> Answer:
    near = f"相近的单位：{'、'.join(suggestions)}。" if suggestions else ""
    return Answer(status="not_found", kind="help", text=f"{what}。{near}请写出单位全称。")


def failed_checks(db: sqlite_utils.Database, q: Question, index: AgencyIndex) -> Answer:
    """Reports that did not pass their checks (an error), every failed check listed, errors and
    warnings apart; reports with only warnings are named after them and are not "没通过"."""
    year = q.years[0] if q.years else None
    names, scope, refusal = _scope(q, index)
    if refusal is not None:
        return refusal
    reports = [r for r in queries.failed_reports(db, year) if names is None or r["agency"] in names]
    when = f"{year}年" if year else ""
    failed = [r for r in reports if any(c["severity"] == "error" for c in r["checks"])]
    warned = [r for r in reports if not any(c["severity"] == "error" for c in r["checks"])]
    if failed:
        head = f"{scope}{when}共{len(failed)}份报告没通过校验（有错误）："
    else:
        head = f"{scope}{when}的报告全部通过校验（没有错误）。"
    parts = [head, *_report_lines(failed)]
    if warned:
        parts.append(f"{'另有' if failed else ''}{len(warned)}份报告只有校验警告（不算没通过）：")
        parts.extend(_report_lines(warned))
    series = [{"label": f"{r['agency']} {r['year']}年", "agency": r["agency"], "year": r["year"],
               "report_id": r["report_id"], "value": len(r["checks"]), "checks": r["checks"],
               "errors": (errors := sum(c["severity"] == "error" for c in r["checks"])), "passed": not errors}
              for r in failed + warned]
    return Answer(status="answer", kind="checks", value=len(failed), unit="份", year=year, text="\n".join(parts),
                  series=series)


def _relation(message: str) -> str:
    """A check message without its trailing list of cell keys (they stay in ``series``)."""
    return message.split("；涉及单元格：", 1)[0]


MAX_REPORTS = 200
"""Reports listed in one audit answer; beyond it the answer says how many more (never cut silently)."""


def _report_lines(reports: list[dict[str, Any]]) -> list[str]:
    """Each report with every failed check: errors first, then warnings, each labelled."""
    lines = []
    for r in reports[:MAX_REPORTS]:
        errors = [c for c in r["checks"] if c["severity"] == "error"]
        warnings = [c for c in r["checks"] if c["severity"] != "error"]
        counts = "，".join(filter(None, [f"{len(errors)} 项错误" if errors else "",
                                        f"{len(warnings)} 项警告" if warnings else ""]))
        lines.append(f"• {r['agency']} {r['year']}年（{r['source_name']}；{counts}）：")
        lines.extend(f"    - {queries.severity_label('error')}：{_relation(c['message'])}" for c in errors)
        lines.extend(f"    - {queries.severity_label('warning')}：{_relation(c['message'])}" for c in warnings)
    if len(reports) > MAX_REPORTS:
        lines.append(f"……另有{len(reports) - MAX_REPORTS}份报告未列出（用 xxgk check 查看全部）。")
    return lines


def missing(db: sqlite_utils.Database, q: Question, index: AgencyIndex, today: datetime.date) -> Answer:
    year = q.years[0] if q.years else queries.latest_year(db)
    if year is None:
        return Answer(status="no_data", kind="missing", text="数据库里还没有年度报告。")
    names, scope = _region_filter(q, index)
    rows = [r for r in queries.agencies_missing_year(db, year) if names is None or r["agency"] in names]
    if not rows:
        return Answer(status="answer", kind="missing", value=0, unit="个", year=year,
                      text=f"{scope}有报告的单位都有{year}年年报。")
    lines = [f"• {r['agency']}（已有：{'、'.join(map(str, r['years']))}年）" for r in rows[:MAX_LINES]]
    more = f"\n……另有{len(rows) - MAX_LINES}个" if len(rows) > MAX_LINES else ""
    text = f"{scope}共{len(rows)}个单位缺{year}年年报（在其他年份有报告）：\n" + "\n".join(lines) + more
    series = [{"label": r["agency"], "agency": r["agency"], "years": r["years"]} for r in rows]
    return Answer(status="answer", kind="missing", value=len(rows), unit="个", year=year, text=text, series=series)


def flagged_cells(db: sqlite_utils.Database, q: Question, agencies: list[str], pick_report: ReportPicker) -> Answer:
    """"有没有读不准的数" / "哪些数没读出来": the cells of a report stored flagged (a number we could
    not place with certainty) and the cells of its table format not read at all; with no
    agency named, the reports that have flagged cells."""
    if not agencies:
        return _reports_with_flags(db, q.years[0] if q.years else None)
    agency = agencies[0]
    report, note, problem = pick_report(db, agency, q.years[0] if q.years else None)
    if problem is not None:
        return problem
    assert report is not None
    cells = queries.cells_of(db, report["id"])
    flagged = [(k, c) for k, c in cells.items() if c["flagged"]]
    formats = {t: table_format(report, t) for t in ("active", "requests", "appeals")}
    expected = {k: f for t, f in formats.items() for k in keys_for(f) if k.split(".", 1)[0] == t}
    absent = [k for k in expected if k not in cells]
    head = f"{agency}{report['year']}年报告{note}"
    lines = [f"  • {spec(k, expected.get(k, report['format'])).label}：原文“{c['raw']}”，"
             + ("未给出数字" if c["value"] is None else f"读作 {fmt_number(c['value'])}，待核对")
             + (f"（{c['reason']}）" if c.get("reason") else "") for k, c in flagged]
    parts = [f"{head}有 {len(flagged)} 个读取存疑的单元格：" if flagged else f"{head}没有读取存疑的单元格。", *lines]
    if absent:
        parts.append(f"另有 {len(absent)} 个单元格没有读到（表格缺失或未能识别）："
                     + "、".join(spec(k, expected[k]).label for k in absent))
    series = [{"label": spec(k, expected.get(k, report["format"])).label, "key": k, "raw": c["raw"], "value": c["value"],
               "reason": c.get("reason", "")} for k, c in flagged]
    return Answer(status="answer", kind="flags", agency=agency, year=report["year"], value=len(flagged), unit="个",
                  cells=[k for k, _ in flagged], series=series, text="\n".join(parts))


def _reports_with_flags(db: sqlite_utils.Database, year: int | None) -> Answer:
    rows = queries.flagged_counts(db, year)
    when = f"{year}年" if year else ""
    if not rows:
        return Answer(status="answer", kind="flags", value=0, unit="份", year=year,
                      text=f"{when}所有报告都没有读取存疑的单元格。")
    lines = [f"  • {r['agency']} {r['year']}年：{r['flagged']} 个" for r in rows[:MAX_REPORTS]]
    if len(rows) > MAX_REPORTS:
        lines.append(f"……另有{len(rows) - MAX_REPORTS}份报告未列出（用 xxgk export --json 查看 flags）。")
    return Answer(status="answer", kind="flags", value=len(rows), unit="份", year=year,
                  series=[{"label": f"{r['agency']} {r['year']}年", **r} for r in rows],
                  text=f"{when}共 {len(rows)} 份报告有读取存疑的单元格（问“某单位某年有没有读不准的数”看明细）：\n"
                  + "\n".join(lines))
