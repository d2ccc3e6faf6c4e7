"""Reader for plain-text extractions of reports: three layouts seen in the wild.

1. space-separated: numbers follow the label on one line, labels wrap over several lines
   (``grid=False``: blank cells are invisible, the interpreter decides what a count means).
   Web-page text dumps are a variant of it: a row's cells run together with its label
   ("一、本年新收政府信息公开申请数量640020470"), and often the whole page, tables included, is
   one line.  Such lines are cut into one pseudo-line per row (:func:`segments`): a row ends
   where label text follows its numbers, or where an enumerator (一、 （三） 2.) starts; the
   runs of digits are left whole for the interpreter to split by the tables' arithmetic
   (:mod:`ingest.splitting`);
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
from store import settings

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


def bounded_lines(data: bytes) -> list[str]:
    """Decode and NFKC-normalise a text file into lines, refused first when it is over the size or
    line limits (shared by the text and Markdown readers)."""
    if len(data) > limits.MAX_TEXT_BYTES:
        raise limits.exceeds(f"文本文件 {len(data) // limits.MB} MB（上限 {limits.MAX_TEXT_BYTES // limits.MB} MB）",
                             f"a text file of {len(data) // limits.MB} MB")
    text = nfkc(decode(data)).replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\n") >= limits.MAX_TEXT_LINES:
        raise limits.exceeds(f"文本超过 {limits.MAX_TEXT_LINES} 行", f"more than {limits.MAX_TEXT_LINES} lines")
    return text.split("\n")


def read_text(data: bytes, name: str = "") -> Document:
    """Decode, NFKC-normalise and split a text report into rows (see the module docstring)."""
    lines = bounded_lines(data)
    check_cells(lines)
    layout = detect_layout(lines)
    if layout == "cells":
        rows = _rows_one_cell_per_line(lines)
    elif layout == "tabs":
        rows = _rows_tab_separated(lines)
    else:
        rows = _rows_from_lines(_pseudo_lines(lines))
    return Document(kind="text", text="\n".join(lines), rows=rows)


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
    if cell_lines >= settings.TEXT.cell_layout_lines and cell_lines > tab_lines:
        return "cells"
    if tab_lines >= settings.TEXT.tab_layout_lines:
        return "tabs"
    return "spaces"


def _cell(text: str, line: int, offset: int | None = None) -> SourceCell:
    provenance: dict[str, object] = {"kind": "text", "line": line}
    if offset is not None:
        provenance["offset"] = offset  # characters into the line: many rows share one line
    return SourceCell(text=text.strip(), provenance=provenance)


def _clean(line: str) -> str:
    if "#" not in line and "*" not in line:  # nothing for _MARKDOWN to take (most cells)
        return line.strip()
    return _MARKDOWN.sub("", line).strip()


# --- layout 2: tab-separated -------------------------------------------------------------------


def _rows_tab_separated(lines: list[str]) -> list[SourceRow]:
    rows: list[SourceRow] = []
    for number, line in enumerate(lines, start=1):
        if "\t" in line:
            texts = [_clean(part) for part in line.split("\t")]
            if any(texts):
                cells = [_cell(text, number) for text in texts]
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
    """Rows of layout 1 from ``lines`` numbered from ``first`` (see :func:`_rows_from_lines`)."""
    return _rows_from_lines([(first + i, None, line, "") for i, line in enumerate(lines)])


PseudoLine = tuple[int, int | None, str, str]
"""(line number, offset of the piece in that line or None for a whole line, text, cells): cells
is "glued" or "spaced" for a piece cut from a line by :func:`segments` (see :func:`cell_spacing`)."""


def _rows_from_lines(lines: list[PseudoLine]) -> list[SourceRow]:
    """Rows of layout 1: label lines gather until a line ending in numbers closes the row.

    A line that starts with an enumerator (一、 （三） 2.) starts a new label, so a row printed
    with no numbers at all (a blank row) is still emitted on its own.
    """
    rows: list[SourceRow] = []
    pending: list[SourceCell] = []

    def emit(cells: list[SourceCell], spacing: str = "") -> None:
        if cells:
            prov = {k: v for k, v in cells[0].provenance.items() if k in ("kind", "line", "offset")}
            if spacing:
                prov["cells"] = spacing
            rows.append(SourceRow(cells=list(cells), grid=False, provenance=prov))

    for number, offset, raw, spacing in lines:
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
            pending.append(_cell(label_text, number, offset))
            if _SECTION.match(label_text):  # a section heading stands alone
                emit(pending)
                pending = []
            continue
        if labels and pending:
            emit(pending)
            pending = []
        cells = pending + ([_cell(label_text, number, offset)] if labels else [])
        cells += [_cell(v, number, offset) for v in values]
        emit(cells, spacing)
        pending = []
    emit(pending)
    return rows


# --- run-together cells and whole tables on one line -----------------------------------------

_BLOB = re.compile(r"(?:(?<![\d.])[+\-−])?\d+(?:\.\d+)?(?:[+\-−减增]?\d+(?:\.\d+)?)*(?:万元|元)?")
"""A run of printed digits, possibly several cells run together (signs, points and 元 inside)."""
_ENUMERATOR_MARK = re.compile(r"[.．、](?!\d)")
"""What follows the digit of an enumerator ("2.其他…", "2、…"), as opposed to a decimal point."""
_ROW_START = re.compile(r"(?<!第)(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.．、](?!\d)|第[一二三四五六七八九十]+条)")
"""A label that starts a row or a section: 一、 （三） 2.; "第（五）项" is not one.  (A label
span holds no other digits: every other digit run is a value.)"""
_RUN_ON = re.compile(r"\d\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d[.．](?!\d))")
"""Numbers followed directly by the next row's enumerator: rows printed one after another on a line."""
_GLUED_END = re.compile(r"[\u4e00-\u9fff)）”\"]\d+(?:\.\d+)?(?:万元|元)?\s*$")
"""A line ending in a label with its numbers glued on ("…申请数量640020470")."""
_BARE_RUN = re.compile(r"^\s*\d[\d.]*\s*$")
"""A line of digits only: in a document of glued rows, a value row without a label (table 4)."""


def _pseudo_lines(lines: list[str]) -> list[PseudoLine]:
    """Lines as rows: run-on lines (a table on one line) and, in a document whose rows glue their
    numbers to their labels, those lines too, are cut by :func:`segments`; others stay whole."""
    glued = sum(1 for line in lines if _GLUED_END.search(line)) >= settings.TEXT.glued_lines
    out: list[PseudoLine] = []
    for number, line in enumerate(lines, start=1):
        run_on = len(_RUN_ON.findall(line)) >= settings.TEXT.run_on_rows
        if run_on or (glued and (_GLUED_END.search(line) or _BARE_RUN.match(line))):
            pieces = segments(line)
            spacing = cell_spacing([piece for _, piece in pieces]) if run_on else "glued"
            out += [(number, offset, piece, spacing) for offset, piece in pieces]
        else:
            out.append((number, None, line, ""))
    return out


def cell_spacing(pieces: list[str]) -> str:
    """Whether a run-on line separates its cells by spaces ("spaced": "0 0 0 0 0 0 0") or glues
    them together ("glued": "640020470"): the kind of row most of its pieces show.

    It decides what a row with too few numbers means: in spaced text a missing cell is a blank
    one; in glued text the numbers are runs to cut."""
    spaced = glued = 0
    for piece in pieces:
        values = _split_line(split_tokens(piece))[1]
        if any(len(v) > 1 and v[0] == "0" and v[1:2].isdigit() for v in values):
            glued += 1  # "00", "023": no printed number starts with 0
        elif len(values) >= settings.TEXT.spaced_min_values:
            spaced += 1
        elif len(values) == 1 and len(values[0]) >= settings.TEXT.glued_min_digits:
            glued += 1
    return "spaced" if spaced > glued else "glued"


def segments(line: str) -> list[tuple[int, str]]:
    """Cut a line into ``(offset, "label numbers…")`` pieces, one per row.

    Digit runs are kept whole (cutting them is the interpreter's job) but separated from the
    label they are glued to; the digit of an enumerator glued after a run ("00000002.其他…")
    belongs to the next label.  A piece ends where label text follows numbers, and a label is
    cut where an enumerator (一、 （三）) starts a new row or section."""
    parts = _parts(line)
    out: list[tuple[int, str]] = []
    label: tuple[int, str] | None = None
    values: list[str] = []

    def close() -> None:
        if label is not None or values:
            start = label[0] if label is not None else 0
            text = " ".join(([label[1]] if label is not None else []) + values)
            out.append((start, text))

    for kind, offset, text in parts:
        if kind == "value":
            values.append(text)
            continue
        for start, piece in _cut_labels(offset, text):
            if values or label is not None and start != offset:
                close()
                label, values = None, []
            label = (start, piece) if label is None else (label[0], label[1] + piece)
    close()
    return [(offset, text) for offset, text in out if text.strip()]


def _parts(line: str) -> list[tuple[str, int, str]]:
    """``(kind, offset, text)``: label text and value runs in order (whitespace dropped)."""
    parts: list[tuple[str, int, str]] = []
    at = 0
    for match in _BLOB.finditer(line):
        start, end = match.span()
        blob = match.group()
        if _ENUMERATOR_MARK.match(line, end) and blob.isdigit():
            end -= 1  # the last digit is the next label's enumerator
            blob = blob[:-1]
        if not blob:
            continue
        if line[at:start].strip():
            parts.append(("label", at, line[at:start]))
        parts.append(("value", start, blob))
        at = end
    if line[at:].strip():
        parts.append(("label", at, line[at:]))
    return parts


def _cut_labels(offset: int, text: str) -> list[tuple[int, str]]:
    """A label span cut before each enumerator inside it (``(offset, piece)``)."""
    cuts = [m.start() for m in _ROW_START.finditer(text) if m.start() > 0 and text[: m.start()].strip()]
    bounds = [0, *cuts, len(text)]
    return [(offset + a, text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]


__all__ = ["read_text", "decode", "detect_layout", "segments"]
