"""The one place the Telegram shell calls the question-answering core (:mod:`bot.qa`).

Kept apart so handlers and the benchmark share the exact call, and so the shell names the
core's functions once."""

from __future__ import annotations

import sqlite_utils

from bot.answer import Answer


def ask(db: sqlite_utils.Database, question: str) -> Answer:
    from bot.qa import ask as qa_ask

    return qa_ask(db, question)


def ask_with_agency(db: sqlite_utils.Database, question: str, agency: str) -> Answer:
    """Answer ``question`` for the agency a user picked from a clarification's candidates."""
    from bot.qa import answer_choice

    return answer_choice(db, question, agency)
