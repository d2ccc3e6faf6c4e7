"""Answers over several numbers: an agency year by year, two agencies or years side by side,
and a ranking of the agencies of a region."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

from bot.answer import Answer
from bot.present import fmt_number
from bot.qa.evaluate import Evaluated, blank_with_parts, evaluate, part_keys, table_format
from store import queries
from store.catalogue import unit_of
from store.formats import format_ids

if TYPE_CHECKING:
    from bot.qa.agencies import AgencyIndex
    from bot.qa.parse import Question


def _point(db: sqlite_utils.Database, q: Question, report: dict) -> tuple[Evaluated | None, int | float | None, str]:
    """The number for one report: a metric value or a rate, with a note when missing."""
    if q.choice.rate:
        r = q.choice.rate
        num, den = evaluate(db, report, r.numerator, ("total",)), evaluate(db, report, r.denominator, ("total",))
        if not (num.ok and den.ok) or not den.value:
            return None, None, (num.problem or den.problem or "分母为0")
        return num, round(num.value / den.value * 100, 2), _parts_mark(num, den)  # type: ignore[operator]
    assert q.choice.metric is not None
    ev = evaluate(db, report, q.choice.metric, q.choice.columns)
    return ev, (ev.value if ev.ok else None), ev.problem or _parts_mark(ev)


BLANK_TOTAL = "总计栏空白，按各申请人列相加"


def _parts_mark(*readings: Evaluated) -> str:
    return BLANK_TOTAL if any(ev.from_parts for ev in readings) else ""


def _label(q: Question) -> str:
    return q.choice.rate.label if q.choice.rate else q.choice.metric.label  # type: ignore[union-attr]


def _unit(q: Question, cells: list[str]) -> str:
    return "%" if q.choice.rate else (unit_of(cells[0]) if cells else "")


def trend(db: sqlite_utils.Database, q: Question, agency: str) -> Answer:
    reports = queries.reports_of_agency(db, agency)
    if q.span:
        reports = [r for r in reports if q.span[0] <= r["year"] <= q.span[1]]
    if q.recent:
        reports = [r for r in reports if r["year"] > reports[-1]["year"] - q.recent] if reports else []
    if not reports:
        return Answer(status="no_data", agency=agency, kind="trend", text=f"没有{agency}的年度报告。")
    series, cells, lines = [], [], []
    for report in reports:
        ev, value, problem = _point(db, q, report)
        series.append({"label": f"{report['year']}年", "year": report["year"], "value": value,
                       "report_id": report["id"], "note": problem})
        cells.extend(k for k in (ev.keys if ev else []) if k not in cells)
        lines.append(f"  {report['year']}年：{fmt_number(value)}" + (f"（{problem}）" if problem else ""))
    unit = _unit(q, cells)
    text = f"{agency}{_label(q)}历年变化（单位：{unit}）：\n" + "\n".join(lines)
    if q.choice.notes:
        text += "\n（" + "；".join(q.choice.notes) + "）"
    known = [s for s in series if s["value"] is not None]
    if len(known) >= 2:
        delta = queries.number(round(known[-1]["value"] - known[0]["value"], 6))
        text += f"\n{known[0]['year']}→{known[-1]['year']}年变化：{'+' if delta >= 0 else ''}{fmt_number(delta)}"
    status = "answer" if known else "no_data"
    return Answer(status=status, kind="trend", text=text, agency=agency, year=reports[-1]["year"], unit=unit,
                  cells=cells, series=series)


def compare_years(db: sqlite_utils.Database, q: Question, agency: str) -> Answer:
    series, cells, missing = [], [], []
    for year in q.years:
        report = queries.current_report(db, agency, year)
        if report is None:
            missing.append(year)
            continue
        ev, value, problem = _point(db, q, report)
        cells.extend(k for k in (ev.keys if ev else []) if k not in cells)
        series.append({"label": f"{year}年", "year": year, "value": value, "report_id": report["id"], "note": problem})
    return _comparison(q, series, cells, agency, missing_text=(
        f"没有{agency}{'、'.join(map(str, missing))}年的报告。" if missing else ""))


def compare_agencies(db: sqlite_utils.Database, q: Question, agencies: list[str]) -> Answer:
    """Agencies side by side: in the year each was named with ("聊城市人民政府2020年…和平潭2023年"),
    else in the one year asked, else each in its latest report."""
    own = q.mention_years if len(q.mention_years) == len(agencies) else [None] * len(agencies)
    series, cells, missing = [], [], []
    for agency, named_year in zip(agencies, own, strict=True):
        year = named_year or (q.years[0] if q.years else None)
        report = queries.current_report(db, agency, year) if year else (queries.reports_of_agency(db, agency) or [None])[-1]
        if report is None:
            missing.append(f"{agency}{year}年" if year else agency)
            continue
        ev, value, problem = _point(db, q, report)
        cells.extend(k for k in (ev.keys if ev else []) if k not in cells)
        series.append({"label": f"{agency}（{report['year']}年）", "agency": agency, "year": report["year"],
                       "value": value, "report_id": report["id"], "note": problem})
    return _comparison(q, series, cells, None, missing_text=(
        f"没有{'、'.join(missing)}的报告。" if missing else ""))


def _verdict(first: dict, second: dict, diff: int | float, unit: str) -> str:
    """Which of two is larger ("比哪个多"), by how much."""
    if not diff:
        return "两者相等。"
    more, less = (first, second) if diff > 0 else (second, first)
    if unit == "%":
        return f"{more['label']}较高，比{less['label']}高 {fmt_number(abs(diff))} 个百分点。"
    return f"{more['label']}较多，比{less['label']}多 {fmt_number(abs(diff))} {unit}。"


def _comparison(q: Question, series: list[dict], cells: list[str], agency: str | None, missing_text: str) -> Answer:
    unit = _unit(q, cells)
    lines = [f"  {s['label']}：{fmt_number(s['value'])} {unit}" + (f"（{s['note']}）" if s["note"] else "")
             for s in series]
    text = f"{_label(q)}对比：\n" + "\n".join(lines)
    formula = ""
    known = [s for s in series if s["value"] is not None]
    if len(known) == 2:
        diff = queries.number(round(known[0]["value"] - known[1]["value"], 6))
        formula = f"差 = {known[0]['label']} − {known[1]['label']} = {fmt_number(diff)}"
        text += f"\n{formula} {unit}\n" + _verdict(known[0], known[1], diff, unit)
        if agency is not None and known[1]["value"]:  # two years of one agency: how much it changed
            change = round(diff / known[1]["value"] * 100, 2)
            text += (f"\n变化率 = 差 / {known[1]['label']} = {fmt_number(diff)} / {fmt_number(known[1]['value'])}"
                     f" = {change}%（{'增长' if change >= 0 else '下降'}）")
    if missing_text:
        text += "\n" + missing_text
    status = "answer" if len(known) >= 2 else "no_data"
    return Answer(status=status, kind="compare", text=text, agency=agency, unit=unit, cells=cells,
                  series=series, formula=formula, year=q.years[0] if len(q.years) == 1 else None)


def ranking(db: sqlite_utils.Database, q: Question, index: AgencyIndex) -> Answer:
    if q.choice.rate:
        return rate_ranking(db, q, index)
    if q.choice.metric is None:
        return Answer(status="not_found", kind="help", text="排名要说明按哪一项排，例如：2020年聊城各部门申请数排名。")
    year = q.years[0] if q.years else queries.latest_year(db)
    if year is None:
        return Answer(status="no_data", kind="ranking", text="数据库里还没有年度报告。")
    ids, scope = _scope(q, index)
    metric = q.choice.metric
    keys = sorted({k for f in format_ids() for k in (metric.keys(f, q.choice.columns) or ())})
    if not keys:
        return Answer(status="no_data", kind="ranking", text=f"没有“{metric.label}”这一项。")
    rows = _with_parts(db, _rows_across(db, index, year, keys, ids))
    marked: set[str] = set()
    totals = _totals(rows, metric, q.choice.columns, marked)
    if not totals:
        return Answer(status="no_data", kind="ranking", year=year, text=f"没有{scope}{year}年的报告。")
    ranked, series = _ranked(totals, q, marked)
    unit = unit_of(keys[0])
    lines = [f"  {s['rank']}. {s['label']}：{fmt_number(s['value'])} {unit}{_star(s)}" for s in series]
    order = "从少到多" if q.ascending else "从多到少"
    text = (f"{year}年{scope}{metric.label}排名（{order}，共{len(ranked)}个单位，空白按0计）：\n" + "\n".join(lines)
            + _star_note(series))
    return Answer(status="answer", kind="ranking", text=text, year=year, unit=unit, cells=keys, series=series)


def rate_ranking(db: sqlite_utils.Database, q: Question, index: AgencyIndex) -> Answer:
    """Agencies ranked by a rate (公开率, 部分公开占比 …); those whose denominator is 0 are named apart."""
    r = q.choice.rate
    assert r is not None
    year = q.years[0] if q.years else queries.latest_year(db)
    if year is None:
        return Answer(status="no_data", kind="ranking", text="数据库里还没有年度报告。")
    ids, scope = _scope(q, index)
    keys = sorted({k for f in format_ids() for m, cols in ((r.numerator, r.numerator_columns),
                                                               (r.denominator, ("total",)))
                   for k in (m.keys(f, cols) or ())})
    rows = _with_parts(db, _rows_across(db, index, year, keys, ids))
    marked: set[str] = set()
    parts = _totals(rows, r.numerator, r.numerator_columns, marked)
    wholes = _totals(rows, r.denominator, ("total",), marked)
    rates = {a: round(parts[a] / d * 100, 2) for a, d in wholes.items() if d and a in parts}
    if not rates:
        return Answer(status="no_data", kind="ranking", year=year, text=f"没有{scope}{year}年可计算{r.label}的报告。")
    ranked, series = _ranked(rates, q, marked)
    lines = [f"  {s['rank']}. {s['label']}：{s['value']}%{_star(s)}" for s in series]
    zero = sorted(a for a, d in wholes.items() if not d)
    skipped = f"\n分母为0、无法计算：{'、'.join(zero)}" if zero else ""
    order = "从低到高" if q.ascending else "从高到低"
    text = (f"{year}年{scope}{r.label}排名（{order}，共{len(ranked)}个单位，空白按0计）：\n" + "\n".join(lines)
            + f"\n{r.formula}" + skipped + _star_note(series))
    return Answer(status="answer", kind="ranking", text=text, year=year, unit="%", cells=keys, series=series,
                  formula=r.formula)


def _rows_across(db: sqlite_utils.Database, index: AgencyIndex, year: int, keys: list[str],
                 ids: set[int] | None) -> list[dict]:
    """The cells ``keys`` of every current report of ``year`` (of the agencies ``ids`` if given)."""
    return queries.metric_across_reports(db, year, keys, [index.entries[i].id for i in ids] if ids is not None else None)


def _ranked(values: dict[str, int | float], q: Question,
            marked: set[str]) -> tuple[list[tuple[str, int | float]], list[dict]]:
    """Agencies ordered by value (most first unless 最少/最低), and the top ones as series rows;
    those whose figure was added up from a blank 总计's columns carry a note."""
    ranked = sorted(values.items(), key=lambda kv: (kv[1] if q.ascending else -kv[1], kv[0]))
    series = [{"rank": n, "label": a, "agency": a, "value": v, "note": BLANK_TOTAL if a in marked else ""}
              for n, (a, v) in enumerate(ranked[: q.top], 1)]
    return ranked, series


def _star(row: dict) -> str:
    return " ※" if row.get("note") else ""


def _star_note(series: list[dict]) -> str:
    return "\n※ 该报告的总计栏空白，按各申请人列相加" if any(s.get("note") for s in series) else ""


def _with_parts(db: sqlite_utils.Database, rows: list[dict]) -> list[dict]:
    """The rows of a ranking plus the applicant columns of every blank 总计 among them, so a
    report that left its 总计 column blank is ranked by its printed columns, not as 0."""
    blank = [r for r in rows if r["key"] and r["key"].endswith(".total") and r["value"] is None and not r["flagged"]]
    if not blank:
        return rows
    by_report = {r["report_id"]: r for r in rows}
    extra = queries.cells_of_reports(db, sorted({r["report_id"] for r in blank}), sorted(set(part_keys([r["key"] for r in blank]))))
    return rows + [{**by_report[e["report_id"]], **e} for e in extra]


def _scope(q: Question, index: AgencyIndex) -> tuple[set[int] | None, str]:
    return index.scope(q.mentions, q.text)


def _totals(rows: list[dict], metric, columns: tuple[str, ...],  # type: ignore[no-untyped-def]
            marked: set[str]) -> dict[str, int | float]:
    """Sum per report the keys its own table format uses; flagged cells leave the report out; a
    blank 总计 with printed columns counts as their sum and its agency is added to ``marked``."""
    per: dict[int, dict] = {}
    for r in rows:
        entry = per.setdefault(r["report_id"], {"agency": r["agency"], "report": r, "cells": {}})
        if r["key"]:
            entry["cells"][r["key"]] = r
    out: dict[str, int | float] = {}
    for entry in per.values():
        keys = metric.keys(table_format(entry["report"], metric.table), columns)
        if not keys or any(k not in entry["cells"] or entry["cells"][k]["flagged"] for k in keys):
            continue
        if any(blank_with_parts(k, entry["cells"]) for k in keys):
            keys = tuple(p for k in keys for p in (part_keys([k]) if blank_with_parts(k, entry["cells"]) else (k,)))
            if any(k not in entry["cells"] or entry["cells"][k]["flagged"] for k in keys):
                continue
            marked.add(entry["agency"])
        out[entry["agency"]] = queries.number(round(sum(entry["cells"][k]["value"] or 0 for k in keys), 6))
    return out
