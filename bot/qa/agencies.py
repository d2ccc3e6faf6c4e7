"""Agency matching: which agency (or agencies) a question names.

The index is built once per database state (count and max id of ``agencies``) and cached, so a
question costs dictionary look-ups plus, only when exact matching fails, one rapidfuzz pass.
Names are split into region places (gazetteer) and a department, both canonicalised
(:func:`bot.qa.text.canonical`), so 聊城城管局, 聊城市城市管理局 and 城管局 meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field

import sqlite_utils
from rapidfuzz import fuzz, process

from bot.qa import places as gaz
from bot.qa.text import canonical
from store import queries

GOV_DEPTS = ("", "政府")
NON_AGENCY = ("政府信息公开", "政府信息", "政府集中采购", "信息公开", "政府网站")
CONNECTORS = re.compile(r"和|与|跟|同|及|对比|比较|相比|vs|\|")
_FILLER = re.compile(
    r"\d+|今年|去年|大前年|前年|历年|多少|几件|几个|几项|几|是|有|一共|共计|总共|合计|了|吗|呢|请问|查询|查一下|告诉我|收到|申请|数量|情况|报告|年报|"
    r"件|个|项|万元|年度|年|的|被|因|在|为|对比|比较|趋势|排名|公开|处理|提供|复议|诉讼|采购|金额|许可|处罚|强制|收费|"
    r"规范性文件|规章|结转|办理|总计|自然人|法人|新收|纠正|维持|决定|制发|制作|各部门|各单位|哪些|哪个|#"
)


@dataclass
class Entry:
    id: int
    name: str
    places: tuple[str, ...]  # region prefix of the name (bare places)
    all_places: frozenset[str]  # + places of the region column
    dept: str  # canonical department ('' or 政府 for a region's government)
    dept_raw: str  # department as written in the name

    @property
    def is_gov(self) -> bool:
        return self.dept in GOV_DEPTS or self.dept.endswith(("管委会", "管理委员会", "实验区"))


@dataclass
class Mention:
    """One agency reference in a question: places, and a name/department token if any."""

    places: tuple[str, ...] = ()
    token: str | None = None
    start: int = 0
    phrase: str = ""  # the text around it, for fuzzy matching


@dataclass
class Resolution:
    """How a mention resolved: one agency, several candidates, or none (with suggestions)."""

    agency: str | None = None
    candidates: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    note: str = ""  # e.g. "按“聊城市机关事务管理局”理解"
    places: tuple[str, ...] = ()

    @property
    def matches(self) -> list[str]:
        """The agency meant, or every candidate when the name fits several ([] when none)."""
        return [self.agency] if self.agency else list(self.candidates)


class AgencyIndex:
    def __init__(self, rows: list[dict]) -> None:
        self.entries: list[Entry] = [_entry(r) for r in rows]
        self.exact: dict[str, set[int]] = {}  # canonical full names, compact forms, aliases
        self.dept: dict[str, set[int]] = {}  # canonical departments
        self.by_place: dict[str, set[int]] = {}
        for i, e in enumerate(self.entries):
            for form in _name_forms(e, rows[i].get("aliases") or []):
                self.exact.setdefault(form, set()).add(i)
            if e.dept:
                self.dept.setdefault(e.dept, set()).add(i)
            for p in e.all_places:
                self.by_place.setdefault(p, set()).add(i)
        self.places = frozenset(self.by_place) | gaz.bare_names()
        self.max_token = max((len(t) for t in (*self.exact, *self.dept)), default=2)
        self.compact = ["".join(e.places) + e.dept for e in self.entries]
        self.dept_choices = sorted({*self.dept, *(e.dept_raw for e in self.entries if e.dept_raw)})

    # ---------------------------------------------------------------- mentions in a question

    def mentions(self, q: str) -> list[Mention]:
        """Agency references in canonical question ``q``, in order, split at connectors."""
        masked = _mask(q)
        spans = self._token_spans(masked)
        place_spans = self._place_spans(masked, spans)
        cuts = [m.start() for m in CONNECTORS.finditer(masked) if not _inside(m.start(), spans)]
        groups: dict[int, Mention] = {}
        for start, _end, kind, text in sorted(spans + place_spans):
            seg = sum(1 for c in cuts if c < start)
            mention = groups.setdefault(seg, Mention(start=start))
            if kind == "place":
                mention.places += (text,)
            elif mention.token is None:
                mention.token = text
            else:  # two names in one segment: a new mention
                groups[seg + 1000 + start] = Mention(token=text, start=start)
        found = [groups[k] for k in sorted(groups, key=lambda k: groups[k].start)]
        for m in found:
            m.phrase = _phrase_around(masked, m.start)
        return found

    def fuzzy_phrase(self, q: str) -> str:
        """The longest stretch of the question that is not a year, metric or filler word."""
        pieces = [p for p in _FILLER.split(_mask(q)) if len(p) >= 2]
        return max(pieces, key=len, default="")

    def _token_spans(self, q: str) -> list[tuple[int, int, str, str]]:
        found = []
        for i in range(len(q)):
            for length in range(min(self.max_token, len(q) - i), 1, -1):
                piece = q[i : i + length]
                if piece in self.exact or piece in self.dept:
                    found.append((i, i + length, "token", piece))
                    break
        chosen: list[tuple[int, int, str, str]] = []
        for span in sorted(found, key=lambda s: (s[0] - s[1], s[0])):
            if not any(span[0] < c[1] and c[0] < span[1] for c in chosen):
                chosen.append(span)
        return chosen

    def _place_spans(self, q: str, taken: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
        found = []
        i = 0
        while i < len(q):
            if _inside(i, taken):
                i += 1
                continue
            place = gaz.match_at(q, i, self.places)
            if place is None:
                i += 1
                continue
            found.append((i, i + len(place), "place", place))
            i += len(place) + len(gaz.suffix_at(q, i + len(place)))
        return found

    # ---------------------------------------------------------------- resolution

    @staticmethod
    def names_a_place_only(m: Mention) -> bool:
        """"聊城" or "聊城市": a region; "聊城市统理局" names an agency there (maybe misspelt)."""
        return m.token is None and len(_residue(m.phrase, m.places)) < 2

    def resolve(self, m: Mention) -> Resolution:
        if m.token is not None:
            return self._resolve_token(m)
        return self._resolve_places(m)

    def _resolve_token(self, m: Mention) -> Resolution:
        token = m.token or ""
        ids = self.exact.get(token)
        if ids:
            narrowed = self._within(ids, m.places) or ids
            return self._decide(narrowed, m.places)
        ids = self.dept.get(token, set())
        narrowed = self._within(ids, m.places)
        if narrowed:
            return self._decide(narrowed, m.places)
        fuzzy = self.fuzzy(m.phrase, m.places)
        if fuzzy.agency or fuzzy.candidates:
            return fuzzy
        where = "".join(m.places)
        near = sorted(self.entries[i].name for i in ids)[:5] or fuzzy.suggestions
        return Resolution(suggestions=near, places=m.places, note=f"没有找到{where}的{token}")

    def _resolve_places(self, m: Mention) -> Resolution:
        residue = _residue(m.phrase, m.places)
        if len(residue) >= 2:  # the places are followed by a name we could not read exactly
            fuzzy = self.fuzzy(m.phrase, m.places)
            if not (fuzzy.agency or fuzzy.candidates):
                fuzzy.note = f"没有找到“{m.phrase}”"
            return fuzzy
        ids = self.region_ids(m.places) if m.places else set()
        if not ids:
            return Resolution(places=m.places, note=f"数据库里没有{''.join(m.places)}的单位",
                              suggestions=self.fuzzy(m.phrase, ()).suggestions)
        gov = {i for i in ids if self.entries[i].is_gov}
        return self._decide(gov or ids, m.places)

    def _within(self, ids: set[int], places: tuple[str, ...]) -> set[int]:
        """The agencies of ``ids`` located in every one of ``places`` (set intersections)."""
        result = set(ids)
        for p in places:
            result &= self.by_place.get(p, set())
        return result

    def _decide(self, ids: set[int], places: tuple[str, ...]) -> Resolution:
        if len(ids) > 1 and places:
            exact = {i for i in ids if set(self.entries[i].places) == set(places)}
            ids = exact or ids
        names = sorted((self.entries[i] for i in ids), key=lambda e: (not e.is_gov, len(e.name), e.name))
        if len(names) == 1:
            return Resolution(agency=names[0].name, places=places)
        return Resolution(candidates=[e.name for e in names], places=places)

    def region_ids(self, places: tuple[str, ...]) -> set[int]:
        if not places:
            return set(range(len(self.entries)))
        return self._within(self.by_place.get(places[0], set()), places[1:])

    def fuzzy(self, phrase: str, places: tuple[str, ...]) -> Resolution:
        """Typo-tolerant match of a phrase (rapidfuzz ratio), within the named places if any."""
        if len(phrase) < 2:
            return Resolution(places=places)
        pool = self.region_ids(places) if places and any(p in self.by_place for p in places) else None
        if pool is not None:
            residue = _residue(phrase, places)
            scored = [(max(fuzz.ratio(residue, self.entries[i].dept), fuzz.ratio(residue, self.entries[i].dept_raw)), i)
                      for i in pool]
            cutoff = 75.0
        else:
            hits = process.extract(phrase, self.compact, scorer=fuzz.ratio, limit=8, score_cutoff=40)
            scored = [(score, idx) for _, score, idx in hits]
            for dept, score, _ in process.extract(phrase, self.dept_choices, scorer=fuzz.ratio, limit=3, score_cutoff=80):
                key = canonical(dept)
                scored.extend((score, i) for i in self.dept.get(key, self.dept.get(dept, set())))
            cutoff = 80.0
        return self._from_scores(scored, cutoff, places)

    def _from_scores(self, scored: list[tuple[float, int]], cutoff: float, places: tuple[str, ...]) -> Resolution:
        if not scored:
            return Resolution(places=places)
        scored.sort(key=lambda s: (-s[0], self.entries[s[1]].name))
        best = scored[0][0]
        suggestions = list(dict.fromkeys(self.entries[i].name for _, i in scored[:5]))[:3]
        if best < cutoff:
            return Resolution(suggestions=suggestions, places=places)
        top_ids = [i for s, i in scored if s >= best - 3]
        exact = [i for i in top_ids if places and set(self.entries[i].places) == set(places)]
        top = list(dict.fromkeys(self.entries[i].name for i in (exact or top_ids)))
        if len(top) == 1:
            return Resolution(agency=top[0], places=places, note=f"按“{top[0]}”理解")
        return Resolution(candidates=top[:8], places=places)


def _entry(row: dict) -> Entry:
    name = unicodedata.normalize("NFKC", row["name"])
    places, rest = gaz.split_prefix(name)
    region_places, _ = gaz.split_prefix(unicodedata.normalize("NFKC", row.get("region") or ""))
    return Entry(
        id=row["id"], name=row["name"], places=places, all_places=frozenset(places) | frozenset(region_places),
        dept=canonical(rest), dept_raw=rest,
    )


def _name_forms(e: Entry, aliases: list[str]) -> set[str]:
    forms = {canonical(e.name), "".join(e.places) + e.dept}
    forms.update(canonical(a) for a in aliases)
    return {f for f in forms if len(f) >= 2}


def _mask(q: str) -> str:
    for phrase in NON_AGENCY:
        q = q.replace(phrase, "#" * len(phrase))
    return q


def _inside(pos: int, spans: list[tuple[int, int, str, str]]) -> bool:
    return any(s[0] <= pos < s[1] for s in spans)


def _phrase_around(q: str, start: int) -> str:
    """The filler-free piece of ``q`` that contains position ``start``."""
    pos = 0
    for piece in re.split(f"({_FILLER.pattern}|\\|)", q):
        if piece and pos <= start < pos + len(piece):
            return piece
        pos += len(piece or "")
    return ""


def _residue(phrase: str, places: tuple[str, ...]) -> str:
    """What is left of a phrase once its places (and their suffixes) are removed."""
    rest = phrase
    for p in places:
        i = rest.find(p)
        if i >= 0:
            end = i + len(p)
            end += len(gaz.suffix_at(rest, end))
            rest = rest[:i] + rest[end:]
    return rest


_CACHE: OrderedDict[tuple, AgencyIndex] = OrderedDict()
_CACHE_SIZE = 8


def index_for(db: sqlite_utils.Database) -> AgencyIndex:
    """The cached index of this database's agencies, rebuilt when the table changes."""
    key = (_db_identity(db), queries.data_version(db, "agencies"))
    index = _CACHE.get(key)
    if index is None:
        index = AgencyIndex(queries.agencies(db))
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return index


def _db_identity(db: sqlite_utils.Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else f"memory:{id(db.conn)}"
