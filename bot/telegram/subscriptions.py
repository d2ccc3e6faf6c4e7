"""Alert subscriptions (admins): what ``/subscribe 地区或机关`` names, and the two commands.

The rows are written by :mod:`store.outbox`; this module only parses the user's words."""

from __future__ import annotations

import sqlite_utils
from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import auth
from bot.telegram.state import cfg, db_of, ids
from store import lookup, outbox, readmodel


async def admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str) -> bool:
    if auth.is_admin(cfg(context), ids(update)[1]):
        return True
    await update.message.reply_text(f"只有管理员可以{what}。")
    return False


def subscription_scope(db: sqlite_utils.Database, text: str) -> tuple[str, str] | list[str]:
    """(scope, value) that ``text`` names, or candidate agency names when ambiguous."""
    text = "".join(text.split())
    if not text or text in ("全部", "all"):
        return ("all", "")
    regions = readmodel.regions(db)
    found = lookup.find_agencies(db, text)
    if len(found) == 1 and found[0][1] == text:
        return ("agency", text)
    if text in regions or text.endswith(("省", "市", "区", "县", "州", "盟", "旗")):
        return ("region", text)
    if len(found) == 1:
        return ("agency", found[0][1])
    return [name for _, name in found]


async def cmd_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await admin_only(update, context, "订阅提醒"):
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
    if not await admin_only(update, context, "取消订阅"):
        return
    args = " ".join(context.args or [])
    scope = subscription_scope(db_of(context), args) if args else None
    if isinstance(scope, list):
        await update.message.reply_text("没有找到这个订阅。")
        return
    removed = outbox.unsubscribe(db_of(context), update.effective_chat.id, *(scope or (None,)))
    await update.message.reply_text("已取消订阅。" if removed else "本聊天没有这项订阅。")
