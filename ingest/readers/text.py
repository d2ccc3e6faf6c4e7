"""Reader for plain-text extractions of reports: three layouts seen in the wild.

1. space-separated: numbers follow the label on one line, labels wrap over several lines
   (``grid=False``: blank cells are invisible, the interpreter decides what a count means);
2. tab-separated: one table row per line, one cell per tab (``grid=True``);
3. one cell per line: each cell on its own tab-indented line, an empty line between table rows,
   blank cells as lines holding only a tab (``grid=True``).

The reader does not know the vocabulary of the tables; it only turns lines into rows and keeps
the line number of every cell.  Mapping labels to canonical cells is the interpreter's job.
"""

from __future__ import annotations

import re

from ingest import limits
from ingest.model import Document, IngestError, SourceCell, SourceRow
from ingest.normalize import nfkc, parse_number, split_tokens

_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.．、]|第[一二三四五六七八九十]+条)")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_SECTION = re.compile(r"^[一二三四五六七八九十]+、.{2,40}(?:情况|事项)(?:\(单位[:：]?.{1,3}\))?$")
_MARKDOWN = re.compile(r"^\s*#+\s*|\*\*")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise IngestError("无法识别文本编码（既不是 UTF-8 也不是 GBK/GB18030）") from exc


def read_text(data: bytes, name: str = "") -> Document:
    """Decode, NFKC-normalise and split a text report into rows (see the module docstring)."""
    if len(data) > limits.MAX_TEXT_BYTES:
        raise limits.exceeds(f"文本文件 {len(data) // limits.MB} MB（上限 {limits.MAX_TEXT_BYTES // limits.MB} MB）",
                             f"a text file of {len(data) // limits.MB} MB")
    text = nfkc(decode(data)).replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\n") >= limits.MAX_TEXT_LINES:
        raise limits.exceeds(f"文本超过 {limits.MAX_TEXT_LINES} 行", f"more than {limits.MAX_TEXT_LINES} lines")
    lines = text.split("\n")
    check_cells(lines)
    layout = detect_layout(lines)
    if layout == "cells":
        rows = _rows_one_cell_per_line(lines)
    elif layout == "tabs":
        rows = _rows_tab_separated(lines)
    else:
        rows = _rows_space_separated(lines, 1)
    return Document(kind="text", text=text, rows=rows)


def check_cells(lines: list[str]) -> None:
    """Refuse a line of more than :data:`~ingest.limits.MAX_LINE_CELLS` tab cells, or a file of
    more than :data:`~ingest.limits.MAX_TEXT_CELLS` tokens, before any cell is made.

    Tokens are counted with ``split(None, budget)``, so even one line of millions of tokens
    costs no more than the budget left.
    """
    budget = limits.MAX_TEXT_CELLS
    for number, line in enumerate(lines, start=1):
        tabs = line.count("\t")
        if tabs >= limits.MAX_LINE_CELLS:
            raise limits.exceeds(f"第 {number} 行有 {tabs + 1} 个单元格（上限 {limits.MAX_LINE_CELLS}）",
                                 f"line {number} has {tabs + 1} cells")
        budget -= len(line.split(None, budget))
        if budget < 0:
            raise limits.exceeds(f"文本超过 {limits.MAX_TEXT_CELLS} 个词元", f"more than {limits.MAX_TEXT_CELLS} tokens")


def detect_layout(lines: list[str]) -> str:
    """``cells`` (one cell per line), ``tabs`` (tab-separated) or ``spaces``."""
    cell_lines = sum(1 for ln in lines if ln.startswith("\t") and "\t" not in ln[1:])
    tab_lines = sum(1 for ln in lines if "\t" in ln.strip("\t") or ln.count("\t") >= 2)
    if cell_lines >= 20 and cell_lines > tab_lines:
        return "cells"
    if tab_lines >= 3:
        return "tabs"
    return "spaces"


def _cell(text: str, line: int) -> SourceCell:
    return SourceCell(text=text.strip(), provenance={"kind": "text", "line": line})


def _clean(line: str) -> str:
    return _MARKDOWN.sub("", line).strip()


# --- layout 2: tab-separated -------------------------------------------------------------------


def _rows_tab_separated(lines: list[str]) -> list[SourceRow]:
    rows: list[SourceRow] = []
    for number, line in enumerate(lines, start=1):
        if "\t" in line:
            cells = [_cell(_clean(part), number) for part in line.split("\t")]
            if any(c.text for c in cells):
                rows.append(SourceRow(cells=cells, grid=True, provenance={"kind": "text", "line": number}))
        elif line.strip():
            rows.extend(_rows_space_separated([line], number))
    return rows


# --- layout 3: one cell per line ---------------------------------------------------------------


def _rows_one_cell_per_line(lines: list[str]) -> list[SourceRow]:
    rows: list[SourceRow] = []
    current: list[SourceCell] = []

    def flush() -> None:
        if current and any(c.text for c in current):
            first = current[0].provenance["line"]
            rows.append(SourceRow(cells=list(current), grid=True, provenance={"kind": "text", "line": first}))
        current.clear()

    for number, line in enumerate(lines, start=1):
        if line.startswith("\t"):
            current.append(_cell(line, number))
        elif not line.strip():
            flush()
        elif current and not _HEADING.match(line.strip()):
            last = current[-1]
            current[-1] = SourceCell(last.text + line.strip(), last.provenance)
        else:
            flush()
            rows.extend(_rows_space_separated([line], number))
    flush()
    return rows


# --- layout 1: space-separated -----------------------------------------------------------------


def _split_line(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Label tokens, then the run of value tokens that ends the line."""
    end = len(tokens)
    start = end
    while start > 0 and parse_number(tokens[start - 1]).status == "number":
        start -= 1
        if end - start > limits.MAX_LINE_CELLS:
            raise limits.exceeds(f"一行有超过 {limits.MAX_LINE_CELLS} 个数字", f"a line of more than "
                                 f"{limits.MAX_LINE_CELLS} numbers")
    return tokens[:start], tokens[start:end]


def _rows_space_separated(lines: list[str], first: int) -> list[SourceRow]:
    """Rows of layout 1: label lines gather until a line ending in numbers closes the row.

    A line that starts with an enumerator (一、 （三） 2.) starts a new label, so a row printed
    with no numbers at all (a blank row) is still emitted on its own.
    """
    rows: list[SourceRow] = []
    pending: list[SourceCell] = []

    def emit(cells: list[SourceCell]) -> None:
        if cells:
            line = cells[0].provenance["line"]
            rows.append(SourceRow(cells=list(cells), grid=False, provenance={"kind": "text", "line": line}))

    for offset, raw in enumerate(lines):
        number = first + offset
        line = _clean(raw)
        if not line:
            continue
        tokens = split_tokens(line)
        labels, values = _split_line(tokens)
        label_text = " ".join(labels)
        if not values:
            if _ENUMERATOR.match(label_text) and pending:
                emit(pending)
                pending = []
            pending.append(_cell(label_text, number))
            if _SECTION.match(label_text):  # a section heading stands alone
                emit(pending)
                pending = []
            continue
        if labels and pending:
            emit(pending)
            pending = []
        cells = pending + ([_cell(label_text, number)] if labels else [])
        cells += [_cell(v, number) for v in values]
        emit(cells)
        pending = []
    emit(pending)
    return rows


__all__ = ["read_text", "decode", "detect_layout"]
