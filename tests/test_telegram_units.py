"""The Telegram shell's parts without the Application: delivery states in SQLite, delivery
against the fake Bot API's failure modes, rate limiting, file names, config, log redaction."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from telegram import Bot
from telegram.error import NetworkError, TelegramError, TimedOut

from bot.telegram import logsafe, render
from bot.telegram.config import ConfigError, load_config
from bot.telegram.delivery import RESENT_PREFIX, AlertDelivery, alert_message, fit, outcome_unknown
from bot.telegram.ratelimit import GROUP_SHARE, ChatRateLimiter
from bot.telegram.uploads import safe_name, upload_path
from store import outbox
from store.db import now_iso, open_db, write_transaction
from tests import fakebotapi as fake

os.environ["NO_PROXY"] = "127.0.0.1,localhost"


def add_alert(db, agency: str = "聊城市城市管理局", region: str = "聊城市", text: str = "告警") -> int:
    with write_transaction(db):
        cur = db.execute(
            "insert into outbox (created_at, agency, region, year, text) values (?, ?, ?, 2024, ?)",
            [now_iso(), agency, region, text],
        )
        return int(cur.lastrowid)


def states(db) -> dict[tuple[int, int], str]:
    return {(o, c): s for o, c, s in db.execute("select outbox_id, chat_id, status from deliveries")}


def test_subscribe_skips_history_and_scopes_match(db_path: Path) -> None:
    db = open_db(db_path)
    old = add_alert(db)
    outbox.subscribe(db, 1)
    outbox.subscribe(db, 2, "region", "聊城市")
    outbox.subscribe(db, 3, "agency", "淄博市城市管理局")
    new = add_alert(db)
    other = add_alert(db, "淄博市城市管理局", "淄博市")
    assert outbox.fan_out(db) == 4
    assert outbox.fan_out(db) == 0  # idempotent
    got = states(db)
    assert got[(old, 1)] == "skipped" and got[(new, 1)] == "pending" and got[(other, 1)] == "pending"
    assert got[(new, 2)] == "pending" and (other, 2) not in got
    assert got[(other, 3)] == "pending" and (new, 3) not in got
    outbox.unsubscribe(db, 2)
    assert states(db)[(new, 2)] == "cancelled"
    assert outbox.fan_out(db) == 0


def test_fan_out_joins_only_alerts_newer_than_the_last_one(db_path: Path) -> None:
    """A tick must not re-scan the whole outbox; the marker survives a restart."""
    db = open_db(db_path)
    outbox.subscribe(db, 1)
    first = [add_alert(db) for _ in range(3)]
    assert outbox.fan_out(db) == 3
    db.execute("delete from deliveries where outbox_id = ?", [first[0]])  # would come back on a full scan
    db.conn.commit()
    db = open_db(db_path)  # a restarted bot
    later = add_alert(db)
    assert outbox.fan_out(db) == 1
    got = states(db)
    assert (first[0], 1) not in got and got[(later, 1)] == "pending"
    marker = db.execute("select value from meta where key = ?", [outbox.FANNED_OUT_THROUGH]).fetchone()[0]
    assert int(marker) == later


def test_claim_is_exclusive_and_recover_resends_interrupted(db_path: Path) -> None:
    db = open_db(db_path)
    outbox.subscribe(db, 1)
    add_alert(db)
    outbox.fan_out(db)
    [item] = outbox.due(db)
    assert outbox.claim(db, item) and not outbox.claim(db, item)
    assert outbox.due(db) == []
    assert outbox.recover(db) == 1  # the process died between claim and mark
    assert [(d.chat_id, d.unsure) for d in outbox.due(db)] == [(1, True)]


def test_unsure_stays_unsure_until_delivered(db_path: Path) -> None:
    """Once an attempt's outcome is unknown, every later attempt is a possible repeat: a retry
    after a 500, or another crash, keeps the row ``unsure``; only delivery ends it."""
    db = open_db(db_path)
    outbox.subscribe(db, 1)
    add_alert(db)
    outbox.fan_out(db)
    [item] = outbox.due(db)
    assert not item.unsure and outbox.claim(db, item)
    outbox.mark_retry(db, item, "500", 0)  # Telegram said no: known, still plain
    [item] = outbox.due(db)
    assert not item.unsure and outbox.claim(db, item)
    outbox.mark_retry(db, item, "ReadTimeout", 0, unknown=True)  # no answer: may have arrived
    [item] = outbox.due(db)
    assert item.unsure and outbox.claim(db, item) and states(db)[(1, 1)] == "resending"
    outbox.mark_retry(db, item, "500", 0)
    [item] = outbox.due(db)
    assert item.unsure and outbox.claim(db, item)
    assert outbox.recover(db) == 1 and outbox.due(db)[0].unsure  # a crash while resending
    assert outbox.undelivered_alerts(db) == 1
    [item] = outbox.due(db)
    assert outbox.claim(db, item)
    outbox.mark_delivered(db, item, 99)
    assert states(db) == {(1, 1): "delivered"} and outbox.undelivered_alerts(db) == 0


def test_unsubscribe_cancels_unsure_deliveries_too(db_path: Path) -> None:
    db = open_db(db_path)
    outbox.subscribe(db, 1)
    add_alert(db)
    outbox.fan_out(db)
    [item] = outbox.due(db)
    outbox.claim(db, item)
    outbox.recover(db)
    outbox.unsubscribe(db, 1)
    assert states(db) == {(1, 1): "cancelled"} and outbox.due(db) == []


def test_alert_message_marks_a_possible_repeat_and_still_fits() -> None:
    text = "\n".join(f"{i}. " + "校验" * 50 for i in range(200))
    item = outbox.Due(1, 1, 1, text, "机关", 2024, unsure=True)
    assert alert_message(item).startswith(RESENT_PREFIX) and len(alert_message(item)) <= 4000
    assert alert_message(outbox.Due(1, 1, 0, "短", "机关", 2024)) == "短"


def test_outcome_unknown_only_when_the_request_may_have_arrived() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/")

    def raised(exc: TelegramError, cause: BaseException | None) -> TelegramError:
        exc.__cause__ = cause
        return exc

    assert outcome_unknown(raised(TimedOut(), httpx.ReadTimeout("read", request=request)))
    assert outcome_unknown(raised(NetworkError("x"), httpx.RemoteProtocolError("gone", request=request)))
    assert not outcome_unknown(raised(NetworkError("x"), httpx.ConnectError("refused", request=request)))
    assert not outcome_unknown(raised(TimedOut(), httpx.PoolTimeout("pool")))
    assert not outcome_unknown(raised(NetworkError("Internal Server Error (500)"), None))  # Telegram answered


def test_backoff_doubles_and_is_capped() -> None:
    assert [outbox.backoff_seconds(n, base=2) for n in (1, 2, 3)] == [2, 4, 8]
    assert outbox.backoff_seconds(50, base=2, cap=600) == 600


async def _run(db, api, **kwargs) -> None:
    delivery = AlertDelivery(db, max_attempts=kwargs.get("max_attempts", 5), backoff_base=0.0)
    async with Bot(fake.TOKEN, base_url=f"{api.base}/bot", base_file_url=f"{api.base}/file/bot") as bot:
        return await delivery.run(bot)


async def test_retry_after_is_respected_and_not_counted(db_path: Path, api) -> None:
    db = open_db(db_path)
    outbox.subscribe(db, 1)
    add_alert(db)
    api.fail_send(1, "429", retry_after=30)
    stats = await _run(db, api)
    assert stats.retried == 1
    attempts, next_at, status = db.execute("select attempts, next_attempt_at, status from deliveries").fetchone()
    assert (attempts, status) == (0, "pending") and next_at > now_iso()
    assert outbox.due(db) == []  # not before Telegram's wait is over


async def test_server_errors_back_off_then_fail_after_max_attempts(db_path: Path, api) -> None:
    db = open_db(db_path)
    outbox.subscribe(db, 1)
    add_alert(db)
    api.fail_send(10, "500")
    for _ in range(3):
        await _run(db, api, max_attempts=3)
    status, attempts, error = db.execute("select status, attempts, last_error from deliveries").fetchone()
    assert (status, attempts) == ("failed", 3) and "Internal Server Error" in error


async def test_blocked_bot_fails_at_once(db_path: Path, api) -> None:
    db = open_db(db_path)
    outbox.subscribe(db, 1)
    add_alert(db)
    api.fail_send(1, "403")
    stats = await _run(db, api)
    assert stats.failed == 1 and outbox.counts(db) == {"failed": 1}


async def test_chat_migration_rewrites_ids_and_delivers_to_new_chat(db_path: Path, api) -> None:
    db = open_db(db_path)
    outbox.subscribe(db, -42)
    add_alert(db, text="迁移后的告警")
    api.fail_send(1, "migrate", new_chat_id=-1004242)
    await _run(db, api)
    await _run(db, api)
    assert outbox.subscriptions_of(db, -1004242) == [("all", "")] and outbox.subscriptions_of(db, -42) == []
    assert api.texts(-1004242) == ["迁移后的告警"] and api.texts(-42) == []
    assert outbox.counts(db) == {"delivered": 1}


def test_long_alert_fits_one_message() -> None:
    text = "\n".join(f"{i}. " + "校验" * 50 for i in range(200))
    assert len(fit(text)) <= 4000 and fit(text).endswith("/check 查看）") and fit("短") == "短"


def test_rate_limiter_bounds_a_flood() -> None:
    now = [0.0]
    limiter = ChatRateLimiter(capacity=5, rate=1.0, clock=lambda: now[0])
    verdicts = [limiter.check(7) for _ in range(200)]
    assert verdicts.count("ok") == 5 and verdicts.count("warn") == 1
    assert limiter.check(8) == "ok"  # other chats unaffected
    now[0] += 2.0
    assert limiter.check(7) == "ok"


def test_rate_limiter_in_a_group_limits_the_member_not_the_others() -> None:
    now = [0.0]
    limiter = ChatRateLimiter(capacity=5, rate=1.0, clock=lambda: now[0])
    flood = [limiter.check(-100, 1) for _ in range(200)]
    assert flood.count("ok") == 5 and flood.count("warn") == 1 and flood.count("drop") == 194
    assert [limiter.check(-100, member) for member in (2, 3)] == ["ok", "ok"]
    # the group's own bucket (GROUP_SHARE members' worth) caps many members at once, said once
    many = [limiter.check(-100, member) for member in range(10, 40)]
    group_burst = int(5 * GROUP_SHARE)
    assert many.count("ok") == group_burst - 7 and many.count("warn-chat") == 1
    assert set(many[group_burst - 6:]) == {"drop-chat"}


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\boot.ini", "/abs/x.pdf", "a/../../b.txt", "..", "\x00"])
def test_upload_names_cannot_escape(tmp_path: Path, name: str) -> None:
    path = upload_path(str(tmp_path), name)
    assert path.parent == (tmp_path / "uploads").resolve()
    assert "/" not in safe_name(name) and ".." not in safe_name(name)


def test_safe_name_keeps_chinese_and_suffix() -> None:
    assert safe_name("聊城市 2019年 报告.pdf") == "聊城市_2019年_报告.pdf"
    assert safe_name("x" * 300 + ".docx").endswith(".docx")


@pytest.mark.parametrize("name", ["报" * 300 + ".txt", "a报" * 200 + ".docx", "报" * 300, "x." + "报" * 300,
                                  "𠀀" * 100 + ".pdf"])
def test_upload_names_fit_255_bytes_on_a_character_boundary(tmp_path: Path, name: str) -> None:
    path = upload_path(str(tmp_path), name)
    assert len(path.name.encode()) <= 255
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"ok")  # the file system takes it
    assert path.name.encode().decode() == path.name and "\ufffd" not in path.name
    if "." in name and len(name.rpartition(".")[2]) < 5:
        assert path.suffix == "." + name.rpartition(".")[2]


def test_config_from_toml_and_env(tmp_path: Path) -> None:
    toml = tmp_path / "bot.toml"
    toml.write_text('[bot]\ntoken = "1:A"\nadmins = [5, 6]\nalert_interval = 3\n', encoding="utf-8")
    config = load_config(toml, env={"XXGK_ALLOWED_CHATS": "-100, 7", "XXGK_ALERT_INTERVAL": "9"})
    assert config.admins == {5, 6} and config.allowed_chats == {-100, 7} and config.alert_interval == 9.0
    assert "1:A" not in repr(config)
    with pytest.raises(ConfigError):
        load_config(None, env={"XXGK_ADMINS": "alice"})
    toml.write_text("tokn = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(toml, env={})


def test_bot_command_without_token_explains_and_fails(tmp_path: Path, monkeypatch) -> None:
    from cli.main import _register, cli

    monkeypatch.delenv("XXGK_BOT_TOKEN", raising=False)
    _register()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "bot"])
    assert result.exit_code != 0
    assert "@BotFather" in result.output and "xxgk chat" in result.output


def test_token_redacted_in_messages_and_tracebacks() -> None:
    guard = logsafe.RedactToken("123456:SECRET-abc")
    try:
        raise RuntimeError("GET https://api.telegram.org/bot123456:SECRET-abc/getMe failed")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, "", 0, "url %s", ("/bot123456:SECRET-abc/x",), exc_info=True)
        import sys

        record.exc_info = sys.exc_info()
    guard.filter(record)
    logged = logging.Formatter().format(record)  # what a handler writes: message and traceback
    assert "SECRET" not in logged and "<token>" in logged
    assert "RuntimeError: GET https://api.telegram.org/bot<token>/getMe failed" in logged  # the traceback kept


def test_pages_and_callback_data_limits() -> None:
    pages = render.paginate("\n".join(f"第{i}行" for i in range(40)), 15)
    assert [len(p.splitlines()) for p in pages] == [15, 15, 10]
    assert all(len(p) <= render.MAX_MESSAGE_CHARS for p in render.paginate("长" * 10000, 15))
    keyboard = render.clarify_keyboard(2**40, [(2**40, "某" * 100)])
    assert len(keyboard.inline_keyboard[0][0].callback_data.encode()) <= 64


def test_chart_caption_prints_amounts_in_full_and_missing_years_as_no_data() -> None:
    from bot.telegram.charts import caption

    text = caption([{"label": "2020年", "value": 1278848.63}, {"label": "2021年", "value": None}], "采购总金额", "万元")
    assert "2020年：1278848.63万元" in text
    assert "2021年：无数据" in text


def test_empty_allowlist_answers_only_admins_unless_public() -> None:
    from bot.telegram.auth import is_allowed

    closed = load_config(None, env={"XXGK_ADMINS": "5"})
    assert is_allowed(closed, chat_id=5, user_id=5)
    assert not is_allowed(closed, chat_id=99, user_id=99)
    public = load_config(None, env={"XXGK_ADMINS": "5", "XXGK_PUBLIC": "true"})
    assert is_allowed(public, chat_id=99, user_id=99)
    with pytest.raises(ConfigError):
        load_config(None, env={"XXGK_PUBLIC": "maybe"})
