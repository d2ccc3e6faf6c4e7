"""PDF reports, read by geometry.

Plain ``extract_text()`` interleaves labels and numbers, so tables are found from their ruling
lines (pdfplumber's lines/lines strategy) and read cell by cell.  pdfplumber leaves ``None`` in
the positions a merged cell covers; we resolve each to the cell that covers it and apply the
shared grid rules.  A table cut by a page break is continued under the same table index, its
rows emitted as seen (a repeated header stays a header row; the rest of a cut row stays a row
with empty label cells).  Hostile or unusable files fail fast with one line.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfplumber.table import Table

from ingest import limits
from ingest.model import Document, IngestError, SourceCell, SourceRow
from ingest.readers import clean_cell_text, is_value_text, join_lines
from ingest.readers.pdfcells import PageChars, table_text
from ingest.readers.pdfchars import deduped
from ingest.readers.pdfguard import GuardedPage, check_streams, guarded

MAX_PAGES = 200
"""An annual report is a few dozen pages at most; more is refused before any page is parsed."""
MAX_CHARS_PER_PAGE = 60_000
MAX_RULES_PER_PAGE = 20_000
"""Table finding is quadratic in ruling lines; a page with more is hostile or a drawing."""
CID_SHARE = 0.2
"""Above this share of "(cid:N)" glyphs the text layer is unreadable (fonts without ToUnicode)."""
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_MARGIN_TEXT = 8
"""A line this short between a table and the page edge is a page number or running header."""

Box = tuple[float, float, float, float]


@dataclass
class _PageTable:
    page: int
    bbox: Box
    grid: list[list[str]]
    boxes: list[list[Box]]
    row_boxes: list[Box]
    first_on_page: bool = False
    last_on_page: bool = False
    text_above: bool = False
    text_below: bool = False


def read_pdf(data: bytes, name: str = "") -> Document:
    """Read a PDF report: its ruled tables as full grids, its text in reading order."""
    check_streams(data)
    with _open(data) as pdf:
        pages = _pages(pdf)
        lines: list[str] = []
        tables: list[_PageTable] = []
        counts = [0, 0]  # chars, cid glyphs
        for number, page in enumerate(pages, start=1):
            page_tables, page_lines = _read_page(pdf, guarded(pdf, page), number, counts)
            tables += page_tables
            lines += page_lines
            _check_chars(counts[0])
        title = clean_cell_text(str((pdf.metadata or {}).get("Title") or ""))
    _check_text_layer(counts)
    return Document(kind="pdf", text=join_lines(lines), rows=_rows(tables), title=title)


def _open(data: bytes) -> Any:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfplumber wraps every pdfminer failure in PdfminerException
        raise _open_error(exc) from exc


def _open_error(exc: Exception) -> IngestError:
    inner = exc.args[0] if exc.args else exc
    if isinstance(inner, PDFEncryptionError) or isinstance(exc, PDFEncryptionError):
        return IngestError("PDF 已加密，无法读取 / encrypted PDF")
    return IngestError("PDF 文件损坏或不完整 / corrupt or truncated PDF")


def _pages(pdf: Any) -> list[Any]:
    try:
        pages = pdf.pages
    except Exception as exc:
        raise _open_error(exc) from exc
    if not pages:
        raise IngestError("PDF 没有页面 / PDF has no pages")
    if len(pages) > MAX_PAGES:
        raise IngestError(f"PDF 共 {len(pages)} 页，超过 {MAX_PAGES} 页上限，不像年度报告 / too many pages")
    return pages


def _check_text_layer(counts: list[int]) -> None:
    chars, cids = counts
    if chars == 0:
        raise IngestError("PDF 无文字层（扫描件？）/ no text layer (scanned?)")
    if cids / chars > CID_SHARE:
        raise IngestError("PDF 文字层无法识别（字体缺少编码映射）/ unreadable text layer")


def _check_chars(chars: int) -> None:
    if chars > limits.MAX_PDF_CHARS:
        raise limits.exceeds(f"PDF 文字超过 {limits.MAX_PDF_CHARS} 个", f"more than {limits.MAX_PDF_CHARS} characters")


def _read_page(pdf: Any, page: GuardedPage, number: int, counts: list[int]) -> tuple[list[_PageTable], list[str]]:
    """Tables and text lines of one page, lines in top-to-bottom order with table rows in place.

    The page is laid out once (:class:`~ingest.readers.pdfguard.GuardedPage` counts glyphs and
    paths as it goes), and closed after: pdfplumber keeps a page's objects (~2 KB a char) until told."""
    try:
        page = _upright(pdf, page)
        raw_chars = page.chars
        rules = len(page.objects.get("line", [])) + len(page.objects.get("rect", []))
        if len(raw_chars) > MAX_CHARS_PER_PAGE or rules > MAX_RULES_PER_PAGE:
            raise IngestError(f"PDF 第 {number} 页内容异常（对象过多）/ malformed page {number}")
        counts[0] += len(raw_chars)
        counts[1] += sum(1 for c in raw_chars if c.get("text", "").startswith("(cid:"))
        tables, text_lines = _tables_and_text(deduped(page), number)
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(f"PDF 第 {number} 页无法解析 / cannot parse page {number}") from exc
    finally:
        page.close()
    _mark_position(tables, text_lines)
    items = text_lines + [(box[1], "\t".join(row)) for t in tables for box, row in zip(t.row_boxes, t.grid, strict=True)]
    return tables, [text for _, text in sorted(items, key=lambda item: item[0])]


def _tables_and_text(page: Any, number: int) -> tuple[list[_PageTable], list[tuple[float, str]]]:
    """The ruled tables of a page, top first, and its text lines outside them.

    A table's bbox is a property pdfplumber recomputes over all its cells on every call; each is
    taken once here, not once per object of the page per table."""
    found = [(t, tuple(t.bbox)) for t in page.find_tables(_TABLE_SETTINGS)]
    boxes = [box for _, box in found]
    chars = PageChars(page.chars if found else [])
    tables = [_page_table(t, box, number, chars) for t, box in sorted(found, key=lambda item: item[1][1])]
    outside = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
    return tables, [(ln["top"], ln["text"]) for ln in outside.extract_text_lines()]


def _upright(pdf: Any, page: Any) -> Any:
    """The page turned so that its text reads left to right, top to bottom.

    A landscape table printed sideways on a portrait page (or a /Rotate that does not match how
    the content was drawn) gives characters running down or up the page; pdfplumber finds no
    rows in it, and a few stray cells may even look like a table.  When most characters run
    one way other than upright, the page is read again with its rotation corrected by that
    angle, as a reader would turn the paper."""
    turn = _text_direction(page.chars)
    if turn == 0:
        return page
    page.page_obj.attrs["Rotate"] = page.page_obj.rotate = (page.rotation + turn) % 360
    turned = guarded(pdf, page)
    page.close()
    return turned


def _text_direction(chars: list[dict[str, Any]]) -> int:
    """The angle (0, 90, 180 or 270) most characters are drawn at, 0 when no clear majority."""
    angles: dict[int, int] = {}
    for char in chars:
        a, b = char["matrix"][0], char["matrix"][1]
        if a or b:
            angle = round(math.degrees(math.atan2(b, a)) / 90) % 4 * 90
            angles[angle] = angles.get(angle, 0) + 1
    if not angles:
        return 0
    angle, count = max(angles.items(), key=lambda item: item[1])
    return angle if count > 0.6 * sum(angles.values()) else 0


def _inside(obj: dict[str, Any], bbox: Box) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _mark_position(tables: list[_PageTable], text_lines: list[tuple[float, str]]) -> None:
    """Record whether body text sits above the first / below the last table (page breaks)."""
    if not tables:
        return
    body = [top for top, text in text_lines if len(text.strip()) > _MARGIN_TEXT]
    tables[0].first_on_page = True
    tables[0].text_above = any(top < tables[0].bbox[1] for top in body)
    tables[-1].last_on_page = True
    tables[-1].text_below = any(top > tables[-1].bbox[3] for top in body)


def _page_table(table: Table, bbox: Box, page: int, chars: PageChars) -> _PageTable:
    """One pdfplumber table as a text grid with a bbox per position.

    Row and column bands come from the distinct cell edges: pdfplumber's own row/column bboxes
    are unions of the cells that start there, so a merged cell would stretch them.
    """
    rows = table.rows
    texts = table_text(rows, chars)
    origins: dict[Box, str] = {}
    for r, row in enumerate(rows):
        for c, box in enumerate(row.cells):
            if box is not None:
                origins[tuple(box)] = clean_cell_text(texts[r][c] or "")
    xs = _edges([b[0] for b in origins], bbox[2])
    ys = _edges([b[1] for b in origins], bbox[3])
    grid: list[list[str]] = []
    boxes: list[list[Box]] = []
    for r, row in enumerate(rows):
        grid_row, box_row = [], []
        for c, box in enumerate(row.cells):
            position = (xs[c], ys[r], xs[c + 1], ys[r + 1])
            text = origins[tuple(box)] if box is not None else _covered_text(position, origins)
            grid_row.append(text)
            box_row.append(tuple(box) if box is not None else position)
        grid.append(grid_row)
        boxes.append(box_row)
    row_boxes = [(bbox[0], ys[r], bbox[2], ys[r + 1]) for r in range(len(rows))]
    return _PageTable(page, bbox, grid, boxes, row_boxes)


def _edges(starts: list[float], end: float) -> list[float]:
    return sorted(set(starts)) + [end]


def _covered_text(position: Box, origins: dict[Box, str]) -> str:
    """Text for a position a merged cell covers: the label repeated, a value never twice."""
    cx, cy = (position[0] + position[2]) / 2, (position[1] + position[3]) / 2
    for box, text in origins.items():
        if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
            return text if text and not is_value_text(text) else ""
    return ""


def _continues(prev: _PageTable, table: _PageTable) -> bool:
    """A table at the top of a page continues the one that ended the previous page."""
    return (
        table.page == prev.page + 1
        and prev.last_on_page and not prev.text_below
        and table.first_on_page and not table.text_above
        and len(table.grid[0]) == len(prev.grid[0])
    )


def _rows(tables: list[_PageTable]) -> list[SourceRow]:
    rows: list[SourceRow] = []
    index, offset = -1, 0
    prev: _PageTable | None = None
    for table in tables:
        if prev is not None and _continues(prev, table):
            offset += len(prev.grid)
        else:
            index, offset = index + 1, 0
        for r, (texts, boxes) in enumerate(zip(table.grid, table.boxes, strict=True)):
            base = {"kind": "pdf", "page": table.page, "table": index, "row": r + offset}
            cells = [
                SourceCell(text, {**base, "bbox": [round(v, 1) for v in box], "col": c})
                for c, (text, box) in enumerate(zip(texts, boxes, strict=True))
            ]
            rows.append(SourceRow(cells, grid=True, provenance={**base, "bbox": _round(table.row_boxes[r])}))
        prev = table
    return rows


def _round(box: Box) -> list[float]:
    return [round(v, 1) for v in box]
