"""Texts of /agency, /check and /status, written from :mod:`store.readmodel` (the same facts
``xxgk status`` prints), and the audit of every question.

Plain functions of the database so they are tested without Telegram."""

from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from store import queries, readmodel

ORIGIN_LABEL = {"source": "报告原文问题", "reading": "读取存疑", "": ""}


def agency_summary(db: sqlite_utils.Database, name: str) -> str:
    """Years held, their formats and source kinds, and failed checks per year."""
    reports = queries.reports_of_agency(db, name)
    if not reports:
        return f"数据库中没有「{name}」的报告。"
    lines = [f"{name}：共 {len(reports)} 份年度报告"]
    aliases = readmodel.agency_aliases(db, name)
    if aliases:
        lines.append("别名：" + "、".join(aliases))
    for r in reports:
        failed = f"，{r['failed_checks']} 项校验未通过" if r["failed_checks"] else "，校验全部通过"
        flagged = f"，{r['flagged_cells']} 个单元格存疑" if r["flagged_cells"] else ""
        lines.append(f"· {r['year']} 年：{r['format']} 版表格，{r['source_kind'] or '未知'}（{r['source_name']}）{failed}{flagged}")
    return "\n".join(lines)


def checks_text(db: sqlite_utils.Database, agency: str | None = None, year: int | None = None) -> str:
    checks = readmodel.failed_checks(db, agency, year)
    scope = " ".join(p for p in (agency or "", f"{year} 年" if year else "") if p) or "全部报告"
    if not checks:
        return f"{scope}：没有未通过的校验。"
    lines = [f"{scope}：{len(checks)} 项校验未通过"]
    for c in checks:
        kind = queries.severity_label(c["severity"])
        origin = ORIGIN_LABEL.get(c["origin"], c["origin"])
        lines.append(f"· {c['agency']} {c['year']} [{kind}{'·' + origin if origin else ''}] {c['message']}")
    return "\n".join(lines)


def _size(path: str) -> str:
    try:
        total = sum(Path(p).stat().st_size for p in (path, path + "-wal") if os.path.exists(p))
    except OSError:
        return "未知"
    return f"{total / 1048576:.1f} MB" if total >= 1048576 else f"{total / 1024:.0f} KB"


def status_text(db: sqlite_utils.Database, db_path: str) -> str:
    """Database size and contents, recent ingests and failures, alerts not yet delivered."""
    facts = readmodel.status_facts(db)
    lines = [
        f"数据库：{_size(db_path)}",
        f"报告：{facts.current_reports} 份现行（另有 {facts.superseded_reports} 份已被替换）",
        f"机关：{facts.agencies} 个",
        f"未通过校验的报告：{facts.failing_reports} 份",
    ]
    if facts.recent:
        lines.append("最近导入：")
        lines += [f"· {e.ts[:19].replace('T', ' ')} {Path(e.file).name} → {e.outcome}{'：' + e.message if e.message else ''}"
                  for e in facts.recent]
    lines.append(f"导入失败累计：{facts.failed_files} 次")
    lines.append(
        f"提醒：待发送 {facts.pending_deliveries}，已送达 {facts.deliveries.get('delivered', 0)}，"
        f"失败 {facts.deliveries.get('failed', 0)}；订阅 {facts.subscribed_chats} 个聊天"
    )
    return "\n".join(lines)


def audit(
    db: sqlite_utils.Database,
    *,
    chat_id: int | None,
    user_id: int | None,
    question: str,
    status: str,
    cells: list[str] | None = None,
    answer: str = "",
) -> int:
    """Record one question and its answer (or a refusal); returns the audit id."""
    from store.db import record_audit

    return record_audit(db, shell="telegram", question=question, status=status, cells=cells, answer=answer,
                        chat_id=chat_id, user_id=user_id)
