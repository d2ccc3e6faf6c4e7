"""fuzzy.closest is process.extract over every name, computed on fewer names: same result, always."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process

from store.identity.fuzzy import closest, lengths_of, postings_of, sizes_of

PLACE = "安宁江河山阳平东西南北清新兴长永和泰丰城林泉湖海云龙凤华金石水德福宝昌定"
ORGANS = ("城市管理局", "财政局", "人民政府", "人民政府办公室", "文化和旅游局", "市场监督管理局", "大数据局",
          "卫生健康委员会", "人民防空办公室", "统计局", "审计局", "医疗保障局")


def invented(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        city = rng.choice(PLACE) + rng.choice(PLACE) + "市"
        county = rng.choice(PLACE) + rng.choice(PLACE) + rng.choice("县区") if rng.random() < 0.6 else ""
        out.append(city + county + rng.choice(ORGANS))
    return out  # duplicates kept on purpose: equal scores must keep extract's order


def misspelt(rng: random.Random, name: str) -> str:
    chars = list(name)
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        op = rng.random()
        i = rng.randrange(len(chars))
        if op < 0.4:
            chars[i] = rng.choice("理里的局市X")
        elif op < 0.7 and len(chars) > 2:
            del chars[i]
        else:
            chars.insert(i, rng.choice(PLACE))
    return "".join(chars)


def extract(phrase: str, names: list[str], limit: int, floor: float) -> list[tuple[float, int]]:
    return [(score, i) for _, score, i in process.extract(phrase, names, scorer=fuzz.ratio, limit=limit,
                                                           score_cutoff=floor)]


@pytest.mark.parametrize("seed", range(4))
def test_closest_equals_extract_over_every_name(seed: int) -> None:
    rng = random.Random(seed)
    names = invented(rng, 4000)
    postings = postings_of(names)
    sizes = sizes_of(postings)
    lengths = lengths_of(names)
    phrases = [misspelt(rng, rng.choice(names)) for _ in range(300)]
    phrases += ["".join(rng.choice(PLACE + "局办委市县") for _ in range(rng.randint(2, 12))) for _ in range(100)]
    phrases += ["城管局", "市", "和平", "Xyz政府办", "文化和旅游局"]
    for phrase in phrases:
        for limit, floor, start in ((8, 40.0, 80.0), (3, 60.0, 90.0), (20, 0.0, 100.0), (1, 75.0, 50.0)):
            got = closest(phrase, names, postings, sizes, lengths, limit=limit, floor=floor, start=start)
            assert got == extract(phrase, names, limit, floor), (phrase, limit, floor, start)


def test_closest_scores_few_names_for_a_typo() -> None:
    """The point of it: a one-character typo, looked for as the resolver does (names within 8 of a
    best that reaches 80), is decided on a share of the names."""
    rng = random.Random(9)
    names = invented(rng, 20000)
    postings = postings_of(names)
    sizes = sizes_of(postings)
    seen: list[int] = []

    class Counting(list):
        def __getitem__(self, i):  # type: ignore[no-untyped-def]
            seen.append(i)
            return list.__getitem__(self, i)

    phrase = names[123][:5] + "理" + names[123][6:]
    got = closest(phrase, Counting(names), postings, sizes, lengths_of(names), limit=8, floor=72.0, start=72.0)
    assert got == extract(phrase, names, 8, 72.0) and got[0] == (fuzz.ratio(phrase, names[123]), 123)
    assert 0 < len(seen) < len(names) // 10


def test_the_resolver_decides_as_it_did_scoring_every_name() -> None:
    """Agency, candidates and suggestions of a placeless fuzzy match are what scoring every name
    with rapidfuzz gave (the resolver asks closest only for names near a best over its cutoff)."""
    from store import settings
    from store.identity.resolver import AgencyIndex

    rng = random.Random(5)
    names = list(dict.fromkeys(invented(rng, 3000)))
    index = AgencyIndex([{"id": i + 1, "name": n, "region": ""} for i, n in enumerate(names)])
    match = settings.MATCH
    decided = {"agency": 0, "candidates": 0, "suggestions": 0}
    for _ in range(400):
        phrase = misspelt(rng, rng.choice(names))
        full = extract(phrase, index.names, match.anywhere_candidates, match.anywhere_floor)
        want = index._from_scores(full, match.anywhere_cutoff, ())
        got = index.fuzzy(phrase, ())
        assert (got.agency, got.candidates, got.suggestions, got.note) == \
            (want.agency, want.candidates, want.suggestions, want.note), phrase
        decided["agency" if got.agency else "candidates" if got.candidates else "suggestions"] += 1
    assert all(decided.values()), decided  # every kind of outcome was met


@pytest.mark.parametrize("seed", range(2))
def test_a_clear_best_returns_what_the_full_result_holds_near_it(seed: int) -> None:
    """With clear/near: when the best reaches ``clear``, exactly the full result's names within
    ``near`` of it; otherwise the full result."""
    rng = random.Random(100 + seed)
    names = invented(rng, 4000)
    postings = postings_of(names)
    sizes, lengths = sizes_of(postings), lengths_of(names)
    cleared = 0
    for _ in range(300):
        phrase = misspelt(rng, rng.choice(names))
        full = extract(phrase, names, 8, 40.0)
        got = closest(phrase, names, postings, sizes, lengths, limit=8, floor=40.0, start=80.0, clear=80.0, near=8.0)
        if full and full[0][0] >= 80.0:
            cleared += 1
            assert got == [s for s in full if s[0] >= full[0][0] - 8.0], phrase
        else:
            assert got == full, phrase
    assert cleared > 50
