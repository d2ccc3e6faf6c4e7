"""One question, three shells: ``xxgk ask --json``, the console chat and the Telegram bot give
the same answer, because all three call the same core (issue 12).  The database is every bundled
sample read by the real ingest; Telegram is the real Application against the fake Bot API."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot.console import ChatSession
from cli.main import _register, cli
from store.db import open_db
from tests import fakebotapi as fake
from tests.telegram_harness import MEMBER, bot_config, running, sample_db, wait_for

_register()

QUESTIONS = (
    "大數據局2019年採購總金額多少萬元",
    "How many applications did 聊城市人民政府 receive in 2020?",
    "聊城市人民政府2020年人员编制多少人",
    "上海市人民政府办公厅2019年予以公开多少件",
    "聊城市人民政府2020年申请量和平潭2023年比哪个多",
    "聊城市人民政府2020年不予公开率",
    "北京市海淀区城市管理委员会2020年收到多少申请",
)


async def test_the_same_answer_through_cli_console_and_telegram(api, tmp_path):
    db_path = sample_db(tmp_path / "shells.db")
    cli_answers = []
    for question in QUESTIONS:
        result = CliRunner().invoke(cli, ["--db", str(db_path), "ask", "--json", question], catch_exceptions=False)
        cli_answers.append(json.loads(result.output))
    chat = ChatSession(open_db(db_path))
    console = [chat.reply(question) for question in QUESTIONS]
    async with running(bot_config(api, db_path, tmp_path / "data")):
        for n, question in enumerate(QUESTIONS, 1):
            api.push(fake.message(MEMBER, MEMBER, question))
            await wait_for(lambda n=n: len(api.texts(MEMBER)) == n)
    telegram = api.texts(MEMBER)
    statuses = [r[0] for r in open_db(db_path).execute(
        "select status from audit where shell = 'telegram' order by id").fetchall()]
    assert statuses == [a["status"] for a in cli_answers]
    assert [a["status"] for a in cli_answers] == ["answer", "answer", "no_data", "answer", "answer", "answer",
                                                   "not_found"]
    for question, data, said, sent in zip(QUESTIONS, cli_answers, console, telegram, strict=True):
        picks = "".join(f"\n  {n}. {c}" for n, c in enumerate(data["candidates"], 1))
        picks += "\n（输入序号选择）" if picks else ""  # the console numbers the candidates to pick from
        assert said == data["text"] + picks, question
        assert sent.startswith(data["text"]), question  # Telegram adds only caveats not in the text
    assert cli_answers[3]["value"] == 272 and "总计栏空白；按各申请人列相加为 272" in telegram[3]
