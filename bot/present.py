"""Presentation: how a stored number is written for people, in every shell.

QA answers, Telegram captions and charts, and the CLI all print numbers through
:func:`fmt_number`, so ``3`` is never ``3.0`` in one place and ``3`` in another.  The store
keeps values as numbers (:func:`store.queries.number`); writing them is the shells' concern.
"""

from __future__ import annotations

from store.numerals import plain


def fmt_number(value: float | None, blank: str = "—") -> str:
    """A stored number as people write it (:func:`store.numerals.plain`); ``blank`` for a blank cell."""
    return plain(value, blank)
