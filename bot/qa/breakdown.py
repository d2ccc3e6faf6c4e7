"""One figure of one report, split by applicant: "自然人和法人分别申请多少", "申请人构成".

Each line is read like a single answer (blank counts as 0 and says so; a cell we could not read
gives no number); the source lists every cell used, and the caveats are those of the report.
"""

from __future__ import annotations

import sqlite_utils

from bot.answer import Answer
from bot.present import fmt_number
from bot.qa.evaluate import Evaluated, caveats_of, evaluate, joined, source_of
from bot.qa.metrics import Metric, column_label
from bot.qa.render import source_text
from store.catalogue import unit_of


def breakdown(db: sqlite_utils.Database, report: dict, agency: str, metric: Metric,
              groups: list[tuple[str, ...]], note: str = "") -> Answer:
    year = report["year"]
    readings = [(column_label(cols) if cols != ("total",) else "总计", evaluate(db, report, metric, cols))
                for cols in groups]
    usable = [ev for _, ev in readings if ev.ok]
    if not usable:
        return Answer(status="no_data", agency=agency, year=year,
                      text=f"{agency}{year}年没有“{metric.label}”的数据：{readings[0][1].problem}")
    unit = unit_of(usable[0].keys[0])
    lines = [f"{agency}{year}年{metric.label}，按申请人{note}："]
    lines += [f"  {label}：{fmt_number(ev.value)} {unit}" + _mark(ev) if ev.ok
              else f"  {label}：无法给出（{ev.problem}）" for label, ev in readings]
    series = [{"label": label, "value": ev.value if ev.ok else None, "cells": ev.keys} for label, ev in readings]
    used = joined(*usable)
    src = source_of(report, used, metric.table)
    caveats = caveats_of(db, report, used)
    text = "\n".join(filter(None, ["\n".join(lines), source_text(src), *(f"⚠ {c}" for c in caveats)]))
    return Answer(status="answer", kind="compare", text=text, agency=agency, year=year, unit=unit,
                  cells=used.keys, series=series, source=src, caveats=caveats)



def _mark(ev: Evaluated) -> str:
    if ev.from_parts:
        return "（总计栏空白，按各申请人列相加）"
    return "（空白）" if ev.blank else ""
