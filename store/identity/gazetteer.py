"""The national gazetteer: every province, prefecture and county-level division with its GB/T 2260
code and parent (``store/data/divisions.tsv``, generated from cpca's adcodes by
``scripts/make_gazetteer.py``), plus the reviewed zones people write as places
(``store/data/zones.tsv``: 平潭综合实验区 runs 平潭县, so both are one place).

Why a gazetteer and not a regex: a regex on 市 splits 市场监督管理局, one on 州 splits 杭州, and
many counties share a name (朝阳区 in Beijing and in Changchun) — only the hierarchy tells them apart.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
LEVELS = ("province", "prefecture", "county")
SUFFIX_CHARS = "省市县区旗州盟"


@dataclass(frozen=True)
class Place:
    code: str  # GB/T 2260 code; a zone without a division of its own: parent + "Z" + n
    name: str  # as officially written: 淮安市, 洪泽区, 平潭综合实验区
    short: str  # as people say it: 淮安, 洪泽, 平潭
    level: str  # province | prefecture | county
    parent: str  # code of the parent ('' for a province)
    zone: bool = False


def _rows(path: Path) -> list[list[str]]:
    lines = [ln for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]


class Gazetteer:
    """Places by code and by every way they are written (full and short names)."""

    def __init__(self, divisions: list[Place], zones: list[tuple[Place, str]]) -> None:
        self.by_code: dict[str, Place] = {p.code: p for p in divisions}
        self.same_as: dict[str, str] = {}  # zone code → the division it is one with
        self.known_as: dict[str, str] = {}  # division code → the zone name it is known by
        for zone, same in zones:
            self.by_code[zone.code] = zone
            if same:
                self.same_as[zone.code] = same
                self.known_as[same] = zone.name
        self.children: dict[str, list[Place]] = {}
        self.forms: dict[str, list[Place]] = {}
        for place in self.by_code.values():
            self.children.setdefault(place.parent, []).append(place)
            for form in {place.name, place.short}:
                self.forms.setdefault(form, []).append(place)
        self.max_form = max(len(f) for f in self.forms)
        self._lineage: dict[str, frozenset[str]] = {}
        self._below: dict[str, set[str]] | None = None

    def place(self, code: str) -> Place | None:
        return self.by_code.get(self.same_as.get(code, code))

    def chain(self, code: str) -> list[Place]:
        """The place and its ancestors, province first."""
        out: list[Place] = []
        place = self.by_code.get(code)
        while place is not None:
            out.append(place)
            place = self.by_code.get(place.parent) if place.parent else None
        return out[::-1]

    def lineage(self, code: str) -> frozenset[str]:
        """Codes of the place, its ancestors, and the zone or division it is one with (cached:
        resolving a question asks this for every place it reads)."""
        found = self._lineage.get(code)
        if found is None:
            codes = {p.code for p in self.chain(code)}
            for other in (self.same_as.get(code), *(z for z, d in self.same_as.items() if d == code)):
                if other:
                    codes |= {p.code for p in self.chain(other)}
            found = self._lineage[code] = frozenset(codes)
        return found

    def is_under(self, code: str, ancestor: str) -> bool:
        return ancestor in self.lineage(code)

    def below(self, code: str) -> set[str]:
        """Codes of every place under ``code`` by :meth:`lineage` (its zone twin's places
        included): the inverse of lineage, built once for every place on first use (the set is
        the gazetteer's own: read it, do not change it)."""
        if self._below is None:
            self._below = {}
            for place in self.by_code:
                for above in self.lineage(place) - {place}:
                    self._below.setdefault(above, set()).add(place)
        return self._below.get(code, set())

    def display(self, code: str) -> str:
        """How a place is written in a canonical agency name: a county with its prefecture
        (淮安市洪泽区), a municipality's district with the municipality (上海市浦东新区), a
        prefecture or province alone, a zone by its own name (平潭综合实验区)."""
        place = self.by_code.get(code)
        if place is None:
            return ""
        if code in self.known_as:
            return self.known_as[code]
        if place.zone:
            return place.name
        if place.level == "county" and place.parent:
            parent = self.by_code[place.parent]
            if parent.level == "prefecture" or parent.code[:2] in ("11", "12", "31", "50"):
                return parent.name + place.name
        return place.name

    def starting_at(self, text: str, i: int) -> list[tuple[str, list[Place]]]:
        """Every (form, places) written at ``text[i]``, longest form first."""
        found = []
        for length in range(min(self.max_form, len(text) - i), 1, -1):
            places = self.forms.get(text[i : i + length])
            if places:
                found.append((text[i : i + length], places))
        return found


def _divisions() -> list[Place]:
    return [Place(code=r[0], name=r[1], short=r[2], level=r[3], parent=r[4]) for r in _rows(DATA / "divisions.tsv")]


def _zones() -> list[tuple[Place, str]]:
    out = []
    counter: dict[str, int] = {}
    for name, short, parent, same in _rows(DATA / "zones.tsv"):
        counter[parent] = counter.get(parent, 0) + 1
        code = f"{parent}Z{counter[parent]}"
        out.append((Place(code=code, name=name, short=short, level="county", parent=parent, zone=True), same))
    return out


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, loaded once per process (~3,200 divisions, a few ms)."""
    return Gazetteer(_divisions(), _zones())


@cache
def _t2s() -> dict[int, str]:
    pairs = _rows_plain(DATA / "t2s.tsv")
    return {ord(t): s for t, s in pairs}


def _rows_plain(path: Path) -> list[list[str]]:
    return [ln.split("\t") for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]


_DROP = str.maketrans("", "", " \t\r\n\u3000\u200b\u00a0·•\"'“”‘’《》「」【】()（）")


def normalise(text: str) -> str:
    """NFKC, traditional characters of place and organ names made simplified, spaces and quotes
    dropped.  Every name goes through this before it is matched, on both sides."""
    return unicodedata.normalize("NFKC", text).translate(_t2s()).translate(_DROP)
