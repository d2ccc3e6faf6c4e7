"""The audit trail: every question a shell handled and what it answered."""

from __future__ import annotations

import json

import sqlite_utils

from bot.answer import Answer
from store.db import now_iso, write_transaction


def log_answer(db: sqlite_utils.Database, question: str, answer: Answer, *, shell: str,
               chat_id: int | None = None, user_id: int | None = None) -> None:
    """Append one row to ``audit`` (its own short transaction; the question is capped at 2,000
    characters so a pasted book does not bloat the log)."""
    with write_transaction(db):
        db.execute(
            "insert into audit (ts, shell, chat_id, user_id, question, status, cells, answer) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [now_iso(), shell, chat_id, user_id, str(question)[:2000], answer.status,
             json.dumps(answer.cells), answer.text[:4000]],
        )
