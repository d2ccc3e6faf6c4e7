"""ask(): parse → resolve the agency → plan → Answer.  Never raises on odd input."""

from __future__ import annotations

import datetime
import logging

import sqlite_utils

from bot.answer import Answer
from bot.qa import auditq, breakdown, inventory, multi, overview
from bot.qa.agencies import AgencyIndex, Resolution, index_for
from bot.qa.evaluate import caveats_of, evaluate, evaluate_rate, joined, source_of
from bot.qa.metrics import NEW, Metric, MetricChoice, column_label
from bot.qa.parse import Question, parse
from bot.qa.render import help_text, source_text
from bot.qa.text import clean
from store import queries
from store.catalogue import unit_of
from store.queries import fmt_number

log = logging.getLogger(__name__)


def ask(db: sqlite_utils.Database, question: str, *, today: datetime.date | None = None) -> Answer:
    """Answer one question from the database (see :mod:`bot.qa`)."""
    return _safe(db, question, today, None)


def answer_choice(db: sqlite_utils.Database, question: str, chosen_agency: str, *,
                  today: datetime.date | None = None) -> Answer:
    """Answer ``question`` again with the agency the user picked from a clarify answer's
    candidates (a Telegram button, a console number)."""
    return _safe(db, question, today, chosen_agency)


def _safe(db: sqlite_utils.Database, question: object, today: datetime.date | None, chosen: str | None) -> Answer:
    text = clean(question if isinstance(question, str) else str(question or ""))
    if not text.strip():
        return Answer(status="not_found", kind="help", text=help_text([], "问题是空的。"))
    try:
        return _ask(db, text, today or datetime.date.today(), chosen)
    except Exception:  # a bug must not take the shell down; the user gets one clear line
        log.exception("answering failed: %r", text[:200])
        return Answer(status="not_found", kind="help", text=help_text([], "内部错误，未能回答这个问题，已记录。"))


def _ask(db: sqlite_utils.Database, text: str, today: datetime.date, chosen: str | None) -> Answer:
    held = inventory.answer(db, text)  # "有哪些单位": what the database holds, before any parsing
    if held is not None:
        return held
    index = index_for(db)
    q = parse(text, index, today)
    if q.intent == "failed_checks":
        return auditq.failed_checks(db, q, index)
    if q.intent == "missing":
        return auditq.missing(db, q, index, today)
    if q.intent == "ranking":
        return multi.ranking(db, q, index)
    agencies, problem = _agencies(q, index, chosen)
    if problem is not None:
        return problem
    if q.choice.metric is None and q.choice.rate is None:
        if len(agencies) == 1 and q.intent == "value" and len(q.years) <= 1:
            return _overview(db, q, agencies[0])
        if q.intent != "trend":
            return _no_metric(q, agencies)
        # "淄博城管局趋势": the headline figure of a report is the applications it received
        q.choice = MetricChoice(metric=NEW, notes=["未指定指标，默认显示本年新收申请数"])
    if len(agencies) >= 2:
        return multi.compare_agencies(db, q, agencies)
    agency = agencies[0]
    if q.intent == "trend":
        return multi.trend(db, q, agency)
    if q.versus_previous and not q.years:  # "申请数同比": the latest report against the one before
        latest = queries.reports_of_agency(db, agency)
        if latest:
            q.years = [latest[-1]["year"], latest[-1]["year"] - 1]
    if len(q.years) >= 2:
        return multi.compare_years(db, q, agency)
    return single(db, q, agency)


# ------------------------------------------------------------------------------ agencies


def _agencies(q: Question, index: AgencyIndex, chosen: str | None) -> tuple[list[str], Answer | None]:
    """The agencies the question names, or the clarify/not_found answer to give instead."""
    resolutions = [index.resolve(m) for m in q.mentions]
    if not resolutions:
        fuzzy = index.fuzzy(index.fuzzy_phrase(q.text), ())
        resolutions = [fuzzy] if (fuzzy.agency or fuzzy.candidates) else []
    if chosen is not None:
        return _apply_choice(resolutions, chosen, index)
    for r in resolutions:
        if r.candidates:
            return [], _clarify(q, r)
    for r in resolutions:
        if not r.agency:
            return [], _not_found(q, r)
    if not resolutions:
        return [], _not_found(q, Resolution(suggestions=[]))
    return list(dict.fromkeys(r.agency for r in resolutions if r.agency)), None


def _apply_choice(resolutions: list[Resolution], chosen: str, index: AgencyIndex) -> tuple[list[str], Answer | None]:
    if not any(e.name == chosen for e in index.entries):
        return [], Answer(status="not_found", text=f"数据库里没有“{chosen}”。")
    names = [r.agency for r in resolutions]
    slot = next((i for i, r in enumerate(resolutions) if not r.agency), 0)
    if names:
        names[slot] = chosen
    else:
        names = [chosen]
    return [n for n in dict.fromkeys(names) if n], None


def _clarify(q: Question, r: Resolution) -> Answer:
    shown = r.candidates[:8]
    more = f"等{len(r.candidates)}个" if len(r.candidates) > len(shown) else ""
    text = (f"问题里的单位对应多个{more}，请选择或说出全称：{'、'.join(shown)}。"
            f"\n例如：{shown[0]}{q.years[0] if q.years else ''}{'年' if q.years else ''}收到多少申请")
    return Answer(status="clarify", text=text, candidates=r.candidates[:20],
                  year=q.years[0] if q.years else None, kind="help")


def _not_found(q: Question, r: Resolution) -> Answer:
    what = r.note or "没有找到问题中的单位"
    near = f"相近的单位：{'、'.join(r.suggestions)}。" if r.suggestions else ""
    understood = _understood(q)
    return Answer(status="not_found", kind="help",
                  text=help_text(understood, f"{what}。{near}请写出单位全称（如“聊城市城市管理局”）。"))


def _understood(q: Question) -> list[str]:
    out = []
    if q.years:
        out.append("年份 " + "、".join(str(y) for y in q.years))
    if q.choice.metric:
        out.append("要查 " + q.choice.metric.label)
    if q.choice.rate:
        out.append("要查 " + q.choice.rate.label)
    return out


def _overview(db: sqlite_utils.Database, q: Question, agency: str) -> Answer:
    """A report named without a figure ("聊城市大数据局2019年报告"): its headline numbers."""
    report, note, problem = pick_report(db, agency, q.years[0] if q.years else None)
    if problem:
        return problem
    assert report is not None
    return overview.overview(db, report=report, agency=agency, note=note)


def _no_metric(q: Question, agencies: list[str]) -> Answer:
    understood = ["单位 " + "、".join(agencies)] + _understood(q)
    return Answer(status="not_found", kind="help", agency=agencies[0], year=q.years[0] if q.years else None,
                  text=help_text(understood, "没看懂要查哪一项数据（如收到申请数、予以公开、行政复议、采购总金额）。"))


# ------------------------------------------------------------------------------ one number


def pick_report(db: sqlite_utils.Database, agency: str, year: int | None) -> tuple[dict | None, str, Answer | None]:
    """The report to answer from, a note about the year used, or a no_data answer."""
    if year is not None:
        report = queries.current_report(db, agency, year)
        if report:
            return report, "", None
        held = queries.report_years(db, agency)
        have = "、".join(f"{y}年" for y in held) or "无"
        return None, "", Answer(status="no_data", agency=agency, year=year,
                                text=f"没有{agency}{year}年的年度报告。数据库中已有的年份：{have}。")
    reports = queries.reports_of_agency(db, agency)
    if not reports:
        return None, "", Answer(status="no_data", agency=agency, text=f"数据库里还没有{agency}的年度报告。")
    latest = reports[-1]
    return latest, f"（未指定年份，使用最新的{latest['year']}年报告）", None


def single(db: sqlite_utils.Database, q: Question, agency: str) -> Answer:
    report, note, problem = pick_report(db, agency, q.years[0] if q.years else None)
    if problem:
        return problem
    assert report is not None
    if q.choice.rate:
        return rate(db, q, agency, report, note)
    metric = q.choice.metric
    assert metric is not None
    if q.choice.breakdown:
        return breakdown.breakdown(db, report, agency, metric, q.choice.breakdown, note)
    ev = evaluate(db, report, metric, q.choice.columns)
    label = _label(metric, q)
    if not ev.ok:
        return Answer(status="no_data", agency=agency, year=report["year"], cells=ev.keys,
                      text=f"{agency}{report['year']}年没有“{label}”的数据：{ev.problem}",
                      caveats=caveats_of(db, report, ev))
    unit = unit_of(ev.keys[0])
    src = source_of(report, ev, metric.table)
    formula = " + ".join(ev.keys) if len(ev.keys) > 1 else ""
    caveats = caveats_of(db, report, ev)
    text = f"{agency}{report['year']}年{label}：{fmt_number(ev.value)} {unit}{note}。"
    if formula:
        text += f"\n（{len(ev.keys)}项之和：" + " + ".join(fmt_number(ev.cells[k]["value"] or 0) for k in ev.keys) + "）"
    text = "\n".join(filter(None, [text, source_text(src), *(f"⚠ {c}" for c in caveats)]))
    return Answer(status="answer", text=text, value=ev.value, unit=unit, agency=agency, year=report["year"],
                  cells=ev.keys, formula=formula, source=src, caveats=caveats)


def _label(metric: Metric, q: Question) -> str:
    if q.choice.column_named:
        return f"{metric.label}（{column_label(q.choice.columns)}）"
    return metric.label


def rate(db: sqlite_utils.Database, q: Question, agency: str, report: dict, note: str) -> Answer:
    r = q.choice.rate
    assert r is not None
    num, den, value = evaluate_rate(db, report, r)
    year = report["year"]
    for ev in (num, den):
        if not ev.ok:
            return Answer(status="no_data", agency=agency, year=year, kind="rate",
                          text=f"{agency}{year}年无法计算{r.label}：{ev.problem}")
    if value is None:
        return Answer(status="no_data", agency=agency, year=year, kind="rate", formula=r.formula,
                      cells=num.keys + den.keys,
                      text=f"{agency}{year}年无法计算{r.label}：分母（{r.denominator.label}）为0。{r.formula}")
    formula = f"{r.formula} = {fmt_number(num.value)} / {fmt_number(den.value)} = {value}%"
    both = joined(num, den)
    src = source_of(report, both, r.numerator.table)
    caveats = caveats_of(db, report, both)
    text = "\n".join(filter(None, [f"{agency}{year}年{r.label}：{value}%{note}。\n{formula}", source_text(src),
                                   *(f"⚠ {c}" for c in caveats)]))
    return Answer(status="answer", kind="rate", text=text, value=value, unit="%", agency=agency, year=year,
                  cells=num.keys + den.keys, formula=formula, source=src, caveats=caveats)
