"""``xxgk bot``: run the Telegram bot (long polling, or a webhook when configured)."""

from __future__ import annotations

import sys

import click

from bot.telegram.config import NO_TOKEN_HELP, ConfigError, load_config
from store.db import DEFAULT_DB, StoreError, open_db


@click.command("bot")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="TOML file with bot settings (env vars XXGK_* override it).")
@click.pass_obj
def bot(obj, config_path: str | None) -> None:
    """运行 Telegram 机器人 / run the Telegram bot (token from $XXGK_BOT_TOKEN)."""
    try:
        # --db / $XXGK_DB win over the TOML file; the built-in default does not
        chosen = obj.db_path if obj and obj.db_path != DEFAULT_DB else None
        config = load_config(config_path, db_path=chosen)
    except ConfigError as exc:
        click.echo(f"配置错误 / config error: {exc}", err=True)
        sys.exit(2)
    if not config.token:
        click.echo(NO_TOKEN_HELP, err=True)
        sys.exit(2)
    try:  # the same refusals as every other command: a missing folder, no permission
        open_db(config.db_path, make_dirs=bool(obj and obj.make_dirs)).close()
    except StoreError as exc:
        click.echo(f"配置错误 / config error: {exc}", err=True)
        sys.exit(2)
    from telegram.error import TelegramError

    from bot.telegram.app import run
    from bot.telegram.startup import explain, explain_listen

    try:
        run(config)
    except ConfigError as exc:
        click.echo(f"配置错误 / config error: {exc}", err=True)
        sys.exit(2)
    except TelegramError as exc:  # could not start: one line and its exit code (deploy/README.md)
        failure = explain(exc, config)
        click.echo(failure.message, err=True)
        sys.exit(failure.code)
    except OSError as exc:  # the webhook server could not listen (port taken, no permission)
        listen_failure = explain_listen(exc, config) if config.webhook_url else None
        if listen_failure is None:
            raise
        click.echo(listen_failure.message, err=True)
        sys.exit(listen_failure.code)
