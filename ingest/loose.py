"""Rows of numbers whose label went elsewhere: matched by the table's own order, or kept unplaced.

PDF-to-Markdown converters break the requests table: a label lands on a prose line while its
numbers stay in a pipe row with no label (``| 0 | 0 | 0 | 0 | 0 | 0 | 0 |``), sometimes before
the label, sometimes after.  The official table has a fixed row order, so between two rows that
kept their label (anchors) the loose rows of numbers can only be the rows the order puts
between those anchors.  They are matched when both sides agree exactly: as many loose rows as
missing rows, and every missing row's label printed among the table's loose labels (a
converter may put a label just before the anchor that precedes its numbers).  Anything else is not
guessed: the labels seen there are flagged "未能读出" and the numbers are kept as unplaced
rows with their text, so checks and answers say it is a reading problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.interpret import UNREAD, RowView, _group_of, _request_row, is_header
from ingest.model import CellReading
from ingest.normalize import core
from store.catalogue import specs_for
from store.formats import detect_format, format_ids, row_ids, rows

BALANCE = {"new": 1, "carried_over": 1, "handled_total": -1, "carried_forward": -1}
"""本年新收 + 上年结转 − （七）总计 − 结转下年度 = 0, per column."""


@dataclass
class Alignment:
    """A requests table with its loose rows matched, and what could not be."""

    views: list[RowView]
    unread: dict[str, tuple[str, RowView]] = field(default_factory=dict)  # row id → (reason, a row to cite)
    unplaced: list[RowView] = field(default_factory=list)  # rows of numbers placed nowhere
    notes: dict[str, str] = field(default_factory=dict)  # row id → how it was placed (provenance)


def row_order(fmt: str) -> list[str]:
    return list(row_ids("requests", fmt))


def _canonical_labels(rid: str, fmt: str) -> list[str]:
    row = next(s.row for s in specs_for("requests", fmt) if s.key.split(".")[1] == rid)
    return [core(part) for part in row.split("/")]


def _mentioned(rid: str, text: str) -> bool:
    entry = next((r for r in rows("requests") if r.id == rid), None)
    cores = (entry.cores or entry.mentions) if entry else ()
    return any(c in text for c in cores)


def _is_loose(v: RowView) -> bool:
    """A pipe row of numbers (or of blank cells: a row printed empty) without any label."""
    return v.row.grid and not v.labels and len(v.values) >= 2


def _format_of(views: list[RowView]) -> str:
    text = "".join(v.joined for v in views)
    found = {r.id for r in rows("requests") if any(c in text for c in r.cores)}
    return detect_format("requests", rows_found=found, default=format_ids()[0])


def align_requests(views: list[RowView]) -> Alignment:
    """Match loose rows of numbers to the rows the table's order leaves for them (module doc)."""
    if not any(_is_loose(v) for v in views):
        return Alignment(views)
    fmt = _format_of(views)
    order = row_order(fmt)
    kinds: list[tuple[str, str | None]] = []  # (anchor|loose|stray|label|unknown|header, row id)
    group: str | None = None
    for v in views:
        group = _group_of(v.labels, group)
        rid = _request_row(v.labels, group) if v.labels else None
        if is_header(v):
            kinds.append(("header", None))
        elif rid in order and (v.has_numbers or (v.row.grid and v.values)):  # a grid row printed blank too
            kinds.append(("anchor", rid))
        elif _is_loose(v):
            kinds.append(("loose", None))
        elif v.has_numbers:
            kinds.append(("stray" if not v.labels else "unknown", None))
        else:
            kinds.append(("label", rid))
    out = Alignment([])
    labels = "".join(v.joined for v, (kind, _) in zip(views, kinds, strict=True) if kind in ("label", "unknown"))
    anchors = [i for i, (kind, _) in enumerate(kinds) if kind == "anchor"]
    bounds = [-1, *anchors, len(views)]
    for left, right in zip(bounds, bounds[1:], strict=False):
        if left >= 0:
            out.views.append(views[left])
        _fill_gap(views, kinds, (left, right), (order, fmt, labels), out)
    _unread_labels(views, kinds, out, order)
    return out


def _unread_labels(views: list[RowView], kinds: list[tuple[str, str | None]], out: Alignment,
                   order: list[str]) -> None:
    """Rows whose label stands on a prose line but whose numbers were matched nowhere."""
    placed = {kind[1] for kind in kinds if kind[0] == "anchor"} | set(out.notes) | set(out.unread)
    for v, (kind, _) in zip(views, kinds, strict=True):
        if kind != "label":
            continue
        for rid in order:
            if rid not in placed and _mentioned(rid, v.joined) and rid != "handled_total":
                line = v.row.provenance.get("line", "?")
                out.unread[rid] = (f"{UNREAD}：标签在第{line}行的文字中，但未找到与之对应的数字行", v)
                placed.add(rid)


def _fill_gap(views: list[RowView], kinds: list[tuple[str, str | None]], ends: tuple[int, int],
              table: tuple[list[str], str, str], out: Alignment) -> None:
    """The rows strictly between two anchors: match their loose rows, or flag and keep them."""
    (left, right), (order, fmt, text) = ends, table
    low = order.index(kinds[left][1]) + 1 if left >= 0 else 0
    high = order.index(kinds[right][1]) if right < len(views) else len(order)
    placed = {rid for kind, rid in kinds if kind == "anchor"}
    missing = [rid for rid in order[low:high] if rid not in placed]
    gap = range(left + 1, right)
    loose = [views[i] for i in gap if kinds[i][0] == "loose"]
    if left >= 0 and len(loose) == len(missing) + 1 and not views[left].has_numbers:
        # the anchor printed its label with empty cells, its numbers on the next pipe row
        missing = [kinds[left][1], *missing]  # type: ignore[list-item]
        out.views.pop()
    for i in gap:
        if kinds[i][0] == "header":
            out.views.append(views[i])
        elif kinds[i][0] in ("stray", "unknown"):
            out.unplaced.append(views[i])
    if not loose:
        return
    own = kinds[left][1] if left >= 0 else None
    if len(loose) == len(missing) and all(rid == own or _mentioned(rid, text) for rid in missing):
        for rid, v in zip(missing, loose, strict=True):
            out.views.append(RowView(v.row, _canonical_labels(rid, fmt), v.values, v.start))
            out.notes[rid] = (f"转换稿中本行数字（第{v.row.provenance.get('line', '?')}行）与其标签不在同一行，"
                              f"按表格的行序对应（前后有标签的行之间恰好缺 {len(missing)} 行、有 {len(loose)} 行数字）")
        return
    seen = [rid for rid in missing if _mentioned(rid, text)]
    raws = "；".join(f"第{v.row.provenance.get('line', '?')}行“{v.raw}”" for v in loose)
    for rid in seen:
        out.unread[rid] = (f"{UNREAD}：本段有 {len(loose)} 行无标签的数字、{len(missing)} 个待对应的行，"
                           f"无法一一对应（{raws}）", loose[0])
    out.unplaced.extend(loose)


def derive_blank_totals(readings: dict[str, CellReading], fmt: str) -> None:
    """A converter drops a row's last cell (``| 四、结转下年度继续办理 | 1 | 0 | … | 0 |  |``).

    The blank 总计 is taken as the sum of the row's six columns only when the table's balance
    (本年新收 + 上年结转 = （七）总计 + 结转下年度) gives the same number from the other rows'
    totals: two relations, both printed.  With only the row sum it is flagged, not guessed: a
    publisher may print a blank 总计 too (a source error the row-sum check would name), but in
    a conversion the two cannot be told apart, and a blank stored as printed could be a number
    the converter lost."""
    columns = ("natural", "commercial", "research", "social", "legal", "other_org")
    blank: list[tuple[str, float]] = []
    for rid in row_order(fmt):
        total = readings.get(f"requests.{rid}.total")
        parts = [readings.get(f"requests.{rid}.{col}") for col in columns]
        if total is None or any(p is None or p.flagged for p in parts):
            continue
        row_sum = sum(p.value or 0 for p in parts)  # type: ignore[union-attr]
        if total.value is None and row_sum and not total.flagged and not total.raw.strip():
            blank.append((rid, row_sum))
    for rid, row_sum in blank:
        total = readings[f"requests.{rid}.total"]
        balance = _from_balance(readings, rid)
        if balance is not None and abs(balance - row_sum) < 1e-9:
            total.value = row_sum
            total.provenance = {**total.provenance, "inferred": (
                f"转换稿中总计格为空；本行六列之和与“本年新收+上年结转=（七）总计+结转下年度”均得 {row_sum:g}")}
        else:
            total.flagged = True
            total.reason = f"{UNREAD}：转换稿中总计格为空（本行六列之和为 {row_sum:g}，无第二个关系印证，未采用）"


def _from_balance(readings: dict[str, CellReading], rid: str) -> float | None:
    if rid not in BALANCE:
        return None
    others = 0.0
    for other, sign in BALANCE.items():
        if other == rid:
            continue
        reading = readings.get(f"requests.{other}.total")
        if reading is None or reading.flagged:
            return None
        others += sign * (reading.value or 0)
    return -others * BALANCE[rid]
