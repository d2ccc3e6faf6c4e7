"""Build and run the Telegram Application (python-telegram-bot 22).

:func:`build_application` wires config, database, handlers and the alert job into a real
``telegram.ext.Application``; tests and the benchmark drive exactly this object against a fake
Bot API.  :func:`run` adds the process concerns: logging without the token, polling or webhook.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from urllib.parse import urlparse

import sqlite_utils
from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram import commands, gate, logsafe, questions, startup, uploads
from bot.telegram.config import BotConfig, ConfigError
from bot.telegram.delivery import AlertDelivery
from store.db import open_db

log = logging.getLogger(__name__)

def build_application(config: BotConfig, db: sqlite_utils.Database | None = None) -> Application:
    """The real Application, not started.  ``db`` defaults to ``open_db(config.db_path)``."""
    if not config.token:
        raise ConfigError("no token")
    api = config.api_base.rstrip("/")
    limiter = AIORateLimiter(
        overall_max_rate=config.flood_overall_per_second,
        group_max_rate=config.flood_group_per_minute,
        max_retries=2,
    )
    app = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .rate_limiter(limiter)
        .post_init(_post_init)
        .build()
    )
    db = db or open_db(config.db_path)
    app.bot_data.update(
        config=config,
        db=db,
        delivery=AlertDelivery(db, max_attempts=config.alert_max_attempts, backoff_base=config.alert_backoff_base),
        limiter=gate.new_limiter(config),
        pages=OrderedDict(),
    )
    _add_handlers(app)
    app.job_queue.run_repeating(commands.deliver_alerts, interval=config.alert_interval, first=0.2, name="alerts")
    return app


def _add_handlers(app: Application) -> None:
    app.add_handler(TypeHandler(Update, gate.gatekeeper), group=-1)
    for command in commands.COMMANDS:
        app.add_handler(CommandHandler(command.name, command.callback))
    app.add_handler(MessageHandler(filters.Document.ALL, uploads.on_document, block=False))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, questions.on_text))
    app.add_handler(CallbackQueryHandler(questions.on_callback))
    app.add_error_handler(commands.on_error)


async def _post_init(app: Application) -> None:
    """After getMe: resend what a previous process left mid-delivery, read the whole agency index
    (the first questions need not wait for its parts), publish the command menu."""
    app.bot_data["delivery"].recover()
    _warm_index(app.bot_data["db"])
    try:
        await app.bot.set_my_commands([BotCommand(c.name, c.menu) for c in commands.COMMANDS])
    except Exception as exc:  # the menu is a convenience; the bot works without it
        log.warning("setMyCommands failed: %s", exc)


def _warm_index(db: sqlite_utils.Database) -> None:
    """Load the agency index and every stored part of it, once, before the first update."""
    from store.identity import persisted

    started = time.perf_counter()
    index = persisted.preload(db)
    if index is None:
        log.warning("agency index not preloaded: answers read it as they need it")
        return
    log.info("agency index ready: %d agencies in %.0f ms", len(index.entries), (time.perf_counter() - started) * 1000)


def run(config: BotConfig) -> None:
    """Run until interrupted: webhook when ``webhook_url`` is set, long polling otherwise."""
    logsafe.install(config.token)
    startup.quiet_bootstrap_tracebacks()  # a failed start is one line from `xxgk bot`, not a traceback
    app = build_application(config)
    log.info("xxgk bot starting (database %s, %s)", config.db_path, "webhook" if config.webhook_url else "polling")
    if not (config.public or config.allowed_chats or config.allowed_users):
        log.warning("allowlist is empty and XXGK_PUBLIC is off: only admins (%d) will get answers", len(config.admins))
    if config.webhook_url:
        if not config.webhook_secret:
            raise ConfigError("webhook 模式需要 XXGK_WEBHOOK_SECRET / webhook mode needs a secret token")
        app.run_webhook(
            listen=config.listen,
            port=config.port,
            url_path=urlparse(config.webhook_url).path.lstrip("/"),
            webhook_url=config.webhook_url,
            secret_token=config.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
