"""The official layout of the three statistics tables, independent of any file format.

A report's figures (``bot/samples/figures/*.json``) are laid out once, as cells with spans at
grid positions; each renderer (PDF, DOCX, HTML, text) only typesets that layout.  The labels
are the wording of the official formats (国办公开办函〔2019〕60号 and 〔2021〕30号), as the catalogue
(``store/cells.tsv``, ``store/formats.toml``) has them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from store.catalogue import spec
from store.formats import Section, format_of, groups, row, row_ids

Figures = dict[str, Any]

APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_LABEL = "三、本年度办理结果"

@dataclass
class Cell:
    """A typeset cell: its text at (row, col), covering rowspan × colspan positions."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False  # a label (wraps, may carry a line break) rather than a figure


@dataclass
class TableLayout:
    """One statistics table: its cells, its size, how many header rows it has."""

    name: str  # active | requests | appeals
    ncols: int
    cells: list[Cell] = field(default_factory=list)
    nrows: int = 0
    header_rows: int = 0

    def add(self, row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1, *, header: bool = True) -> None:
        self.cells.append(Cell(row, col, text, rowspan, colspan, header))
        self.nrows = max(self.nrows, row + rowspan)

    def origin_grid(self) -> list[list[str]]:
        """Text at each cell's origin, blank in the positions a merge covers (how Word saves text)."""
        grid = [[""] * self.ncols for _ in range(self.nrows)]
        for cell in self.cells:
            grid[cell.row][cell.col] = cell.text
        return grid

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by their first row, left to right (the HTML order)."""
        out: list[list[Cell]] = [[] for _ in range(self.nrows)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[cell.row].append(cell)
        return out


def fmt_value(value: Any) -> str:
    """A figure as printed: integers without a decimal point, amounts exactly, blanks empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def title_of(figures: Figures) -> str:
    """The title as the report prints it: ``title_agency`` when the figures give the name the
    way that year's title printed it (洪泽区人民政府), else the agency."""
    return f"{figures.get('title_agency') or figures['agency']}{figures['year']}年政府信息公开工作年度报告"


def _v(figures: Figures, key: str) -> str:
    return fmt_value(figures["cells"].get(key))


def active_table(figures: Figures) -> TableLayout:
    """Table 1, 主动公开政府信息情况, in the report's format."""
    t = TableLayout("active", 4)
    fmt = str(figures["format"])
    sections = format_of(fmt).active_sections
    if not sections:
        raise ValueError(f"formats.toml: format {fmt} has no active_sections (how its active table is printed)")
    r = 0
    for section in sections:
        t.add(r, 0, section.item, colspan=4)
        r = _active_block(t, figures, r + 1, section, fmt)
    t.header_rows = 0
    return t


def _active_block(t: TableLayout, figures: Figures, r: int, section: Section, fmt: str) -> int:
    """A header row and its value rows; the last column spans what is left of the 4 columns."""
    spans = _spans(len(section.headers))
    col = 0
    for header, span in zip(("信息内容", *section.headers), spans, strict=True):
        t.add(r, col, header, colspan=span)
        col += span
    for stem in section.rows:
        r += 1
        t.add(r, 0, spec(f"active.{stem}.{section.columns[0]}", fmt).row)
        col = 1
        for fld, span in zip(section.columns, spans[1:], strict=True):
            t.add(r, col, _v(figures, f"active.{stem}.{fld}"), colspan=span, header=False)
            col += span
    return r + 1


def _spans(n_headers: int) -> tuple[int, ...]:
    """Column spans for "信息内容" plus n headers over 4 columns."""
    return {3: (1, 1, 1, 1), 2: (1, 1, 2), 1: (1, 3)}[n_headers]


def request_rows(fmt: str) -> list[tuple[str, str | None, str]]:
    """(stem, group label or None, row label) for the result block of table 2, top to bottom."""
    return [(rid, *_printed(rid, fmt)) for rid in row_ids("requests", fmt) if _in_results(rid)]


def _in_results(rid: str) -> bool:
    return groups()[row("requests", rid).group].results


def _printed(rid: str, fmt: str) -> tuple[str | None, str]:
    """A requests row's group label and own label: cells.tsv's row label split at "/"."""
    parts = spec(f"requests.{rid}.total", fmt).row.split("/")
    if parts[0] == RESULTS_LABEL:
        parts = parts[1:]
    return (parts[0] if len(parts) > 1 else None), row("requests", rid).printed or parts[-1]


def requests_table(figures: Figures) -> TableLayout:
    """Table 2, 收到和处理政府信息公开申请情况: 3 label columns, 7 applicant columns."""
    t = TableLayout("requests", 10, header_rows=3)
    t.add(0, 0, CORNER, rowspan=3, colspan=3)
    t.add(0, 3, "申请人情况", colspan=7)
    t.add(1, 3, "自然人", rowspan=2)
    t.add(1, 4, "法人或其他组织", colspan=5)
    t.add(1, 9, "总计", rowspan=2)
    for i, label in enumerate(("商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他")):
        t.add(2, 4 + i, label)
    fmt = str(figures["format"])
    ids = row_ids("requests", fmt)
    first = next(i for i, rid in enumerate(ids) if _in_results(rid))
    r = 3
    for rid in ids[:first]:  # the rows above the results block
        r = _value_row(t, figures, r, rid, _printed(rid, fmt)[1], first_col=0)
    results = request_rows(fmt)
    t.add(r, 0, RESULTS_LABEL, rowspan=len(results))
    for i, (stem, group, label) in enumerate(results):
        if group is None:
            _value_row(t, figures, r, stem, label, first_col=1)
        else:
            if i == 0 or results[i - 1][1] != group:
                t.add(r, 1, group, rowspan=sum(1 for x in results if x[1] == group))
            _value_row(t, figures, r, stem, label, first_col=2)
        r += 1
    for rid in ids[first + len(results):]:  # the rows below it
        r = _value_row(t, figures, r, rid, _printed(rid, fmt)[1], first_col=0)
    return t


def _value_row(t: TableLayout, figures: Figures, r: int, stem: str, label: str, *, first_col: int) -> int:
    """One row of figures at ``r``; the next row's index."""
    t.add(r, first_col, label, colspan=3 - first_col)
    for i, applicant in enumerate(APPLICANTS):
        t.add(r, 3 + i, _v(figures, f"requests.{stem}.{applicant}"), header=False)
    return r + 1


def appeals_table(figures: Figures) -> TableLayout:
    """Table 3, 行政复议、行政诉讼: 15 columns, 3 header rows, one value row."""
    t = TableLayout("appeals", 15, header_rows=3)
    outcomes = ("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")
    t.add(0, 0, "行政复议", colspan=5)
    t.add(0, 5, "行政诉讼", colspan=10)
    for i, label in enumerate(outcomes):
        t.add(1, i, label, rowspan=2)
    t.add(1, 5, "未经复议直接起诉", colspan=5)
    t.add(1, 10, "复议后起诉", colspan=5)
    for i, label in enumerate(outcomes * 2):
        t.add(2, 5 + i, label)
    fields = ("upheld", "corrected", "other", "pending", "total")
    for g, group in enumerate(("review", "suit_direct", "suit_after_review")):
        for i, fld in enumerate(fields):
            t.add(3, g * 5 + i, _v(figures, f"appeals.{group}.{fld}"), header=False)
    return t


def narrative(figures: Figures) -> list[tuple[str, str]]:
    """The report's prose as (kind, text): kind is ``heading``, ``para`` or a table name."""
    year, agency = figures["year"], figures.get("title_agency") or figures["agency"]
    new_total = figures["cells"].get("requests.new.total")
    overall = f"{year}年，{agency}认真贯彻落实《条例》，扎实推进政府信息公开工作。"
    if new_total is not None:
        overall += f"全年共新收政府信息公开申请{fmt_value(new_total)}件，均按规定时限答复。"
    compiled = f"由{figures['compiled_by']}" if figures.get("compiled_by") else ""
    closing = [("para", f"联系地址：{figures['address']}")] if figures.get("address") else []
    return [
        ("para", f"本报告{compiled}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制，"
                 f"所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"),
        ("heading", "一、总体情况"),
        ("para", overall),
        ("heading", "二、主动公开政府信息情况"),
        ("active", ""),
        ("heading", "三、收到和处理政府信息公开申请情况"),
        ("requests", ""),
        ("heading", "四、政府信息公开行政复议、行政诉讼情况"),
        ("appeals", ""),
        ("heading", "五、存在的主要问题及改进情况"),
        ("para", "政府信息公开工作仍有不足，主动公开的深度和广度有待提升。下一步将加强培训，规范办理流程。"),
        ("heading", "六、其他需要报告的事项"),
        ("para", "本机关未收取政府信息公开信息处理费。"),
        *closing,
    ]


def tables(figures: Figures) -> dict[str, TableLayout]:
    return {"active": active_table(figures), "requests": requests_table(figures), "appeals": appeals_table(figures)}
