"""A generated test of the resolver: agency names drawn from the national gazetteer × the ways
people write them (with and without province or city, short place names, abbreviated organs, one
wrong character in the place or the organ, 繁體, extra spaces).

Every written name must resolve to the agency meant or to a clarify that lists it — never to
another agency.  ``python -m tests.identity_names`` prints the figures.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from store.db import open_db, write_transaction
from store.identity.gazetteer import DATA, Place, gazetteer
from store.identity.names import identify
from store.identity.organs import forms as organ_forms
from store.identity.registry import ensure_agency
from store.identity.resolver import AgencyIndex, index_for

ORGANS = ("人民政府", "人民政府办公室", "发展和改革局", "城市管理局", "人力资源和社会保障局", "市场监督管理局",
          "科学技术局", "大数据局", "机关事务管理局", "财政局", "公安局", "教育局", "民政局", "审计局", "统计局",
          "住房和城乡建设局", "交通运输局", "生态环境局", "应急管理局", "医疗保障局", "退役军人事务局", "信访局")
NOISE = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"


@dataclass
class Case:
    agency: str
    written: str
    way: str


def _traditional() -> dict[str, str]:
    pairs = [ln.split("\t") for ln in (DATA / "t2s.tsv").read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    return {s: t for t, s in pairs}


def _places(rng: random.Random, count: int) -> list[Place]:
    g = gazetteer()
    pool = [p for p in g.by_code.values() if not p.zone and p.code not in g.known_as]
    return rng.sample(pool, count)


def build_db(path: Path, seed: int = 10, places: int = 400) -> list[tuple[str, Place, str]]:
    """A database of agencies: ``places`` random divisions, each with two or three organs."""
    rng = random.Random(seed)
    db = open_db(path)
    held: list[tuple[str, Place, str]] = []
    with write_transaction(db):
        for place in _places(rng, places):
            for organ in rng.sample(ORGANS, rng.choice((2, 3))):
                g = gazetteer()
                name = g.display(place.code) + organ
                ident = identify(name)
                if ident.code != place.code:
                    continue  # a display the gazetteer itself reads otherwise (never expected)
                ensure_agency(db, ident)
                held.append((ident.canonical, place, organ))
    db.conn.close()
    return held


def _mutate(text: str, i: int, rng: random.Random) -> str:
    return text[:i] + rng.choice([c for c in NOISE if c != text[i]]) + text[i + 1:]


def written_forms(canonical: str, place: Place, organ: str, rng: random.Random) -> list[tuple[str, str]]:
    """(way, written name) — the ways people write this agency."""
    g = gazetteer()
    chain = g.chain(place.code)
    province = chain[0]
    where = g.display(place.code)
    table = organ_forms()
    key = table[organ].key
    other_forms = [f for f, o in table.items() if o.key == key and f != organ and len(f) >= 2]
    out = [("canonical", canonical)]
    if place.level != "province":
        out.append(("with province", province.name + where + organ))
    if place.level == "county" and where != place.name:
        out.append(("without city", place.name + organ))
    if place.short != place.name:
        out.append(("short place", (where[: -len(place.name)] if where != place.name else "") + place.short + organ))
    if other_forms:
        out.append(("abbreviated organ", where + rng.choice(other_forms)))
    if len(place.short) >= 2:
        i = where.rfind(place.short) + rng.randrange(len(place.short))
        wrong = _mutate(where, i, rng)
        if not _is_a_place_somewhere(wrong, i):
            out.append(("wrong place character", wrong + organ))
    if len(organ) >= 4:
        i = rng.randrange(len(organ) - 1)
        wrong_organ = _mutate(organ, i, rng)
        if wrong_organ not in table:
            out.append(("wrong organ character", where + wrong_organ))
    trad = _traditional()
    out.append(("traditional", "".join(trad.get(ch, ch) for ch in canonical)))
    spaced = list(canonical)
    for _ in range(2):
        spaced.insert(rng.randrange(1, len(spaced)), rng.choice(" 　"))
    out.append(("extra spaces", "".join(spaced)))
    return out


def _is_a_place_somewhere(text: str, i: int) -> bool:
    """The mutation made another real place name (沭阳 → 泗阳): that is not a typo any more."""
    forms = gazetteer().forms
    return any(text[a:b] in forms for a in range(0, i + 1) for b in range(i + 1, len(text) + 1) if b - a >= 2)


def cases(held: list[tuple[str, Place, str]], count: int = 1000, seed: int = 11) -> list[Case]:
    rng = random.Random(seed)
    out: list[Case] = []
    while len(out) < count:
        canonical, place, organ = rng.choice(held)
        way, written = rng.choice(written_forms(canonical, place, organ, rng))
        out.append(Case(canonical, written, way))
    return out


def outcome(index: AgencyIndex, case: Case) -> str:
    r = index.resolve_name(case.written)
    if r.agency == case.agency:
        return "right"
    if r.agency:
        return "WRONG"
    if case.agency in r.candidates:
        return "clarify with it"
    if r.candidates:
        return "clarify without it"
    return "not found"


def run(path: Path, count: int = 1000) -> tuple[Counter, Counter, list[tuple[Case, str]]]:
    held = build_db(path)
    index = index_for(open_db(path))
    totals: Counter = Counter()
    by_way: Counter = Counter()
    bad: list[tuple[Case, str]] = []
    for case in cases(held, count):
        result = outcome(index, case)
        totals[result] += 1
        by_way[(case.way, result)] += 1
        if result != "right":
            bad.append((case, result))
    return totals, by_way, bad


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        totals, by_way, bad = run(Path(tmp) / "names.db")
    print(dict(totals))
    for (way, result), n in sorted(by_way.items()):
        print(f"  {way:24} {result:20} {n}")
    for case, result in bad[:40]:
        print(f"  {result:20} {case.way:22} {case.written!r} → meant {case.agency}")


if __name__ == "__main__":
    main()


def question_outcome(db, case: Case) -> str:  # type: ignore[no-untyped-def]
    """The same written name inside a question, through the whole answering core."""
    import datetime

    from bot.qa import ask

    a = ask(db, f"{case.written}2023年收到多少申请", today=datetime.date(2024, 6, 1))
    if a.agency == case.agency:
        return "right"
    if a.agency:
        return "WRONG"
    if case.agency in (a.candidates or []):
        return "clarify with it"
    return "clarify without it" if a.candidates else "not found"


def run_questions(path: Path, count: int = 300) -> tuple[Counter, list[tuple[Case, str]]]:
    held = build_db(path)
    db = open_db(path)
    totals: Counter = Counter()
    bad = []
    for case in cases(held, count, seed=12):
        result = question_outcome(db, case)
        totals[result] += 1
        if result != "right":
            bad.append((case, result))
    return totals, bad
