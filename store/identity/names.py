"""Reading an agency name: which place (a chain of divisions) and which organ, and the canonical
name built from them.

At ingest :func:`identify` reads the printed title, then confirms or completes the place from
the body (本报告由…编制, 编制单位, 联系单位, the address) and from the folder the file came
from: "洪泽区人民政府" becomes 淮安市洪泽区人民政府 (320813).  A place written wrong is matched
only when one division is clearly nearest (one character off, and the only such one where the
body points); otherwise the agency keeps its printed name and is left unplaced — never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from store.identity.gazetteer import SUFFIX_CHARS, Gazetteer, Place, gazetteer, normalise
from store.identity.organs import GOVERNMENT, Organ, max_form, read_organ
from store.identity.organs import forms as organ_forms


@dataclass
class PlaceReading:
    """Places written at the start of a string: candidates of the last one, where they end."""

    end: int = 0
    candidates: list[Place] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # the forms as read (corrected if a typo)
    notes: list[str] = field(default_factory=list)
    city: bool = False  # the last place was written short + 市 (那曲市 where the table still says 那曲地区)


@dataclass
class Identity:
    """What an agency name means."""

    printed: str
    canonical: str
    code: str = ""  # the place's code; '' when it could not be placed
    organ: str = ""  # the organ's key (or the organ text itself when it is not in the table)
    level: str = ""  # province | prefecture | county | department ('' when unplaced)
    region: str = ""  # the prefecture (or province) it belongs to, for alerts and lists
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Division + organ: the identity two printings of one agency share."""
        return f"{self.code}|{self.organ}" if self.code else ""


# ---------------------------------------------------------------------------- places in a string


def _keep_outer(places: list[Place], g: Gazetteer) -> list[Place]:
    """平潭 is both 平潭县 and 平潭综合实验区, one place: the zone's name is kept.  (吉林 is both
    吉林省 and its 吉林市, 淮安 both 淮安市 and its 淮安区: two places, both kept — what is held
    there, or the next place written, decides.)"""
    codes = {p.code for p in places}
    return [p for p in places
            if not (g.known_as.get(p.code) and any(z in codes for z, d in g.same_as.items() if d == p.code))]


def _consistent(places: list[Place], previous: list[Place], g: Gazetteer) -> list[Place]:
    if not previous:
        return places
    prev = {p.code for p in previous}
    return [p for p in places if (g.lineage(p.code) - {p.code}) & prev]


@cache
def _typo_index() -> dict[str, set[str]]:
    """``written form with one character as ?`` → codes of the places written that way."""
    g = gazetteer()
    out: dict[str, set[str]] = {}
    for form, places in g.forms.items():
        if len(form) < 2:
            continue
        for j in range(len(form)):
            out.setdefault(form[:j] + "?" + form[j + 1 :], set()).update(p.code for p in places)
    return out


def typo_places(window: str, pool: set[str] | frozenset[str] | None = None) -> list[Place]:
    """Places one character away from ``window`` (within ``pool`` codes, if given)."""
    g = gazetteer()
    index = _typo_index()
    codes: set[str] = set()
    for j in range(len(window)):
        if window[j] in SUFFIX_CHARS and j == len(window) - 1:
            continue  # a wrong suffix is not a typo of the name (聊城县 is not 聊城市)
        codes |= index.get(window[:j] + "?" + window[j + 1 :], set())
    if pool is not None:
        codes &= pool
    return _keep_outer([g.by_code[c] for c in sorted(codes)], g)


def read_places(text: str, start: int = 0, *, pool: set[str] | None = None,
                typos: bool = False, prefer: set[str] | None = None) -> PlaceReading:
    """The chain of places written from ``text[start]`` on (江苏省淮安市洪泽区 → 洪泽区).

    Each next place must lie under the one before; the previous candidates are narrowed by the
    next (淮安 + 洪泽区 leaves 淮安市, not 淮安区).  With ``typos`` a written form one character
    off is taken when exactly one place (under the previous one, or in ``pool``) is that near."""
    g = gazetteer()
    reading = PlaceReading(end=start)
    i = start
    while i < len(text):
        step = _step(text, i, reading.candidates, g)
        if step is None and typos:
            step = _typo_step(text, i, reading.candidates, pool, prefer, g)
        if step is None:
            break
        form, places, note = step
        reading.candidates = places
        reading.written.append(form)
        if note:
            reading.notes.append(note)
        i += len(form)
        reading.end = i
    return reading


def _step(text: str, i: int, previous: list[Place], g: Gazetteer) -> tuple[str, list[Place], str] | None:
    organ_here = _organ_at(text, i)
    for form, places in g.starting_at(text, i):
        if organ_here and all(form != p.name for p in places):
            continue  # 湖北省公安局: 公安 begins the organ 公安局, it is not 公安县 written short
        fitting = _consistent(places, previous, g)
        if fitting and not (form == text[i:] and len(form) < 2):
            end = i + len(form)
            suffix = text[end] if end < len(text) and not text.startswith("市场", end) else ""
            if suffix and suffix in SUFFIX_CHARS and all(form != p.name for p in fitting):
                # 那曲 + 市: the place written as a city, not 那曲县
                fitting = [p for p in fitting if p.name.endswith(suffix)
                           or (suffix == "市" and p.level == "prefecture")] or fitting
            return form, _keep_outer(fitting, g), ""
    return None


def _typo_step(text: str, i: int, previous: list[Place], pool: set[str] | None, prefer: set[str] | None,
               g: Gazetteer) -> tuple[str, list[Place], str] | None:
    """A place written one character wrong at ``text[i]``: the longest window with exactly one
    place that near (under the previous place or in the pool; among several, the one place the
    body names itself, ``prefer``)."""
    if _organ_at(text, i):
        return None  # 人民政府 is an organ, not 惠民 written wrong
    for length in range(min(8, len(text) - i), 1, -1):
        window = text[i : i + length]
        if length == 2 and window[1] in SUFFIX_CHARS:
            continue
        if window[-1] not in SUFFIX_CHARS and not _organ_at(text, i + length) and i + length < len(text):
            continue  # a place written wrong ends in its suffix or is followed by an organ
        scope = pool
        if previous:
            scope = set().union(*(g.below(p.code) for p in previous))
        near = typo_places(window, scope)
        if len(near) > 1 and prefer:
            near = [p for p in near if p.code in prefer]
        if len(near) == 1:
            place = near[0]
            right = place.name if len(place.name) == length else place.short
            return window, near, f"“{window}”按“{right}”理解"
    return None


def _organ_at(text: str, i: int) -> bool:
    """Does an organ's name (人民政府, 城市管理局, 发改局 …) start at ``text[i]``?"""
    table = organ_forms()
    return any(text[i : i + n] in table for n in range(2, min(max_form(), len(text) - i) + 1))


# ---------------------------------------------------------------------------- names


def split_name(name: str, *, pool: set[str] | None = None, typos: bool = True,
               prefer: set[str] | None = None) -> tuple[PlaceReading, str]:
    """(places at the start, the rest) of a normalised name."""
    reading = read_places(name, pool=pool, typos=typos, prefer=prefer)
    rest = name[reading.end :]
    if rest.startswith("市") and not rest.startswith("市场") and reading.written:
        rest = rest[1:]  # 聊城 + 市 written after a short form
        reading.city = True
    return reading, rest


def build(printed: str, place: Place | None, organ: Organ | None, organ_text: str,
          notes: list[str] | None = None, *, city: bool = False) -> Identity:
    """The identity of an agency at ``place`` with ``organ``: its canonical name and level.
    ``city``: the place was printed as a city (那曲市) where the gazetteer still has a
    prefecture (那曲地区): the printing is newer than the table, so its name is kept."""
    g = gazetteer()
    notes = list(notes or [])
    key = organ.key if organ else organ_text or GOVERNMENT
    if place is None:
        return Identity(printed=printed, canonical=printed, organ=key, notes=notes)
    code = g.same_as.get(place.code, place.code)
    where = g.display(code)
    if city and place.level == "prefecture" and place.name.endswith(("地区", "盟")):
        where = place.short + "市"
    if key == GOVERNMENT and (place.zone or code in g.known_as):
        canonical = where  # 平潭综合实验区: the zone's name is its government's
    elif organ is not None:
        canonical = where + organ.full_at(place.level)
    else:
        canonical = where + (organ_text or "人民政府")
    level = place.level if key == GOVERNMENT else "department"
    return Identity(printed=printed, canonical=canonical, code=code, organ=key, level=level,
                    region=_region(code, g), notes=notes)


def _region(code: str, g: Gazetteer) -> str:
    chain = g.chain(code)
    prefecture = [p for p in chain if p.level == "prefecture"]
    return (prefecture or chain[:1] or [None])[0].name if chain else ""  # type: ignore[union-attr]


def read_name(name: str, *, pool: set[str] | None = None) -> tuple[list[Place], Organ | None, str, list[str]]:
    """(candidate places, organ, organ text, notes) of a normalised agency name."""
    reading, rest = split_name(name, pool=pool)
    organ, note = read_organ(rest)
    notes = reading.notes + ([note] if note else [])
    return reading.candidates, organ, rest, notes


# ---------------------------------------------------------------------------- documents

_EVIDENCE = re.compile(r"(?:(?P<who>本报告由|编制单位|联系单位|发布单位|发布机关)|联系地址|通讯地址|办公地址|地址)[:：]?\s*")


def evidence_places(text: str, folder: str = "", *, strong_only: bool = False) -> list[Place]:
    """Places the body names where it says who wrote the report (本报告由…编制, 编制单位, 联系单位)
    or where it sits (the address), and the places of the folder names (reports/江苏/淮安/…).
    ``strong_only``: not the address — a city bureau's office sits in one of its districts."""
    found: list[Place] = []
    body = normalise(text[:4000] + "\n" + text[-3000:] if len(text) > 7000 else text)
    for match in _EVIDENCE.finditer(body):
        if strong_only and not match.group("who"):
            continue
        reading = read_places(body, match.end())
        if len(reading.candidates) == 1:
            found.append(reading.candidates[0])
    for part in re.split(r"[\\/]", normalise(folder)):
        reading = read_places(part)
        if len(reading.candidates) == 1 and reading.end >= len(part) - 1:
            found.append(reading.candidates[0])
    return found


def identify(printed: str, text: str = "", folder: str = "") -> Identity:
    """The identity of the agency that printed ``printed`` as its name in a report whose body is
    ``text`` (found in ``folder``)."""
    g = gazetteer()
    name = normalise(printed)
    evidence = evidence_places(text, folder)
    near = set().union(*(g.lineage(p.code) for p in evidence)) if evidence else set()
    pool = None
    if evidence:
        pool = {c for c, p in g.by_code.items() if g.lineage(c) & near}
    reading, rest = split_name(name, pool=pool, prefer={e.code for e in evidence})
    organ, note = read_organ(rest)
    notes = reading.notes + ([note] if note else [])
    candidates = reading.candidates
    if len(candidates) > 1 and evidence:
        confirmed = [p for p in candidates if g.lineage(p.code) & {e.code for e in evidence}
                     or any(p.code in g.lineage(e.code) for e in evidence)]
        candidates = confirmed or candidates
    strong = evidence_places(text, folder, strong_only=True) if not reading.written else []
    if not reading.written and strong and organ is not None:
        deepest = max(strong, key=lambda p: len(g.chain(p.code)))
        candidates = [deepest]  # a title without its place ("城市管理局"): who the body says wrote it
        notes.append(f"单位所在地取自正文：{g.display(deepest.code)}")
    if len(candidates) != 1:
        if candidates:
            notes.append("单位名称中的地名对应多个行政区划，未能确定：" + "、".join(g.display(p.code) for p in candidates[:5]))
        return build(name, None, organ, rest, notes)
    return build(name, candidates[0], organ, rest, notes, city=reading.city)
