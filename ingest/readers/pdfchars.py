"""Duplicate characters removed from a PDF page, as pdfplumber does it, in n log n.

Word and WPS exports often draw a character twice at almost the same place (bold faked by
overprinting, a shadow); pdfplumber's ``Page.dedupe_chars`` keeps one of each such set.  Its
result is what the readers and their tests were built on, so it is kept exactly: characters are
grouped by (upright, text, font name, size); each group is cut into runs of ``doctop`` values no
more than ``tolerance`` apart, each run into runs of ``x0`` values; of each run the character
first by (doctop, x0), the earliest on a tie, survives.  What differs is the last step:
pdfplumber puts the survivors back in page order with ``sorted(kept, key=chars.index)``, a
linear search per character, which made deduplication half the cost of reading a page.  Here
every character carries its index from the start.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from typing import Any

from pdfplumber.page import FilteredPage

Char = dict[str, Any]


def dedupe_chars(chars: list[Char], tolerance: float = 1, extra_attrs: tuple[str, ...] = ("fontname", "size")) -> list[Char]:
    """The characters pdfplumber's ``dedupe_chars(chars, tolerance, extra_attrs)`` keeps, in page order."""
    key = itemgetter("upright", "text", *extra_attrs)
    keys = [key(c) for c in chars]
    order = sorted(range(len(chars)), key=keys.__getitem__)
    kept: list[int] = []
    for _, group in groupby(order, key=keys.__getitem__):
        for line in _runs(list(group), chars, "doctop", tolerance):
            for run in _runs(line, chars, "x0", tolerance):
                kept.append(min(run, key=lambda i: (chars[i]["doctop"], chars[i]["x0"], i)))
    kept.sort()
    return [chars[i] for i in kept]


def _runs(indices: list[int], chars: list[Char], attr: str, tolerance: float) -> list[list[int]]:
    """``indices`` cut where the sorted distinct values of ``attr`` jump by more than ``tolerance``
    (each value joins the run of the one before it when within reach: runs chain)."""
    run_of: dict[float, int] = {}
    run, last = 0, None
    for value in sorted({chars[i][attr] for i in indices}):
        if last is not None and not value <= last + tolerance:
            run += 1
        run_of[value] = run
        last = value
    runs: list[list[int]] = [[] for _ in range(run + 1)]
    for i in indices:
        runs[run_of[chars[i][attr]]].append(i)
    return runs


def deduped(page: Any) -> FilteredPage:
    """``page`` with duplicate characters removed (what ``page.dedupe_chars()`` returns)."""
    filtered = FilteredPage(page, lambda obj: True)
    filtered._objects = {**page.objects, "char": dedupe_chars(page.chars)}
    return filtered
