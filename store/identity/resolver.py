"""The one resolver: which stored agency (or agencies) a piece of text names — a question, a
command argument (`xxgk export`, `xxgk check`, Telegram /agency) or a name to look up.

Text is read as places (the national gazetteer, hierarchy-aware: 江苏 → 淮安 → 洪泽) and an organ
(the organ table: 城管局 = 城市管理局), so every spelling of one agency meets its stored division
code and organ key.  A place written one character wrong is corrected only against the places
that hold agencies, and only when one is that near; a name that fits several agencies gives a
clarify listing them, never one of them silently.

The index is built from stored columns and forms (no name is re-read) once per database state
and cached, so a question costs dictionary look-ups plus, only when exact reading fails, one
rapidfuzz pass.  Callers pass text already normalised for questions (NFKC; the question shell
may fold 繁體 and abbreviations); traditional characters of place and organ names are folded here
as well.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import sqlite_utils

from store import settings
from store.identity.fuzzy import closest, lengths_of, postings_of, sizes_of
from store.identity.gazetteer import SUFFIX_CHARS, Place, gazetteer, normalise
from store.identity.names import _keep_outer, typo_places
from store.identity.organs import GOVERNMENT, LEVEL_WORDS, forms_of_key, max_form, read_organ
from store.identity.organs import forms as organ_forms

NON_AGENCY = ("政府信息公开", "政府信息", "政府集中采购", "信息公开", "政府网站")
CONNECTORS = re.compile(r"和|与|跟|同|及|对比|比较|相比|vs|\|")
_FILLER = re.compile(
    r"\d+|[〇零一二三四五六七八九]{4}(?=年)|今年|去年|大前年|前年|历年|多少|几件|几个|几项|几|是|有|一共|共计|总共|合计|了|吗|呢|请问|查询|查一下|告诉我|收到|申请|数量|情况|报告|年报|"
    r"件|个|项|万元|年度|年|的|被|因|在|为|对比|比较|趋势|排名|公开|处理|提供|复议|诉讼|采购|金额|许可|处罚|强制|收费|"
    r"规范性文件|规章|结转|办理|总计|自然人|法人|新收|纠正|维持|决定|制发|制作|各部门|各单位|各区县|各县区|哪些|哪个|#"
)
CLOSE = 8
"""Fuzzy scores this near the best one are as good as it: several such names are a clarify."""
COUNTIES = re.compile(r"各(?:区县|县区|县市区|县市|区|县)")
DEPARTMENTS = re.compile(r"各(?:部门|委办局|局)")


@dataclass
class Entry:
    id: int
    name: str
    code: str  # division (or zone) code; '' when unplaced
    organ: str  # organ key
    level: str  # province | prefecture | county | department | ''
    codes: frozenset[str]  # the division, its ancestors and its zone/division twin

    @property
    def is_gov(self) -> bool:
        return self.organ == GOVERNMENT


@dataclass
class Mention:
    """One agency reference in a text: places (as understood), and an organ or name token."""

    places: tuple[str, ...] = ()  # display: 淮安, 洪泽
    codes: tuple[frozenset[str], ...] = ()  # per place, the codes it may mean
    token: str | None = None
    start: int = 0
    phrase: str = ""  # the text around it, for fuzzy matching
    gap: str = ""  # unread text between the places and the token (宿迁市「沐阳县」发改局)
    notes: list[str] = field(default_factory=list)
    uncertain: bool = False  # a place written wrong that is near several: list, never pick
    tail: str = ""  # unread text right after the token (人民政府「办设室」): maybe the organ misspelt
    text: str = ""  # the whole text as read (places written wrong replaced by the places meant)


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


Span = tuple[int, int, str, str]


class AgencyIndex:
    def __init__(self, rows: list[dict]) -> None:
        g = gazetteer()
        self.entries: list[Entry] = []
        self.exact: dict[str, set[int]] = {}  # names, printings, aliases (and their organ variants)
        self.by_organ: dict[str, set[int]] = {}
        self.by_code: dict[str, set[int]] = {}  # every agency at or under a place
        for i, row in enumerate(rows):
            code = row.get("division_code") or ""
            codes = g.lineage(code) if code else frozenset()
            entry = Entry(id=row["id"], name=row["name"], code=code, organ=row.get("organ") or "",
                          level=row.get("level") or "", codes=codes)
            self.entries.append(entry)
            for form in {row["name"], *(row.get("aliases") or []), *(row.get("forms") or [])}:
                for variant in _variants(normalise(form)):
                    self.exact.setdefault(variant, set()).add(i)
            if entry.organ:
                self.by_organ.setdefault(entry.organ, set()).add(i)
            for c in codes:
                self.by_code.setdefault(c, set()).add(i)
        self.organ_tokens = {f: o.key for f, o in organ_forms().items()}
        table_keys = set(self.organ_tokens.values())
        for e in self.entries:  # organs not in the table are read as written
            if e.organ and e.organ not in table_keys and len(e.organ) >= 2:
                self.organ_tokens.setdefault(e.organ, e.organ)
        self.dept = self.by_organ  # organ key → agencies (the rankings' "各城管局")
        self.held = frozenset(self.by_code)
        self.held_under: dict[str, set[str]] = {}  # a place → the held places under it
        for c in self.held:
            for above in g.lineage(c) - {c}:
                self.held_under.setdefault(above, set()).add(c)
        order = sorted(range(len(self.entries)),
                       key=lambda i: (not self.entries[i].is_gov, len(self.entries[i].name), self.entries[i].name))
        self.rank = {i: n for n, i in enumerate(order)}
        self.place_forms = _question_places(self.held)
        self.token_first = _longest_by_first_char((*self.exact, *self.organ_tokens))
        self.place_first = _longest_by_first_char(self.place_forms)
        self.names = [e.name for e in self.entries]
        self.char_postings = postings_of(self.names)  # character → names holding it (fuzzy.closest)
        self.char_sizes = sizes_of(self.char_postings)
        self.name_lengths = lengths_of(self.names)  # length → names that long (fuzzy.closest)

    def named(self, name: str) -> Entry | None:
        """The agency held under exactly this canonical name (None when none is; the first by
        position when two are).  Every name is among the exact forms, so one shard of them tells
        the few positions to look at; only a name not there falls back to every name."""
        ids = self.exact.get(normalise(name)) or ()
        for i in sorted(ids):
            if self.entries[i].name == name:
                return self.entries[i]
        if len(name) >= 2 and normalise(name) == name:
            return None  # a name held would be among its own exact forms
        i = next((k for k, n in enumerate(self.names) if n == name), None)
        return self.entries[i] if i is not None else None

    # ---------------------------------------------------------------- mentions in a text

    def mentions(self, q: str) -> list[Mention]:
        """Agency references in question ``q``, in order, split at connectors."""
        q = _fold(q)
        masked = _mask(q)
        spans = self._token_spans(masked)
        place_spans, notes, typo_codes = self._place_spans(masked, spans)
        everything = sorted(spans + place_spans)
        joints = [(m.start(), m.end()) for m in CONNECTORS.finditer(masked) if not _inside(m.start(), everything)]
        cuts = [a for a, _ in joints]
        groups: dict[int, Mention] = {}
        last_end: dict[int, int] = {}
        for start, end, kind, text in everything:
            seg = sum(1 for c in cuts if c < start)
            mention = groups.setdefault(seg, Mention(start=start))
            if kind == "place":
                if mention.token is not None:  # a place after the name starts a new mention
                    seg = seg + 1000 + start
                    mention = groups.setdefault(seg, Mention(start=start))
                mention.places += (text,)
                typo = typo_codes.get(start)
                mention.codes += (typo if typo is not None else self._codes_of(text, mention.codes),)
                mention.notes += notes.get(start, [])
                mention.uncertain |= typo is not None and len(typo - set(gazetteer().same_as.values())) > 1
            elif mention.token is None:
                mention.token = text
                if mention.places:
                    mention.gap = masked[last_end.get(seg, start):start]
            else:  # two names in one segment: a new mention
                groups[seg + 1000 + start] = Mention(token=text, start=start)
            last_end[seg] = end
        found = [groups[k] for k in sorted(groups, key=lambda k: groups[k].start)]
        corrected = masked
        for start, end, _kind, text in place_spans:
            if start in notes and len(text) == end - start:  # a typo, read as the place it means
                corrected = corrected[:start] + text + corrected[end:]
        starts = {span[0] for span in everything}
        joints = [(a, b) for a, b in joints if b in starts]  # 和 before a name; not inside 人力资源和社会保障局
        for m in found:
            m.text = corrected
            lo = max([b for a, b in joints if b <= m.start], default=0)
            hi = min([a for a, b in joints if a > m.start], default=len(corrected))
            m.phrase = _phrase_around(corrected[:hi], m.start, lo)
            if m.token and m.token in m.phrase:
                m.tail = m.phrase[m.phrase.index(m.token) + len(m.token):]
        return found

    def fuzzy_phrase(self, q: str) -> str:
        """The longest stretch of the question that is not a year, metric or filler word."""
        pieces = [p for p in _FILLER.split(_mask(_fold(q))) if len(p) >= 2]
        return max(pieces, key=len, default="")

    def _token_spans(self, q: str) -> list[Span]:
        found = []
        for i in range(len(q)):
            for length in range(min(self.token_first.get(q[i], 0), len(q) - i), 1, -1):
                piece = q[i : i + length]
                if piece in self.exact or piece in self.organ_tokens:
                    found.append((i, i + length, "token", piece))
                    break
        chosen: list[Span] = []
        for span in sorted(found, key=lambda s: (s[0] - s[1], s[0])):
            if not any(span[0] < c[1] and c[0] < span[1] for c in chosen):
                chosen.append(span)
        return chosen

    def _place_spans(self, q: str, taken: list[Span]
                     ) -> tuple[list[Span], dict[int, list[str]], dict[int, frozenset[str]]]:
        """Places written in ``q`` outside the tokens, notes on those read as typos, and the codes
        a typo may mean (by start position)."""
        found: list[Span] = []
        notes: dict[int, list[str]] = {}
        typo_codes: dict[int, frozenset[str]] = {}
        i = 0
        token_starts = {s[0] for s in taken}
        while i < len(q):
            if _inside(i, taken):
                i += 1
                continue
            previous = found[-1] if found and found[-1][1] == i else None
            form = self._place_at(q, i, taken, previous)
            if form is None:
                typo = self._typo_at(q, i, taken, token_starts, found)
                if typo is None:
                    i += 1
                    continue
                written, form, note, codes = typo
                notes[i] = [note]
                typo_codes[i] = codes
                found.append((i, i + len(written), "place", form))
                i += len(written)
                continue
            found.append((i, i + len(form), "place", form))
            i += len(form)
            if i < len(q) and q[i] in SUFFIX_CHARS and not q.startswith("市场", i) and not _inside(i, taken):
                i += 1  # 聊城 + 市
        return found, notes, typo_codes

    def _place_at(self, q: str, i: int, taken: list[Span], previous: Span | None) -> str | None:
        """The longest place written at ``q[i]``; right after a place, only one under it
        (江苏省大理据局: 大理 is not in 江苏, so it is no place here)."""
        above = self._codes_of(previous[3], ()) if previous else frozenset()
        for length in range(min(self.place_first.get(q[i], 0), len(q) - i), 1, -1):
            piece = q[i : i + length]
            if piece in self.place_forms and not any(i < s[1] and s[0] < i + length for s in taken):
                if above and not any(above & (gazetteer().lineage(p.code) - {p.code}) for p in self.place_forms[piece]):
                    continue
                return piece
        return None

    def _typo_at(self, q: str, i: int, taken: list[Span], token_starts: set[int],
                 found: list[Span]) -> tuple[str, str, str, frozenset[str]] | None:
        """A held place written one character wrong, where a place is expected: at a word's start
        (the text's, after a place, a year or a filler word) and right before an organ, before an
        administrative suffix, or alone (聊成城管局, 淄搏市, 平谭…).  Under a place just read, only
        the places under it count.  Near several places, all of them are returned (uncertain)."""
        after_place = bool(found) and found[-1][1] == i
        opening = i == 0 or q[i - 1] == "|" or bool(CONNECTORS.match(q, i - 1))
        if not (opening or after_place or q[i - 1] == "#" or _FILLER.fullmatch(q[i - 1])
                or (i >= 2 and _FILLER.fullmatch(q[i - 2:i]))):
            return None
        pool: frozenset[str] | set[str] = self.held
        if after_place:
            above = self._codes_of(found[-1][3], ())
            pool = set().union(*(self.held_under.get(a, set()) for a in above))
        for length in (4, 3, 2):
            end = i + length
            if end > len(q) or any(i < s[1] and s[0] < end for s in taken):
                continue
            window = q[i:end]
            if not all("\u4e00" <= ch <= "\u9fff" for ch in window) or (length == 2 and window[1] in SUFFIX_CHARS):
                continue
            before_organ = end in token_starts
            before_suffix = end < len(q) and q[end] in SUFFIX_CHARS and not q.startswith("市场", end)
            alone = opening and (end == len(q) or q[end] in "#|")  # "平谭2023年…": a place by itself
            if not (before_organ or before_suffix or alone or window[-1] in SUFFIX_CHARS):
                continue
            near = typo_places(window, pool)
            if len(near) == 1:
                place = near[0]
                form = place.name if len(place.name) == length else place.short
                return window, form, f"“{window}”按“{form}”理解", self._expand(near)
            if 1 < len(near) <= settings.MATCH.typo_places_max and (before_organ or before_suffix):
                names = "、".join(p.name for p in near)
                return window, window, f"“{window}”可能是{names}", self._expand(near)
        return None

    @staticmethod
    def _expand(places: list[Place]) -> frozenset[str]:
        g = gazetteer()
        return frozenset({p.code for p in places} | {g.same_as[p.code] for p in places if p.code in g.same_as})

    def _codes_of(self, form: str, previous: tuple[frozenset[str], ...]) -> frozenset[str]:
        """Codes a written place may mean, under the place before it; held ones preferred."""
        g = gazetteer()
        places = self.place_forms.get(form, [])
        if previous:
            prev = previous[-1]
            places = [p for p in places if (g.lineage(p.code) - {p.code}) & prev] or places
        held = [p for p in places if p.code in self.held]
        places = _keep_outer(held or places, g)
        return frozenset({p.code for p in places} | {g.same_as[p.code] for p in places if p.code in g.same_as})

    # ---------------------------------------------------------------- resolution

    @staticmethod
    def names_a_place_only(m: Mention) -> bool:
        """"聊城" or "聊城市": a region; "聊城市统理局" names an agency there (maybe misspelt)."""
        return m.token is None and len(_residue(m.phrase, m.places)) < 2

    def resolve(self, m: Mention) -> Resolution:
        r = self._resolve_token(m) if m.token is not None else self._resolve_places(m)
        if m.notes and r.agency and not r.note:
            r.note = "；".join(m.notes)
        return r

    def resolve_name(self, text: str) -> Resolution:
        """What a whole string names (a command argument): the same reading as questions."""
        name = normalise(text)
        found = self.mentions(name)
        if len(found) == 1:
            m = found[0]
            rest = _residue(m.text, m.places)
            if m.token and m.token in rest:
                i = rest.index(m.token)
                m.gap, m.tail = rest[:i] or m.gap, rest[i + len(m.token):]
            m.phrase = m.text  # a name has no filler words: every character counts
            m.uncertain |= bool(m.tail)  # text the reading left over: list, never pick
            return self.resolve(m)
        if not found:
            return self.fuzzy(name, ())
        joined = Mention(places=tuple(p for m in found for p in m.places),
                         codes=tuple(c for m in found for c in m.codes),
                         token=next((m.token for m in found if m.token), None), phrase=name, gap="?",
                         uncertain=True)
        return self.resolve(joined)

    def _resolve_token(self, m: Mention) -> Resolution:
        if _real_gap(m.gap):  # 山西省「人理」政府: the gap and the token may be one organ written wrong
            organ, note = read_organ(m.gap + (m.token or ""))
            if organ is not None:
                m = Mention(places=m.places, codes=m.codes, token=organ.key, start=m.start, phrase=m.phrase,
                            notes=[*m.notes, note], uncertain=m.uncertain, tail=m.tail)
        if m.tail and m.token in self.organ_tokens:  # 人民政府「办设室」: 人民政府办公室 misspelt
            for k in range(min(len(m.tail), 6), 0, -1):
                organ, note = read_organ(m.token + m.tail[:k])
                if organ is not None and note:
                    m = Mention(places=m.places, codes=m.codes, token=organ.key, start=m.start, phrase=m.phrase,
                                notes=[*m.notes, note], uncertain=m.uncertain and k < len(m.tail))
                    break
        token = m.token or ""
        region = self.region_of(m) if m.places else None
        ids = self.exact.get(token)
        if ids:
            narrowed = (ids & region) if region is not None else ids
            if m.uncertain:  # 清河区人民政府「办设室」: text left over — the agencies there, to pick from
                codes = {self.entries[i].code for i in narrowed or ids if self.entries[i].code}
                near = {i for c in codes for i in self.by_code.get(c, set()) if self.entries[i].code == c}
                return Resolution(candidates=self._ordered((narrowed or ids) | near), places=m.places)
            return self._decide(narrowed or ids, m)
        organ_key = self.organ_tokens.get(token, token)
        ids = self.by_organ.get(organ_key, set())
        if region is None:
            return self._decide(ids, m) if ids else self._missing(m, organ_key, ids)
        at = {i for i in ids & region if self.entries[i].code in m.codes[-1]}
        if at and not _real_gap(m.gap) and not m.uncertain:
            return self._decide(at, m)
        under = ids & region
        if under:
            return Resolution(candidates=self._ordered(under), places=m.places)
        return self._missing(m, organ_key, ids)

    def _missing(self, m: Mention, organ_key: str, ids: set[int]) -> Resolution:
        fuzzy = self.fuzzy(m.phrase, m.places, m) if not _real_gap(m.gap) else Resolution()
        if fuzzy.agency or fuzzy.candidates:
            return fuzzy
        where = "".join(m.places)
        here = self.region_of(m) if m.places else set()
        near = self._ordered(here)[:5] or self._ordered(ids)[:5] or fuzzy.suggestions
        return Resolution(suggestions=near, places=m.places, note=f"没有找到{where}的{m.token}")

    def _resolve_places(self, m: Mention) -> Resolution:
        residue = _residue(m.phrase, m.places)
        if len(residue) >= 2:  # the places are followed by a name we could not read exactly
            organ, note = read_organ(residue)
            if organ is not None and organ.key in self.by_organ:
                r = self._resolve_token(Mention(places=m.places, codes=m.codes, token=organ.key,
                                                phrase=m.phrase, notes=m.notes + [note]))
                if r.agency:
                    r.note = note
                return r
            fuzzy = self.fuzzy(m.phrase, m.places, m)
            if not (fuzzy.agency or fuzzy.candidates):
                fuzzy.note = f"没有找到“{m.phrase}”"
            return fuzzy
        ids = self.region_of(m)
        if not ids:
            return Resolution(places=m.places, note=f"数据库里没有{''.join(m.places)}的单位",
                              suggestions=self.fuzzy(m.phrase, ()).suggestions)
        govs = {i for i in ids if self.entries[i].is_gov and self.entries[i].code in m.codes[-1]}
        if len(govs) == 1 and not m.uncertain:
            return self._decide(govs, m)
        return Resolution(candidates=self._ordered(govs or ids), places=m.places)

    def region_of(self, m: Mention) -> set[int]:
        """The agencies at or under every place of the mention."""
        result: set[int] | None = None
        for codes in m.codes:
            here = set().union(*(self.by_code.get(c, set()) for c in codes)) if codes else set()
            result = here if result is None else result & here
        return result if result is not None else set(range(len(self.entries)))

    def region_ids(self, places: tuple[str, ...]) -> set[int]:
        """The agencies under places written as text (each read through the gazetteer)."""
        if not places:
            return set(range(len(self.entries)))
        codes: tuple[frozenset[str], ...] = ()
        for p in places:
            codes += (self._codes_of(p, codes),)
        return self.region_of(Mention(places=places, codes=codes))

    def _within(self, ids: set[int], places: tuple[str, ...]) -> set[int]:
        return ids & self.region_ids(places)

    def _decide(self, ids: set[int], m: Mention) -> Resolution:
        names = self._ordered(ids)
        if len(names) == 1:
            return Resolution(agency=names[0], places=m.places)
        return Resolution(candidates=names, places=m.places)

    def _ordered(self, ids: set[int]) -> list[str]:
        """Governments first, then shorter names: the order candidates are offered in."""
        return [self.entries[i].name for i in sorted(ids, key=self.rank.__getitem__)]

    def fuzzy(self, phrase: str, places: tuple[str, ...], m: Mention | None = None) -> Resolution:
        """Typo-tolerant match of a phrase (rapidfuzz ratio), within the named places if any.
        One name clearly ahead is taken with a note; several close ones are candidates."""
        if len(phrase) < 2:
            return Resolution(places=places)
        from rapidfuzz import fuzz  # only a name not read exactly pays its import

        if places:
            pool = self.region_of(m) if m is not None else self.region_ids(places)
            residue = _residue(phrase, places)
            scored = [(fuzz.ratio(residue, self._organ_text(i)), i) for i in pool]
            cutoff = settings.MATCH.in_place_cutoff
        else:
            scored = self._closest_anywhere(phrase)
            cutoff = settings.MATCH.anywhere_cutoff
        return self._from_scores(scored, cutoff, places)

    def _closest_anywhere(self, phrase: str) -> list[tuple[float, int]]:
        """(score, position) of the names :meth:`_from_scores` decides on, as rapidfuzz's
        ``extract`` of the best few over every name gives them.  When the best reaches the cutoff
        only names within :data:`CLOSE` of it count, so those are all that is looked for (few
        names can score that high: :func:`store.identity.fuzzy.closest` scores only them); else
        the best few, whatever their scores, become the suggestions (every name is scored)."""
        names = self.names if isinstance(self.names, list) else self.names.as_list()
        match = settings.MATCH

        # every name within CLOSE of a best that reaches the cutoff, or else the best few at all
        return closest(phrase, names, self.char_postings, self.char_sizes, self.name_lengths,
                       limit=match.anywhere_candidates,
                       floor=match.anywhere_floor, start=match.anywhere_cutoff, clear=match.anywhere_cutoff,
                       near=CLOSE)

    def _organ_text(self, i: int) -> str:
        """Agency ``i``'s name without its place (what a question's residue is matched against),
        remembered: a place's agencies are scored again by every question about a name there."""
        known = self.__dict__.setdefault("_organ_texts", {})
        text = known.get(i)
        if text is None:
            e = self.entries[i]
            where = gazetteer().display(e.code) if e.code else ""
            text = known[i] = e.name[len(where):] if where and e.name.startswith(where) else e.name
        return text

    def _from_scores(self, scored: list[tuple[float, int]], cutoff: float, places: tuple[str, ...]) -> Resolution:
        if not scored:
            return Resolution(places=places)
        scored.sort(key=lambda s: (-s[0], self.entries[s[1]].name))
        best = scored[0][0]
        suggestions = list(dict.fromkeys(self.entries[i].name for _, i in scored[:5]))[:3]
        if best < cutoff:
            return Resolution(suggestions=suggestions, places=places)
        top = list(dict.fromkeys(self.entries[i].name for s, i in scored if s >= best - CLOSE))
        if len(top) == 1:
            return Resolution(agency=top[0], places=places, note=f"按“{top[0]}”理解")
        return Resolution(candidates=top[:8], places=places)

    # ---------------------------------------------------------------- scopes

    def scope(self, mentions: list[Mention], text: str) -> tuple[set[int] | None, str]:
        """The agencies a ranking or audit question covers: a province or city names every agency
        under it; 各区县 its county-level governments; 各部门 its own departments; an organ
        (各城管局) the agencies of that organ there."""
        with_places = [m for m in mentions if m.places]
        tokens = [m.token for m in mentions if m.token]
        label = "".join(with_places[0].places) if with_places else ""
        region = self.region_of(with_places[0]) if with_places else None
        here = with_places[0].codes[-1] if with_places else frozenset()
        if COUNTIES.search(text):
            ids = {i for i in (region if region is not None else range(len(self.entries)))
                   if self.entries[i].is_gov and self.entries[i].level == "county"}
            return ids, label + "各区县"
        if DEPARTMENTS.search(text) and region is not None:
            return {i for i in region if not self.entries[i].is_gov and self.entries[i].code in here}, label + "各部门"
        if tokens:
            key = self.organ_tokens.get(tokens[0], tokens[0])
            ids = self.by_organ.get(key, set())
            return (ids & region if region is not None else set(ids)), label + "各" + tokens[0]
        if region is not None:
            return region, label + "各单位"
        return None, "各单位"


# -------------------------------------------------------------------- helpers


def _question_places(held: frozenset[str]) -> dict[str, list[Place]]:
    """Places a question may name: every full name, the short names of provinces and
    prefectures, and the short names of places that hold agencies (a county's short name such as
    和平 or 新华 is an ordinary word unless we hold something there)."""
    g = gazetteer()
    out: dict[str, list[Place]] = {}
    for form, places in g.forms.items():
        keep = [p for p in places if form == p.name or p.level != "county" or p.code in held]
        if keep and len(form) >= 2:
            out[form] = keep
    return out


def _longest_by_first_char(forms) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """First character → the longest form starting with it: a scan tries only those lengths."""
    out: dict[str, int] = {}
    for form in forms:
        if form and len(form) > out.get(form[0], 0):
            out[form[0]] = len(form)
    return out


def _variants(form: str) -> set[str]:
    """A stored name and the same name with its organ written every other way (市中区人民政府 →
    市中区政府), so a folded question meets it."""
    out = {form}
    table = organ_forms()
    for length in range(min(max_form(), len(form)), 1, -1):
        tail = form[-length:]
        if tail in table:
            out |= {form[:-length] + f for f in forms_of_key()[table[tail].key]}
            break
    return {f for f in out if len(f) >= 2}


def _fold(q: str) -> str:
    """Traditional characters of names made simplified, position for position."""
    from store.identity.gazetteer import _t2s

    return q.translate(_t2s())


def _real_gap(gap: str) -> bool:
    return len(gap.replace("的", "").replace("#", "")) >= 1


def _mask(q: str) -> str:
    for phrase in NON_AGENCY:
        q = q.replace(phrase, "#" * len(phrase))
    return q


def _inside(pos: int, spans: list[Span]) -> bool:
    return any(s[0] <= pos < s[1] for s in spans)


def _phrase_around(q: str, start: int, lo: int = 0) -> str:
    """The filler-free piece of ``q`` that contains position ``start``, from ``lo`` on (a
    connector before it ends the mention before: 洪泽区「和」淮阴区)."""
    pos = 0
    for piece in re.split(f"({_FILLER.pattern}|\\|)", q):
        if piece and pos <= start < pos + len(piece):
            return piece[max(0, lo - pos):]
        pos += len(piece or "")
    return ""


def _residue(phrase: str, places: tuple[str, ...]) -> str:
    """What is left of a phrase once its places (and their suffixes) are removed."""
    rest = phrase
    for p in places:
        i = rest.find(p)
        if i >= 0:
            end = i + len(p)
            if end < len(rest) and rest[end] in SUFFIX_CHARS and not rest.startswith("市场", end):
                end += 1
            rest = rest[:i] + rest[end:]
    if rest[:1] in LEVEL_WORDS and rest[1:] in organ_forms():
        rest = rest[1:]
    return rest


# -------------------------------------------------------------------- the index of a database


def rows_for_index(db: sqlite_utils.Database) -> list[dict]:
    """Every agency with the stored columns and forms the index is built from."""
    forms: dict[int, list[str]] = {}
    for agency_id, form in db.execute("select agency_id, form from agency_forms where form not like 'K:%'"):
        forms.setdefault(agency_id, []).append(form)
    rows = db.execute("select id, name, region, aliases, division_code, organ, level from agencies order by id")
    return [{"id": r[0], "name": r[1], "region": r[2], "aliases": json.loads(r[3]), "division_code": r[4],
             "organ": r[5], "level": r[6], "forms": forms.get(r[0], [])} for r in rows]


def agency_state(db: sqlite_utils.Database) -> tuple[int, ...]:
    """Cheap to read, changes whenever agencies, their forms or the operator's changes do: the
    counters the store's triggers bump (:mod:`store.migrations` v4), one indexed look-up instead of
    a scan of the agencies on every question."""
    rows = db.execute("select name, version from data_versions where name in (?, ?, ?) order by name",
                      list(INDEXED_TABLES)).fetchall()
    return tuple(int(version) for _, version in rows)


INDEXED_TABLES = ("agencies", "agency_changes", "agency_forms")
"""The tables the agency index is built from; a change in any of them makes a cached index stale."""


_CACHE: OrderedDict[tuple, AgencyIndex] = OrderedDict()
_CACHE_SIZE = 8


def index_for(db: sqlite_utils.Database) -> AgencyIndex:
    """The cached index of this database's agencies, rebuilt when they change.  A process's
    first question loads the one the file keeps (:mod:`store.identity.persisted`) instead of
    rebuilding it from every agency."""
    from store.identity import persisted

    key = (_db_identity(db), *agency_state(db))
    index = _CACHE.get(key)
    if index is None:
        state, index = persisted.fetch(db)
        key = (_db_identity(db), *state)
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return index


def forget_cached() -> None:
    """Drop every cached index (one in use lost a stored shard: the next question reloads)."""
    _CACHE.clear()


def _db_identity(db: sqlite_utils.Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else f"memory:{id(db.conn)}"
