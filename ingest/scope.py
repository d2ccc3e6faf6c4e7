"""What is not one annual report, said before a single cell is stored.

Users upload what they have: a side-by-side comparison of two years' reports, a file holding two
years' reports one after the other, a 部门决算 or 部门预算 (the other annual publication every
agency makes, full of tables).  Read as one report, such a file mixes the numbers of two years
under one year, or stores a budget as an empty report of an agency named by a sentence.  Each
is refused here with a message that says what the file looks like; "not an annual report" stays
for files that have no tables at all.
"""

from __future__ import annotations

import re

from ingest.model import Document, IngestError
from ingest.normalize import core, parse_number

_TITLE = re.compile(
    r"^(?P<pre>.{0,40}?)(?P<year>20\d{2})\s*年度?(?P<mid>.{0,30}?)(?:政府)?(?:信息|政务)公开工作(?:年度)?(?:情况)?报告"
    r"(?P<post>.{0,12})$"
)
_BUDGET = re.compile(r"(?:部门|单位|财政)?(?P<what>决算|预算)(?:公开|报告|说明|情况说明|表)?")
_COMPARE = re.compile(r"对比|比较|对照")
_SEGMENT = re.compile(r"[\n|\t]")
OPENING_LINES = 8
"""Lines at the top of a file where its title stands."""
MIN_TABLE_VALUES = 6
"""Numbers a row needs to count as a row of the requests table (it has seven columns)."""


def _segments(text: str) -> list[str]:
    """Lines, and the cells of pipe or tab rows, reduced to their core."""
    return [s for s in (core(part).strip("#*|") for part in _SEGMENT.split(text)) if s]


def report_title_years(text: str) -> list[int]:
    """The years of every line that reads as a report's title ("XX局2023年政府信息公开工作年度报告")."""
    return _title_years(_segments(text))


def _title_years(segments: list[str]) -> list[int]:
    years: list[int] = []
    for segment in segments:
        match = _TITLE.match(segment)
        if match and not re.search(r"[,。;!?:]", segment):
            years.append(int(match["year"]))
    return years


def _opening(doc: Document, segments: list[str] | None = None) -> list[str]:
    """The declared title and the first lines (``segments``: the text's, when already cut)."""
    segments = _segments(doc.text) if segments is None else segments
    return ([core(doc.title)] if doc.title.strip() else []) + segments[:OPENING_LINES]


def budget_kind(doc: Document) -> str:
    """``决算`` or ``预算`` when the file's title names one and no disclosure report; else ''."""
    return _budget_kind(_opening(doc))


def _budget_kind(opening: list[str]) -> str:
    if any(_TITLE.match(line) for line in opening):
        return ""
    for line in opening:
        match = _BUDGET.search(line)
        if match and "信息公开" not in line and len(line) <= 60:
            return match["what"]
    return ""


def new_rows(doc: Document) -> list[list[float]]:
    """The numbers of every printed 本年新收 row (a row of the requests table, six numbers or more).

    Side by side, one line holds two: a 本年新收 label after numbers starts the second run (a
    merged label repeated over several cells does not)."""
    found: list[list[float]] = []
    for row in doc.rows:
        runs: list[list[float]] = []
        for cell in row.cells:
            number = parse_number(cell.text)
            if "本年新收" in core(cell.text) and (not runs or runs[-1]):
                runs.append([])
            elif number.status == "number" and runs:
                runs[-1].append(number.value or 0.0)
        found += [run for run in runs if len(run) >= MIN_TABLE_VALUES]
    return found


def refuse_other_documents(doc: Document) -> None:
    """Raise :class:`IngestError` for a comparison, two years' tables, a 决算 or 预算 (module doc)."""
    segments = _segments(doc.text)  # cut once: the title years and the opening both read them
    years = sorted(set(_title_years(segments)))
    opening = _opening(doc, segments)
    compared = any(_COMPARE.search(line) for line in opening)
    rows = new_rows(doc)
    two_tables = len({tuple(r) for r in rows}) >= 2 or any(len(r) >= 2 * 7 for r in rows)
    if len(years) >= 2 and (compared or two_tables):  # a link list naming last year's report is not enough
        shown = "、".join(f"{y}年" for y in years)
        what = "两个年度报告的对照" if compared else "多个年度的报告合在一个文件里"
        raise IngestError(f"看起来是{what}（{shown}），不是一份年度报告，请每个年度分别上传 / "
                          f"looks like several years' reports in one file ({', '.join(map(str, years))})")
    if two_tables:
        raise IngestError(f"文件中有 {len(rows)} 张不同的“收到和处理政府信息公开申请情况”表（本年新收行各不相同），"
                          f"看起来是两个年度的统计表或两份报告，请每份报告分别上传 / two different requests tables in one file")
    kind = _budget_kind(opening)
    if kind:
        raise IngestError(f"看起来是部门{kind}，不是政府信息公开工作年度报告 / looks like a department "
                          f"{'final accounts' if kind == '决算' else 'budget'} report, not an information-disclosure annual report")


def has_tables(doc: Document) -> bool:
    """Whether the file holds any table at all: a grid row of two cells or more, or a text row of
    three numbers."""
    for row in doc.rows:
        if row.grid and len(row.cells) >= 2:
            return True
        if sum(1 for c in row.cells if parse_number(c.text).status == "number") >= 3:
            return True
    return False
