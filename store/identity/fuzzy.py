"""The closest agency names to a phrase, without scoring all 100,000 of them.

A name written with no place the gazetteer knows is matched against every agency held
(rapidfuzz's ``ratio``): at 100,000 agencies that one pass was the slowest thing a question did
(7–30 ms).  :func:`closest` returns exactly what ``process.extract(phrase, names,
scorer=fuzz.ratio, limit=limit, score_cutoff=floor)`` returns — same names, same scores, same
order — but scores only the names that can reach the scores that matter.

Why that is exact: ``ratio`` is ``200·LCS / (len(a) + len(b))``, and a name that contains none of
a set R of the phrase's characters shares at most ``m − o`` characters with it (m the phrase's
length, o how often R's characters occur in it), so its ratio is at most
``200·(m − o) / (2m − o)`` whatever its length.  Taking R from the phrase's rarest characters
(by how many names hold them) until that bound falls below a threshold T, every name scoring
≥ T holds a character of R; the names holding them are few.  T starts at the score a clear match
is taken at; when fewer than ``limit`` names reach it, T becomes the ``limit``-th best score
found so far, which the true ``limit``-th best can only exceed, and the search runs once more
with it.  When R would need most names anyway, every name is scored as before.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from operator import itemgetter

FULL_SCAN_SHARE = 0.5
"""Candidates beyond this share of all names: score them all (the pruning would not pay)."""


def closest(phrase: str, names: Sequence[str], postings: Mapping[str, Collection[int]],
            sizes: Mapping[str, int], *, limit: int, floor: float, start: float) -> list[tuple[float, int]]:
    """(score, position) of the ``limit`` best names scoring at least ``floor``, best first and,
    among equal scores, lowest position first (``process.extract``'s order).  ``postings`` maps a
    character to the positions of the names holding it, ``sizes`` to how many those are."""
    from rapidfuzz import fuzz, process

    def score_all() -> list[tuple[float, int]]:
        hits = process.extract(phrase, names, scorer=fuzz.ratio, limit=limit, score_cutoff=floor)
        return [(score, i) for _, score, i in hits]

    threshold = max(floor, start)
    while True:
        chosen = _rare_characters(phrase, sizes, threshold)
        if chosen is None or sum(sizes.get(c, 0) for c in chosen) > FULL_SCAN_SHARE * len(names):
            return score_all()
        candidates = list(set().union(*(postings.get(c, ()) for c in chosen)))
        texts = itemgetter(*candidates)(names) if len(candidates) > 1 else tuple(names[i] for i in candidates)
        # the floor as rapidfuzz applies it (its cutoffs are whole numbers of edits: a score right
        # at a cutoff may fall out), every other threshold compared here exactly
        hits = process.extract(phrase, texts, scorer=fuzz.ratio, limit=None, score_cutoff=floor)
        reaching = sorted(((score, candidates[k]) for _, score, k in hits if score >= threshold), key=_order)
        if len(reaching) >= limit or threshold <= floor:
            return reaching[:limit]
        # fewer than limit reach it: the limit-th best of these candidates is a score the true
        # limit-th best can only exceed, so it is the next threshold (lower: strict progress)
        best = heapq.nlargest(limit, (score for _, score, _ in hits))
        threshold = best[-1] if len(best) >= limit else floor


def _order(scored: tuple[float, int]) -> tuple[float, int]:
    """extract's order: best score first, then the name's position."""
    return -scored[0], scored[1]


def _rare_characters(phrase: str, sizes: Mapping[str, int], threshold: float) -> list[str] | None:
    """The fewest of the phrase's characters, rarest first, that every name scoring ≥ threshold
    must hold one of; None when even all of them would not do."""
    m = len(phrase)
    occurs = Counter(phrase)
    chosen: list[str] = []
    missing = 0
    for char in sorted(occurs, key=lambda c: (sizes.get(c, 0), c)):
        if _bound(m, missing) < threshold:
            return chosen
        chosen.append(char)
        missing += occurs[char]
    return chosen if _bound(m, missing) < threshold else None


def _bound(m: int, missing: int) -> float:
    """The highest ratio a name can reach with ``missing`` of the phrase's m characters absent."""
    shared = m - missing
    return 200.0 * shared / (m + shared) if shared > 0 else 0.0


def postings_of(names: Sequence[str]) -> dict[str, list[int]]:
    """Character → the positions of the names holding it (ascending)."""
    out: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        for char in set(name):
            out.setdefault(char, []).append(i)
    return out
