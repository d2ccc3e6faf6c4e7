""""为什么收到的比处理的多": answered with the report's own relation, not with one number.

Every report's table 3 balances per column: 本年新收 + 上年结转 = （七）总计 + 结转下年度.  What
was received and not answered this year is carried into the next; what was answered beyond the
year's new requests came from last year.  The answer shows the four numbers in that relation,
and says so when the report itself does not balance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils

from bot.answer import Answer
from bot.present import fmt_number
from bot.qa.evaluate import caveats_of, evaluate, joined, source_of
from bot.qa.metrics import CARRIED_FORWARD, CARRIED_OVER, HANDLED, NEW
from bot.qa.parse import Question
from bot.qa.render import source_text
from store.queries import number

RELATION = "本年新收 + 上年结转 = 办理结果（七）总计 + 结转下年度"

ReportPicker = Callable[[sqlite_utils.Database, str, "int | None"], "tuple[dict[str, Any] | None, str, Answer | None]"]


def received_versus_handled(db: sqlite_utils.Database, q: Question, agency: str, pick_report: ReportPicker) -> Answer:
    report, note, problem = pick_report(db, agency, q.years[0] if q.years else None)
    if problem is not None:
        return problem
    assert report is not None
    year = report["year"]
    readings = [evaluate(db, report, m, ("total",)) for m in (NEW, CARRIED_OVER, HANDLED, CARRIED_FORWARD)]
    missing = next((ev for ev in readings if not ev.ok), None)
    if missing is not None:
        return Answer(status="no_data", kind="explain", agency=agency, year=year,
                      text=f"{agency}{year}年无法用“{RELATION}”解释：{missing.problem}")
    new, over, handled, forward = (ev.value or 0 for ev in readings)
    lines = [f"{agency}{year}年{note}：本年新收 {fmt_number(new)} 件，办理结果（七）总计 {fmt_number(handled)} 件。",
             f"年报的关系：{RELATION}",
             f"  {fmt_number(new)} + {fmt_number(over)} = {fmt_number(handled)} + {fmt_number(forward)}"
             f"（左边 {fmt_number(number(new + over))}，右边 {fmt_number(number(handled + forward))}）"]
    lines.append(_why(new, over, handled, forward))
    both = joined(*readings)
    src = source_of(report, both, "requests")
    caveats = caveats_of(db, report, both)
    text = "\n".join(filter(None, [*lines, source_text(src), *(f"⚠ {c}" for c in caveats)]))
    return Answer(status="answer", kind="explain", agency=agency, year=year, value=number(new - handled), unit="件",
                  cells=both.keys, formula=RELATION, source=src, caveats=caveats, text=text)


def _why(new: float, over: float, handled: float, forward: float) -> str:
    gap = number(new - handled)
    if new + over != handled + forward:
        return (f"两边不相等（差 {fmt_number(number(new + over - handled - forward))} 件）：这份报告自己的数字对不上，"
                "多出或少掉的部分无法用结转解释，请核对原报告（见校验结果）。")
    if new > handled:
        return (f"收到的比办结的多 {fmt_number(gap)} 件：年底还有 {fmt_number(forward)} 件结转下年度继续办理，"
                f"而上年结转来的只有 {fmt_number(over)} 件（{fmt_number(forward)} − {fmt_number(over)} = {fmt_number(gap)}）。")
    if new < handled:
        return (f"办结的比收到的多 {fmt_number(number(-gap))} 件：其中有上年结转来的 {fmt_number(over)} 件，"
                f"而结转下年度的只有 {fmt_number(forward)} 件（{fmt_number(over)} − {fmt_number(forward)} = {fmt_number(number(-gap))}）。")
    return f"收到的和办结的一样多：上年结转 {fmt_number(over)} 件与结转下年度 {fmt_number(forward)} 件相等。"
