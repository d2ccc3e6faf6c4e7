"""Splitting digit runs back into table cells by the arithmetic the tables must satisfy.

Web-page text dumps and text copied without spacing run a row's cells together:
"一、本年新收政府信息公开申请数量640020470" is 64 | 0 | 0 | 2 | 0 | 4 | 70.  Nothing in the text
says where one cell ends, but the official tables promise sums, and a printed number never has
a leading zero ("0" is one cell; "07" is not a number).  This module enumerates the splits a row
allows and decides between them, in two steps that keep a real error of the published report
visible instead of "solving it away":

1. **Each row on its own** (:func:`split_row`): every way to cut the row's printed runs into its
   columns that gives well-formed numbers (no leading zeros; a sign only in a 增/减 column; a
   decimal point or 元 only in an amount column) and satisfies the row's *own* relations (the
   six applicant columns add to 总计; each 行政复议/行政诉讼 group adds to its 总计).  A row
   with as many digits as columns is cut digit by digit whatever its sums say, so a row printed
   wrong stays wrong and its check fails as an error of the source.
2. **Between rows** (:func:`choose`): only where a row still has several candidates, the
   relations between rows (per column 本年新收 + 上年结转 = （七）总计 + 结转下年度, the outcome
   rows add to （七）总计) and totals stated in the narrative choose among them.  Rows decided in
   step 1 are never revised, relations that involve no undecided row are not consulted, and
   when no combination of candidates satisfies the relations the rows stay flagged: a
   candidate is never forced to make a table add up.

Enumeration is bounded (``max_nodes``, ``max_options`` of store/settings.py's ``SPLITTING``); hitting a bound is reported
and the row is flagged, never half-decided.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.narrative import narrative_statements
from ingest.normalize import parse_number
from store import settings

COUNT, SIGNED, AMOUNT = "count", "signed", "amount"
"""Column kinds: a non-negative count; a count that may carry a sign (本年增/减); an amount (万元/元)."""


HOW_DIGITS = "按表内勾稽关系拆分：数字位数等于列数，逐位拆分"
HOW_ROW = "按表内勾稽关系拆分：本行合计唯一确定"
HOW_FORM = "按表内勾稽关系拆分：数字格式（符号、小数点、无前导零）唯一确定"
HOW_BLANKS = "按表内勾稽关系拆分：印出的数字少于列数，空白格位置不定，但各种位置下数值相同（空白按0计）"
HOW_PRINTED = "数字位数等于列数，逐位拆分；本行合计不符，按原样读取（见校验）"
HOW_TABLE = "按表内勾稽关系拆分：本行有多种拆法，表内列间关系只容一种"
HOW_NARRATIVE = "按表内勾稽关系拆分：本行有多种拆法，表内关系与正文所述总数只容一种"

_INT = r"(?:0|[1-9]\d*)"
_PIECES = {
    COUNT: re.compile(rf"{_INT}"),
    SIGNED: re.compile(rf"(?:[+\-−]|减少|增加|减|增)?{_INT}"),
    AMOUNT: re.compile(rf"{_INT}(?:\.\d+)?(?:万元|元)?"),
}
_RUN = re.compile(r"^[\d.+\-−减增少加万元]+$")

Piece = str | None
"""A cell as cut from the printed text; None = a blank cell the text does not show."""
Candidate = tuple[Piece, ...]


class Capped(Exception):
    """The enumeration bound was hit: the row has too many splits to list."""


@dataclass
class RowSplit:
    """What the printed runs of one row allow.

    ``options`` holds one representative per numerically distinct candidate (blank = 0).
    ``cells`` is set when exactly one remains; ``how`` says what decided it.  ``capped`` is True
    when the bound was hit (``options`` is then incomplete and the row undecided)."""

    runs: tuple[str, ...]
    width: int
    options: list[Candidate] = field(default_factory=list)
    cells: Candidate | None = None
    how: str = ""
    capped: bool = False
    conflict: bool = False  # no combination of the rows' candidates satisfies the table's relations
    doubt: str = ""  # why the row stays open although it has candidates (step 2 must not decide it)
    short: bool = False  # fewer digits than columns: the text leaves blank cells unprinted

    @property
    def printed(self) -> str:
        return " ".join(self.runs)


def is_run(token: str) -> bool:
    """Whether a printed value token can be cut into cells (digits, possibly with sign, point, 元)."""
    return bool(_RUN.match(token)) and any(ch.isdigit() for ch in token)


def needs_split(tokens: Sequence[str], width: int) -> bool:
    """A row whose printed tokens cannot be its cells as they stand: a count other than the
    column count, or a token that is no number by itself ("00", "023", "0 7")."""
    if len(tokens) != width:
        return True
    return any(is_run(t) and not _atomic(t) for t in tokens)


def _valid_piece(piece: str, kind: str = AMOUNT) -> bool:
    return bool(_PIECES[kind].fullmatch(piece))


def value_of(piece: Piece) -> float:
    """A piece as a number for arithmetic (blank and blank marks count as 0)."""
    return 0.0 if piece is None else _value(piece)


@lru_cache(maxsize=65536)
def _value(piece: str) -> float:
    return parse_number(piece).value or 0.0


# --- step 1: the splits of one row ------------------------------------------------------------


RowCheck = Callable[[int, Sequence[Piece], int], bool]
"""Called after each column is filled with (columns filled, pieces so far, digits not yet
placed): False prunes."""


def sum_check(groups: Sequence[tuple[int, int]]) -> RowCheck:
    """Each ``(start, end)`` group of columns: the columns before ``end`` add to column ``end``.

    Pruned early: once the addends placed so far add up to more digits than remain in the
    text, no total can follow."""
    group_of = {col: (start, end) for start, end in groups for col in range(start, end + 1)}

    def check(filled: int, pieces: Sequence[Piece], chars_left: int) -> bool:
        col = filled - 1
        if col not in group_of:
            return True
        start, end = group_of[col]
        partial = sum(value_of(p) for p in pieces[start : min(col + 1, end)])
        if col < end:
            return partial < 1 or len(str(int(partial))) <= chars_left
        return abs(partial - value_of(pieces[end])) < settings.SPLITTING.tolerance

    return check


REQUESTS_ROW = sum_check([(0, 6)])
"""A requests-table row: 自然人 + five 法人或其他组织 columns = 总计 (see :func:`_total_last`)."""
APPEALS_ROW = sum_check([(0, 4), (5, 9), (10, 14)])
"""The appeals row: 维持 + 纠正 + 其他 + 尚未审结 = 总计 in each of its three groups."""


def enumerate_splits(tokens: Sequence[str], kinds: Sequence[str], check: RowCheck | None = None,
                     *, blanks: bool = False, whole: bool = False, limit: int | None = None) -> list[Candidate]:
    """Every way to cut ``tokens`` into ``len(kinds)`` well-formed cells that ``check`` accepts.

    Blank-mark tokens ("/", "—") are one blank cell each.  With ``blanks`` the text may omit
    blank cells: a blank (None) may stand in any column.  With ``whole`` a token that is a
    number by itself is one cell (spaces separate the cells); only malformed ones ("00") are
    cut.  Raises :class:`Capped` past ``limit`` results (default ``max_options``) or ``max_nodes`` steps."""
    width = len(kinds)
    limit = settings.SPLITTING.max_options if limit is None else limit
    out: list[Candidate] = []
    pieces: list[Piece] = []
    steps = 0
    min_left = _min_pieces_left(tokens)

    def place(ti: int, pos: int) -> None:
        nonlocal steps
        steps += 1
        if steps > settings.SPLITTING.max_nodes:
            raise Capped
        j = len(pieces)
        if j == width:
            if ti == len(tokens):
                out.append(tuple(pieces))
                if len(out) > limit:
                    raise Capped
            return
        left = width - j
        if ti < len(tokens) and min_left[ti] - (1 if pos else 0) > left:
            return  # too few columns left for the tokens still to place
        if not blanks and _chars_left(tokens, ti, pos) < left:
            return  # every cell needs a character
        if blanks:
            _push(None, ti, pos)
        if ti == len(tokens):
            return
        token = tokens[ti]
        if not is_run(token):  # a blank mark or unreadable text: one cell as printed
            if pos == 0:
                _push(token, ti + 1, 0)
            return
        ends = range(pos + 1, len(token) + 1)
        if whole and pos == 0 and _atomic(token):
            ends = range(len(token), len(token) + 1)
        for end in ends:
            piece = token[pos:end]
            if not _valid_piece(piece, kinds[j]):
                continue
            nxt = (ti + 1, 0) if end == len(token) else (ti, end)
            _push(piece, *nxt)

    def _push(piece: Piece, ti: int, pos: int) -> None:
        pieces.append(piece)
        if check is None or check(len(pieces), pieces, _chars_left(tokens, ti, pos)):
            place(ti, pos)
        pieces.pop()

    place(0, 0)
    return out


def _total_last(tokens: Sequence[str], kinds: Sequence[str], *, blanks: bool, whole: bool,
                limit: int | None = None) -> list[Candidate]:
    """The splits of a row whose last column is the sum of all the others (a requests row),
    found total first: each way the text can end in the total, then the rest cut into the
    other columns with that sum known, so partial sums past it prune at once."""
    limit = settings.SPLITTING.max_options if limit is None else limit
    tolerance = settings.SPLITTING.tolerance
    out: list[Candidate] = []
    for total, rest in _endings(tokens, kinds[-1], blanks=blanks, whole=whole):
        target = value_of(total)

        def check(filled: int, pieces: Sequence[Piece], chars_left: int, target: float = target) -> bool:
            partial = sum(value_of(p) for p in pieces)
            if partial > target + tolerance or partial + 10 ** min(chars_left, 30) <= target:
                return False
            return filled < len(kinds) - 1 or abs(partial - target) < tolerance

        found = enumerate_splits(rest, kinds[:-1], check, blanks=blanks, whole=whole, limit=limit - len(out))
        out += [(*c, total) for c in found]
    return out


def _endings(tokens: Sequence[str], kind: str, *, blanks: bool, whole: bool) -> list[tuple[Piece, list[str]]]:
    """(last cell, the tokens left before it) for every way the row's text can end."""
    if not tokens:
        return [(None, [])] if blanks else []
    last, before = tokens[-1], list(tokens[:-1])
    out: list[tuple[Piece, list[str]]] = [(None, list(tokens))] if blanks else []
    if not is_run(last) or (whole and _atomic(last)):
        return [*out, (last, before)] if not is_run(last) or _valid_piece(last, kind) else out
    for cut in range(len(last) - 1, -1, -1):
        piece = last[cut:]
        if _valid_piece(piece, kind):
            out.append((piece, before + ([last[:cut]] if cut else [])))
    return out


def _atomic(token: str) -> bool:
    return any(_valid_piece(token, kind) for kind in (COUNT, SIGNED, AMOUNT))


def _min_pieces_left(tokens: Sequence[str]) -> list[int]:
    """Cells the tokens from each index on need at least (one each)."""
    return [len(tokens) - i for i in range(len(tokens))] + [0]


def _chars_left(tokens: Sequence[str], ti: int, pos: int) -> int:
    if ti >= len(tokens):
        return 0
    first = len(tokens[ti]) - pos if is_run(tokens[ti]) else 1
    return first + sum(len(t) if is_run(t) else 1 for t in tokens[ti + 1 :])


def _max_pieces(tokens: Sequence[str]) -> int:
    return sum(sum(ch.isdigit() for ch in t) if is_run(t) else 1 for t in tokens)


def numeric(candidate: Candidate) -> tuple[float, ...]:
    return tuple(value_of(p) for p in candidate)


def distinct(candidates: Sequence[Candidate]) -> list[Candidate]:
    """One candidate per distinct tuple of values, merged: a column blank in every candidate of
    a group stays blank, otherwise it takes the printed piece (blank and "0" are both 0)."""
    groups: dict[tuple[float, ...], list[Candidate]] = {}
    for cand in candidates:
        groups.setdefault(numeric(cand), []).append(cand)
    merged = []
    for members in groups.values():
        cells = []
        for i in range(len(members[0])):
            printed = [m[i] for m in members if m[i] is not None]
            cells.append(printed[0] if printed else None)
        merged.append(tuple(cells))
    return merged


def split_row(tokens: Sequence[str], kinds: Sequence[str], check: RowCheck | None = None,
              *, spaced: bool = False, blanks: bool = False) -> RowSplit:
    """Step 1 (see the module docstring): the candidates a row's own digits and sums allow.

    ``spaced``: the text separates cells by spaces, so a missing cell is a blank one and a
    number stays whole; otherwise (cells glued together) runs are cut, and blank cells are
    assumed only where the digits are too few for the columns — or anywhere, with ``blanks``
    (the document shows elsewhere that it leaves blank cells unprinted)."""
    runs = tuple(tokens)
    result = RowSplit(runs=runs, width=len(kinds), short=_max_pieces(tokens) < len(kinds))
    blanks = spaced or blanks or result.short
    try:
        if check is REQUESTS_ROW:
            found = _total_last(tokens, kinds, blanks=blanks, whole=spaced)
        else:
            found = enumerate_splits(tokens, kinds, check, blanks=blanks, whole=spaced)
    except Capped:
        result.capped = True
        return result
    result.options = distinct(found)
    if not found and check is not None and not spaced:
        return _as_printed(result, tokens, kinds, check)
    if len(result.options) == 1:
        result.cells = result.options[0]
        result.how = _how_decided(tokens, kinds, blanks and len(found) > 1, len(found), check)
    return result


def _as_printed(result: RowSplit, tokens: Sequence[str], kinds: Sequence[str], check: RowCheck) -> RowSplit:
    """No split satisfies the row's own sum.  When the digits allow one reading only, even with
    blank cells left unprinted (zeros cannot merge: "0000000" is seven cells), the row is read
    as printed and its check fails as an error of the source.  Otherwise it is either an error
    of the published row or blank cells we cannot place: the row stays flagged with the readings."""
    try:
        only = enumerate_splits(tokens, kinds, None, blanks=True, limit=1)
    except Capped:
        only = []  # more than one reading
    if len(only) == 1:
        result.options, result.cells, result.how = only, only[0], HOW_PRINTED
        return result
    try:
        digits = enumerate_splits(tokens, kinds, None, limit=1)
    except Capped:
        digits = []
    try:
        if check is REQUESTS_ROW:
            with_blanks = distinct(_total_last(tokens, kinds, blanks=True, whole=False))
        else:
            with_blanks = distinct(enumerate_splits(tokens, kinds, check, blanks=True))
    except Capped:
        result.capped = True
        return result
    result.options = digits + with_blanks
    result.doubt = "本行合计不符：或原表本行有误，或有空白格未印出"
    return result


def _how_decided(tokens: Sequence[str], kinds: Sequence[str], blanks: bool, found: int,
                 check: RowCheck | None) -> str:
    if blanks:
        return HOW_BLANKS if found > 1 else HOW_FORM
    if _max_pieces(tokens) == len(kinds) and all(k == COUNT for k in kinds):
        return HOW_DIGITS
    if check is None:
        return HOW_FORM
    try:
        free = enumerate_splits(tokens, kinds, None, limit=1)
    except Capped:
        return HOW_ROW
    return HOW_FORM if len(free) == 1 else HOW_ROW


def describe(candidate: Candidate) -> str:
    return "|".join("空" if p is None else p for p in candidate)


def ambiguity(split: RowSplit) -> str:
    """The flag's reason for a row that could not be split with certainty (lists candidates)."""
    printed = f"数字串“{split.printed}”"
    if split.capped:
        return f"{printed}拆分为{split.width}列的方式过多（超过求解上限），无法确定各数所在列"
    if not split.options:
        return f"{printed}无法拆分为{split.width}列并满足本行合计（可能原表本行有误，或读取有误），未采用"
    shown = "；".join(describe(c) for c in split.options[:settings.SPLITTING.shown])
    more = "…" if len(split.options) > settings.SPLITTING.shown else ""
    ways = f"{printed}可拆分为{split.width}列的方式有{len(split.options)}种（{shown}{more}）"
    if split.doubt:
        return f"{ways}，{split.doubt}，无法确定，未采用"
    if split.conflict:
        return f"{ways}，但没有一种与表内其他行的列间关系相符（可能原表有误，或他行读取有误），未采用"
    return f"{ways}，表内关系无法确定，未采用"


def kind_of(key: str, unit: str) -> str:
    """The kind of a canonical cell's column (see :data:`COUNT`)."""
    if unit == "万元":
        return AMOUNT
    return SIGNED if key.endswith(".change") else COUNT


# --- step 2: choosing between rows' candidates -------------------------------------------------


Cell = tuple[str, int]
"""(row id, column index) in a table."""


@dataclass(frozen=True)
class Equation:
    """Σ coef × cell = 0 over cells of one table."""

    terms: tuple[tuple[Cell, float], ...]
    name: str = ""

    @property
    def rows(self) -> set[str]:
        return {cell[0] for cell, _ in self.terms}


Fact = Callable[[Callable[[Cell], float]], bool]
"""A statement of the narrative, true or false of a full assignment of values."""


@dataclass
class Choice:
    """Step 2's outcome: per undecided row, the candidate indexes found in consistent tables."""

    feasible: dict[str, list[int]]
    solutions: int
    capped: bool = False
    by_narrative: bool = False


def choose(options: dict[str, list[tuple[float, ...]]], known: dict[str, tuple[float, ...]],
           equations: Sequence[Equation], facts: Sequence[Fact] = ()) -> Choice:
    """The combinations of ``options`` (several candidates per row) that satisfy every equation
    touching an undecided row, given the ``known`` rows.  An equation that names a row neither
    known nor undecided (missing, unreadable) is left out; so is one that names no undecided row
    (it cannot choose, and a source error in it must not make rows unreadable).  When several
    combinations remain, the narrative's ``facts`` narrow them if any combination agrees."""
    rows = sorted(options, key=lambda r: len(options[r]))
    usable = [e for e in equations if e.rows & set(options) and e.rows <= set(options) | set(known)]
    fixed = [sum(coef * known[c[0]][c[1]] for c, coef in eq.terms if c[0] in known) for eq in usable]
    adds = {rid: [tuple(sum(coef * opt[c[1]] for c, coef in eq.terms if c[0] == rid) for eq in usable)
                  for opt in options[rid]] for rid in rows}
    bounds = _bounds(rows, adds, len(usable))
    assigned: dict[str, int] = {}
    solutions: list[dict[str, int]] = []
    steps = 0

    def fits(partial: Sequence[float], depth: int) -> bool:
        low, high = bounds[depth]
        tolerance = settings.SPLITTING.tolerance
        return all(p + lo <= tolerance and p + hi >= -tolerance for p, lo, hi in zip(partial, low, high, strict=True))

    def search(depth: int, partial: tuple[float, ...]) -> None:
        nonlocal steps
        steps += 1
        if steps > settings.SPLITTING.max_choice_nodes or len(solutions) > settings.SPLITTING.max_solutions:
            raise Capped
        if depth == len(rows):
            solutions.append(dict(assigned))
            return
        rid = rows[depth]
        for k, add in enumerate(adds[rid]):
            nxt = tuple(p + a for p, a in zip(partial, add, strict=True))
            if fits(nxt, depth + 1):
                assigned[rid] = k
                search(depth + 1, nxt)
                del assigned[rid]

    try:
        if fits(fixed, 0):
            search(0, tuple(fixed))
    except Capped:
        return Choice({r: list(range(len(options[r]))) for r in rows}, len(solutions), capped=True)
    by_narrative = False
    if len(solutions) > 1 and facts:
        agreeing = [s for s in solutions if all(f(_reader(s, options, known)) for f in facts)]
        if agreeing:
            by_narrative = len(agreeing) < len(solutions)
            solutions = agreeing
    feasible = {r: sorted({s[r] for s in solutions}) for r in rows}
    return Choice(feasible, len(solutions), by_narrative=by_narrative)


def decide(open_rows: dict[str, RowSplit], known: dict[str, tuple[float, ...]],
           equations: Sequence[Equation], facts: Sequence[Fact] = ()) -> dict[str, RowSplit]:
    """Step 2 applied: each open row decided (``cells`` set, ``how`` says by what) or left open
    with the candidates still possible (``conflict`` when none fits the relations)."""
    options = {rid: [numeric(c) for c in split.options] for rid, split in open_rows.items()}
    choice = choose(options, known, equations, facts)
    out = {}
    for rid, split in open_rows.items():
        feasible = choice.feasible[rid]
        new = RowSplit(split.runs, split.width, list(split.options), capped=choice.capped)
        if choice.capped:
            pass
        elif choice.solutions == 0:
            new.conflict = True
        elif len(feasible) == 1:
            new.cells = split.options[feasible[0]]
            new.how = HOW_NARRATIVE if choice.by_narrative else HOW_TABLE
        else:
            new.options = [split.options[k] for k in feasible]
        out[rid] = new
    return out


TOTAL = 6
"""The 总计 column of a requests row."""


def requests_equations(fmt: str) -> list[Equation]:
    """The requests table's relations between rows, per applicant column (see ingest.checks)."""
    from store.formats import outcome_rows

    outcomes = outcome_rows(fmt)
    equations = []
    for c in range(7):
        balance = ((("new", c), 1.0), (("carried_over", c), 1.0), (("handled_total", c), -1.0),
                   (("carried_forward", c), -1.0))
        equations.append(Equation(balance, f"balance.{c}"))
        total = tuple(((rid, c), 1.0) for rid in outcomes) + ((("handled_total", c), -1.0),)
        equations.append(Equation(total, f"outcomes.{c}"))
    return equations


def narrative_facts(narrative: str) -> list[Fact]:
    """Totals the narrative states (received, carried over, carried forward, 复议, 诉讼) as facts
    about cells; used only to choose between splits the table leaves open."""
    facts: list[Fact] = []
    for topic, number, _sentence in narrative_statements(narrative or ""):
        facts.append(_fact(topic, float(number)))
    return facts


def _fact(topic: str, n: float) -> Fact:
    def holds(value: Callable[[Cell], float]) -> bool:
        if topic == "new":
            new = value(("new", TOTAL))
            return _eq(new, n) or _eq(new + value(("carried_over", TOTAL)), n)
        if topic in ("carried_over", "carried_forward"):
            return _eq(value((topic, TOTAL)), n)
        if topic == "review":
            return _eq(value(("all", 4)), n)
        direct = value(("all", 9))
        return _eq(direct + value(("all", 14)), n) or _eq(direct, n)

    return holds


def _eq(a: float, b: float) -> bool:
    return abs(a - b) < settings.SPLITTING.tolerance


def _reader(solution: dict[str, int], options: dict[str, list[tuple[float, ...]]],
            known: dict[str, tuple[float, ...]]) -> Callable[[Cell], float]:
    def value(cell: Cell) -> float:
        rid, col = cell
        if rid in known:
            return known[rid][col]
        if rid in solution:
            return options[rid][solution[rid]][col]
        return float("nan")  # a row nobody read: a fact about it is neither true nor usable

    return value


def _bounds(rows: list[str], adds: dict[str, list[tuple[float, ...]]],
            count: int) -> list[tuple[list[float], list[float]]]:
    """Per search depth: the least and most the rows not yet assigned add to each equation."""
    out = []
    for depth in range(len(rows) + 1):
        low, high = [0.0] * count, [0.0] * count
        for rid in rows[depth:]:
            for e in range(count):
                values = [add[e] for add in adds[rid]]
                low[e] += min(values)
                high[e] += max(values)
        out.append((low, high))
    return out


__all__ = [
    "AMOUNT", "APPEALS_ROW", "COUNT", "REQUESTS_ROW", "SIGNED", "Capped", "Choice", "Equation", "RowSplit",
    "ambiguity", "choose", "decide", "describe", "enumerate_splits", "is_run", "kind_of", "narrative_facts",
    "needs_split", "requests_equations", "split_row", "value_of",
]
