"""Who may talk to the bot, and who may change things (uploads, subscriptions)."""

from __future__ import annotations

from bot.telegram.config import BotConfig


def is_admin(config: BotConfig, user_id: int | None) -> bool:
    return user_id is not None and user_id in config.admins


def is_allowed(config: BotConfig, chat_id: int | None, user_id: int | None) -> bool:
    """Admins always; everyone when the bot is configured public; else the chat or the user must be on the allowlist."""
    if is_admin(config, user_id):
        return True
    if config.open_to_all:
        return True
    return (chat_id is not None and chat_id in config.allowed_chats) or (
        user_id is not None and user_id in config.allowed_users
    )
