"""The alert delivery job: outbox → subscribed chats, at least once per (alert, chat), and
exactly once except in the window documented in :mod:`store.outbox`, where a possible repeat is
marked :data:`RESENT_PREFIX`.

Each run: fan out new alerts to deliveries, then for every due delivery claim it (committed),
send it, and commit the outcome.  Errors are sorted into
- accepted → ``delivered`` with Telegram's message id;
- RetryAfter → waiting again after Telegram's wait (the attempt is not counted);
- ChatMigrated → stored chat ids rewritten, sent to the new id on the next run;
- 5xx from Telegram, or no connection → waiting again with exponential backoff, ``failed``
  after ``max_attempts``;
- sent but no answer (timeout, connection dropped) → the same, and ``unsure``: Telegram may have
  accepted it, so every later attempt is marked as a possible repeat;
- Forbidden/BadRequest (bot blocked, chat gone) → ``failed`` at once: retrying cannot help.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import dataclass
from datetime import timedelta

import httpx
import sqlite_utils
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from store import outbox

log = logging.getLogger(__name__)


RESENT_PREFIX = "（重发：上次发送结果未知）"
"""Starts an alert sent again after an attempt whose outcome is unknown: it may be a repeat."""
MAX_ALERT_CHARS = 4000
MORE = "\n…（其余内容请用 /check 查看）"


_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures before the request left: Telegram cannot have the message."""


def fit(text: str, limit: int = MAX_ALERT_CHARS) -> str:
    """One message per alert keeps "delivered exactly once" simple: cut what Telegram cannot hold."""
    if len(text) <= limit:
        return text
    return text[: limit - len(MORE)].rsplit("\n", 1)[0] + MORE


def alert_message(item: outbox.Due) -> str:
    """The text to send; marked when an earlier attempt may already have reached the chat."""
    if item.unsure:
        return RESENT_PREFIX + fit(item.text, MAX_ALERT_CHARS - len(RESENT_PREFIX))
    return fit(item.text)


def outcome_unknown(exc: TelegramError) -> bool:
    """True when the request may have reached Telegram but no answer came back.

    PTB raises an error built from Telegram's answer (4xx, 5xx) without a cause, and a transport
    failure ``from`` the httpx exception; of those, only a failure to connect proves the message
    never left."""
    cause = exc.__cause__
    return isinstance(exc, NetworkError) and isinstance(cause, httpx.HTTPError) and not isinstance(cause, _NEVER_SENT)


def retry_seconds(exc: RetryAfter) -> float:
    """Telegram's wait in seconds; PTB 22 returns int or timedelta depending on an opt-in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class DeliveryStats:
    queued: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0


class AlertDelivery:
    """One per application; the lock keeps a slow run and the next tick from overlapping."""

    def __init__(self, db: sqlite_utils.Database, *, max_attempts: int, backoff_base: float) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self._lock = asyncio.Lock()

    def recover(self) -> int:
        """At start-up: rows a previous process left mid-send are sent again, marked as possible repeats."""
        moved = outbox.recover(self.db)
        if moved:
            log.warning("%d alert deliveries were interrupted by a stop; they will be sent again, marked", moved)
        return moved

    async def run(self, bot: Bot) -> DeliveryStats:
        stats = DeliveryStats()
        if self._lock.locked():
            return stats
        async with self._lock:
            stats.queued = outbox.fan_out(self.db)
            for item in outbox.due(self.db):
                await self._deliver(bot, item, stats)
        return stats

    async def _deliver(self, bot: Bot, item: outbox.Due, stats: DeliveryStats) -> None:
        if not outbox.claim(self.db, item):
            return
        try:
            message = await bot.send_message(item.chat_id, alert_message(item))
        except RetryAfter as exc:
            outbox.mark_retry(self.db, item, "RetryAfter", retry_seconds(exc), count=False)
            stats.retried += 1
        except ChatMigrated as exc:
            log.info("chat %s migrated to %s", item.chat_id, exc.new_chat_id)
            outbox.migrate_chat(self.db, item.chat_id, exc.new_chat_id)
            stats.retried += 1
        except (Forbidden, BadRequest) as exc:
            log.warning("alert %s to chat %s refused: %s", item.outbox_id, item.chat_id, exc.message)
            outbox.mark_failed(self.db, item, exc.message)
            stats.failed += 1
        except (NetworkError, TelegramError) as exc:
            self._retry_or_fail(item, exc, stats)
        else:
            outbox.mark_delivered(self.db, item, message.message_id)
            stats.delivered += 1

    def _retry_or_fail(self, item: outbox.Due, exc: TelegramError, stats: DeliveryStats) -> None:
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            log.error("alert %s to chat %s failed %d times: %s", item.outbox_id, item.chat_id, attempts, exc)
            outbox.mark_failed(self.db, item, f"{type(exc).__name__}: {exc.message}")
            stats.failed += 1
            return
        delay = outbox.backoff_seconds(attempts, base=self.backoff_base)
        unknown = outcome_unknown(exc)
        if unknown:
            log.warning("alert %s to chat %s: no answer from Telegram, the retry is marked", item.outbox_id, item.chat_id)
        outbox.mark_retry(self.db, item, f"{type(exc).__name__}: {exc.message}", delay, unknown=unknown)
        stats.retried += 1
