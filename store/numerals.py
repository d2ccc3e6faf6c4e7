"""Numbers as people write them: Chinese numerals in reports and questions (``二十三``, ``两``,
``二〇一九``), and a stored number written back out (:func:`plain`).

One parser shared by the narrative checks (ingest/narrative.py: "收到申请二十三件") and the
question parser (bot/qa/years.py: "二〇一九年", "近三年").  It lives in store/, the bottom layer,
because the QA core must not import ingest/ and the store imports nothing above it.
"""

from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_TENS = re.compile(r"([一二两三四五六七八九]?)十([一二三四五六七八九]?)")


def cn_number(text: str) -> int | None:
    """``12`` → 12, ``两`` → 2, ``十`` → 10, ``二十三`` → 23; None for anything else (no guessing)."""
    if text.isdigit():
        return int(text)
    if len(text) == 1 and text in CN_DIGITS:
        return CN_DIGITS[text]
    match = _TENS.fullmatch(text)
    if match:
        tens = CN_DIGITS[match.group(1)] if match.group(1) else 1
        return tens * 10 + (CN_DIGITS[match.group(2)] if match.group(2) else 0)
    return None


def cn_digits(text: str) -> int | None:
    """Digit by digit, as years are written: ``二〇一九`` → 2019; None if any character is not a digit."""
    if not text or not all(ch in CN_DIGITS for ch in text):
        return None
    return int("".join(str(CN_DIGITS[ch]) for ch in text))


def plain(value: float | None, blank: str) -> str:
    """A stored number as the reports write it: ``3``, ``25.1``, ``48359.899368`` (never ``3.0``
    or ``1.27885e+06``); ``blank`` for a blank cell.  Check messages written at ingest and every
    answer's numbers use this one rule."""
    if value is None:
        return blank
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")
