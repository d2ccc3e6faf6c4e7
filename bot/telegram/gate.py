"""The gate before every handler (group -1): addressed to us? allowed? within the rate?

:func:`gatekeeper` moves subscriptions when a group becomes a supergroup, drops group chatter
not addressed to the bot, refuses strangers once, and applies the rate limit per sender (and
per group); an admin's report file passes unlimited (:mod:`.uploads` queues it).
"""

from __future__ import annotations

import logging

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.telegram import auth, views
from bot.telegram.config import BotConfig
from bot.telegram.ratelimit import ChatRateLimiter
from bot.telegram.state import cfg, db_of, ids
from store import outbox

log = logging.getLogger(__name__)

BUSY = "请稍后再试：消息太多了。"
BUSY_MEMBER = "{name}，请稍后再试：您的消息太多了（其他成员的问题照常回答）。"
BUSY_GROUP = "请稍后再试：本群消息太多了。"
REFUSAL = "抱歉，本机器人仅对授权的聊天开放。如需使用请联系管理员。"


def new_limiter(config: BotConfig) -> ChatRateLimiter:
    return ChatRateLimiter(config.rate_capacity, config.rate_per_second)


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
    chat_id, user_id = ids(update)
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
