"""The audit trail: every question a shell handled and what it answered."""

from __future__ import annotations

import sqlite_utils

from bot.answer import Answer
from store.db import record_audit


def log_answer(db: sqlite_utils.Database, question: str, answer: Answer, *, shell: str,
               chat_id: int | None = None, user_id: int | None = None) -> int:
    """Record ``answer`` to ``question`` in ``audit``; returns the audit id."""
    return record_audit(db, shell=shell, question=question, status=answer.status, cells=answer.cells,
                        answer=answer.text, chat_id=chat_id, user_id=user_id)
