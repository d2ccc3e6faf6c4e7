"""The official formats as data: one loader for ``store/formats.toml`` and one ``detect_format``.

The interpreter (label cores), the checks (row names, outcome groups), the question words of
the bot and the renderer all derive from here, so a new revision of the official template is
added in the catalogue files (``formats.toml`` and ``cells.tsv``), not in the code.  Which
rows a format has comes from ``cells.tsv``; this file adds what the code needs besides.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from store.catalogue import derived, read_data, specs_for

TABLES = ("active", "requests", "appeals")


class UnknownFormat(ValueError):
    """A format the catalogue does not know: refused, never read as another one."""

    def __init__(self, fmt: object) -> None:
        known = "、".join(format_ids())
        super().__init__(f"未知的年报表格格式“{fmt}”（已知：{known}） / unknown report format {fmt!r}")


@dataclass(frozen=True)
class Section:
    """One item of 第二十条 in the printed active table: its column headers, rows and columns."""

    item: str
    headers: tuple[str, ...]
    rows: tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Format:
    """One official format: since which report year it is used, its active-table marks, and
    how its active table is printed."""

    id: str
    title: str
    since: int
    active_marks: tuple[str, ...]
    active_sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Group:
    """A group of rows: the outcome groups of the requests table and the like."""

    id: str
    outcome: bool = False  # its rows add up to （七）总计
    results: bool = False  # printed in the block 三、本年度办理结果
    ask: str = ""
    ask_label: str = ""
    ask_rank: int = 0


@dataclass(frozen=True)
class Row:
    """One row of one table, in every format that has it (see the head of formats.toml)."""

    table: str
    id: str
    name: str
    group: str
    cores: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    ask: str = ""
    ask_label: str = ""
    ask_rank: int = 0
    ask_kind: str = ""
    absent: str = ""
    printed: str = ""


@derived
def _data() -> dict:
    return tomllib.loads(read_data("formats.toml"))


@derived
def formats() -> tuple[Format, ...]:
    """The official formats, oldest first."""
    found = [Format(fid, f.get("title", ""), int(f["since"]), tuple(f.get("active_marks", ())),
                    tuple(_section(s) for s in f.get("active_sections", ())))
             for fid, f in _data()["formats"].items()]
    return tuple(sorted(found, key=lambda f: f.since))


def _section(entry: dict) -> Section:
    return Section(entry["item"], tuple(entry["headers"]), tuple(entry["rows"]), tuple(entry["columns"]))


def format_of(fmt: str) -> Format:
    """The catalogue's entry of a known format."""
    known = known_format(fmt)
    return next(f for f in formats() if f.id == known)


def format_ids() -> tuple[str, ...]:
    return tuple(f.id for f in formats())


def known_format(fmt: object) -> str:
    """``fmt`` itself when the catalogue knows it; else :class:`UnknownFormat`."""
    if fmt not in format_ids():
        raise UnknownFormat(fmt)
    return str(fmt)


@derived
def groups() -> dict[str, Group]:
    return {gid: Group(gid, **g) for gid, g in _data()["groups"].items()}


@derived
def rows(table: str) -> tuple[Row, ...]:
    """A table's rows in matching order (as written in formats.toml: the most specific first)."""
    out = []
    for entry in _data().get(table, ()):
        entry = dict(entry)
        entry["cores"] = tuple(entry.get("cores", ()))
        entry["mentions"] = tuple(entry.get("mentions", ()))
        if entry["group"] not in groups():
            raise ValueError(f"formats.toml: row {table}.{entry['id']} names unknown group {entry['group']}")
        out.append(Row(table=table, **entry))
    return tuple(out)


def row(table: str, rid: str) -> Row:
    found = _rows_by_id(table).get(rid)
    if found is None:
        raise KeyError(f"{table}.{rid}")
    return found


@derived
def _rows_by_id(table: str) -> dict[str, Row]:
    """A table's rows by id (the first of an id, as a scan in order finds it): the checks name
    rows some hundred times a report."""
    index: dict[str, Row] = {}
    for r in rows(table):
        index.setdefault(r.id, r)
    return index


@derived
def row_ids(table: str, fmt: str) -> tuple[str, ...]:
    """A table's row ids in one format, in the order of the printed table (cells.tsv)."""
    seen: dict[str, None] = {}
    for s in specs_for(table, known_format(fmt)):
        seen.setdefault(s.key.split(".")[1], None)
    return tuple(seen)


def formats_with(table: str, rid: str) -> tuple[str, ...]:
    """The formats (oldest first) whose table has row ``rid``."""
    return tuple(f for f in format_ids() if rid in row_ids(table, f))


def group_rows(group: str, fmt: str, table: str = "requests") -> tuple[str, ...]:
    """The rows of a group a format has, in table order."""
    return tuple(rid for rid in row_ids(table, fmt) if row(table, rid).group == group)


@derived
def outcome_rows(fmt: str) -> tuple[str, ...]:
    """The requests rows that add up to （七）总计 in a format, in table order."""
    return tuple(rid for rid in row_ids("requests", fmt) if groups()[row("requests", rid).group].outcome)


def row_name(table: str, rid: str) -> str:
    """How checks name a row (``不予公开·国家秘密``); the id itself for a row not catalogued."""
    try:
        return row(table, rid).name
    except KeyError:
        return rid


# --- which format a table is in -------------------------------------------------------------


def detect_format(table: str, *, declared: str | None = None, rows_found: Iterable[str] = (),
                  text: str = "", year: int | None = None, default: str | None = None) -> str:
    """The format of one table of a report, from the evidence there is.

    ``declared`` (a format already decided) wins, if known.  Else the rows found decide: the
    newest format introducing a row found (a row no older format has and not every format has).
    Else the active table's marks in ``text``: the format with most; a tie among the best goes to
    the newest of them in use in ``year``.  Else ``default``.  Whatever comes out is a format the
    catalogue knows: an unknown one is :class:`UnknownFormat`, never read as some other format."""
    if declared:
        return known_format(declared)
    found = set(rows_found)
    if found:
        by_rows = _by_rows(table, found)
        if by_rows:
            return by_rows
    if text or year is not None:
        return _by_marks(text, year)
    if default is None:
        raise UnknownFormat(default)
    return known_format(default)


def _by_rows(table: str, found: set[str]) -> str | None:
    ids = format_ids()
    everywhere = set.intersection(*(set(row_ids(table, f)) for f in ids))
    for i in reversed(range(len(ids))):
        older = set().union(*(row_ids(table, f) for f in ids[:i]))
        introduced = set(row_ids(table, ids[i])) - older - everywhere
        if found & introduced:
            return ids[i]
    return None


def _by_marks(text: str, year: int | None) -> str:
    scores = {f.id: sum(text.count(m) for m in f.active_marks) for f in formats()}
    best = max(scores.values())
    tied = [f for f in formats() if scores[f.id] == best]
    in_use = [f for f in tied if year is not None and f.since <= year]
    return (in_use[-1] if in_use else tied[0]).id
