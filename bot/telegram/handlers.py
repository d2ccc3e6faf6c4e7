"""Telegram handlers: a thin async shell over :mod:`bot.qa` and the database.

Every update first passes :func:`gatekeeper` (group -1): it moves subscriptions when a group
becomes a supergroup, drops group chatter not addressed to the bot, refuses strangers once, and
applies the rate limit per sender (and per group); an admin's report file is queued instead
(:mod:`.uploads`).  Handlers then answer from the database; nothing here computes an answer itself.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

import sqlite_utils
from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.answer import Answer
from bot.telegram import auth, charts, qa_bridge, render, views
from bot.telegram.config import BotConfig
from bot.telegram.delivery import AlertDelivery
from bot.telegram.ratelimit import ChatRateLimiter
from store import csv_export as export
from store import lookup, outbox

log = logging.getLogger(__name__)

MAX_STORED_PAGES = 500
TREND_WORDS = ("趋势", "历年", "变化", "走势")

HELP = """我可以回答政府信息公开工作年度报告里的数字问题，答案注明出处。例如：
· 聊城市城市管理局2019年新收到多少政府信息公开申请？
· 平潭综合实验区2023年行政复议总数
· 2023年哪个机关收到的申请最多？
· 聊城市人民政府2020年部分公开占比 / 申请数比上年增加多少 / 自然人和法人分别申请多少
· 上海市人民政府办公厅2019年报告（要点一览）/ 哪些校验没通过
命令：
/ask 问题 — 提问（群里用 /ask@本机器人 或 @本机器人）
/agency 机关 — 该机关有哪些年份的报告、表格版式、校验结果
/check [机关] [年份] — 未通过的校验
/trend 问题 — 历年趋势图
/export 机关 年份 — 导出报告全部单元格（CSV，含出处）
/subscribe [地区或机关] · /unsubscribe — 订阅校验提醒（管理员）
/status — 数据库状况
管理员可直接发送报告文件（PDF、DOCX、DOC、WPS、HTML、TXT）导入。"""

BUSY = "请稍后再试：消息太多了。"
BUSY_MEMBER = "{name}，请稍后再试：您的消息太多了（其他成员的问题照常回答）。"
BUSY_GROUP = "请稍后再试：本群消息太多了。"
REFUSAL = "抱歉，本机器人仅对授权的聊天开放。如需使用请联系管理员。"
INTERNAL_ERROR = "抱歉，处理时出错了，请稍后再试。"


# --------------------------------------------------------------------------------------------
# shared state


def cfg(context: ContextTypes.DEFAULT_TYPE) -> BotConfig:
    return context.bot_data["config"]


def db_of(context: ContextTypes.DEFAULT_TYPE) -> sqlite_utils.Database:
    return context.bot_data["db"]


def _pages(context: ContextTypes.DEFAULT_TYPE) -> OrderedDict[tuple[int | None, int], list[str]]:
    """Pages of long replies by (chat, key): a button pressed in another chat finds nothing."""
    return context.bot_data.setdefault("pages", OrderedDict())


def _offers(context: ContextTypes.DEFAULT_TYPE) -> OrderedDict[tuple[int | None, int], frozenset[int]]:
    """Agency ids offered as clarify buttons, by (chat, audit id): a button is honoured only if
    the bot offered it there."""
    return context.bot_data.setdefault("offers", OrderedDict())


def _keep(store: OrderedDict, key: Any, value: Any) -> None:
    """Remember ``value``, forgetting the oldest entries beyond :data:`MAX_STORED_PAGES`."""
    store[key] = value
    while len(store) > MAX_STORED_PAGES:
        store.popitem(last=False)


def _ids(update: Update) -> tuple[int | None, int | None]:
    chat = update.effective_chat
    user = update.effective_user
    return (chat.id if chat else None, user.id if user else None)


# --------------------------------------------------------------------------------------------
# gate: addressed? allowed? within rate?


def _entities(message: Message) -> list[tuple[MessageEntity, str]]:
    if message.text:
        return list(message.parse_entities().items())
    return list(message.parse_caption_entities().items())


def addressed(message: Message, bot_id: int, username: str) -> bool:
    """Private chats always; in groups a command for us, a mention, or a reply to us."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    me = f"@{username}".lower()
    for entity, text in _entities(message):
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            target = text.partition("@")[2].lower()
            return target in ("", username.lower())
        if entity.type == MessageEntity.MENTION and text.lower() == me:
            return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot_id)


def strip_mention(text: str, username: str) -> str:
    """The question without ``@botname``."""
    return " ".join(text.replace(f"@{username}", " ").split())


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler; raises ApplicationHandlerStop to drop an update."""
    message = update.message
    if message is None and update.callback_query is None:
        raise ApplicationHandlerStop  # edits, channel posts, member updates: not for us
    if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
        _migrated(context, message)
        raise ApplicationHandlerStop
    if message is not None and not addressed(message, context.bot.id, context.bot.username):
        raise ApplicationHandlerStop
    chat_id, user_id = _ids(update)
    config = cfg(context)
    if not auth.is_allowed(config, chat_id, user_id):
        await _refuse(update, context, chat_id, user_id)
        raise ApplicationHandlerStop
    if message is not None and message.document and auth.is_admin(config, user_id):
        return  # an admin's report file is queued and always answered (uploads.on_document)
    verdict = context.bot_data["limiter"].check(chat_id, user_id)
    if verdict == "ok":
        return
    if verdict.startswith("warn"):
        log.info("chat %s user %s rate-limited (%s)", chat_id, user_id, verdict)
        await _busy(update, verdict)
    raise ApplicationHandlerStop


async def _busy(update: Update, verdict: str) -> None:
    """Tell the sender once: in a group, a reply naming the member who sent too much."""
    if update.callback_query:
        await update.callback_query.answer(BUSY)
        return
    message = update.message
    if message.chat.type == ChatType.PRIVATE:
        await message.reply_text(BUSY)
    elif verdict == "warn-chat":
        await message.reply_text(BUSY_GROUP)
    else:
        name = message.from_user.first_name if message.from_user else ""
        await message.reply_text(BUSY_MEMBER.format(name=name), do_quote=True)


def _migrated(context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
    """A group became a supergroup (Telegram says so in both chats): move its subscriptions and
    undelivered alerts now, not when the next alert to the old id fails."""
    old, new = (
        (message.chat.id, message.migrate_to_chat_id) if message.migrate_to_chat_id
        else (message.migrate_from_chat_id, message.chat.id)
    )
    outbox.migrate_chat(db_of(context), old, new)
    log.info("chat %s migrated to %s: subscriptions moved", old, new)
    config = cfg(context)
    if old in config.allowed_chats and new not in config.allowed_chats:
        log.warning("chat %s is now %s: add the new id to XXGK_ALLOWED_CHATS", old, new)


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int | None, user_id: int | None) -> None:
    refused: set[int | None] = context.bot_data.setdefault("refused", set())
    if chat_id in refused:
        return
    refused.add(chat_id)
    text = update.message.text if update.message and update.message.text else "(callback)"
    log.warning("refused chat %s user %s", chat_id, user_id)
    views.audit(db_of(context), chat_id=chat_id, user_id=user_id, question=text, status="refused")
    if update.callback_query:
        await update.callback_query.answer(REFUSAL, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(REFUSAL)


# --------------------------------------------------------------------------------------------
# questions


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Private text, or a group message that mentions or replies to the bot."""
    question = strip_mention(update.message.text or "", context.bot.username)
    if not question:
        await update.message.reply_text("请直接输入问题，例如：" + HELP.splitlines()[1].lstrip("· "))
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
    chat_id, user_id = _ids(update)
    answer = qa_bridge.ask(db, question)
    text = render.render_answer(answer)
    audit_id = views.audit(
        db, chat_id=chat_id, user_id=user_id, question=question, status=answer.status, cells=answer.cells, answer=text
    )
    if answer.status == "clarify":
        choices = lookup.agency_ids(db, answer.candidates)
        if choices:
            _keep(_offers(context), (chat_id, audit_id), frozenset(ident for ident, _ in choices))
            await update.message.reply_text(text, reply_markup=render.clarify_keyboard(audit_id, choices))
            return
    await _reply_paged(update.message, context, audit_id, text)


async def _reply_paged(message: Message, context: ContextTypes.DEFAULT_TYPE, key: int, text: str) -> None:
    pages = _remember(context, message.chat_id, key, text)
    await message.reply_text(render.with_footer(pages, 0), reply_markup=render.page_keyboard(key, 0, len(pages)))


def _local_key(context: ContextTypes.DEFAULT_TYPE) -> int:
    """A page key for replies without an audit row (negative, so never an audit id)."""
    context.bot_data["local_keys"] = context.bot_data.get("local_keys", 0) - 1
    return context.bot_data["local_keys"]


def _remember(context: ContextTypes.DEFAULT_TYPE, chat_id: int | None, key: int, text: str) -> list[str]:
    pages = render.paginate(text, cfg(context).page_lines)
    if len(pages) > 1:
        _keep(_pages(context), (chat_id, key), pages)
    return pages


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
        await _turn_page(update, context, key, index)
    elif kind == "cl":
        await _clarified(update, context, key, index)
    else:
        await query.answer("无效的按钮。")


async def _turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE, key: int, index: int) -> None:
    query = update.callback_query
    pages = _pages(context).get((_ids(update)[0], key))
    if not pages or not 0 <= index < len(pages):
        await query.answer("内容已过期，请重新提问。", show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(render.with_footer(pages, index), reply_markup=render.page_keyboard(key, index, len(pages)))


async def _clarified(update: Update, context: ContextTypes.DEFAULT_TYPE, audit_id: int, agency_id: int) -> None:
    """Answer the ORIGINAL question (read back from the audit) for the chosen agency."""
    query = update.callback_query
    db = db_of(context)
    chat_id, user_id = _ids(update)
    if agency_id not in _offers(context).get((chat_id, audit_id), frozenset()):
        await query.answer("按钮无效或已过期，请重新提问。", show_alert=True)  # never offered here
        return
    original = views.audited_question(db, audit_id)
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
    pages = _remember(context, chat_id, key, text)
    await query.edit_message_text(render.with_footer(pages, 0), reply_markup=render.page_keyboard(key, 0, len(pages)))


# --------------------------------------------------------------------------------------------
# commands


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
        await _reply_paged(update.message, context, _local_key(context), views.agency_summary(db_of(context), name))


async def cmd_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text, year = lookup.split_year(" ".join(context.args or []))
    name = None
    if text:
        name = await _one_agency(update, context, text)
        if name is None:
            return
    body = views.checks_text(db_of(context), name, year)
    await _reply_paged(update.message, context, _local_key(context), body)


async def cmd_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(views.status_text(db_of(context), cfg(context).db_path))


async def cmd_trend(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    question = " ".join(context.args or [])
    if not question:
        await update.message.reply_text("用法：/trend 问题，例如 /trend 聊城市城市管理局 历年新收申请")
        return
    if not any(word in question for word in TREND_WORDS):
        question = f"{question} 历年趋势"
    db = db_of(context)
    chat_id, user_id = _ids(update)
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
# subscriptions (admins)


async def _admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str) -> bool:
    if auth.is_admin(cfg(context), _ids(update)[1]):
        return True
    await update.message.reply_text(f"只有管理员可以{what}。")
    return False


def subscription_scope(db: sqlite_utils.Database, text: str) -> tuple[str, str] | list[str]:
    """(scope, value) that ``text`` names, or candidate agency names when ambiguous."""
    text = "".join(text.split())
    if not text or text in ("全部", "all"):
        return ("all", "")
    regions = {r[0] for r in db.execute("select distinct region from agencies where region != ''")}
    found = lookup.find_agencies(db, text)
    if len(found) == 1 and found[0][1] == text:
        return ("agency", text)
    if text in regions or text.endswith(("省", "市", "区", "县", "州", "盟", "旗")):
        return ("region", text)
    if len(found) == 1:
        return ("agency", found[0][1])
    return [name for _, name in found]


async def cmd_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _admin_only(update, context, "订阅提醒"):
        return
    scope = subscription_scope(db_of(context), " ".join(context.args or []))
    if isinstance(scope, list):
        hint = "可能是：" + "、".join(scope) if scope else "没有找到这个机关或地区。"
        await update.message.reply_text(hint)
        return
    added = outbox.subscribe(db_of(context), update.effective_chat.id, *scope)
    what = "全部校验提醒" if scope[0] == "all" else f"「{scope[1]}」的校验提醒"
    await update.message.reply_text(f"已订阅{what}。" if added else f"本聊天已订阅{what}。")


async def cmd_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _admin_only(update, context, "取消订阅"):
        return
    args = " ".join(context.args or [])
    scope = subscription_scope(db_of(context), args) if args else None
    if isinstance(scope, list):
        await update.message.reply_text("没有找到这个订阅。")
        return
    removed = outbox.unsubscribe(db_of(context), update.effective_chat.id, *(scope or (None,)))
    await update.message.reply_text("已取消订阅。" if removed else "本聊天没有这项订阅。")


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


def new_limiter(config: BotConfig) -> ChatRateLimiter:
    return ChatRateLimiter(config.rate_capacity, config.rate_per_second)
