"""Issue 11: the holes found by attacking the running bot, each proved closed end to end — the
real Application (or the real ``xxgk bot`` process) against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from bot.telegram.delivery import RESENT_PREFIX
from ingest.pipeline import ingest_bytes
from ingest.render.text import text_report
from store import outbox
from store.db import open_db
from tests import fakebotapi as fake
from tests.conftest import ROOT
from tests.hostile import false_header_bomb_docx
from tests.telegram_harness import (
    ADMIN,
    GROUP,
    MEMBER,
    bot_config,
    broken_report,
    figures,
    running,
    settle,
    wait_for,
)

OTHER_MEMBER = 1003


@pytest.fixture
def config(api, db_file, tmp_path):
    return bot_config(api, db_file, tmp_path / "data")


def report(year: int) -> bytes:
    """A clean report of 平潭综合实验区 for ``year`` (every check passes)."""
    data = figures("pingtan-2023")
    data["year"] = year
    return text_report(data).encode("utf-8")


def report_count(db_path: str) -> int:
    db = open_db(db_path)
    try:
        return db.execute("select count(*) from reports").fetchone()[0]
    finally:
        db.close()


# --------------------------------------------------------------------------------------------
# 1. long Chinese file names


async def test_upload_named_with_300_chinese_characters_is_stored_and_ingested(api, config):
    name = ("平潭综合实验区政府信息公开年度报告" * 18)[:300] + ".txt"
    assert len(name.encode()) > 900
    data = report(2012)
    api.add_file("long", data)
    before = report_count(config.db_path)
    async with running(config):
        api.push(fake.document(ADMIN, ADMIN, "long", name, len(data)))
        await wait_for(lambda: any("已导入" in t or "抱歉" in t for t in api.texts(ADMIN)))
        await settle(api)
    assert not any("抱歉" in t for t in api.texts(ADMIN)), api.texts(ADMIN)
    assert any("平潭综合实验区 2012" in t for t in api.texts(ADMIN))
    [stored] = (Path(config.data_dir) / "uploads").iterdir()
    assert len(stored.name.encode()) <= 255 and stored.name.endswith(".txt")
    assert stored.read_bytes() == data
    assert report_count(config.db_path) == before + 1


# --------------------------------------------------------------------------------------------
# 2. a zip bomb whose headers lie, through the upload path


async def test_upload_of_false_header_zip_bomb_is_refused_as_corrupt_without_inflating(api, config, tmp_path):
    data = false_header_bomb_docx(tmp_path / "bomb.docx").read_bytes()
    api.add_file("bomb", data)
    tracemalloc.start()
    try:
        async with running(config):
            api.push(fake.document(ADMIN, ADMIN, "bomb", "平潭2023.docx", len(data)))
            await wait_for(lambda: any("无法导入" in t for t in api.texts(ADMIN)), timeout=30)
            peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    [reply] = [t for t in api.texts(ADMIN) if "无法导入" in t]
    assert "Word 文件损坏或不完整" in reply
    print(f"bot upload of the false-header bomb: traced peak {peak / 2**20:.1f} MB")
    assert peak < 100 * 2**20  # the 300 MB part was never inflated


# --------------------------------------------------------------------------------------------
# 3. an admin's batch upload


async def test_batch_of_12_uploads_gets_12_outcomes_and_12_reports(api, config):
    years = list(range(2008, 2020))
    for year in years:
        data = report(year)
        api.add_file(f"y{year}", data)
    before = report_count(config.db_path)
    async with running(config):
        for year in years:  # all at once, as a phone sends a multi-file selection
            api.push(fake.document(ADMIN, ADMIN, f"y{year}", f"平潭{year}.txt", len(report(year))))
        await wait_for(lambda: sum(t.startswith(("已导入", "无法导入")) for t in api.texts(ADMIN)) >= 12, timeout=90)
        await settle(api)
    outcomes = [t for t in api.texts(ADMIN) if t.startswith(("已导入", "无法导入"))]
    assert len(outcomes) == 12 and all(t.startswith("已导入") for t in outcomes), outcomes
    for year in years:
        assert sum(f"平潭综合实验区 {year} 年" in t for t in outcomes) == 1, year
    assert not any("请稍后再试" in t for t in api.texts(ADMIN))
    assert report_count(config.db_path) == before + 12


async def test_uploads_beyond_a_full_queue_are_each_told_so(api, config, monkeypatch):
    from bot.telegram import uploads

    monkeypatch.setattr(uploads, "MAX_QUEUED_UPLOADS", 2)
    api.add_file("slow", report(2010), delay=1.0)  # keeps the queue full while the rest arrive
    api.add_file("next", report(2011))
    async with running(config):
        api.push(fake.document(ADMIN, ADMIN, "slow", "平潭2010.txt", 100))
        for index in range(4):
            api.push(fake.document(ADMIN, ADMIN, "next", f"第{index}个.txt", 100))
        await wait_for(lambda: sum(t.startswith(("已导入", "无法导入", "未导入")) for t in api.texts(ADMIN)) >= 5)
        await settle(api)
    texts = api.texts(ADMIN)
    assert sum(t.startswith("已导入") for t in texts) == 2
    full = [t for t in texts if t.startswith("未导入")]
    assert len(full) == 3 and all("队列已满" in t for t in full)
    assert any("排队中（前面还有 1 个文件）" in t for t in texts)


async def test_a_file_that_breaks_the_ingest_is_named_and_the_batch_goes_on(api, config, monkeypatch):
    from bot.telegram import uploads

    real = uploads._ingest

    def fragile(db_path: str, name: str, data: bytes):
        if "坏" in name:
            raise RuntimeError("disk on fire")
        return real(db_path, name, data)

    monkeypatch.setattr(uploads, "_ingest", fragile)
    for year in (2010, 2011):
        api.add_file(f"y{year}", report(year))
    async with running(config):
        api.push(fake.document(ADMIN, ADMIN, "y2010", "坏文件.txt", 100))
        api.push(fake.document(ADMIN, ADMIN, "y2011", "平潭2011.txt", 100))
        await wait_for(lambda: any(t.startswith("已导入") for t in api.texts(ADMIN)))
        await settle(api)
    texts = api.texts(ADMIN)
    assert "无法导入 坏文件.txt：处理时出错了，请稍后再试。" in texts and "disk on fire" not in "".join(texts)
    assert any("平潭综合实验区 2011" in t for t in texts)


# --------------------------------------------------------------------------------------------
# 4. one member flooding a group


async def test_one_member_flooding_a_group_does_not_silence_another(api, config):
    flood = f"/ask@{fake.BOT_USERNAME} 平潭综合实验区2023年新收申请多少"
    question = f"/ask@{fake.BOT_USERNAME} 聊城市城市管理局2019年新收到多少政府信息公开申请"
    async with running(config):
        for _ in range(200):
            api.push(fake.message(GROUP, MEMBER, flood))
        asked = time.monotonic()
        api.push(fake.message(GROUP, OTHER_MEMBER, question))
        await wait_for(lambda: any("聊城市城市管理局" in t for t in api.texts(GROUP)), timeout=30)
        latency = time.monotonic() - asked
        await settle(api)
    texts = api.texts(GROUP)
    answered_at = next(i for i, t in enumerate(texts) if "聊城市城市管理局" in t)
    flood_answers = [t for t in texts if "平潭综合实验区" in t]
    busy = [c for c in api.sent("sendMessage", GROUP) if "请稍后再试" in c.params["text"]]
    print(f"other member answered after {latency:.2f} s, behind {answered_at} flood replies")
    # the flood was cut to the member's own burst: the rest was dropped, not queued ahead
    assert len(flood_answers) <= config.rate_capacity
    assert answered_at <= config.rate_capacity + 1
    # the flooder was told once, in a reply to one of their messages
    assert len(busy) == 1 and "reply_parameters" in busy[0].params


# --------------------------------------------------------------------------------------------
# 5. a crash between Telegram accepting an alert and the commit


def _child_env(config, db_path: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "XXGK_BOT_TOKEN": config.token,
        "XXGK_BOT_API": config.api_base,
        "XXGK_DB": db_path,
        "XXGK_ADMINS": str(ADMIN),
        "XXGK_DATA_DIR": config.data_dir,
        "XXGK_ALERT_INTERVAL": "0.2",
    }


def _alerts(api: fake.FakeBotAPI, chat: int) -> list[str]:
    return [t for t in api.texts(chat) if "校验告警" in t]


async def test_alert_repeated_after_kill_9_is_marked_and_none_is_lost(api, config, tmp_path):
    db = open_db(config.db_path)
    for chat in (ADMIN, GROUP):
        outbox.subscribe(db, chat)
    for year in (2024, 2025):
        assert ingest_bytes(db, broken_report(year=year, bump=year - 2020), f"broken-{year}.txt").alert_id
    accepted: list[dict] = []
    child: subprocess.Popen | None = None

    def kill_on_second(params: dict) -> None:
        """Telegram has accepted the message; the sender dies before it hears so."""
        accepted.append(params)
        if len(accepted) == 2 and child is not None:
            os.kill(child.pid, signal.SIGKILL)

    api.on_accept = kill_on_second
    log = tmp_path / "bot.log"
    with log.open("wb") as sink:  # the real `xxgk bot` process
        child = subprocess.Popen([sys.executable, "-c", "from cli.main import main; main()", "bot"],
                                 env=_child_env(config, config.db_path), cwd=ROOT, stdout=sink, stderr=sink)
        try:
            returncode = await asyncio.to_thread(child.wait, 60)
        finally:
            if child.poll() is None:
                child.kill()
    assert returncode == -signal.SIGKILL, log.read_text(errors="replace")[-2000:]
    api.on_accept = None
    assert len(accepted) == 2
    uncertain = (int(accepted[1]["chat_id"]), accepted[1]["text"])
    async with running(config):  # the restart: the real Application recovers and sends the rest

        await wait_for(lambda: len(_alerts(api, ADMIN)) + len(_alerts(api, GROUP)) == 5, timeout=20)
        await settle(api)
    for chat in (ADMIN, GROUP):
        texts = _alerts(api, chat)
        plain = [t.removeprefix(RESENT_PREFIX) for t in texts]
        assert any("2024年" in t for t in plain) and any("2025年" in t for t in plain), chat  # none lost
        for text in set(plain):  # every repeat is marked: the copies after the first carry the prefix
            copies = [t for t in texts if t.removeprefix(RESENT_PREFIX) == text]
            assert all(c.startswith(RESENT_PREFIX) for c in copies[1:]), copies
    resent = [(chat, t) for chat in (ADMIN, GROUP) for t in _alerts(api, chat) if t.startswith(RESENT_PREFIX)]
    assert resent == [(uncertain[0], RESENT_PREFIX + uncertain[1])]
    rows = db.execute("select status from deliveries where status != 'skipped'").fetchall()
    assert len(rows) == 4 and all(r[0] == "delivered" for r in rows)


async def test_alert_whose_answer_was_lost_is_resent_marked(api, config):
    """Telegram accepted the message but the connection closed before the answer: the retry
    says it may be a repeat (a 500, where Telegram said no, is not marked: test_telegram_bot)."""
    db = open_db(config.db_path)
    outbox.subscribe(db, ADMIN)
    assert ingest_bytes(db, broken_report(year=2024), "broken-2024.txt").alert_id
    assert ingest_bytes(db, broken_report(year=2025, bump=3), "broken-2025.txt").alert_id
    api.fail_send(1, "hangup")
    async with running(config):
        await wait_for(lambda: len(_alerts(api, ADMIN)) == 3)
        api.fail_send(0)
        await settle(api)
    texts = _alerts(api, ADMIN)
    [again] = [t for t in texts if t.startswith(RESENT_PREFIX)]
    first = again.removeprefix(RESENT_PREFIX)
    assert "2024年" in first and texts.index(first) < texts.index(again)
    [other] = [t for t in texts if t not in (first, again)]
    assert "2025年" in other


# --------------------------------------------------------------------------------------------
# also: clarify buttons carry only what was offered; a group upgraded to a supergroup


async def test_clarify_button_naming_an_agency_never_offered_is_refused(api, config):
    async with running(config) as app:
        api.push(fake.message(MEMBER, MEMBER, "城市管理局2019年新收到多少申请"))
        await wait_for(lambda: api.sent("sendMessage", MEMBER))
        markup = json.loads(api.sent("sendMessage", MEMBER)[0].params["reply_markup"])
        offered = [row[0]["callback_data"] for row in markup["inline_keyboard"]]
        audit_id = int(offered[0].split(":")[1])
        offered_ids = {int(d.split(":")[2]) for d in offered}
        db = app.bot_data["db"]
        stranger_id = next(r[0] for r in db.execute("select id from agencies order by id") if r[0] not in offered_ids)
        api.push(fake.callback(MEMBER, MEMBER, f"cl:{audit_id}:{stranger_id}"))
        await wait_for(lambda: api.sent("answerCallbackQuery"))
        await settle(api)
        assert not api.sent("editMessageText")
        api.push(fake.callback(MEMBER, MEMBER, offered[0]))  # an offered one still works
        await wait_for(lambda: api.sent("editMessageText"))
    refusal = api.sent("answerCallbackQuery")[0].params
    assert "过期" in refusal.get("text", "") or "无效" in refusal.get("text", "")


async def test_group_upgraded_to_supergroup_moves_its_subscriptions_at_once(api, config):
    old, new = -500, -1001500
    async with running(config) as app:
        db = app.bot_data["db"]
        outbox.subscribe(db, old)
        outbox.subscribe(db, old, "agency", "平潭综合实验区")
        service = {"message_id": 77, "date": int(time.time()), "chat": {"id": old, "type": "group", "title": "测试群"},
                   "from": fake.user(ADMIN), "migrate_to_chat_id": new}
        api.push({"message": service})
        await settle(api)
        assert outbox.subscriptions_of(db, old) == []
        assert sorted(outbox.subscriptions_of(db, new)) == [("agency", "平潭综合实验区"), ("all", "")]
    assert not api.texts(old) and not api.texts(new)
