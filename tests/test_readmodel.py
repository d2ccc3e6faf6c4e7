"""The shells' read model: one "pending" for ``xxgk status`` and ``/status``, no SQL in the
shells, and the one COMMANDS table behind the bot's handlers, menu and /help."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from telegram.ext import CommandHandler

from bot.telegram import commands, questions, views
from bot.telegram.app import build_application
from cli.main import cli
from store import outbox, readmodel
from store.db import now_iso, open_db, write_transaction
from tests import fakebotapi as fake
from tests.telegram_harness import bot_config, running, wait_for

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(r"\b(select|insert|update|delete) ")
"""The words an SQL statement starts with (lower case, as this project writes SQL)."""


def _alert(db) -> None:
    with write_transaction(db):
        db.execute("insert into outbox (created_at, agency, region, year, text) values (?, '甲', '乙市', 2024, '告警')",
                   [now_iso()])


def _one_of_each_state(db) -> None:
    """Five chats, one alert: pending, sending, unsure, resending and delivered."""
    for chat in range(1, 6):
        outbox.subscribe(db, chat)
    _alert(db)
    outbox.fan_out(db)
    items = {d.chat_id: d for d in outbox.due(db)}
    outbox.claim(db, items[2])  # sending
    outbox.claim(db, items[3])
    outbox.mark_retry(db, items[3], "ReadTimeout", 0, unknown=True)  # unsure
    outbox.claim(db, items[4])
    outbox.mark_retry(db, items[4], "ReadTimeout", 0, unknown=True)
    outbox.claim(db, [d for d in outbox.due(db) if d.chat_id == 4][0])  # resending
    outbox.claim(db, items[5])
    outbox.mark_delivered(db, items[5], 7)


def test_pending_counts_every_delivery_not_yet_accepted(db_path: Path) -> None:
    db = open_db(db_path)
    _one_of_each_state(db)
    assert outbox.counts(db) == {"pending": 1, "sending": 1, "unsure": 1, "resending": 1, "delivered": 1}
    facts = readmodel.status_facts(db)
    assert facts.pending_deliveries == 4 and facts.subscribed_chats == 5
    assert "提醒：待发送 4，已送达 1，失败 0；订阅 5 个聊天" in views.status_text(db, str(db_path))
    db.close()
    shown = CliRunner().invoke(cli, ["--db", str(db_path), "status", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["pending_deliveries"] == 4  # the CLI and the bot agree


def test_no_sql_in_the_shells() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("bot/telegram", "cli")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert offenders == []


def test_help_lists_examples_and_every_documented_command() -> None:
    assert commands.HELP.splitlines()[1] == "· " + questions.EXAMPLES[0]
    for command in commands.COMMANDS:
        assert f"/{command.name}" in commands.HELP or command.name in ("start", "help")


async def test_one_table_registers_handlers_and_publishes_the_menu(db_path: Path, tmp_path: Path) -> None:
    api = fake.FakeBotAPI().start()
    try:
        config = bot_config(api, db_path, tmp_path / "data")
        registered = [
            name for handler in build_application(config).handlers[0] if isinstance(handler, CommandHandler)
            for name in handler.commands
        ]
        assert registered == [c.name for c in commands.COMMANDS]
        async with running(config):
            menu = await wait_for(lambda: api.sent("setMyCommands"))
        published = json.loads(menu[0].params["commands"])
        assert [(c["command"], c["description"]) for c in published] == [(c.name, c.menu) for c in commands.COMMANDS]
    finally:
        api.stop()
