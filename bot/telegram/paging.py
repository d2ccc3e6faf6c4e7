"""Long replies in pages: the first page is sent with ◀ ▶ buttons, the rest kept (bounded)
by (chat, key) until a button asks for them."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.telegram import render
from bot.telegram.state import cfg, ids, keep, pages


async def reply_paged(message: Message, context: ContextTypes.DEFAULT_TYPE, key: int, text: str) -> None:
    """Reply with the first page of ``text``; its buttons carry ``key``."""
    kept = remember(context, message.chat_id, key, text)
    await message.reply_text(render.with_footer(kept, 0), reply_markup=render.page_keyboard(key, 0, len(kept)))


def local_key(context: ContextTypes.DEFAULT_TYPE) -> int:
    """A page key for replies without an audit row (negative, so never an audit id)."""
    context.bot_data["local_keys"] = context.bot_data.get("local_keys", 0) - 1
    return context.bot_data["local_keys"]


def remember(context: ContextTypes.DEFAULT_TYPE, chat_id: int | None, key: int, text: str) -> list[str]:
    """``text`` cut into pages; kept for the buttons when there is more than one."""
    cut = render.paginate(text, cfg(context).page_lines)
    if len(cut) > 1:
        keep(pages(context), (chat_id, key), cut)
    return cut


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE, key: int, index: int) -> None:
    """A ``pg:<key>:<page>`` button: show that page, or say it expired."""
    query = update.callback_query
    kept = pages(context).get((ids(update)[0], key))
    if not kept or not 0 <= index < len(kept):
        await query.answer("内容已过期，请重新提问。", show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(render.with_footer(kept, index), reply_markup=render.page_keyboard(key, index, len(kept)))
