"""Text normalisation shared by every reader and the interpreter.

Real reports arrive with Kangxi radicals, full-width digits, stray spaces inside words and numbers
written as "减 90" or "48359.899368万元".  Everything that compares or parses text goes through
here so the readers and the interpreter agree on what a label and a number are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

BLANK_TOKENS = frozenset({"", "/", "／", "—", "——", "－", "-", "--", "–", "无", "空", "\\"})
"""Printed marks that mean "nothing here": stored as NULL with the raw text kept."""

_WS = re.compile(r"\s+")
_NUMBER = re.compile(
    r"^(?P<sign>[+\-]|减|增|减少|增加)?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)"
    r"(?P<unit>万元|元|件|个|项|条|次)?$"
)
_SIGN_WORDS = {"减": -1, "减少": -1, "增": 1, "增加": 1, "-": -1, "+": 1}


def nfkc(text: str) -> str:
    """NFKC: folds Kangxi radicals (⼀ ⾏), full-width digits and brackets to their plain forms."""
    return unicodedata.normalize("NFKC", text)


def core(label: str) -> str:
    """A label reduced for matching: NFKC, every whitespace removed (wrapped cells insert spaces)."""
    return _core(label) if len(label) <= _CACHED_LENGTH else _WS.sub("", nfkc(label))


_CACHED_LENGTH = 64
"""Labels and cells up to this long are remembered: a report asks for the same few hundred again
and again (~700 parses of ~100 distinct cells per report); longer text is rare and not kept."""


@functools.lru_cache(maxsize=8192)
def _core(label: str) -> str:
    return _WS.sub("", nfkc(label))


@dataclass(frozen=True)
class Number:
    """One parsed cell: ``status`` is number | blank | invalid; ``unit`` is 万元, 元 or ''."""

    value: float | None
    status: str
    unit: str = ""


def parse_number(raw: str) -> Number:
    """Parse a printed cell.  Blank marks give ``blank``; anything not a number gives ``invalid``.

    Signs may be words ("减 90" = -90, "增 5" = 5).  An amount's unit is reported, not applied:
    the caller knows the column and its header (see :func:`to_wan`).  A :class:`Number` is
    immutable, so a short cell's parse is remembered.
    """
    return _parse_cached(raw) if len(raw) <= _CACHED_LENGTH else _parse(raw)


@functools.lru_cache(maxsize=8192)
def _parse_cached(raw: str) -> Number:
    return _parse(raw)


def _parse(raw: str) -> Number:
    text = core(raw).replace("\u2212", "-")  # U+2212 MINUS SIGN survives NFKC
    if text in BLANK_TOKENS:
        return Number(None, "blank")
    match = _NUMBER.match(text)
    if match is None:
        return Number(None, "invalid")
    value = float(match["num"].replace(",", ""))
    sign = _SIGN_WORDS.get(match["sign"] or "", 1)
    unit = match["unit"] or ""
    return Number(sign * value, "number", unit if unit in ("万元", "元") else "")


def is_value_text(text: str) -> bool:
    """True when a cell reads as a number or a blank mark (not as a label)."""
    return parse_number(text).status != "invalid"


def to_wan(value: float, unit: str, header_unit: str = "") -> float:
    """Convert an amount to 万元 (the canonical unit): the cell's own unit wins over the header's."""
    effective = unit or header_unit
    if effective == "元":
        return round(value / 10000, 10)
    return value


_UNIT_TOKENS = frozenset({"万元", "元", "件", "个", "项", "条", "次"})
_SIGN_TOKENS = frozenset({"减", "增", "减少", "增加"})


def split_tokens(line: str) -> list[str]:
    """Split a space-separated line into tokens, re-joining "减 90" and "4092.66 万元"."""
    parts = [p for p in _WS.split(line.strip()) if p]
    tokens: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if part in _SIGN_TOKENS and nxt is not None and parse_number(nxt).status == "number":
            part, i = part + nxt, i + 1
            nxt = parts[i + 1] if i + 1 < len(parts) else None
        if parse_number(part).status == "number" and nxt in _UNIT_TOKENS:
            part, i = part + nxt, i + 1
        tokens.append(part)
        i += 1
    return tokens
