"""The one interpreter: a :class:`Document` of labelled rows → a :class:`ParsedReport`.

Every reader (text, HTML, DOCX, PDF) hands over rows; this module alone knows the vocabulary of
the three statistics tables.  It works in four steps:

1. find the identity (agency, year, region) from the title or the opening lines;
2. split rows into the three tables — by section headings when the document has them, else by
   the vocabulary of the rows themselves (HTML/PDF readers give only table rows);
3. per table, decide the format (2019 or 2021), map each row's label to a canonical row by its
   distinctive core, and fit its values to the row's columns;
4. turn every catalogue cell of the chosen formats into a :class:`CellReading` — parsed, blank,
   or flagged with a Chinese reason when it could not be placed with certainty.

A value is never guessed into a column: a count of numbers that cannot be placed flags the row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ingest.identity import detect_identity, name_report
from ingest.model import CellReading, Document, IngestError, ParsedReport, Provenance, SourceCell, SourceRow
from ingest.normalize import core, is_value_text, parse_number, to_wan
from ingest.splitting import RowSplit
from store import settings
from store.catalogue import CellSpec, derived, derived_text, specs_for
from store.formats import detect_format, format_ids, formats, outcome_rows, rows

if TYPE_CHECKING:
    from ingest.loose import Alignment

TABLES = ("active", "requests", "appeals")
TABLE_NAMES = {"active": "主动公开政府信息情况", "requests": "收到和处理政府信息公开申请情况", "appeals": "行政复议、行政诉讼情况"}

# --- vocabulary ---------------------------------------------------------------------------------

_NUM = "一二三四五六七八九十"
_HEADINGS = {
    "active": re.compile(rf"^(?:[{_NUM}]+、)?主动公开政府信息(?:的)?情况"),
    "requests": re.compile(rf"^(?:[{_NUM}]+、)?收到和处理政府信息公开申请(?:的)?情况"),
    "appeals": re.compile(rf"^(?:[{_NUM}]+、)(?:因)?(?:政府信息公开工作)?(?:被申请)?.*行政复议.*行政诉讼.*情况"),
    "end": re.compile(rf"^[{_NUM}]+、(?:存在的主要问题|其他需要报告)"),
}
_GROUP = re.compile(rf"^\(([{_NUM}])\)")
_ENUMERATED = re.compile(rf"^(?:[{_NUM}]+、|\([{_NUM}]+\)|\d+[.、])")
_ITEM_START = re.compile(rf"^(?:[{_NUM}]+(?:、|\)|$)|\((?:[{_NUM}]|\)|$)|\d)")
"""An enumerator, even one cut short or missing a character: "（七", "（", "七）", "（）", "3要求…"."""
_CUT_ENUMERATOR = re.compile(rf"^(?:\(|\([{_NUM}]+|[{_NUM}]+|\d+)$")  # "（", "（七", "七", "2"
_TOTAL = re.compile(r"^\(?七\)?总计$")  # "（七）总计", and the same missing a bracket

HEADER_CORES = frozenset(
    {
        "申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
        "其他", "总计", "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结",
        "未经复议直接起诉", "复议后起诉", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
        "上一年项目数量", "本年增/减", "处理决定数量", "采购项目数量", "采购总金额", "本年制发件数",
        "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
    }
)
APPEALS_MARKS = ("行政复议", "行政诉讼", "复议后起诉", "未经复议", "结果维持", "结果纠正", "尚未审结")
REQUESTS_MARKS = ("申请人情况", "勾稽关系", "商业企业")


# --- row views ----------------------------------------------------------------------------------


@dataclass
class RowView:
    """A row split into its label cells and the value cells that follow the last label."""

    row: SourceRow
    labels: list[str]
    values: list[SourceCell]
    start: int = 0  # index in ``row.cells`` of the first value cell

    @property
    def joined(self) -> str:
        return "".join(self.labels)

    @cached_property
    def has_numbers(self) -> bool:
        """Asked of every row many times over; a view's cells never change once it is made."""
        return any(parse_number(c.text).status == "number" for c in self.values)

    @property
    def raw(self) -> str:
        return " ".join(t for t in self.row.texts if t.strip())


def view(row: SourceRow) -> RowView:
    last_label = -1
    for i, cell in enumerate(row.cells):
        if cell.text.strip() and not is_value_text(cell.text):
            last_label = i
    labels = [core(c.text) for c in row.cells[: last_label + 1] if c.text.strip()]
    if not row.grid and labels:  # the pieces of one label wrapped over several lines
        labels = ["".join(labels)]
    return RowView(row=row, labels=labels, values=list(row.cells[last_label + 1 :]), start=last_label + 1)


def is_header(v: RowView) -> bool:
    """Column-header rows (repeated after a page break too) carry only header words."""
    if v.has_numbers:
        return False
    hits = sum(1 for label in v.labels if label in HEADER_CORES or "勾稽关系" in label)
    return hits >= settings.INTERPRET.header_words or (hits >= 1 and len(v.labels) == 1 and not v.values)


# --- splitting the document into tables ---------------------------------------------------------


def _heading_of(v: RowView) -> str | None:
    found = None
    for label in v.labels:
        for name, pattern in _HEADINGS.items():
            if pattern.match(label):
                found = name
    return found


@derived
def _active_words() -> re.Pattern[str]:
    """Any word that marks a row of the active table: its headings, every format's marks, and
    the cores of its rows."""
    words = ("第二十条", "信息内容", *(m for f in formats() for m in f.active_marks),
             *(c for r in rows("active") for c in r.cores))
    return re.compile("|".join(re.escape(w) for w in words))


def _vocab_table(v: RowView) -> str | None:
    text = v.joined
    if any(m in text for m in APPEALS_MARKS):
        return "appeals"
    if _active_words().search(text):
        return "active"
    if any(m in text for m in REQUESTS_MARKS) or (not is_header(v) and _request_row(v.labels, None)):
        return "requests"
    return None


def split_tables(views: list[RowView]) -> dict[str, list[RowView]]:
    """Rows per table: headings decide where present; elsewhere the rows' own vocabulary does."""
    headings = [_heading_of(v) for v in views]
    found = {h for h in headings if h in TABLES}
    tables: dict[str, list[RowView]] = {t: [] for t in TABLES}
    current: str | None = None
    for v, heading in zip(views, headings, strict=True):
        if heading == "end":
            current = None
            continue
        if heading in TABLES:
            current = heading
        else:
            guess = _vocab_table(v)
            if guess is not None and guess not in found and guess != current:
                current = guess
        if current is not None:
            tables[current].append(v)
    return tables


# --- label matching -----------------------------------------------------------------------------


def _active_row(labels: list[str]) -> str | None:
    """The row a label names.  A label cell naming two rows ("行政处罚行政强制": a blank row run
    into the next one in text on one line) names neither for sure: no match, the row is flagged."""
    for label in reversed(labels):
        named = _active_rows_named(label)
        if len(named) > 1:
            return None
        if named:
            return next(iter(named))
    return None


@derived_text()
def _active_rows_named(label: str) -> frozenset[str]:
    """The active rows whose cores ``label`` contains (a table's labels recur in every report)."""
    return frozenset(r.id for r in rows("active") if any(c in label for c in r.cores))


@derived_text()
def _requests_row_named(label: str) -> str | None:
    """The first requests row (most specific first) whose cores ``label`` contains."""
    for r in rows("requests"):
        if any(c in label for c in r.cores):
            return r.id
    return None


def _strip_enumerator(label: str) -> str:
    return _ENUMERATED.sub("", label)


def _request_row(labels: list[str], group: str | None) -> str | None:
    """The canonical row of a requests-table label (most specific label cell first)."""
    for i, label in enumerate(reversed(labels)):
        named = _requests_row_named(label)
        if named is not None:
            return named
        bare = _strip_enumerator(label)
        if bare == "其他" and group == "六" and not _GROUP.match(label):  # "3.其他", not "（六）其他…"
            return "other_misc"
        if i == 0 and (bare.startswith("其他处理") or label.startswith("(六)其他")):
            return "other"  # only as the row's own label: a repeated group label is not the row
        if "总计" in label and (label.startswith("(七)") or group == "七" or bare == "总计" or _TOTAL.match(label)):
            return "handled_total"
    return None


def _group_of(labels: list[str], group: str | None) -> str | None:
    for label in labels:
        match = _GROUP.match(label)
        if match:
            group = match.group(1)
    return group


# --- fitting values to columns ------------------------------------------------------------------


@dataclass
class Placed:
    """A canonical row's reading: one entry per column (None = blank by rule), or a flag."""

    view: RowView
    cells: list[SourceCell | None] = field(default_factory=list)
    reason: str = ""
    inferred: str = ""  # how a column was chosen when the row alone does not say (provenance note)
    joined: str = ""  # numbers taken from the next row, under words of its own (provenance note)
    split: RowSplit | None = None  # digit runs cut into cells (ingest.splitting), decided or not

    @property
    def blank(self) -> bool:
        return not self.reason and all(c is None or not c.text.strip() for c in self.cells)


def _same_value(cells: list[SourceCell]) -> bool:
    parsed = [parse_number(c.text) for c in cells]
    return all(p.status == "number" for p in parsed) and len({p.value for p in parsed}) == 1


def _mismatch(count: int, n: int) -> str:
    return f"数字个数（{count}）与列数（{n}）不符，无法确定各数所在列"


def _header_groups(v: RowView, header: RowView | None) -> list[list[int]] | None:
    """Value columns grouped by a merged header above them (a header spanning two grid columns)."""
    if header is None or not v.row.grid or len(header.row.cells) != len(v.row.cells):
        return None
    groups: list[list[int]] = []
    previous = None
    for i in range(v.start, len(v.row.cells)):
        text = core(header.row.cells[i].text)
        if groups and text and text == previous:
            groups[-1].append(i)
        else:
            groups.append([i])
        previous = text
    return groups


def _fit_groups(v: RowView, groups: list[list[int]]) -> Placed:
    cells: list[SourceCell | None] = []
    for group in groups:
        members = [v.row.cells[i] for i in group]
        filled = [c for c in members if c.text.strip()]
        if len({core(c.text) for c in filled}) > 1:
            return Placed(v, reason="合并表头下的数值不一致，无法确定所在列")
        cells.append(filled[0] if filled else members[0])
    return Placed(v, cells)


def fit(v: RowView, n: int, table: str, header: RowView | None = None) -> Placed:
    """Place a row's values in ``n`` columns, or flag the row."""
    values = list(v.values)
    if not v.row.grid:
        return _fit_tokens(v, values, n, table)
    groups = _header_groups(v, header)
    if groups is not None and len(groups) == n and len(values) != n:
        return _fit_groups(v, groups)
    while len(values) > n and not values[0].text.strip():
        values.pop(0)
    trailing = False
    while len(values) > n and not values[-1].text.strip():
        values.pop()
        trailing = True
    if len(values) == n:
        if trailing and table == "requests" and not _header_as_wide(v, header) and not _adds_up(values):
            return Placed(v, reason=_mismatch(len(v.values), n) + "（行末多出空单元格，且本行合计对不上，可能有单元格错位）")
        return Placed(v, list(values))
    if len(values) > n:
        return _fit_surplus(v, values, n, table)
    return Placed(v, reason=_mismatch(len(values), n))


def _header_as_wide(v: RowView, header: RowView | None) -> bool:
    """Whether the column header spans this row's trailing cells too (a real, empty column)."""
    return header is not None and header.row.grid and len(header.row.cells) >= len(v.row.cells)


def _adds_up(values: list[SourceCell]) -> bool:
    """Whether a requests row's six applicant columns sum to its 总计 (blank counts as 0).

    A blank cell past the header's last column is dropped as an empty trailing cell only if the
    row still adds up: a cell inserted among the values (a merged cell read twice) also leaves a
    blank at the end, and shifts the 总计."""
    numbers = [parse_number(c.text) for c in values]
    if any(x.status == "invalid" for x in numbers):
        return False
    amounts = [x.value or 0 for x in numbers]
    return abs(sum(amounts[:-1]) - amounts[-1]) < settings.INTERPRET.equal_tolerance


def _fit_tokens(v: RowView, values: list[SourceCell], n: int, table: str) -> Placed:
    """Space-separated rows: blanks are invisible, so only unambiguous counts are placed."""
    if len(values) == n:
        return Placed(v, list(values))
    if not values:
        return Placed(v, [None] * n)
    if table == "requests" and n == 7 and len(values) == 2 and _same_value(values):
        note = f"本行只印两个相同的数（{values[0].text}），按“自然人 + 总计”放置；也可能是其他某一列"
        return Placed(v, [values[0], None, None, None, None, None, values[1]], inferred=note)
    return Placed(v, reason=_mismatch(len(values), n))


def _fit_surplus(v: RowView, values: list[SourceCell], n: int, table: str) -> Placed:
    """More values than columns: merged cells repeat one value; else first = 自然人, last = 总计."""
    if _same_value(values):
        return Placed(v, values[:n])
    if table == "requests" and n == 7:
        middle = values[1:-1]
        if _same_value(middle):
            return Placed(v, [values[0], *middle[:5], values[-1]])
        return Placed(v, reason=_mismatch(len(values), n) + "（中间各列不一致）")
    return Placed(v, reason=_mismatch(len(values), n))


# --- digit runs (run-together cells) -------------------------------------------------------------


def _has_options(p: Placed) -> bool:
    return p.split is not None and bool(p.split.options)


def _has_runs(v: RowView) -> bool:
    """Whether a text row prints a number that is no number by itself ("00", "023")."""
    from ingest.splitting import needs_split

    tokens = [c.text for c in v.values if c.text.strip()]
    return needs_split(tokens, len(tokens))


def split_runs(v: RowView, table: str, specs: Sequence[CellSpec], *, blanks: bool = False) -> Placed | None:
    """A text row whose printed numbers do not fit its columns as they stand, cut by
    :mod:`ingest.splitting` (the row's own digits and sums); None if it prints no digit run."""
    from ingest import splitting

    tokens = [c.text for c in v.values if c.text.strip()]
    if not any(splitting.is_run(t) for t in tokens):
        return None
    if any(not splitting.is_run(t) and parse_number(t).status != "blank" for t in tokens):
        return None  # something that is no number at all: not ours to cut
    check = {"requests": splitting.REQUESTS_ROW, "appeals": splitting.APPEALS_ROW}.get(table)
    kinds = [splitting.kind_of(s.key, s.unit) for s in specs]
    spaced = v.row.provenance.get("cells") != "glued"  # see ingest.readers.text.segments
    split = splitting.split_row(tokens, kinds, check, spaced=spaced, blanks=blanks)
    return placed_split(v, split)


def placed_split(v: RowView, split: RowSplit) -> Placed:
    """A decided split as the row's cells (provenance says how it was cut), else a flag."""
    from ingest.splitting import ambiguity

    if split.cells is None:
        return Placed(v, reason=ambiguity(split), split=split)
    base = v.values[0].provenance if v.values else v.row.provenance
    prov = {**base, "split": split.how, "printed": split.printed}
    return Placed(v, [SourceCell(p or "", dict(prov)) for p in split.cells], split=split)


def choose_runs(placed: dict[str, dict[str, Placed]], formats: dict[str, str], narrative: str) -> None:
    """Rows whose digits split several ways: the relations between rows and the narrative's
    totals choose (:func:`ingest.splitting.choose`); what they cannot decide stays flagged."""
    from ingest import splitting

    _if_blanks_unprinted(placed, formats)
    facts: list[splitting.Fact] | None = None  # read from the prose only when a row is open
    relations = {"requests": splitting.requests_equations(formats["requests"]), "appeals": []}
    for table, equations in relations.items():
        rows = placed[table]
        open_rows = {rid: p.split for rid, p in rows.items()
                     if p.reason and p.split and len(p.split.options) > 1 and not p.split.doubt}
        if not open_rows:
            continue
        if facts is None:
            facts = splitting.narrative_facts(narrative)
        known = {rid: values for rid, p in rows.items() if (values := _numbers(p)) is not None}
        for rid, split in splitting.decide(open_rows, known, equations, facts).items():
            rows[rid] = placed_split(rows[rid].view, split)


def _glued(p: Placed) -> bool:
    return p.split is not None and p.view.row.provenance.get("cells") == "glued"


def _if_blanks_unprinted(placed: dict[str, dict[str, Placed]], formats: dict[str, str]) -> None:
    """Glued text is cut assuming every cell printed a digit.  A row with fewer digits than
    columns shows this document leaves blank cells unprinted: then a blank may hide anywhere,
    and every glued row is cut again with that possibility (more rows flagged, none wrong)."""
    if not any(_glued(p) and p.split.short for by_row in placed.values() for p in by_row.values()):
        return
    for table, by_row in placed.items():
        columns = _row_specs(table, formats[table])
        if table == "requests":
            columns = {rid: specs for fmt in format_ids() for rid, specs in _row_specs(table, fmt).items()}
        for rid, p in list(by_row.items()):
            if _glued(p) and rid in columns and len(columns[rid]) == p.split.width:
                by_row[rid] = split_runs(p.view, table, columns[rid], blanks=True) or p


def _numbers(p: Placed) -> tuple[float, ...] | None:
    """A placed row's values for arithmetic (blank = 0); None when flagged or unparsable."""
    if p.reason:
        return None
    values = []
    for cell in p.cells:
        number = parse_number(cell.text) if cell is not None else None
        if number is not None and number.status == "invalid":
            return None
        values.append(number.value or 0.0 if number is not None else 0.0)
    return tuple(values)


# --- per table ----------------------------------------------------------------------------------


@derived
def _row_specs(table: str, fmt: str) -> Mapping[str, tuple[CellSpec, ...]]:
    """A table's cells per row in one format (remembered: asked for every table of every report)."""
    rows: dict[str, list[CellSpec]] = {}
    for s in specs_for(table, fmt):
        rid = "all" if table == "appeals" else s.key.split(".")[1]
        rows.setdefault(rid, []).append(s)
    return {rid: tuple(specs) for rid, specs in rows.items()}


def _record(placed: dict[str, Placed], rid: str, new: Placed) -> None:
    """Keep the first substantive reading of a row; a later one only fills a blank or flagged one."""
    old = placed.get(rid)
    if old is None or (old.blank and not new.blank) or (old.reason and not new.reason and not new.blank):
        placed[rid] = new
    elif old.reason and new.reason and _has_options(new) and not _has_options(old):
        placed[rid] = new  # digits that split into this row's columns, not a stray number above it


def _map_rows(table: str, views: list[RowView], fmt: str) -> dict[str, Placed]:
    """Map a table's rows to canonical rows (keys are row ids such as ``granted``)."""
    columns = _row_specs(table, fmt)
    if table == "requests":  # every format's rows: the rows found decide the format afterwards
        columns = {rid: specs for f in format_ids() for rid, specs in _row_specs(table, f).items()}
    placed: dict[str, Placed] = {}
    group: str | None = None
    previous: RowView | None = None
    header: RowView | None = None
    last_rid: str | None = None
    orphan: RowView | None = None  # the row just before, if it had numbers but no known label
    previous_unmatched = False  # the row just before had no known label (a label fragment)
    grid = ColumnGrid()
    for v in views:
        if is_header(v):  # a header repeated after a page break sits between the two halves of a cut row
            header = v
            if table == "requests":
                grid.learn(v)
            continue
        v = grid.realigned(v)
        group = _group_of(v.labels, group) if table == "requests" else None
        if last_rid is not None and not previous_unmatched and _repeats_above(v, placed[last_rid]):
            _complete(placed, last_rid, v, len(columns[last_rid]), table)
            previous, orphan = v, (v if placed[last_rid].reason else None)
            continue
        rid = _match(table, v, group)
        if orphan is not None and _continues_label(v, orphan):
            joined = _joined_cut(orphan, v)
            joined_rid = _match(table, joined, group)
            if joined_rid is not None:
                v, rid = joined, joined_rid
        orphan = None
        if rid is None and previous is not None and previous_unmatched and not previous.has_numbers and v.values:
            rid = _match_wrapped(table, previous, v, group)
        if rid is None:
            consumed = (
                v.has_numbers
                and last_rid is not None
                and not previous_unmatched
                and placed[last_rid].blank
                and not _starts_new_item(v, placed[last_rid].view)
            )
            if consumed:
                own = [label for label in v.labels if label not in placed[last_rid].view.labels]
                _complete(placed, last_rid, v, len(columns[last_rid]), table)
                consumed = not placed[last_rid].reason  # unfitted: maybe a label cut the other way
                if consumed and own:
                    placed[last_rid].joined = _joined_note(own, v)
            orphan = v if v.has_numbers and v.labels and not consumed else None
            previous, previous_unmatched = v, not consumed
            continue
        previous, previous_unmatched = v, False
        if rid not in columns or not _is_data_row(v, table):
            continue
        reading = fit(v, len(columns[rid]), table, header)
        if not v.row.grid and (("cells" in v.row.provenance and len(v.values) != len(columns[rid])) or _has_runs(v)):
            reading = split_runs(v, table, columns[rid]) or reading
        _record(placed, rid, reading)
        last_rid = rid
        if reading.reason and v.has_numbers:  # "（六）其他处理 | 1 | 0 0 …": the "1" may be a cut "1.申请人…"
            orphan = v
    return placed


@dataclass
class ColumnGrid:
    """Where a grid table's values start, as its own header says (the requests table).

    The header row naming 自然人 over exactly seven value columns fixes the first value column
    for the rows as wide as it; rows of another width (ragged text, another page) are left as
    their cells say."""

    width: int = 0  # cells per row under the last full header seen (0: none yet)
    value_start: int = 0

    def learn(self, header: RowView) -> None:
        if not header.row.grid:
            return
        for i, cell in enumerate(header.row.cells):
            if core(cell.text) == "自然人" and len(header.row.cells) - i == 7:
                self.width, self.value_start = len(header.row.cells), i
                return

    def realigned(self, v: RowView) -> RowView:
        """A grid row as wide as its header: whatever stands in a label column is label.

        A page break can cut a label right after its enumerator ("2" | ".没有现成信息…"); the
        lone digit left in the label column reads as a number, and without the header's columns
        it would be taken as the value of the row above."""
        if not self.width or not v.row.grid or len(v.row.cells) != self.width or v.start >= self.value_start:
            return v
        cut = self.value_start
        stray = [core(c.text) for c in v.row.cells[v.start : cut] if parse_number(c.text).status == "number"]
        return RowView(v.row, v.labels + stray, v.row.cells[cut:], cut)


def join_number_runs(views: list[RowView]) -> list[RowView]:
    """Text rows: the 15 appeals numbers may wrap over lines; label-less runs continue a row."""
    out: list[RowView] = []
    for v in views:
        prev = out[-1] if out else None
        if prev and not v.row.grid and not prev.row.grid and not v.labels and v.values and prev.values:
            merged = SourceRow(prev.row.cells + v.row.cells, grid=False, provenance=prev.row.provenance)
            out[-1] = RowView(merged, prev.labels, prev.values + v.values, prev.start)
        else:
            out.append(v)
    return out


def _match_wrapped(table: str, above: RowView, v: RowView, group: str | None) -> str | None:
    """A label that wrapped onto the row below (the numbers printed with its end): match the
    label cells of both rows, or the two halves of the cut label glued ("5.属于三类内" + "部事务信息")."""
    rid = _match(table, RowView(v.row, above.labels + v.labels, v.values), group)
    if rid is None and above.labels and v.labels and not _own_item(above, v):
        glued = above.labels[:-1] + [above.labels[-1] + v.labels[-1]]
        rid = _match(table, RowView(v.row, glued, v.values), group)
    return rid


def _own_item(head: RowView, tail: RowView) -> bool:
    """Whether ``tail``'s last label starts an item rather than finishing ``head``'s: "（）总计"
    after "（六）其他处" is an item of its own, "七）总计" after a lone "（" is the rest of it."""
    return bool(_ITEM_START.match(tail.labels[-1])) and not (head.labels and _CUT_ENUMERATOR.match(head.labels[-1]))


def _repeats_above(v: RowView, above: Placed) -> bool:
    """Numbers under nothing but the merged labels of the blank row above, repeated after a page
    break ("三、本年度办理结果 | （六）其他处理 | | 0 0 …"): the rest of that row, not a row of its own."""
    return bool(v.labels) and v.has_numbers and above.blank and all(label in above.view.labels for label in v.labels)


def _match(table: str, v: RowView, group: str | None) -> str | None:
    if table == "active":
        return _active_row(v.labels)
    if table == "requests":
        return _request_row(v.labels, group)
    return "all" if _digits(v) >= settings.INTERPRET.appeals_min_cells and v.has_numbers else None


def _digits(v: RowView) -> int:
    """Cells a row's values can fill: one per value (grid cells, blank ones too), or in text one
    per digit of a run of run-together cells."""
    if v.row.grid:
        return len(v.values)
    return sum(max(1, sum(ch.isdigit() for ch in c.text)) for c in v.values if c.text.strip())


def _is_data_row(v: RowView, table: str) -> bool:
    """A row with value cells; a label-only text row counts only when it is an enumerated item."""
    if v.values:
        return True
    return not v.row.grid and table == "requests" and bool(v.labels) and bool(_ENUMERATED.match(v.labels[0]))


def _complete(placed: dict[str, Placed], rid: str, v: RowView, n: int, table: str) -> None:
    """A row cut by a page break: the continuation (empty labels) supplies the numbers.

    When they cannot be fitted, the row is flagged: numbers printed right under a row that has
    none are that row's numbers, and storing it as blank would be a silent guess."""
    old = placed[rid]
    merged = RowView(v.row, old.view.labels + v.labels, v.values)
    new = fit(merged, n, table)
    if new.reason:
        new = Placed(old.view, reason=f"分页截断的行无法拼合（{new.reason}）：{v.raw}")
    placed[rid] = new


def _starts_new_item(v: RowView, above: RowView) -> bool:
    """Whether ``v`` has a label of its own ("2.没…") rather than repeated merged labels or the
    wrapped rest of the label above ("行政机关不再处理…")."""
    own = [label for label in v.labels if label not in above.labels]
    return any(_ITEM_START.match(label) for label in own)


def _continues_label(v: RowView, head: RowView) -> bool:
    """A valueless row holding the rest of ``head``'s label, wrapped past a page break.

    Its last label must not start an item of its own ("3.…", "（五）…", "3要求…" or "（）总计"
    with a character lost), unless ``head`` ends in an enumerator cut short ("（" | "七）总计")."""
    if not v.labels or any(c.text.strip() for c in v.values) or _ENUMERATED.match(v.labels[-1]):
        return False
    return not _own_item(head, v)


def _joined_cut(head: RowView, tail: RowView) -> RowView:
    """A row cut by a page break the other way round: its numbers and the start of its label
    before the break ("2.没 | 6 0 0 0 0 0 6"), the rest of the label after it ("有现成信息需要另行制作")."""
    values, start = head.values, head.start
    first = core(values[0].text) if values else ""
    cut_enumerator = bool(head.labels) and head.labels[-1].isdigit()  # already a label (see _realigned)
    if first.isdigit() and re.match(r"[.、]", tail.labels[-1]) and not cut_enumerator:  # "1" | ".属于…"
        return RowView(head.row, [*head.labels, first + tail.labels[-1]], values[1:], start + 1)
    labels = head.labels[:-1] + [head.labels[-1] + tail.labels[-1]]
    return RowView(head.row, labels, values, start)


# --- formats ------------------------------------------------------------------------------------


def active_format(views: list[RowView], year: int) -> str:
    return detect_format("active", text="".join(v.joined for v in views), year=year)


def requests_format(placed: dict[str, Placed], default: str) -> str:
    return detect_format("requests", rows_found=placed, default=default)


def _amount_unit(views: list[RowView]) -> str:
    text = "".join(v.joined for v in views)
    if re.search(r"\((?:单位:)?万元\)|单位:万元", text):
        return "万元"
    if re.search(r"\((?:单位:)?元\)|单位:元", text):
        return "元"
    return ""


# --- cell readings ------------------------------------------------------------------------------


def _reading(spec: CellSpec, cell: SourceCell | None, row_prov: Provenance, header_unit: str) -> CellReading:
    if cell is None:
        return CellReading(value=None, raw="", provenance=dict(row_prov))
    number = parse_number(cell.text)
    prov = dict(cell.provenance or row_prov)
    if number.status == "invalid":
        return CellReading(None, cell.text, prov, flagged=True, reason=f"无法识别的数值：{cell.text}")
    value = number.value
    if value is not None and spec.unit == "万元":
        doubt = _doubtful_yuan(spec, value, cell.text, number.unit, header_unit)
        if doubt:
            reason = f"表头单位为元，但{doubt}，单位疑为“万元”之误，未采用：{cell.text}"
            return CellReading(None, cell.text, prov, flagged=True, reason=reason)
        value = to_wan(value, number.unit, header_unit)
    return CellReading(value=value, raw=cell.text, provenance=prov)


def _doubtful_yuan(spec: CellSpec, value: float, raw: str, unit: str, header_unit: str) -> str:
    """Why an amount the header puts in 元 reads more like 万元 ('' when it does not).

    A header that lost its 万 ("采购总金额（元）") would misread the amount ten-thousandfold.
    Two signs give it away: more than two decimals (元 go down to 分, "5949.088667"), and a
    procurement total under 100 元."""
    if unit or header_unit != "元":
        return ""
    decimals = core(raw).partition(".")[2].rstrip("元")
    if len(decimals) > settings.INTERPRET.yuan_max_decimals:
        return f"金额有 {len(decimals)} 位小数（元只到分）"
    least = settings.INTERPRET.procurement_min_yuan
    if spec.key == "active.procurement.amount" and 0 < value < least:
        return f"采购总金额不足 {least:g} 元"
    return ""


def _readings(table: str, fmt: str, placed: dict[str, Placed], header_unit: str) -> dict[str, CellReading]:
    out: dict[str, CellReading] = {}
    for rid, specs in _row_specs(table, fmt).items():
        p = placed.get(rid)
        unread = p is not None and not p.reason and p.blank and digits_unread(p.view)  # the row's, once
        for i, spec in enumerate(specs):
            if p is None:
                out[spec.key] = CellReading(None, "", {}, flagged=True, reason="未找到")
            elif p.reason:
                out[spec.key] = CellReading(None, p.view.raw, dict(p.view.row.provenance), True, p.reason)
            elif unread:
                reason = f"{UNREAD}：本行文字中有数字，但未能读出各列数值（原文“{p.view.raw}”）"
                out[spec.key] = CellReading(None, p.view.raw, dict(p.view.row.provenance), True, reason)
            else:
                out[spec.key] = _reading(spec, p.cells[i], p.view.row.provenance, header_unit)
                if p.inferred or p.joined:
                    out[spec.key].provenance["inferred"] = p.inferred or p.joined
    return out


def _joined_note(own: list[str], v: RowView) -> str:
    """The numbers of a row with no numbers were printed on the next line, after words of that
    line's own: the wrapped rest of the label, or (the reader cannot tell) a row the official
    table does not have, such as "申请人主动撤回申请".  Said, so an answer can repeat it."""
    line = v.row.provenance.get("line") or v.row.provenance.get("row")
    where = f"第{line}行" if v.row.provenance.get("line") else "下一行"
    return f"本行数字印在{where}“{''.join(own)}”之后，按本行标签的续行并入本行（若那是另一行，数字应属那一行）"


def _prove_inferred(readings: dict[str, CellReading], fmt: str, rows: set[str]) -> None:
    """Drop the "inferred" note of a requests row whose placement the table's arithmetic proves.

    The row's value sits in one column; if every column relation the row takes part in
    (本年新收 + 上年结转 = （七）总计 + 结转下年度; the outcome rows sum to （七）总计) holds in
    every column, the value in any other column would break them — provided no other non-zero
    row of the relation was placed the same way (rows shifted together keep every relation).
    A row of zeros needs no proof: every placement reads the same."""
    from ingest.checks import APPLICANT_COLUMNS

    balance = {"new": 1, "carried_over": 1, "handled_total": -1, "carried_forward": -1}
    outcomes = {**{r: 1 for r in outcome_rows(fmt)}, "handled_total": -1}
    def zero(rid: str) -> bool:
        return all((getattr(readings.get(f"requests.{rid}.{c}"), "value", 0) or 0) == 0 for c in APPLICANT_COLUMNS)

    for rid in rows:
        relations = [rel for rel in (balance, outcomes) if rid in rel]
        alone = all(other == rid or other not in rows or zero(other) for rel in relations for other in rel)
        proved = alone and all(_holds(readings, rel, c) for rel in relations for c in APPLICANT_COLUMNS)
        if zero(rid) or (relations and proved):
            for c in APPLICANT_COLUMNS:
                readings[f"requests.{rid}.{c}"].provenance.pop("inferred", None)


def _holds(readings: dict[str, CellReading], relation: dict[str, int], col: str) -> bool:
    cells = [readings.get(f"requests.{rid}.{col}") for rid in relation]
    if any(c is None or c.flagged for c in cells):
        return False
    return abs(sum(sign * (c.value or 0) for sign, c in zip(relation.values(), cells, strict=True))) < settings.INTERPRET.equal_tolerance  # type: ignore[union-attr]


UNREAD = "未能读出"
_DIGITS = re.compile(r"\d+")
_AFTER_ENUMERATOR = re.compile(r"[.、．\u4e00-\u9fff]")


def digits_unread(v: RowView) -> bool:
    """Digits stand in a row's text, yet no number was read from its cells.

    A Markdown or slash-joined row read as words (``| 本年新收… | 705 | 3 | … |``) has its
    numbers in its text but none in its cells: storing it blank would be a silent wrong number.
    An item's enumerator is not such a digit: one digit before "." or a character ("1.属于…",
    "3要求…" with the dot lost), wherever the label cell puts it ("（四）无法提供 1.本机关…")."""
    if v.has_numbers:
        return False
    for text in v.row.texts:
        for run in _DIGITS.finditer(core(text)):
            after = run.string[run.end():run.end() + 1]
            if len(run.group()) > 1 or not _AFTER_ENUMERATOR.match(after):
                return True
    return False


def unplaced_rows(views: list[RowView], placed: dict[str, Placed], alignment: Alignment | None = None) -> list[RowView]:
    """Rows of numbers in a table that no canonical row took: an unknown row such as
    "申请人主动撤回申请", or numbers whose label was lost.  They are reported, never dropped."""
    used = {id(p.view.row) for p in placed.values()}
    rows = [v for v in views if v.has_numbers and not is_header(v) and id(v.row) not in used]
    extra = alignment.unplaced if alignment is not None else []  # a flagged row may cite them: still placed nowhere
    return rows + [v for v in extra if all(v.row is not r.row for r in rows)]


def _distrust_incomplete(readings: dict[str, CellReading], stray: list[RowView], placed: dict[str, Placed]) -> None:
    """A table with rows not found and rows of numbers placed nowhere: a row that printed no
    number at all (a label line of text) may own those numbers, so its blanks are not 0.
    Grid cells printed empty are visibly empty and keep their blanks."""
    if not stray or not any(r.flagged and "未找到" in r.reason for r in readings.values()):
        return
    bare = {rid for rid, p in placed.items() if not p.reason and not p.view.row.grid and not p.view.values}
    reason = f"{UNREAD}：本表有未找到的行，另有 {len(stray)} 行数字无法对应，本行未印数字，不能当作0"
    for key, reading in readings.items():
        rid = key.split(".")[1] if key.count(".") == 2 else ""
        if rid in bare and reading.value is None and not reading.flagged and not reading.raw.strip():
            reading.flagged, reading.reason = True, reason


def _align(doc: Document, tables: dict[str, list[RowView]]) -> Alignment | None:
    """Markdown conversions: loose rows of numbers matched by the table's order (ingest.loose)."""
    if doc.kind != "markdown":
        return None
    from ingest.loose import align_requests

    alignment = align_requests(tables["requests"])
    tables["requests"] = alignment.views
    return alignment


def _flag_unread(placed: dict[str, Placed], alignment: Alignment) -> None:
    """Rows whose label was seen but whose numbers were not matched: flagged, never blank."""
    for rid, (reason, cited) in alignment.unread.items():
        old = placed.get(rid)
        if old is None or old.blank:
            placed[rid] = Placed(cited, reason=reason)


def _note_alignment(readings: dict[str, CellReading], alignment: Alignment, fmt: str) -> None:
    from ingest.loose import derive_blank_totals

    for rid, note in alignment.notes.items():
        for key, reading in readings.items():
            if key.split(".")[1] == rid and not reading.flagged:
                reading.provenance = {**reading.provenance, "inferred": note}
    derive_blank_totals(readings, fmt)


def _distrust_blanks(readings: dict[str, CellReading], views: list[RowView], placed: dict[str, Placed]) -> None:
    """In a grid table we mostly could not read, an empty cell is not evidence of 0.

    More than half of the cells flagged, and rows of numbers we could place nowhere: the table
    is not laid out where we looked (a page drawn sideways reads transposed).  The few rows that
    matched by label then "read" empty only because their numbers sit elsewhere, so those blanks
    are flagged too; numbers read stay, each found in its own cell.  A table that is merely
    short of rows (a screenshot in place of a page) has no stray numbers and keeps its blanks;
    so does space-separated text, where a row without numbers is how a blank row looks."""
    flagged = sum(1 for r in readings.values() if r.flagged)
    if flagged * 2 <= len(readings) or not any(p.view.row.grid for p in placed.values()):
        return
    used = {id(p.view.row) for p in placed.values()}
    stray = [v for v in views if v.has_numbers and not is_header(v) and id(v.row) not in used]
    if len(stray) < settings.INTERPRET.stray_rows:
        return
    reason = f"本表 {flagged}/{len(readings)} 格无法读取，另有 {len(stray)} 行数字无法对应，空白格不能当作0"
    for reading in readings.values():
        if reading.value is None and not reading.flagged and not reading.raw.strip():
            reading.flagged, reading.reason = True, reason


# --- entry point --------------------------------------------------------------------------------


def interpret(doc: Document, folder: str = "") -> ParsedReport:
    """Map a document's rows to canonical cells (see the module docstring); ``folder``, the one
    the file came from, may place an agency the title and body leave open."""
    identity = detect_identity(doc.title, doc.text)
    if not identity.agency:
        raise IngestError("无法从标题识别发布机关名称 / agency name not found in the title")
    if identity.year is None:
        raise IngestError("无法识别报告年度 / report year not found")
    views = [view(r) for r in doc.rows]
    tables = split_tables(views)
    fmt_active = active_format(tables["active"], identity.year)
    formats = {"active": fmt_active, "appeals": fmt_active}
    tables["appeals"] = join_number_runs(tables["appeals"])
    alignment = _align(doc, tables)
    placed = {
        "active": _map_rows("active", tables["active"], fmt_active),
        "requests": _map_rows("requests", tables["requests"], format_ids()[-1]),
        "appeals": _map_rows("appeals", tables["appeals"], fmt_active),
    }
    if alignment is not None:
        _flag_unread(placed["requests"], alignment)
    formats["requests"] = requests_format(placed["requests"], fmt_active)
    choose_runs(placed, formats, doc.text)
    unit = _amount_unit(tables["active"])
    cells: dict[str, CellReading] = {}
    missing: list[str] = []
    unplaced: list[dict] = []
    for table in TABLES:
        if not placed[table]:
            missing.append(table)
        readings = _readings(table, formats[table], placed[table], unit)
        _distrust_blanks(readings, tables[table], placed[table])
        if table == "requests" and alignment is not None:
            _note_alignment(readings, alignment, formats[table])
        if table == "requests":
            _prove_inferred(readings, formats[table], {rid for rid, p in placed[table].items() if p.inferred})
        stray = unplaced_rows(tables[table], placed[table], alignment if table == "requests" else None)
        if table not in missing:
            _distrust_incomplete(readings, stray, placed[table])
        unplaced += [{"table": table, "raw": v.raw, "provenance": dict(v.row.provenance)} for v in stray]
        cells.update(readings)
    report = ParsedReport(
        agency=identity.agency,
        year=identity.year,
        format=fmt_active,
        table_formats=formats,
        cells=cells,
        source_kind=doc.kind,
        missing_tables=missing,
        narrative=doc.text,
        unplaced=unplaced,
    )
    name_report(report, doc.text, folder)
    return report
