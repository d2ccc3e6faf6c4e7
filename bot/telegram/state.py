"""What every handler reads from the Application: config, database, who sent the update, and
the bounded memories of pages and offered buttons (``bot_data``)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import sqlite_utils
from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.config import BotConfig

MAX_STORED_PAGES = 500


def cfg(context: ContextTypes.DEFAULT_TYPE) -> BotConfig:
    return context.bot_data["config"]


def db_of(context: ContextTypes.DEFAULT_TYPE) -> sqlite_utils.Database:
    return context.bot_data["db"]


def ids(update: Update) -> tuple[int | None, int | None]:
    """(chat id, user id) of an update, either None when Telegram sent none."""
    chat = update.effective_chat
    user = update.effective_user
    return (chat.id if chat else None, user.id if user else None)


def pages(context: ContextTypes.DEFAULT_TYPE) -> OrderedDict[tuple[int | None, int], list[str]]:
    """Pages of long replies by (chat, key): a button pressed in another chat finds nothing."""
    return context.bot_data.setdefault("pages", OrderedDict())


def offers(context: ContextTypes.DEFAULT_TYPE) -> OrderedDict[tuple[int | None, int], frozenset[int]]:
    """Agency ids offered as clarify buttons, by (chat, audit id): a button is honoured only if
    the bot offered it there."""
    return context.bot_data.setdefault("offers", OrderedDict())


def keep(store: OrderedDict, key: Any, value: Any) -> None:
    """Remember ``value``, forgetting the oldest entries beyond :data:`MAX_STORED_PAGES`."""
    store[key] = value
    while len(store) > MAX_STORED_PAGES:
        store.popitem(last=False)
