"""Years in questions: 2019, 2019年, 19年, 二〇一九年, 今年/去年/前年 (relative to ``today``)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from store.numerals import cn_digits, cn_number

_RELATIVE = {"今年": 0, "去年": -1, "前年": -2, "大前年": -3}

_YEAR_RE = re.compile(
    r"(?P<full>(?<!\d)(?:19|20)\d{2}(?!\d))年?度?"
    r"|(?P<short>(?<!\d)\d{2})年"
    r"|(?P<cn>[〇零○一二三四五六七八九]{4})年"
    r"|(?P<rel>大前年|前年|去年|今年)"
)
_RANGE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})年?(?:到|至|~|-|—)((?:19|20)\d{2})年?")


@dataclass
class YearMention:
    year: int
    start: int
    end: int
    text: str


def find_years(text: str, today: datetime.date) -> list[YearMention]:
    """Every year mentioned, in order of appearance (duplicates kept out)."""
    found: list[YearMention] = []
    for m in _YEAR_RE.finditer(text):
        year = _year_of(m, today)
        if year is not None and 1990 <= year <= today.year + 1 and all(f.year != year for f in found):
            found.append(YearMention(year, m.start(), m.end(), m.group(0)))
    return found


def year_range(text: str) -> tuple[int, int] | None:
    """``2019到2023年`` → (2019, 2023), for trends over a span."""
    m = _RANGE_RE.search(text)
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    return (min(a, b), max(a, b))


def _year_of(m: re.Match[str], today: datetime.date) -> int | None:
    if m.group("full"):
        return int(m.group("full"))
    if m.group("short"):
        return 2000 + int(m.group("short"))
    if m.group("cn"):
        return cn_digits(m.group("cn"))
    if m.group("rel"):
        return today.year + _RELATIVE[m.group("rel")]
    return None


_VERSUS_PREVIOUS = re.compile(r"(?:比|较|与|跟|和)(?:上一?年|去年|前一年)(?:度)?(?:相比|比)?|同比")
_RECENT = re.compile(r"(?:最?近|过去)([两二三四五六七八九十\d]{1,2})年")


def versus_previous(text: str) -> re.Match[str] | None:
    """``比上年`` / ``同比``: the year asked is compared with the year before it."""
    return _VERSUS_PREVIOUS.search(text)


def recent_years(text: str) -> int | None:
    """``近三年`` / ``最近5年`` → 3 / 5: the latest reports, however many years that is."""
    m = _RECENT.search(text)
    if not m:
        return None
    count = m.group(1)
    # one numeral or digits only: "近二十年" has never been read as a span (kept as it was)
    n = cn_number(count) if count.isdigit() or len(count) == 1 else None
    return n if n and n >= 2 else None
