"""End to end: the real telegram.ext.Application against the fake Bot API (tests/fakebotapi.py),
on a real SQLite database filled by the real ingest pipeline."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from store import outbox
from store.db import open_db
from tests import fakebotapi as fake
from tests.telegram_harness import (
    ADMIN,
    GROUP,
    MEMBER,
    STRANGER,
    bot_config,
    broken_report,
    running,
    sample_db,
    settle,
    wait_for,
)


@pytest.fixture
def api():
    server = fake.FakeBotAPI().start()
    yield server
    server.stop()


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return sample_db(tmp_path / "bot.db")


@pytest.fixture
def config(api, db_file, tmp_path):
    return bot_config(api, db_file, tmp_path / "data")


async def test_group_chatter_ignored_and_addressed_command_answered(api, config):
    async with running(config):
        api.push(fake.message(GROUP, MEMBER, "大家好，今天开会"))
        api.push(fake.message(GROUP, MEMBER, "/help@some_other_bot"))
        api.push(fake.message(GROUP, MEMBER, f"/help@{fake.BOT_USERNAME}"))
        await settle(api)
    texts = api.texts(GROUP)
    assert len(texts) == 1 and "/agency" in texts[0]


async def test_stranger_refused_once_and_logged(api, config, caplog):
    caplog.set_level(logging.WARNING)
    async with running(config):
        for _ in range(3):
            api.push(fake.message(STRANGER, STRANGER, "平潭综合实验区2023年新收申请多少"))
        await settle(api)
    texts = api.texts(STRANGER)
    assert len(texts) == 1 and "授权" in texts[0]
    db = open_db(config.db_path)
    assert db.execute("select count(*) from audit where status = 'refused' and chat_id = ?", [STRANGER]).fetchone()[0] == 1
    assert any("refused chat" in r.getMessage() for r in caplog.records)


async def test_flood_of_200_is_rate_limited_without_crash(api, config):
    async with running(config):
        for _ in range(200):
            api.push(fake.message(MEMBER, MEMBER, "/help"))
        await settle(api)
        texts = api.texts(MEMBER)
        assert len(texts) == config.rate_capacity + 1
        assert sum("请稍后再试" in t for t in texts) == 1
        # another chat is unaffected and the bot still works
        api.push(fake.message(ADMIN, ADMIN, "/status"))
        await wait_for(lambda: api.texts(ADMIN))
    assert "报告" in api.texts(ADMIN)[0]


async def test_token_never_logged(api, config, caplog):
    caplog.set_level(logging.DEBUG)
    from bot.telegram import logsafe

    guard = logsafe.install(config.token)
    logging.getLogger().addFilter(guard)
    try:
        async with running(config):
            api.push(fake.message(MEMBER, MEMBER, "/help"))
            await wait_for(lambda: api.texts(MEMBER))
            logging.getLogger("probe").warning("url %s/bot%s/getMe", config.api_base, config.token)
    finally:
        logging.getLogger().removeFilter(guard)
    assert all(config.token not in r.getMessage() for r in caplog.records)
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


async def test_upload_failing_checks_alerts_every_subscribed_chat_once(api, config):
    data = broken_report()
    api.add_file("f1", data)
    async with running(config) as app:
        api.push(fake.message(ADMIN, ADMIN, "/subscribe"))
        api.push(fake.message(GROUP, ADMIN, "/subscribe@" + fake.BOT_USERNAME + " 平潭综合实验区"))
        api.push(fake.message(MEMBER, MEMBER, "/subscribe"))  # not an admin: refused
        await settle(api)
        api.push(fake.document(ADMIN, ADMIN, "f1", "../../etc/平潭2024.txt", len(data)))
        await wait_for(lambda: any("未通过校验" in t for t in api.texts(ADMIN)))
        await wait_for(lambda: [t for t in api.texts(GROUP) if "校验告警" in t])
        await settle(api)
        # more delivery runs change nothing
        await app.bot_data["delivery"].run(app.bot)
    reply = next(t for t in api.texts(ADMIN) if "未通过校验" in t)
    assert "平潭综合实验区 2024" in reply and "读取单元格" in reply
    for chat in (ADMIN, GROUP):
        assert sum("校验告警" in t for t in api.texts(chat)) == 1, chat
    assert not any("校验告警" in t for t in api.texts(MEMBER))
    assert "只有管理员" in api.texts(MEMBER)[0]
    uploads = list((Path(config.data_dir) / "uploads").iterdir())
    assert len(uploads) == 1 and uploads[0].name.endswith("平潭2024.txt")
    db = open_db(config.db_path)
    states = outbox.counts(db)
    assert states["delivered"] == 2 and not states.get("pending") and not states.get("sending")


async def test_upload_refused_for_non_admin_and_unreadable_file(api, config):
    api.add_file("bad", b"\x00\x01 not a report")
    async with running(config):
        api.push(fake.document(MEMBER, MEMBER, "bad", "x.txt", 20))
        api.push(fake.document(ADMIN, ADMIN, "bad", "x.exe", 20))
        api.push(fake.document(ADMIN, ADMIN, "bad", "big.pdf", 50 * 1024 * 1024))
        api.push(fake.document(ADMIN, ADMIN, "bad", "x.txt", 20))
        await wait_for(lambda: any("无法导入" in t for t in api.texts(ADMIN)))
        await settle(api)
    assert "只有管理员" in api.texts(MEMBER)[0]
    texts = api.texts(ADMIN)
    assert any("只接受" in t for t in texts) and any("文件过大" in t for t in texts)
    assert sum(t.startswith("无法导入") for t in texts) == 1
