"""The closest agency names to a phrase, without scoring all 100,000 of them.

A name written with no place the gazetteer knows is matched against every agency held
(rapidfuzz's ``ratio``): at 100,000 agencies that one pass was the slowest thing a question did
(7–30 ms).  :func:`closest` returns exactly what ``process.extract(phrase, names,
scorer=fuzz.ratio, limit=limit, score_cutoff=floor)`` returns — same names, same scores, same
order — but scores only the names that can reach the scores that matter.

Why that is exact: ``ratio`` is ``200·LCS / (m + L)`` for a phrase of m characters and a name of
L, and a name holding none of a set R of the phrase's characters shares at most
``min(L, m − o)`` characters with it (o: how often R's characters occur in the phrase), so its
ratio is at most ``200·min(L, m − o) / (m + L)``.  For each name length L, R is taken from the
phrase's rarest characters (by how many names hold them) until that bound falls below a
threshold T: every name of that length scoring ≥ T holds a character of R.  Long names need
few characters of R (or none: they cannot reach T at all), so the names left are few.  T starts
at the score that matters to the caller; when fewer than ``limit`` names reach it, T becomes the
``limit``-th best score found so far, which the true ``limit``-th best can only exceed, and the
search runs once more with it.  When most names would be left anyway, every name is scored.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from operator import itemgetter

ROUNDING = 1e-9
"""rapidfuzz and this module compute the same ratio in different float steps (85.71428571428572
against 85.71428571428571): a bound counts as below a threshold only by more than this."""

FULL_SCAN_SHARE = 0.3
"""Candidates beyond this share of all names: score them all (the pruning would not pay)."""

EDIT_ROOM = 15.0
"""Points below a threshold rapidfuzz is asked to return scores from: its cutoff becomes a whole
number of edits, and one edit is worth 200 / (m + L) points (~5–10 for agency names)."""


def closest(phrase: str, names: Sequence[str], postings: Mapping[str, Mapping[int, Collection[int]]],
            sizes: Mapping[str, int], by_length: Mapping[int, set[int]], *, limit: int, floor: float,
            start: float, clear: float | None = None, near: float = 0.0) -> list[tuple[float, int]]:
    """(score, position) of the ``limit`` best names scoring at least ``floor``, best first and,
    among equal scores, lowest position first (``process.extract``'s order).  ``postings`` maps a
    character and a name length to the positions of the names that long holding it
    (:func:`postings_of`), ``sizes`` a character to how many names hold it, ``by_length`` a name
    length to the positions of the names that long.

    With ``clear``: once the best name scores at least ``clear``, only the names within ``near``
    of it are looked for, and the first ``limit`` of those returned (what the full result holds
    that near the best): a caller that takes a clear best, or lists the names about as good,
    needs no more."""
    from rapidfuzz import fuzz, process

    threshold = max(floor, start)
    while True:
        found = _candidates(phrase, postings, sizes, by_length, threshold, FULL_SCAN_SHARE * len(names))
        if found is None:
            hits = process.extract(phrase, names, scorer=fuzz.ratio, limit=limit, score_cutoff=floor)
            return _near_a_clear_best([(score, i) for _, score, i in hits], clear, near, floor)
        candidates = list(found)
        texts = itemgetter(*candidates)(names) if len(candidates) > 1 else tuple(names[i] for i in candidates)
        # the floor as rapidfuzz applies it (its cutoffs are whole numbers of edits: a score near
        # a cutoff may fall out), every other threshold asked for with room and compared here
        cutoff = floor if threshold <= floor else max(floor, threshold - EDIT_ROOM)
        hits = process.extract(phrase, texts, scorer=fuzz.ratio, limit=None, score_cutoff=cutoff)
        reaching = sorted(((score, candidates[k]) for _, score, k in hits if score >= threshold), key=_order)
        if clear is not None and reaching and reaching[0][0] >= clear:
            wanted = max(floor, reaching[0][0] - near)
            if wanted >= threshold:  # every name that near the best is among these
                return _near_a_clear_best(reaching, clear, near, floor)[:limit]
            threshold = wanted  # look once more, down to there: that pass returns
            continue
        if len(reaching) >= limit or threshold <= floor:
            return reaching[:limit]
        # fewer than limit reach it: the limit-th best of these candidates is a score the true
        # limit-th best can only exceed, so it is the next threshold (lower: strict progress)
        best = heapq.nlargest(limit, (score for _, score, _ in hits))
        threshold = best[-1] if len(best) >= limit else floor


def _near_a_clear_best(scored: list[tuple[float, int]], clear: float | None, near: float,
                       floor: float) -> list[tuple[float, int]]:
    """``scored`` (best first) cut to the names within ``near`` of a best that reaches ``clear``."""
    if clear is None or not scored or scored[0][0] < clear:
        return scored
    wanted = max(floor, scored[0][0] - near)
    return [s for s in scored if s[0] >= wanted]


def _order(scored: tuple[float, int]) -> tuple[float, int]:
    """extract's order: best score first, then the name's position."""
    return -scored[0], scored[1]


def _candidates(phrase: str, postings: Mapping[str, Mapping[int, Collection[int]]], sizes: Mapping[str, int],
                by_length: Mapping[int, set[int]], threshold: float, budget: float) -> set[int] | None:
    """Positions of every name that can score ≥ threshold (and some that cannot); None when they
    would be more than ``budget`` (or the threshold rules out nothing).  Only the postings of the
    lengths and characters that matter are touched: the cost is about the candidates' number."""
    if threshold <= 0:
        return None
    m = len(phrase)
    occurs = Counter(phrase)
    rare = sorted(occurs, key=lambda c: (sizes.get(c, 0), c))
    missing = [0]  # missing[k]: occurrences in the phrase of the k rarest characters
    for char in rare:
        missing.append(missing[-1] + occurs[char])
    found: set[int] = set()
    for length, members in by_length.items():
        k = next(k for k in range(len(missing)) if _bound(m, length, missing[k]) < threshold - ROUNDING)
        if k == 0:
            continue  # a name this long cannot reach the threshold at all
        lists = [postings[c].get(length, ()) if c in postings else () for c in rare[:k]]
        if sum(map(len, lists)) >= len(members):
            found |= members  # as many as there are names this long: take them all
        else:
            found.update(*lists)
        if len(found) > budget:
            return None
    return found


def _bound(m: int, length: int, missing: int) -> float:
    """The highest ratio a name of ``length`` characters can reach against a phrase of m, when
    ``missing`` of the phrase's characters are not in it."""
    shared = min(length, m - missing)
    return 200.0 * shared / (m + length) if shared > 0 else 0.0


def postings_of(names: Sequence[str]) -> dict[str, dict[int, list[int]]]:
    """Character → name length → the positions of the names that long holding it (ascending)."""
    out: dict[str, dict[int, list[int]]] = {}
    for i, name in enumerate(names):
        for char in set(name):
            out.setdefault(char, {}).setdefault(len(name), []).append(i)
    return out


def sizes_of(postings: Mapping[str, Mapping[int, Collection[int]]]) -> dict[str, int]:
    """Character → how many names hold it."""
    return {char: sum(map(len, by_length.values())) for char, by_length in postings.items()}


def lengths_of(names: Sequence[str]) -> dict[int, set[int]]:
    """Name length → the positions of the names that long."""
    out: dict[int, set[int]] = {}
    for i, name in enumerate(names):
        out.setdefault(len(name), set()).add(i)
    return out
