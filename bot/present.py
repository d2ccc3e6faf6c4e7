"""Presentation: how a stored number is written for people, in every shell.

QA answers, Telegram captions and charts, and the CLI all print numbers through
:func:`fmt_number`, so ``3`` is never ``3.0`` in one place and ``3`` in another.  The store
keeps values as numbers (:func:`store.queries.number`); writing them is the shells' concern.
"""

from __future__ import annotations


def fmt_number(value: float | None, blank: str = "—") -> str:
    """A stored number as people write it: ``3``, ``25.1``, ``48359.899368`` (never ``3.0`` or
    ``1.27885e+06``); ``blank`` for a blank cell."""
    if value is None:
        return blank
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")
