"""Questions: free text, /ask, /trend and the clarify buttons, answered by :mod:`bot.qa`.

Every question and answer is audited; a clarification answers the ORIGINAL question read back
from the audit, for an agency the bot itself offered in that chat.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.answer import Answer
from bot.telegram import charts, qa_bridge, render, views
from bot.telegram.gate import strip_mention
from bot.telegram.paging import remember, reply_paged, turn_page
from bot.telegram.state import db_of, ids, keep, offers
from store import lookup, readmodel

TREND_WORDS = ("趋势", "历年", "变化", "走势")

EXAMPLES = (
    "聊城市城市管理局2019年新收到多少政府信息公开申请？",
    "平潭综合实验区2023年行政复议总数",
    "2023年哪个机关收到的申请最多？",
    "聊城市人民政府2020年部分公开占比 / 申请数比上年增加多少 / 自然人和法人分别申请多少",
    "上海市人民政府办公厅2019年报告（要点一览）/ 哪些校验没通过",
)
"""Example questions: the /help text lists them, an empty mention shows the first."""


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Private text, or a group message that mentions or replies to the bot."""
    question = strip_mention(update.message.text or "", context.bot.username)
    if not question:
        await update.message.reply_text("请直接输入问题，例如：" + EXAMPLES[0])
        return
    await answer_question(update, context, question)


async def cmd_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    question = " ".join(context.args or [])
    if not question:
        await update.message.reply_text("用法：/ask 问题，例如 /ask 聊城市城市管理局2019年新收申请数")
        return
    await answer_question(update, context, question)


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    db = db_of(context)
    chat_id, user_id = ids(update)
    answer = qa_bridge.ask(db, question)
    text = render.render_answer(answer)
    audit_id = views.audit(
        db, chat_id=chat_id, user_id=user_id, question=question, status=answer.status, cells=answer.cells, answer=text
    )
    if answer.status == "clarify":
        choices = lookup.agency_ids(db, answer.candidates)
        if choices:
            keep(offers(context), (chat_id, audit_id), frozenset(ident for ident, _ in choices))
            await update.message.reply_text(text, reply_markup=render.clarify_keyboard(audit_id, choices))
            return
    await reply_paged(update.message, context, audit_id, text)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline buttons: ``cl:<audit id>:<agency id>`` (clarification) or ``pg:<key>:<page>``."""
    query = update.callback_query
    kind, _, rest = (query.data or "").partition(":")
    try:
        key, index = (int(part) for part in rest.split(":"))
    except ValueError:
        await query.answer("无效的按钮。")
        return
    if kind == "pg":
        await turn_page(update, context, key, index)
    elif kind == "cl":
        await _clarified(update, context, key, index)
    else:
        await query.answer("无效的按钮。")


async def _clarified(update: Update, context: ContextTypes.DEFAULT_TYPE, audit_id: int, agency_id: int) -> None:
    """Answer the ORIGINAL question (read back from the audit) for the chosen agency."""
    query = update.callback_query
    db = db_of(context)
    chat_id, user_id = ids(update)
    if agency_id not in offers(context).get((chat_id, audit_id), frozenset()):
        await query.answer("按钮无效或已过期，请重新提问。", show_alert=True)  # never offered here
        return
    original = readmodel.audited_question(db, audit_id)
    agency = lookup.agency_name(db, agency_id)
    if original is None or agency is None or original[1] != chat_id:
        await query.answer("内容已过期，请重新提问。", show_alert=True)
        return
    await query.answer(agency)
    answer = qa_bridge.ask_with_agency(db, original[0], agency)
    text = render.render_answer(answer)
    key = views.audit(
        db, chat_id=chat_id, user_id=user_id, question=f"{original[0]} [{agency}]", status=answer.status,
        cells=answer.cells, answer=text,
    )
    pages = remember(context, chat_id, key, text)
    await query.edit_message_text(render.with_footer(pages, 0), reply_markup=render.page_keyboard(key, 0, len(pages)))


async def cmd_trend(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    question = " ".join(context.args or [])
    if not question:
        await update.message.reply_text("用法：/trend 问题，例如 /trend 聊城市城市管理局 历年新收申请")
        return
    if not any(word in question for word in TREND_WORDS):
        question = f"{question} 历年趋势"
    db = db_of(context)
    chat_id, user_id = ids(update)
    answer = qa_bridge.ask(db, question)
    text = render.render_answer(answer)
    views.audit(db, chat_id=chat_id, user_id=user_id, question=question, status=answer.status, cells=answer.cells, answer=text)
    points = [s for s in answer.series if isinstance(s.get("value"), int | float) or s.get("value") is None]
    if answer.status != "answer" or len(points) < 2:
        await update.message.reply_text(text)
        return
    title = _chart_title(answer)
    png, _ = charts.trend_png(points, title, answer.unit)
    cite = render.source_line(answer.source)
    await update.message.reply_photo(png, caption=charts.caption(points, title, answer.unit) + (f"\n{cite}" if cite else ""))


def _chart_title(answer: Answer) -> str:
    first = answer.text.strip().splitlines()[0] if answer.text.strip() else ""
    return (answer.agency or "") + (f" {first[:40]}" if not answer.agency else "")
