"""The unit a question asks for: "采购金额是多少亿元" is answered in 亿元, not in the 万元 stored.

Only amounts convert (the reports print money in 万元, counts in 件); the answer states the
conversion with the stored figure, so the number can still be traced to its cell.
"""

from __future__ import annotations

import re

from bot.present import fmt_number
from store.queries import number

_ASKED = (
    (re.compile(r"亿元|亿"), "亿元", 1 / 10_000),
    (re.compile(r"千万元|千万"), "千万元", 1 / 1_000),
    (re.compile(r"(?<![万亿千])元"), "元", 10_000),
)


def asked_unit(text: str, stored: str) -> tuple[str, float] | None:
    """(unit, factor from ``stored``) when the question asks for another money unit than 万元."""
    if stored != "万元":
        return None
    for pattern, unit, factor in _ASKED:
        if pattern.search(text):
            return unit, factor
    return None


def converted(value: int | float, stored: str, asked: tuple[str, float]) -> tuple[int | float | None, str]:
    """The value in the asked unit, and its text with the conversion shown:
    ``4.8359899368 亿元（= 48359.899368 万元 ÷ 10000）``."""
    unit, factor = asked
    result = number(round(value * factor, 10))
    how = f"÷ {fmt_number(round(1 / factor))}" if factor < 1 else f"× {fmt_number(factor)}"
    return result, f"{exact(result)} {unit}（= {fmt_number(value)} {stored} {how}）"


def exact(value: int | float | None) -> str:
    """Every digit a conversion keeps (6 decimals of 万元 are 10 of 亿元)."""
    if value is None or float(value).is_integer():
        return fmt_number(value)
    return f"{value:.10f}".rstrip("0").rstrip(".")
