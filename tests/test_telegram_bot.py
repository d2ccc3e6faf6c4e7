"""End to end: the real telegram.ext.Application against the fake Bot API (tests/fakebotapi.py),
on a real SQLite database filled by the real ingest pipeline."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import pytest

from bot.telegram.delivery import RESENT_PREFIX
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
    settle,
    wait_for,
)

PINGTAN_NEW = "平潭综合实验区2023年本年新收政府信息公开申请：81 件。"
"""The answer's first line to 平潭综合实验区2023年新收申请多少."""


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
        for handler in logging.getLogger().handlers:
            handler.removeFilter(guard)
    assert all(config.token not in r.getMessage() for r in caplog.records)
    probes = [r.getMessage() for r in caplog.records if r.name == "probe"]
    assert probes == [f"url {config.api_base}/bot<token>/getMe"]  # redacted, not dropped
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


async def test_legacy_word_upload_is_taken_and_refused_with_what_to_do(api, config, monkeypatch):
    """A .doc is an accepted upload; where LibreOffice may not run, the admin is told to save it as .docx or PDF."""
    from ingest.readers.office import OLE_MAGIC

    monkeypatch.setenv("XXGK_SOFFICE", "off")
    api.add_file("doc", OLE_MAGIC + bytes(2048))
    async with running(config):
        api.push(fake.document(ADMIN, ADMIN, "doc", "平潭2023.doc", 2056))
        await wait_for(lambda: any("无法导入" in t for t in api.texts(ADMIN)))
        await settle(api)
    [reply] = [t for t in api.texts(ADMIN) if "无法导入" in t]
    assert "另存为 .docx 或 PDF" in reply and not any("只接受" in t for t in api.texts(ADMIN))


async def test_private_question_answered_with_source_and_audited(api, config):
    async with running(config):
        api.push(fake.message(MEMBER, MEMBER, "平潭综合实验区2023年新收申请多少"))
        await wait_for(lambda: api.texts(MEMBER))
    reply = api.texts(MEMBER)[0]
    assert reply.startswith(PINGTAN_NEW) and "来源" in reply and "pingtan-2023.txt" in reply
    db = open_db(config.db_path)
    row = db.execute("select chat_id, user_id, status, cells from audit where shell = 'telegram'").fetchone()
    assert row[:3] == (MEMBER, MEMBER, "answer") and "requests.new.total" in row[3]


async def test_group_addressed_by_command_mention_or_reply(api, config):
    async with running(config):
        api.push(fake.message(GROUP, MEMBER, f"/ask@{fake.BOT_USERNAME} 平潭综合实验区2023年新收申请多少"))
        await wait_for(lambda: len(api.texts(GROUP)) == 1)
        api.push(fake.message(GROUP, MEMBER, f"@{fake.BOT_USERNAME} 平潭综合实验区2023年新收申请多少"))
        await wait_for(lambda: len(api.texts(GROUP)) == 2)
        bot_message = {"message_id": 5, "date": 0, "chat": fake.chat(GROUP), "text": "…",
                       "from": {"id": fake.BOT_ID, "is_bot": True, "first_name": "xxgk"}}
        api.push(fake.message(GROUP, MEMBER, "平潭综合实验区2023年新收申请多少", reply_to_message=bot_message))
        api.push(fake.message(GROUP, MEMBER, "平潭综合实验区2023年新收申请多少"))  # not addressed
        await settle(api)
    texts = api.texts(GROUP)
    assert len(texts) == 3 and all(t.startswith(PINGTAN_NEW) for t in texts)


async def test_clarify_button_answers_original_question(api, config):
    async with running(config):
        api.push(fake.message(MEMBER, MEMBER, "城市管理局2019年新收到多少申请"))
        await wait_for(lambda: api.sent("sendMessage", MEMBER))
        call = api.sent("sendMessage", MEMBER)[0]
        buttons = [row[0] for row in json.loads(call.params["reply_markup"])["inline_keyboard"]]
        chosen = next(b for b in buttons if b["text"] == "聊城市城市管理局")
        assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
        api.push(fake.callback(MEMBER, MEMBER, chosen["callback_data"]))
        await wait_for(lambda: api.sent("editMessageText"))
        await settle(api)
    edited = api.sent("editMessageText")[0].params["text"]
    assert edited.startswith("聊城市城市管理局2019年本年新收政府信息公开申请：2 件") and "来源" in edited
    assert api.sent("answerCallbackQuery")


async def test_trend_chart_export_agency_check_and_paging(api, config):
    from dataclasses import replace

    from ingest.pipeline import ingest_bytes
    from ingest.render.text import text_report
    from tests.telegram_harness import figures

    later = figures("pingtan-2023")
    later["year"] = 2024
    assert ingest_bytes(open_db(config.db_path), text_report(later).encode(), "pingtan-2024.txt").ok
    async with running(replace(config, page_lines=5)):
        for text in ("/trend 平潭综合实验区 新收申请", "/export 平潭综合实验区 2023", "/agency 上海市人民政府办公厅",
                     "/check 上海市人民政府办公厅 2019"):
            api.push(fake.message(ADMIN, ADMIN, text))
        await wait_for(lambda: len(api.sent("sendMessage", ADMIN)) >= 2 and api.sent("sendDocument")
                       and api.sent("sendPhoto"))
        await settle(api)
        paged = next(c for c in api.sent("sendMessage", ADMIN) if "reply_markup" in c.params)
        data = json.loads(paged.params["reply_markup"])["inline_keyboard"][0][0]["callback_data"]
        api.push(fake.callback(ADMIN, ADMIN, data))
        await wait_for(lambda: api.sent("editMessageText"))
    photo = api.sent("sendPhoto")[0]
    assert photo.files["photo"].startswith(b"\x89PNG") and "2023年：81" in photo.params["caption"]
    document = api.sent("sendDocument")[0]
    csv_text = document.files["document"].decode("utf-8-sig")
    assert csv_text.startswith("key,table,row,column") and "requests.new.total" in csv_text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == 200 and all(json.loads(r["provenance"])["line"] > 0 for r in rows)  # provenance of every cell
    texts = api.texts(ADMIN)
    assert any("上海市人民政府办公厅：共 1 份" in t for t in texts)
    assert any("（第 1/" in t for t in texts)
    assert "（第 2/" in api.sent("editMessageText")[0].params["text"]


async def test_delivery_survives_restart_while_telegram_fails(api, config):
    from ingest.pipeline import ingest_bytes

    db = open_db(config.db_path)
    for chat in (ADMIN, GROUP):
        outbox.subscribe(db, chat)
    alerts = [ingest_bytes(db, broken_report(year=year, bump=year - 2020), f"broken-{year}.txt").alert_id
              for year in (2024, 2025)]
    assert all(alerts)
    api.fail_send(3, "500")

    def alert_texts(chat: int) -> list[str]:
        return [t for t in api.texts(chat) if "校验告警" in t]

    async with running(config):
        await wait_for(lambda: alert_texts(ADMIN) or alert_texts(GROUP))
    # stopped mid-way: something delivered, not everything; Telegram fails again for a while
    assert len(alert_texts(ADMIN)) + len(alert_texts(GROUP)) < 4
    api.fail_send(2, "500")
    async with running(config):
        await wait_for(lambda: len(alert_texts(ADMIN)) + len(alert_texts(GROUP)) == 4)
        await settle(api)
    for chat in (ADMIN, GROUP):
        texts = alert_texts(chat)
        assert len(texts) == 2 and len(set(texts)) == 2, chat
        assert any("2024年" in t for t in texts) and any("2025年" in t for t in texts)
        assert not any(t.startswith(RESENT_PREFIX) for t in texts)  # a 500 is a known "not sent"
    failures = [c for c in api.calls if c.method == "sendMessage" and not c.ok]
    assert len(failures) == 5
    rows = db.execute("select status, telegram_message_id from deliveries where status != 'skipped'").fetchall()
    assert len(rows) == 4 and all(status == "delivered" and mid for status, mid in rows)


async def test_internal_error_replies_without_leaking_and_bot_continues(api, config, caplog):
    async with running(config) as app:
        healthy = app.bot_data["db"]
        broken = open_db(config.db_path)
        broken.close()  # every query now raises sqlite3.ProgrammingError
        app.bot_data["db"] = broken
        api.push(fake.message(ADMIN, ADMIN, "/status"))
        await wait_for(lambda: api.texts(ADMIN))
        app.bot_data["db"] = healthy
        api.push(fake.message(ADMIN, ADMIN, "/status"))
        await wait_for(lambda: len(api.texts(ADMIN)) == 2)
    first, second = api.texts(ADMIN)
    assert first.startswith("抱歉") and "sqlite" not in first.lower() and "Error" not in first
    assert "报告" in second
    assert any(r.levelname == "ERROR" and "error handling update" in r.getMessage() for r in caplog.records)
