"""Source readers: bytes of one file → :class:`~ingest.model.Document`.

``read_document`` dispatches on the detected kind.  The helpers here are shared by the readers
that see real table structure (HTML, DOCX, PDF): they all expand merged cells into a full grid
the same way, so the one interpreter can rely on "a value's position identifies its column".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ingest import limits
from ingest.model import Document, SourceCell, SourceRow

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_WS_INSIDE_CJK = re.compile(rf"(?<=[{_CJK}“”‘’、])[\s\u00a0\u3000]+(?=[{_CJK}“”‘’、])")
_WS_RUN = re.compile(r"[\s\u00a0\u3000]+")
_VALUE = re.compile(
    r"^(?:[-+−－]?\s*(?:增|减)?\s*[-+−－]?\s*\d[\d,，]*(?:\.\d+)?\s*(?:万元|元|件|个|项|条|%|％)?|[/／—－\-–]+|无)$"
)


def read_document(data: bytes, name: str = "") -> Document:
    """Read any supported file; raises :class:`~ingest.model.IngestError` with one clear line."""
    from ingest.detect import detect_kind

    kind = detect_kind(data)
    if kind == "pdf":
        from ingest.readers.pdf import read_pdf

        return read_pdf(data, name)
    if kind == "docx":
        from ingest.readers.docx import read_docx

        return read_docx(data, name)
    if kind == "doc":
        from ingest.readers.office import read_legacy_word

        return read_legacy_word(data, name)
    if kind == "html":
        from ingest.readers.html import read_html

        return read_html(data, name)
    if kind == "markdown":
        from ingest.readers.markdown import read_markdown

        return read_markdown(data, name)
    from ingest.readers.text import read_text

    return read_text(data, name)


def clean_cell_text(text: str) -> str:
    """Join wrapped cell text: whitespace between CJK characters goes, other runs become one space.

    Word wraps "商业企业" as "商业\\n企业" and a vertical merged label prints one character per
    line; both must read back as the words the label really is.
    """
    text = _WS_INSIDE_CJK.sub("", text)
    return _WS_RUN.sub(" ", text).strip()


def is_value_text(text: str) -> bool:
    """True for what a statistics cell holds (a number, "减 90", "/", "—", "无"); False for labels."""
    return bool(_VALUE.match(text.strip()))


@dataclass
class SpanCell:
    """A cell as the source declares it: text at its origin, covering rowspan × colspan positions."""

    text: str
    rowspan: int = 1
    colspan: int = 1


def expand_grid(rows: Sequence[Sequence[SpanCell]]) -> list[list[str]]:
    """Lay declared cells onto a full grid (the HTML table algorithm).

    A merged *label* is repeated in every position it covers (a row of the requests table must
    carry its group label); a merged *value* appears once, the other positions are blank, so a
    number is never counted twice.  A rowspan reaching past the last row stops there (as in
    browsers), and the positions laid are counted: a table declaring more than
    :data:`ingest.limits.MAX_TABLE_CELLS` is refused before it takes memory.
    """
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            cell = SpanCell(cell.text, min(max(cell.rowspan, 1), len(rows) - r), max(cell.colspan, 1))
            if len(grid) + cell.rowspan * cell.colspan > limits.MAX_TABLE_CELLS:
                raise limits.exceeds(f"一个表格超过 {limits.MAX_TABLE_CELLS} 个单元格",
                                     f"a table of more than {limits.MAX_TABLE_CELLS} cells")
            _place(grid, r, c, cell)
            c += cell.colspan
    width = max((c for (_, c) in grid), default=-1) + 1
    height = len(rows)
    if width * height > limits.MAX_TABLE_CELLS:
        raise limits.exceeds(f"一个表格 {height} 行 × {width} 列，超过 {limits.MAX_TABLE_CELLS} 个单元格",
                             f"a table of {height} × {width} cells")
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]


def _place(grid: dict[tuple[int, int], str], r: int, c: int, cell: SpanCell) -> None:
    repeat = bool(cell.text) and not is_value_text(cell.text)
    for dr in range(max(cell.rowspan, 1)):
        for dc in range(max(cell.colspan, 1)):
            if (r + dr, c + dc) not in grid:
                grid[(r + dr, c + dc)] = cell.text if (dr == 0 and dc == 0) or repeat else ""


def grid_rows(grid: list[list[str]], base: dict[str, Any], row_offset: int = 0) -> list[SourceRow]:
    """Turn a text grid into :class:`SourceRow` s with per-cell provenance.

    All-blank rows are kept: the value row of a table whose cells are all blank is a row of
    NULLs, not nothing.
    """
    out: list[SourceRow] = []
    for r, texts in enumerate(grid):
        row_prov = {**base, "row": r + row_offset}
        cells = [SourceCell(t, {**row_prov, "col": c}) for c, t in enumerate(texts)]
        out.append(SourceRow(cells=cells, grid=True, provenance=row_prov))
    return out


def join_lines(lines: Sequence[str]) -> str:
    """The document text: non-empty lines, stripped, one per line."""
    return "\n".join(s for s in (line.strip() for line in lines) if s)
