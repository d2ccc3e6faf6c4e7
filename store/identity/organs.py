"""Organs of government (``store/data/organs.tsv``): each written form (人社局, 人力资源和社会保障局 …)
→ the organ's key (its identity) and the standard full name it stands for.

Why a table and not a scorer: abbreviations (市场监管局 ↔ 市场监督管理局, 发改委, 科委) are not
close in any edit distance (field notes); only a reviewed list of forms makes them meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from store.identity.gazetteer import DATA

GOVERNMENT = "政府"
LEVEL_WORDS = "省市区县州旗盟"
"""A level word before an organ (市政府, 区人社局) says where, not what."""


@dataclass(frozen=True)
class Organ:
    key: str  # identity: 发改
    full: str  # standard name this writing expands to: 发展和改革局
    province_full: str = ""  # at province level, if different (人民政府办公厅)

    def full_at(self, level: str) -> str:
        return self.province_full if level == "province" and self.province_full else self.full


@cache
def forms() -> dict[str, Organ]:
    """Every written form of every organ in the table."""
    out: dict[str, Organ] = {}
    for line in (DATA / "organs.tsv").read_text("utf-8").splitlines()[1:]:
        if not line or line.startswith("#") or line.startswith("form\t"):
            continue
        form, key, full, *rest = line.split("\t")
        out.setdefault(form, Organ(key=key, full=full, province_full=rest[0] if rest else ""))
    return out


@cache
def forms_of_key() -> dict[str, tuple[str, ...]]:
    """Organ key → every form it is written in."""
    out: dict[str, list[str]] = {}
    for form, organ in forms().items():
        out.setdefault(organ.key, []).append(form)
    return {k: tuple(v) for k, v in out.items()}


@cache
def max_form() -> int:
    return max(len(f) for f in forms())


@cache
def _wildcards() -> dict[str, set[str]]:
    """``form with one character replaced by ?`` → the keys of the organs written that way."""
    out: dict[str, set[str]] = {}
    for form, organ in forms().items():
        if len(form) >= 3:
            for j in range(len(form)):
                out.setdefault(form[:j] + "?" + form[j + 1 :], set()).add(organ.key)
    return out


def read_organ(text: str) -> tuple[Organ | None, str]:
    """The organ ``text`` names and a note when a typo was corrected; (None, "") when unknown.

    ``市政府`` reads as 政府 (the level word is dropped); ``城市管理居`` as 城市管理局 when that
    is the only organ one character away."""
    if not text:
        return None, ""
    table = forms()
    if text in table:
        return table[text], ""
    if text[0] in LEVEL_WORDS and text[1:] in table:
        return table[text[1:]], ""
    if len(text) >= 3:
        keys: set[str] = set()
        for j in range(len(text)):
            keys |= _wildcards().get(text[:j] + "?" + text[j + 1 :], set())
        if len(keys) == 1:
            key = next(iter(keys))
            organ = next(o for f, o in table.items() if o.key == key and len(f) == len(text)
                         and sum(a != b for a, b in zip(f, text, strict=True)) == 1)
            return organ, f"“{text}”按“{organ.full}”理解"
    return None, ""
