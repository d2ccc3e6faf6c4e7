"""An agency's report at a glance: the answer to "聊城市大数据局2019年报告" or a bare name.

A user who names a report without a figure wants its headline numbers: applications received
and carried over, how they were handled, the disclosure rate, appeals, and whether the report
passed its checks.  Each figure is read like any single answer (blank counts as 0, a cell we
could not read says so instead of giving a number); the user then asks for details.
"""

from __future__ import annotations

import sqlite_utils

from bot.answer import Answer
from bot.present import fmt_number
from bot.qa.evaluate import count_checks, evaluate, evaluate_rate
from bot.qa.metrics import (
    CARRIED_FORWARD,
    CARRIED_OVER,
    DISCLOSURE,
    GRANTED,
    HANDLED,
    NEW,
    PARTIAL,
    REVIEW_TOTAL,
    SUIT_TOTAL,
    Metric,
)
from store import queries

LINES: tuple[tuple[tuple[str, Metric], ...], ...] = (
    (("本年新收申请", NEW), ("上年结转", CARRIED_OVER)),
    (("办理结果（七）总计", HANDLED), ("其中予以公开", GRANTED), ("部分公开", PARTIAL), ("结转下年度", CARRIED_FORWARD)),
    (("行政复议", REVIEW_TOTAL), ("行政诉讼", SUIT_TOTAL)),
)


def overview(db: sqlite_utils.Database, *, report: dict, agency: str, note: str = "") -> Answer:
    """The headline figures of one report, and its checks."""
    year = report["year"]
    lines = [f"{agency}{year}年年度报告（{report['source_name']}，{report['format']}版表格）{note}："]
    lines += ["  " + "，".join(_figure(db, report, label, metric) for label, metric in line) for line in LINES]
    lines.append("  " + _rate(db, report))
    lines.append("  " + _checks(db, report))
    lines.append("可以继续问具体一项，例如：" + f"{agency}{year}年不予公开多少件 / {agency}{year}年公开率")
    return Answer(status="answer", kind="overview", agency=agency, year=year, text="\n".join(lines))


def _figure(db: sqlite_utils.Database, report: dict, label: str, metric: Metric) -> str:
    ev = evaluate(db, report, metric, ("total",))
    if not ev.ok:
        return f"{label} 无法给出"
    if ev.from_parts:
        return f"{label} {fmt_number(ev.value)} 件（总计栏空白，按各申请人列相加）"
    return f"{label} {fmt_number(ev.value)} 件" + ("（空白）" if ev.blank else "")


def _rate(db: sqlite_utils.Database, report: dict) -> str:
    part, whole, percent = evaluate_rate(db, report, DISCLOSURE)
    if percent is None:
        return "公开率 无法计算"
    return f"公开率 {percent}% = (予以公开 + 部分公开) / （七）总计 = {fmt_number(part.value)} / {fmt_number(whole.value)}"


def _checks(db: sqlite_utils.Database, report: dict) -> str:
    failed = queries.checks_of(db, report["id"], failed_only=True)
    if not failed:
        return "校验结果：全部通过"
    return f"校验结果：{count_checks(failed)}（用 xxgk check 或 /check 查看）"
