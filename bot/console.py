"""``xxgk chat``: an interactive console over the answering core.

Thin on purpose: reading lines, remembering the last clarify so "1" or a name picks a
candidate, ``help``/``quit``, readline history, and one audit row per question.  With stdin not a
terminal it answers each line and stops at EOF, so tests and pipes can drive it.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

import sqlite_utils

from bot.answer import Answer
from bot.qa import answer_choice, ask, log_answer
from bot.qa.render import EXAMPLES

QUIT = {"quit", "exit", "q", "退出", "再见", ":q"}
HELP = {"help", "?", "？", "h", "帮助"}
HISTORY = Path(os.environ.get("XXGK_HISTORY", Path.home() / ".xxgk_history"))

HELP_TEXT = "\n".join([
    "输入问题，回车得到答案和来源；help 显示本帮助，quit 退出。",
    "可以问：单个数字、历年趋势（趋势/历年/近三年）、两个单位或两个年份对比（和/对比/比上年/同比）、",
    "地区内排名（排名，也可按比率）、公开率/复议纠错率/各项占比、按申请人分列（分别/申请人构成）、",
    "某单位某年报告的要点（只说单位和年份），以及“哪些报告没通过校验”“哪些单位缺2023年年报”。",
    "问“有哪些单位”“有哪些年份”“数据库里有哪些报告”看库里有什么；读入自己的报告：在终端运行",
    "xxgk demo 文件夹（演示库）或 xxgk ingest 文件夹。",
    "单位有多个候选时，输入序号或全称选择。例如：",
    *(f"  {e}" for e in EXAMPLES),
])


class ChatSession:
    """One conversation: answers lines and remembers a pending clarify."""

    def __init__(self, db: sqlite_utils.Database, today: datetime.date | None = None) -> None:
        self.db = db
        self.today = today
        self.pending: tuple[str, list[str]] | None = None  # (question, candidates)

    def reply(self, line: str) -> str | None:
        """The text to print for one input line; None means quit."""
        text = line.strip()
        if not text:
            return ""
        if text.lower() in QUIT:
            return None
        if text.lower() in HELP:
            return HELP_TEXT
        answer, question = self._answer(text)
        log_answer(self.db, question, answer, shell="console")
        self.pending = (question, answer.candidates) if _pickable(answer) else None
        return render(answer)

    def _answer(self, text: str) -> tuple[Answer, str]:
        if self.pending:
            question, candidates = self.pending
            chosen = _pick(text, candidates)
            if chosen:
                return answer_choice(self.db, question, chosen, today=self.today), f"{question} → {chosen}"
        return ask(self.db, text, today=self.today), text


def _pick(text: str, candidates: list[str]) -> str | None:
    if text.isdigit() and 1 <= int(text) <= len(candidates):
        return candidates[int(text) - 1]
    return text if text in candidates else None


def _pickable(answer: Answer) -> bool:
    """A clarify's candidates, or a not_found's close agencies (even a single one), are picked by number."""
    return answer.status in ("clarify", "not_found") and bool(answer.candidates)


def render(answer: Answer) -> str:
    """Console text of an answer: the core's text, candidates (or close agencies) numbered."""
    if _pickable(answer):
        options = "\n".join(f"  {i}. {name}" for i, name in enumerate(answer.candidates, 1))
        return f"{answer.text}\n{options}\n（输入序号选择）"
    return answer.text


def run(db: sqlite_utils.Database, *, stdin: TextIO | None = None, echo: Callable[[str], None] = print,
        interactive: bool | None = None, today: datetime.date | None = None) -> int:
    """The chat loop; returns the number of questions answered."""
    stdin = stdin or sys.stdin
    interactive = stdin.isatty() if interactive is None else interactive
    session = ChatSession(db, today)
    if interactive:
        _history_on()
        echo("xxgk 问答（help 帮助，quit 退出）")
    count = 0
    for line in _lines(stdin, interactive):
        out = session.reply(line)
        if out is None:
            break
        if out:
            echo(out)
            count += 1
    if interactive:
        _history_save()
    return count


def _lines(stdin: TextIO, interactive: bool) -> Iterable[str]:
    if not interactive:
        yield from stdin
        return
    while True:
        try:
            yield input("问> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return


def _history_on() -> None:
    try:
        import readline

        if HISTORY.exists():
            readline.read_history_file(HISTORY)
        readline.set_history_length(1000)
    except (ImportError, OSError):
        pass


def _history_save() -> None:
    try:
        import readline

        readline.write_history_file(HISTORY)
    except (ImportError, OSError):
        pass
