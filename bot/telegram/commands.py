"""The bot's commands: ONE table, :data:`COMMANDS`, drives handler registration, the command
menu (setMyCommands) and the /help text; and the commands that read the database
(/agency, /check, /status, /export).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import qa_bridge, questions, render, subscriptions, views
from bot.telegram.delivery import AlertDelivery
from bot.telegram.paging import local_key, reply_paged
from bot.telegram.state import cfg, db_of
from store import csv_export as export
from store import lookup

log = logging.getLogger(__name__)

INTERNAL_ERROR = "抱歉，处理时出错了，请稍后再试。"

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("您好！" + HELP)


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(HELP)


async def _one_agency(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> str | None:
    """The single agency ``text`` names, or None after telling the user what matched."""
    found = lookup.find_agencies(db_of(context), text)
    if len(found) == 1:
        return found[0][1]
    if not found:
        await update.message.reply_text(f"没有找到机关「{text}」。")
    else:
        names = "、".join(name for _, name in found)
        await update.message.reply_text(f"「{text}」可能是：{names}。请写出完整名称。")
    return None


async def cmd_agency(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = " ".join(context.args or [])
    if not text:
        await update.message.reply_text("用法：/agency 机关名称，例如 /agency 平潭综合实验区")
        return
    name = await _one_agency(update, context, text)
    if name:
        await reply_paged(update.message, context, local_key(context), views.agency_summary(db_of(context), name))


async def cmd_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text, year = lookup.split_year(" ".join(context.args or []))
    name = None
    if text:
        name = await _one_agency(update, context, text)
        if name is None:
            return
    body = views.checks_text(db_of(context), name, year)
    await reply_paged(update.message, context, local_key(context), body)


async def cmd_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(views.status_text(db_of(context), cfg(context).db_path))


async def cmd_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/export 机关 [年份]`` → the report's cells; any other question → the answer's rows."""
    raw = " ".join(context.args or [])
    if not raw:
        await update.message.reply_text("用法：/export 机关 年份（导出报告全部单元格），或 /export 2023年申请数排名")
        return
    db = db_of(context)
    text, year = lookup.split_year(raw)
    found = lookup.find_agencies(db, text) if text else []
    if len(found) == 1:
        await _export_report(update, context, found[0][1], year)
        return
    answer = qa_bridge.ask(db, raw)
    if answer.status == "answer" and answer.series:
        data = export.series_csv(answer.series)
        await update.message.reply_document(data, filename=export.file_name("xxgk", raw[:20]), caption=answer.text[:900])
        return
    await update.message.reply_text(render.render_answer(answer) if answer.status != "answer" else "这个问题没有可导出的表格。")


async def _export_report(update: Update, context: ContextTypes.DEFAULT_TYPE, agency: str, year: int | None) -> None:
    from store import queries

    db = db_of(context)
    reports = queries.reports_of_agency(db, agency)
    chosen = [r for r in reports if year is None or r["year"] == year]
    if not chosen:
        years = "、".join(str(r["year"]) for r in reports) or "无"
        await update.message.reply_text(f"没有{agency}{year or ''}年的报告（现有年份：{years}）。")
        return
    report = chosen[-1]
    data = export.report_csv(db, report["id"])
    caption = f"{agency} {report['year']} 年报告全部单元格（{report['source_name']}）"
    await update.message.reply_document(data, filename=export.file_name(agency, report["year"]), caption=caption)


# --------------------------------------------------------------------------------------------
# the table


@dataclass(frozen=True)
class Command:
    """One command: its handler, its line in the menu, and its line in /help ("" for none)."""

    name: str
    callback: Callback
    menu: str
    help: str = ""


COMMANDS: tuple[Command, ...] = (
    Command("start", cmd_start, "开始"),
    Command("help", cmd_help, "帮助与示例问题"),
    Command("ask", questions.cmd_ask, "提问", "/ask 问题 — 提问（群里用 /ask@本机器人 或 @本机器人）"),
    Command("agency", cmd_agency, "某机关有哪些报告", "/agency 机关 — 该机关有哪些年份的报告、表格版式、校验结果"),
    Command("check", cmd_check, "未通过的校验", "/check [机关] [年份] — 未通过的校验"),
    Command("trend", questions.cmd_trend, "历年趋势图", "/trend 问题 — 历年趋势图"),
    Command("export", cmd_export, "导出 CSV", "/export 机关 年份 — 导出报告全部单元格（CSV，含出处）"),
    Command("subscribe", subscriptions.cmd_subscribe, "订阅校验提醒",
            "/subscribe [地区或机关] · /unsubscribe — 订阅校验提醒（管理员）"),
    Command("unsubscribe", subscriptions.cmd_unsubscribe, "取消订阅"),
    Command("status", cmd_status, "数据库状况", "/status — 数据库状况"),
)


def help_text() -> str:
    """The /help text: example questions, then the commands of :data:`COMMANDS`."""
    return "\n".join([
        "我可以回答政府信息公开工作年度报告里的数字问题，答案注明出处。例如：",
        *(f"· {example}" for example in questions.EXAMPLES),
        "命令：",
        *(c.help for c in COMMANDS if c.help),
        "管理员可直接发送报告文件（PDF、DOCX、DOC、WPS、HTML、TXT）导入。",
    ])


HELP = help_text()


# --------------------------------------------------------------------------------------------
# alerts job and errors


async def deliver_alerts(context: ContextTypes.DEFAULT_TYPE) -> None:
    delivery: AlertDelivery = context.bot_data["delivery"]
    stats = await delivery.run(context.bot)
    if stats.delivered or stats.failed:
        log.info("alerts: %s", stats)


async def on_error(update: Any, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (token redacted by the log filter) and reply without internals."""
    log.error("error handling update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_text(INTERNAL_ERROR)
        except Exception:  # the reply itself may be what failed (network down)
            log.warning("could not send the error reply")
